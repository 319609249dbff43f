"""Spec text is data: a valid spec full of markup payloads builds, and no payload comes alive.

The hostile spec (``projects/xss.yaml`` in a copy of the site) puts payloads into every kind
of field: one-line values (title, team, tags, names, metric names and units, baseline names),
free text (summary, evidence, descriptions, iteration log, override reason) and links. Each
payload names the field it sits in (``alert('title')``), so a failure says where the text
came from.

The copy of the site also enables ``pymdownx.snippets`` (rooted at the folder holding
``mkdocs.yml``) and ``pymdownx.magiclink``: sites may turn them on, and spec text must not
be able to include files or make links through them either.

Every page that shows the project is parsed as a browser would read it (``<title>`` content
is text) and must have: no ``on*`` attribute, no ``javascript:``/``data:`` link or source, no
script other than the site's own (those of the same page of a normal project), no frame or
plugin element, nothing of ``mkdocs.yml``; and the payloads must show as the text typed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from mkdocs.config import load_config

from mlfolio.spec.check import Checker
from mlfolio.spec.schema import load_schema

FENCE = "```"
PROJECT_PAGES = ("", "problem/", "feasibility/", "goals/", "constraints/", "data/", "deployment/")
PORTFOLIO_PAGES = ("", "teams/", "stages/", "tags/")
REFERENCE_PROJECT = "house-prices"
# Lines of mkdocs.yml that no page should quote.
CONFIG_MARKERS = ("exclude_docs", "fence_code_format", "prefers-color-scheme)\"\n", "NO_MKDOCS", "edit_uri: edit/main/")
BAD_SCHEME = re.compile(r"^(?:javascript|data|vbscript):", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background", "data", "srcdoc")
FORBIDDEN_ELEMENTS = ("iframe", "frame", "frameset", "object", "embed", "applet", "base")


def payloads(field: str) -> list[str]:
    """One-line payloads, each naming ``field``."""
    return [
        f"<script>alert('{field}')</script>",
        f"<img src=x onerror=alert('{field}')>",
        f"[x](javascript:alert('{field}'))",
        f"[x](&#106;avascript:alert('{field}'))",
        "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        f"{{: onclick=\"alert('{field}')\" }}",
        '--8<-- "mkdocs.yml"',
        "<!-- x -->",
        f"<svg onload=alert('{field}')>",
        '<div markdown="1">**md**</div>',
        "a | b",
        "# evil",
        f"</title><script>alert('{field}')</script>",
        f"\"><svg onload=alert('{field}')>",
        f"<iframe src=\"javascript:alert('{field}')\"></iframe>",
    ]


def line(field: str) -> str:
    return " ".join(payloads(field))


def text(field: str) -> str:
    """Free text: every payload on its own line, a heading line, then a fence never closed."""
    return "\n".join([*payloads(field), "", "# evil", "", FENCE + "python", f"<script>alert('{field}-fence')</script>"])


def answer(value: str, field: str) -> dict[str, str]:
    return {"answer": value, "evidence": text(field)}


def hostile_spec() -> dict[str, Any]:
    return {
        "schema_version": 1, "id": "xss", "title": "# evil " + line("title"), "summary": text("summary"),
        "stage": "monitoring", "team": "../../" + line("team"),
        "owners": [{"name": line("owner.name"), "role": line("owner.role"), "contact": line("owner.contact")}],
        "sme": {"name": line("sme.name"), "role": line("sme.role"), "contact": line("sme.contact")},
        "tags": [*payloads("tag"), "../../../escape", "..", "a/b\\c", "tag with spaces"],
        "created": "2026-01-01", "updated": "2026-02-01",
        "links": {
            "repository": "https://example.com/\"onmouseover=\"alert('links.repository')",
            "docs": "https://example.com/<script>alert('links.docs')</script>",
            "dashboard": "https://example.com/'><svg onload=alert('links.dashboard')>",
            "prototype": "https://example.com/?a=1&b=<img src=x onerror=alert('links.prototype')>",
        },
        "business": {
            "service": text("business.service"), "goal": text("business.goal"),
            "input": {"data": text("input.data"), "trustworthy": {"answer": "partly", "note": text("input.note")},
                      "consistent": {"answer": "yes", "note": text("input.note")}, "labelled": {"answer": "no"},
                      "continuous": {"answer": "unknown", "note": line("input.note")}},
            "output": {"usage": "customer_facing", "description": text("output.description")},
            "interviews": [{"who": line("interview.who"), "team": line("interview.team"), "date": "2026-01-02", "notes": text("interview.notes")}],
        },
        "problem": {
            "situation": {k: text(f"situation.{k}") for k in ("what_is_happening", "difficulties", "what_would_help", "further_options", "data")},
            "hypotheses": [text("hypothesis"), line("hypothesis")], "statement": text("statement"),
            "what_to_learn": text("what_to_learn"), "decomposition": [text("decomposition"), line("decomposition")],
            "candidate_solutions": [
                {"name": line("solution.name"), "approach": "ml", "description": text("solution.description"), "chosen": True},
                {"name": line("solution.name"), "approach": "rule_based", "description": line("solution.description"), "chosen": False},
            ],
            "incremental_plan": [{"step": line("plan.step"), "description": text("plan.description"), "when": line("plan.when")}],
        },
        "feasibility": {
            "for_ml": {k: answer("yes", f"evidence.{k}") for k in ("pattern", "objective_function", "complexity", "data_available", "repetitive")},
            "against_ml": {k: answer("no", f"evidence.{k}") for k in ("unethical", "simple_solution", "no_good_data", "fatal_errors", "must_explain", "not_cost_effective")},
            "risks": {"scale_unestimable": answer("partly", "evidence.scale"), "stakeholders_disagree": answer("no", "evidence.stakeholders")},
            "existing_models": text("existing_models"), "business_value": text("business_value"),
            "override": {"verdict": "recommended", "reason": text("override.reason"), "reviewer": line("override.reviewer"), "date": "2026-01-03"},
        },
        "goals": {"goal": text("goals.goal"), "objectives": [
            {"description": text("objective.description"), "metric": "evil_metric", "guardrail": text("objective.guardrail")},
            {"description": line("objective.description"), "metric": "biz"},
        ]},
        "labels": {"situation": "labelled", "plan": text("labels.plan")},
        "multi_objective": {"strategy": "combined_loss", "rationale": text("multi_objective.rationale"), "components": [
            {"name": line("component.name"), "metric": "evil_metric", "weight": 1},
            {"name": line("component.name"), "metric": "biz", "weight": 0.5},
        ]},
        "metrics": [
            {"id": "evil_metric", "name": line("metric.name"), "kind": "model", "direction": "maximize", "unit": line("metric.unit"),
             "current": 0.5, "target": 0.9, "description": text("metric.description")},
            {"id": "biz", "name": line("metric.name"), "kind": "business", "direction": "minimize", "unit": "<b onmouseover=alert('metric.unit')>%",
             "current": 10, "target": 5, "description": line("metric.description")},
        ],
        "ab_test": {"metric": "biz", "guardrail_metrics": ["evil_metric"], "design": text("ab_test.design"),
                    "minimum_detectable_effect": line("ab_test.mde"), "duration": line("ab_test.duration")},
        "constraints": {
            **{k: text(f"constraints.{k}") for k in ("schedule", "budget", "people_affected", "privacy", "technical", "existing_environment", "ethics")},
            "performance": {"baseline_to_beat": "evil_baseline", "threshold": text("performance.threshold"), "tradeoff": text("performance.tradeoff"),
                            "interpretability": "preferred", "false_negative_tolerance": "low", "confidence": text("performance.confidence")},
            "service": {"latency_ms": 50, "latency_percentile": "p99", "qps": 10, "accuracy": text("service.accuracy"), "hardware": line("service.hardware")},
        },
        "data": {
            "datasets": [{"id": "evil_data", "name": line("dataset.name"), "role": "training", "source": text("dataset.source"), "size": line("dataset.size"),
                          "input": text("dataset.input"), "output": text("dataset.output"), "refresh": line("dataset.refresh"), "notes": text("dataset.notes")}],
            "testing": text("data.testing"), "production_gap": text("data.production_gap"),
        },
        "baselines": [{"id": "evil_baseline", "name": line("baseline.name"), "kind": "rule_based", "description": text("baseline.description"),
                       "results": {"evil_metric": 0.6, "biz": 9}, "measured_on": line("baseline.measured_on"),
                       "reference": "javascript:alert('baseline.reference')"}],
        "prototype": {"tool": "other", "url": "https://example.com/\"><script>alert('prototype.url')</script>",
                      "description": text("prototype.description"), "feedback": text("prototype.feedback")},
        "deployment": {"mode": "online", "schedule": line("deployment.schedule"), "infrastructure": "other",
                       "serving_stack": [line("deployment.stack"), text("deployment.stack")], "architecture": text("deployment.architecture"),
                       "cold_start": text("deployment.cold_start"), "rollout": text("deployment.rollout")},
        "monitoring": {
            "monitors": [{"metric": "evil_metric", "alert_when": "below", "threshold": 0.7, "window": line("monitor.window"), "action": text("monitor.action")}],
            "error_analysis": text("monitoring.error_analysis"), "sme_review": text("monitoring.sme_review"),
            "retraining_triggers": [{"when": line("trigger.when"), "action": "retrain", "notes": text("trigger.notes")}],
        },
        "iterations": [
            {"date": "2026-01-04", "kind": "finding", "summary": text("iteration.summary"), "details": text("iteration.details")},
            {"date": "2026-01-05", "kind": "incident", "summary": line("iteration.summary")},
        ],
    }  # fmt: skip


SNIPPETS = """\
  - pymdownx.snippets:
      base_path: [{root}]
  - pymdownx.magiclink
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, copy_site, build_site):
    root = copy_site(tmp_path_factory.mktemp("xss") / "repo")
    spec_path = root / "projects" / "xss.yaml"
    spec_path.write_text(yaml.safe_dump(hostile_spec(), allow_unicode=True, sort_keys=False, width=10**6), encoding="utf-8")
    config = root / "mkdocs.yml"
    source = config.read_text(encoding="utf-8")
    assert source.count("\nmarkdown_extensions:\n") == 1
    extra = SNIPPETS.format(root=json.dumps(str(root)))
    config.write_text(source.replace("\nmarkdown_extensions:\n", "\nmarkdown_extensions:\n" + extra), encoding="utf-8")
    return build_site(root)


@pytest.fixture(scope="module")
def hostile_site(hostile) -> Path:
    assert hostile.error is None, f"{hostile.error!r}\n" + "\n".join(hostile.logged())
    return hostile.site


def test_hostile_spec_is_a_valid_spec(hostile) -> None:
    run = Checker(load_schema(hostile.root / "schemas" / "project.schema.json")).check_paths(
        [hostile.root / "projects" / "xss.yaml"], root=hostile.root)
    assert [d.format() for d in run.diagnostics] == []


def test_hostile_spec_builds_strictly_without_warnings(hostile) -> None:
    assert hostile.error is None, repr(hostile.error)
    assert hostile.logged() == []


def test_snippets_are_armed(hostile) -> None:
    """Guard for the test itself: with this configuration, Markdown that asks for a snippet
    does get the file, so the payload below is a real attempt."""
    config = load_config(str(hostile.root / "mkdocs.yml"))
    md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
    assert "exclude_docs" in md.convert('--8<-- "mkdocs.yml"\n')


# --------------------------------------------------------------------------------------------
# No live markup
# --------------------------------------------------------------------------------------------

HOSTILE_PAGES = [f"projects/xss/{p}" for p in PROJECT_PAGES] + list(PORTFOLIO_PAGES)


def reference_url(url: str) -> str:
    """The same page for a normal project (or the same portfolio page) in the normal site."""
    return url.replace("projects/xss/", f"projects/{REFERENCE_PROJECT}/")


def scripts(root) -> set[tuple[str | None, str]]:
    return {(s.attrs.get("src"), "" if s.attrs.get("src") else s.text().strip()) for s in root.find_all("script")}


def test_no_event_handler_attribute(hostile_site: Path, html) -> None:
    found = []
    for url in HOSTILE_PAGES:
        root = html(hostile_site / url / "index.html")
        found += [f"{url}: <{n.tag} {k}={v!r}>" for n in root.iter() for k, v in n.attrs.items() if k.lower().startswith("on")]
    assert found == []


def test_no_script_url(hostile_site: Path, html) -> None:
    found = []
    for url in HOSTILE_PAGES:
        for n in html(hostile_site / url / "index.html").iter():
            for name in URL_ATTRIBUTES:
                value = n.attrs.get(name)
                if value and BAD_SCHEME.match(re.sub(r"[\x00-\x20]", "", value)):
                    found.append(f"{url}: <{n.tag} {name}={value!r}>")
    assert found == []


def test_only_the_sites_own_scripts(hostile_site: Path, site: Path, html) -> None:
    found = []
    for url in HOSTILE_PAGES:
        own = scripts(html(site / reference_url(url) / "index.html"))
        found += [f"{url}: {script}" for script in sorted(scripts(html(hostile_site / url / "index.html")) - own, key=str)]
    assert found == []


def test_no_frames_or_plugins(hostile_site: Path, html) -> None:
    found = []
    for url in HOSTILE_PAGES:
        root = html(hostile_site / url / "index.html")
        found += [f"{url}: <{n.tag} {n.attrs}>" for n in root.iter() if n.tag in FORBIDDEN_ELEMENTS]
        found += [f"{url}: <meta refresh>" for n in root.find_all("meta") if (n.attrs.get("http-equiv") or "").lower() == "refresh"]
    assert found == []


def test_nothing_of_mkdocs_yml_is_included(hostile_site: Path) -> None:
    found = []
    for url in HOSTILE_PAGES:
        page = (hostile_site / url / "index.html").read_text(encoding="utf-8")
        found += [f"{url}: {m!r}" for m in CONFIG_MARKERS if m in page]
    assert found == []


def test_search_index_entries_hold_no_markup(hostile_site: Path) -> None:
    from html.parser import HTMLParser

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "img", "svg", "iframe") or any(k.startswith("on") for k, _ in attrs):
                self.found.append(tag)

    index = json.loads((hostile_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = [d for d in index["docs"] if d["location"].startswith("projects/xss/")]
    assert docs
    live = []
    for doc in docs:
        for key in ("title", "text"):
            parser = Tags()
            parser.feed(doc[key])
            if parser.found:
                live.append(f"{doc['location']} {key}: {parser.found}")
    assert live == []


# --------------------------------------------------------------------------------------------
# The text shows as typed
# --------------------------------------------------------------------------------------------


def test_title_shows_exactly_as_typed(hostile_site: Path, html, content) -> None:
    title = hostile_spec()["title"]
    for url in (f"projects/xss/{p}" for p in PROJECT_PAGES):
        h1 = content(html(hostile_site / url / "index.html")).find("h1")
        assert h1 is not None
        shown = h1.words().removesuffix("¶").strip()
        assert shown.endswith(" ".join(title.split())), url


def test_browser_tab_title_shows_the_title_as_text(hostile_site: Path, html) -> None:
    """<title> is text to a browser; what it holds must be the project title, whole."""
    title = " ".join(hostile_spec()["title"].split())
    for url in (f"projects/xss/{p}" for p in PROJECT_PAGES):
        head = html(hostile_site / url / "index.html").find("title")
        assert head is not None, url
        assert title in head.words(), f"{url}: <title> ends early, after {head.words()[-40:]!r}"


def test_free_text_shows_the_payloads_as_text(hostile_site: Path, html, content) -> None:
    shown = content(html(hostile_site / "projects" / "xss" / "index.html")).text()
    for expected in (
        "<script>alert('summary')</script>",
        "<img src=x onerror=alert('summary')>",
        "<svg onload=alert('summary')>",
        "{: onclick=\"alert('summary')\" }",
        '--8<-- "mkdocs.yml"',
        "<!-- x -->",
        "# evil",
        "</title><script>alert('summary')</script>",
    ):
        assert expected in shown, expected
    # The fence the summary never closed is closed: the page goes on after it.
    assert "<script>alert('summary-fence')</script>" in shown
    assert "Lifecycle" in shown.split("summary-fence", 1)[1]


def test_one_line_values_show_as_typed(hostile_site: Path, html, content) -> None:
    spec = hostile_spec()
    overview = content(html(hostile_site / "projects" / "xss" / "index.html")).words()
    for value in (spec["team"], spec["owners"][0]["name"], spec["sme"]["name"]):
        assert " ".join(value.split()) in overview, value[:20]
    home = content(html(hostile_site / "index.html")).words()
    assert " ".join(spec["team"].split()) in home
    assert " ".join(spec["title"].split()) in home


def test_unsafe_links_keep_only_their_label(hostile_site: Path, html, content) -> None:
    """Links the spec text writes survive only with http(s) targets (tags link to the tags page)."""
    for url in (f"projects/xss/{p}" for p in PROJECT_PAGES):
        body = content(html(hostile_site / url / "index.html"))
        hrefs = [a.attrs.get("href") or "" for a in body.find_all("a") if "md-tag" not in a.classes()]
        written = [h for h in hrefs if not h.startswith("#") and ("alert" in h or "javascript" in h.lower())]
        assert [h for h in written if not h.startswith("https://example.com/")] == [], url


def test_tag_names_show_as_typed(hostile_site: Path, html, content) -> None:
    tags = hostile_spec()["tags"]
    listed = sorted(t.words() for t in content(html(hostile_site / "tags" / "index.html")).find_all("span", "md-tag"))
    on_page = sorted(t.words() for nav in html(hostile_site / "projects" / "xss" / "index.html").find_all("nav", "md-tags")
                     for t in nav.find_all(cls="md-tag"))
    expected = sorted(" ".join(t.split()) for t in tags)
    assert on_page == expected
    assert [t for t in expected if t not in listed] == []


# --------------------------------------------------------------------------------------------
# Files stay where they belong
# --------------------------------------------------------------------------------------------


def test_every_file_stays_inside_the_site(hostile_site: Path) -> None:
    root = hostile_site.resolve()
    outside = []
    for path in hostile_site.rglob("*"):
        relative = path.relative_to(hostile_site)
        if ".." in relative.parts or not path.resolve().is_relative_to(root):
            outside.append(relative.as_posix())
    assert outside == []
    assert not (hostile_site.parent / "escape").exists()


def test_hostile_tags_and_team_add_no_files(hostile_site: Path, site: Path) -> None:
    """Tags and teams are sections of the portfolio pages, never files named after them."""
    normal = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    with_hostile = {p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*") if p.is_file()}
    assert sorted(with_hostile - normal) == sorted(f"projects/xss/{p}index.html" for p in PROJECT_PAGES)
    assert sorted(normal - with_hostile) == []


def test_team_anchor_is_a_slug(hostile_site: Path, html, content) -> None:
    body = content(html(hostile_site / "teams" / "index.html"))
    team = " ".join(hostile_spec()["team"].split())
    headings = [h for h in body.find_all("h2") if team in h.words()]
    assert len(headings) == 1
    assert re.fullmatch(r"[\w-]+", headings[0].attrs.get("id") or ""), headings[0].attrs.get("id")
