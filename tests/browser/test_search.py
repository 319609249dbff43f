"""The portfolio in a real browser: the site's search (Pagefind, in the theme's header box)
reaches a project's page and its sections, in English and Korean, from any page; filters
narrow the results; one result per project; and the tables sort.

Every test opens the site built from this checkout's ``projects/`` (see ``conftest.py``), with
every request to another host aborted: each search test also checks that none was made.
The queries come from the example specs: "officetel" from ``house-prices.yaml``, "재구매율" /
"쿠폰함" from ``crm-repurchase.yaml``, "recommender" from ``churn-recommender.yaml``.
"""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, and says why
    expect = None
    PlaywrightTimeoutError = TimeoutError  # never raised without Playwright


pytestmark = pytest.mark.browser

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from conftest import PageErrors

REPO = Path(__file__).resolve().parents[2]
HOUSE_PRICES = "Estimated sale price for home listings"
CRM_REPURCHASE = "CRM 쿠폰 타겟팅으로 재구매율 10% 높이기"
SEARCH_PAGE_SIZE = 10  # mlfolio-search.js: PAGE_SIZE, results shown at once
CHURN_RECOMMENDER = "Cut churn with a better “For you” recommender"


# --------------------------------------------------------------------------------------------
# Helpers


def search_input(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Search")


def results(page: Page) -> Locator:
    return page.locator(".md-search-result__item")


def search_result(page: Page, title: str) -> Locator:
    """The search result for the page titled ``title`` (its title is the result's heading)."""
    return page.locator(
        "a.md-search-result__link",
        has=page.get_by_role("heading", name=title, exact=True),
    )


def wait_for_results(page: Page) -> None:
    expect(page.locator(".md-search-result__meta")).to_have_text(
        re.compile(r"^\d+ matching documents?$")
    )
    expect(results(page).first).to_be_visible()
    # Results are listed one by one as their fragments arrive (a page at a time): wait until the
    # list holds every result the count announces, up to a page.
    page.wait_for_function(
        """(size) => {
            const meta = document.querySelector('.md-search-result__meta');
            const n = parseInt(meta ? meta.textContent : '', 10) || 0;
            return n > 0 && document.querySelectorAll('a.md-search-result__link').length >= Math.min(n, size);
        }""", arg=SEARCH_PAGE_SIZE)


def search_for(page: Page, query: str) -> None:
    """``query`` into the open search box, as one input event (as an IME gives Hangul)."""
    box = search_input(page)
    expect(box).to_be_focused()
    box.fill(query)  # one input event: no answer to a half-typed query can be mistaken for the answer
    wait_for_results(page)


def result_paths(page: Page) -> list[str]:
    hrefs = [a.get_attribute("href") or "" for a in page.locator("a.md-search-result__link").all()]
    return [h.split("#")[0] for h in hrefs]


def assert_no_outside_request(page_errors: PageErrors) -> None:
    assert page_errors.blocked == [], f"requests to other hosts: {page_errors.blocked}"


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
    return [text.strip() for text in table.locator("thead th").all_text_contents()].index(name)


def cells(table: Locator, index: int) -> Locator:
    """The body cells of one column (``index`` counts from 0)."""
    return table.locator(f"tbody tr > :nth-child({index + 1})")


def column(table: Locator, index: int) -> list[str]:
    """The column's texts, as written (the portfolio's rows off screen are not rendered until
    they come near, so their rendered text, innerText, is empty until then)."""
    return [text.strip() for text in cells(table, index).all_text_contents()]


# --------------------------------------------------------------------------------------------
# Search


def test_english_search_from_the_home_page_reaches_the_project_and_its_feasibility(page: Page, page_errors: PageErrors) -> None:
    page.goto("/")
    for title in (HOUSE_PRICES, CRM_REPURCHASE):  # the portfolio lists them
        expect(page.locator("article").get_by_role("link", name=title, exact=True).first).to_be_visible()

    # "/" is the theme's shortcut to the search box; typing sends real key events.
    page.keyboard.press("/")
    search_for(page, "officetel")
    expect(results(page)).to_have_count(1)
    result = search_result(page, HOUSE_PRICES)
    expect(result.locator("mark").first).to_have_text(re.compile(r"^officetel", re.I))
    result.click()

    expect(page).to_have_url(project_url("house-prices"))
    expect(page.get_by_role("heading", name=HOUSE_PRICES, level=1)).to_be_visible()
    follow_toc(page, "Feasibility")
    assert_feasibility_section(page, "house-prices", HOUSE_PRICES)
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_english_search_from_a_project_page_stems_and_ranks_the_title_first(page: Page, page_errors: PageErrors) -> None:
    """"recommendations" finds "recommender" (English stemming); the project with the word in
    its title comes before the pages that only mention it."""
    page.goto("/projects/crm-repurchase/")
    page.keyboard.press("s")
    search_for(page, "recommendations")
    expect(results(page).first.get_by_role("heading")).to_have_text(CHURN_RECOMMENDER)
    assert len(result_paths(page)) > 1
    results(page).first.locator("a").click()
    expect(page).to_have_url(project_url("churn-recommender"))
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_korean_search_from_a_project_page_reaches_the_project_and_its_feasibility(page: Page, page_errors: PageErrors) -> None:
    page.goto("/projects/house-prices/")
    search_input(page).click()
    search_for(page, "재구매율")
    search_result(page, CRM_REPURCHASE).click()

    expect(page).to_have_url(project_url("crm-repurchase"))
    expect(page.get_by_role("heading", name=CRM_REPURCHASE, level=1)).to_be_visible()
    follow_toc(page, "Feasibility")
    assert_feasibility_section(page, "crm-repurchase", CRM_REPURCHASE)
    # This spec's verdict is a reviewer's override of the computed one.
    override = in_section(page, "feasibility", ".admonition").filter(has_text="Reviewer override")
    expect(override).to_contain_text("Computed verdict: Proceed with caution → Recommended")
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


@pytest.mark.parametrize("query", ["쿠폰함", "쿠폰함은"])
def test_korean_search_matches_a_word_with_another_particle_and_reaches_its_section(
    page: Page, page_errors: PageErrors, query: str
) -> None:
    """The spec only says "쿠폰함에는": the bare noun, and the noun with another particle
    ("쿠폰함은"), reach it, in its section (Problem › Output use)."""
    page.goto("/")
    page.keyboard.press("/")
    search_for(page, query)
    result = page.locator('a.md-search-result__link[href$="/projects/crm-repurchase/#business-output"]')
    expect(result).to_have_count(1)
    expect(result.locator(".mlfolio-search-section")).to_have_text("Business context › Output use")
    expect(result.locator("mark").first).to_have_text("쿠폰함에는")
    result.click()
    expect(page).to_have_url(project_url("crm-repurchase", "business-output"))
    expect(page.get_by_role("heading", name="Output use")).to_be_in_viewport()
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_korean_search_matches_a_particle_attached_to_the_query(page: Page, page_errors: PageErrors) -> None:
    """"재구매율은" (with a particle) finds "재구매율을", "재구매율이", "재구매율"."""
    page.goto("/")
    page.keyboard.press("/")
    search_for(page, "재구매율은")
    result = search_result(page, CRM_REPURCHASE)
    expect(result).to_have_count(1)
    expect(result.locator("mark").first).to_have_text(re.compile("^재구매율"))
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_korean_search_matches_a_compound_by_its_part(page: Page, page_errors: PageErrors) -> None:
    """"구매율" is the end of "재구매율": the project is found, and the snippet marks the
    word the part belongs to (never the index's own words)."""
    page.goto("/projects/house-prices/")
    page.keyboard.press("/")
    search_for(page, "구매율")
    result = search_result(page, CRM_REPURCHASE)
    expect(result).to_have_count(1)
    expect(results(page).first.get_by_role("heading")).to_have_text(CRM_REPURCHASE)
    expect(result.locator("mark").first).to_contain_text("구매율")
    assert "`|" not in (result.inner_text())
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_korean_results_are_shown_composed(page: Page, page_errors: PageErrors) -> None:
    """The index holds Korean text decomposed (NFD: syllables as jamo, see search.py), so a
    result's title, section and snippet come back so: they are shown composed (NFC), as the
    pages write them, and a query typed decomposed finds the same."""
    page.goto("/projects/house-prices/")
    page.keyboard.press("/")
    search_for(page, "재구매율")
    # The premise: what Pagefind hands over is decomposed.
    raw = page.evaluate("""async () => {
        const pagefind = await import(new URL("pagefind/pagefind.js", document.baseURI.replace(/projects\\/.*$/, "")).href);
        const found = await pagefind.search("재구매율");
        const pages = await Promise.all(found.results.map(r => r.data()));
        return pages.find(p => p.url.endsWith("/projects/crm-repurchase/")).meta.title;
    }""")
    assert raw != unicodedata.normalize("NFC", raw), f"the index no longer holds Korean decomposed: {raw!r}"
    shown_words = [w for w in unicodedata.normalize("NFC", raw).split() if not w.startswith("`|")]  # less its index-only words
    assert " ".join(shown_words) == CRM_REPURCHASE
    result = search_result(page, CRM_REPURCHASE)
    expect(result).to_have_count(1)
    shown = result.evaluate("""a => ({
        title: a.querySelector("h1").textContent,
        texts: [...a.querySelectorAll("h1, p")].map(e => e.textContent),
        marks: [...a.querySelectorAll("mark")].map(e => e.textContent),
    })""")
    assert shown["title"] == CRM_REPURCHASE
    assert all(text == unicodedata.normalize("NFC", text) for text in shown["texts"]), shown["texts"]
    assert shown["marks"] and shown["marks"][0].startswith("재구매율"), shown["marks"]
    # Typed (or pasted) decomposed, the query finds the same project, its particle taken off.
    search_input(page).fill("")
    search_for(page, unicodedata.normalize("NFD", "재구매율은"))
    expect(search_result(page, CRM_REPURCHASE)).to_have_count(1)
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_search_starts_before_the_first_keystroke(page: Page, page_errors: PageErrors) -> None:
    """A page asks for Pagefind's script and WebAssembly while it loads and starts Pagefind when
    idle, so the first query finds it ready; each file is fetched once (the preloaded response
    is the one used), and only from the site."""
    page.goto("/projects/house-prices/")
    page.wait_for_function("""() => performance.getEntriesByType("resource").some(e => /\\/pagefind\\/pagefind\\.[^/]*pf_meta$/.test(e.name))""")
    fetched = page.evaluate("""() => performance.getEntriesByType("resource").map(e => new URL(e.name).pathname)""")
    for name in ("/pagefind/pagefind.js", "/pagefind/wasm.en.pagefind"):
        assert fetched.count(name) == 1, (name, fetched)
    assert sum(path.startswith("/pagefind/pagefind-entry.json") for path in fetched) == 1, fetched
    assert not [path for path in fetched if path.startswith(("/pagefind/fragment/", "/pagefind/index/"))], "nothing searched yet"
    expect(search_input(page)).not_to_be_focused()
    page.keyboard.press("/")
    search_for(page, "officetel")
    expect(results(page)).to_have_count(1)
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_search_recovers_when_pagefind_could_not_be_loaded_at_first(page: Page, page_errors: PageErrors) -> None:
    """Under `mkdocs serve` a page can come before its index: Pagefind's script is not there
    when the page starts it. Once it is, the box searches (the failure is not kept)."""
    index = {"written": False, "refused": 0}

    def until_written(route) -> None:
        if index["written"]:
            route.continue_()
        else:
            index["refused"] += 1
            route.fulfill(status=404, body="not yet")

    page.route("**/pagefind/pagefind.js*", until_written)
    page.goto("/projects/house-prices/")
    expect(page.locator(".md-search-result__meta")).to_have_text("The search index could not be loaded")
    assert index["refused"] >= 1
    index["written"] = True
    page.keyboard.press("/")
    search_for(page, "officetel")
    expect(results(page)).to_have_count(1)
    assert page_errors.messages and all("pagefind" in m or "index could not be loaded" in m for m in page_errors.messages), page_errors.messages
    assert_no_outside_request(page_errors)


def test_one_result_per_project(page: Page, page_errors: PageErrors) -> None:
    """"쿠폰" is in most sections of one project: it is one result, with one section."""
    page.goto("/")
    page.keyboard.press("/")
    search_for(page, "쿠폰")
    paths = result_paths(page)
    assert len(paths) == len(set(paths)), paths
    assert paths.count("/projects/crm-repurchase/") == 1, paths
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_filters_narrow_the_results(page: Page, page_errors: PageErrors) -> None:
    exported = json.loads(page.request.get("/projects.json").text())["projects"]
    page.goto("/")
    page.keyboard.press("/")
    search_for(page, "baseline")
    everything = result_paths(page)
    filters = page.locator(".mlfolio-search-filters")
    expect(filters).to_be_visible()
    for name in ("Stage", "Verdict", "Team", "Tags"):
        expect(filters.get_by_role("combobox", name=name)).to_be_visible()

    stage = filters.get_by_role("combobox", name="Stage")
    stage.select_option(value="Deployed")
    expect(page.locator(".md-search-result__meta")).not_to_have_text(f"{len(everything)} matching documents")
    wait_for_results(page)
    narrowed = result_paths(page)
    deployed = {f"/projects/{p['id']}/" for p in exported if p["spec"]["stage"] == "deployed"}
    assert set(narrowed) <= deployed and narrowed, (narrowed, deployed)
    assert len(narrowed) < len(everything)
    for facts in page.locator(".mlfolio-search-facets").all_inner_texts():
        assert facts.startswith("Deployed"), facts

    # Filters alone, no words: every project of a team.
    stage.select_option(value="")
    search_input(page).fill("")
    filters.get_by_role("combobox", name="Team").select_option(value="Applied ML")
    wait_for_results(page)
    applied = {f"/projects/{p['id']}/" for p in exported if p["spec"]["team"] == "Applied ML"}
    expect(results(page)).to_have_count(len(applied))
    assert set(result_paths(page)) == applied
    filters.get_by_role("combobox", name="Tags").select_option(value="real-estate")
    wait_for_results(page)
    assert result_paths(page) == ["/projects/house-prices/"]
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_keyboard_moves_through_results_and_escape_closes(page: Page, page_errors: PageErrors) -> None:
    page.goto("/tags/")
    page.keyboard.press("f")
    search_for(page, "forecast")
    first = page.locator("a.md-search-result__link").first
    page.keyboard.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(search_input(page)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#__search")).not_to_be_checked()
    expect(page.locator(".md-search__output")).to_have_css("opacity", "0")
    page.keyboard.press("/")
    expect(search_input(page)).to_be_focused()
    href = first.get_attribute("href") or ""
    page.keyboard.press("Enter")  # the first result
    expect(page).to_have_url(re.compile(re.escape(href.split("#")[0])))
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_search_in_dark_mode_uses_the_themes_colours(open_page, page_errors: PageErrors) -> None:
    page = open_page(color_scheme="dark")
    page.goto("/")
    page.keyboard.press("/")
    search_for(page, "officetel")
    colours = page.evaluate("""() => {
        const rgb = s => s.match(/\\d+/g).slice(0, 3).map(Number);
        const filter = getComputedStyle(document.querySelector('.mlfolio-search-filters select'));
        const title = getComputedStyle(document.querySelector('.md-search-result__article h1'));
        return {body: rgb(getComputedStyle(document.body).backgroundColor), select: rgb(filter.backgroundColor),
                text: rgb(title.color), scheme: document.body.getAttribute('data-md-color-scheme')};
    }""")
    assert colours["scheme"] == "slate"
    assert sum(colours["select"]) < 200 and colours["select"] == colours["body"], colours
    assert sum(colours["text"]) > 500, colours  # light text on the dark background
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


def test_search_on_a_phone(open_page, page_errors: PageErrors) -> None:
    page = open_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page.goto("/projects/house-prices/")
    button = page.locator("label.md-header__button[for='__search']")
    expect(button).to_be_visible()
    button.tap()
    box = search_input(page)
    expect(box).to_be_visible()
    expect(box).to_be_focused()
    box.fill("재구매율")
    wait_for_results(page)
    result = search_result(page, CRM_REPURCHASE)
    expect(result).to_be_visible()
    # The results can arrive while the full-screen search is still opening (a transition of the
    # theme's): what must hold is that, once open, a result fits the phone's width.
    fits = ("(el) => { const r = el.getBoundingClientRect();"
            " return r.left >= 0 && r.right <= document.documentElement.clientWidth + 1; }")
    with contextlib.suppress(PlaywrightTimeoutError):  # if it never fits, the assertion below says so, with the sizes
        page.wait_for_function(fits, arg=result.element_handle(), timeout=5000)
    width = page.evaluate("() => document.documentElement.clientWidth")
    box_size = result.bounding_box()
    assert box_size is not None and box_size["x"] >= 0 and box_size["x"] + box_size["width"] <= width + 1, (box_size, width)
    result.tap()
    expect(page).to_have_url(project_url("crm-repurchase"))
    page_errors.assert_none()
    assert_no_outside_request(page_errors)


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
    assert_no_outside_request(page_errors)  # no fonts, no Mermaid, no GitHub API
