"""Golden pages: the HTML the plugin hands MkDocs for two example projects and the home page.

The HTML is a page's content (what MkDocs puts inside the article, ``page.content``) as the
``mlfolio`` plugin makes it: its ``on_config`` and ``on_files`` events, run in-process on a copy
of this checkout's ``mkdocs.yml``, schema and specs, the specs committed to a fresh repository
(see ``rendered``): validation, portfolio, history, page contexts, templates, the Markdown of
the specs' free text. Each page is compared with ``golden/<name>.html``:

- ``house-prices.html``: an English project at stage baseline & prototype;
- ``crm-repurchase.html``: a Korean project with a reviewer's override of the verdict;
- ``home.html``: the portfolio's home page (every example's title, stage, verdict, readiness).

A change to templates, labels, the Markdown filter or the example specs changes these files
on purpose. Rewrite them with::

    MLFOLIO_UPDATE_GOLDEN=1 python -m pytest tests/site/test_golden.py

and review the diff like code: it is exactly what readers of the site will get.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import get_files

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
PAGES = {
    "house-prices.html": "projects/house-prices/index.md",
    "crm-repurchase.html": "projects/crm-repurchase/index.md",
    "home.html": "index.md",
}
UPDATE = os.environ.get("MLFOLIO_UPDATE_GOLDEN") == "1"


# The pages show each spec's history from git. So that they change with the templates and the
# specs only, not with this checkout's commits or the date, they are made from a copy of the
# inputs whose specs are committed at once by one author on one day, with "now" fixed
# (SOURCE_DATE_EPOCH) 86 days later: the early stages (60 days) are stale, the later ones not.
# Commit ids are written as 0000000 (the one commit's id changes with any example).
COMMITTED = "2026-01-05T12:00:00+00:00"
NOW = "1775001600"  # 2026-04-01 00:00 UTC
SHORT_SHA = re.compile(r"<code>[0-9a-f]{7}</code>")


def _commit_specs(root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="Golden Author", GIT_AUTHOR_EMAIL="golden@example.com", GIT_AUTHOR_DATE=COMMITTED,
               GIT_COMMITTER_NAME="Golden Author", GIT_COMMITTER_EMAIL="golden@example.com", GIT_COMMITTER_DATE=COMMITTED)
    for args in (["init", "-q"], ["add", "projects"], ["commit", "-q", "-m", "The examples"]):
        subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd=root, env=env,
                       check=True, capture_output=True)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, copy_site) -> dict[str, str]:
    """Source path of every generated page -> the HTML the plugin made for it."""
    if shutil.which("git") is None:
        pytest.skip("the golden pages show the specs' history: git is needed")
    root = copy_site(tmp_path_factory.mktemp("golden") / "repo")
    _commit_specs(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", NOW)
        config = load_config(str(root / "mkdocs.yml"))
        config.plugins.on_startup(command="build", dirty=False)
        config = config.plugins.on_config(config)
        files = config.plugins.on_files(get_files(config), config=config)
    return {f.src_uri: SHORT_SHA.sub("<code>0000000</code>", f.content_string)
            for f in files if f.generated_by and f.src_uri.endswith(".md")}


def test_the_golden_pages_are_generated(rendered: dict[str, str]) -> None:
    assert set(PAGES.values()) <= set(rendered)


def test_no_stale_golden_file() -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(PAGES)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matches_golden(rendered: dict[str, str], name: str) -> None:
    actual = rendered[PAGES[name]]
    golden = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="\n")  # then compared, as always
    assert golden.is_file(), f"{golden.name} is missing: run with MLFOLIO_UPDATE_GOLDEN=1"
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"golden/{name}", tofile=f"rendered {PAGES[name]}",
        ))
        pytest.fail(f"{name} differs from its golden file (MLFOLIO_UPDATE_GOLDEN=1 rewrites it):\n{diff}")
