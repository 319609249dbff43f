"""Shared fixtures for the unit tests.

The validation tests check specs given as YAML text: the text goes through the real loader,
so every position in a diagnostic is a real line and column of that text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlfolio.spec.diagnostics import Diagnostic
from mlfolio.spec.loader import load_bytes
from mlfolio.spec.rules import run_rules
from mlfolio.spec.schema import SpecSchema, load_schema
from mlfolio.spec.validation import SchemaChecker

UNIT = Path(__file__).resolve().parent
REPO = UNIT.parents[1]
PROJECTS = REPO / "projects"
SCHEMA_FILE = REPO / "schemas" / "project.schema.json"
VALIDATION_FIXTURES = UNIT / "fixtures" / "validation"


@pytest.fixture(scope="session")
def spec_schema() -> SpecSchema:
    """The repository's schema, the one `mlfolio validate` uses in this checkout."""
    return load_schema(SCHEMA_FILE)


@pytest.fixture(scope="session")
def check_text(spec_schema: SpecSchema) -> Callable[..., list[Diagnostic]]:
    """``check_text(yaml_text, file=...)``: every diagnostic for one spec, sorted by position.

    The same steps as ``Checker.check_file`` (loader, schema, rules), without the file-name
    rule, which needs a real file.
    """
    schema_checker = SchemaChecker(spec_schema)

    def check(text: str, file: str = "projects/demo.yaml") -> list[Diagnostic]:
        loaded = load_bytes(text.encode("utf-8"), file)
        found = list(loaded.diagnostics)
        if loaded.data is not None:
            found.extend(schema_checker.check(loaded))
            if isinstance(loaded.data, dict):
                found.extend(run_rules(loaded.data, loaded, spec_schema))
        return sorted(found, key=Diagnostic.sort_key)

    return check


@pytest.fixture(scope="session")
def example_text() -> Callable[[str], str]:
    """``example_text("churn-recommender")``: the text of ``projects/<id>.yaml``."""

    def read(ident: str) -> str:
        return (PROJECTS / f"{ident}.yaml").read_text(encoding="utf-8")

    return read


@pytest.fixture
def churn(example_text: Callable[[str], str]) -> str:
    """The churn-recommender example (stage development: metrics, baselines, A/B test, monitors)."""
    return example_text("churn-recommender")


@pytest.fixture
def feed(example_text: Callable[[str], str]) -> str:
    """The feed-ranking example (multi-objective components, observations)."""
    return example_text("feed-ranking")


@pytest.fixture
def crm(example_text: Callable[[str], str]) -> str:
    """The crm-repurchase example (outcomes: observations, the A/B result, the evaluation)."""
    return example_text("crm-repurchase")


@pytest.fixture(scope="session")
def fixture_text() -> Callable[[str], str]:
    """``fixture_text("minimal.yaml")``: a file of ``fixtures/validation/``."""

    def read(name: str) -> str:
        return (VALIDATION_FIXTURES / name).read_text(encoding="utf-8")

    return read


@pytest.fixture(scope="session")
def replace_once() -> Callable[[str, str, str], str]:
    """``replace_once(text, old, new)``: the text with its one occurrence of ``old`` replaced.

    Fails the test when ``old`` is not there exactly once, so an edited fixture or example
    cannot silently turn a mutation into a no-op.
    """

    def replace(text: str, old: str, new: str) -> str:
        count = text.count(old)
        assert count == 1, f"{old!r} occurs {count} times, expected once"
        return text.replace(old, new)

    return replace

