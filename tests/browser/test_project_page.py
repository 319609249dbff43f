"""A project's one page in a real browser: its table of contents leads to every section, it
prints whole, it reads in dark mode, and it fits a phone.

Every test opens the site built from this checkout's ``projects/`` (see ``conftest.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, and says why
    expect = None

from conftest import SECTIONS

pytestmark = pytest.mark.browser

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from conftest import PageErrors

PROJECTS = ["house-prices", "crm-repurchase"]  # English, and Korean with an override
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def toc_links(page: Page) -> Locator:
    """The top-level entries of the table of contents beside the page."""
    return page.locator(".md-sidebar--secondary nav.md-nav--secondary > ul > li > a.md-nav__link")


# Contrast of each element's text with what is behind it (WCAG relative luminance),
# semi-transparent colours blended over the backgrounds beneath them.
CONTRAST_JS = """(selector) => {
  const parse = c => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(",").map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (fg, bg) => ({r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a),
                             b: fg.b * fg.a + bg.b * (1 - fg.a), a: 1});
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = {r: 255, g: 255, b: 255, a: 1};
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };
  const luminance = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const found = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length || !(el.textContent || "").trim()) continue;
    const bg = background(el);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const [a, b] = [luminance(fg), luminance(bg)];
    found.push({element: el.className || el.tagName.toLowerCase(), text: el.textContent.trim().slice(0, 30),
                ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
  }
  return found;
}"""
# Text a reader must read: badges, tags, the lifecycle steps, table cells and paragraphs.
READ_TEXT = (".mlfolio-badge, .mlfolio-tag, .mlfolio-step, .mlfolio-bar-label, article p, article td, article th, "
             "article li, article h2, article h3")


def overflowing_elements(page: Page) -> list[str]:
    """The innermost elements reaching past the right edge (outside scrolling boxes)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const sticksOut = el => el.getBoundingClientRect().right > width + 1;
            const scrolls = el => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
            const shown = el => {
                const style = getComputedStyle(el);
                return style.visibility !== "hidden" && style.opacity !== "0";
            };
            const found = [];
            for (const el of document.body.querySelectorAll("*")) {
                if (!sticksOut(el) || !shown(el) || [...el.children].some(sticksOut)) continue;
                let up = el.parentElement;
                while (up && !scrolls(up)) up = up.parentElement;
                if (up) continue;
                const name = el.tagName.toLowerCase();
                const cls = typeof el.className === "string" && el.className
                    ? "." + el.className.trim().split(/\\s+/).join(".") : "";
                const right = Math.round(el.getBoundingClientRect().right);
                const text = (el.textContent || "").trim().slice(0, 40);
                found.push(`${name}${cls} (right edge ${right}px) ${text}`);
            }
            return found.slice(0, 10);
        }"""
    )


# --------------------------------------------------------------------------------------------
# Table of contents


@pytest.mark.parametrize("slug", PROJECTS)
def test_table_of_contents_leads_to_every_section(page: Page, page_errors: PageErrors, slug: str) -> None:
    page.goto(f"/projects/{slug}/")
    links = toc_links(page)
    expect(links).to_have_count(len(SECTIONS))
    expect(links).to_have_text([title for _, title in SECTIONS])
    for ident, title in SECTIONS:
        links.filter(has_text=re.compile(rf"^\s*{re.escape(title)}\s*$")).click()
        expect(page).to_have_url(re.compile(rf"/projects/{slug}/#{ident}$"))
        heading = page.locator(f"article h2#{ident}")
        expect(heading).to_have_text(re.compile(rf"^{re.escape(title)}"))
        expect(heading).to_be_in_viewport()
    page_errors.assert_none()


def test_the_left_navigation_is_hidden_and_the_tabs_lead_back(page: Page, page_errors: PageErrors) -> None:
    """A project page is not in the navigation: the left column is hidden, the tabs remain."""
    page.goto("/projects/house-prices/")
    expect(page.locator(".md-sidebar--primary")).to_be_hidden()
    expect(page.locator(".md-sidebar--secondary")).to_be_visible()
    page.locator(".md-tabs").get_by_role("link", name="By team").click()
    expect(page).to_have_url(re.compile(r"/teams/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("By team")
    page_errors.assert_none()


def test_tags_and_team_lead_to_their_groups(page: Page, page_errors: PageErrors) -> None:
    page.goto("/projects/house-prices/")
    page.locator("article a.mlfolio-tag", has_text="real-estate").click()
    expect(page).to_have_url(re.compile(r"/tags/#real-estate$"))
    heading = page.locator("article h2#real-estate")
    expect(heading).to_be_in_viewport()
    expect(heading).to_have_text(re.compile(r"^real-estate \(\d+\)"))
    page.go_back()
    page.locator("article table").first.get_by_role("link", name="Applied ML", exact=True).click()
    expect(page).to_have_url(re.compile(r"/teams/#applied-ml$"))
    expect(page.locator("article h2#applied-ml")).to_be_in_viewport()
    page_errors.assert_none()


# --------------------------------------------------------------------------------------------
# Print


@pytest.mark.parametrize("slug", PROJECTS)
def test_printing_a_project_page_shows_every_section(page: Page, page_errors: PageErrors, slug: str) -> None:
    page.goto(f"/projects/{slug}/")
    page.emulate_media(media="print")
    for ident, title in SECTIONS:
        expect(page.locator(f"article h2#{ident}")).to_be_visible()
        expect(page.locator(f"article h2#{ident}")).to_have_text(re.compile(rf"^{re.escape(title)}"))
    # What a reader of paper cannot use is left out; what is folded on screen is unfolded.
    expect(page.locator(".md-sidebar--secondary")).to_be_hidden()
    expect(page.locator(".md-header")).to_be_hidden()
    expect(page.locator("article .headerlink").first).to_be_hidden()
    folded = page.locator("article details:not([open]) > :not(summary)")
    for n in range(folded.count()):
        expect(folded.nth(n)).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 3, f"{pages} printed pages: the page is cut short"
    page_errors.assert_none()


def test_the_folded_parts_of_a_page_are_unfolded_in_print(page: Page) -> None:
    """Guard for the test above: house-prices has a folded "Still missing" list."""
    page.goto("/projects/house-prices/")
    folded = page.locator("article details:not([open])")
    assert folded.count() >= 1
    expect(folded.first.locator(":scope > ul")).to_be_hidden()
    page.emulate_media(media="print")
    expect(folded.first.locator(":scope > ul")).to_be_visible()


# --------------------------------------------------------------------------------------------
# Dark mode


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", "/projects/crm-repurchase/", "/projects/address-search/", "/tags/"])
def test_text_keeps_its_contrast_in_both_colour_schemes(open_page: Callable[..., Page], page_errors: PageErrors,
                                                         scheme: str, path: str) -> None:
    page = open_page(color_scheme=scheme)
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate" if scheme == "dark" else "default")
    measured = page.evaluate(CONTRAST_JS, READ_TEXT)
    assert len(measured) > 20, "nothing measured"
    low = [f"{m['element']} {m['text']!r}: {m['ratio']:.2f}" for m in measured if m["ratio"] < 4.5]
    assert low == [], f"text below 4.5:1 contrast in the {scheme} scheme"
    page_errors.assert_none()


def test_the_colour_scheme_toggle_switches_and_is_remembered(page: Page, page_errors: PageErrors) -> None:
    page.goto("/projects/house-prices/")
    body = page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    badge = page.locator("article .mlfolio-verdict-recommended").first
    light = badge.evaluate("el => getComputedStyle(el).filter")
    page.locator("label.md-header__button[title='Switch to dark mode']").click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    assert badge.evaluate("el => getComputedStyle(el).filter") != light  # the badges follow the scheme
    page.goto("/")
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    page_errors.assert_none()


# --------------------------------------------------------------------------------------------
# Phone layout


@pytest.mark.parametrize(
    "path",
    ["/", "/projects/house-prices/", "/projects/crm-repurchase/", "/projects/feed-ranking/", "/tags/"],
    ids=["home", "project-en", "project-ko", "project-monitoring", "tags"],
)
def test_phone_layout_has_no_horizontal_overflow(
    open_page: Callable[..., Page], page_errors: PageErrors, tmp_path: Path, path: str
) -> None:
    page = open_page(**PHONE)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # A test artifact only (pytest keeps the last runs' tmp_path), never written to the repo.
    name = path.strip("/").replace("/", "-") or "home"
    page.screenshot(path=tmp_path / f"phone-{name}.png", full_page=True)

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"] + 1, (
        f"{path} is {width}px wide on a 390px phone; too wide: {overflowing_elements(page)}"
    )
    page_errors.assert_none()


def test_phone_reaches_the_sections_through_the_menu(open_page: Callable[..., Page], page_errors: PageErrors) -> None:
    """On a phone the table of contents is not beside the page: the menu must lead to the
    sections instead (as it does on the portfolio pages, whose menu holds their contents)."""
    page = open_page(**PHONE)
    page.goto("/teams/")
    page.locator("label.md-header__button[for='__drawer']").click()
    expect(page.locator(".md-sidebar--primary a.md-nav__link[href='#applied-ml']")).to_be_visible()  # how it looks there

    page.goto("/projects/crm-repurchase/")
    expect(page.locator(".md-sidebar--secondary")).to_be_hidden()
    page.locator("label.md-header__button[for='__drawer']").click()
    link = page.locator(".md-sidebar--primary a[href='#data']").first
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/projects/crm-repurchase/#data$"))
    expect(page.locator("article h2#data")).to_be_in_viewport()
    page_errors.assert_none()
