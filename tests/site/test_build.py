"""The portfolio as built by MkDocs from the example specs: one page per project with its table
of contents, links and anchors, navigation, search, ``projects.json``, edit links, verdicts and
tags.

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

from mlfolio.spec.values import format_value
from mlfolio.analysis.verdict import DEFAULT_RULES, criteria, parse_rules
from mlfolio.pages.labels import Labels
from mlfolio.spec.loader import load_file
from mlfolio.spec.schema import load_schema

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_IDS = tuple(sorted(p.stem for p in (REPO / "projects").glob("*.yaml")))
# The sections of a project page, in order (h2 ids), and what "At a glance" answers (h3 ids).
SECTIONS = ("at-a-glance", "problem", "feasibility", "goals", "constraints", "data", "deployment")
SECTION_LABELS = ("at_a_glance", "problem", "feasibility", "goals", "constraints", "data", "deployment")
GLANCE = ("what-problem", "verdict", "key-metrics", "concerns", "must-beat", "watched", "readiness")
PORTFOLIO_PAGES = ("", "teams/", "stages/", "tags/", "verdicts/", "guide/", "guide-ko/", "reference/")
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


def heading_text(node) -> str:
    """A heading's words without its permalink mark."""
    return node.words().removesuffix("¶").strip()


# --------------------------------------------------------------------------------------------
# Pages and links
# --------------------------------------------------------------------------------------------


def test_the_examples_are_there() -> None:
    assert len(EXAMPLE_IDS) >= 6
    for required in ("house-prices", "crm-repurchase", "address-search", "stock-price-forecast"):
        assert required in EXAMPLE_IDS


def test_the_site_has_one_page_per_project_and_the_portfolio_pages(site: Path) -> None:
    """Exactly these pages: nothing of the specs folder, no sub-page of a project."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    expected = sorted(["404.html"] + [f"{url}index.html" for url in PORTFOLIO_PAGES]
                      + [f"projects/{project_id}/index.html" for project_id in EXAMPLE_IDS])
    assert pages == expected


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_a_project_is_one_page(site: Path, project_id: str) -> None:
    folder = site / "projects" / project_id
    assert sorted(p.name for p in folder.iterdir()) == ["index.html"]


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


@pytest.mark.parametrize("listing", ["teams/", "stages/", "tags/"])
def test_group_pages_link_every_project(site, page, content, link_target, listing: str) -> None:
    body = content(page(listing))
    targets = {link_target(site, listing, a.attrs.get("href") or "") for a in body.find_all("a")}
    for project_id in EXAMPLE_IDS:
        assert site / "projects" / project_id / "index.html" in targets, project_id


def test_every_internal_link_and_anchor_of_every_page_resolves(site: Path, broken_links) -> None:
    assert broken_links(site) == []


def test_the_link_checker_finds_missing_pages_and_anchors(tmp_path: Path, broken_links) -> None:
    """Guard for the check above: it does report what it is meant to report."""
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<h2 id="here">x</h2><a href="a/#there">ok</a> <a href="#here">ok</a> <a href="https://example.com/x">out</a>'
        ' <a href="b/">no page</a> <a href="a/#nowhere">no anchor</a> <a href="#gone">no anchor here</a>'
        ' <img src="missing.png">', encoding="utf-8")
    (tmp_path / "a" / "index.html").write_text('<p id="there"><a href="../#here">back</a></p>', encoding="utf-8")
    found = broken_links(tmp_path)
    assert [line.split(": <", 1)[1].split(">", 1)[0] for line in found] == [
        "a href='b/'", "a href='a/#nowhere'", "a href='#gone'", "img src='missing.png'"]


@pytest.mark.parametrize("url", [*PORTFOLIO_PAGES, *(f"projects/{p}/" for p in EXAMPLE_IDS)])
def test_ids_are_unique_on_every_page(page, url: str) -> None:
    ids = [n.attrs["id"] for n in page(url).iter() if "id" in n.attrs]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


# --------------------------------------------------------------------------------------------
# A project's page: its sections, in order, with the table of contents beside them
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_project_page_has_its_sections_in_order(page, content, project_id: str) -> None:
    body = content(page(f"projects/{project_id}/"))
    h1 = body.find_all("h1")
    assert [h.words() for h in h1] == [" ".join(spec(project_id)["title"].split())]
    h2 = [(h.attrs.get("id"), heading_text(h)) for h in body.find_all("h2")]
    assert h2 == [(ident, EN[label]) for ident, label in zip(SECTIONS, SECTION_LABELS, strict=True)]


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_table_of_contents_lists_every_section_and_heading(page, content, toc, link_target, site, project_id: str) -> None:
    url = f"projects/{project_id}/"
    root = page(url)
    entries = toc(root)
    assert [(e.href, e.title) for e in entries] == [(f"#{s}", EN[label]) for s, label in zip(SECTIONS, SECTION_LABELS, strict=True)]
    assert [c.href for c in entries[0].children] == [f"#{h}" for h in GLANCE]

    def flat(items):
        for item in items:
            yield item.href
            yield from flat(item.children)

    headings = [f"#{n.attrs['id']}" for n in content(root).iter()
                if n.tag in ("h2", "h3", "h4", "h5", "h6") and n.attrs.get("id")]
    assert list(flat(entries)) == headings
    assert all(link_target(site, url, href) == site / url / "index.html" for href in headings)


@pytest.mark.parametrize("url", [f"projects/{p}/" for p in EXAMPLE_IDS] + list(PORTFOLIO_PAGES))
def test_project_pages_and_home_hide_the_left_navigation(page, url: str) -> None:
    """A project page is wide (tables) and not in the navigation: the left column is hidden,
    the table of contents stays. So is the home page's (its table is the navigation)."""
    sidebar = page(url).find("div", "md-sidebar--primary")
    assert sidebar is not None
    assert ("hidden" in sidebar.attrs) == (url.startswith("projects/") or url == "")
    assert "hidden" not in page(url).find("div", "md-sidebar--secondary").attrs


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_at_a_glance_answers_the_reviewers_questions(page, sections, records, project_id: str) -> None:
    data = spec(project_id)
    glance = sections(page(f"projects/{project_id}/"), "at-a-glance")
    h3 = {h.attrs.get("id"): heading_text(h) for h in glance.find_all("h3")}
    assert list(h3) == list(GLANCE)
    record = records[project_id]
    assert h3["verdict"] == f"{EN['verdict']}: {EN.verdict(record['verdict']['final'])}"
    readiness = record["readiness"]["percent"]
    assert h3["readiness"].startswith(f"{EN['readiness']}: {readiness}% "), h3["readiness"]
    text = glance.words()

    statement = (data.get("problem") or {}).get("statement")
    if statement:
        first_words = " ".join(re.sub(r"[*_`#>\[\]]", " ", statement).split()[:4])
        assert first_words in " ".join(re.sub(r"[*_`#>\[\]]", " ", text).split()), first_words

    metrics = [m for m in data.get("metrics") or () if m.get("target") is not None][:6]
    tables = [t for t in glance.find_all("table") if t.find("th") is not None and t.find("th").words() == EN["metric"]]
    if metrics:
        assert len(tables) == 1
        target = [th.words() for th in tables[0].find_all("th")].index(EN["target"])  # after Before, or after Best baseline
        shown = [(cells[0].words(), cells[target].words()) for cells in rows(tables[0])]
        assert shown == [(" ".join(m["name"].split()), format_value(m["target"], m.get("unit", ""))) for m in metrics]
    else:
        assert tables == [] and EN["no_metrics_yet"] in text

    to_beat = ((data.get("constraints") or {}).get("performance") or {}).get("baseline_to_beat")
    if to_beat:
        baseline = next(b for b in data["baselines"] if b["id"] == to_beat)
        assert f"{EN['baseline_to_beat']}: {' '.join(baseline['name'].split())}" in text

    names = {m["id"]: m["name"] for m in data.get("metrics") or ()}
    for monitor in (data.get("monitoring") or {}).get("monitors") or ():
        assert " ".join(names.get(monitor["metric"], monitor["metric"]).split()) in text, monitor


def concerns_of(project_id: str, still_missing: Any = ()) -> set[str]:
    """What a reviewer should worry about: an answer against ML, not known for sure, or left
    out of a written feasibility section; and, as one item, the sections still to write."""
    feasibility = spec(project_id).get("feasibility") or {}
    found = set()
    for criterion in criteria(schema()):
        answer = ((feasibility.get(criterion.group) or {}).get(criterion.key) or {}).get("answer")
        if (answer in ("partly", "unknown") or (answer == ("no" if criterion.group == "for_ml" else "yes"))
                or (answer is None and feasibility)):
            found.add(EN.criterion(criterion))
    if still_missing:
        found.add(EN["concerns_missing"])
    return found


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_at_a_glance_lists_what_could_go_wrong(page, sections, records, project_id: str) -> None:
    concerns = sections(page(f"projects/{project_id}/"), "concerns")
    lists = [c for c in concerns.children if not isinstance(c, str) and c.tag == "ul"]
    assert len(lists) <= 1
    listed = {li.find("strong").words() for ul in lists for li in ul.children if not isinstance(li, str) and li.tag == "li"}
    assert listed == concerns_of(project_id, records[project_id]["readiness"]["missing"])
    if not listed:
        assert EN["no_concerns"] in concerns.words() or EN["not_assessed"] in concerns.words()


def test_at_a_glance_covers_every_kind_of_verdict(records) -> None:
    """Guard: the examples show the summary of each verdict a reviewer meets."""
    finals = {r["verdict"]["final"] for r in records.values()}
    assert {"recommended", "not_recommended", "proceed_with_caution"} <= finals
    assert any(concerns_of(p) for p in EXAMPLE_IDS) and any(
        ((spec(p).get("constraints") or {}).get("performance") or {}).get("baseline_to_beat") for p in EXAMPLE_IDS)


def record_fields(path: tuple[str, ...]) -> dict[str, str]:
    """Field key -> its label, for the records of the list at ``path`` (``("baselines",)``)."""
    node = schema().resolve(schema().property_schema(path))
    items = schema().resolve(node["items"])
    return {key: EN.field(schema().resolve(sub), key) for key, sub in items["properties"].items()}


@pytest.mark.parametrize(("heading", "path"), [("baselines", ("baselines",)), ("data-sets", ("data", "datasets"))])
@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_each_record_of_a_list_shows_its_fields_with_their_labels(page, sections, project_id: str, heading: str,
                                                                   path: tuple[str, ...]) -> None:
    """A baseline or a data set is one item of a list: its name first, then every field the spec
    writes, each with its label ("Kind: Rule-based"), never values run together."""
    records = spec(project_id)
    for key in path:
        records = (records or {}).get(key)
    if not records:
        return
    labels = record_fields(path)
    part = sections(page(f"projects/{project_id}/"), heading)
    first = " ".join(records[0]["name"].split())
    lists = [n for n in part.iter() if n.tag in ("ol", "ul") and any(
        not isinstance(li, str) and li.tag == "li" and li.words().startswith(first) for li in n.children)]
    assert lists, f"{heading}: no list of records"
    items = [li for li in lists[0].children if not isinstance(li, str) and li.tag == "li"]
    assert len(items) == len(records)
    for record, item in zip(records, items, strict=True):
        text = item.words()
        assert text.startswith(" ".join(record["name"].split())), text[:80]
        missing = [f"{labels[k]}:" for k in record if k != "name" and f"{labels[k]}:" not in text]
        assert missing == [], f"{record['id']}: no label for {missing} in {text[:200]!r}"


def test_examples_have_baselines_and_data_sets() -> None:
    """Guard: the test above has records to read."""
    assert any(spec(p).get("baselines") for p in EXAMPLE_IDS)
    assert any((spec(p).get("data") or {}).get("datasets") for p in EXAMPLE_IDS)


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


@pytest.mark.parametrize("url", ["teams/", "projects/house-prices/", "projects/crm-repurchase/"])
def test_navigation_lists_portfolio_pages_and_no_project_page(site, page, link_target, site_config, url: str) -> None:
    expected = [url_of(md) for md in nav_pages(site_config.nav)]
    for core in PORTFOLIO_PAGES:
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
    for url in ("teams/", "projects/house-prices/"):
        found = nav_targets(site, html(result.file(url)), url, link_target)
        assert_short_navigation(site, found, ["", "teams/", "stages/", "tags/", "verdicts/"])


# --------------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------------

# The search index is tested in test_search_site.py (what it is built from) and in the
# browser tests (tests/browser/test_search.py).


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
            assert set(hit) == {"criterion", "answer", "evidence", "source"}, hit
        if verdict["decided_by"]:
            assert verdict["rule"]["id"] and verdict["rule"]["verdict"] == verdict["computed"]
        else:
            assert verdict["rule"] is None
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
def test_project_page_edits_its_spec(page, project_id: str) -> None:
    edits = page(f"projects/{project_id}/").find_all("a", rel="edit")
    assert len(edits) == 1
    assert edits[0].attrs["href"] == f"https://github.com/mlfolio/mlfolio/edit/main/projects/{project_id}.yaml"


@pytest.mark.parametrize("url", PORTFOLIO_PAGES)
def test_portfolio_pages_have_no_edit_link(page, url: str) -> None:
    """They are generated from every spec at once (or from the schema): there is no one file to edit."""
    assert page(url).find_all("a", rel="edit") == []


# --------------------------------------------------------------------------------------------
# Feasibility and verdicts
# --------------------------------------------------------------------------------------------


def criterion_rows(body) -> dict[str, tuple[Any, ...]]:
    """Criterion title -> its table cells, from the three criteria tables of the feasibility section."""
    found: dict[str, tuple[Any, ...]] = {}
    for table in body.find_all("table"):
        for cells in rows(table):
            title = cells[0].words().replace("◆", "").strip()
            found[title] = tuple(cells)
    return found


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_feasibility_shows_every_criterion_and_marks_the_deciding_ones(page, sections, records, project_id: str) -> None:
    body = sections(page(f"projects/{project_id}/"), "feasibility")
    assert [h.attrs.get("id") for h in body.find_all("h3")] == ["for-ml", "against-ml", "risks"]
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
        if entry.get("evidence"):
            assert evidence.words(), f"{criterion.ref}: the evidence is not shown"


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_feasibility_lists_the_deciding_answers(page, sections, records, project_id: str) -> None:
    body = sections(page(f"projects/{project_id}/"), "feasibility")
    decided = records[project_id]["verdict"]["decided_by"]
    titles = {c.ref: c.title for c in criteria(schema())}
    text = body.words()
    assert f"{EN['computed_verdict']}: {EN.verdict(records[project_id]['verdict']['computed'])}." in text
    items = [li.words() for ul in body.find_all("ul") for li in ul.find_all("li")]
    for hit in decided:
        assert f"{titles[hit['criterion']]}: {EN.answer(hit['answer'])}" in items, hit


def test_overridden_verdict_shows_both_verdicts(page, sections) -> None:
    override = spec("crm-repurchase")["feasibility"]["override"]
    root = page("projects/crm-repurchase/")
    glance = sections(root, "at-a-glance")
    assert f"{EN['verdict']}: {EN.verdict('recommended')}" in [heading_text(h) for h in glance.find_all("h3")]
    assert EN.verdict("proceed_with_caution") in glance.words()
    feasibility = sections(root, "feasibility")
    text = feasibility.words()
    assert f"{EN['computed_verdict']}: {EN.verdict('proceed_with_caution')} → {EN.verdict('recommended')}" in text
    assert f"{EN['computed_verdict']}: {EN.verdict('proceed_with_caution')}." in text
    admonition = feasibility.find("div", "admonition")
    assert admonition is not None
    assert override["reviewer"] in admonition.words()
    assert "주의 요인이 모두 관리되고 있다" in admonition.words()  # from the reason


def test_override_reviewer_and_reason_are_separate_paragraphs(page, sections) -> None:
    """Each of **Reviewer:** and **Reason:** starts its own paragraph in the override box."""
    admonition = sections(page("projects/crm-repurchase/"), "feasibility").find("div", "admonition")
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
        assert cells[1].words() == rule.id
        assert cells[2].words() == EN.verdict(rule.verdict)
        conditions = [code.text() for code in cells[3].find_all("code")]
        assert conditions == [c.describe() for c in rule.when_any]
        counting = EN["at_least_of"].format(n=rule.at_least) if rule.at_least > 1 else EN["any_of"]
        assert cells[3].words().startswith(counting + ":")
        assert cells[4].words() == " ".join(rule.reason.split())
    last = body_rows[-1]
    assert last[2].words() == EN.verdict("recommended")
    assert last[3].words() == EN["otherwise"]


def test_verdicts_page_lists_every_criterion(page, content) -> None:
    text = content(page("verdicts/")).words()
    for criterion in criteria(schema()):
        assert criterion.ref in text and criterion.title in text, criterion.ref


# --------------------------------------------------------------------------------------------
# Tags (the "By tag" page is generated by mlfolio, as the teams and stages pages are)
# --------------------------------------------------------------------------------------------


def group_listing(body) -> dict[str, tuple[str, list[str]]]:
    """Group heading (without its count) -> (its id, the hrefs listed under it)."""
    listing: dict[str, tuple[str, list[str]]] = {}
    current = None
    for node in body.iter():
        if node.tag == "h2":
            current = re.sub(r" \(\d+\)$", "", heading_text(node))
            listing[current] = (node.attrs.get("id") or "", [])
        elif node.tag == "a" and current is not None and "headerlink" not in node.classes():
            listing[current][1].append(node.attrs.get("href") or "")
    return listing


def test_tags_page_lists_every_tag_with_its_projects(site, page, content, link_target) -> None:
    listing = group_listing(content(page("tags/")))
    expected: dict[str, set[Path]] = {}
    for project_id in EXAMPLE_IDS:
        for tag in spec(project_id).get("tags") or ():
            expected.setdefault(tag, set()).add(site / "projects" / project_id / "index.html")
    assert expected, "no example has tags"
    assert sorted(listing) == sorted(expected)
    for tag, pages in expected.items():
        assert {link_target(site, "tags/", h) for h in listing[tag][1]} == pages, tag


@pytest.mark.parametrize("project_id", EXAMPLE_IDS)
def test_project_page_links_its_tags_and_team_to_their_groups(site, page, content, link_target, project_id: str) -> None:
    url = f"projects/{project_id}/"
    body = content(page(url))
    tags = [(a.words(), a.attrs.get("href") or "") for a in body.find_all("a", "mlfolio-tag")]
    assert [name for name, _ in tags] == spec(project_id).get("tags", [])
    team = spec(project_id)["team"]
    team_links = [a.attrs.get("href") or "" for a in body.find_all("a") if a.words() == team]
    assert len(team_links) == 1
    for name, href, listing in [*((n, h, "tags/") for n, h in tags), (team, team_links[0], "teams/")]:
        assert link_target(site, url, href) == site / listing / "index.html", href
        ident = href.rsplit("#", 1)[1]
        group = group_listing(content(page(listing)))
        # The anchor is the group's own heading, and the group lists this project.
        assert group[" ".join(name.split())][0] == ident, (name, href)
        assert site / "projects" / project_id / "index.html" in {link_target(site, listing, h) for h in group[" ".join(name.split())][1]}


# --------------------------------------------------------------------------------------------
# Markup that must not leak into the rendered pages
# --------------------------------------------------------------------------------------------


def generated_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("index.html") if p.parent != site / "search")


def test_no_heading_markup_is_swallowed_into_a_table(site: Path, html) -> None:
    """A table must end before the next heading; a `## ...` cell means a heading went wrong."""
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


def test_no_markdown_table_or_emphasis_is_left_as_text(site: Path, html, content) -> None:
    """Free text is Markdown: a table or **bold** in a spec must not show its pipes and stars."""
    leaked = []
    for path in generated_pages(site):
        for paragraph in content(html(path)).find_all("p"):
            text = visible_text(paragraph)
            if re.search(r"\|\s*:?-{3,}:?\s*\||\*\*\w[^*]*\w\*\*", text):
                leaked.append(f"{path.relative_to(site).parent.as_posix()}: {paragraph.words()[:60]!r}")
    assert leaked == []


def test_spec_markdown_is_rendered(page, content) -> None:
    """Guard for the test above: the example specs do use Markdown, and it comes out as HTML."""
    raw = (REPO / "projects" / "house-prices.yaml").read_text(encoding="utf-8")
    assert "**estimated price range**" in raw
    body = content(page("projects/house-prices/"))
    assert "estimated price range" in [s.words() for s in body.find_all("strong")]


def test_no_html_is_escaped_twice(site: Path) -> None:
    """Autoescape and the Markdown filter must not both escape one text: no `&amp;lt;` and the like."""
    found = []
    for path in generated_pages(site):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(site).as_posix()}: {m.group(0)}" for m in re.finditer(r"&amp;(?:[a-z]+|#\d+);", text)]
    assert found == []


def test_yes_no_fields_are_not_shown_as_python_booleans(page, content) -> None:
    """`chosen: true` in a spec must not come out as Python's `True`/`False`."""
    shown = []
    for project_id in EXAMPLE_IDS:
        body = content(page(f"projects/{project_id}/"))
        cells = {c.words() for c in body.find_all("td")} | {d.words() for d in body.find_all("dd")}
        shown += [f"{project_id}: cell {c!r}" for c in sorted(cells & {"True", "False"})]
        text = visible_text(body)
        shown += [f"{project_id}: {m.group(0).strip()!r}" for m in re.finditer(r"(?:\|\s*|:\s+)(?:True|False)\s*(?:\||$)", text, re.MULTILINE)]
    assert shown == []
