"""The portfolio in a real browser: search reaches a project's page and its sections, and the
tables sort.

Every test opens the site built from this checkout's ``projects/`` (see ``conftest.py``).
The queries come from the example specs: "officetel" from ``house-prices.yaml`` and
"재구매율" / "쿠폰함" from ``crm-repurchase.yaml``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, and says why
    expect = None


pytestmark = pytest.mark.browser

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from conftest import PageErrors

REPO = Path(__file__).resolve().parents[2]
HOUSE_PRICES = "Estimated sale price for home listings"
CRM_REPURCHASE = "CRM 쿠폰 타겟팅으로 재구매율 10% 높이기"


# --------------------------------------------------------------------------------------------
# Helpers


def search_input(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Search")


def search_result(page: Page, title: str) -> Locator:
    """The search result for the page titled ``title`` (its title is the result's heading)."""
    return page.locator(
        "a.md-search-result__link",
        has=page.get_by_role("heading", name=title, exact=True),
    ).first


def wait_for_results(page: Page) -> None:
    expect(page.locator(".md-search-result__meta")).to_have_text(
        re.compile(r"^\d+ matching documents?$")
    )


def table_of_contents(page: Page) -> Locator:
    """The table of contents beside the page (Material's right-hand sidebar)."""
    return page.locator(".md-sidebar--secondary nav.md-nav--secondary")


def follow_toc(page: Page, title: str) -> None:
    """Follow one top-level entry of the table of contents."""
    toc = table_of_contents(page)
    toc.locator(":scope > ul > li > a.md-nav__link").filter(has_text=re.compile(rf"^\s*{re.escape(title)}\s*$")).click()


def project_url(slug: str, fragment: str = "") -> re.Pattern[str]:
    """The URL of a project's page, with or without Material's ``?h=`` highlight query."""
    path = f"/projects/{slug}/"
    return re.compile(re.escape(path) + r"(\?h=[^#]*)?" + (f"#{re.escape(fragment)}" if fragment else "") + "$")


def in_section(page: Page, ident: str, selector: str) -> Locator:
    """Elements matching ``selector`` in a project page's section: after its ``<h2 id=ident>``,
    before the next ``<h2>`` (Material wraps tables in <div>s, so nested ones count too)."""
    after = f"article > h2#{ident} ~ :not(h2):not(article > h2#{ident} ~ h2 ~ *)"
    return page.locator(f"{after}:is({selector}), {after} :is({selector})")


def assert_feasibility_section(page: Page, slug: str, title: str) -> None:
    expect(page).to_have_url(project_url(slug, "feasibility"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    heading = page.locator("article h2#feasibility")
    expect(heading).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Verdict: Recommended", level=3)).to_be_attached()
    for group in ("Reasons for ML", "Reasons against ML", "Risks"):
        expect(page.get_by_role("heading", name=group, level=3)).to_be_visible()
    criteria = in_section(page, "feasibility", "table").filter(
        has=page.get_by_role("columnheader", name="Criterion", exact=True)
    )
    expect(criteria).to_have_count(3)  # reasons for, reasons against, risks
    first = criteria.first
    for header in ("Criterion", "Answer", "Evidence"):
        expect(first.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    expect(first.get_by_role("row").filter(has_text="Learnable pattern")).to_have_count(1)
    expect(in_section(page, "feasibility", ".mlfolio-answer-yes").first).to_have_text("Yes")
    # Nothing of the next section counts as this one's.
    expect(in_section(page, "feasibility", "h3#metrics")).to_have_count(0)
    expect(in_section(page, "goals", "h3#metrics")).to_have_count(1)


def table_with_header(page: Page, name: str) -> Locator:
    return page.locator("article table").filter(has=page.locator("thead th", has_text=name)).first


def header_index(table: Locator, name: str) -> int:
    return [text.strip() for text in table.locator("thead th").all_inner_texts()].index(name)


def cells(table: Locator, index: int) -> Locator:
    """The body cells of one column (``index`` counts from 0)."""
    return table.locator(f"tbody tr > :nth-child({index + 1})")


def column(table: Locator, index: int) -> list[str]:
    return [text.strip() for text in cells(table, index).all_inner_texts()]


# --------------------------------------------------------------------------------------------
# Search


def test_english_search_reaches_the_project_and_its_feasibility(page: Page, page_errors: PageErrors) -> None:
    page.goto("/")
    specs = len(list((REPO / "projects").glob("*.yaml")))
    expect(page.get_by_role("heading", name=f"All projects ({specs})")).to_be_visible()
    portfolio = table_with_header(page, "Title")
    expect(portfolio.locator("tbody tr")).to_have_count(specs)
    for title in (HOUSE_PRICES, CRM_REPURCHASE):
        expect(portfolio.get_by_role("link", name=title, exact=True)).to_be_visible()

    # "/" is Material's shortcut to the search box; typing sends real key events.
    page.keyboard.press("/")
    expect(search_input(page)).to_be_focused()
    page.keyboard.type("officetel")
    wait_for_results(page)
    search_result(page, HOUSE_PRICES).click()

    expect(page).to_have_url(project_url("house-prices"))
    expect(page.get_by_role("heading", name=HOUSE_PRICES, level=1)).to_be_visible()
    follow_toc(page, "Feasibility")
    assert_feasibility_section(page, "house-prices", HOUSE_PRICES)
    page_errors.assert_none()


def test_korean_search_reaches_the_project_and_its_feasibility(page: Page, page_errors: PageErrors) -> None:
    page.goto("/")
    box = search_input(page)
    box.click()
    # fill() of Hangul sends no key event, and Material searches on key events: press a key.
    box.fill("재구매율")
    box.press("End")
    wait_for_results(page)
    search_result(page, CRM_REPURCHASE).click()

    expect(page).to_have_url(project_url("crm-repurchase"))
    expect(page.get_by_role("heading", name=CRM_REPURCHASE, level=1)).to_be_visible()
    follow_toc(page, "Feasibility")
    assert_feasibility_section(page, "crm-repurchase", CRM_REPURCHASE)
    # This spec's verdict is a reviewer's override of the computed one.
    override = in_section(page, "feasibility", ".admonition").filter(has_text="Reviewer override")
    expect(override).to_contain_text("Computed verdict: Proceed with caution → Recommended")
    page_errors.assert_none()


def test_korean_search_finds_a_word_with_a_particle_attached(
    page: Page, page_errors: PageErrors
) -> None:
    """The spec only says "쿠폰함에는": searching the bare noun "쿠폰함" must find it."""
    page.goto("/")
    box = search_input(page)
    box.click()
    box.fill("쿠폰함")
    box.press("End")
    wait_for_results(page)
    result = page.locator(
        '.md-search-result a[href*="/projects/crm-repurchase/"][href$="#business-output"]'
    ).first
    expect(result).to_contain_text("쿠폰함")
    result.click()
    expect(page).to_have_url(project_url("crm-repurchase", "business-output"))
    expect(page.get_by_role("heading", name="Output use")).to_be_in_viewport()
    page_errors.assert_none()


# --------------------------------------------------------------------------------------------
# Sorting (assets/mlfolio/mlfolio.js)


def test_sorting_the_portfolio_table(page: Page, page_errors: PageErrors) -> None:
    page.goto("/")
    table = table_with_header(page, "Title")
    # Headers by position: once sorted, a header's text gains a CSS arrow ("Title ▲").
    title_at, updated_at = header_index(table, "Title"), header_index(table, "Updated")
    title_header = table.locator("thead th").nth(title_at)
    updated_header = table.locator("thead th").nth(updated_at)

    before = column(table, title_at)
    rows_before = set(zip(before, column(table, updated_at), strict=True))
    # The script compares lower-cased text with localeCompare: ask the browser for that order.
    ascending = page.evaluate(
        "titles => [...titles].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))",
        before,
    )
    assert ascending != before, "the table is already sorted by title: nothing to check"

    title_header.click()
    expect(title_header).to_have_attribute("aria-sort", "ascending")
    expect(cells(table, title_at)).to_have_text(ascending)

    title_header.click()
    expect(title_header).to_have_attribute("aria-sort", "descending")
    expect(cells(table, title_at)).to_have_text(ascending[::-1])

    # Headers are keyboard-operable too; sorting moves whole rows.
    updated_header.focus()
    page.keyboard.press("Enter")
    expect(updated_header).to_have_attribute("aria-sort", "ascending")
    expect(title_header).not_to_have_attribute("aria-sort", re.compile(".*"))
    dates = column(table, updated_at)
    assert dates == sorted(dates), dates
    assert set(zip(column(table, title_at), dates, strict=True)) == rows_before
    page_errors.assert_none()


def test_sorting_numbers_numerically(page: Page, page_errors: PageErrors) -> None:
    """Monitor thresholds 19, 4, 0.5, 0.74: as text "19" would come before "4"."""
    page.goto("/projects/crm-repurchase/")
    table = table_with_header(page, "Threshold")
    index = header_index(table, "Threshold")
    header = table.locator("thead th").nth(index)
    values = column(table, index)
    numeric = sorted(values, key=float)
    assert numeric != sorted(values), f"{values} sort the same as text and as numbers"

    header.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(cells(table, index)).to_have_text(numeric)
    page_errors.assert_none()


# --------------------------------------------------------------------------------------------
# Console


def test_no_console_errors_on_any_kind_of_page(page: Page, page_errors: PageErrors) -> None:
    """Every kind of page loads without errors, and the sort script is active on its tables."""
    for path in ("/", "/teams/", "/stages/", "/tags/", "/verdicts/", "/guide/", "/guide-ko/", "/reference/"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto("/")
    expect(page.locator("article th[data-mlfolio-sort]").first).to_be_attached()
    for slug in ("crm-repurchase", "house-prices", "support-ticket-routing"):
        page.goto(f"/projects/{slug}/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator("article th[data-mlfolio-sort]").first).to_be_attached()
    page_errors.assert_none()
