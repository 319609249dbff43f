"""The portfolio home page in a real browser, as a lead uses it: filters that combine and narrow
the tables, a URL that keeps them (a reload, or a shared link, opens the same view), the bars
that open a filtered view, stage sorted in life-cycle order and verdict by severity, the CSV of
the current view, retired projects apart, a phone, and the page without JavaScript.

The site here has history: this module builds its own, from a copy of the checkout's inputs
committed to a throw-away repository (the examples on 2026-01-05, a stage moved back and forth
and a target changed later) with ``SOURCE_DATE_EPOCH`` at 2026-04-01, so some projects are stale.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, and says why
    expect = None

from examples_history import NOW, RETIRED, STALE, commit_history

from conftest import built_and_served, copy_inputs

pytestmark = pytest.mark.browser

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from conftest import PageErrors

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LIFE_CYCLE = ["problem_definition", "project_design", "baseline_prototype", "development", "deployed", "monitoring", "retired"]
SEVERITY = ["not_recommended", "proceed_with_caution", "undetermined", "recommended"]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portfolio with history, built with ``mkdocs build --strict`` and served on 127.0.0.1."""
    if shutil.which("git") is None:
        pytest.fail("the portfolio's browser tests need git, to give the site a history", pytrace=False)
    work = copy_inputs(tmp_path_factory.mktemp("portfolio-history"))
    commit_history(work)
    with built_and_served(work, "portfolio-history-http", SOURCE_DATE_EPOCH=NOW) as url:
        yield url


def shown(page: Page, table: str = "active") -> list[str]:
    """The ids of the rows a reader sees in a table, top to bottom."""
    return page.locator(f'table[data-mlfolio-table="{table}"] tbody tr[data-id]').evaluate_all(
        "rows => rows.filter(r => !r.hidden && r.offsetParent !== null).map(r => r.dataset.id)")


def every(page: Page, attribute: str) -> dict[str, str]:
    """id -> the attribute, for every project row (shown or not)."""
    return page.locator("tr[data-id]").evaluate_all(f"rows => Object.fromEntries(rows.map(r => [r.dataset.id, r.getAttribute('{attribute}')]))")


def open_home(page: Page, query: str = "") -> None:
    page.goto("/" + query)
    expect(page.locator("form.mlfolio-filters")).to_be_visible()


def fetch(site_url: str, path: str) -> bytes:
    with urllib.request.urlopen(site_url + path, timeout=10) as response:  # noqa: S310 - the local test server
        return response.read()


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --------------------------------------------------------------------------------------------
# Filters and the URL


def test_filters_combine_and_narrow_the_tables(page: Page, page_errors: PageErrors) -> None:
    open_home(page)
    everything = shown(page)
    assert len(everything) == 7 and RETIRED not in everything
    page.select_option("select[name=stage]", "project_design")
    assert shown(page) == ["face-filter", "stock-price-forecast"]
    assert shown(page, "retired") == []
    expect(page.locator('table[data-mlfolio-table="retired"] tr.mlfolio-no-match')).to_be_visible()
    page.select_option("select[name=verdict]", "not_recommended")
    assert shown(page) == ["stock-price-forecast"]
    expect(page.locator(".mlfolio-filter-status")).to_have_text("Showing 1 of 8 projects")
    page.select_option("select[name=team]", "personalization")
    assert shown(page) == []
    expect(page.locator('table[data-mlfolio-table="active"] tr.mlfolio-no-match')).to_have_text("No project matches.")
    page.get_by_role("button", name="Clear filters").click()
    assert shown(page) == everything and shown(page, "retired") == [RETIRED]
    expect(page.locator("tr.mlfolio-no-match")).to_have_count(0)
    page_errors.assert_none()


def test_the_url_keeps_the_filters_and_a_reload_restores_them(page: Page, page_errors: PageErrors) -> None:
    open_home(page)
    page.select_option("select[name=status]", "stale")
    page.select_option("select[name=team]", "applied ml")
    assert page.url.endswith("/?team=applied+ml&status=stale")
    assert shown(page) == ["face-filter", "stock-price-forecast"]
    page.reload()
    expect(page.locator("select[name=status]")).to_have_value("stale")
    expect(page.locator("select[name=team]")).to_have_value("applied ml")
    assert shown(page) == ["face-filter", "stock-price-forecast"]
    page.get_by_role("button", name="Clear filters").click()
    assert page.url.endswith("/") and "?" not in page.url
    page_errors.assert_none()


@pytest.mark.parametrize(("query", "attribute", "value"), [
    ("?status=stale", "data-status", "stale"),
    ("?status=off_track", "data-status", "off_track"),
    ("?owner=jung+soo-ah", "data-owners", "jung soo-ah"),
    ("?tag=not-ml", "data-tags", "not-ml"),
])
def test_a_shared_link_opens_the_filtered_view(page: Page, page_errors: PageErrors, query: str, attribute: str, value: str) -> None:
    open_home(page, query)
    expected = sorted(pid for pid, v in every(page, attribute).items() if value in (v or ""))
    assert expected, f"no project has {value!r}: nothing to check"
    assert sorted(shown(page) + shown(page, "retired")) == expected
    if query == "?status=stale":
        assert expected == STALE
    page_errors.assert_none()


def test_what_the_page_does_not_know_is_dropped_from_the_url(page: Page, page_errors: PageErrors) -> None:
    open_home(page, "?stage=nowhere&verdict=recommended&colour=blue")
    expect(page.locator("select[name=stage]")).to_have_value("")
    assert page.url.endswith("/?verdict=recommended")
    assert sorted(shown(page)) == sorted(pid for pid, v in every(page, "data-verdict").items() if v == "recommended")
    page_errors.assert_none()


def test_the_bars_open_the_filtered_view(page: Page, page_errors: PageErrors) -> None:
    open_home(page)
    page.locator("a.mlfolio-bar", has_text="Development").click()
    expect(page).to_have_url(re.compile(r"/\?stage=development#all-projects$"))
    expect(page.locator("select[name=stage]")).to_have_value("development")
    assert shown(page) == ["churn-recommender"]
    page.locator("a.mlfolio-bar", has_text="Not recommended").click()
    expect(page.locator("select[name=stage]")).to_have_value("")
    expect(page.locator("select[name=verdict]")).to_have_value("not_recommended")
    assert sorted(shown(page) + shown(page, "retired")) == [RETIRED, "stock-price-forecast"]
    page_errors.assert_none()


def test_retired_projects_are_apart(page: Page, page_errors: PageErrors) -> None:
    open_home(page, "?stage=retired")
    assert shown(page) == []
    assert shown(page, "retired") == [RETIRED]
    page.locator("a.mlfolio-bar", has_text="Retired").click()
    expect(page.locator("select[name=stage]")).to_have_value("retired")
    page_errors.assert_none()


# --------------------------------------------------------------------------------------------
# Sorting


def test_stage_sorts_in_life_cycle_order_and_verdict_by_severity(page: Page, page_errors: PageErrors) -> None:
    open_home(page)
    stage = page.locator('table[data-mlfolio-table="active"] th[data-column="stage"]')
    stage.click()
    expect(stage).to_have_attribute("aria-sort", "ascending")
    stages = every(page, "data-stage")
    order = [stages[pid] for pid in shown(page)]
    assert order == sorted(order, key=LIFE_CYCLE.index), order
    assert order != sorted(order), "alphabetical order would look the same: nothing checked"
    stage.click()
    expect(stage).to_have_attribute("aria-sort", "descending")
    assert [stages[pid] for pid in shown(page)] == sorted(order, key=LIFE_CYCLE.index, reverse=True)

    verdict = page.locator('table[data-mlfolio-table="active"] th[data-column="verdict"]')
    verdict.focus()
    page.keyboard.press("Enter")
    expect(verdict).to_have_attribute("aria-sort", "ascending")
    verdicts = every(page, "data-verdict")
    order = [verdicts[pid] for pid in shown(page)]
    assert order == sorted(order, key=SEVERITY.index) and order[0] == "not_recommended", order
    assert page.url.endswith("?sort=verdict")
    page.reload()
    assert [verdicts[pid] for pid in shown(page)] == order
    expect(verdict).to_have_attribute("aria-sort", "ascending")
    page_errors.assert_none()


def test_sorting_keeps_the_filter(page: Page, page_errors: PageErrors) -> None:
    open_home(page, "?team=applied+ml")
    page.locator('table[data-mlfolio-table="active"] th[data-column="last_changed"]').click()
    assert shown(page)[-1] == "house-prices"  # changed last
    assert sorted(shown(page)) == ["face-filter", "house-prices", "stock-price-forecast"]
    assert page.url.endswith("?team=applied+ml&sort=last_changed")
    page_errors.assert_none()


# --------------------------------------------------------------------------------------------
# CSV


def test_the_csv_of_the_current_view(open_page: Callable[..., Page], page_errors: PageErrors, site_url: str) -> None:
    page = open_page(accept_downloads=True)
    full = csv_rows(fetch(site_url, "projects.csv"))
    by_id = {row[0]: row for row in full[1:]}
    open_home(page, "?status=stale&sort=-stage")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this view (CSV)").click()
    assert download.value.suggested_filename == "projects-view.csv"
    data = Path(download.value.path()).read_bytes()
    assert b"\r\n" in data
    rows = csv_rows(data)
    assert rows[0] == full[0]
    # The rows shown, in the order shown (project design before problem definition; ties as listed).
    assert [r[0] for r in rows[1:]] == shown(page) == ["face-filter", "stock-price-forecast", "support-ticket-routing"]
    assert rows[1:] == [by_id[r[0]] for r in rows[1:]]
    page_errors.assert_none()


def test_the_csv_of_the_whole_portfolio_is_projects_csv(open_page: Callable[..., Page], page_errors: PageErrors, site_url: str) -> None:
    page = open_page(accept_downloads=True)
    open_home(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this view (CSV)").click()
    assert Path(download.value.path()).read_bytes() == fetch(site_url, "projects.csv")
    page_errors.assert_none()


# --------------------------------------------------------------------------------------------
# A phone, and no JavaScript


def test_the_filters_on_a_phone(open_page: Callable[..., Page], page_errors: PageErrors) -> None:
    page = open_page(**PHONE)
    open_home(page)
    width = page.evaluate("window.innerWidth")
    form = page.locator("form.mlfolio-filters").bounding_box()
    assert form is not None and form["x"] >= 0 and form["x"] + form["width"] <= width + 1
    for select in page.locator("form.mlfolio-filters select").all():
        box = select.bounding_box()
        assert box is not None and box["height"] >= 40 * 0.9 and box["x"] + box["width"] <= width + 1  # a finger's size
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    page.locator("select[name=stage]").select_option("project_design")
    assert shown(page) == ["face-filter", "stock-price-forecast"]
    page_errors.assert_none()


def test_without_javascript_the_tables_are_plain(open_page: Callable[..., Page], page_errors: PageErrors) -> None:
    page = open_page(java_script_enabled=False)
    page.goto("/?stage=development")
    expect(page.locator("form.mlfolio-filters")).to_have_count(0)
    expect(page.locator('table[data-mlfolio-table="active"] tbody tr')).to_have_count(7)
    expect(page.locator('table[data-mlfolio-table="retired"] tbody tr')).to_have_count(1)
    expect(page.get_by_role("link", name="projects.csv")).to_be_visible()
    expect(page.locator("span.mlfolio-stale").first).to_be_visible()
    page_errors.assert_none()


def test_a_project_page_shows_its_history(page: Page, page_errors: PageErrors) -> None:
    page.goto("/projects/house-prices/")
    history = page.locator("ol.mlfolio-history > li")
    expect(history).to_have_count(4)
    expect(history.first).to_contain_text("2026-03-20")
    expect(history.first).to_contain_text("Stage: Project design → Baseline & prototype (forward)")
    expect(history.last).to_contain_text("Created at Baseline & prototype")
    page.get_by_role("link", name="History ↓").click()
    expect(page.locator("h2#history")).to_be_in_viewport()
    page_errors.assert_none()
