"""Readiness: per section, what the next stage requires and what is still empty.

Validation already enforces the current stage, so readiness measures the way to the next one
(the current one at the last active stage, and for retired projects).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlfolio.analysis.readiness import Readiness, SectionReadiness, readiness
from mlfolio.spec.check import Checker
from mlfolio.spec.schema import Requirement, SpecSchema

REPO = Path(__file__).resolve().parents[2]

# The problem-definition fields (what problem_definition requires), as a minimal spec has them.
MINIMAL: dict[str, Any] = {
    "schema_version": 1,
    "id": "demo",
    "title": "Demo project",
    "stage": "problem_definition",
    "team": "Data Science",
    "owners": [{"name": "Kim Min-ji"}],
    "business": {
        "service": "An online grocery store.",
        "goal": "Raise the 30-day repurchase rate by 10%.",
        "output": {"usage": "customer_facing"},
    },
    "problem": {
        "situation": {"what_is_happening": "Customers stop buying after their first order."},
        "statement": "Find the customers who will not buy again within 30 days.",
    },
}
PROBLEM_DEFINITION_FIELDS = {
    "business", "business.service", "business.goal",
    "problem", "problem.situation", "problem.situation.what_is_happening", "problem.statement",
}  # fmt: skip


def spec(**changes: Any) -> dict[str, Any]:
    out = {k: v for k, v in MINIMAL.items()}
    out.update(changes)
    return out


def dotted(requirements) -> list[str]:
    return [".".join(r.path) for r in requirements]


def requirement(n: int) -> Requirement:
    return Requirement(("section", f"field{n}"), "project_design", f"Field {n}")


# --------------------------------------------------------------------------------------------
# Which stage readiness measures against, and its sections
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("stage", "target"), [
    ("problem_definition", "project_design"),
    ("project_design", "baseline_prototype"),
    ("baseline_prototype", "development"),
    ("development", "deployed"),
    ("deployed", "monitoring"),
    ("monitoring", "monitoring"),  # the last active stage: nothing after it
    ("retired", "retired"),
])
def test_readiness_measures_toward_the_next_stage(spec_schema: SpecSchema, stage: str, target: str) -> None:
    result = readiness(spec(stage=stage), spec_schema)
    assert (result.stage, result.target) == (stage, target)


DESIGN_SECTIONS = ["sme", "business", "problem", "feasibility", "goals", "labels", "metrics", "constraints"]


@pytest.mark.parametrize(("stage", "added"), [
    ("problem_definition", []),
    ("project_design", ["data", "baselines"]),
    ("baseline_prototype", ["data", "baselines", "ab_test", "deployment"]),
    ("development", ["data", "baselines", "ab_test", "deployment", "monitoring"]),
    ("deployed", ["data", "baselines", "ab_test", "deployment", "monitoring", "iterations"]),
    ("monitoring", ["data", "baselines", "ab_test", "deployment", "monitoring", "iterations"]),
])
def test_sections_each_stage_counts(spec_schema: SpecSchema, stage: str, added: list[str]) -> None:
    sections = [s.section for s in readiness(spec(stage=stage), spec_schema).sections]
    assert sorted(sections) == sorted(DESIGN_SECTIONS + added)
    assert "retirement" not in sections


def test_sections_carry_their_schema_titles(spec_schema: SpecSchema) -> None:
    result = readiness(spec(), spec_schema)
    business = result.section("business")
    assert business is not None
    assert business.title == spec_schema.property_schema(("business",))["title"]
    assert business.title_ko == spec_schema.property_schema(("business",))["x-mlfolio-title-ko"]
    assert result.section("retirement") is None


# --------------------------------------------------------------------------------------------
# Required and missing, per section
# --------------------------------------------------------------------------------------------


def test_problem_definition_spec_toward_project_design(spec_schema: SpecSchema) -> None:
    result = readiness(spec(), spec_schema)
    business = result.section("business")
    assert dotted(business.required) == [
        "business", "business.service", "business.goal", "business.input", "business.input.data", "business.output",
    ]  # fmt: skip
    assert dotted(business.missing) == ["business.input", "business.input.data"]
    assert business.percent == 66  # 4 of 6: floored, not rounded to 67

    problem = result.section("problem")
    assert dotted(problem.missing) == ["problem.hypotheses", "problem.decomposition", "problem.candidate_solutions", "problem.incremental_plan"]
    assert problem.percent == 50

    assert dotted(result.section("sme").missing) == ["sme"]
    assert result.section("sme").percent == 0
    feasibility = result.section("feasibility")
    assert feasibility.missing == feasibility.required and len(feasibility.required) == 17
    assert dotted(result.section("goals").missing) == ["goals", "goals.goal", "goals.objectives"]

    assert result.required == 38
    assert len(result.missing) == 30
    assert result.percent == 21  # 8 of 38 = 21.05%
    assert result.missing == tuple(r for s in result.sections for r in s.missing)


def test_filling_a_section_completes_it(spec_schema: SpecSchema) -> None:
    filled = spec(sme={"name": "Lee Seo-yeon"}, business=dict(MINIMAL["business"], input={"data": "Orders and coupons."}))
    result = readiness(filled, spec_schema)
    assert result.section("sme").missing == ()
    assert result.section("sme").percent == 100
    assert result.section("business").missing == ()
    assert result.section("business").percent == 100


@pytest.mark.parametrize("empty", [None, "", "   \n", [], {}], ids=["null", "empty", "blank", "empty-list", "empty-map"])
def test_empty_values_count_as_missing(spec_schema: SpecSchema, empty: Any) -> None:
    filled = spec(business=dict(MINIMAL["business"], service=empty), problem=dict(MINIMAL["problem"], hypotheses=empty))
    result = readiness(filled, spec_schema)
    assert "business.service" in dotted(result.section("business").missing)
    assert "problem.hypotheses" in dotted(result.section("problem").missing)


def test_an_absent_parent_makes_its_required_fields_missing(spec_schema: SpecSchema) -> None:
    result = readiness({k: v for k, v in MINIMAL.items() if k != "problem"}, spec_schema)
    assert dotted(result.section("problem").missing) == dotted(result.section("problem").required)


def test_a_spec_without_stage_counts_as_the_first_stage(spec_schema: SpecSchema) -> None:
    result = readiness({k: v for k, v in MINIMAL.items() if k != "stage"}, spec_schema)
    assert (result.stage, result.target) == (spec_schema.stages[0], spec_schema.stages[1])


def test_an_example_toward_its_next_stage(spec_schema: SpecSchema) -> None:
    """house-prices is at baseline & prototype: development needs the A/B test and deployment."""
    path = REPO / "projects" / "house-prices.yaml"
    data = Checker(spec_schema).check_file(path, "projects/house-prices.yaml").data
    assert data is not None and data["stage"] == "baseline_prototype"
    result = readiness(data, spec_schema)
    assert result.target == "development"
    assert dotted(result.missing) == ["ab_test", "deployment", "deployment.mode", "deployment.infrastructure"]
    assert result.percent == 100 * (result.required - 4) // result.required


# --------------------------------------------------------------------------------------------
# Percentages floor
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("required", "missing", "percent"), [
    (3, 1, 66), (3, 2, 33), (6, 1, 83), (7, 1, 85), (200, 1, 99), (1000, 1, 99), (1, 1, 0), (5, 0, 100),
])
def test_section_percent_floors(required: int, missing: int, percent: int) -> None:
    reqs = tuple(requirement(n) for n in range(required))
    section = SectionReadiness("section", "Section", "", reqs, reqs[:missing])
    assert section.percent == percent


def test_percent_is_never_100_while_something_is_missing() -> None:
    for required in range(1, 402, 7):
        reqs = tuple(requirement(n) for n in range(required))
        for missing in (1, 2):
            if missing > required:
                continue
            section = SectionReadiness("section", "Section", "", reqs, reqs[:missing])
            total = Readiness("project_design", "baseline_prototype", (section,))
            assert section.percent < 100 and total.percent < 100, (required, missing)


def test_total_percent_counts_fields_not_sections() -> None:
    big = tuple(requirement(n) for n in range(9))
    small = (requirement(100),)
    result = Readiness("project_design", "baseline_prototype", (
        SectionReadiness("a", "A", "", big, ()),
        SectionReadiness("b", "B", "", small, small),
    ))
    assert (result.required, len(result.missing), result.percent) == (10, 1, 90)


def test_nothing_required_is_complete() -> None:
    assert SectionReadiness("a", "A", "", (), ()).percent == 100
    assert Readiness("retired", "retired", ()).percent == 100


# --------------------------------------------------------------------------------------------
# Retired projects
# --------------------------------------------------------------------------------------------

RETIREMENT = {"date": "2026-03-20", "reason": "A rule did better."}


def test_retired_needs_problem_definition_fields_and_retirement_only(spec_schema: SpecSchema) -> None:
    result = readiness(spec(stage="retired", retirement=RETIREMENT), spec_schema)
    assert set(dotted(r for s in result.sections for r in s.required)) == PROBLEM_DEFINITION_FIELDS | {"retirement"}
    assert sorted(s.section for s in result.sections) == ["business", "problem", "retirement"]
    assert result.missing == ()
    assert result.percent == 100  # no feasibility, goals, metrics... and still complete


def test_retired_without_retirement_misses_only_that(spec_schema: SpecSchema) -> None:
    result = readiness(spec(stage="retired"), spec_schema)
    assert dotted(result.missing) == ["retirement"]
    assert result.percent == 87  # 7 of 8 = 87.5%


def test_retired_ignores_sections_of_later_stages(spec_schema: SpecSchema) -> None:
    """What a retired project wrote (or not) for later stages does not count either way."""
    result = readiness(spec(stage="retired", retirement=RETIREMENT, feasibility={}, metrics=[]), spec_schema)
    assert result.percent == 100
    assert result.section("feasibility") is None and result.section("metrics") is None
