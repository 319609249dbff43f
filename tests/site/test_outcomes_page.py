"""Outcomes on the built site: each metric's path and status, its chart (inline SVG, no
script, the values in its label, the same bytes every time), the A/B result and decision,
the evaluation table, and what ``projects.json`` carries."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlfolio.analysis.model import load_portfolio
from mlfolio.spec.values import format_value
from mlfolio.analysis.verdict import DEFAULT_RULES
from mlfolio.pages.builder import PageBuilder
from mlfolio.pages.labels import Labels
from mlfolio.pages.layout import SiteLayout
from mlfolio.pages.outcomes import chart
from mlfolio.pages.render import environment, render_page
from mlfolio.spec.loader import load_file
from mlfolio.spec.schema import load_schema

REPO = Path(__file__).resolve().parents[2]
FEED, CRM, CHURN, HOUSE = "projects/feed-ranking/", "projects/crm-repurchase/", "projects/churn-recommender/", "projects/house-prices/"
EN = Labels("en")


def after(root: Any, heading_id: str, tag: str) -> Any:
    """The first ``tag`` element after the heading with ``heading_id`` (in document order)."""
    seen = False
    for node in root.iter():
        if node.attrs.get("id") == heading_id:
            seen = True
        elif seen and node.tag == tag:
            return node
    raise AssertionError(f"no <{tag}> after #{heading_id}")


def rows(table: Any) -> list[list[str]]:
    return [[cell.words() for cell in tr.find_all() if cell.tag in ("th", "td")] for tr in table.find_all("tr")]


@pytest.fixture(scope="module")
def portfolio():
    return load_portfolio([REPO / "projects"], load_schema(REPO / "schemas" / "project.schema.json"), root=REPO)


# -- metrics: path, status, chart ------------------------------------------------------------


def test_the_key_metrics_show_the_latest_value_and_the_status(page) -> None:
    table = after(page(FEED), "key-metrics", "table")
    header, *body = rows(table)
    assert header == ["Metric", "Best baseline", "Before", "Target", "Latest", "Status"]
    by_name = {r[0]: r for r in body}
    assert by_name["7-day return-visit rate"] == ["7-day return-visit rate", "42%", "42%", "46%", "45.1% 2026-10-04", "On track"]
    assert by_name["Click-bait share"][-1] == "Target met"
    assert by_name["Report rate"][-1] == "Off track"
    badges = table.find_all("span", cls="mlfolio-badge")
    assert {b.attrs["class"] for b in badges} >= {"mlfolio-badge mlfolio-status-on_track", "mlfolio-badge mlfolio-status-off_track"}


def test_the_metrics_table_has_the_same_path(page) -> None:
    header = rows(after(page(FEED), "metrics", "table"))[0]
    assert header == ["Metric", "Kind", "Direction", "Best baseline", "Before", "Target", "Latest", "Status"]


def test_a_project_before_release_without_observations_keeps_its_tables(page) -> None:
    root = page(HOUSE)
    assert rows(after(root, "key-metrics", "table"))[0] == ["Metric", "Current", "Target", "Best baseline"]
    assert root.find(id="observations") is None and root.find("svg", cls="mlfolio-trend") is None


def test_every_observed_metric_has_a_chart_that_says_its_values(page, portfolio) -> None:
    root = page(FEED)
    feed = next(p for p in portfolio.projects if p.id == "feed-ranking")
    charts = root.find_all("svg", cls="mlfolio-trend")
    observed = [m for m in feed.metrics if m.observations]
    assert len(charts) == len(observed) == 7
    for svg, metric in zip(charts, observed, strict=True):
        assert svg.attrs["role"] == "img"
        label = svg.attrs["aria-label"] or ""
        assert label.startswith(f"{metric.name}: ")
        for o in metric.observations:
            assert f"{o.date} {format_value(o.value, metric.unit)}" in label
        assert f"Status: {EN['status_' + metric.status]}." in label
        if metric.target is not None:
            assert f"Target {format_value(metric.target, metric.unit)}." in label
        circles = svg.find_all("circle")
        assert len(circles) == len(metric.observations)
        assert [c.find("title").words() for c in circles] == [
            f"{o.date}: {format_value(o.value, metric.unit)} ({o.source})" for o in metric.observations]
        for node in svg.iter():
            assert node.tag in ("svg", "line", "polyline", "circle", "title"), node.tag
            assert not any(name.lower().startswith("on") or name == "href" for name in node.attrs), node.attrs


def test_the_chart_points_follow_the_dates_and_the_values(page) -> None:
    svg = page(FEED).find_all("svg", cls="mlfolio-trend")[0]  # return_rate_7d: higher is better, higher is up
    width, height = (float(v) for v in svg.attrs["viewbox"].split()[2:])
    xs = [float(c.attrs["cx"]) for c in svg.find_all("circle")]
    ys = [float(c.attrs["cy"]) for c in svg.find_all("circle")]
    assert xs == sorted(xs) and xs[0] < xs[-1] and all(0 <= x <= width for x in xs)
    assert all(0 <= y <= height for y in ys)
    target = float(svg.find("line", cls="mlfolio-trend-target").attrs["y1"])
    before = float(svg.find("line", cls="mlfolio-trend-before").attrs["y1"])
    assert target < min(ys) and before > max(ys)  # 46% above every point, 42% below
    assert "mlfolio-trend-latest" in svg.find_all("circle")[-1].classes()


def test_the_page_has_no_script_of_ours(site_build) -> None:
    text = site_build.text(FEED)
    outcomes = text[text.index('id="observations"'):text.index('id="labels"')]
    assert "<script" not in outcomes.lower() and "javascript:" not in outcomes.lower()


def test_the_chart_is_the_same_bytes_from_another_render(site_build, portfolio) -> None:
    """The built page's charts equal the charts of a fresh in-process render of the same project."""
    schema = load_schema(REPO / "schemas" / "project.schema.json")
    builder = PageBuilder(schema, EN, SiteLayout(), DEFAULT_RULES)
    builder.index(portfolio)
    feed = next(p for p in portfolio.projects if p.id == "feed-ranking")
    html = render_page(environment(EN), builder.project_page(feed)).html
    svgs = re.findall(r"<svg class=\"mlfolio-trend\".*?</svg>", html, re.S)
    assert len(svgs) == 7
    assert svgs == re.findall(r"<svg class=\"mlfolio-trend\".*?</svg>", site_build.text(FEED), re.S)
    again = render_page(environment(EN), builder.project_page(feed)).html
    assert re.findall(r"<svg class=\"mlfolio-trend\".*?</svg>", again, re.S) == svgs
    metric = feed.metric("return_rate_7d")
    assert chart(metric, EN) == chart(metric, EN)


def test_the_observations_are_listed_newest_first_with_their_links(page) -> None:
    root = page(FEED)
    outcome = root.find_all("div", cls="mlfolio-outcome")[0]
    header, *body = rows(outcome.find("table"))
    assert header == ["Date", "Value", "Measured in", "Note"]
    assert [r[0] for r in body] == ["2026-10-04", "2026-08-02", "2026-06-07", "2026-04-05", "2026-03-01", "2026-02-01"]
    assert body[-1][1:] == ["44.4%", "A/B test, treatment group", "Control: 42.3%."]
    links = outcome.find("table").find_all("a")
    assert links and all(a.attrs["href"] == "https://grafana.example.com/d/home-feed" for a in links)
    path = outcome.find("p", cls="mlfolio-outcome-path").words()
    assert path == "Best baseline 42% (Reverse-chronological (before this project)) → Before 42% → Target 46% → Latest 45.1% (2026-10-04)"


# -- the A/B result and the evaluation --------------------------------------------------------


def test_the_ab_result_and_decision_are_shown(page) -> None:
    root = page(CRM)
    heading = root.find(id="ab-test-result")
    assert heading is not None and heading.tag == "h4"
    assert root.find("span", cls="mlfolio-decision-ship").words() == "Ship"
    header, row = rows(after(root, "ab-test-result", "table"))
    assert header == ["Metric", "Control", "Treatment", "Lift (%)", "p-value", "Significant"]
    assert row == ["30일 재구매율", "18.5%", "20.3%", "+9.7%", "—", "Yes"]
    # shown once: not also among the A/B test's other fields
    assert sum(1 for h in root.find_all("h4") if h.words().startswith("Result")) == 1


def test_the_evaluation_is_a_table_against_the_baselines_and_targets(page) -> None:
    root = page(CHURN)
    header, *body = rows(after(root, "evaluation", "table"))
    assert header == ["Data set", "Segment", "Metric", "Value", "Best baseline", "Target", "Against"]
    assert body[0] == ["Holdout, June 2026", "whole set", "Recall@20", "0.29",
                       "0.27 (SASRec (self-attentive sequential recommendation))", "0.3", "beats the baseline, below target"]
    segments = [r for r in body if r[1] != "whole set"]
    assert len(segments) == 2 and all(r[4] == "—" for r in segments)


# -- projects.json ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records(site: Path) -> dict[str, Any]:
    doc = json.loads((site / "projects.json").read_text(encoding="utf-8"))
    return {r["id"]: r for r in doc["projects"]}


def test_projects_json_carries_observations_and_statuses(records) -> None:
    metrics = {m["id"]: m for m in records["feed-ranking"]["outcomes"]["metrics"]}
    rate = metrics["return_rate_7d"]
    assert rate["status"] == "on_track" and rate["direction"] == "maximize" and rate["unit"] == "%"
    assert (rate["before"], rate["target"]) == (42.0, 46.0)
    assert rate["baseline"] == {"id": "reverse_chron", "value": 42.0}
    assert rate["latest"] == {"date": "2026-10-04", "value": 45.1, "source": "Production dashboard, monthly"}
    assert [o["date"] for o in rate["observations"]] == sorted(o["date"] for o in rate["observations"])
    assert rate["observations"][0] == {"date": "2026-02-01", "value": 44.4, "source": "A/B test, treatment group", "link": None,
                                       "note": "Control: 42.3%."}
    assert metrics["report_rate"]["status"] == "off_track"
    assert records["feed-ranking"]["outcomes"]["ab_decision"] == "ship"
    assert all(m["status"] == "no_data" and m["observations"] == [] and m["latest"] is None
               for m in records["house-prices"]["outcomes"]["metrics"])


def test_projects_json_carries_the_evaluation(records) -> None:
    evaluation = records["churn-recommender"]["outcomes"]["evaluation"]
    assert evaluation[0] == {"dataset": "holdout_2026_06", "segment": None, "metric": "recall_at_20", "value": 0.29,
                             "baseline": {"id": "sasrec", "value": 0.27}}
    assert evaluation[3]["segment"] == "shoppers with fewer than 3 interactions" and evaluation[3]["baseline"] is None
    assert records["churn-recommender"]["outcomes"]["ab_decision"] is None


# -- a released project that records nothing ---------------------------------------------------


def test_a_released_project_without_observations_says_so(site_copy: Path, build_site, html) -> None:
    path = site_copy / "projects" / "crm-repurchase.yaml"
    data = load_file(path).data
    for metric in data["metrics"]:
        metric.pop("observations", None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9), encoding="utf-8")
    built = build_site(site_copy)
    assert built.error is None, built.logged()
    root = html(built.file(CRM))
    assert after(root, "observations", "p").words() == EN["observations_expected"]
    assert root.find("svg", cls="mlfolio-trend") is None
    statuses = [r[-1] for r in rows(after(root, "key-metrics", "table"))[1:]]
    assert statuses and set(statuses) == {"No data"}


# -- text from the spec is data ----------------------------------------------------------------


def test_spec_text_in_outcomes_is_escaped(tmp_path: Path, html: Any) -> None:
    """Sources, segments, notes and links of observations, results and evaluations cannot add markup."""
    evil = '<script>alert(1)</script><svg onload="x()">'
    data = load_file(REPO / "projects" / "feed-ranking.yaml").data
    metric = data["metrics"][0]
    metric["observations"][0].update(source=f"dash {evil}", note=f"[x](javascript:alert(1)) {evil}")
    metric["name"] = f"Rate {evil}"
    data["ab_test"]["result"]["note"] = f"note {evil}"
    data["evaluation"] = {"model": f"m {evil}", "results": [
        {"dataset": "quality_holdout", "segment": f"seg {evil}", "metric": "quality_pr_auc", "value": 0.7}]}
    (tmp_path / "projects").mkdir()
    (tmp_path / "projects" / "feed-ranking.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9), encoding="utf-8")
    schema = load_schema(REPO / "schemas" / "project.schema.json")
    portfolio = load_portfolio([tmp_path / "projects"], schema, root=tmp_path)
    [project] = portfolio.projects
    builder = PageBuilder(schema, EN, SiteLayout(), DEFAULT_RULES)
    builder.index(portfolio)
    parse, html = html, render_page(environment(EN), builder.project_page(project)).html
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    for node in parse(tmp_path / "page.html").iter():
        assert node.tag != "script" and not any(name.startswith("on") for name in node.attrs), node
        assert not (node.attrs.get("href") or "").startswith("javascript:"), node
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6  # aria-label, dot title, name, source, model, segment


# -- monitors: the last observation against the alert line -------------------------------------


def test_a_monitor_shows_the_last_observation_against_its_alert_line(page) -> None:
    items = [li.words() for li in after(page(CRM), "watched", "ul").find_all("li")]
    assert "푸시 수신 거부율: alert above 0.5% (7일); last observed 0.43% (2026-06-07): within the threshold" in items


def test_a_monitor_whose_last_observation_crosses_the_line_raises_the_alert(portfolio) -> None:
    import dataclasses

    from mlfolio.analysis.outcomes import Observation

    crm = next(p for p in portfolio.projects if p.id == "crm-repurchase")
    metrics = tuple(dataclasses.replace(m, observations=(*m.observations, Observation("2026-06-14", 0.61, "dashboard")))
                    if m.id == "unsubscribe_rate" else m for m in crm.metrics)
    assert metrics != crm.metrics, "the example's push opt-out metric id changed"
    schema = load_schema(REPO / "schemas" / "project.schema.json")
    builder = PageBuilder(schema, EN, SiteLayout("", True), DEFAULT_RULES)
    builder.portfolio_pages(portfolio)
    html = render_page(environment(EN), builder.project_page(dataclasses.replace(crm, metrics=metrics))).html
    assert ("last observed 0.61% (2026-06-14): <strong class=\"mlfolio-alerting\">the alert is raised</strong>" in html)
