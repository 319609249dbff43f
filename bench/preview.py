"""Preview: how soon after a spec is saved ``mkdocs serve --dirty`` (``make serve``) serves the change.

For each size N it starts ``mkdocs serve --dirty`` on a synthetic portfolio of N projects on a
free localhost port, waits until the server answers with a project page, then changes that
project's title k times: after each save it polls the page until the new title is served,
and records the time from the save to that response. The server runs in its own process
group, which is ended (SIGINT, then SIGTERM, then SIGKILL) when the measurement ends, however
it ends. Every wait is bounded.

Usage::

    python bench/preview.py [--sizes 100,1000] [--edits 5] [--out bench/out] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from common import BENCH, child_env, step, summary, tool

POLL_S = 0.05  # how often the page is asked for while waiting
PAUSE_S = 0.5  # between a served change and the next save
TITLE = re.compile(rb"^title:.*$", re.M)


class PreviewError(Exception):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, timeout: float) -> str | None:
    """The page's text, or None if the server does not answer with one (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=max(timeout, 0.1)) as response:  # noqa: S310 (localhost)
            return str(response.read().decode("utf-8", errors="replace"))
    except (urllib.error.URLError, OSError, TimeoutError):
        return None


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End the server's process group: SIGINT (MkDocs removes its temporary site), then harder."""
    for sig, grace in ((signal.SIGINT, 10.0), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        with suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
            break
    with suppress(ProcessLookupError):  # anything the server started and left behind
        os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def serving(project: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    mkdocs = tool("mkdocs") or [sys.executable, "-m", "mkdocs"]
    cmd = [*mkdocs, "serve", "--dirty", "-f", "mkdocs.yml", "-a", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        # The server gets SIGINT's default action even where this process was started with it
        # ignored (in the background of a script), so that SIGINT stops it cleanly.
        proc = subprocess.Popen(cmd, cwd=project, stdout=out, stderr=subprocess.STDOUT, env=child_env(), start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            yield proc
        finally:
            stop(proc)


def wait_for(proc: subprocess.Popen[bytes], url: str, ok: Callable[[str], bool], seconds: float, what: str) -> float:
    """Poll ``url`` until its text satisfies ``ok``; the time of that response."""
    deadline = time.perf_counter() + seconds
    while True:
        if proc.poll() is not None:
            raise PreviewError(f"the server exited (code {proc.returncode}) while waiting for {what}")
        left = deadline - time.perf_counter()
        if left <= 0:
            raise PreviewError(f"no {what} within {seconds:.0f} s")
        text = fetch(url, left)
        if text is not None and ok(text):
            return time.perf_counter()
        time.sleep(POLL_S)


def _contains(title: str) -> Callable[[str], bool]:
    return lambda text: title in text


def measure_preview(project: Path, n: int, edits: int) -> dict[str, Any]:
    """Save-to-served times of ``edits`` title changes under ``mkdocs serve --dirty``."""
    spec = project / "specs" / "synthetic-0001.yaml"
    original = spec.read_bytes()
    if not TITLE.search(original):
        raise SystemExit(f"bench: no top-level title line in {spec}")
    port = free_port()
    url = f"http://127.0.0.1:{port}/projects/{spec.stem}/"
    log = project / "serve.log"
    token = format(time.time_ns() % 16**6, "06x")
    result: dict[str, Any] = {"n": n, "edits": edits, "project": spec.stem}
    times: list[float] = []
    try:
        start = time.perf_counter()
        with serving(project, port, log) as proc:
            result["startup_s"] = wait_for(proc, url, lambda text: "</html>" in text, max(120.0, 0.5 * n), "first page") - start
            time.sleep(PAUSE_S)
            for i in range(1, edits + 1):
                title = f"Preview edit {i} {token}"
                spec.write_bytes(TITLE.sub(f"title: {title}".encode(), original, count=1))
                saved = time.perf_counter()
                served = wait_for(proc, url, _contains(title), max(30.0, 0.1 * n), f"page with edit {i}")
                times.append(served - saved)
                time.sleep(PAUSE_S)
    except PreviewError as exc:
        result["error"] = f"{exc} (server log: {log.name})"
    finally:
        spec.write_bytes(original)
    if times:
        result["save_to_served"] = summary(times)
    result["log_errors"] = sum(1 for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if "ERROR" in line)
    return result


def main(argv: list[str] | None = None) -> int:
    from portfolio import make_portfolios

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="portfolio sizes, comma-separated (default: 100,1000)")
    parser.add_argument("--edits", type=int, default=5, help="title changes per size (default: 5)")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="output directory (default: bench/out/)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the synthetic specs (default: 1)")
    args = parser.parse_args(argv)
    sizes = sorted({int(x) for x in args.sizes.split(",") if x.strip()})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the server is stopped on SIGTERM too
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    step(f"generating {max(sizes)} synthetic specs")
    make_portfolios(out, sizes, args.seed)
    results = []
    for n in sizes:
        step(f"preview, N={n}")
        results.append(measure_preview(out / f"n{n}", n, args.edits))
        print(json.dumps(results[-1]))
    (out / "preview.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
