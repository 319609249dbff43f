"""The example specs in ``projects/``: clean under ``--strict``, and a portfolio worth showing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mlfolio.cli.main import EXIT_OK, main
from mlfolio.spec.check import Checker
from mlfolio.spec.loader import load_file
from mlfolio.spec.schema import load_schema

REPO = Path(__file__).resolve().parents[2]
PROJECTS = REPO / "projects"
EXAMPLES = sorted(PROJECTS.glob("*.yaml"))
HANGUL = re.compile("[\uac00-\ud7a3]")
# Free text: what people write, not the ids, enums and dates the schema fixes.
NOT_FREE_TEXT = {"id", "stage", "schema_version", "created", "updated", "date", "metric", "kind",
                 "direction", "answer", "usage", "situation", "approach", "role", "mode",
                 "infrastructure", "tool", "verdict", "alert_when", "strategy"}  # fmt: skip


def free_text(node: Any, key: str = "") -> list[str]:
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in free_text(v, k)]
    if isinstance(node, list):
        return [t for item in node for t in free_text(item, key)]
    return [node] if isinstance(node, str) and key not in NOT_FREE_TEXT else []


@pytest.fixture(scope="module")
def specs() -> dict[str, dict[str, Any]]:
    return {path.stem: load_file(path).data for path in EXAMPLES}


def test_there_are_at_least_six_examples() -> None:
    assert len(EXAMPLES) >= 6, [p.name for p in EXAMPLES]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_has_no_errors_and_no_warnings(path: Path) -> None:
    run = Checker(load_schema(REPO / "schemas" / "project.schema.json")).check_paths([path], root=REPO)
    assert [d.format() for d in run.diagnostics] == []


def test_all_examples_pass_validate_strict(capsys, monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    assert main(["validate", "--strict", "projects"]) == EXIT_OK
    assert capsys.readouterr().out == f"{len(EXAMPLES)} files checked: no problems\n"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_points_editors_at_the_schema(path: Path) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == "# yaml-language-server: $schema=../schemas/project.schema.json"


def test_at_least_one_example_is_in_korean(specs) -> None:
    def written_in_korean(spec: dict[str, Any]) -> bool:
        texts = free_text(spec)
        return bool(HANGUL.search(spec["title"])) and sum(bool(HANGUL.search(t)) for t in texts) * 2 > len(texts)

    assert [ident for ident, spec in specs.items() if written_in_korean(spec)], "no example is written in Korean"


def test_examples_cover_at_least_five_stages(specs) -> None:
    stages = {spec["stage"] for spec in specs.values()}
    assert len(stages) >= 5, stages
    assert stages <= set(load_schema().stages)


def test_examples_have_unique_ids_matching_their_files(specs) -> None:
    assert all(spec["id"] == ident for ident, spec in specs.items())


def test_free_text_helper_skips_fixed_values() -> None:
    spec = {"id": "x", "stage": "deployed", "title": "제목", "metrics": [{"id": "m", "name": "재구매율", "kind": "business"}]}
    assert free_text(spec) == ["제목", "재구매율"]
