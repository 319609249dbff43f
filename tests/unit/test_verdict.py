"""The feasibility verdict: the default rules case by case, rule order, missing answers,
overrides, rules from configuration, and the verdicts of the example projects.

Answers are written as ``{"for_ml.pattern": "no"}``: every criterion not named gets its
"good" answer (``yes`` for a reason for ML, ``no`` for a reason against it or a risk), so each
case changes exactly one thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlfolio.analysis.verdict import (
    ANSWERS,
    DEFAULT_RULES,
    VERDICTS,
    Condition,
    CriterionAnswer,
    Verdict,
    criteria,
    decide,
    parse_rules,
    read_answers,
    verdict_for,
)
from mlfolio.spec.check import Checker
from mlfolio.spec.schema import SpecSchema

REPO = Path(__file__).resolve().parents[2]
GOOD = {"for_ml": "yes", "against_ml": "no", "risks": "no"}

# The criteria the schema defines, in schema order (the order the site shows them).
CRITERIA = (
    "for_ml.pattern", "for_ml.objective_function", "for_ml.complexity", "for_ml.data_available", "for_ml.repetitive",
    "against_ml.unethical", "against_ml.simple_solution", "against_ml.no_good_data", "against_ml.fatal_errors",
    "against_ml.must_explain", "against_ml.not_cost_effective",
    "risks.scale_unestimable", "risks.stakeholders_disagree",
)  # fmt: skip


def feasibility(changes: dict[str, str] | None = None, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A feasibility section: every criterion at its good answer, then ``changes``; ``drop``
    leaves criteria out (their answer is then ``missing``)."""
    out: dict[str, Any] = {}
    for ref in CRITERIA:
        if ref in drop:
            continue
        group, key = ref.split(".")
        answer = (changes or {}).get(ref, GOOD[group])
        if answer != "missing":
            out.setdefault(group, {})[key] = {"answer": answer, "evidence": f"evidence for {ref}"}
    return out


def verdict(spec_schema: SpecSchema, changes: dict[str, str] | None = None, **more: Any) -> Verdict:
    return verdict_for({"feasibility": feasibility(changes), **more}, spec_schema)


def refs(answers) -> list[tuple[str, str]]:
    return [(a.criterion.ref, a.answer) for a in answers]


def test_the_schema_defines_the_criteria_these_tests_name(spec_schema: SpecSchema) -> None:
    assert tuple(c.ref for c in criteria(spec_schema)) == CRITERIA


def test_default_rules_in_order() -> None:
    assert [(r.id, r.verdict, r.at_least) for r in DEFAULT_RULES] == [
        ("fundamental-reason", "not_recommended", 1), ("reasons-against", "not_recommended", 2),
        ("open-question", "undetermined", 1), ("reservations", "proceed_with_caution", 1),
    ]


# --------------------------------------------------------------------------------------------
# Every condition of every default rule, alone
# --------------------------------------------------------------------------------------------


def _condition_cases() -> list[Any]:
    """(rule index, criterion, answer) for every answer every condition names; a ``group.*``
    condition is expanded to each criterion of the group. A case an earlier rule names
    explicitly belongs to that rule and is skipped here (the table below covers it)."""
    cases = []
    claimed: set[tuple[str, str]] = set()
    for index, rule in enumerate(DEFAULT_RULES):
        if rule.at_least > 1:
            continue  # a counting rule never fires on one answer (see the counting tests)
        mine = set()
        for condition in rule.when_any:
            group, _, key = condition.criterion.partition(".")
            names = [r for r in CRITERIA if r.startswith(group + ".") and (key == "*" or r == condition.criterion)]
            for ref in names:
                for answer in sorted(condition.answers):
                    if (ref, answer) not in claimed:
                        mine.add((ref, answer))
                        cases.append(pytest.param(index, ref, answer, id=f"{rule.verdict}-{ref}={answer}"))
        claimed |= mine
    return cases


@pytest.mark.parametrize(("index", "ref", "answer"), _condition_cases())
def test_each_rule_condition_alone_gives_its_verdict(spec_schema: SpecSchema, index: int, ref: str, answer: str) -> None:
    rule = DEFAULT_RULES[index]
    result = verdict(spec_schema, {ref: answer})
    assert result.computed == rule.verdict
    assert result.rule is rule
    assert refs(result.decided_by) == [(ref, answer)]


# The rules as a table: for each criterion, the verdict each answer gives when every other
# answer is good. Written out by hand from the rules' documented meaning.
R, C, N, U = "recommended", "proceed_with_caution", "not_recommended", "undetermined"
EXPECTED = {
    #                                 yes  no  partly unknown missing
    "for_ml.pattern":                 (R, N, C, U, U),
    "for_ml.objective_function":      (R, N, C, U, U),
    "for_ml.complexity":              (R, C, C, C, C),
    "for_ml.data_available":          (R, N, C, U, U),
    "for_ml.repetitive":              (R, C, C, C, C),
    "against_ml.unethical":           (N, R, C, U, U),
    "against_ml.simple_solution":     (N, R, C, U, U),
    "against_ml.no_good_data":        (C, R, C, C, C),
    "against_ml.fatal_errors":        (C, R, C, C, C),
    "against_ml.must_explain":        (C, R, C, C, C),
    "against_ml.not_cost_effective":  (C, R, C, C, C),
    # A question left unanswered is an open question in every group, risks included.
    "risks.scale_unestimable":        (C, R, C, C, C),
    "risks.stakeholders_disagree":    (C, R, C, C, C),
}  # fmt: skip


@pytest.mark.parametrize(
    ("ref", "answer", "expected"),
    [pytest.param(ref, answer, row[i], id=f"{ref}={answer}") for ref, row in EXPECTED.items() for i, answer in enumerate(ANSWERS)],
)
def test_one_answer_table(spec_schema: SpecSchema, ref: str, answer: str, expected: str) -> None:
    result = verdict(spec_schema, {ref: answer})
    assert result.computed == expected
    if expected == "recommended":
        assert result.rule is None and result.decided_by == ()
    else:
        assert refs(result.decided_by) == [(ref, answer)]


def test_all_good_answers_are_recommended_with_no_rule(spec_schema: SpecSchema) -> None:
    result = verdict(spec_schema)
    assert (result.computed, result.final, result.rule, result.decided_by, result.override) == ("recommended", "recommended", None, (), None)
    assert result.assessed
    assert len(result.answers) == len(CRITERIA)


# --------------------------------------------------------------------------------------------
# Order, several hits, missing answers
# --------------------------------------------------------------------------------------------


def test_first_rule_wins_not_recommended_beats_undetermined(spec_schema: SpecSchema) -> None:
    result = verdict(spec_schema, {"for_ml.pattern": "unknown", "against_ml.simple_solution": "yes", "risks.scale_unestimable": "yes"})
    assert result.computed == "not_recommended"
    assert refs(result.decided_by) == [("against_ml.simple_solution", "yes")]


def test_undetermined_beats_proceed_with_caution(spec_schema: SpecSchema) -> None:
    result = verdict(spec_schema, {"for_ml.complexity": "no", "for_ml.data_available": "unknown"})
    assert result.computed == "undetermined"
    assert refs(result.decided_by) == [("for_ml.data_available", "unknown")]


def test_every_answer_that_matches_the_deciding_rule_is_listed_in_schema_order(spec_schema: SpecSchema) -> None:
    result = verdict(spec_schema, {"against_ml.unethical": "yes", "for_ml.pattern": "no", "for_ml.data_available": "no"})
    assert result.computed == "not_recommended"
    assert refs(result.decided_by) == [("for_ml.pattern", "no"), ("for_ml.data_available", "no"), ("against_ml.unethical", "yes")]


def test_an_answer_left_out_counts_as_missing(spec_schema: SpecSchema) -> None:
    answers = read_answers(feasibility(drop=("for_ml.complexity",)), criteria(spec_schema))
    assert dict(refs(answers))["for_ml.complexity"] == "missing"
    result = decide(answers)
    assert result.computed == "proceed_with_caution"
    assert refs(result.decided_by) == [("for_ml.complexity", "missing")]


@pytest.mark.parametrize("section", [{}, {"for_ml": None}, {"for_ml": {"pattern": None}}, {"for_ml": {"pattern": {}}}])
def test_empty_or_null_entries_count_as_missing(spec_schema: SpecSchema, section: dict[str, Any]) -> None:
    answers = dict(refs(read_answers(section, criteria(spec_schema))))
    assert answers["for_ml.pattern"] == "missing"


@pytest.mark.parametrize("spec", [{}, {"feasibility": None}, {"feasibility": {}}], ids=["absent", "null", "empty"])
def test_no_feasibility_section_is_undetermined(spec_schema: SpecSchema, spec: dict[str, Any]) -> None:
    result = verdict_for(spec, spec_schema)
    assert result.computed == result.final == "undetermined"
    assert not result.assessed
    assert all(a.answer == "missing" for a in result.answers)
    assert refs(result.decided_by) == [
        ("for_ml.pattern", "missing"), ("for_ml.objective_function", "missing"), ("for_ml.data_available", "missing"),
        ("against_ml.unethical", "missing"), ("against_ml.simple_solution", "missing"),
    ]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Counting, and every combination against the rules as documented
# --------------------------------------------------------------------------------------------

SERIOUS = ("against_ml.no_good_data", "against_ml.fatal_errors", "against_ml.must_explain", "against_ml.not_cost_effective")


@pytest.mark.parametrize("one", SERIOUS)
def test_one_serious_reason_against_is_caution_at_most(spec_schema: SpecSchema, one: str) -> None:
    result = verdict(spec_schema, {one: "yes"})
    assert (result.computed, result.rule.id if result.rule else None) == ("proceed_with_caution", "reservations")


@pytest.mark.parametrize(("first", "second"), [(a, b) for i, a in enumerate(SERIOUS) for b in SERIOUS[i + 1:]])
def test_two_reasons_against_are_not_recommended(spec_schema: SpecSchema, first: str, second: str) -> None:
    result = verdict(spec_schema, {first: "yes", second: "yes", "for_ml.complexity": "partly"})
    assert (result.computed, result.rule.id if result.rule else None) == ("not_recommended", "reasons-against")
    assert refs(result.decided_by) == [(first, "yes"), (second, "yes")]


def test_all_four_serious_reasons_with_complexity_no_are_not_recommended(spec_schema: SpecSchema) -> None:
    """The case the issue found: a house-prices copy with four reasons against still read caution."""
    result = verdict(spec_schema, {**dict.fromkeys(SERIOUS, "yes"), "for_ml.complexity": "no"})
    assert result.computed == "not_recommended"
    assert [a for a, _ in refs(result.decided_by)] == list(SERIOUS)


FUNDAMENTAL = {"for_ml.pattern": "no", "for_ml.objective_function": "no", "for_ml.data_available": "no",
               "against_ml.unethical": "yes", "against_ml.simple_solution": "yes"}
OPEN = ("unknown", "missing")


def documented(answers: dict[str, str]) -> tuple[str, list[str]]:
    """The default rules as the README and the rules page state them, written independently:
    (verdict, the criteria that decided it)."""
    fundamental = [r for r in CRITERIA if FUNDAMENTAL.get(r) == answers[r]]
    if fundamental:
        return "not_recommended", fundamental
    against = [r for r in CRITERIA if r.startswith("against_ml.") and answers[r] == "yes"]
    if len(against) >= 2:
        return "not_recommended", against
    open_ = [r for r in CRITERIA if r in FUNDAMENTAL and answers[r] in OPEN]
    if open_:
        return "undetermined", open_
    doubt = [r for r in CRITERIA if answers[r] in (("no", "partly", *OPEN) if r.startswith("for_ml.") else ("yes", "partly", *OPEN))]
    if doubt:
        return "proceed_with_caution", doubt
    return "recommended", []


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.fixed_dictionaries({ref: st.sampled_from(ANSWERS) for ref in CRITERIA}))
def test_every_combination_of_answers_gets_the_documented_verdict(spec_schema: SpecSchema, answers: dict[str, str]) -> None:
    result = decide(read_answers(feasibility(answers), criteria(spec_schema)))
    expected, deciding = documented(answers)
    assert result.computed == expected
    assert [ref for ref, _ in refs(result.decided_by)] == deciding


def test_evidence_is_kept_with_each_answer(spec_schema: SpecSchema) -> None:
    result = verdict(spec_schema)
    assert {a.criterion.ref: a.evidence for a in result.answers} == {ref: f"evidence for {ref}" for ref in CRITERIA}


# --------------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------------


def test_override_changes_final_but_not_computed(spec_schema: SpecSchema) -> None:
    section = feasibility({"against_ml.simple_solution": "yes"})
    section["override"] = {"verdict": "recommended", "reason": "The rule is too slow.", "reviewer": "Kim", "date": "2026-03-01"}
    result = verdict_for({"feasibility": section}, spec_schema)
    assert (result.computed, result.final) == ("not_recommended", "recommended")
    assert refs(result.decided_by) == [("against_ml.simple_solution", "yes")]
    assert (result.override.verdict, result.override.reason, result.override.reviewer, result.override.date) == (
        "recommended", "The rule is too slow.", "Kim", "2026-03-01")


def test_override_without_date(spec_schema: SpecSchema) -> None:
    section = feasibility()
    section["override"] = {"verdict": "undetermined", "reason": "Wait for legal.", "reviewer": "Lee"}
    result = verdict_for({"feasibility": section}, spec_schema)
    assert (result.computed, result.final, result.override.date) == ("recommended", "undetermined", None)


def test_no_override_when_empty(spec_schema: SpecSchema) -> None:
    section = feasibility()
    section["override"] = {}
    assert verdict_for({"feasibility": section}, spec_schema).override is None


# --------------------------------------------------------------------------------------------
# Rules from configuration (mkdocs.yml)
# --------------------------------------------------------------------------------------------


def yaml11(text: str) -> Any:
    """Parse like MkDocs reads mkdocs.yml: YAML 1.1, where `no` and `yes` are booleans."""
    return yaml.safe_load(text)


def test_parse_rules_reads_yaml_11_booleans_as_answers(spec_schema: SpecSchema) -> None:
    raw = yaml11("""
- verdict: not_recommended
  when_any:
    - for_ml.pattern: no
    - against_ml.unethical: yes
  reason: Fundamental.
- verdict: proceed_with_caution
  when_any:
    - risks.*: [yes, partly]
""")
    assert raw[0]["when_any"][0] == {"for_ml.pattern": False}, "YAML 1.1 makes `no` a boolean"
    rules = parse_rules(raw, spec_schema)
    assert [r.verdict for r in rules] == ["not_recommended", "proceed_with_caution"]
    assert rules[0].when_any == (Condition("for_ml.pattern", frozenset({"no"})), Condition("against_ml.unethical", frozenset({"yes"})))
    assert rules[0].reason == "Fundamental."
    assert rules[1].when_any == (Condition("risks.*", frozenset({"yes", "partly"})),)
    assert rules[1].reason == ""


def test_parsed_rules_decide_like_written(spec_schema: SpecSchema) -> None:
    rules = parse_rules(yaml11("""
- verdict: undetermined
  when_any:
    - against_ml.must_explain: yes
"""), spec_schema)
    answers = read_answers(feasibility({"against_ml.must_explain": "yes"}), criteria(spec_schema))
    assert decide(answers, rules).computed == "undetermined"
    # No default rules behind them: a pattern of `no` is no longer ruled out.
    answers = read_answers(feasibility({"for_ml.pattern": "no"}), criteria(spec_schema))
    assert decide(answers, rules).computed == "recommended"


def test_parse_rules_names_every_problem(spec_schema: SpecSchema) -> None:
    raw = yaml11("""
- verdict: great
  when_any:
    - for_ml.nope: no
    - against_ml.unethical: maybe
- verdict: recommended
  when_any: []
- verdict: undetermined
  when_any:
    - risks.*: [yes, sometimes]
    - "for_ml.pattern": no
      extra: 1
- verdict: undetermined
  when_any: [{for_ml.pattern: no}]
  because: typo
""")
    with pytest.raises(ValueError) as raised:
        parse_rules(raw, spec_schema)
    message = str(raised.value)
    for part in (
        "verdict_rules[0].verdict: 'great' is not one of",
        "verdict_rules[0].when_any[0]: unknown criterion 'for_ml.nope'",
        "verdict_rules[0].when_any[1]: maybe is not an answer",
        "verdict_rules[1].when_any:",
        "verdict_rules[2].when_any[0]: sometimes is not an answer",
        "verdict_rules[2].when_any[1]:",
        "verdict_rules[3]:",
    ):
        assert part in message, f"{part!r} not in {message!r}"


@pytest.mark.parametrize("raw", [None, {"verdict": "recommended"}, "not_recommended"])
def test_parse_rules_wants_a_list(spec_schema: SpecSchema, raw: Any) -> None:
    with pytest.raises(ValueError, match="list"):
        parse_rules(raw, spec_schema)


def test_every_verdict_and_answer_is_accepted(spec_schema: SpecSchema) -> None:
    raw = [{"verdict": v, "when_any": [{"for_ml.pattern": list(ANSWERS)}]} for v in VERDICTS]
    assert [r.verdict for r in parse_rules(raw, spec_schema)] == list(VERDICTS)


# --------------------------------------------------------------------------------------------
# The example projects
# --------------------------------------------------------------------------------------------

# (computed, final, the criteria that decided it)
EXAMPLES = {
    "address-search": ("not_recommended", "not_recommended", {("against_ml.simple_solution", "yes")}),
    "stock-price-forecast": ("not_recommended", "not_recommended", {("for_ml.pattern", "no")}),
    "house-prices": ("recommended", "recommended", set()),
    "crm-repurchase": ("proceed_with_caution", "recommended", None),
    "support-ticket-routing": ("undetermined", "undetermined", None),
    "churn-recommender": ("proceed_with_caution", "proceed_with_caution", None),
    "face-filter": ("proceed_with_caution", "proceed_with_caution", None),
    "feed-ranking": ("proceed_with_caution", "proceed_with_caution", None),
}


@pytest.mark.parametrize("project_id", sorted(EXAMPLES))
def test_example_verdicts(spec_schema: SpecSchema, project_id: str) -> None:
    path = REPO / "projects" / f"{project_id}.yaml"
    report = Checker(spec_schema).check_file(path, f"projects/{path.name}")
    assert report.data is not None, [d.format() for d in report.diagnostics]
    computed, final, decided = EXAMPLES[project_id]
    result = verdict_for(report.data, spec_schema)
    assert (result.computed, result.final) == (computed, final)
    if decided is not None:
        assert set(refs(result.decided_by)) == decided
    assert all(isinstance(a, CriterionAnswer) and a.answer in ANSWERS for a in result.answers)


def test_every_example_is_covered() -> None:
    assert sorted(EXAMPLES) == sorted(p.stem for p in (REPO / "projects").glob("*.yaml"))
