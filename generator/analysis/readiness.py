"""Readiness: how far a project is toward its next stage, per section.

Validation already enforces what the current stage requires, so a spec that builds has all of
it. Readiness therefore counts what the current *and the next* stage require, and lists what
the next stage still needs: "ready for Deployed: 70%, missing monitoring.monitors". At the last
stage (monitoring) and for retired projects it counts the current stage only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlfolio.spec.diagnostics import value_at
from mlfolio.spec.schema import Requirement, SpecSchema
from mlfolio.spec.validation import is_empty


@dataclass(frozen=True)
class SectionReadiness:
    section: str
    title: str
    title_ko: str
    required: tuple[Requirement, ...]
    missing: tuple[Requirement, ...]

    @property
    def percent(self) -> int:
        return _percent(len(self.required) - len(self.missing), len(self.required))


@dataclass(frozen=True)
class Readiness:
    stage: str
    target: str  # the stage readiness is measured against: the next one, or the current at the end
    sections: tuple[SectionReadiness, ...]

    @property
    def required(self) -> int:
        return sum(len(s.required) for s in self.sections)

    @property
    def missing(self) -> tuple[Requirement, ...]:
        return tuple(r for s in self.sections for r in s.missing)

    @property
    def percent(self) -> int:
        return _percent(self.required - len(self.missing), self.required)

    def section(self, name: str) -> SectionReadiness | None:
        return next((s for s in self.sections if s.section == name), None)


def leaves(requirements: tuple[Requirement, ...] | list[Requirement]) -> list[Requirement]:
    """The requirements without a required child among them: "Data sets, Testing", not also "Data"."""
    paths = [r.path for r in requirements]
    return [r for r in requirements if not any(len(p) > len(r.path) and p[: len(r.path)] == r.path for p in paths)]


def _percent(done: int, total: int) -> int:
    # Floor, so 99.6% does not claim 100% while something is missing.
    return 100 if total == 0 else (100 * done) // total


def readiness(spec: Mapping[str, Any], schema: SpecSchema) -> Readiness:
    """Per top-level section: what the next stage requires and what is still empty."""
    stage = spec.get("stage", schema.stages[0])
    target = schema.next_stage(stage) or stage
    by_section: dict[str, list[Requirement]] = {}
    for req in schema.requirements_for(target):
        by_section.setdefault(req.path[0], []).append(req)
    sections = []
    for name, reqs in by_section.items():
        prop = schema.property_schema((name,))
        missing = tuple(r for r in reqs if is_empty(value_at(spec, r.path)))
        sections.append(SectionReadiness(name, prop.get("title", name), prop.get("x-mlfolio-title-ko", ""), tuple(reqs), missing))
    return Readiness(stage, target, tuple(sections))
