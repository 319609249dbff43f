"""The home page of a portfolio larger than its first rows (``ROWS_AT_ONCE``), in a real browser.

The first rows of a table are in the page as it loads and the rest wait in a template inside the
table, which the page's script moves into the table while the page is idle, or at once when a
filter, a sort, a download or printing needs every row. A reader sees the same table either
way: every project, in the page's order, counted in full from the start.

The site is the examples, each copied 15 times under other ids (128 projects, 112 active).
Tests that look at the page before the idle moment hold ``requestIdleCallback`` back (an init
script), as on a page kept busy.
"""

from __future__ import annotations

import csv
import io
import re
import urllib.request
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, and says why
    expect = None

from mlfolio.pages.builder import ROWS_AT_ONCE

from conftest import built_and_served, copy_inputs

pytestmark = pytest.mark.browser

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from conftest import PageErrors

COPIES = 15
ACTIVE = 7 * (COPIES + 1)  # seven of the eight examples are not retired
# Idle callbacks that never come: the rows stay where the page put them until something asks.
BUSY = "window.requestIdleCallback = function () { return 0; };"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = copy_inputs(tmp_path_factory.mktemp("large-portfolio"))
    for spec in sorted((work / "projects").glob("*.yaml")):
        text = spec.read_text(encoding="utf-8")
        name = spec.stem
        for n in range(1, COPIES + 1):
            copy = re.sub(r"^id: .*$", f"id: {name}-{n:02d}", text, count=1, flags=re.M)
            copy = re.sub(r'^title: "(.*)"$', rf'title: "\1 ({n:02d})"', copy, count=1, flags=re.M)
            assert copy.count(f"id: {name}-{n:02d}") == 1 and f"({n:02d})" in copy
            (work / "projects" / f"{name}-{n:02d}.yaml").write_text(copy, encoding="utf-8")
    with built_and_served(work, "large-portfolio-http") as url:
        yield url


class Rows(HTMLParser):
    """The project ids of the active table as the served page has them: in the table's body,
    and in the template that holds the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.table = ""
        self.where = ""
        self.body: list[str] = []
        self.waiting: list[str] = []
        self.stage: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self.table = values.get("data-mlfolio-table") or ""
        elif tag in ("tbody", "template") and self.table == "active":
            self.where = tag
        elif tag == "tr" and values.get("data-id") and self.table == "active":
            (self.body if self.where == "tbody" else self.waiting).append(str(values["data-id"]))
            self.stage[str(values["data-id"])] = str(values.get("data-stage"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.table = ""


def served_rows(site_url: str) -> Rows:
    with urllib.request.urlopen(site_url, timeout=10) as response:  # noqa: S310 - the local test server
        parser = Rows()
        parser.feed(response.read().decode("utf-8"))
    return parser


def live(page: Page) -> list[str]:
    """The ids of the active table's rows in the page's table, top to bottom (shown or not)."""
    return page.locator('table[data-mlfolio-table="active"] tbody tr[data-id]').evaluate_all("rows => rows.map(r => r.dataset.id)")


def test_the_page_holds_its_first_rows_in_the_table_and_the_rest_in_a_template(site_url: str) -> None:
    rows = served_rows(site_url)
    assert len(rows.body) == ROWS_AT_ONCE
    assert len(rows.body) + len(rows.waiting) == ACTIVE
    assert len(set(rows.body + rows.waiting)) == ACTIVE


def test_the_rest_comes_in_while_the_page_is_idle(page: Page, page_errors: PageErrors, site_url: str) -> None:
    rows = served_rows(site_url)
    page.goto("/")
    expect(page.locator('table[data-mlfolio-table="active"] template')).to_have_count(0)
    assert live(page) == rows.body + rows.waiting  # the page's order
    expect(page.locator(".mlfolio-filter-status")).to_have_text(f"Showing {ACTIVE + COPIES + 1} of {ACTIVE + COPIES + 1} projects")
    page_errors.assert_none()


def test_before_the_idle_moment_the_count_is_whole(open_page: Callable[..., Page], page_errors: PageErrors) -> None:
    page = open_page()
    page.add_init_script(BUSY)
    page.goto("/")
    expect(page.locator("form.mlfolio-filters")).to_be_visible()
    assert len(live(page)) == ROWS_AT_ONCE  # still waiting
    total = ACTIVE + COPIES + 1
    expect(page.locator(".mlfolio-filter-status")).to_have_text(f"Showing {total} of {total} projects")
    page_errors.assert_none()


def test_a_filter_reaches_the_rows_that_wait(open_page: Callable[..., Page], page_errors: PageErrors, site_url: str) -> None:
    rows = served_rows(site_url)
    stage = rows.stage[rows.waiting[-1]]  # a stage some waiting row has
    page = open_page()
    page.add_init_script(BUSY)
    page.goto("/")
    page.locator("select[name=stage]").select_option(stage)
    shown = page.locator('table[data-mlfolio-table="active"] tbody tr[data-id]:not([hidden])').evaluate_all(
        "rows => rows.map(r => r.dataset.id)")
    assert len(live(page)) == ACTIVE
    assert sorted(shown) == sorted(i for i in rows.body + rows.waiting if rows.stage[i] == stage)
    assert rows.waiting[-1] in shown
    page_errors.assert_none()


def test_a_link_with_a_filter_opens_on_every_row(open_page: Callable[..., Page], page_errors: PageErrors, site_url: str) -> None:
    development = sum(stage == "development" for stage in served_rows(site_url).stage.values())
    page = open_page()
    page.add_init_script(BUSY)
    page.goto("/?stage=development")
    expect(page.locator(".mlfolio-filter-status")).to_have_text(f"Showing {development} of {ACTIVE + COPIES + 1} projects")
    assert len(live(page)) == ACTIVE
    page_errors.assert_none()


def test_a_sort_orders_every_row(open_page: Callable[..., Page], page_errors: PageErrors) -> None:
    page = open_page()
    page.add_init_script(BUSY)
    page.goto("/")
    page.locator('table[data-mlfolio-table="active"] th[data-column="title"]').click()
    titles = page.locator('table[data-mlfolio-table="active"] tbody tr[data-id] td:first-child').evaluate_all("cells => cells.map(c => c.textContent)")
    assert len(titles) == ACTIVE
    assert len(set(titles)) == ACTIVE
    # In the order the page sorts text (localeCompare), checked in the page itself.
    assert page.evaluate("t => t.every((x, i) => i === 0 || t[i - 1].localeCompare(x, document.documentElement.lang, {sensitivity: 'base'}) <= 0)", titles)
    page_errors.assert_none()


def test_the_download_has_every_row(open_page: Callable[..., Page], page_errors: PageErrors, site_url: str) -> None:
    page = open_page(accept_downloads=True)
    page.add_init_script(BUSY)
    page.goto("/")
    expect(page.locator("form.mlfolio-filters")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this view (CSV)").click()
    with urllib.request.urlopen(site_url + "projects.csv", timeout=10) as response:  # noqa: S310 - the local test server
        whole = response.read()
    assert Path(download.value.path()).read_bytes() == whole
    assert len(list(csv.reader(io.StringIO(whole.decode("utf-8-sig"), newline="")))) == ACTIVE + COPIES + 2
    page_errors.assert_none()


def test_printing_brings_every_row(open_page: Callable[..., Page], page_errors: PageErrors) -> None:
    page = open_page()
    page.add_init_script(BUSY)
    page.goto("/")
    expect(page.locator("form.mlfolio-filters")).to_be_visible()
    assert len(live(page)) == ROWS_AT_ONCE
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert len(live(page)) == ACTIVE
    page_errors.assert_none()


def test_without_javascript_a_note_says_where_every_project_is(open_page: Callable[..., Page], page_errors: PageErrors) -> None:
    page = open_page(java_script_enabled=False)
    page.goto("/")
    expect(page.locator('table[data-mlfolio-table="active"] tbody tr')).to_have_count(ROWS_AT_ONCE)
    note = page.locator(".mlfolio-more-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"the first {ROWS_AT_ONCE} of these {ACTIVE} projects")
    for name in ("By team", "By stage", "projects.csv"):
        expect(note.get_by_role("link", name=name)).to_be_visible()
    page_errors.assert_none()
