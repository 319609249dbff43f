"""Schema validation: every problem as one diagnostic at the exact line and column.

Most tests edit ``fixtures/validation/minimal.yaml``, the smallest clean spec at stage
problem_definition, and check where and how the problem is reported. Its layout:

     3  schema_version: 1               15  business:
     4  id: demo                        16    service: "An online grocery store ..."
     5  title: "Demo project"           17    goal: "Raise the 30-day repurchase rate ..."
     6  stage: problem_definition       18    output:
     7  team: "Data Science"            19      usage: customer_facing
     8  owners:                         20  problem:
     9    - name: "Kim Min-ji"          21    situation:
    10      role: "Data scientist"      22      what_is_happening: "Customers stop ..."
    11  created: "2026-01-12"           23      difficulties: "Coupons go to everyone ..."
    12  updated: "2026-03-02"           24    statement: "Find the customers who ..."
    13  links:
    14    docs: "https://wiki.example.com/demo"
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlfolio.spec.diagnostics import Diagnostic, Severity
from mlfolio.spec.loader import load_bytes
from mlfolio.spec.schema import load_schema
from mlfolio.spec.validation import SchemaChecker

FILE = "projects/demo.yaml"


@pytest.fixture
def minimal(fixture_text) -> str:
    return fixture_text("minimal.yaml")


def where(d: Diagnostic) -> tuple[int, int, str, str]:
    return (d.line, d.column, d.path, d.rule)


def only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, "\n".join(d.format() for d in diagnostics)
    return diagnostics[0]


def test_minimal_fixture_is_clean(check_text, minimal) -> None:
    assert check_text(minimal) == []


# -- types ---------------------------------------------------------------------------------------


def test_type_error_on_a_nested_field_points_at_the_value(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, 'role: "Data scientist"', "role: 42")))
    assert where(d) == (10, 11, "owners[0].role", "schema")
    assert d.severity is Severity.ERROR
    assert d.message.startswith("expected text, got a number (42)")
    assert d.format().startswith("projects/demo.yaml:10:11: error: owners[0].role: expected text")


def test_list_where_a_mapping_belongs_says_to_remove_the_dash(check_text, minimal, replace_once) -> None:
    text = replace_once(minimal, "  output:\n    usage: customer_facing", "  output:\n    - usage: customer_facing")
    d = only(check_text(text))
    assert where(d) == (19, 5, "business.output", "schema")
    assert d.message == "expected a mapping (`key: value` lines), got a list; remove the leading '- ' to write fields of a mapping"


def test_number_where_text_is_required_says_to_quote_it(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, 'title: "Demo project"', "title: 2024")))
    assert where(d) == (5, 8, "title", "schema")
    assert "got a number (2024)" in d.message
    assert "quotes" in d.message


@pytest.mark.parametrize("value, kind", [("true", "a boolean (true)"), ("1.5", "a number (1.5)")])
def test_other_yaml_scalars_where_text_is_required(check_text, minimal, replace_once, value, kind) -> None:
    d = only(check_text(replace_once(minimal, 'title: "Demo project"', f"title: {value}")))
    assert where(d) == (5, 8, "title", "schema")
    assert d.message.startswith(f"expected text, got {kind}; ")
    assert "quotes" in d.message


@pytest.mark.parametrize("value", ["no", "yes", "on", "off", "2024-01-01", "1_000"])
def test_yaml_1_1_booleans_and_dates_are_plain_text(check_text, minimal, replace_once, value) -> None:
    # YAML 1.1 (PyYAML's default) would read these as booleans, a date or a number.
    assert check_text(replace_once(minimal, 'team: "Data Science"', f"team: {value}")) == []


def test_empty_optional_value_says_it_is_empty_not_to_quote_it(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, 'role: "Data scientist"', "role:")))
    assert where(d) == (10, 10, "owners[0].role", "schema")
    assert d.message == "expected text, got nothing (null); the value is empty: fill it in, or remove the field"


# -- enums, ids, dates, web addresses --------------------------------------------------------------


def test_enum_typo_suggests_the_closest_value(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, "usage: customer_facing", "usage: customer_facng")))
    assert where(d) == (19, 12, "business.output.usage", "schema")
    assert d.message == (
        "'customer_facng' is not one of customer_facing, internal_automation, decision_support "
        "(did you mean 'customer_facing'?)"
    )


def test_stage_typo_suggests_the_stage(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, "stage: problem_definition", "stage: problem_defintion")))
    assert where(d) == (6, 8, "stage", "schema")
    assert "(did you mean 'problem_definition'?)" in d.message


def test_boolean_in_an_enum_is_explained(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, "usage: customer_facing", "usage: true")))
    assert where(d) == (19, 12, "business.output.usage", "schema")
    assert d.message.startswith("true is not one of customer_facing, internal_automation, decision_support; ")
    assert "boolean" in d.message


@pytest.mark.parametrize("value", ['"2026-02-30"', '"12/01/2026"', '"2026-1-5"'])
def test_malformed_date(check_text, minimal, replace_once, value) -> None:
    d = only(check_text(replace_once(minimal, 'created: "2026-01-12"', f"created: {value}")))
    assert where(d) == (11, 10, "created", "schema")
    assert d.message == f"'{value.strip(chr(34))}' is not a valid date: write it as YYYY-MM-DD, e.g. 2026-03-02"


@pytest.mark.parametrize("value", ["Demo", "demo project", "-demo", "demo.v2"])
def test_id_pattern(check_text, minimal, replace_once, value) -> None:
    d = only(check_text(replace_once(minimal, "id: demo", f"id: {value}")))
    assert where(d) == (4, 5, "id", "schema")
    assert d.message == (
        f"'{value}' is not a valid id: use lower-case letters, digits, '-' and '_', starting with a letter or digit"
    )


def test_link_must_be_a_web_address(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, '"https://wiki.example.com/demo"', '"wiki.example.com/demo"')))
    assert where(d) == (14, 9, "links.docs", "schema")
    assert d.message == "'wiki.example.com/demo' is not a web address: it must start with http:// or https://"


# -- unknown and missing fields ----------------------------------------------------------------


def test_unknown_field_points_at_the_key_with_a_suggestion(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, "  docs:", "  doc:")))
    assert where(d) == (14, 3, "links.doc", "unknown-field")
    assert d.message == "unknown field 'doc' (did you mean 'docs'?)"


def test_unknown_field_in_a_list_item(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, "    role:", "    rol:")))
    assert where(d) == (10, 5, "owners[0].rol", "unknown-field")
    assert d.message == "unknown field 'rol' (did you mean 'role'?)"


def test_unknown_field_without_a_close_name_lists_the_allowed_ones(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, "  docs:", "  xyz:")))
    assert where(d) == (14, 3, "links.xyz", "unknown-field")
    assert d.message == "unknown field 'xyz'; allowed here: dashboard, docs, prototype, repository"


def test_typo_of_a_stage_required_field_reports_the_typo_and_the_missing_field(check_text, minimal, replace_once) -> None:
    found = check_text(replace_once(minimal, "  service:", "  servce:"))
    assert [where(d) for d in found] == [
        (15, 1, "business.service", "stage-required"),  # missing: at the parent key
        (16, 3, "business.servce", "unknown-field"),  # the typo: at its key
    ]
    assert "(did you mean 'service'?)" in found[1].message


def test_missing_required_field_points_at_the_parent_key(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, "    usage: customer_facing\n", "    description: \"Shown on the home page.\"\n")))
    assert where(d) == (18, 3, "business.output.usage", "required")
    assert d.message == "missing required field 'usage': add `usage:`, e.g. \"customer_facing\""


def test_missing_required_field_of_a_list_item_points_at_the_item(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, '  - name: "Kim Min-ji"\n    role:', "  - role:")))
    assert where(d) == (9, 5, "owners[0].name", "required")
    assert d.message.startswith("missing required field 'name'")


def test_missing_top_level_field_is_reported_at_the_start_of_the_file(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, 'team: "Data Science"\n', "")))
    assert where(d) == (1, 1, "team", "required")
    assert d.message == "missing required field 'team': add `team:`, e.g. \"CRM Analytics\""


def test_empty_required_text(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, 'team: "Data Science"', 'team: ""')))
    assert where(d) == (7, 7, "team", "schema")
    assert d.message == "must not be empty"


# -- the whole file --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, kind", [("- a\n- b\n", "a list"), ("just text\n", "text"), ("42\n", "a number (42)")])
def test_top_level_that_is_not_a_mapping_is_one_clear_error(check_text, text, kind) -> None:
    d = only(check_text(text))
    assert where(d) == (1, 1, "", "schema")
    assert d.message == f"a spec must be a mapping of fields (`schema_version: 1`, `id: ...`, ...), got {kind}"


def test_invalid_yaml_is_one_loader_error_and_no_schema_noise(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, "  docs: ", "  docs: [")))
    assert d.rule == "yaml-syntax"
    assert d.is_error


def test_all_problems_of_a_file_are_reported_at_once(check_text, fixture_text) -> None:
    found = check_text(fixture_text("five-mistakes.yaml"))
    assert [where(d) for d in found] == [
        (4, 8, "title", "schema"),
        (9, 5, "owners[0].rol", "unknown-field"),
        (10, 10, "created", "schema"),
        (15, 12, "business.output.usage", "schema"),
        (16, 1, "problem.statement", "stage-required"),
    ]
    assert all(d.is_error and d.file == FILE for d in found)


def test_diagnostics_carry_the_display_name(check_text, minimal, replace_once) -> None:
    d = only(check_text(replace_once(minimal, "  docs:", "  doc:"), file="specs/다른.yaml"))
    assert d.format() == "specs/다른.yaml:14:3: error: links.doc: unknown field 'doc' (did you mean 'docs'?) [unknown-field]"


# -- stage requirements ------------------------------------------------------------------------------


def stage_required(found: list[Diagnostic]) -> dict[str, Diagnostic]:
    out = {d.path: d for d in found if d.rule == "stage-required"}
    assert len(out) == sum(d.rule == "stage-required" for d in found), "a field reported twice"
    return out


def test_problem_definition_requires_business_and_problem_statement(check_text, minimal, replace_once) -> None:
    text = replace_once(minimal, '  service: "An online grocery store with 2.3M monthly customers."\n', "")
    text = replace_once(text, '  goal: "Raise the 30-day repurchase rate by 10% this quarter."\n', "")
    text = replace_once(text, '    what_is_happening: "Customers stop buying after their first order."\n', "")
    text = replace_once(text, '  statement: "Find the customers who will not buy again within 30 days."\n', "")
    found = check_text(text)
    assert [where(d) for d in found] == [
        (15, 1, "business.goal", "stage-required"),
        (15, 1, "business.service", "stage-required"),
        (18, 1, "problem.statement", "stage-required"),
        (19, 3, "problem.situation.what_is_happening", "stage-required"),
    ]
    by_path = stage_required(found)
    assert by_path["business.service"].message == "Service is missing: stage 'problem_definition' requires it; fill it in"
    assert by_path["business.goal"].message == "Business goal is missing: stage 'problem_definition' requires it; fill it in"
    assert by_path["problem.situation.what_is_happening"].message.startswith("What is happening is missing: stage 'problem_definition'")
    assert by_path["problem.statement"].message.startswith("Concrete problem is missing: stage 'problem_definition'")


def test_missing_required_section_is_one_error_not_one_per_field(check_text, minimal) -> None:
    text = minimal[: minimal.index("problem:\n")]
    d = only(check_text(text))
    assert where(d) == (6, 1, "problem", "stage-required")  # at `stage:`, which requires it
    assert d.message == "Problem definition is missing: stage 'problem_definition' requires it; fill it in"


@pytest.mark.parametrize(
    "old, new, position",
    [
        ('  service: "An online grocery store with 2.3M monthly customers."', '  service: ""', (16, 3)),
        ('  service: "An online grocery store with 2.3M monthly customers."', '  service: "   "', (16, 3)),
        ('  service: "An online grocery store with 2.3M monthly customers."', "  service:", (16, 3)),
        ('  statement: "Find the customers who will not buy again within 30 days."', "  statement: ''", (24, 3)),
    ],
    ids=["empty-string", "blank", "null", "single-quoted-empty"],
)
def test_empty_stage_required_field_is_one_error_naming_the_stage(check_text, minimal, replace_once, old, new, position) -> None:
    d = only(check_text(replace_once(minimal, old, new)))  # no second "must not be empty" / "got nothing"
    assert d.rule == "stage-required"
    assert (d.line, d.column) == position
    assert "is empty: stage 'problem_definition' requires it; fill it in" in d.message


def test_empty_required_section(check_text, minimal, replace_once) -> None:
    text = replace_once(minimal, minimal[minimal.index("problem:\n"):], "problem: {}\n")
    d = only(check_text(text))
    assert where(d) == (20, 1, "problem", "stage-required")
    assert d.message == "Problem definition is empty: stage 'problem_definition' requires it; fill it in"


# What each stage adds to what the minimal spec has: the minimal spec at stage X must report
# exactly these fields as required by the stage (and nothing else).
PROJECT_DESIGN = {
    "sme", "business.input", "problem.hypotheses", "problem.decomposition",
    "problem.candidate_solutions", "problem.incremental_plan", "feasibility", "goals",
    "labels", "metrics", "constraints",
}  # fmt: skip
BASELINE = PROJECT_DESIGN | {"data", "baselines"}
DEVELOPMENT = BASELINE | {"ab_test", "deployment"}
DEPLOYED = DEVELOPMENT | {"monitoring"}
MONITORING = DEPLOYED | {"iterations"}
EXPECTED_BY_STAGE = {
    "problem_definition": set(),
    "project_design": PROJECT_DESIGN,
    "baseline_prototype": BASELINE,
    "development": DEVELOPMENT,
    "deployed": DEPLOYED,
    "monitoring": MONITORING,
    "retired": {"retirement"},
}


@pytest.mark.parametrize("stage", list(EXPECTED_BY_STAGE))
def test_each_stage_requires_its_sections(check_text, minimal, replace_once, stage) -> None:
    found = check_text(replace_once(minimal, "stage: problem_definition", f"stage: {stage}"))
    assert all(d.rule == "stage-required" for d in found), "\n".join(d.format() for d in found)
    by_path = stage_required(found)
    assert set(by_path) == EXPECTED_BY_STAGE[stage]
    for d in by_path.values():
        assert f"stage '{stage}' requires it" in d.message, d.message


def test_inherited_requirement_names_the_stage_it_comes_from(check_text, minimal, replace_once) -> None:
    by_path = stage_required(check_text(replace_once(minimal, "stage: problem_definition", "stage: deployed")))
    assert by_path["monitoring"].message == (
        "Monitoring is missing: stage 'deployed' requires it; fill it in, or move the project to an earlier stage"
    )
    assert by_path["metrics"].message == (
        "Metrics is missing: stage 'deployed' requires it (required from stage 'project_design' on); "
        "fill it in, or move the project to an earlier stage"
    )
    assert (by_path["business.input"].line, by_path["business.input"].column) == (15, 1)  # the parent key


def test_retired_requires_retirement_but_not_monitoring(check_text, minimal, replace_once) -> None:
    retired = replace_once(minimal, "stage: problem_definition", "stage: retired")
    d = only(check_text(retired))
    assert where(d) == (6, 1, "retirement", "stage-required")  # at `stage:`, which requires it
    assert d.message == "Retirement is missing: stage 'retired' requires it; fill it in"
    filled = retired + 'retirement:\n  date: "2026-06-30"\n  reason: "A keyword rule does the job."\n'
    assert check_text(filled) == []


def test_deployed_example_without_monitoring(check_text, example_text, replace_once) -> None:
    text = example_text("crm-repurchase")
    assert "\nstage: deployed\n" in text
    start = text.index("\nmonitoring:\n") + 1
    rest = text[start:].split("\n")[1:]
    end = next(i for i, line in enumerate(rest) if line and not line.startswith((" ", "#")))
    without = text[:start] + "\n".join(rest[end:])
    found = [d for d in check_text(without, "projects/crm-repurchase.yaml") if d.is_error]
    d = only(found)
    assert where(d) == (6, 1, "monitoring", "stage-required")  # at `stage:`, which requires it
    assert "stage 'deployed' requires it" in d.message
    # One stage earlier, the same spec needs no monitoring plan.
    earlier = replace_once(without, "\nstage: deployed\n", "\nstage: development\n")
    assert [d for d in check_text(earlier) if d.is_error] == []


def test_unknown_stage_reports_the_stage_only(check_text, minimal, replace_once) -> None:
    text = replace_once(minimal, "stage: problem_definition", "stage: production")
    d = only(check_text(text[: text.index("business:\n")]))  # no business, no problem: not piled on
    assert where(d) == (6, 8, "stage", "schema")


# -- a schema with a required field under an optional group --------------------------------------


def test_required_field_under_an_absent_optional_group(tmp_path: Path) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "x-mlfolio-stages": ["draft", "final"],
        "properties": {
            "stage": {"type": "string", "enum": ["draft", "final"]},
            "review": {
                "type": "object",
                "properties": {
                    "checks": {
                        "type": "object",
                        "properties": {"owner": {"type": "string", "title": "Check owner", "x-mlfolio-required-from": "final"}},
                    },
                    "note": {"type": "string"},
                },
            },
        },
    }
    (tmp_path / "s.json").write_text(json.dumps(schema), encoding="utf-8")
    checker = SchemaChecker(load_schema(tmp_path / "s.json"))

    def check(text: str) -> list[tuple[int, int, str, str]]:
        return [where(d) for d in sorted(checker.check(load_bytes(text.encode(), "x.yaml")), key=Diagnostic.sort_key)]

    # The group that holds the required field is itself optional: its absence must not hide it.
    assert check("stage: final\nreview:\n  note: hi\n") == [(2, 1, "review.checks.owner", "stage-required")]
    assert check("stage: final\nreview:\n  checks:\n") == [(3, 3, "review.checks.owner", "stage-required"), (3, 10, "review.checks", "schema")]
    assert check("stage: final\nreview:\n  checks: {owner: Kim}\n") == []
    assert check("stage: draft\nreview:\n  note: hi\n") == []


# -- keys, repeated items, numbers -------------------------------------------------------------------


def test_bad_key_in_a_free_form_mapping_points_at_the_key(check_text, minimal) -> None:
    text = minimal + "baselines:\n  - id: most_bought\n    name: \"Most bought\"\n    kind: popularity\n    results:\n      recall: 0.1\n      Recall@10: 0.2\n"
    [d] = [d for d in check_text(text) if d.rule == "schema"]
    assert where(d) == (31, 7, "baselines[0].results.Recall@10", "schema")
    assert d.message.startswith("'Recall@10' is not a valid id")


def test_repeated_list_item_points_at_the_repeat(check_text, minimal, replace_once) -> None:
    text = replace_once(minimal, "created:", "tags:\n  - crm\n  - coupons\n  - crm\ncreated:")
    d = only(check_text(text))
    assert where(d) == (14, 5, "tags[2]", "schema")
    assert d.message == "'crm' is listed twice: remove this one"


def test_text_where_a_number_belongs_shows_the_text(check_text, minimal) -> None:
    text = minimal + "metrics:\n  - id: revenue\n    name: Revenue\n    kind: business\n    direction: maximize\n    target: \"20%\"\n"
    d = only(check_text(text))
    assert where(d) == (30, 13, "metrics[0].target", "schema")
    assert d.message == "expected a number, got text '20%'"
