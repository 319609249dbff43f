"""The analysed project: a validated spec plus what mlfolio derives from it.

Built only from specs that passed validation, so every field here has the shape the schema
promises. Sections that are only shown (free text) stay in ``data``; what the analysis and
the portfolio compute on is typed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from mlfolio.analysis.outcomes import EvaluationResult, Observation, evaluation_results, observations_of
from mlfolio.analysis.outcomes import status as outcome_status
from mlfolio.analysis.readiness import Readiness, readiness
from mlfolio.analysis.verdict import DEFAULT_RULES, Verdict, VerdictRule, verdict_for
from mlfolio.spec.check import Checker, CheckRun, FileReport
from mlfolio.spec.diagnostics import Diagnostic
from mlfolio.spec.names import group_key
from mlfolio.spec.schema import SpecSchema


@dataclass(frozen=True)
class BaselineResult:
    baseline_id: str
    baseline_name: str
    kind: str
    value: float


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    kind: str
    direction: str
    unit: str
    current: float | None
    target: float | None
    description: str
    baselines: tuple[BaselineResult, ...]
    observations: tuple[Observation, ...] = ()  # oldest first

    @property
    def best_baseline(self) -> BaselineResult | None:
        if not self.baselines:
            return None
        pick = max if self.direction == "maximize" else min
        return pick(self.baselines, key=lambda b: b.value)

    @property
    def latest(self) -> Observation | None:
        return self.observations[-1] if self.observations else None

    @property
    def status(self) -> str:
        """``target_met``, ``on_track``, ``off_track`` or ``no_data`` (see analysis/outcomes.py)."""
        return outcome_status(self.direction, self.current, self.target, self.observations)


@dataclass(frozen=True)
class Project:
    id: str
    file: str  # as shown in messages and edit links: "projects/<id>.yaml"
    data: Mapping[str, Any]
    metrics: tuple[Metric, ...]
    verdict: Verdict
    readiness: Readiness
    warnings: tuple[Diagnostic, ...]

    @property
    def title(self) -> str:
        return str(self.data["title"])

    @property
    def team(self) -> str:
        return str(self.data["team"])

    @property
    def stage(self) -> str:
        return str(self.data["stage"])

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.data.get("tags") or ())

    @property
    def updated(self) -> str:
        return str(self.data.get("updated") or self.data.get("created") or "")

    @cached_property
    def data_digest(self) -> str:
        """A digest of the spec's data and file name: equal digests, equal pages."""
        text = json.dumps([self.file, self.data], sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def metric(self, metric_id: str) -> Metric | None:
        return next((m for m in self.metrics if m.id == metric_id), None)

    @cached_property
    def evaluation(self) -> tuple[EvaluationResult, ...]:
        """The developed model's offline results, each with the best baseline on its data set."""
        return evaluation_results(self.data, {m.id: m.direction for m in self.metrics})


@dataclass(frozen=True)
class Portfolio:
    """Every valid project, sorted by id, and the check run that produced them."""

    projects: tuple[Project, ...]
    run: CheckRun

    def by(self, key: str) -> dict[str, list[Project]]:
        """Group projects by ``team``, ``stage`` or ``tag`` (a project appears under each of its tags).

        Names that differ only in case, width, spacing, invisible characters or Unicode
        normalisation are one group, shown as the first project (by id) spells it."""
        groups: dict[str, list[Project]] = {}
        shown: dict[str, str] = {}
        for project in self.projects:
            values = project.tags if key == "tag" else (getattr(project, key),)
            for value in dict.fromkeys(group_key(v) for v in values):
                groups.setdefault(value, []).append(project)
            for value in values:
                shown.setdefault(group_key(value), value)
        return {shown[k]: ps for k, ps in sorted(groups.items(), key=lambda kv: (kv[0], shown[kv[0]]))}


def _metrics(data: Mapping[str, Any]) -> tuple[Metric, ...]:
    results: dict[str, list[BaselineResult]] = {}
    for baseline in data.get("baselines") or ():
        for metric_id, value in (baseline.get("results") or {}).items():
            results.setdefault(metric_id, []).append(BaselineResult(baseline["id"], baseline["name"], baseline["kind"], value))
    return tuple(
        Metric(
            m["id"], m["name"], m["kind"], m["direction"], m.get("unit", ""), m.get("current"), m.get("target"),
            m.get("description", ""), tuple(results.get(m["id"], ())), observations_of(m),
        )
        for m in data.get("metrics") or ()
    )


def analyse(report: FileReport, schema: SpecSchema, rules: Sequence[VerdictRule] = DEFAULT_RULES) -> Project | None:
    """The analysed project for a file that passed validation; ``None`` for one that did not."""
    data = report.data
    if data is None:
        return None
    return Project(
        id=data["id"],
        file=report.file,
        data=data,
        metrics=_metrics(data),
        verdict=verdict_for(data, schema, rules),
        readiness=readiness(data, schema),
        warnings=tuple(d for d in report.diagnostics if not d.is_error),
    )


#: Projects analysed by an earlier build, by the report they came from (``id(report)``: the report
#: itself, its project). A preview server keeps one across rebuilds, with a remembering checker.
Analysed = dict[int, tuple[FileReport, "Project | None"]]


def build_portfolio(run: CheckRun, schema: SpecSchema, rules: Sequence[VerdictRule] = DEFAULT_RULES,
                    analysed: Analysed | None = None) -> Portfolio:
    """The portfolio of a check run. With ``analysed``, a report that is the very object of an
    earlier run (a remembering checker returns it for a file whose bytes did not change) keeps
    the project analysed then, with its cached digest; ``analysed`` is updated to this run's."""
    seen: Analysed = {}
    for report in run.reports:
        known = analysed.get(id(report)) if analysed is not None else None
        project = known[1] if known is not None and known[0] is report else analyse(report, schema, rules)
        seen[id(report)] = (report, project)
    if analysed is not None:
        analysed.clear()
        analysed.update(seen)
    projects = [project for _, project in seen.values() if project is not None]
    return Portfolio(tuple(sorted(projects, key=lambda p: p.id)), run)


def load_portfolio(specs: Sequence[Path], schema: SpecSchema, rules: Sequence[VerdictRule] = DEFAULT_RULES,
                   root: Path | None = None, checker: Checker | None = None, analysed: Analysed | None = None) -> Portfolio:
    """Check every spec under ``specs`` and analyse the valid ones: the one entry the site, ``mlfolio
    diff`` and the tests use. Messages name files relative to ``root`` (default: the current folder);
    ``checker`` may be one that remembers earlier files and ``analysed`` the projects analysed from
    its reports (a preview server passes its own of both)."""
    return build_portfolio((checker or Checker(schema)).check_paths(list(specs), root=root), schema, rules, analysed)
