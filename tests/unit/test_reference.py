"""The spec reference page lists every property of the schema: it is made from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlfolio.pages.labels import Labels
from mlfolio.pages.builder import PageBuilder, SiteLayout
from mlfolio.pages.render import environment, render_page
from mlfolio.spec.schema import load_schema
from mlfolio.analysis.verdict import DEFAULT_RULES

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


def _reference_markdown(language: str = "en") -> str:
    schema = load_schema(SCHEMA_FILE)
    labels = Labels(language)
    builder = PageBuilder(schema, labels, SiteLayout(""), DEFAULT_RULES)
    page = next(p for p in builder.documentation_pages() if p.src_uri == "reference.md")
    return render_page(environment(labels), page)


def test_every_schema_property_appears_on_the_reference_page() -> None:
    document = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    paths = _schema_paths(document)
    assert len(paths) > 150  # the walk itself found the schema
    text = _reference_markdown()
    missing = sorted(p for p in paths if f"`{p}`" not in text)
    assert missing == []


def test_reference_shows_stage_requirements_descriptions_and_choices() -> None:
    text = _reference_markdown()
    row = next(line for line in text.splitlines() if line.startswith("| `monitoring` |"))
    assert "required from stage Deployed" in row
    row = next(line for line in text.splitlines() if line.startswith("| `stage` |"))
    assert "**always**" in row and "`problem_definition`" in row and "`retired`" in row
    row = next(line for line in text.splitlines() if line.startswith("| `metrics[].direction` |"))
    assert "when its parent is written" in row and "`maximize`" in row


def test_reference_in_korean_uses_korean_titles() -> None:
    text = _reference_markdown("ko")
    assert "## 머신러닝 문제 타당성" in text
    assert "배포부터" not in text  # stage names come from the label table, not ad-hoc text
    assert "필수 단계 배포" in text
