"""Outcomes: a metric's status, the offline evaluation against the baselines, the chart's
coordinates, and the outcome rules (each fires on one small edit of an example spec, at the
value's line and column, and only then)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlfolio.analysis.model import load_portfolio
from mlfolio.analysis.outcomes import (
    NO_DATA,
    OFF_TRACK,
    ON_TRACK,
    STATUSES,
    TARGET_MET,
    Observation,
    evaluation_results,
    observations_of,
    status,
)
from mlfolio.pages.labels import LABELS, Labels
from mlfolio.spec.diagnostics import Diagnostic, Severity
from mlfolio.spec.loader import load_bytes
from mlfolio.spec.outcome_rules import OUTCOME_RULES
from mlfolio.spec.rules import RULES, run_rules
from mlfolio.spec.schema import load_schema

REPO = Path(__file__).resolve().parents[2]
FEED, CRM, CHURN = "feed-ranking", "crm-repurchase", "churn-recommender"


def obs(*values: float, start: int = 1) -> tuple[Observation, ...]:
    """Observations on consecutive days of March 2026, oldest first."""
    return tuple(Observation(f"2026-03-{start + i:02d}", v, "dashboard") for i, v in enumerate(values))


# -- the status --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "before", "target", "values", "expected"),
    [
        # no observation: no data, whatever else is known
        ("maximize", 42, 46, (), NO_DATA),
        ("minimize", 6.2, 5.0, (), NO_DATA),
        # at or beyond the target: met (equal counts as met)
        ("maximize", 42, 46, (44, 46.5), TARGET_MET),
        ("maximize", 42, 46, (46,), TARGET_MET),
        ("minimize", 6.2, 5.0, (4.8,), TARGET_MET),
        ("minimize", 6.2, 5.0, (5.0,), TARGET_MET),
        # better than before, short of the target: on track
        ("maximize", 42, 46, (45.1,), ON_TRACK),
        ("minimize", 6.2, 5.0, (5.9,), ON_TRACK),
        # equal to before (no progress) or worse: off track
        ("maximize", 42, 46, (42,), OFF_TRACK),
        ("maximize", 42, 46, (44, 41.9), OFF_TRACK),
        ("minimize", 6.2, 5.0, (6.2,), OFF_TRACK),
        ("minimize", 6.2, 5.0, (5.5, 6.3), OFF_TRACK),
        # only the latest counts: an earlier observation at the target does not make it met
        ("maximize", 42, 46, (47, 45), ON_TRACK),
        # no value before: the first observation is where progress is measured from
        ("maximize", None, 0.80, (0.78, 0.79), ON_TRACK),
        ("maximize", None, 0.80, (0.79, 0.79), OFF_TRACK),
        ("minimize", None, 0.5, (0.7, 0.9), OFF_TRACK),
        ("minimize", None, 0.5, (0.7, 0.5), TARGET_MET),
        # ... and with a single observation short of the target, there is nothing to measure from
        ("maximize", None, 0.80, (0.79,), NO_DATA),
        ("maximize", None, 0.80, (0.81,), TARGET_MET),
        # no target: never met; progress still counts in the metric's direction
        ("maximize", 38.2, None, (39,), ON_TRACK),
        ("maximize", 38.2, None, (38.2,), OFF_TRACK),
        ("minimize", 38.2, None, (37,), ON_TRACK),
        ("minimize", 38.2, None, (40,), OFF_TRACK),
        ("maximize", None, None, (1,), NO_DATA),
    ],
)
def test_status(direction: str, before: float | None, target: float | None, values: tuple[float, ...], expected: str) -> None:
    assert status(direction, before, target, obs(*values)) == expected


def test_the_four_statuses_are_all_there_are() -> None:
    assert STATUSES == (TARGET_MET, ON_TRACK, OFF_TRACK, NO_DATA)


def test_latest_is_by_date_and_a_shared_date_keeps_the_order_written() -> None:
    metric = {"observations": [
        {"date": "2026-05-01", "value": 3, "source": "b"},
        {"date": "2026-04-01", "value": 1, "source": "a"},
        {"date": "2026-05-01", "value": 4, "source": "c"},
    ]}
    found = observations_of(metric)
    assert [o.source for o in found] == ["a", "b", "c"]
    assert status("maximize", 2, 10, found) == ON_TRACK  # the latest is 4, the last written of 2026-05-01


def test_the_examples_statuses() -> None:
    portfolio = load_portfolio([REPO / "projects"], load_schema(REPO / "schemas" / "project.schema.json"), root=REPO)
    got = {(p.id, m.id): m.status for p in portfolio.projects for m in p.metrics}
    assert got[(FEED, "return_rate_7d")] == ON_TRACK
    assert got[(FEED, "clickbait_share")] == TARGET_MET  # minimize
    assert got[(FEED, "report_rate")] == OFF_TRACK  # minimize, worse than before
    assert got[(FEED, "engagement_auc")] == ON_TRACK  # no value before: from the first observation
    assert got[(CRM, "unsubscribe_rate")] == OFF_TRACK
    assert got[(CRM, "uplift_top20")] == NO_DATA
    feed = next(p for p in portfolio.projects if p.id == FEED)
    latest = feed.metric("return_rate_7d").latest
    assert latest is not None and (latest.date, latest.value) == ("2026-10-04", 45.1)
    released = {p.id for p in portfolio.projects if p.stage in ("deployed", "monitoring")}
    assert released and all(any(m.observations for m in p.metrics) for p in portfolio.projects if p.id in released)
    assert all(p.data.get("ab_test", {}).get("result") for p in portfolio.projects if p.id in released)


# -- the evaluation against the baselines ------------------------------------------------------


def test_evaluation_takes_the_best_baseline_on_the_same_data_set_and_none_for_a_segment() -> None:
    data: dict[str, Any] = {
        "baselines": [
            {"id": "a", "results": {"rmse": 30, "auc": 0.6}, "measured_on": "test"},
            {"id": "b", "results": {"rmse": 25, "auc": 0.7}, "measured_on": "test"},
            {"id": "c", "results": {"rmse": 10, "auc": 0.9}, "measured_on": "other"},  # another data set
            {"id": "d", "results": {"rmse": 5}},  # measured on who knows what
        ],
        "evaluation": {"results": [
            {"dataset": "test", "metric": "rmse", "value": 25},
            {"dataset": "test", "metric": "auc", "value": 0.8},
            {"dataset": "test", "segment": "new users", "metric": "auc", "value": 0.5},
            {"dataset": "holdout", "metric": "auc", "value": 0.8},
        ]},
    }
    rmse, auc, segment, elsewhere = evaluation_results(data, {"rmse": "minimize", "auc": "maximize"})
    assert (rmse.baseline_id, rmse.baseline_value) == ("b", 25)  # lower is better
    assert rmse.beats_baseline("minimize") is False  # a tie does not beat it
    assert (auc.baseline_id, auc.baseline_value, auc.beats_baseline("maximize")) == ("b", 0.7, True)
    assert (segment.segment, segment.baseline_id, segment.beats_baseline("maximize")) == ("new users", None, None)
    assert elsewhere.baseline_id is None


# -- labels ------------------------------------------------------------------------------------


def test_every_status_has_a_label_in_both_languages() -> None:
    keys = {f"status_{s}" for s in STATUSES} | {"before", "latest", "status", "chart_latest_of", "observations_expected",
                                                 "outcome_note", "chart_legend", "beats_baseline", "below_baseline",
                                                 "below_target", "whole_set", "computed", "against", "evaluation_note"}
    for language in ("en", "ko"):
        assert keys <= set(LABELS[language]), keys - set(LABELS[language])
    assert Labels("ko")["status_off_track"] != Labels("en")["status_off_track"]


# -- the rules ---------------------------------------------------------------------------------


def test_the_outcome_rules_are_registered() -> None:
    assert set(OUTCOME_RULES) <= set(RULES)


def load(text: str) -> Any:
    loaded = load_bytes(text.encode("utf-8"), "x.yaml")
    assert loaded.ok, loaded.diagnostics
    return loaded


def found(check_text, text: str, ident: str, rule: str) -> list[Diagnostic]:
    return [d for d in check_text(text, f"projects/{ident}.yaml") if d.rule == rule]


def at(text: str, path: tuple[str | int, ...]) -> tuple[int, int]:
    pos = load(text).positions.value(path)
    return pos.line, pos.column


def test_the_examples_with_outcomes_are_clean(check_text, feed, crm, churn) -> None:
    for ident, text in ((FEED, feed), (CRM, crm), (CHURN, churn)):
        assert check_text(text, f"projects/{ident}.yaml") == []


def _metric_index(text: str, metric_id: str) -> int:
    return next(i for i, m in enumerate(load(text).data["metrics"]) if m["id"] == metric_id)


def test_an_evaluation_result_names_a_metric_that_exists(check_text, churn, replace_once) -> None:
    text = replace_once(churn, "      metric: ndcg_at_20\n      value: 0.17", "      metric: ndcg_at_10\n      value: 0.17")
    [d] = found(check_text, text, CHURN, "metric-ref")
    data = load(text).data
    i = next(i for i, r in enumerate(data["evaluation"]["results"]) if r["metric"] == "ndcg_at_10")
    assert (d.line, d.column, d.severity, d.path) == (*at(text, ("evaluation", "results", i, "metric")), Severity.ERROR,
                                                      f"evaluation.results[{i}].metric")
    assert d.message.startswith("'ndcg_at_10' is not a metric id defined in metrics (defined: churn_rate_90d, ")


def test_an_evaluation_result_names_a_data_set_that_exists(check_text, churn, replace_once) -> None:
    text = replace_once(churn, "    - dataset: holdout_2026_06\n      metric: ndcg_at_20", "    - dataset: holdout_june\n      metric: ndcg_at_20")
    [d] = found(check_text, text, CHURN, "dataset-ref")
    i = next(i for i, r in enumerate(load(text).data["evaluation"]["results"]) if r["dataset"] == "holdout_june")
    assert (d.line, d.column, d.severity) == (*at(text, ("evaluation", "results", i, "dataset")), Severity.ERROR)
    assert d.message == ("'holdout_june' is not a data set id defined in data.datasets "
                         "(defined: events_2025_2026, holdout_2026_06, live_requests)")


def test_observations_out_of_order_are_warned_at_the_later_one(check_text, feed, replace_once) -> None:
    text = replace_once(feed, '      - date: "2026-03-01"\n        value: 44.2', '      - date: "2026-01-20"\n        value: 44.2')
    [d] = found(check_text, text, FEED, "observation-order")
    i = _metric_index(text, "return_rate_7d")
    first_line = at(text, ("metrics", i, "observations", 0, "date"))[0]
    assert (d.line, d.column, d.severity) == (*at(text, ("metrics", i, "observations", 1, "date")), Severity.WARNING)
    assert d.message == f"observation dated 2026-01-20 comes after one dated 2026-02-01 (line {first_line}): list observations oldest first"
    assert d.path == f"metrics[{i}].observations[1].date"


def test_a_shared_date_is_in_order(check_text, feed, replace_once) -> None:
    text = replace_once(feed, '      - date: "2026-03-01"\n        value: 44.2', '      - date: "2026-02-01"\n        value: 44.2')
    assert found(check_text, text, FEED, "observation-order") == []


def test_an_observation_after_updated_is_warned(check_text, feed, replace_once) -> None:
    text = replace_once(feed, '      - date: "2026-10-04"\n        value: 45.1', '      - date: "2026-10-20"\n        value: 45.1')
    [d] = found(check_text, text, FEED, "observation-date")
    i = _metric_index(text, "return_rate_7d")
    assert (d.line, d.column, d.severity) == (*at(text, ("metrics", i, "observations", 5, "date")), Severity.WARNING)
    assert d.message == "observation dated 2026-10-20 is after `updated` (2026-10-19): update `updated`, or correct the date"
    assert found(check_text, replace_once(text, 'updated: "2026-10-19"', 'updated: "2026-10-20"'), FEED, "observation-date") == []


def test_an_ab_result_that_ends_before_it_starts(check_text, feed, replace_once) -> None:
    text = replace_once(feed, '    end: "2026-02-01"', '    end: "2026-01-01"')
    [d] = [d for d in found(check_text, text, FEED, "date-order") if d.path.startswith("ab_test")]
    assert (d.line, d.column, d.path) == (*at(text, ("ab_test", "result", "end")), "ab_test.result.end")
    assert d.message == "the test ends (2026-01-01) before it starts (2026-01-05)"


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        # a fraction written for a percentage
        ('        value: 44.4\n        source: "A/B test, treatment group"', '        value: 0.444\n        source: "A/B test, treatment group"',
         ("metrics", "return_rate_7d", "observations", 0, "value"),
         "observed value 0.444 is 1/95 the current value 42% of 'return_rate_7d': write it in the metric's unit (%), "
         "as its current value is written"),
        ("    control: 42.3\n", "    control: 4230\n", ("ab_test", "result", "control"),
         "control value 4,230 is 101 times the current value 42% of 'return_rate_7d': write it in the metric's unit (%), "
         "as its current value is written"),
    ],
    ids=["observation", "ab-control"],
)
def test_a_value_in_another_unit_is_warned(check_text, feed, replace_once, old, new, path, message) -> None:
    text = replace_once(feed, old, new)
    if path[0] == "metrics":
        path = ("metrics", _metric_index(text, path[1]), *path[2:])
    [d] = found(check_text, text, FEED, "unit-scale")
    assert (d.line, d.column, d.severity, d.message) == (*at(text, path), Severity.WARNING, message)


def test_an_evaluated_value_in_another_unit_is_warned(check_text, churn, replace_once) -> None:
    text = replace_once(churn, "      value: 0.29", "      value: 29")  # Recall@20 as a percentage; its target is 0.30
    [d] = found(check_text, text, CHURN, "unit-scale")
    assert (d.line, d.column) == at(text, ("evaluation", "results", 0, "value"))
    assert d.message == ("evaluated value 29 is 97 times the target value 0.3 of 'recall_at_20': write it in the metric's unit, "
                         "as its target value is written")


def test_a_value_far_beyond_the_target_but_near_it_in_scale_is_not_warned(check_text, feed, replace_once) -> None:
    # NSFW exposure: before 3.1, target 0.5. 0.05 is 1/62 of the value before, but only 1/10 of the target.
    text = replace_once(feed, '      - date: "2026-10-04"\n        value: 0.6', '      - date: "2026-10-04"\n        value: 0.05')
    assert found(check_text, text, FEED, "unit-scale") == []


def test_a_lift_that_is_the_difference_not_the_relative_change(check_text, feed, replace_once) -> None:
    text = replace_once(feed, "    lift: 5.0\n", "    lift: 2.1\n")
    [d] = found(check_text, text, FEED, "ab-lift")
    assert (d.line, d.column, d.severity) == (*at(text, ("ab_test", "result", "lift")), Severity.WARNING)
    assert d.message == ("lift 2.1 does not match control 42.3 and treatment 44.4: (treatment - control) / control * 100 = 4.96; "
                         "lift is the relative change in percent, not the difference")
    assert found(check_text, replace_once(feed, "    lift: 5.0\n", "    lift: 4.6\n"), FEED, "ab-lift") == []  # within rounding


def test_shipping_a_worse_treatment_is_warned(check_text, feed, replace_once) -> None:
    text = replace_once(feed, "    treatment: 44.4\n    lift: 5.0\n", "    treatment: 41.9\n    lift: -0.95\n")
    [d] = found(check_text, text, FEED, "ab-decision")
    assert (d.line, d.column) == at(text, ("ab_test", "result", "decision"))
    assert d.message == ("the decision is to ship, but the treatment (41.9) is worse than the control (42.3) "
                         "on 'return_rate_7d' (direction: maximize)")
    assert found(check_text, replace_once(text, "    decision: ship\n", "    decision: stop\n"), FEED, "ab-decision") == []


def test_shipping_a_result_that_is_not_significant_needs_a_note(check_text, crm, replace_once) -> None:
    text = replace_once(crm, "    significant: true\n", "    significant: false\n")
    assert found(check_text, text, CRM, "ab-decision") == []  # the note says why
    line = next(line for line in text.split("\n") if line.startswith("    note: ") and "p < 0.01" in line)
    bare = replace_once(text, line + "\n", "")
    [d] = found(check_text, bare, CRM, "ab-decision")
    assert (d.line, d.column) == at(bare, ("ab_test", "result", "decision"))
    assert d.message == "the decision is to ship a result that is not significant: say why in `note`"


def test_two_results_for_the_same_cell(check_text, churn, replace_once) -> None:
    text = replace_once(churn, '      segment: "items first listed in June"\n', "")
    [d] = found(check_text, text, CHURN, "duplicate-result")
    first = at(text, ("evaluation", "results", 0, "value"))[0]
    assert (d.line, d.column, d.severity) == (*at(text, ("evaluation", "results", 4, "value")), Severity.WARNING)
    assert d.message == (f"a second result for data set 'holdout_2026_06' and metric 'recall_at_20' (the first is on line {first}): "
                         "keep one value, or name the segments apart")


@pytest.mark.parametrize(
    "spec",
    [
        {"metrics": [{"id": "m", "observations": "x"}, {"observations": [None, {"date": 5}, {"date": "2026-13-01"}]}]},
        {"metrics": [{"id": "m", "unit": ["%"], "current": "1", "target": True, "observations": [{"value": 1e300}]}]},
        {"ab_test": {"metric": "m", "result": [1]}, "metrics": [{"id": "m"}]},
        {"ab_test": {"metric": ["m"], "result": {"control": 0, "treatment": 1, "lift": 5, "decision": "ship", "significant": False}}},
        {"ab_test": {"metric": "m", "result": {"control": "1", "treatment": None, "start": "2026-02-01", "end": "2026-01-01"}}},
        {"evaluation": {"results": [{"dataset": 1, "metric": None}, "x", {"dataset": "d", "metric": "m", "segment": 3}]}},
        {"evaluation": []},
        {"updated": "2026-01-01", "metrics": {"id": "m"}},
    ],
)
def test_the_outcome_rules_tolerate_any_shape(spec: dict[str, Any]) -> None:
    loaded = load_bytes(b"a: 1\n", "x.yaml")  # positions of another document: every lookup falls back
    for rule in OUTCOME_RULES:
        assert all(isinstance(d, Diagnostic) and d.line >= 1 for d in rule(spec, loaded))
    assert all(isinstance(d, Diagnostic) for d in run_rules(spec, loaded))


# -- the chart's coordinates -------------------------------------------------------------------


def _metric(values: tuple[float, ...], current: float | None = 10, target: float | None = 20, direction: str = "maximize") -> Any:
    from mlfolio.analysis.model import Metric

    observations = tuple(Observation(f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}", v, "dashboard") for i, v in enumerate(values))
    return Metric("m", "Metric m", "business", direction, "%", current, target, "", (), observations)


def test_a_chart_spans_the_box_with_the_first_and_latest_at_the_edges() -> None:
    from mlfolio.pages.outcomes import CHART_HEIGHT, CHART_PAD, CHART_WIDTH, chart

    c = chart(_metric((12, 15, 18)), Labels("en"))
    assert c is not None
    xs = [float(p["x"]) for p in c["points"]]
    assert xs[0] == CHART_PAD and xs[-1] == CHART_WIDTH - CHART_PAD
    # the target (20) is the top of the scale, the value before (10) the bottom
    assert (float(c["target_y"]), float(c["before_y"])) == (CHART_PAD, CHART_HEIGHT - CHART_PAD)
    assert c["line"] == " ".join(f"{p['x']},{p['y']}" for p in c["points"])
    assert c["label"] == ("Metric m: 2026-01-01 12%; 2026-01-02 15%; 2026-01-03 18%. Before 10%. Target 20%. Status: On track.")
    assert [p["latest"] for p in c["points"]] == [False, False, True]


def test_a_minimize_chart_is_not_turned_upside_down() -> None:
    from mlfolio.pages.outcomes import chart

    c = chart(_metric((8, 6), current=9, target=5, direction="minimize"), Labels("en"))
    assert c is not None
    assert float(c["points"][0]["y"]) < float(c["points"][1]["y"])  # 8 is drawn above 6
    assert float(c["before_y"]) < float(c["target_y"])


def test_a_single_observation_and_flat_values_have_a_chart() -> None:
    from mlfolio.pages.outcomes import CHART_HEIGHT, CHART_WIDTH, chart

    one = chart(_metric((7,), current=None, target=None), Labels("en"))
    assert one is not None and one["line"] == "" and one["points"][0]["x"] == f"{CHART_WIDTH / 2:.1f}"
    assert one["points"][0]["y"] == f"{CHART_HEIGHT / 2:.1f}" and one["target_y"] is None and one["before_y"] is None
    assert chart(_metric(()), Labels("en")) is None


def test_a_long_history_shows_the_latest_hundred_and_says_so() -> None:
    from mlfolio.pages.outcomes import MAX_CHART_POINTS, chart

    c = chart(_metric(tuple(float(i) for i in range(150)), current=0, target=200), Labels("ko"))
    assert c is not None and len(c["points"]) == MAX_CHART_POINTS
    assert "관측값 150개 중 최근 100개" in c["label"] and c["label"].endswith("상태: 개선 중.")


@pytest.mark.parametrize("value", [1e-310, 5e-324, 1e-200])
def test_a_vanishingly_small_observation_is_a_warning_not_a_crash(value) -> None:
    from mlfolio.spec.loader import load_bytes
    from mlfolio.spec.outcome_rules import _scale
    loaded = load_bytes(b"a: 1\n", "x.yaml")
    [d] = _scale(loaded, ("a",), value, {"current": 46, "target": 39, "id": "m", "unit": "days"}, "observed value")
    assert d.rule == "unit-scale" and "a tiny fraction of the current value 46 days" in d.message
