"""Cross-field rules: what a reviewer would flag that a JSON Schema cannot say.

Each rule is a function ``(spec, loaded) -> Iterable[Diagnostic]`` run on a spec that
passed the schema. The rule id is the last part of each message line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from mlfolio.spec.diagnostics import Diagnostic, error, format_path, warning
from mlfolio.spec.feasibility_rules import cross_checks, evidence_required
from mlfolio.spec.loader import LoadResult
from mlfolio.spec.outcome_rules import OUTCOME_RULES
from mlfolio.spec.rule_kit import at as _at
from mlfolio.spec.rule_kit import comparable as _number
from mlfolio.spec.rule_kit import iso_date as _date
from mlfolio.spec.schema import RETIRED, SpecSchema
from mlfolio.spec.values import better_or_equal

Path = tuple[str | int, ...]
Rule = Callable[[dict[str, Any], LoadResult], Iterable[Diagnostic]]


def _items(spec: dict[str, Any], *path: str) -> Iterator[tuple[Path, Any]]:
    """``(path, item)`` for each item of the list at ``path``, if there is one."""
    node: Any = spec
    for name in path:
        node = node.get(name) if isinstance(node, dict) else None
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield (*path, i), item


def _dicts(spec: dict[str, Any], *path: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Like ``_items`` but only the mapping items: rules also run on specs with schema errors."""
    for where, item in _items(spec, *path):
        if isinstance(item, dict):
            yield where, item




def _ids(spec: dict[str, Any], section: str) -> list[str]:
    """The ids defined in ``section``, each once, in order."""
    return list(dict.fromkeys(item["id"] for _, item in _dicts(spec, section) if isinstance(item.get("id"), str)))






# Lists whose items other parts point at by id: (what an item is called, where the list is).
_ID_LISTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("metric", ("metrics",)),
    ("baseline", ("baselines",)),
    ("data set", ("data", "datasets")),
)


def duplicate_ids(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    """Ids that other parts point at must be unique within their list."""
    for noun, where in _ID_LISTS:
        seen: dict[str, Path] = {}
        for path, item in _dicts(spec, *where):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first = loaded.positions.value((*seen[ident], "id")).line
                yield error(
                    loaded.file, *_at(loaded, (*path, "id")),
                    f"{noun} id '{ident}' is already used on line {first}; ids must be unique",
                    "duplicate-id", format_path((*path, "id")),
                )
            else:
                seen[ident] = path


# Where specs name a metric; the schema marks the same places with `x-mlfolio-ref: metrics`
# (a test keeps the two in step).
METRIC_REF_PATHS = frozenset({
    "goals.objectives[].metric", "multi_objective.components[].metric", "monitoring.monitors[].metric",
    "ab_test.metric", "ab_test.guardrail_metrics[]", "baselines[].results{}",
    "evaluation.results[].metric",  # checked by outcome_rules.outcome_references
})


def metric_references(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    """Every pointer to a metric names a metric defined in ``metrics``."""
    defined = _ids(spec, "metrics")
    listing = ", ".join(defined) if defined else "none yet: add a `metrics` section"

    def check(path: Path, ref: Any, *, key: bool = False) -> Iterator[Diagnostic]:
        if isinstance(ref, str) and ref not in defined:
            yield error(
                loaded.file, *_at(loaded, path, key=key),
                f"'{ref}' is not a metric id defined in metrics (defined: {listing})",
                "metric-ref", format_path(path),
            )

    for path, item in _dicts(spec, "goals", "objectives"):
        yield from check((*path, "metric"), item.get("metric"))
    for path, item in _dicts(spec, "multi_objective", "components"):
        yield from check((*path, "metric"), item.get("metric"))
    for path, item in _dicts(spec, "monitoring", "monitors"):
        yield from check((*path, "metric"), item.get("metric"))
    ab = spec.get("ab_test")
    if isinstance(ab, dict):
        yield from check(("ab_test", "metric"), ab.get("metric"))
    for path, ref in _items(spec, "ab_test", "guardrail_metrics"):
        yield from check(path, ref)
    for path, item in _dicts(spec, "baselines"):
        results = item.get("results")
        for name in results if isinstance(results, dict) else ():
            yield from check((*path, "results", name), name, key=True)


def baseline_references(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    constraints = spec.get("constraints")
    performance = constraints.get("performance") if isinstance(constraints, dict) else None
    ref = performance.get("baseline_to_beat") if isinstance(performance, dict) else None
    defined = _ids(spec, "baselines")
    if isinstance(ref, str) and ref not in defined:
        listing = ", ".join(defined) if defined else "none yet: add a `baselines` section"
        path = ("constraints", "performance", "baseline_to_beat")
        yield error(
            loaded.file, *_at(loaded, path),
            f"'{ref}' is not a baseline id defined in baselines (defined: {listing})",
            "baseline-ref", format_path(path),
        )


def targets(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    """A target should improve on today's value and on every measured baseline."""
    metrics: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path, m in _dicts(spec, "metrics"):
        if isinstance(m.get("id"), str):
            metrics.setdefault(m["id"], (path, m))  # a duplicate id is reported; the first counts
    for path, metric in metrics.values():
        target, current, direction = metric.get("target"), metric.get("current"), metric.get("direction")
        if not _number(target) or direction not in ("maximize", "minimize"):
            continue
        if _number(current) and better_or_equal(direction, current, target):
            word = "higher" if direction == "maximize" else "lower"
            yield warning(
                loaded.file, *_at(loaded, (*path, "target")),
                f"target {target} does not beat the current value {current}; '{metric['id']}' is better {word} (direction: {direction})",
                "target-not-better", format_path((*path, "target")),
            )
    for path, baseline in _dicts(spec, "baselines"):
        results = baseline.get("results")
        for name, value in results.items() if isinstance(results, dict) else ():
            if name not in metrics or not _number(value):
                continue
            metric = metrics[name][1]
            target, direction = metric.get("target"), metric.get("direction")
            if not _number(target) or direction not in ("maximize", "minimize"):
                continue
            if better_or_equal(direction, value, target):
                where = (*path, "results", name)
                yield warning(
                    loaded.file, *_at(loaded, where),
                    f"baseline '{baseline.get('id')}' already reaches {value} on '{name}', at or beyond the target {target} ({direction}); "
                    "raise the target or question the metric",
                    "target-not-better", format_path(where),
                )


def reviewer_flags(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    """Soft checks a reviewer would raise in a design review."""
    solutions = [s for _, s in _dicts(spec, "problem", "candidate_solutions")]
    if solutions and all(s.get("approach") == "ml" for s in solutions):
        path: Path = ("problem", "candidate_solutions")
        yield warning(
            loaded.file, *_at(loaded, path, key=True),
            "every candidate solution is ML; list at least one that is not (a rule now, an algorithm later) so the comparison is honest",
            "non-ml-candidate", format_path(path),
        )
    metric_list = [m for _, m in _dicts(spec, "metrics")]
    if metric_list and not any(m.get("kind") == "business" for m in metric_list):
        yield warning(
            loaded.file, *_at(loaded, ("metrics",), key=True),
            "no business metric: add the business number this model should move (revenue, retention, return visits)",
            "business-metric", "metrics",
        )
    for path, objective in _dicts(spec, "goals", "objectives"):
        if "metric" not in objective:
            yield warning(
                loaded.file, *_at(loaded, path),
                "objective has no metric: say which metric id measures it",
                "objective-metric", format_path(path),
            )
    created, updated = spec.get("created"), spec.get("updated")
    created_on, updated_on = _date(created), _date(updated)
    if created_on and updated_on and updated_on < created_on:
        yield warning(
            loaded.file, *_at(loaded, ("updated",)), f"updated ({updated}) is before created ({created})", "date-order", "updated"
        )
    if spec.get("retirement") and spec.get("stage") != RETIRED:
        yield warning(
            loaded.file, *_at(loaded, ("retirement",), key=True),
            f"retirement is filled in but stage is '{spec.get('stage')}'; set `stage: retired`",
            "retirement-stage", "retirement",
        )


def finite_numbers(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
    """``.nan`` is not a value a metric can have, and JSON Schema cannot say so (infinities and
    other numbers out of range are the schema's ``minimum`` / ``maximum`` errors)."""
    try:
        json.dumps(spec, allow_nan=False)  # one pass in C; the walk below only finds where
        return
    except ValueError:
        pass
    stack: list[tuple[Path, Any]] = [((), spec)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))
        elif isinstance(node, float) and math.isnan(node):
            yield error(
                loaded.file, *_at(loaded, path), ".nan is not a usable number: write a number", "non-finite", format_path(path)
            )


RULES: tuple[Rule, ...] = (finite_numbers, duplicate_ids, metric_references, baseline_references, targets, reviewer_flags,
                          *OUTCOME_RULES)


def run_rules(spec: dict[str, Any], loaded: LoadResult, schema: SpecSchema | None = None) -> list[Diagnostic]:
    """Apply every rule. They tolerate any shape, so they also run on specs with schema errors.
    The rules that depend on the stage's requirements (evidence) need ``schema``."""
    found: list[Diagnostic] = []
    for rule in RULES:
        found.extend(rule(spec, loaded))
    found.extend(cross_checks(spec, loaded))
    found.extend(evidence_required(spec, loaded, schema))
    return found
