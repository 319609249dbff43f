"""``mlfolio new``: a fresh spec with the schema line and every section as a commented prompt.

The prompts are generated from the schema, so the scaffold can never drift from the format.
The values given on the command line (id, title, team, owner) are written as YAML
double-quoted scalars, and the text is read back through the spec loader and checked: a
value that would not load as exactly what was given, or that the spec's own checks refuse
for its field, is refused with :class:`UnwritableValue` before anything is written.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from mlfolio.spec.diagnostics import Diagnostic, format_path, value_at
from mlfolio.spec.loader import load_bytes
from mlfolio.spec.messages import show
from mlfolio.spec.rules import run_rules
from mlfolio.spec.schema import SpecSchema
from mlfolio.spec.validation import SchemaChecker

_WIDTH = 92
_TOP = ("schema_version", "id", "title", "stage", "team", "owners")


class UnwritableValue(ValueError):
    """A value given for the new spec that cannot be written into it; the text says which and what to do."""


# One line of text: no C0 or C1 control character (a line break or a tab among them), no
# line or paragraph separator (line breaks to YAML 1.1 and to JavaScript).
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CHAR_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab",
               "\u2028": "a line separator", "\u2029": "a paragraph separator"}


def quoted(value: str) -> str:
    """``value`` as a YAML double-quoted scalar: printable characters as they are, every other
    one (controls, spaces other than U+0020, invisible and format characters) escaped, so the
    file shows it and no YAML or editor reads it as anything but this text."""
    out = ['"']
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _readable(value: str) -> str:
    """``value`` for a comment line: as it is, with what cannot be seen escaped as in :func:`quoted`."""
    return "".join(char if char.isprintable() else quoted(char)[1:-1] for char in value)


def _refuse_characters(option: str, value: str) -> None:
    if _SURROGATE.search(value):
        raise UnwritableValue(f"--{option} is not valid text: it holds bytes that are not UTF-8; pass it in UTF-8")
    bad = _NOT_ONE_LINE.search(value)
    if bad:
        char = bad.group()
        name = _CHAR_NAMES.get(char, "a control character")
        raise UnwritableValue(f"--{option} contains {name} (U+{ord(char):04X}): the value is one line of plain text; "
                              "remove it")


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


# Lists whose ids other fields name (``x-mlfolio-ref``): an example reference names the id the
# scaffold's own example for that list defines, so the examples agree when uncommented together.
_REF_LISTS = {"metrics": ("metrics",), "baselines": ("baselines",), "datasets": ("data", "datasets")}


def _is_review(prop: dict[str, Any]) -> bool:
    """An answer (a feasibility criterion, a question about the input data) or a reviewer's
    override: the scaffold never writes one, only how to write it. Uncommented, it is empty,
    and the checker says so."""
    props = prop.get("properties") or {}
    return prop.get("type") == "object" and ("answer" in props or "reviewer" in props)


class _Writer:
    def __init__(self, schema: SpecSchema) -> None:
        self.schema = schema
        self.lines: list[str] = []
        self.ids = {ref: self._id_example(path) for ref, path in _REF_LISTS.items()}

    def _id_example(self, path: tuple[str, ...]) -> str | None:
        items = self.schema.resolve(self.schema.property_schema(path).get("items") or {})
        examples = self.schema.resolve((items.get("properties") or {}).get("id") or {}).get("examples") or []
        return str(examples[0]) if examples else None

    def _review(self, name: str, prop: dict[str, Any], indent: str, mark: str) -> None:
        inner = indent + "  "
        for child, raw in (prop.get("properties") or {}).items():
            sub = self.schema.resolve(raw)
            choices = f" One of: {', '.join(map(str, sub['enum']))}." if sub.get("enum") else ""
            self.lines.extend(_comment(f"{child}: {sub.get('description', '')}{choices}", inner))
        self.lines.append(f"{indent}{mark}{name}:")

    def prop(self, name: str, raw: dict[str, Any], indent: str, commented: bool, first_in_item: bool = False) -> None:
        prop = self.schema.resolve(raw)
        mark = "# " if commented else ""
        dash = "- " if first_in_item else ""
        self.lines.extend(_comment(prop.get("description", ""), indent))
        if _is_review(prop):
            self._review(name, prop, indent, mark + dash)
            if not indent:
                self.lines.append("")
            return
        ref = prop.get("x-mlfolio-ref")
        if isinstance(ref, str) and self.ids.get(ref):
            prop = {**prop, "examples": [self.ids[ref]]}
        items_ref = self.schema.resolve(prop.get("items") or {}).get("x-mlfolio-ref") if prop.get("type") == "array" else None
        if isinstance(items_ref, str) and self.ids.get(items_ref):
            prop = {**prop, "items": {**self.schema.resolve(prop["items"]), "examples": [self.ids[items_ref]]}}
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
                for _ in range(max(1, int(prop.get("minItems") or 1))):  # as many items as the list needs
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
    """The text of a new spec for project ``ident``; ``schema_ref`` is the schema path as seen from the spec.

    Raises :class:`UnwritableValue` for a value that cannot be written (see the module)."""
    top = schema.document["properties"]
    # (option, field path, value) of every value the author gave; the title from the id too.
    given: list[tuple[str, tuple[str | int, ...], str]] = [("id", ("id",), ident)]
    given.append(("title", ("title",), _title_from_id(ident) if title is None else title))
    if team is not None:
        given.append(("team", ("team",), team))
    if owner is not None:
        given.append(("owner", ("owners", 0, "name"), owner))
    for option, _, value in given:
        _refuse_characters(option, value)
    title = given[1][2]
    lines = [
        f"# yaml-language-server: $schema={schema_ref}",
        f"# {_readable(title)}: a new mlfolio project spec.",
        "# Fill in what the current stage requires; `mlfolio validate` says what is missing, on its line.",
        "# Lines starting with '## ' are help. To write a section, uncomment its lines (remove one",
        "# leading '# ', which is what an editor's toggle-comment does): the help stays a comment.",
        "",
        "schema_version: 1",
        f"id: {quoted(ident)}",  # quoted: an id such as 123 or true stays text
        f"title: {quoted(title)}",
        "## Where the project stands; it decides which sections are required.",
        "## One of: " + ", ".join(schema.stages) + ".",
        f"stage: {schema.stages[0]}",
        f"team: {quoted(team or '')}",
        "owners:",
        f"  - name: {quoted(owner or '')}",
        "",
    ]
    writer = _Writer(schema)
    for name, prop in top.items():
        if name in _TOP or name == "$schema":
            continue
        writer.prop(name, prop, "", commented=True)
    body = "\n".join(lines + writer.lines).rstrip() + "\n"
    text = _uncomment_required(body, schema)
    _read_back(schema, text, given)
    return text


def _read_back(schema: SpecSchema, text: str, given: list[tuple[str, tuple[str | int, ...], str]]) -> None:
    """Load ``text`` as any spec is loaded and check it: each given value must come back as it
    was given, and pass the spec's own checks for its field."""
    loaded = load_bytes(text.encode("utf-8"), "new.yaml")
    data = loaded.data
    if not loaded.ok or not isinstance(data, dict):  # quoting makes this unreachable; never write such a file
        reason = loaded.diagnostics[0].message if loaded.diagnostics else "it is not a mapping"
        raise UnwritableValue(f"the new spec would not load ({reason}): use plain text in "
                              + ", ".join(f"--{option}" for option, _, _ in given[1:]))
    for option, path, value in given:
        if value_at(data, path) != value:
            raise UnwritableValue(f"--{option} {show(value)} would be read back as {show(value_at(data, path))}: use plain text")
    found: list[Diagnostic] = [*SchemaChecker(schema).check(loaded), *run_rules(data, loaded)]
    for option, path, value in given:
        field = format_path(path)
        problems = [d for d in found if d.is_error and (d.path == field or d.path.startswith((field + ".", field + "[")))]
        if not problems:
            continue
        if option == "id":
            raise UnwritableValue(f"'{value}' is not a valid project id: {problems[0].message}")
        message = problems[0].message
        raise UnwritableValue(f"--{option} {message}" if message.startswith(("is ", "must ", "needs ")) else f"--{option}: {message}")


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
