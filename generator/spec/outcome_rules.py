"""Rules for outcomes: metric observations, the A/B test's result, the offline evaluation.

Registered in :data:`mlfolio.spec.rules.RULES`; like every rule there, each is a function
``(spec, loaded) -> Iterable[Diagnostic]`` that tolerates any shape (rules also run on specs
with schema errors), and reports at the value's line and column.

- ``metric-ref`` (error): an evaluation result names a metric id that ``metrics`` does not define.
- ``dataset-ref`` (error): an evaluation result names a data set id that ``data.datasets`` does not define.
- ``observation-order`` (warning): a metric's observations are not oldest first.
- ``observation-date`` (warning): an observation dated after the spec's ``updated``.
- ``date-order`` (warning): the A/B test's result ends before it starts.
- ``unit-scale`` (warning): an observed, tested or evaluated value 30 times (or more) larger or
  smaller than both the metric's ``current`` and ``target``: a fraction written for a
  percentage (0.444 for 44.4%), seconds for milliseconds.
- ``ab-lift`` (warning): the stated lift is not ``(treatment - control) / control * 100``.
- ``ab-decision`` (warning): the decision is ``ship`` while the treatment is worse than the
  control in the metric's direction, or while the result is not significant and no ``note`` says why.
- ``duplicate-result`` (warning): two evaluation results for the same data set, segment and metric.

This module imports nothing from ``rules.py`` (which imports it), so either can be imported first.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from mlfolio.spec.diagnostics import Diagnostic, error, format_path, warning
from mlfolio.spec.loader import LoadResult
from mlfolio.spec.rule_kit import at as _at
from mlfolio.spec.rule_kit import comparable as _number
from mlfolio.spec.rule_kit import get as _get
from mlfolio.spec.rule_kit import iso_date as _date
from mlfolio.spec.values import better_or_equal, format_number

Path = tuple[str | int, ...]

SCALE = 30  # a value this many times off both the current value and the target is in another unit
LIFT_TOLERANCE = (0.5, 0.1)  # percentage points, or this share of the computed lift, whichever is larger








def _dicts(node: Any, *path: str | int) -> Iterator[tuple[Path, dict[str, Any]]]:
    """``(path, item)`` for each mapping in the list at ``path`` (below ``node``)."""
    for name in path:
        if isinstance(name, int):
            node = node[name] if isinstance(node, list) and 0 <= name < len(node) else None
        else:
            node = node.get(name) if isinstance(node, dict) else None
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict):
                yield (*path, i), item




def _metrics(spec: dict[str, Any]) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Metric id -> (path, metric); the first of a repeated id counts (the repeat is reported)."""
    found: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path, metric in _dicts(spec, "metrics"):
        if isinstance(metric.get("id"), str):
            found.setdefault(metric["id"], (path, metric))
    return found


def _show(value: float, unit: Any = "") -> str:
    text = format_number(value)
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}" if isinstance(unit, str) and unit else text


# -- references ------------------------------------------------------------------------------


def outcome_references(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    """Evaluation results name a metric and a data set that the spec defines."""
    metrics = list(_metrics(spec))
    datasets = list(dict.fromkeys(d["id"] for _, d in _dicts(spec, "data", "datasets") if isinstance(d.get("id"), str)))
    for path, result in _dicts(spec, "evaluation", "results"):
        ref = result.get("metric")
        if isinstance(ref, str) and ref not in metrics:
            listing = ", ".join(metrics) if metrics else "none yet: add a `metrics` section"
            yield error(loaded.file, *_at(loaded, (*path, "metric")),
                        f"'{ref}' is not a metric id defined in metrics (defined: {listing})", "metric-ref", format_path((*path, "metric")))
        ref = result.get("dataset")
        if isinstance(ref, str) and ref not in datasets:
            listing = ", ".join(datasets) if datasets else "none yet: add `data.datasets`"
            yield error(loaded.file, *_at(loaded, (*path, "dataset")),
                        f"'{ref}' is not a data set id defined in data.datasets (defined: {listing})", "dataset-ref",
                        format_path((*path, "dataset")))


# -- dates -----------------------------------------------------------------------------------


def observation_dates(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    """Observations oldest first and not after ``updated``; the A/B result ends after it starts."""
    updated = _date(spec.get("updated"))
    for metric_path, _ in _dicts(spec, "metrics"):
        previous: tuple[datetime.date, Path] | None = None
        for path, observation in _dicts(spec, *metric_path, "observations"):
            when = _date(observation.get("date"))
            if when is None:
                continue
            where = (*path, "date")
            if previous is not None and when < previous[0]:
                line = loaded.positions.value(previous[1]).line
                yield warning(loaded.file, *_at(loaded, where),
                              f"observation dated {when} comes after one dated {previous[0]} (line {line}): list observations oldest first",
                              "observation-order", format_path(where))
            if updated is not None and when > updated:
                yield warning(loaded.file, *_at(loaded, where),
                              f"observation dated {when} is after `updated` ({updated}): update `updated`, or correct the date",
                              "observation-date", format_path(where))
            if previous is None or when >= previous[0]:
                previous = (when, where)
    result = _get(spec, "ab_test", "result")
    if isinstance(result, dict):
        start, end = _date(result.get("start")), _date(result.get("end"))
        if start is not None and end is not None and end < start:
            where = ("ab_test", "result", "end")
            yield warning(loaded.file, *_at(loaded, where), f"the test ends ({end}) before it starts ({start})", "date-order",
                          format_path(where))


# -- units -----------------------------------------------------------------------------------


def _scale(loaded: LoadResult, path: Path, value: Any, metric: dict[str, Any], what: str) -> Iterator[Diagnostic]:
    """A warning when ``value`` is SCALE times off both the metric's current value and target."""
    if not _number(value) or value == 0:
        return
    references = [(name, metric.get(name)) for name in ("current", "target")]
    known = [(name, ref) for name, ref in references if _number(ref) and ref != 0]
    if not known or not all(abs(value) >= SCALE * abs(ref) or abs(value) * SCALE <= abs(ref) for _, ref in known):
        return
    name, ref = known[0]
    ratio = abs(value) / abs(ref)
    if ratio > 1:
        times = f"{format_number(round(ratio))} times" if ratio < 1e15 else "many times"
    else:  # a value so small that the ratio underflows, or its inverse overflows, is "a tiny fraction of"
        times = f"1/{format_number(round(1 / ratio))}" if ratio > 1e-15 else "a tiny fraction of"
    unit = metric.get("unit")
    hint = f" ({unit})" if isinstance(unit, str) and unit else ""
    yield warning(loaded.file, *_at(loaded, path),
                  f"{what} {format_number(value)} is {times} the {name} value {_show(ref, unit)} of '{metric.get('id')}': "
                  f"write it in the metric's unit{hint}, as its {name} value is written",
                  "unit-scale", format_path(path))


def outcome_units(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    """Observed, tested and evaluated values are in their metric's unit."""
    metrics = _metrics(spec)
    for metric_path, metric in _dicts(spec, "metrics"):
        for path, observation in _dicts(spec, *metric_path, "observations"):
            yield from _scale(loaded, (*path, "value"), observation.get("value"), metric, "observed value")
    ab_metric = _get(spec, "ab_test", "metric")
    result = _get(spec, "ab_test", "result")
    if isinstance(ab_metric, str) and ab_metric in metrics and isinstance(result, dict):
        for arm in ("control", "treatment"):
            yield from _scale(loaded, ("ab_test", "result", arm), result.get(arm), metrics[ab_metric][1], f"{arm} value")
    for path, item in _dicts(spec, "evaluation", "results"):
        ref = item.get("metric")
        if isinstance(ref, str) and ref in metrics:
            yield from _scale(loaded, (*path, "value"), item.get("value"), metrics[ref][1], "evaluated value")


# -- the A/B test's result -------------------------------------------------------------------


def ab_result(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    """The lift agrees with control and treatment; a decision to ship agrees with the result."""
    result = _get(spec, "ab_test", "result")
    if not isinstance(result, dict):
        return
    control, treatment, lift = result.get("control"), result.get("treatment"), result.get("lift")
    arms = (float(control), float(treatment)) if _number(control) and _number(treatment) else None
    if arms is not None and _number(lift) and arms[0] != 0:
        computed = (arms[1] - arms[0]) / abs(arms[0]) * 100
        if abs(lift - computed) > max(LIFT_TOLERANCE[0], LIFT_TOLERANCE[1] * abs(computed)):
            where: Path = ("ab_test", "result", "lift")
            yield warning(loaded.file, *_at(loaded, where),
                          f"lift {format_number(lift)} does not match control {format_number(arms[0])} and treatment "
                          f"{format_number(arms[1])}: (treatment - control) / control * 100 = {format_number(round(computed, 2))}; "
                          "lift is the relative change in percent, not the difference",
                          "ab-lift", format_path(where))
    if result.get("decision") != "ship":
        return
    where = ("ab_test", "result", "decision")
    metric_id = _get(spec, "ab_test", "metric")
    metrics = _metrics(spec)
    metric = metrics[metric_id][1] if isinstance(metric_id, str) and metric_id in metrics else {}
    direction = metric.get("direction")
    if arms is not None and direction in ("maximize", "minimize") and not better_or_equal(direction, arms[1], arms[0]):
        yield warning(loaded.file, *_at(loaded, where),
                      f"the decision is to ship, but the treatment ({format_number(arms[1])}) is worse than the control "
                      f"({format_number(arms[0])}) on '{metric_id}' (direction: {direction})",
                      "ab-decision", format_path(where))
    if result.get("significant") is False and not result.get("note"):
        yield warning(loaded.file, *_at(loaded, where),
                      "the decision is to ship a result that is not significant: say why in `note`",
                      "ab-decision", format_path(where))


# -- the evaluation --------------------------------------------------------------------------


def evaluation_duplicates(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    """One value per data set, segment and metric."""
    seen: dict[tuple[str, str, str], Path] = {}
    for path, item in _dicts(spec, "evaluation", "results"):
        dataset, segment, metric = item.get("dataset"), item.get("segment", ""), item.get("metric")
        if not (isinstance(dataset, str) and isinstance(segment, str) and isinstance(metric, str)):
            continue
        key = (dataset, segment, metric)
        if key in seen:
            line = loaded.positions.value((*seen[key], "value")).line
            where = (*path, "value")
            segment = f", segment '{key[1]}'" if key[1] else ""
            yield warning(loaded.file, *_at(loaded, where),
                          f"a second result for data set '{key[0]}'{segment} and metric '{key[2]}' (the first is on line {line}): "
                          "keep one value, or name the segments apart",
                          "duplicate-result", format_path(where))
        else:
            seen[key] = path


OUTCOME_RULES = (outcome_references, observation_dates, outcome_units, ab_result, evaluation_duplicates)
