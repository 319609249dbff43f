"""The site with the specs' history from git: the examples committed to a throw-away repository,
then a stage moved back and forth and a target changed, built with ``SOURCE_DATE_EPOCH`` fixed;
and the site without history (the shared build, from a copy outside any repository; a shallow
clone). Each project page's "last changed" line and History section, the home page's stale
flags, columns, retired table and "what changed recently", ``projects.csv`` (the table for
readers without the script), ``projects.json`` against its own schema, the ``stale_after``
option, and byte-for-byte identical builds.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from examples_history import NOW, RETIRED, STALE, commit_history, git
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schemas" / "projects-json.schema.json"
SPEC_SCHEMA = REPO / "schemas" / "project.schema.json"
EXAMPLES = sorted(p.stem for p in (REPO / "projects").glob("*.yaml"))

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
pytestmark = needs_git


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory, copy_site, build_site):
    root = copy_site(tmp_path_factory.mktemp("history") / "repo")
    shas = commit_history(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", NOW)
        result = build_site(root, log_level=logging.INFO)
    assert result.error is None, repr(result.error)
    assert result.logged(logging.WARNING) == []
    return result, shas


@pytest.fixture(scope="module")
def history_home(history_site, html, content):
    result, _ = history_site
    return content(html(result.site / "index.html"))


def rows(table) -> dict[str, Any]:
    return {r.attrs["data-id"]: r for r in table.find_all("tr") if "data-id" in r.attrs}


def projects_json_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    spec = json.loads(SPEC_SCHEMA.read_text(encoding="utf-8"))
    registry = Registry().with_resource(spec["$id"], Resource.from_contents(spec))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry)


# -- a project page ------------------------------------------------------------------------------

def test_a_project_page_ends_with_its_history_newest_first(history_site, html, content, sections) -> None:
    result, shas = history_site
    page = html(result.site / "projects" / "house-prices" / "index.html")
    h2 = [h.attrs.get("id") for h in content(page).find_all("h2")]
    assert h2[-1] == "history"
    history = sections(page, "history")
    entries = [" ".join(li.words().split()) for li in history.find_all("ol", "mlfolio-history")[0].children
               if not isinstance(li, str) and li.tag == "li"]
    forward, target, stage, created = entries  # newest commit first; one commit's entries in their order
    assert forward.startswith("2026-03-20 · Stage: Project design → Baseline & prototype (forward)")
    assert f"Carol Park, {shas['House prices: prototype again, a tighter MAPE']}" in forward
    assert target.startswith("2026-03-20 · Target of MAPE: 7% → 6.5% (more ambitious)"), target
    assert stage.startswith("2026-02-10 · Stage: Baseline & prototype → Project design (backward)")
    assert "Bob Lee" in stage
    assert created.startswith("2026-01-05 · Created at Baseline & prototype")
    assert "Verdict: Recommended" in created and "Alice Kim" in created


def test_the_page_header_says_when_the_spec_last_changed_and_if_it_is_stale(history_site, html, content) -> None:
    result, shas = history_site

    def last_changed(project_id: str) -> str:
        page = content(html(result.site / "projects" / project_id / "index.html"))
        row = next(tr for tr in page.find_all("tr") if tr.find("th") is not None and tr.find("th").words() == "Last changed")
        return row.find("td").words()

    house = last_changed("house-prices")
    assert house.startswith(f"2026-03-20 Carol Park, {shas['House prices: prototype again, a tighter MAPE']}")
    assert "Stale" not in house
    stale = last_changed("face-filter")
    assert stale.startswith("2026-01-05 Alice Kim")
    assert "Stale untouched for 86 days; the limit at Project design is 60" in stale
    assert "typed" not in stale
    page = content(html(result.site / "projects" / "face-filter" / "index.html"))
    created = next(tr for tr in page.find_all("tr") if tr.find("th") is not None and tr.find("th").words() == "Created → updated")
    assert created.find("td").words() == "2026-08-17 → 2026-10-30"  # the typed dates are still shown, as typed


# -- the home page -------------------------------------------------------------------------------

def test_the_home_page_keeps_retired_projects_apart(history_home) -> None:
    tables = {t.attrs.get("data-mlfolio-table"): t for t in history_home.find_all("table")}
    assert set(tables) == {"active", "retired"}
    assert sorted(rows(tables["active"])) == [p for p in EXAMPLES if p != RETIRED]
    assert sorted(rows(tables["retired"])) == [RETIRED]
    assert [h.attrs.get("id") for h in history_home.find_all("h2")] == ["all-projects", "retired-projects", "recent-changes"]


def test_the_home_page_columns_and_stale_flags(history_home) -> None:
    active = next(t for t in history_home.find_all("table") if t.attrs.get("data-mlfolio-table") == "active")
    heads = [th.words() for th in active.find("thead").find_all("th")]
    assert heads == ["Title", "Stage", "Verdict", "Readiness", "Team", "Owners", "Key metric", "Last changed", "Updated"]
    found = rows(active)
    stale = sorted(pid for pid, row in found.items() if "stale" in row.attrs["data-status"].split())
    assert stale == STALE
    house = [td.words() for td in found["house-prices"].find_all("td")]
    assert house[5] == "Jung Soo-ah, Tomás Herrera"
    assert house[6] == "Median days on market: 46 days (target 39 days)"
    assert house[7] == "2026-03-20"
    assert house[8] == "2026-07-24"
    assert [td.words() for td in found["face-filter"].find_all("td")][7] == "2026-01-05 Stale"


def test_sort_keys_follow_the_life_cycle_and_verdict_severity(history_home) -> None:
    active = next(t for t in history_home.find_all("table") if t.attrs.get("data-mlfolio-table") == "active")
    keys = {}
    for pid, row in rows(active).items():
        cells = row.find_all("td")
        keys[pid] = (int(cells[1].attrs["data-sort"]), int(cells[2].attrs["data-sort"]), row.attrs["data-stage"], row.attrs["data-verdict"])
    by_stage = [k[2] for k in sorted(keys.values())]
    order = ["problem_definition", "project_design", "baseline_prototype", "development", "deployed", "monitoring"]
    assert by_stage == sorted(by_stage, key=order.index)
    severity = ["not_recommended", "proceed_with_caution", "undetermined", "recommended"]
    assert all(k[1] == severity.index(k[3]) for k in keys.values())


def test_the_bars_open_the_filtered_view(history_home) -> None:
    bars = {a.find("span", "mlfolio-bar-label").words(): a.attrs.get("href") for a in history_home.find_all("a", "mlfolio-bar")}
    assert bars["Development"] == "?stage=development#all-projects"
    assert bars["Retired"] == "?stage=retired#retired-projects"
    assert bars["Not recommended"] == "?verdict=not_recommended#all-projects"


def test_what_changed_recently(history_site, history_home) -> None:
    _, shas = history_site
    recent = [li.words() for li in history_home.find("ol", "mlfolio-recent").children if not isinstance(li, str) and li.tag == "li"]
    sha = shas["House prices: prototype again, a tighter MAPE"]
    assert recent[0] == ("2026-03-20 · Estimated sale price for home listings: Stage: Project design → Baseline & prototype "
                         f"(forward) Carol Park, {sha}")
    assert recent[1].startswith("2026-03-20 · Estimated sale price for home listings: Target of MAPE: 7% → 6.5%")
    assert recent[2].startswith("2026-02-10 · Estimated sale price for home listings: Stage:")
    assert len(recent) == 10 and all(r.startswith("2026-01-05 ·") for r in recent[3:])


def test_no_javascript_needed_for_the_table(history_home) -> None:
    """Without the script the home page is plain tables: every project linked, no form, the
    filters only described (data-*) for the script to build."""
    for tag in ("form", "select", "button", "script", "input"):
        assert history_home.find_all(tag) == [], tag
    links = {a.attrs.get("href") for t in history_home.find_all("table") for a in t.find_all("a")}
    assert {f"projects/{p}/" for p in EXAMPLES} <= links
    portfolio = history_home.find("div", "mlfolio-portfolio")
    filters = json.loads(portfolio.attrs["data-filters"])
    assert [f["key"] for f in filters] == ["stage", "verdict", "team", "tag", "owner", "status"]
    assert dict(next(f for f in filters if f["key"] == "status")["options"]) == {"stale": "Stale", "off_track": "Off track"}


def test_the_home_page_loads_its_script_and_stylesheet_from_the_site(history_site, html) -> None:
    result, _ = history_site
    root = html(result.site / "index.html")
    scripts = [s.attrs.get("src") for s in root.find_all("script") if s.attrs.get("src")]
    styles = [link.attrs.get("href") for link in root.find_all("link") if link.attrs.get("rel") == "stylesheet"]
    assert "assets/mlfolio/portfolio.js" in scripts
    assert "assets/mlfolio/portfolio.css" in styles
    assert (result.site / "assets" / "mlfolio" / "portfolio.js").is_file()


# -- projects.csv ----------------------------------------------------------------------------------

def test_projects_csv_is_the_home_page_table(history_site, history_home) -> None:
    result, _ = history_site
    raw = (result.site / "projects.csv").read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header = json.loads(history_home.find("div", "mlfolio-portfolio").attrs["data-csv-header"])
    assert table[0] == header
    # The script's "Download this view" takes the rows shown from this file: its records are the
    # home page's rows, in the page's order, and say what the rows say.
    shown = [r for t in history_home.find_all("table") for r in t.find_all("tr") if "data-id" in r.attrs]
    assert [r[0] for r in table[1:]] == [r.attrs["data-id"] for r in shown]
    for record, row in zip(table[1:], shown, strict=True):
        assert (record[2], record[3]) == (row.attrs["data-stage"], row.attrs["data-verdict"])
        assert record[1] == row.find("td").words()
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in table[1:]}
    assert [r[0] for r in table[1:]][-1] == RETIRED
    house = by_id["house-prices"]
    assert (house["stage"], house["verdict"], house["last_changed"], house["stale"], house["days_untouched"]) == (
        "baseline_prototype", "recommended", "2026-03-20", "no", "12")
    assert (house["key_metric"], house["key_metric_value"], house["key_metric_target"], house["url"]) == (
        "Median days on market", "46", "39", "projects/house-prices/")
    assert sorted(pid for pid, r in by_id.items() if r["stale"] == "yes") == STALE
    assert by_id["face-filter"]["stale_after_days"] == "60"


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    from mlfolio.pages.export import csv_cell, export_csv

    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("+1 more") == "'+1 more" and csv_cell("@me") == "'@me"
    assert csv_cell("-5") == "-5" and csv_cell("-2.5") == "-2.5"
    assert csv_cell('say "hi", twice') == '"say ""hi"", twice"'
    assert export_csv([["a", "b"], ["1", "x\ny"]]) == '\ufeffa,b\r\n1,"x\ny"\r\n'


# -- projects.json ---------------------------------------------------------------------------------

def test_projects_json_with_history_matches_its_schema(history_site) -> None:
    result, shas = history_site
    doc = json.loads((result.site / "projects.json").read_text(encoding="utf-8"))
    errors = sorted(projects_json_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors][:5] == []
    assert doc["history"] == {"available": True, "reason": None, "as_of": "2026-04-01", "stale_after": {
        "problem_definition": 60, "project_design": 60, "baseline_prototype": 90, "development": 90, "deployed": 180,
        "monitoring": 90, "retired": None}}
    house = next(p for p in doc["projects"] if p["id"] == "house-prices")
    sha = shas["House prices: prototype again, a tighter MAPE"]
    assert house["last_changed"] == {"date": "2026-03-20", "commit": sha, "author": "Carol Park"}
    assert house["staleness"] == {"stale": False, "days": 12, "limit": 90}
    assert [(e["kind"], e["date"]) for e in house["history"]] == [
        ("created", "2026-01-05"), ("stage", "2026-02-10"), ("stage", "2026-03-20"), ("target", "2026-03-20")]
    assert house["history"][3] == {"kind": "target", "date": "2026-03-20", "commit": sha, "author": "Carol Park",
                                   "old": 7.0, "new": 6.5, "metric": "mape", "unit": "%", "direction": "more"}
    face = next(p for p in doc["projects"] if p["id"] == "face-filter")
    assert face["staleness"] == {"stale": True, "days": 86, "limit": 60}


def test_projects_json_without_history_matches_its_schema(site: Path) -> None:
    doc = json.loads((site / "projects.json").read_text(encoding="utf-8"))
    errors = list(projects_json_validator().iter_errors(doc))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors][:5] == []
    assert (doc["history"]["available"], doc["history"]["reason"]) == (False, "repository")
    assert all(p["history"] == [] and p["last_changed"] is None and not p["staleness"]["stale"] for p in doc["projects"])


def test_the_schema_refuses_what_it_does_not_describe(history_site) -> None:
    result, _ = history_site
    doc = json.loads((result.site / "projects.json").read_text(encoding="utf-8"))
    validator = projects_json_validator()
    bad = json.loads(json.dumps(doc))
    bad["projects"][0]["history"][0]["kind"] = "moved"
    assert not validator.is_valid(bad)
    bad = json.loads(json.dumps(doc))
    bad["projects"][0]["staleness"]["days"] = -1
    assert not validator.is_valid(bad)
    bad = json.loads(json.dumps(doc))
    bad["projects"][0]["last_changed"]["commit"] = "not a sha"
    assert not validator.is_valid(bad)


# -- without history -------------------------------------------------------------------------------

def test_without_git_the_home_page_and_the_log_say_so_once(site_build, site: Path, html, content) -> None:
    home = content(html(site / "index.html"))
    notes = home.find_all("div", "mlfolio-no-history")
    assert len(notes) == 1
    assert "No git history: the site was built outside a git checkout" in notes[0].words()
    assert home.find("h2", id="recent-changes") is None
    page = content(html(site / "projects" / "house-prices" / "index.html"))
    assert page.find("h2", id="history") is None
    assert "No git history" not in page.words()


def test_without_git_the_build_logs_one_line(site_copy: Path, build_site) -> None:
    result = build_site(site_copy, log_level=logging.INFO)
    assert result.error is None
    lines = [m for m in result.messages(logging.INFO) if "git history" in m]
    assert len(lines) == 1 and "not in a git checkout" in lines[0], lines
    assert result.logged(logging.WARNING) == []


def test_a_shallow_clone_says_so(history_site, tmp_path: Path, build_site, html, content) -> None:
    result, _ = history_site
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{result.root}", str(clone))
    built = build_site(clone, log_level=logging.INFO)
    assert built.error is None
    assert any("shallow clone" in m and "fetch-depth: 0" in m for m in built.messages(logging.INFO))
    note = content(html(built.site / "index.html")).find("div", "mlfolio-no-history")
    assert note is not None and "the checkout is a shallow clone" in note.words()


# -- the option, and the same bytes twice ----------------------------------------------------------

def test_stale_after_sets_the_limits(history_site, tmp_path: Path, copy_site, build_site, plugin_options, html, content) -> None:
    root = copy_site(tmp_path / "repo")
    commit_history(root)
    plugin_options(root, stale_after={"development": 30, "project_design": None})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", NOW)
        built = build_site(root)
    assert built.error is None, repr(built.error)
    doc = json.loads((built.site / "projects.json").read_text(encoding="utf-8"))
    stale = sorted(p["id"] for p in doc["projects"] if p["staleness"]["stale"])
    assert stale == ["churn-recommender", "support-ticket-routing"]
    assert doc["history"]["stale_after"]["development"] == 30 and doc["history"]["stale_after"]["project_design"] is None


@pytest.mark.parametrize(("value", "message"), [
    ({"developement": 30}, "'developement' is not a stage"),
    ({"development": 0}, "not a number of days"),
])
def test_a_wrong_stale_after_is_a_config_error(site_copy: Path, build_site, plugin_options, value, message: str) -> None:
    plugin_options(site_copy, stale_after=value)
    built = build_site(site_copy)
    assert built.error is not None
    assert any("invalid stale_after" in m and message in m for m in built.messages(logging.ERROR)), built.logged()


def test_the_same_repository_gives_the_same_bytes(history_site, tmp_path: Path, build_site) -> None:
    result, _ = history_site
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", NOW)
        again = build_site(result.root, site_dir=tmp_path / "again")
    assert again.error is None
    for name in ("index.html", "projects.json", "projects.csv", "projects/house-prices/index.html"):
        assert (again.site / name).read_bytes() == (result.site / name).read_bytes(), name
