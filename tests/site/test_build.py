"""The portfolio as built by MkDocs from the example specs: pages, links, navigation, search,
``projects.json``, edit links, verdicts and tags.

Everything here reads the one site built for the session (``site_build`` in conftest.py),
except the navigation test without a ``nav:``, which builds its own copy.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config

from mlfolio.pages.labels import Labels
from mlfolio.spec.loader import load_file
from mlfolio.spec.schema import load_schema
from mlfolio.analysis.verdict import DEFAULT_RULES, criteria, parse_rules

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_IDS = tuple(sorted(p.stem for p in (REPO / "projects").glob("*.yaml")))
PROJECT_PAGES = ("", "problem/", "feasibility/", "goals/", "constraints/", "data/", "deployment/")
EN = Labels("en")


@cache
def spec(project_id: str) -> dict[str, Any]:
    data = load_file(REPO / "projects" / f"{project_id}.yaml").data
    assert isinstance(data, dict), project_id
    return data


@cache
def schema():
    return load_schema(REPO / "schemas" / "project.schema.json")


@pytest.fixture(scope="module")
def exported(site: Path) -> dict[str, Any]:
    return json.loads((site / "projects.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records(exported: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in exported["projects"]}


@pytest.fixture(scope="module")
def site_config(site_build):
    """The MkDocs configuration the shared site was built from (plugins loaded, not run)."""
    return load_config(str(site_build.root / "mkdocs.yml"))


def nav_pages(nav: list[Any]) -> list[str]:
    """The Markdown files an explicit ``nav`` lists, in order."""
    out: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            out.extend(nav_pages(value))
        elif isinstance(value, str) and not re.match(r"[a-z]+://", value):
            out.append(value)
    return out


def url_of(md: str) -> str:
    """The directory URL of a Markdown source: ``teams.md`` -> ``teams/``, ``index.md`` -> ``""``."""
    if md == "index.md":
        return ""
    if md.endswith("/index.md"):
        return md[: -len("index.md")]
    return md[: -len(".md")] + "/"


def rows(table) -> list[list[Any]]:
    """The body rows of a parsed table, as lists of cells."""
    return [tr.find_all("td") for tr in table.find_all("tr") if tr.find_all("td")]


# --------------------------------------------------------------------------------------------
# Pages and links
# --------------------------------------------------------------------------------------------


def test_the_examples_are_there() -> None:
    assert len(EXAMPLE_IDS) >= 6
    for required in ("house-prices", "crm-repurchase", "address-search", "stock-price-forecast"):
        assert required in EXAMPLE_IDS


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_every_project_has_its_seven_pages(site: Path, project_id: str) -> None:
    missing = [p for p in PROJECT_PAGES if not (site / "projects" / project_id / p / "index.html").is_file()]
    assert missing == []


def test_no_yaml_spec_is_copied_into_the_site(site: Path) -> None:
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.y*ml")) == []


def test_home_lists_every_project_with_a_working_link(site, page, content, link_target) -> None:
    home = content(page(""))
    links = {a.words(): a.attrs.get("href") for table in home.find_all("table") for a in table.find_all("a")}
    for project_id in EXAMPLE_IDS:
        title = " ".join(spec(project_id)["title"].split())
        assert title in links, f"{project_id}: title {title!r} is not linked from the home page table"
        target = link_target(site, "", links[title])
        assert target == site / "projects" / project_id / "index.html", (project_id, links[title])


@pytest.mark.parametrize("listing", ["teams/", "stages/"])
def test_group_pages_link_every_project(site, page, content, link_target, listing: str) -> None:
    body = content(page(listing))
    targets = {link_target(site, listing, a.attrs.get("href") or "") for a in body.find_all("a")}
    for project_id in EXAMPLE_IDS:
        assert site / "projects" / project_id / "index.html" in targets, project_id


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_project_tabs_link_the_seven_pages(site, page, link_target, project_id: str) -> None:
    for here in PROJECT_PAGES:
        url = f"projects/{project_id}/{here}"
        tabs = page(url).find("nav", "mlfolio-tabs")
        assert tabs is not None, url
        targets = {link_target(site, url, a.attrs["href"]) for a in tabs.find_all("a")}
        expected = {site / "projects" / project_id / p / "index.html" for p in PROJECT_PAGES if p != here}
        assert targets == expected, url
        current = tabs.find("strong", **{"aria-current": "page"})
        assert current is not None, url


def test_every_internal_link_of_every_page_resolves(site: Path, html, link_target) -> None:
    broken = []
    # 404.html is served at any depth, so MkDocs writes its links from the site root (site_url).
    for path in sorted(p for p in site.rglob("*.html") if p.name != "404.html"):
        url = path.relative_to(site).as_posix()
        url = url[: -len("index.html")] if url.endswith("index.html") else url
        for a in html(path).find_all("a"):
            href = a.attrs.get("href")
            if not href or href.startswith(("#", "mailto:")) or re.match(r"[a-z]+:", href):
                continue
            if link_target(site, url, href) is None:
                broken.append(f"{url}: {href}")
    assert broken == []


# --------------------------------------------------------------------------------------------
# Navigation: the portfolio pages, never the project pages
# --------------------------------------------------------------------------------------------


def nav_targets(site: Path, page_root, url: str, link_target) -> dict[str, set[Path]]:
    found: dict[str, set[Path]] = {}
    for name, tag, cls in (("sidebar", "nav", "md-nav--primary"), ("tabs", "nav", "md-tabs")):
        navs = page_root.find_all(tag, cls)
        assert navs, f"{url}: no {name} navigation"
        hrefs = [a.attrs.get("href") or "" for nav in navs for a in nav.find_all("a")]
        found[name] = {t for t in (link_target(site, url, h) for h in hrefs if not h.startswith("#")) if t}
    return found


def assert_short_navigation(site: Path, found: dict[str, set[Path]], expected: list[str]) -> None:
    project_dir = site / "projects"
    for name, targets in found.items():
        inside = sorted(str(t.relative_to(site)) for t in targets if project_dir in t.parents)
        assert inside == [], f"{name} navigation lists project pages"
    assert {site / url / "index.html" for url in expected} <= found["sidebar"]
    core = {site / url / "index.html" for url in ("", "teams/", "stages/", "tags/", "verdicts/")}
    assert core <= found["tabs"]


@pytest.mark.parametrize("url", ["teams/", "projects/house-prices/", "projects/crm-repurchase/feasibility/"])
def test_navigation_lists_portfolio_pages_and_no_project_page(site, page, link_target, site_config, url: str) -> None:
    expected = [url_of(md) for md in nav_pages(site_config.nav)]
    for core in ("", "teams/", "stages/", "tags/", "verdicts/"):
        assert core in expected, f"mkdocs.yml nav no longer lists {core or 'index'}"
    assert_short_navigation(site, nav_targets(site, page(url), url, link_target), expected)


def test_navigation_without_explicit_nav_still_leaves_project_pages_out(site_copy: Path, build_site, html, link_target) -> None:
    """A site that drops `nav:` gets MkDocs' automatic navigation; project pages stay out of it."""
    config = site_copy / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("nav:"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() and not lines[i][0].isspace())
    config.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    result = build_site(site_copy)
    assert result.error is None and result.logged() == [], result.logged()
    site = result.site
    for url in ("teams/", "projects/house-prices/", "projects/house-prices/data/"):
        found = nav_targets(site, html(result.file(url)), url, link_target)
        assert_short_navigation(site, found, ["", "teams/", "stages/", "tags/", "verdicts/"])


# --------------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------------

# A word from each spec's own text; if a spec is rewritten, pick another word from it.
SEARCH_WORDS = (
    ("house-prices", "officetel"),  # English (summary)
    ("crm-repurchase", "업리프트"),  # Korean (uplift, throughout the problem and data pages)
)


@pytest.mark.parametrize(("project_id", "word"), SEARCH_WORDS)
def test_search_index_holds_spec_text_under_its_project(site: Path, project_id: str, word: str) -> None:
    assert word in (REPO / "projects" / f"{project_id}.yaml").read_text(encoding="utf-8"), "pick a word the spec uses"
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    hits = [d["location"] for d in index["docs"] if word in d["text"] or word in d["title"]]
    assert any(h.startswith(f"projects/{project_id}/") for h in hits), hits
    # Elsewhere only on portfolio pages (a tag on the tags page), never in another project.
    assert [h for h in hits if h.startswith("projects/") and not h.startswith(f"projects/{project_id}/")] == []


# --------------------------------------------------------------------------------------------
# projects.json
# --------------------------------------------------------------------------------------------


def test_projects_json_lists_every_project_with_verdict_readiness_and_spec(site: Path, exported, records, link_target) -> None:
    assert isinstance(exported.get("version"), int)
    assert [p["id"] for p in exported["projects"]] == list(EXAMPLE_IDS)
    for project_id, record in records.items():
        verdict = record["verdict"]
        assert verdict["final"] in ("recommended", "proceed_with_caution", "not_recommended", "undetermined")
        assert verdict["computed"] in ("recommended", "proceed_with_caution", "not_recommended", "undetermined")
        assert isinstance(verdict["decided_by"], list)
        for hit in verdict["decided_by"]:
            assert set(hit) == {"criterion", "answer"}, hit
        assert isinstance(record["readiness"]["percent"], int)
        assert 0 <= record["readiness"]["percent"] <= 100
        assert record["spec"] == spec(project_id)
        assert record["source"] == f"projects/{project_id}.yaml"
        assert link_target(site, "", record["url"]) == site / "projects" / project_id / "index.html", record["url"]


@pytest.mark.parametrize(("project_id", "final"), [
    ("address-search", "not_recommended"),
    ("stock-price-forecast", "not_recommended"),
    ("house-prices", "recommended"),
])
def test_projects_json_verdicts_of_the_examples(records, project_id: str, final: str) -> None:
    assert records[project_id]["verdict"]["final"] == final
    assert records[project_id]["verdict"]["computed"] == final


def test_projects_json_keeps_the_computed_verdict_beside_an_override(records) -> None:
    verdict = records["crm-repurchase"]["verdict"]
    assert (verdict["computed"], verdict["final"]) == ("proceed_with_caution", "recommended")
    assert verdict["override"]["verdict"] == "recommended"
    assert verdict["override"]["reviewer"] == spec("crm-repurchase")["feasibility"]["override"]["reviewer"]


# --------------------------------------------------------------------------------------------
# Edit links
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_project_pages_edit_their_spec(page, project_id: str) -> None:
    for here in PROJECT_PAGES:
        edits = page(f"projects/{project_id}/{here}").find_all("a", rel="edit")
        assert len(edits) == 1, here
        assert edits[0].attrs["href"].endswith(f"/edit/main/projects/{project_id}.yaml"), edits[0].attrs["href"]


@pytest.mark.parametrize("url", ["", "teams/", "stages/", "tags/", "verdicts/"])
def test_portfolio_pages_have_no_edit_link(page, url: str) -> None:
    """They are generated from every spec at once: there is no one file to edit."""
    assert page(url).find_all("a", rel="edit") == []


# --------------------------------------------------------------------------------------------
# Feasibility and verdicts
# --------------------------------------------------------------------------------------------


def criterion_rows(body) -> dict[str, tuple[Any, ...]]:
    """Criterion title -> its table cells, from the three criteria tables of a feasibility page."""
    found: dict[str, tuple[Any, ...]] = {}
    for table in body.find_all("table"):
        for cells in rows(table):
            title = cells[0].words().replace("◆", "").strip()
            found[title] = tuple(cells)
    return found


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_feasibility_page_shows_every_criterion_and_marks_the_deciding_ones(page, content, records, project_id: str) -> None:
    body = content(page(f"projects/{project_id}/feasibility/"))
    table = criterion_rows(body)
    decided = {hit["criterion"] for hit in records[project_id]["verdict"]["decided_by"]}
    feasibility = spec(project_id).get("feasibility") or {}
    for criterion in criteria(schema()):
        assert criterion.title in table, f"{criterion.ref} ({criterion.title}) is not shown"
        first, answer, evidence = table[criterion.title][:3]
        entry = (feasibility.get(criterion.group) or {}).get(criterion.key) or {}
        assert answer.words() == EN.answer(entry.get("answer", "missing")), criterion.ref
        marked = "◆" in first.words() and first.find("strong") is not None
        assert marked == (criterion.ref in decided), f"{criterion.ref}: marked={marked}, deciding={criterion.ref in decided}"


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_feasibility_page_lists_the_deciding_answers(page, content, records, project_id: str) -> None:
    body = content(page(f"projects/{project_id}/feasibility/"))
    decided = records[project_id]["verdict"]["decided_by"]
    titles = {c.ref: c.title for c in criteria(schema())}
    text = body.words()
    assert f"{EN['computed_verdict']}: {EN.verdict(records[project_id]['verdict']['computed'])}." in text
    items = [li.words() for ul in body.find_all("ul") for li in ul.find_all("li")]
    for hit in decided:
        assert f"{titles[hit['criterion']]}: {EN.answer(hit['answer'])}" in items, hit


def test_overridden_verdict_shows_both_verdicts(page, content) -> None:
    override = spec("crm-repurchase")["feasibility"]["override"]
    feasibility = content(page("projects/crm-repurchase/feasibility/"))
    text = feasibility.words()
    assert f"{EN['verdict']}: {EN.verdict('recommended')}" in [h.words().rstrip("¶") for h in feasibility.find_all("h2")]
    assert f"{EN['computed_verdict']}: {EN.verdict('proceed_with_caution')} → {EN.verdict('recommended')}" in text
    assert f"{EN['computed_verdict']}: {EN.verdict('proceed_with_caution')}." in text
    admonition = feasibility.find("div", "admonition")
    assert admonition is not None
    assert override["reviewer"] in admonition.words()
    assert "주의 요인이 모두 관리되고 있다" in admonition.words()  # from the reason
    overview = content(page("projects/crm-repurchase/")).words()
    assert EN.verdict("recommended") in overview and EN.verdict("proceed_with_caution") in overview


def test_override_reviewer_and_reason_are_separate_paragraphs(page, content) -> None:
    """Each of **Reviewer:** and **Reason:** starts its own paragraph in the override box."""
    admonition = content(page("projects/crm-repurchase/feasibility/")).find("div", "admonition")
    paragraphs = [p.words() for p in admonition.find_all("p")]
    reviewer = [p for p in paragraphs if p.startswith(f"{EN['reviewer']}:")]
    assert reviewer, paragraphs
    assert f"{EN['reason']}:" not in reviewer[0], f"reviewer and reason share one paragraph: {reviewer[0]!r}"


def site_rules(site_config):
    raw = site_config.plugins["mlfolio"].config.verdict_rules
    return DEFAULT_RULES if raw is None else parse_rules(raw, schema())


def test_verdicts_page_lists_every_rule_in_order(page, content, site_config) -> None:
    body = content(page("verdicts/"))
    table = body.find("table")
    assert table is not None
    body_rows = rows(table)
    rules = site_rules(site_config)
    assert len(body_rows) == len(rules) + 1
    for n, (rule, cells) in enumerate(zip(rules, body_rows), 1):
        assert cells[0].words() == str(n)
        assert cells[1].words() == EN.verdict(rule.verdict)
        conditions = [code.text() for code in cells[2].find_all("code")]
        assert conditions == [c.describe() for c in rule.when_any]
        assert cells[3].words() == " ".join(rule.reason.split())
    last = body_rows[-1]
    assert last[1].words() == EN.verdict("recommended")
    assert last[2].words() == EN["otherwise"]


def test_verdicts_page_lists_every_criterion(page, content) -> None:
    text = content(page("verdicts/")).words()
    for criterion in criteria(schema()):
        assert criterion.ref in text and criterion.title in text, criterion.ref


# --------------------------------------------------------------------------------------------
# Tags
# --------------------------------------------------------------------------------------------


def tag_listing(body) -> dict[str, list[str]]:
    """Tag -> the hrefs listed under it on Material's tags page."""
    listing: dict[str, list[str]] = {}
    current = None
    for node in body.iter():
        if node.tag in ("h2", "h3") and node.find("span", "md-tag") is not None:
            current = node.find("span", "md-tag").words()
            listing[current] = []
        elif node.tag == "a" and current is not None and "headerlink" not in node.classes():
            listing[current].append(node.attrs.get("href") or "")
    return listing


def test_tags_page_lists_every_tag_with_its_projects(site, page, content, link_target) -> None:
    listing = tag_listing(content(page("tags/")))
    expected: dict[str, set[Path]] = {}
    for project_id in EXAMPLE_IDS:
        for tag in spec(project_id).get("tags") or ():
            expected.setdefault(tag, set()).add(site / "projects" / project_id / "index.html")
    assert expected, "no example has tags"
    assert sorted(listing) == sorted(expected)
    for tag, pages in expected.items():
        assert {link_target(site, "tags/", h) for h in listing[tag]} == pages, tag


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_project_overview_shows_its_tags(page, project_id: str) -> None:
    tags = spec(project_id).get("tags") or []
    shown = [t.words() for nav in page(f"projects/{project_id}/").find_all("nav", "md-tags") for t in nav.find_all(cls="md-tag")]
    assert sorted(shown) == sorted(tags)


# --------------------------------------------------------------------------------------------
# Markdown that must not leak into the rendered pages
# --------------------------------------------------------------------------------------------


def generated_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("index.html") if p.parent != site / "search")


def test_no_heading_markup_is_swallowed_into_a_table(site: Path, html) -> None:
    """A table must end before the next heading; a `## ...` cell means a blank line is missing."""
    leaked = []
    for path in generated_pages(site):
        for cell in html(path).find_all("td"):
            if re.match(r"#{1,6} ", cell.words()):
                leaked.append(f"{path.relative_to(site).parent.as_posix()}: {cell.words()!r}")
    assert leaked == []


def visible_text(node) -> str:
    """Text outside code: what Markdown syntax would show as, had it not been rendered."""
    if isinstance(node, str):
        return node
    if node.tag in ("code", "pre", "script", "style"):
        return ""
    return "".join(visible_text(c) for c in node.children)


def test_no_markdown_table_is_left_as_text(site: Path, html, content) -> None:
    """A table needs a blank line before it; without one its pipes show up as a paragraph."""
    leaked = []
    for path in generated_pages(site):
        for paragraph in content(html(path)).find_all("p"):
            if re.search(r"\|\s*:?-{3,}:?\s*\|", visible_text(paragraph)):
                leaked.append(f"{path.relative_to(site).parent.as_posix()}: {paragraph.words()[:60]!r}")
    assert leaked == []


def test_yes_no_fields_are_not_shown_as_python_booleans(page, content) -> None:
    """`chosen: true` in a spec must not come out as Python's `True`/`False`."""
    shown = []
    for project_id in EXAMPLE_IDS:
        body = content(page(f"projects/{project_id}/problem/"))
        cells = {c.words() for c in body.find_all("td")}
        shown += [f"{project_id}: cell {c!r}" for c in sorted(cells & {"True", "False"})]
        text = visible_text(body)
        shown += [f"{project_id}: {m.group(0).strip()!r}" for m in re.finditer(r"(?:\|\s*|:\s+)(?:True|False)\s*(?:\||$)", text, re.MULTILINE)]
    assert shown == []
