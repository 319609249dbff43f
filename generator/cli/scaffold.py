"""``mlfolio new``: a fresh spec with the schema line and every section as a commented prompt.

The prompts are generated from the schema, so the scaffold can never drift from the format.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from mlfolio.spec.schema import SpecSchema

_WIDTH = 92
_TOP = ("schema_version", "id", "title", "stage", "team", "owners")


def _title_from_id(ident: str) -> str:
    return re.sub(r"[-_]+", " ", ident).strip().capitalize()


def _comment(text: str, indent: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    return [f"{indent}## {line}" for line in textwrap.wrap(text, _WIDTH - len(indent) - 3)]


def _example(prop: dict[str, Any]) -> Any:
    examples = prop.get("examples") or []
    return examples[0] if examples else None


def _placeholder(prop: dict[str, Any]) -> str:
    if prop.get("enum"):
        examples = [e for e in prop.get("examples") or [] if e in prop["enum"]]
        return str(examples[0] if examples else prop["enum"][0])
    examples = prop.get("examples") or []
    if examples and not isinstance(examples[0], (dict, list)):
        value = examples[0]
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else json.dumps(value)
    return ""


class _Writer:
    def __init__(self, schema: SpecSchema) -> None:
        self.schema = schema
        self.lines: list[str] = []

    def prop(self, name: str, raw: dict[str, Any], indent: str, commented: bool, first_in_item: bool = False) -> None:
        prop = self.schema.resolve(raw)
        mark = "# " if commented else ""
        dash = "- " if first_in_item else ""
        self.lines.extend(_comment(prop.get("description", ""), indent))
        if prop.get("x-mlfolio-required-from") or raw.get("x-mlfolio-required-from"):
            stage = raw.get("x-mlfolio-required-from") or prop.get("x-mlfolio-required-from")
            self.lines.append(f"{indent}## Required from stage: {stage}.")
        if prop.get("enum"):
            self.lines.append(f"{indent}## One of: {', '.join(map(str, prop['enum']))}.")
        kind = prop.get("type")
        if kind == "object" and "properties" in prop:
            self.lines.append(f"{indent}{mark}{dash}{name}:")
            inner = indent + "  "
            for child, child_schema in prop["properties"].items():
                self.prop(child, child_schema, inner, commented=True)
        elif kind == "array" and isinstance(prop.get("items"), dict):
            items = self.schema.resolve(prop["items"])
            self.lines.append(f"{indent}{mark}{dash}{name}:")
            inner = indent + "  "
            if items.get("type") == "object" and "properties" in items:
                for i, (child, child_schema) in enumerate(items["properties"].items()):
                    self.prop(child, child_schema, inner + ("" if i == 0 else "  "), True, first_in_item=(i == 0))
            else:
                self.lines.append(f"{inner}#   - {_placeholder(items)}")
        elif kind == "object" and isinstance(_example(prop), dict):
            # A free-form mapping (``results: {metric_id: value}``): its example, one entry a line.
            self.lines.append(f"{indent}{mark}{dash}{name}:")
            for key, value in _example(prop).items():
                self.lines.append(f"{indent}  # {key}: {json.dumps(value, ensure_ascii=False)}")
        else:
            value = _placeholder(prop)
            self.lines.append(f"{indent}{mark}{dash}{name}: {value}".rstrip())
        if not indent:
            self.lines.append("")


def scaffold(
    schema: SpecSchema, ident: str, schema_ref: str, *, title: str | None = None, team: str | None = None, owner: str | None = None
) -> str:
    """The text of a new spec for project ``ident``; ``schema_ref`` is the schema path as seen from the spec."""
    top = schema.document["properties"]
    title = " ".join((title or _title_from_id(ident)).split())
    lines = [
        f"# yaml-language-server: $schema={schema_ref}",
        f"# {title}: a new mlfolio project spec.",
        "# Fill in what the current stage requires; `mlfolio validate` says what is missing, on its line.",
        "# Lines starting with '## ' are help. To write a section, uncomment its lines (remove one",
        "# leading '# ', which is what an editor's toggle-comment does): the help stays a comment.",
        "",
        "schema_version: 1",
        f"id: {json.dumps(ident)}",  # quoted: an id such as 123 or true stays text
        f"title: {json.dumps(title, ensure_ascii=False)}",
        "## Where the project stands; it decides which sections are required.",
        "## One of: " + ", ".join(schema.stages) + ".",
        f"stage: {schema.stages[0]}",
        f"team: {json.dumps(team or '', ensure_ascii=False)}",
        "owners:",
        f"  - name: {json.dumps(owner or '', ensure_ascii=False)}",
        "",
    ]
    writer = _Writer(schema)
    for name, prop in top.items():
        if name in _TOP or name == "$schema":
            continue
        writer.prop(name, prop, "", commented=True)
    body = "\n".join(lines + writer.lines).rstrip() + "\n"
    return _uncomment_required(body, schema)


def _uncomment_required(text: str, schema: SpecSchema) -> str:
    """Uncomment the sections the first stage requires, so the author sees them as open prompts."""
    needed = {r.path for r in schema.requirements_for(schema.stages[0])}
    out: list[str] = []
    stack: list[str] = []
    for line in text.splitlines():
        match = re.match(r"^(\s*)# (\w+):(.*)$", line)
        if match:
            depth = len(match.group(1)) // 2
            stack = stack[:depth] + [match.group(2)]
            if tuple(stack) in needed:
                value = match.group(3)
                if value.strip() and not value.strip().startswith('"'):
                    value = ""
                elif value.strip():
                    value = ' ""'
                line = f"{match.group(1)}{match.group(2)}:{value}"
        out.append(line)
    return "\n".join(out) + "\n"
