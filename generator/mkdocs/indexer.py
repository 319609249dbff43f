"""The search index of a served site, built in a process of its own.

Under ``mkdocs serve`` the index follows every save (:class:`mlfolio.mkdocs.plugin.BackgroundIndexer`).
Building it reads and copies every page (Python work that would hold the server's interpreter
lock while the next save is being rebuilt) and runs Pagefind on every core. So it runs as
``python -m mlfolio.mkdocs.indexer SITE_DIR``, at a lower priority (nice 10, Pagefind under it
too): a rebuild after a save gets the machine first, the index takes what is left.

The child prints one line of JSON: the :class:`~mlfolio.pages.search.IndexReport`'s figures, or
``{"error": ...}`` with exit status 1.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from mlfolio.pages.search import IndexReport, SearchIndexError, build_index

#: How much lower the child runs than the server (POSIX ``nice``).
NICENESS = 10


def index_in_child(site_dir: Path, *, started: Callable[[subprocess.Popen[str]], None] | None = None,
                   timeout: float = 900) -> IndexReport:
    """Build the index of ``site_dir`` in a child process; raise :class:`SearchIndexError` if it fails.

    ``started`` is called with the child as soon as it runs (so a server that stops can end it)."""
    command = [sys.executable, "-m", "mlfolio.mkdocs.indexer", str(site_dir)]
    try:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 start_new_session=os.name == "posix")
    except OSError as exc:
        raise SearchIndexError(f"the indexing process did not start: {exc}") from None
    if started is not None:
        started(child)
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(child)
        raise SearchIndexError(f"indexing took more than {timeout:.0f} s") from None
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise SearchIndexError(f"the indexing process ended with status {child.returncode}: {(err or out).strip()[-2000:]}") from None
    if child.returncode != 0 or "error" in result:
        raise SearchIndexError(str(result.get("error") or f"status {child.returncode}"))
    return IndexReport(int(result["pages"]), int(result["korean_pages"]), float(result["seconds"]), site_dir / "pagefind")


def stop(child: subprocess.Popen[str]) -> None:
    """End a child started by :func:`index_in_child`: it ends the indexing job it runs (the
    worker and Pagefind, which have a process group of their own) on its way out."""
    if child.poll() is not None:
        return
    with contextlib.suppress(OSError):
        if os.name == "posix":
            os.killpg(child.pid, signal.SIGTERM)
        else:
            child.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(5)
        return
    with contextlib.suppress(OSError):
        child.kill()


def _leave(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m mlfolio.mkdocs.indexer SITE_DIR", file=sys.stderr)
        return 2
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(NICENESS)
    # Stopped by the server (SIGTERM): leave through the job's clean-up, which ends its worker
    # and Pagefind and removes its folder, instead of dying at once and leaving them running.
    signal.signal(signal.SIGTERM, _leave)
    try:
        report = build_index(Path(args[0]))
    except SearchIndexError as exc:
        print(json.dumps({"error": str(exc)}))
        return 1
    print(json.dumps({"pages": report.pages, "korean_pages": report.korean_pages, "seconds": report.seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
