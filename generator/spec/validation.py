"""Schema validation of one loaded spec: jsonschema errors and stage requirements as diagnostics."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

if TYPE_CHECKING:
    from jsonschema_rs import Validator

from mlfolio.spec.diagnostics import Diagnostic, error, format_path
from mlfolio.spec.loader import LoadResult
from mlfolio.spec.messages import describe, kind_of, required_message, show, suggest
from mlfolio.spec.schema import RETIRED, SpecSchema

jsonschema_rs: ModuleType | None
try:  # a compiled validator (Rust) answers "is this spec valid?" about fifty times faster
    import jsonschema_rs
except ImportError:  # pragma: no cover - platforms without a wheel fall back to jsonschema alone
    jsonschema_rs = None

_REQUIRED = re.compile(r"^'(.+)' is a required property$")
_EMPTINESS = {"minLength", "minItems", "minProperties"}


class SchemaChecker:
    """A compiled validator for one schema; build it once, use it for every file."""

    def __init__(self, schema: SpecSchema) -> None:
        self.schema = schema  # load_schema has checked it is a valid JSON Schema
        self._validator = Draft202012Validator(
            schema.document, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        self._fast = fast_validator(schema.document)

    def schema_errors(self, data: Any) -> list[ValidationError]:
        """jsonschema's errors for ``data``; none at all for a spec the fast validator accepts.

        The fast validator only ever answers "valid"; whenever it does not, jsonschema
        (the reference, and the source of every message) looks at the spec. Most specs in a
        portfolio are valid, so most never reach the slow path."""
        if self._fast is not None and self._fast.is_valid(data):
            return []
        return list(self._validator.iter_errors(data))

    def check(self, loaded: LoadResult) -> list[Diagnostic]:
        """Every schema problem, then every stage requirement the spec misses."""
        data = loaded.data
        if not isinstance(data, dict):
            return [
                error(
                    loaded.file, 1, 1,
                    f"a spec must be a mapping of fields (`schema_version: 1`, `id: ...`, ...), got {kind_of(data)}",
                    "schema", "",
                )
            ]
        stage_found = self._stage_requirements(loaded, data)
        # An empty field the stage requires is one problem, not two: drop the schema's
        # "must not be empty" for the same field.
        covered = {d.path for d in stage_found}
        errors = self.schema_errors(data)
        # A value outside an enum is one problem even when its type is wrong too (`usage: true`):
        # the enum message lists the values to choose from.
        enums = {tuple(e.absolute_path) for e in errors if e.validator == "enum"}
        found: list[Diagnostic] = []
        for err in errors:
            empty = err.validator in _EMPTINESS or (err.validator == "type" and err.instance is None)
            if empty and format_path(tuple(err.absolute_path)) in covered:
                continue
            if err.validator == "type" and tuple(err.absolute_path) in enums:
                continue
            found.extend(self._diagnose(loaded, err))
        return found + stage_found

    # -- schema errors ---------------------------------------------------------------
    def _diagnose(self, loaded: LoadResult, err: ValidationError) -> list[Diagnostic]:
        path = tuple(err.absolute_path)
        positions = loaded.positions
        # The schema holding the keyword that failed: a mapping for `required` and
        # `additionalProperties` (only a `false` schema, which holds none, is a boolean).
        keyword_schema = err.schema if isinstance(err.schema, Mapping) else {}
        if err.validator == "required":
            match = _REQUIRED.match(err.message)
            name = match.group(1) if match else str(err.validator_value)
            prop = self.schema.resolve(keyword_schema.get("properties", {}).get(name, {}))
            pos = positions.key(path)
            message = required_message(name, prop)
            return [error(loaded.file, pos.line, pos.column, message, "required", format_path(path + (name,)))]
        if err.validator == "additionalProperties" and isinstance(err.instance, Mapping):
            allowed = sorted(keyword_schema.get("properties", {}))
            extras = [k for k in err.instance if k not in keyword_schema.get("properties", {})]
            out = []
            for key in extras:
                pos = positions.key(path + (key,))
                hint = suggest(str(key), allowed) or f"; allowed here: {', '.join(allowed)}"
                message = f"unknown field '{key}'{hint}"
                out.append(error(loaded.file, pos.line, pos.column, message, "unknown-field", format_path(path + (key,))))
            return out
        if list(err.relative_schema_path)[-2:-1] == ["propertyNames"] and isinstance(err.instance, str):
            # jsonschema reports a bad key at its mapping, with the key as the instance.
            key = err.instance
            pos = positions.key(path + (key,))
            return [error(loaded.file, pos.line, pos.column, describe(err), "schema", format_path(path + (key,)))]
        if err.validator == "uniqueItems" and isinstance(err.instance, list):
            # Point at the repeated item, not at the list.
            for i, item in enumerate(err.instance):
                if item in err.instance[:i]:
                    pos = positions.value(path + (i,))
                    message = f"{show(item)} is listed twice: remove this one"
                    return [error(loaded.file, pos.line, pos.column, message, "schema", format_path(path + (i,)))]
        pos = positions.value(path)
        return [error(loaded.file, pos.line, pos.column, describe(err), "schema", format_path(path))]

    # -- stage requirements ----------------------------------------------------------
    def _stage_requirements(self, loaded: LoadResult, data: dict[str, Any]) -> list[Diagnostic]:
        stage = data.get("stage")
        if not isinstance(stage, str) or stage not in self.schema.stages:
            return []
        out = []
        requirements = self.schema.requirements_for(stage)
        required = {r.path for r in requirements}
        for req in requirements:
            parent, where = _parent(data, req.path, required)
            if parent is None:
                continue  # an ancestor is reported itself, or has the wrong type
            if not is_empty(parent.get(req.path[-1])):
                continue
            if req.path[-1] in parent:
                where = req.path
            # A top-level section missing because of the stage: point at `stage:`, where the
            # author decides, rather than at the top of the file.
            pos = loaded.positions.key(where or ("stage",))
            state = "is empty" if req.path[-1] in parent else "is missing"
            since = "" if req.from_stage == stage else f" (required from stage '{req.from_stage}' on)"
            earlier = ", or move the project to an earlier stage" if stage != self.schema.stages[0] and stage != RETIRED else ""
            out.append(
                error(
                    loaded.file, pos.line, pos.column,
                    f"{req.title} {state}: stage '{stage}' requires it{since}; fill it in{earlier}",
                    "stage-required", format_path(req.path),
                )
            )
        return out


def value_at(data: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` (field names from the root) in a spec, or None where it stops."""
    for name in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(name)
    return data


def is_empty(value: Any) -> bool:
    """Absent, null, blank text, or an empty list or mapping."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    return False


def _parent(data: dict[str, Any], path: tuple[str, ...], required: set[tuple[str, ...]]) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """The mapping that should hold the last name of ``path``, and where to report it missing.

    An ancestor that is itself required at this stage and is absent or empty gives ``None``:
    it is reported, not each field under it. Another absent or null ancestor counts as an
    empty mapping: its required fields are missing, reported at the deepest key that is
    there. An ancestor of another type gives ``None``: the schema reports that.
    """
    node: dict[str, Any] = data
    for depth, name in enumerate(path[:-1]):
        child = node.get(name)
        if path[: depth + 1] in required and is_empty(child):
            return None, ()  # "is missing" / "is empty" itself
        if child is None:
            return {}, path[: depth + 1] if name in node else path[:depth]
        if not isinstance(child, dict):
            return None, ()
        node = child
    return node, path[:-1]



def fast_validator(document: dict[str, Any]) -> Validator | None:
    """The compiled validator for ``document``, or None where it is not installed or refuses it."""
    if jsonschema_rs is None:
        return None
    try:
        return jsonschema_rs.validator_for(document, validate_formats=True)
    except Exception:  # an exotic schema it cannot compile: jsonschema alone still judges
        return None
