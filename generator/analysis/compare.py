"""What changed between two versions of one project: the comparison behind ``mlfolio diff`` and
the history of a spec (:mod:`mlfolio.analysis.history`).

Pure data in, data out: two analysed :class:`~mlfolio.analysis.model.Project` objects give a
:class:`ProjectChanges` that says what a reviewer or a portfolio lead cares about: the verdict
and the answers behind it, the stage, metric targets and current values, owners, team, title,
readiness and warnings. How that is written (Markdown for a pull request, a timeline on a
project page) is the caller's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mlfolio.analysis.model import Metric, Project
from mlfolio.analysis.readiness import Readiness
from mlfolio.analysis.verdict import Criterion, CriterionAnswer, Verdict
from mlfolio.spec.diagnostics import Diagnostic
from mlfolio.spec.schema import RETIRED


@dataclass(frozen=True)
class AnswerChange:
    """A feasibility answer that differs; ``missing`` where the spec leaves it out."""

    criterion: Criterion
    was: str
    now: str
    evidence: str = ""  # the new answer's evidence
    source: str = ""


@dataclass(frozen=True)
class VerdictChange:
    """The verdicts of both versions, when the verdict, the answers or the override differ."""

    old: Verdict
    new: Verdict
    answers: tuple[AnswerChange, ...]

    @property
    def final_changed(self) -> bool:
        return self.old.final != self.new.final

    @property
    def computed_changed(self) -> bool:
        return self.old.computed != self.new.computed

    @property
    def override_changed(self) -> bool:
        return self.old.override != self.new.override

    @property
    def decisive_moved(self) -> bool:
        """Did what decides the verdict move: an answer, the computed verdict, or the answers the rule hit?"""
        return bool(self.answers) or self.computed_changed or _refs(self.old.decided_by) != _refs(self.new.decided_by)


@dataclass(frozen=True)
class StageMove:
    old: str
    new: str
    direction: str  # "forward", "backward", or "" (retiring or reviving is neither)


@dataclass(frozen=True)
class MetricChange:
    """A metric in both versions whose target, current value, direction or unit differs."""

    old: Metric
    new: Metric

    @property
    def target_changed(self) -> bool:
        return self.old.target != self.new.target

    @property
    def current_changed(self) -> bool:
        return self.old.current != self.new.current

    @property
    def direction_changed(self) -> bool:
        return self.old.direction != self.new.direction

    @property
    def ambition(self) -> str:
        """``more`` or ``less`` ambitious for a target moved in an unchanged direction; else ``""``."""
        a, b = self.old, self.new
        if a.target is None or b.target is None or a.target == b.target or a.direction != b.direction:
            return ""
        return "more" if (b.target > a.target) == (b.direction == "maximize") else "less"


@dataclass(frozen=True)
class OwnersChange:
    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(n for n in self.new if n not in self.old)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(n for n in self.old if n not in self.new)


@dataclass(frozen=True)
class ReadinessChange:
    old: Readiness
    new: Readiness

    @property
    def trend(self) -> str:
        a, b = self.old.percent, self.new.percent
        return "up" if b > a else "down" if b < a else "unchanged"

    @property
    def comparable(self) -> bool:
        """Both measured toward the same stage, so the lists of what is missing compare."""
        return self.old.target == self.new.target

    @property
    def newly_missing(self) -> tuple[str, ...]:
        was = {r.path for r in self.old.missing}
        return tuple(r.title for r in self.new.missing if r.path not in was)

    @property
    def filled(self) -> tuple[str, ...]:
        now = {r.path for r in self.new.missing}
        return tuple(r.title for r in self.old.missing if r.path not in now)


@dataclass(frozen=True)
class ProjectChanges:
    """Everything that matters that differs between two versions of a project (``None`` / empty: the same)."""

    verdict: VerdictChange | None = None
    stage: StageMove | None = None
    title: tuple[str, str] | None = None
    team: tuple[str, str] | None = None
    owners: OwnersChange | None = None
    metrics: tuple[MetricChange, ...] = ()  # by metric id
    metrics_added: tuple[Metric, ...] = ()
    metrics_removed: tuple[Metric, ...] = ()
    readiness: ReadinessChange | None = None
    warnings_new: tuple[Diagnostic, ...] = ()
    warnings_resolved: tuple[Diagnostic, ...] = ()


def _refs(answers: Sequence[CriterionAnswer]) -> set[tuple[str, str]]:
    return {(a.criterion.ref, a.answer) for a in answers}


def answer_changes(old: Verdict, new: Verdict) -> tuple[AnswerChange, ...]:
    before = {a.criterion.ref: a.answer for a in old.answers}
    return tuple(AnswerChange(a.criterion, before.get(a.criterion.ref, "missing"), a.answer, a.evidence, a.source)
                 for a in new.answers if before.get(a.criterion.ref, "missing") != a.answer)


def verdict_change(old: Verdict, new: Verdict) -> VerdictChange | None:
    answers = answer_changes(old, new)
    if old.final == new.final and old.computed == new.computed and not answers and old.override == new.override:
        return None
    return VerdictChange(old, new, answers)


def stage_move(old: str, new: str, stages: Sequence[str]) -> StageMove | None:
    if old == new:
        return None
    way = ""
    if old in stages and new in stages and RETIRED not in (old, new):
        way = "forward" if stages.index(new) > stages.index(old) else "backward"
    return StageMove(old, new, way)


def owner_names(project: Project) -> tuple[str, ...]:
    return tuple(str(o.get("name", "")) for o in project.data.get("owners") or () if isinstance(o, dict))


def _metric_fields(m: Metric) -> tuple[object, ...]:
    return (m.target, m.current, m.direction, m.unit)


def _warning_key(d: Diagnostic) -> tuple[str, str, str]:
    return (d.rule, d.path, d.message)


def compare_projects(old: Project, new: Project, stages: Sequence[str]) -> ProjectChanges:
    """What differs between two analysed versions of one project. ``stages``: their order."""
    before, after = {m.id: m for m in old.metrics}, {m.id: m for m in new.metrics}
    was_owners, now_owners = owner_names(old), owner_names(new)
    a, b = old.readiness, new.readiness
    readiness_moved = a.percent != b.percent or {r.path for r in a.missing} != {r.path for r in b.missing}
    was_warned, now_warned = {_warning_key(d) for d in old.warnings}, {_warning_key(d) for d in new.warnings}
    return ProjectChanges(
        verdict=verdict_change(old.verdict, new.verdict),
        stage=stage_move(old.stage, new.stage, stages),
        title=(old.title, new.title) if old.title != new.title else None,
        team=(old.team, new.team) if old.team != new.team else None,
        owners=OwnersChange(was_owners, now_owners) if was_owners != now_owners else None,
        metrics=tuple(MetricChange(before[i], after[i]) for i in sorted(before.keys() & after.keys())
                      if _metric_fields(before[i]) != _metric_fields(after[i])),
        metrics_added=tuple(m for i, m in sorted(after.items()) if i not in before),
        metrics_removed=tuple(m for i, m in sorted(before.items()) if i not in after),
        readiness=ReadinessChange(a, b) if readiness_moved else None,
        warnings_new=tuple(d for d in new.warnings if _warning_key(d) not in was_warned),
        warnings_resolved=tuple(d for d in old.warnings if _warning_key(d) not in now_warned),
    )


__all__ = [
    "AnswerChange", "MetricChange", "OwnersChange", "ProjectChanges", "ReadinessChange", "StageMove", "VerdictChange",
    "answer_changes", "compare_projects", "owner_names", "stage_move", "verdict_change",
]
