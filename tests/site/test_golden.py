"""Golden Markdown: the seven pages of ``house-prices`` as the plugin hands them to MkDocs.

The Markdown is what the ``mlfolio`` plugin adds to MkDocs' files (its ``on_config`` and
``on_files`` events, run in-process on this checkout's ``mkdocs.yml``: validation, portfolio,
page contexts, templates). It is compared with ``golden/<page>.md``, one file per page
(``index.md`` is the overview).

A change to templates, labels or the example spec changes these files on purpose. Rewrite
them with::

    MLFOLIO_UPDATE_GOLDEN=1 python -m pytest tests/site/test_golden.py

and review the diff like code: it is exactly what readers of the site will get.
"""

from __future__ import annotations

import difflib
import os
import posixpath
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import get_files

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
PROJECT = "house-prices"
PAGES = ("index.md", "problem.md", "feasibility.md", "goals.md", "constraints.md", "data.md", "deployment.md")
UPDATE = os.environ.get("MLFOLIO_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    """Page file name -> the Markdown the plugin generates for it."""
    config = load_config(str(REPO / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    prefix = f"projects/{PROJECT}/"
    return {
        posixpath.basename(f.src_uri): f.content_string
        for f in files
        if f.src_uri.startswith(prefix) and f.src_uri.endswith(".md") and f.generated_by
    }


def test_the_project_has_exactly_the_golden_pages(rendered: dict[str, str]) -> None:
    assert sorted(rendered) == sorted(PAGES)


def test_no_stale_golden_file() -> None:
    assert sorted(p.name for p in GOLDEN.glob("*.md")) == sorted(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_page_matches_golden(rendered: dict[str, str], name: str) -> None:
    actual = rendered[name]
    golden = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="\n")
        pytest.skip(f"rewrote {golden.name}; review the diff")
    assert golden.is_file(), f"{golden.name} is missing: run with MLFOLIO_UPDATE_GOLDEN=1"
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"golden/{name}", tofile=f"rendered {name}",
        ))
        pytest.fail(f"{name} differs from its golden file (MLFOLIO_UPDATE_GOLDEN=1 rewrites it):\n{diff}")
