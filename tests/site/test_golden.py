"""Golden pages: the HTML the plugin hands MkDocs for two example projects and the home page.

The HTML is a page's content (what MkDocs puts inside the article, ``page.content``) as the
``mlfolio`` plugin makes it: its ``on_config`` and ``on_files`` events, run in-process on this
checkout's ``mkdocs.yml`` (validation, portfolio, page contexts, templates, the Markdown of
the specs' free text). Each page is compared with ``golden/<name>.html``:

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


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    """Source path of every generated page -> the HTML the plugin made for it."""
    config = load_config(str(REPO / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    return {f.src_uri: f.content_string for f in files if f.generated_by and f.src_uri.endswith(".md")}


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
