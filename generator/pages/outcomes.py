"""Outcomes on a project page: each metric's path and status with a chart of its observations,
the A/B test's result, and the offline evaluation table. Data in, page context out.

The chart is an inline SVG drawn by the ``chart`` macro (``_base/_outcomes.html.jinja``) from
the coordinates computed here: no script, so it works offline and in print, and the same input
always gives the same bytes (coordinates are rounded to one decimal). It is ``role="img"``
with an ``aria-label`` that says the values.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Any

from mlfolio.analysis.model import Metric, Project
from mlfolio.analysis.outcomes import OUTCOME_STAGES
from mlfolio.pages.blocks import choice_label
from mlfolio.pages.labels import Labels
from mlfolio.spec.schema import SpecSchema
from mlfolio.spec.values import better_or_equal, format_number, format_value

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 320, 72, 6
MAX_CHART_POINTS = 100  # the latest ones; the table below the chart lists every observation


def _fields(schema: SpecSchema, node: Mapping[str, Any], labels: Labels) -> dict[str, str]:
    """Field name -> label, for the properties of an object node (or of an array's items)."""
    node = schema.resolve(dict(node))
    if node.get("type") == "array":
        node = schema.resolve(node.get("items", {}))
    return {k: labels.field(schema.resolve(v), k) for k, v in node.get("properties", {}).items()}


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _day(date: str, index: int) -> int:
    """The date as a day number; the position for a date Python cannot read (validation checks
    dates, but a chart must never stop a page)."""
    try:
        return datetime.date.fromisoformat(date).toordinal()
    except ValueError:
        return index


def chart(metric: Metric, labels: Labels) -> dict[str, Any] | None:
    """Coordinates and accessible label of a metric's observation chart; None without observations.

    x is the date (the first and the latest observation at the edges), y the value (higher up),
    scaled to hold the observations, the value before (``current``) and the target."""
    shown = metric.observations[-MAX_CHART_POINTS:]
    if not shown:
        return None
    days = [_day(o.date, i) for i, o in enumerate(shown)]
    values = [float(o.value) for o in shown]
    references = [float(v) for v in (metric.current, metric.target) if v is not None]
    low, high = min(values + references), max(values + references)
    if high == low:
        spread = abs(high) * 0.1 or 1.0
        low, high = low - spread, high + spread
    first, last = days[0], days[-1]
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD

    def x(day: int) -> str:
        return _coordinate(CHART_PAD + inner_w * ((day - first) / (last - first) if last > first else 0.5))

    def y(value: float) -> str:
        return _coordinate(CHART_PAD + inner_h * (high - value) / (high - low))

    unit = metric.unit
    points = [{"x": x(d), "y": y(v), "title": f"{o.date}: {format_value(o.value, unit)} ({o.source})", "latest": i == len(shown) - 1}
              for i, (d, v, o) in enumerate(zip(days, values, shown, strict=True))]
    said = "; ".join(f"{o.date} {format_value(o.value, unit)}" for o in shown)
    parts = [f"{metric.name}: {said}."]
    if len(shown) < len(metric.observations):
        parts.append(labels.format("chart_latest_of", shown=len(shown), total=len(metric.observations)))
    if metric.current is not None:
        parts.append(f"{labels['before']} {format_value(metric.current, unit)}.")
    if metric.target is not None:
        parts.append(f"{labels['target']} {format_value(metric.target, unit)}.")
    parts.append(f"{labels['status']}: {labels['status_' + metric.status]}.")
    return {
        "width": CHART_WIDTH, "height": CHART_HEIGHT,
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points) if len(points) > 1 else "",
        "before_y": None if metric.current is None else y(float(metric.current)),
        "target_y": None if metric.target is None else y(float(metric.target)),
        "label": " ".join(parts),
    }


def metric_outcomes(project: Project, schema: SpecSchema, labels: Labels) -> dict[str, Any]:
    """The outcome part of the Goals & metrics section.

    ``show_outcomes``: the latest value and status are shown (in the metrics and key-metrics
    tables too) when a metric has observations or the stage is one where they are expected."""
    observed = [m for m in project.metrics if m.observations]
    heading = labels.field(schema.resolve(_observations_node(schema)), "observations")
    rows = []
    for metric in observed:
        best = metric.best_baseline
        rows.append({
            "metric": metric,
            "status": metric.status,
            "baseline": format_value(best.value, metric.unit) if best else "",
            "baseline_name": best.baseline_name if best else "",
            "before": format_value(metric.current, metric.unit, missing=""),
            "target": format_value(metric.target, metric.unit, missing=""),
            "latest": format_value(metric.latest.value, metric.unit) if metric.latest else "",
            "latest_date": metric.latest.date if metric.latest else "",
            "chart": chart(metric, labels),
            "has_notes": any(o.note for o in metric.observations),
            "observations": [{"date": o.date, "value": format_value(o.value, metric.unit), "source": o.source, "link": o.link,
                              "note": o.note} for o in reversed(metric.observations)],
        })
    return {
        "show_outcomes": bool(observed) or project.stage in OUTCOME_STAGES,
        "observed_metrics": rows,
        "observations_heading": heading,
        "observation_fields": _fields(schema, _observations_node(schema), labels),
        "observations_expected": not observed and project.stage in OUTCOME_STAGES,
    }


def _observations_node(schema: SpecSchema) -> dict[str, Any]:
    items = schema.resolve(schema.property_schema(("metrics",)).get("items", {}))
    return schema.resolve(items.get("properties", {}).get("observations", {}))


def ab_result(project: Project, schema: SpecSchema, labels: Labels) -> dict[str, Any] | None:
    """The A/B test's result and decision, formatted; None when no result is written."""
    ab = project.data.get("ab_test") or {}
    result = ab.get("result")
    if not result:
        return None
    node = schema.property_schema(("ab_test", "result"))
    fields = _fields(schema, node, labels)
    metric = project.metric(ab["metric"])
    unit = metric.unit if metric else ""
    control, treatment, lift = result.get("control"), result.get("treatment"), result.get("lift")
    computed = lift is None and control is not None and treatment is not None and control != 0
    if computed:
        lift = (treatment - control) / abs(control) * 100
    if lift is not None and not math.isfinite(lift):  # a control of 1e-300: nothing worth printing
        lift = None
    significant = result.get("significant")
    return {
        "title": labels.field(node, "result"),
        "fields": fields,
        "decision": result["decision"],
        "decision_label": choice_label(schema.resolve(node["properties"]["decision"]), result["decision"], labels.language),
        "start": result.get("start", ""), "end": result.get("end", ""),
        "metric": metric.name if metric else ab["metric"], "metric_id": ab["metric"],
        "control": format_value(control, unit, missing=""), "treatment": format_value(treatment, unit, missing=""),
        "lift": "" if lift is None else ("+" if lift > 0 else "") + format_number(round(lift, 2)) + "%",
        "lift_computed": computed,
        "p_value": "" if result.get("p_value") is None else format_number(result["p_value"]),
        "significant": "" if significant is None else labels.answer("yes" if significant else "no"),
        "note": result.get("note", ""),
    }


def evaluation(project: Project, schema: SpecSchema, labels: Labels) -> dict[str, Any] | None:
    """The offline evaluation as a table: each result against the best baseline on its data set and the target."""
    section = project.data.get("evaluation")
    if not section:
        return None
    datasets = {d["id"]: d["name"] for d in (project.data.get("data") or {}).get("datasets") or ()}
    baselines = {b["id"]: b["name"] for b in project.data.get("baselines") or ()}
    node = schema.property_schema(("evaluation",))
    rows = []
    for r in project.evaluation:
        metric = project.metric(r.metric)
        unit, direction = (metric.unit, metric.direction) if metric else ("", "maximize")
        target = metric.target if metric else None
        beats = r.beats_baseline(direction)
        meets = None if target is None else better_or_equal(direction, r.value, target)
        against = [] if beats is None else [labels["beats_baseline" if beats else "below_baseline"]]
        if meets is not None:
            against.append(labels["status_target_met"].lower() if meets else labels["below_target"])
        rows.append({
            "dataset": datasets.get(r.dataset, r.dataset), "dataset_id": r.dataset, "segment": r.segment,
            "metric": metric.name if metric else r.metric, "metric_id": r.metric,
            "value": format_value(r.value, unit),
            "baseline": "" if r.baseline_value is None else format_value(r.baseline_value, unit),
            "baseline_name": baselines.get(r.baseline_id or "", r.baseline_id or ""),
            "target": format_value(target, unit, missing=""),
            "beats_baseline": beats, "meets_target": meets, "against": ", ".join(against),
        })
    return {
        "fields": _fields(schema, node, labels),
        "result_fields": _fields(schema, schema.resolve(node.get("properties", {}).get("results", {})), labels),
        "model": section.get("model", ""), "date": section.get("date", ""),
        "rows": rows,
        "notes": section.get("notes", ""),
    }
