"""Run a command and write its wall time, CPU time and memory as JSON: ``_child.py OUT CMD...``.

bench/run.py starts every measured command through this small process (``python -I -S``)
rather than directly: on Linux a child's peak RSS (``ru_maxrss``) keeps the high-water mark of
the process it was forked from, so a child forked straight from the benchmark, which holds
a thousand parsed specs by then, would report the benchmark's memory instead of its own.

CPU time counts the command and the worker processes it waited for. ``ru_maxrss`` is the peak
of the largest single process; a build that forks workers uses more than that at once, so on
Linux the proportional set size (PSS: shared pages split between the processes sharing them)
of the command and all its descendants is also sampled five times a second and its peak kept.
"""

import json
import os
import sys
import time


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            tree.setdefault(ppid, []).append(int(name))
    return tree


def _tree_pss_kib(root: int) -> int | None:
    """PSS of ``root`` and its descendants, or None where /proc cannot tell."""
    tree, todo, total = _children(), [root], 0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, ()))
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            if pid == root:
                return None
    return total


def main() -> int:
    out, cmd = sys.argv[1], sys.argv[2:]
    sample = os.path.exists("/proc/self/smaps_rollup")
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)
    peak_pss = 0
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG if sample else 0)
        if done:
            break
        pss = _tree_pss_kib(pid)
        peak_pss = max(peak_pss, pss or 0)
        time.sleep(0.2)
    wall = time.perf_counter() - start
    kib = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_kib": kib,
                   "peak_total_pss_kib": peak_pss or None, "returncode": os.waitstatus_to_exitcode(status)}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
