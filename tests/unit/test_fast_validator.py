"""The compiled fast path never lets through a spec that jsonschema would reject.

The fast validator only answers "valid"; every message comes from jsonschema. So the one
thing that must hold is: whenever jsonschema finds an error, the fast validator says invalid.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest

from mlfolio.spec import validation
from mlfolio.spec.check import Checker
from mlfolio.spec.loader import load_file
from mlfolio.spec.schema import load_schema

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "projects").glob("*.yaml"))
SCHEMA = load_schema(ROOT / "schemas" / "project.schema.json")
REFERENCE = validation.Draft202012Validator(SCHEMA.document, format_checker=validation.Draft202012Validator.FORMAT_CHECKER)
FAST = validation.fast_validator(SCHEMA.document)

BAD_VALUES: list[Any] = [None, True, 0, -1.5, "", "2026-13-01", "not a url", "Not An Id", [], {}, ["x"], {"x": 1}, "x" * 70]


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.extend(_paths(value, (*prefix, i)))
    return out


def _mutations(data: dict[str, Any], rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Specs with one thing wrong: a value replaced, a field dropped, or an unknown field added."""
    paths = [p for p in _paths(data) if p]
    out = []
    for _ in range(count):
        spec = copy.deepcopy(data)
        path = rng.choice(paths)
        parent = spec
        for part in path[:-1]:
            parent = parent[part]
        action = rng.randrange(3)
        if action == 0:
            parent[path[-1]] = rng.choice(BAD_VALUES)
        elif action == 1 and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent["unknown_" + str(path[-1])] = "x"
        else:
            parent[path[-1]] = rng.choice(BAD_VALUES)
        out.append(spec)
    return out


def test_the_fast_validator_is_installed_and_compiles_the_schema() -> None:
    assert FAST is not None


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_it_never_accepts_what_jsonschema_rejects(example: Path) -> None:
    data = load_file(example).data
    assert FAST.is_valid(data) and not list(REFERENCE.iter_errors(data))
    rejected = 0
    for spec in _mutations(data, random.Random(example.stem), 150):
        if list(REFERENCE.iter_errors(spec)):
            rejected += 1
            assert not FAST.is_valid(spec), spec
    assert rejected > 50  # the mutations really exercise the schema


def test_without_it_the_diagnostics_are_the_same(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "crm-repurchase.yaml"
    text = (ROOT / "projects" / "crm-repurchase.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("stage: deployed", "stage: deploy").replace("direction: maximize", "direction: up", 1), encoding="utf-8")
    files = [*EXAMPLES, broken]
    with_fast = Checker(SCHEMA).check_paths(files).diagnostics
    monkeypatch.setattr(validation, "jsonschema_rs", None)
    without = Checker(SCHEMA).check_paths(files).diagnostics
    assert with_fast == without
    assert {d.rule for d in without} >= {"schema"}
