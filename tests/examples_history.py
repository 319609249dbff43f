"""The examples' history, told once for every test that needs a portfolio with one.

The examples committed to a throw-away repository on 2026-01-05; house-prices moved back to
project design on 2026-02-10, then forward again with a more ambitious MAPE target on
2026-03-20. Built with ``SOURCE_DATE_EPOCH`` at :data:`NOW` (2026-04-01), the projects at a
stage with a 60-day limit are stale (:data:`STALE`). Used by tests/site/test_history_site.py and
tests/browser/test_portfolio.py (``pythonpath = ["tests"]`` in pyproject.toml).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

NOW = "1775001600"  # 2026-04-01 00:00 UTC
RETIRED = "address-search"
# Stale on 2026-04-01 when untouched since 2026-01-05 (86 days): the stages with a 60-day limit.
STALE = ["face-filter", "stock-price-forecast", "support-ticket-routing"]


def git(root: Path, *args: str, date: str | None = None, author: str = "Alice Kim") -> str:
    """Run git in ``root`` as ``author`` (at noon UTC on ``date``), whatever the caller's git settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL="a@example.com", GIT_COMMITTER_NAME=author,
               GIT_COMMITTER_EMAIL="a@example.com")
    if date:
        env.update(GIT_AUTHOR_DATE=f"{date}T12:00:00+00:00", GIT_COMMITTER_DATE=f"{date}T12:00:00+00:00")
    return subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd=root, env=env,
                          check=True, capture_output=True, text=True).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def commit_history(root: Path) -> dict[str, str]:
    """The examples' story in ``root`` (a copy of the checkout's inputs); commit subject -> short sha."""
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The examples", date="2026-01-05", author="Alice Kim")
    house = root / "projects" / "house-prices.yaml"
    edit(house, "stage: baseline_prototype", "stage: project_design")
    git(root, "commit", "-qam", "House prices: back to design", date="2026-02-10", author="Bob Lee")
    edit(house, "stage: project_design", "stage: baseline_prototype")
    edit(house, "    target: 7.0\n", "    target: 6.5\n")
    git(root, "commit", "-qam", "House prices: prototype again, a tighter MAPE", date="2026-03-20", author="Carol Park")
    return {line.split(" ", 1)[1]: line.split(" ", 1)[0] for line in git(root, "log", "--format=%h %s").splitlines()}
