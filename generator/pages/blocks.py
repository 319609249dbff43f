"""Schema-driven display blocks: a section of a spec as a tree the templates only walk.

Every field a spec writes becomes a block, so nothing written is silently dropped. A field
that the project's stage or a later one requires, left empty, becomes a ``missing`` block that
says from which stage it is required ("Not written yet: required from stage Deployed").
Optional fields left out are simply not shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlfolio.pages.labels import Labels
from mlfolio.spec.diagnostics import value_at
from mlfolio.spec.schema import SpecSchema
from mlfolio.spec.validation import is_empty
from mlfolio.spec.values import format_value

# The schema marks references: `x-mlfolio-ref` on a value names the list its id comes from
# (metrics, baselines, datasets); `x-mlfolio-ref-keys` does the same for a mapping's keys.


@dataclass(frozen=True)
class Block:
    """One field. ``kind`` tells the template how to print ``value``:

    - ``text``: free text (Markdown, sanitised by the ``md_text`` filter);
    - ``scalar``: a short value (number, date, id, URL) printed inline;
    - ``choice``: an enum value, ``value`` already turned into its label;
    - ``strings``: a list of texts;
    - ``group``: a mapping; ``children`` are its fields;
    - ``records``: a list of mappings; ``items`` holds each one's fields;
    - ``metric``: a reference to a metric or baseline; ``value`` is ``(name, id)``;
    - ``code``: an id, printed as code;
    - ``link``: a web address;
    - ``missing``: a required field not written yet; ``value`` is the stage requiring it.
    """

    key: str
    label: str
    kind: str
    value: Any = None
    children: tuple[Block, ...] = ()
    items: tuple[tuple[Block, ...], ...] = ()
    description: str = ""
    columns: tuple[tuple[str, str], ...] = ()  # records shown as a table: (key, label) per column

    def cell(self, item: tuple[Block, ...], key: str) -> Block | None:
        """The field ``key`` of one record, for table rows."""
        return next((f for f in item if f.key == key), None)


def choice_label(node: Mapping[str, Any], value: Any, language: str = "en") -> str:
    """An enum's label: Korean from ``x-mlfolio-enum-ko`` on a Korean site, else the bold part
    of its markdownEnumDescription, else the value itself."""
    enum = node.get("enum") or []
    korean = node.get("x-mlfolio-enum-ko") or []
    if language == "ko" and value in enum and len(korean) == len(enum):
        return str(korean[enum.index(value)])
    descriptions = node.get("markdownEnumDescriptions") or []
    if value in enum and len(descriptions) == len(enum):
        text = descriptions[enum.index(value)]
        if text.startswith("**") and "**" in text[2:]:
            return text[2 : text.index("**", 2)]
    return str(value)


_CELL_KINDS = {"scalar", "choice", "metric", "text", "scalars", "code", "link"}
MAX_TABLE_COLUMNS = 5


def _table_columns(records: tuple[tuple[Block, ...], ...]) -> tuple[tuple[str, str], ...]:
    """Columns when a list of records reads best as a table: few fields, none nested."""
    columns: dict[str, str] = {}
    for fields in records:
        for f in fields:
            if f.kind not in _CELL_KINDS:
                return ()
            columns.setdefault(f.key, f.label)
    return tuple(columns.items()) if 0 < len(columns) <= MAX_TABLE_COLUMNS else ()


def _name_first(fields: tuple[Block, ...]) -> tuple[Block, ...]:
    """A record that has a name leads with it; its id follows as code."""
    names = [f for f in fields if f.key == "name"]
    if not names:
        return fields
    rest = tuple(Block(f.key, f.label, "code", f.value, description=f.description) if f.key == "id" else f
                 for f in fields if f.key != "name")
    return (names[0], *rest)


class BlockBuilder:
    def __init__(self, schema: SpecSchema, labels: Labels, stage: str, metrics: Mapping[str, tuple[str, str]] | None = None,
                 names: Mapping[str, str] | None = None) -> None:
        """``metrics``: metric id -> (name, unit); ``names``: baseline and data-set id -> name."""
        self.metrics = dict(metrics or {})
        self.metric_names = {k: name for k, (name, _) in self.metrics.items()}
        self.names = dict(names or {})
        self.schema = schema
        self.labels = labels
        self.stage = stage
        # Every field this stage or a later one requires: left empty, it says from which stage.
        self.required = schema.requirements_ahead(stage)

    def section(self, path: tuple[str, ...], data: Mapping[str, Any], skip: tuple[str, ...] = ()) -> tuple[Block, ...]:
        """The fields of the mapping at ``path`` (``data`` is the whole spec)."""
        node = self.schema.property_schema(path)
        value = value_at(data, path)
        return self._fields(node, value if isinstance(value, Mapping) else {}, path, skip)

    def field(self, path: tuple[str, ...], data: Mapping[str, Any]) -> Block | None:
        """One field by path, or None when it is optional and absent."""
        return self._block(path[-1], self.schema.property_schema(path), value_at(data, path), path)

    def missing_from(self, path: tuple[str, ...]) -> str | None:
        """The stage that requires ``path`` now, if it does."""
        return self.required.get(path)

    def _fields(self, node: Mapping[str, Any], data: Mapping[str, Any], path: tuple[str, ...], skip: tuple[str, ...]) -> tuple[Block, ...]:
        out = []
        for key, raw in node.get("properties", {}).items():
            if key in skip:
                continue
            block = self._block(key, self.schema.resolve(raw), data.get(key), path + (key,))
            if block is not None:
                out.append(block)
        return tuple(out)

    def _block(self, key: str, node: Mapping[str, Any], value: Any, path: tuple[str, ...]) -> Block | None:
        label = self.labels.field(node, key.replace("_", " ").capitalize())
        description = str(node.get("description", ""))
        if is_empty(value):
            stage = self.required.get(path)
            return Block(key, label, "missing", stage, description=description) if stage else None
        kind = node.get("type")
        if kind == "object" and "properties" in node:
            children = self._fields(node, value, path, ())
            return Block(key, label, "group", children=children, description=description)
        if kind == "object":  # free-form mapping: baseline results, metric id -> value
            named = node.get("x-mlfolio-ref-keys") == "metrics"
            rows = tuple((Block("key", "", "metric", (self.metric_names.get(k, k), k)) if named else Block("key", "", "scalar", k),
                          Block("value", "", "scalar", format_value(v, self.metrics.get(k, ("", ""))[1]) if named else v))
                         for k, v in value.items())
            return Block(key, label, "records", items=rows, description=description)
        if kind == "array":
            items = self.schema.resolve(node.get("items", {}))
            if items.get("type") == "object":
                records = tuple(_name_first(self._fields(items, v, path, ())) for v in value)
                return Block(key, label, "records", items=records, description=description, columns=_table_columns(records))
            if items.get("x-mlfolio-ref") == "metrics":
                listed = ", ".join(f"{self.metric_names.get(v, v)} ({v})" for v in value)
                return Block(key, label, "scalar", listed, description=description)
            if items.get("enum"):
                choices = tuple(choice_label(items, v, self.labels.language) for v in value)
                return Block(key, label, "strings", choices, description=description)
            is_text = items.get("type") == "string" and "Markdown" in str(items.get("description", ""))
            return Block(key, label, "strings" if is_text else "scalars", tuple(value), description=description)
        if node.get("enum"):
            return Block(key, label, "choice", choice_label(node, value, self.labels.language), description=description)
        ref = node.get("x-mlfolio-ref")
        if isinstance(value, str) and ref:
            names = self.metric_names if ref == "metrics" else self.names
            if ref in ("metrics", "baselines") or value in names:  # datasets: free text that may name one
                return Block(key, label, "metric", (names.get(value, value), value), description=description)
        if isinstance(value, bool):
            return Block(key, label, "choice", self.labels.answer("yes" if value else "no"), description=description)
        if kind == "string" and node.get("format") == "uri":
            return Block(key, label, "link", value, description=description)
        if kind == "string" and "Markdown" in description:
            return Block(key, label, "text", value, description=description)
        return Block(key, label, "scalar", value, description=description)
