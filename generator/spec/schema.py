"""The spec schema: where it lives, loading it once, and what it says about stages.

``schemas/project.schema.json`` is the single source of truth for the format. Beyond
standard JSON Schema it carries three annotations that jsonschema ignores:

- ``x-mlfolio-stages`` (root): the lifecycle stages, in order;
- ``x-mlfolio-required-from`` (on a property): the first stage that requires it;
- ``x-mlfolio-title-ko`` (on a property): its Korean label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

RETIRED = "retired"
SCHEMA_NAME = "project.schema.json"


def schema_path_for(base: Path) -> Path:
    """The schema a repository's specs are judged by: ``<base>/schemas/project.schema.json``
    if the repository has one, else the bundled one. The CLI and the plugin both ask here,
    so they never judge a file by different schemas."""
    local = base / "schemas" / SCHEMA_NAME
    return local if local.is_file() else default_schema_path()


def default_schema_path() -> Path:
    """The schema shipped with mlfolio.

    In a wheel it sits inside the package (``mlfolio/schemas/``, mapped from the top-level
    ``schemas/`` at build time); in a source checkout or editable install, at the top level.
    """
    here = Path(__file__).resolve().parent.parent  # the package root
    for candidate in (here / "schemas" / SCHEMA_NAME, here.parent / "schemas" / SCHEMA_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{SCHEMA_NAME} is missing from the mlfolio installation")


@dataclass(frozen=True)
class Requirement:
    """A property that becomes required at some stage: ``path`` is property names from the root."""

    path: tuple[str, ...]
    from_stage: str
    title: str


@dataclass(frozen=True)
class SpecSchema:
    """A loaded schema plus the facts mlfolio reads from its annotations."""

    source: Path
    document: dict[str, Any]
    stages: tuple[str, ...]
    requirements: tuple[Requirement, ...]

    def stage_rank(self, stage: str) -> int:
        return self.stages.index(stage)

    def applies(self, requirement: Requirement, stage: str) -> bool:
        """Does ``requirement`` apply to a project at ``stage``?

        Stages are ordered; a requirement applies from its stage on. ``retired`` is the
        exception: a project can stop at any point, so a retired one needs only what
        problem definition needs, plus what is marked as required from ``retired``.
        """
        if stage not in self.stages or requirement.from_stage not in self.stages:
            return False
        if stage == RETIRED:
            return requirement.from_stage in (self.stages[0], RETIRED)
        if requirement.from_stage == RETIRED:
            return False
        return self.stage_rank(stage) >= self.stage_rank(requirement.from_stage)

    def requirements_for(self, stage: str) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if self.applies(r, stage))

    def next_stage(self, stage: str) -> str | None:
        """The stage after ``stage`` in the active life cycle; None for the last and for retired."""
        if stage not in self.stages or stage == RETIRED:
            return None
        following = self.stages[self.stage_rank(stage) + 1]
        return None if following == RETIRED else following

    def requirements_ahead(self, stage: str) -> dict[tuple[str, ...], str]:
        """Every field the project's stage or a later one requires, with the first stage that does.

        For a retired project, only what ``retired`` requires: its later stages never come."""
        if stage == RETIRED:
            return {r.path: r.from_stage for r in self.requirements_for(RETIRED)}
        return {r.path: r.from_stage for r in self.requirements if r.from_stage != RETIRED}

    def property_schema(self, path: tuple[str, ...]) -> dict[str, Any]:
        """The schema of the property at ``path`` (property names only), ``$ref`` resolved."""
        node = self.document
        for name in path:
            node = self.resolve(node).get("properties", {}).get(name, {})
        return self.resolve(node)

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = dict(self.document["$defs"][ref.split("/")[-1]])
            target.update({k: v for k, v in node.items() if k != "$ref"})
            return target
        return node


def _meta_valid(document: dict[str, Any]) -> bool:
    """Whether the compiled validator finds ``document`` a valid JSON Schema (0.2 s in jsonschema)."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - without it, jsonschema checks every time
        return False
    try:
        return bool(jsonschema_rs.meta.is_valid(document))
    except Exception:  # noqa: BLE001 - anything it cannot judge, jsonschema judges
        return False


def _requirements(document: dict[str, Any]) -> tuple[Requirement, ...]:
    found: list[Requirement] = []

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        for name, prop in node.get("properties", {}).items():
            stage = prop.get("x-mlfolio-required-from")
            if stage:
                found.append(Requirement(path + (name,), stage, prop.get("title", name)))
            walk(prop, path + (name,))

    walk(document, ())
    return tuple(found)


def load_schema(path: Path | None = None) -> SpecSchema:
    """Read, check and index a schema file; ``ValueError`` says what is wrong with an unusable one.

    Cached per path and modification time, so a portfolio reads it once and ``mkdocs serve``
    still sees an edited schema."""
    source = Path(path or default_schema_path())
    return _load_schema(str(source), source.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_schema(path: str, mtime_ns: int) -> SpecSchema:
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("properties", {}), dict):
        raise ValueError("a spec schema must be a JSON object with `properties`")
    try:
        if not _meta_valid(document):  # the quick check passes nearly always; jsonschema explains
            Draft202012Validator.check_schema(document)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the top level"
        raise ValueError(f"not a valid JSON Schema at {where}: {exc.message}") from None
    stages = document.get("x-mlfolio-stages")
    if not isinstance(stages, list) or not stages or not all(isinstance(s, str) for s in stages):
        raise ValueError("`x-mlfolio-stages` must list the lifecycle stages, in order")
    requirements = _requirements(document)
    unknown = sorted({r.from_stage for r in requirements} - set(stages))
    if unknown:
        raise ValueError(f"`x-mlfolio-required-from` names stages not in `x-mlfolio-stages`: {', '.join(unknown)}")
    return SpecSchema(Path(path), document, tuple(stages), requirements)
