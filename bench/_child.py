"""Run a command and write its wall time, CPU time and peak memory as JSON: ``_child.py OUT CMD...``.

The benchmark starts every measured command through this small process (``python -I -S``)
rather than directly: on Linux a child's peak RSS (``ru_maxrss``) keeps the high-water mark of
the process it was forked from, so a child forked straight from the benchmark, which holds
a thousand rendered pages by then, would report the benchmark's memory instead of its own.

``peak_rss_kib`` is the peak of the largest single process among the command and the processes
it waited for; CPU time (user + system) counts all of them.
"""

import json
import os
import sys
import time


def main() -> int:
    out, cmd = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    kib = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_kib": kib,
                   "returncode": os.waitstatus_to_exitcode(status)}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
