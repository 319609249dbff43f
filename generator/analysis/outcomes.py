"""Outcomes: what was measured once the work was out, and where each metric stands.

A metric's path is: the best baseline -> the value before (``current``) -> the target -> the
latest observation. Its status is computed in the metric's direction (``maximize``: higher is
better; ``minimize``: lower is better):

- ``no_data``: no observation yet, or nothing to measure progress from (no ``current`` and a
  single observation that does not reach the target);
- ``target_met``: the latest observation is at or beyond the target (equal counts as met);
- ``on_track``: the target is not met (or there is none), and the latest observation is
  strictly better than the value before: ``current``, or, without one, the first observation;
- ``off_track``: the target is not met and the latest observation is no better than the value
  before: worse, or equal (no progress).

"Latest" is the observation with the latest date; of several on that date, the last written.

The offline evaluation of a developed model is read here too: each result with the best
baseline measured on the same data set (a baseline whose ``measured_on`` is that data set's
id) for the same metric. A result on a segment has no baseline: baselines are measured on
whole data sets.

Only validated specs come here, so every field has the shape the schema promises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlfolio.spec.values import better_or_equal

TARGET_MET, ON_TRACK, OFF_TRACK, NO_DATA = "target_met", "on_track", "off_track", "no_data"
STATUSES = (TARGET_MET, ON_TRACK, OFF_TRACK, NO_DATA)
# Stages where a project has been released, so its metrics are expected to have observations.
OUTCOME_STAGES = ("deployed", "monitoring")


@dataclass(frozen=True)
class Observation:
    """One dated measurement of a metric, in the metric's unit."""

    date: str  # YYYY-MM-DD
    value: float
    source: str  # where it was measured
    link: str = ""
    note: str = ""


def observations_of(metric: Mapping[str, Any]) -> tuple[Observation, ...]:
    """A metric's observations oldest first (by date; the order written breaks ties)."""
    found = [Observation(o["date"], o["value"], o["source"], o.get("link", ""), o.get("note", ""))
             for o in metric.get("observations") or ()]
    return tuple(sorted(found, key=lambda o: o.date))


def status(direction: str, before: float | None, target: float | None, observations: Sequence[Observation]) -> str:
    """The metric's status (see the module's docstring); ``observations`` oldest first."""
    if not observations:
        return NO_DATA
    latest = observations[-1].value
    if target is not None and better_or_equal(direction, latest, target):
        return TARGET_MET
    start = before if before is not None else observations[0].value if len(observations) > 1 else None
    if start is None:
        return NO_DATA
    return ON_TRACK if latest != start and better_or_equal(direction, latest, start) else OFF_TRACK


@dataclass(frozen=True)
class EvaluationResult:
    """A developed model's offline result, with the best baseline on the same data set."""

    dataset: str  # a data set id
    segment: str  # "" for the whole data set
    metric: str  # a metric id
    value: float
    baseline_id: str | None = None
    baseline_value: float | None = None

    def beats_baseline(self, direction: str) -> bool | None:
        """Strictly better than the baseline; None without one."""
        if self.baseline_value is None:
            return None
        return self.value != self.baseline_value and better_or_equal(direction, self.value, self.baseline_value)


def evaluation_results(data: Mapping[str, Any], directions: Mapping[str, str]) -> tuple[EvaluationResult, ...]:
    """The spec's ``evaluation.results`` in the order written, each with its best baseline.

    ``directions``: metric id -> ``maximize`` / ``minimize``."""
    results = []
    baselines = data.get("baselines") or ()
    for r in (data.get("evaluation") or {}).get("results") or ():
        segment = r.get("segment", "")
        direction = directions.get(r["metric"], "maximize")
        best: tuple[str, float] | None = None
        if not segment:
            for b in baselines:
                value = (b.get("results") or {}).get(r["metric"])
                if value is None or b.get("measured_on") != r["dataset"]:
                    continue
                if best is None or (value != best[1] and better_or_equal(direction, value, best[1])):
                    best = (b["id"], value)
        results.append(EvaluationResult(r["dataset"], segment, r["metric"], r["value"], *(best or (None, None))))
    return tuple(results)
