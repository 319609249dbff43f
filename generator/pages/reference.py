"""The spec reference: every field of the schema, made from the schema so it cannot drift."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlfolio.pages.labels import Labels
from mlfolio.spec.schema import SpecSchema


@dataclass(frozen=True)
class FieldDoc:
    path: str  # ``goals.objectives[].metric``
    depth: int
    title: str
    type: str
    required: str  # "always", a stage key, or ""
    choices: tuple[tuple[str, str], ...]
    description: str
    example: str


@dataclass(frozen=True)
class SectionDoc:
    key: str
    title: str
    fields: tuple[FieldDoc, ...]


_PLURAL = {"object": "mappings", "string": "texts", "number": "numbers", "integer": "whole numbers", "boolean": "booleans"}


def _type(node: dict[str, Any], schema: SpecSchema) -> str:
    kind = node.get("type", "")
    if kind == "array":
        inner = node.get("items", {})
        return f"list of {_PLURAL.get(schema.resolve(inner).get('type', ''), 'items')}" if isinstance(inner, dict) else "list"
    if "format" in node:
        return f"{kind} ({node['format']})"
    if "const" in node:
        return f"{kind} = {json.dumps(node['const'])}"
    return str(kind)


def _example(node: dict[str, Any]) -> str:
    examples = node.get("examples") or []
    if not examples or isinstance(examples[0], (dict, list)) and node.get("type") == "object":
        return ""
    return json.dumps(examples[0], ensure_ascii=False)


WITH_PARENT = "with_parent"


def _need(name: str, raw: dict[str, Any], prop: dict[str, Any], required: set[str], top: bool) -> str:
    """``always``, the stage that first requires the field, ``with_parent``, or ``""`` (optional)."""
    stage = raw.get("x-mlfolio-required-from") or prop.get("x-mlfolio-required-from")
    if stage:
        return str(stage)
    if name in required:
        return "always" if top else WITH_PARENT
    return ""


def _description(prop: dict[str, Any], labels: Labels) -> str:
    korean = prop.get("x-mlfolio-description-ko")
    return str(korean if labels.language == "ko" and korean else prop.get("description", ""))


def _doc(schema: SpecSchema, labels: Labels, name: str, raw: dict[str, Any], path: str, depth: int, required: set[str]) -> FieldDoc:
    prop = schema.resolve(raw)
    enum = [str(v) for v in prop.get("enum", [])]
    texts = prop.get("markdownEnumDescriptions") or [""] * len(enum)
    return FieldDoc(path, depth, labels.field(prop, name), _type(prop, schema), _need(name, raw, prop, required, depth == 0),
                    tuple(zip(enum, texts)), _description(prop, labels), _example(prop))


def _walk(schema: SpecSchema, labels: Labels, node: dict[str, Any], path: str, depth: int) -> Iterator[FieldDoc]:
    """The fields under ``node``: its properties, and the properties of its list items."""
    node = schema.resolve(node)
    items = node.get("items")
    if isinstance(items, dict) and schema.resolve(items).get("type") == "object":
        node, path = schema.resolve(items), f"{path}[]"
    required = set(node.get("required", []))
    for name, raw in node.get("properties", {}).items():
        here = f"{path}.{name}"
        yield _doc(schema, labels, name, raw, here, depth, required)
        yield from _walk(schema, labels, raw, here, depth + 1)


def reference(schema: SpecSchema, labels: Labels) -> tuple[SectionDoc, ...]:
    """The schema as documentation: one section per top-level field, fields in schema order."""
    root = schema.document
    required = set(root.get("required", []))
    sections = []
    for name, raw in root.get("properties", {}).items():
        head = _doc(schema, labels, name, raw, name, 0, required)
        fields = (head, *_walk(schema, labels, raw, name, 1))
        sections.append(SectionDoc(name, head.title, fields))
    return tuple(sections)
