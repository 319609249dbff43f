"""What every part of the benchmark shares: running a measured command, summarising repeated
runs (median, min, max), the machine and versions, and progress messages."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
MB = 1024 * 1024

# Every measured command runs with these: no update notices, and a fixed build date, so the
# sitemap (which carries it) does not change at midnight between two builds being compared.
CHILD_ENV = {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1767225600", "PYTHONDONTWRITEBYTECODE": "1"}


def step(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def tool(name: str) -> list[str] | None:
    """The command for a console script: next to this Python (the venv), else on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return [str(here)]
    found = shutil.which(name)
    return [found] if found else None


def child_env() -> dict[str, str]:
    """The environment of measured commands; each gets its own random hash seed (string hashing,
    and so set order, differs between two builds whose sites are compared)."""
    env = {**os.environ, **CHILD_ENV}
    env.pop("PYTHONHASHSEED", None)
    return env


@dataclass
class Run:
    """One run of a measured command."""

    seconds: float
    cpu_seconds: float  # user + system: less sensitive than wall time to a busy machine
    peak_rss_mb: float  # the largest single process
    returncode: int
    log: Path


def run_child(cmd: Sequence[str], cwd: Path, log: Path) -> Run:
    """Run ``cmd`` in ``cwd`` with its output in ``log``, measured by bench/_child.py."""
    figures = log.with_suffix(".run.json")
    figures.unlink(missing_ok=True)
    with log.open("wb") as out:
        proc = subprocess.run([sys.executable, "-I", "-S", str(BENCH / "_child.py"), str(figures), *cmd],
                              cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=child_env(), check=False)
    if proc.returncode != 0 or not figures.exists():
        raise SystemExit(f"bench: could not run {cmd[0]}: see {log}")
    got = json.loads(figures.read_text(encoding="utf-8"))
    figures.unlink()
    return Run(got["seconds"], got["cpu_seconds"], got["peak_rss_kib"] / 1024, got["returncode"], log)


def summary(values: Sequence[float]) -> dict[str, Any]:
    """Median, min and max of repeated measurements, and the runs themselves."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": [round(v, 4) for v in values]}


def runs_summary(runs: Sequence[Run]) -> dict[str, Any]:
    """Wall and CPU time of repeated runs (median, min, max) and the highest peak memory."""
    return {"wall": summary([r.seconds for r in runs]), "cpu": summary([r.cpu_seconds for r in runs]),
            "peak_rss_mb": max(r.peak_rss_mb for r in runs)}


def repeat(k: int, cmd: Sequence[str], cwd: Path, log: Path, what: str) -> list[Run]:
    """``k`` runs of ``cmd``; stops the benchmark if one fails (timing a failure means nothing)."""
    runs = []
    for _ in range(k):
        run = run_child(cmd, cwd, log)
        if run.returncode != 0:
            raise SystemExit(f"bench: {what} failed (exit {run.returncode}):\n{tail(run.log)}")
        runs.append(run)
    return runs


def tail(path: Path, lines: int = 15) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return shorten("\n".join(text[-lines:]))


def shorten(text: str) -> str:
    """Name files by their place in the repository or by module, not by where they sit on this machine."""
    text = text.replace(str(REPO) + os.sep, "")
    text = re.sub(r"[^\s\"'(]*?site-packages/", "", text)
    for prefix in {sys.base_prefix, sys.prefix}:
        text = re.sub(re.escape(prefix) + r"/lib/python[\d.]+/", "", text)
    return text


def environment() -> dict[str, Any]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "cpus": os.cpu_count(), "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(), "system": f"{platform.system()} {platform.machine()}",
        "versions": {name: version(name) for name in ("mlfolio", "mkdocs", "mkdocs-material", "Jinja2", "cmarkgfm", "nh3",
                                                      "jsonschema", "jsonschema-rs", "check-jsonschema", "PyYAML")},
        "commit": _commit(),
    }


def load_average() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def _commit() -> str | None:
    """The checkout's commit, marked "+changes" when the code, schema or config differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "generator", "schemas", "mkdocs.yml"],
                               cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty else "")
