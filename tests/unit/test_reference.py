"""The spec reference page lists every property of the schema: it is made from it."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from mlfolio.analysis.verdict import DEFAULT_RULES
from mlfolio.pages.builder import PageBuilder, SiteLayout
from mlfolio.pages.labels import Labels
from mlfolio.pages.render import RenderedPage, environment, render_page
from mlfolio.spec.schema import load_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "project.schema.json"


def _schema_paths(document: dict[str, Any]) -> set[str]:
    """Walk the raw JSON independently of mlfolio.pages.reference: every property path."""
    defs = document["$defs"]

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        return defs[ref.rsplit("/", 1)[-1]] if ref else node

    found: set[str] = set()

    def walk(node: dict[str, Any], prefix: str) -> None:
        node = resolve(node)
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            walk(node["items"], prefix + "[]")
            return
        for name, child in node.get("properties", {}).items():
            path = f"{prefix}.{name}" if prefix else name
            found.add(path)
            walk(child, path)

    walk(document, "")
    return found


class _Rows(HTMLParser):
    """The reference page's table rows, each cell as (text, texts in <code>, texts in <strong>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[tuple[str, list[str], list[str]]]] = []
        self._cell: list[str] | None = None
        self._inline: list[str] = []  # open <code>/<strong> elements inside the cell
        self._code: list[str] = []
        self._strong: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell, self._code, self._strong = [], [], []
        elif tag in ("code", "strong") and self._cell is not None:
            self._inline.append(tag)
            (self._code if tag == "code" else self._strong).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append((" ".join("".join(self._cell).split()), self._code, self._strong))
            self._cell = None
        elif tag in ("code", "strong") and self._inline:
            self._inline.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is None:
            return
        self._cell.append(data)
        for tag in self._inline:
            target = self._code if tag == "code" else self._strong
            target[-1] += data


def _reference(language: str = "en") -> RenderedPage:
    schema = load_schema(SCHEMA_FILE)
    labels = Labels(language)
    builder = PageBuilder(schema, labels, SiteLayout(""), DEFAULT_RULES)
    page = next(p for p in builder.documentation_pages() if p.src_uri == "reference.md")
    return render_page(environment(labels), page)


def _rows(language: str = "en") -> dict[str, list[tuple[str, list[str], list[str]]]]:
    """Field path (the code in the first cell) -> the row's cells."""
    parser = _Rows()
    parser.feed(_reference(language).html)
    parser.close()
    return {row[0][1][0]: row for row in parser.rows if row and row[0][1]}


def test_every_schema_property_appears_on_the_reference_page() -> None:
    document = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    paths = _schema_paths(document)
    assert len(paths) > 150  # the walk itself found the schema
    missing = sorted(paths - set(_rows()))
    assert missing == []


def test_reference_shows_stage_requirements_descriptions_and_choices() -> None:
    rows = _rows()
    path, kind, required, description = rows["monitoring"]
    assert required[0] == "required from stage Deployed"
    assert description[0], "no description"
    _, _, required, description = rows["stage"]
    assert required[2] == ["always"]
    assert {"problem_definition", "retired"} <= set(description[1])
    _, _, required, description = rows["metrics[].direction"]
    assert required[0] == "when its parent is written"
    assert "maximize" in description[1]


def test_reference_has_a_table_of_contents_of_its_sections() -> None:
    from mlfolio.pages.layout import slug
    from mlfolio.pages.reference import reference

    page = _reference()
    expected = [(slug(s.key), " ".join(s.title.split())) for s in reference(load_schema(SCHEMA_FILE), Labels("en"))]
    assert len(expected) >= 10
    assert [(e.id, e.title) for e in page.toc if e.level == 2] == expected
    assert len({e.id for e in page.toc}) == len(page.toc)
    assert {e.id for e in page.toc} <= set(page.anchors)


def test_reference_in_korean_uses_korean_titles() -> None:
    page = _reference("ko")
    assert (2, "머신러닝 문제 타당성") in [(e.level, e.title) for e in page.toc]
    cells = [cell[0] for row in _rows("ko").values() for cell in row]
    assert not any("배포부터" in c for c in cells)  # stage names come from the label table, not ad-hoc text
    assert "필수 단계 배포" in cells
