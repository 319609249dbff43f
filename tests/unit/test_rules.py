"""Cross-field rules: each rule fires on one small edit of a clean example spec, and only then.

The edits are made on the YAML text at positions the loader reports, so a diagnostic's line
and column can be compared with the place that was edited.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest

from mlfolio.spec.diagnostics import Diagnostic, Severity
from mlfolio.spec.loader import load_bytes
from mlfolio.spec.rules import RULES, run_rules

Path = tuple[str | int, ...]

CHURN = "churn-recommender"  # stage development: metrics, baselines, A/B test, monitors, data sets
FEED = "feed-ranking"  # multi-objective components


# -- editing YAML text at loader positions --------------------------------------------------------


def load(text: str) -> Any:
    loaded = load_bytes(text.encode("utf-8"), "x.yaml")
    assert loaded.ok, loaded.diagnostics
    return loaded


def get(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def set_scalar(text: str, path: Path, new: str, *, key: bool = False) -> tuple[str, int, int]:
    """Replace the plain or quoted scalar at ``path`` (its key with ``key=True``) by ``new``.

    Returns the new text and the 1-based line and column of the replaced token.
    """
    loaded = load(text)
    pos = loaded.positions.key(path) if key else loaded.positions.value(path)
    lines = text.split("\n")
    line, col = lines[pos.line - 1], pos.column - 1
    token = re.match(r'"[^"]*"|(?:[^\s#,}\]:]|:(?=\S))+', line[col:]).group()
    expected = path[-1] if key else get(loaded.data, path)
    assert load_bytes(f"v: {token}".encode(), "t").data == {"v": expected}, (token, expected)
    lines[pos.line - 1] = line[:col] + new + line[col + len(token) :]
    return "\n".join(lines), pos.line, pos.column


def drop_line(text: str, line: int) -> str:
    lines = text.split("\n")
    del lines[line - 1]
    return "\n".join(lines)


def insert_lines(text: str, before_line: int, block: str) -> str:
    lines = text.split("\n")
    lines[before_line - 1 : before_line - 1] = block.rstrip("\n").split("\n")
    return "\n".join(lines)


def end_of_section(text: str, name: str) -> int:
    """The line just after the last non-blank line of top-level section ``name``."""
    lines = text.split("\n")
    start = lines.index(f"{name}:")
    last = start
    for n in range(start + 1, len(lines)):
        if lines[n] and not lines[n].startswith((" ", "#")):
            break
        if lines[n].strip():
            last = n
    return last + 2


def ids(data: dict[str, Any], *path: str) -> list[str]:
    return [item["id"] for item in get(data, path)]


# -- the rules on their own ----------------------------------------------------------------------


def check(check_text, text: str, ident: str = CHURN) -> list[Diagnostic]:
    return check_text(text, f"projects/{ident}.yaml")


def test_examples_used_here_are_clean(check_text, churn, feed) -> None:
    assert check(check_text, churn) == []
    assert check(check_text, feed, FEED) == []


def test_metric_ref_in_an_objective_is_reported_on_its_line(check_text, churn) -> None:
    data = load(churn).data
    text, line, col = set_scalar(churn, ("goals", "objectives", 1, "metric"), "f1")
    [d] = check(check_text, text)
    defined = ", ".join(ids(data, "metrics"))
    assert (d.line, d.column) == (line, col)
    assert d.format() == (
        f"projects/{CHURN}.yaml:{line}:{col}: error: goals.objectives[1].metric: "
        f"'f1' is not a metric id defined in metrics (defined: {defined}) [metric-ref]"
    )


@pytest.mark.parametrize(
    "path",
    [
        ("monitoring", "monitors", 0, "metric"),
        ("ab_test", "guardrail_metrics", 0),
    ],
    ids=["monitor", "ab-guardrail"],
)
def test_metric_ref_everywhere_a_metric_is_named(check_text, churn, path) -> None:
    text, line, col = set_scalar(churn, path, "no_such_metric")
    [d] = check(check_text, text)
    assert (d.rule, d.path, d.line, d.column) == ("metric-ref", _fmt(path), line, col)
    assert d.message.startswith("'no_such_metric' is not a metric id defined in metrics (defined: ")


def test_metric_ref_of_the_ab_test_metric(check_text, churn) -> None:
    data = load(churn).data
    ab_metric = data["ab_test"]["metric"]
    objective = next(i for i, o in enumerate(data["goals"]["objectives"]) if o.get("metric") == ab_metric)
    text, line, col = set_scalar(churn, ("ab_test", "metric"), "no_such_metric")
    [d] = check(check_text, text)
    assert (d.rule, d.path, d.line, d.column) == ("metric-ref", "ab_test.metric", line, col)
    # The objective naming the same metric is untouched: it still resolves.
    assert data["goals"]["objectives"][objective]["metric"] == ab_metric


def test_metric_ref_of_a_baseline_result_points_at_the_key(check_text, churn) -> None:
    data = load(churn).data
    name = next(iter(data["baselines"][0]["results"]))
    text, line, col = set_scalar(churn, ("baselines", 0, "results", name), "no_such_metric", key=True)
    [d] = check(check_text, text)
    assert (d.rule, d.path, d.line, d.column) == ("metric-ref", "baselines[0].results.no_such_metric", line, col)


def test_metric_ref_of_a_multi_objective_component(check_text, feed) -> None:
    data = load(feed).data
    path = ("multi_objective", "components", 1, "metric")
    old = get(data, path)
    text, line, col = set_scalar(feed, path, "no_such_metric")
    found = check(check_text, text, FEED)
    mine = [d for d in found if d.path == _fmt(path)]
    assert [(d.rule, d.line, d.column) for d in mine] == [("metric-ref", line, col)]
    # Other parts naming the old metric are not broken by this edit.
    assert all(d.rule == "metric-ref" and "'no_such_metric'" in d.message for d in found), old


def test_metric_ref_without_any_metrics_says_to_add_them(check_text, minimal_with_objective) -> None:
    [d] = [d for d in check_text(minimal_with_objective) if d.rule == "metric-ref"]
    assert d.message == "'recall_at_10' is not a metric id defined in metrics (defined: none yet: add a `metrics` section)"


@pytest.fixture
def minimal_with_objective(fixture_text) -> str:
    return fixture_text("minimal.yaml") + 'goals:\n  goal: "Fewer lapsed customers."\n  objectives:\n    - description: "Rank well."\n      metric: recall_at_10\n'


def test_baseline_ref(check_text, churn) -> None:
    data = load(churn).data
    path = ("constraints", "performance", "baseline_to_beat")
    text, line, col = set_scalar(churn, path, "sasrek")
    [d] = check(check_text, text)
    assert (d.rule, d.path, d.line, d.column) == ("baseline-ref", "constraints.performance.baseline_to_beat", line, col)
    assert d.message == f"'sasrek' is not a baseline id defined in baselines (defined: {', '.join(ids(data, 'baselines'))})"


def test_duplicate_metric_id_is_reported_on_the_second_with_the_first_line(check_text, churn) -> None:
    loaded = load(churn)
    first = loaded.data["metrics"][0]["id"]
    first_line = loaded.positions.value(("metrics", 0, "id")).line
    at = end_of_section(churn, "metrics")
    text = insert_lines(churn, at, f"  - id: {first}\n    name: \"Copy\"\n    kind: model\n    direction: maximize\n")
    [d] = check(check_text, text)
    n = len(loaded.data["metrics"])
    assert (d.rule, d.path, d.line, d.column) == ("duplicate-id", f"metrics[{n}].id", at, 9)
    assert d.message == f"metric id '{first}' is already used on line {first_line}; ids must be unique"
    # The listing of defined metric ids in other messages names each id once.
    broken, _, _ = set_scalar(text, ("goals", "objectives", 0, "metric"), "f1")
    [ref] = [d for d in check(check_text, broken) if d.rule == "metric-ref"]
    listing = re.search(r"\(defined: (.*)\)$", ref.message).group(1).split(", ")
    assert listing == list(dict.fromkeys(ids(loaded.data, "metrics")))


def test_duplicate_baseline_id(check_text, churn) -> None:
    loaded = load(churn)
    first = loaded.data["baselines"][0]["id"]
    first_line = loaded.positions.value(("baselines", 0, "id")).line
    at = end_of_section(churn, "baselines")
    text = insert_lines(churn, at, f"  - id: {first}\n    name: \"Copy\"\n    kind: random\n")
    [d] = check(check_text, text)
    assert (d.rule, d.line, d.column) == ("duplicate-id", at, 9)
    assert d.message == f"baseline id '{first}' is already used on line {first_line}; ids must be unique"


def test_duplicate_data_set_id(check_text, churn) -> None:
    loaded = load(churn)
    first = loaded.data["data"]["datasets"][0]["id"]
    first_line = loaded.positions.value(("data", "datasets", 0, "id")).line
    text, line, col = set_scalar(churn, ("data", "datasets", 2, "id"), first)
    [d] = check(check_text, text)
    assert (d.rule, d.path, d.line, d.column) == ("duplicate-id", "data.datasets[2].id", line, col)
    assert d.message == f"data set id '{first}' is already used on line {first_line}; ids must be unique"


def _metric_with(data: dict[str, Any], predicate: Callable[[dict[str, Any], set[str]], bool]) -> int:
    measured = {name for b in data.get("baselines", []) for name in b.get("results", {})}
    return next(i for i, m in enumerate(data["metrics"]) if predicate(m, measured))


def test_target_not_better_than_current(check_text, churn) -> None:
    data = load(churn).data
    i = _metric_with(data, lambda m, measured: "current" in m and "target" in m and m["id"] not in measured)
    metric = data["metrics"][i]
    text, line, col = set_scalar(churn, ("metrics", i, "target"), str(metric["current"]))
    [d] = check(check_text, text)
    assert d.severity is Severity.WARNING
    assert (d.rule, d.path, d.line, d.column) == ("target-not-better", f"metrics[{i}].target", line, col)
    word = "higher" if metric["direction"] == "maximize" else "lower"
    assert d.message == (
        f"target {metric['current']} does not beat the current value {metric['current']}; "
        f"'{metric['id']}' is better {word} (direction: {metric['direction']})"
    )


def test_target_not_better_than_a_baseline(check_text, churn) -> None:
    loaded = load(churn)
    data = loaded.data
    i = _metric_with(data, lambda m, measured: "target" in m and "current" not in m and m["id"] in measured)
    metric = data["metrics"][i]
    results = [(k, b["results"][metric["id"]]) for k, b in enumerate(data["baselines"]) if metric["id"] in b.get("results", {})]
    pick = max if metric["direction"] == "maximize" else min
    best_k, best = pick(results, key=lambda r: r[1])
    text, _, _ = set_scalar(churn, ("metrics", i, "target"), str(best))
    found = check(check_text, text)
    assert found and all(d.rule == "target-not-better" and d.severity is Severity.WARNING for d in found)
    where = ("baselines", best_k, "results", metric["id"])
    pos = loaded.positions.value(where)
    mine = [d for d in found if d.path == _fmt(where)]
    assert [(d.line, d.column) for d in mine] == [(pos.line, pos.column)]
    assert mine[0].message.startswith(f"baseline '{data['baselines'][best_k]['id']}' already reaches {best} on '{metric['id']}'")


def test_no_business_metric(check_text, churn) -> None:
    loaded = load(churn)
    text = churn
    for i, metric in enumerate(loaded.data["metrics"]):
        if metric["kind"] == "business":
            text, _, _ = set_scalar(text, ("metrics", i, "kind"), "model")
    [d] = check(check_text, text)
    assert (d.rule, d.path, d.severity) == ("business-metric", "metrics", Severity.WARNING)
    pos = loaded.positions.key(("metrics",))
    assert (d.line, d.column) == (pos.line, pos.column) == (churn.split("\n").index("metrics:") + 1, 1)


def test_objective_without_metric(check_text, churn) -> None:
    loaded = load(churn)
    objectives = loaded.data["goals"]["objectives"]
    i = next(i for i, o in enumerate(objectives) if list(o).index("metric") > 0)
    text = drop_line(churn, loaded.positions.key(("goals", "objectives", i, "metric")).line)
    [d] = check(check_text, text)
    item = loaded.positions.value(("goals", "objectives", i))
    assert (d.rule, d.path, d.line, d.column) == ("objective-metric", f"goals.objectives[{i}]", item.line, item.column)
    assert d.severity is Severity.WARNING


def test_every_candidate_solution_is_ml(check_text, churn) -> None:
    loaded = load(churn)
    text = churn
    for i, solution in enumerate(loaded.data["problem"]["candidate_solutions"]):
        if solution["approach"] != "ml":
            text, _, _ = set_scalar(text, ("problem", "candidate_solutions", i, "approach"), "ml")
    [d] = check(check_text, text)
    pos = loaded.positions.key(("problem", "candidate_solutions"))
    assert (d.rule, d.path, d.line, d.column) == ("non-ml-candidate", "problem.candidate_solutions", pos.line, pos.column)
    assert d.severity is Severity.WARNING


def test_updated_before_created(check_text, churn) -> None:
    data = load(churn).data
    day_before = datetime.date.fromisoformat(data["created"]) - datetime.timedelta(days=1)
    text, line, col = set_scalar(churn, ("updated",), f'"{day_before}"')
    [d] = check(check_text, text)
    assert (d.rule, d.path, d.line, d.column, d.severity) == ("date-order", "updated", line, col, Severity.WARNING)
    assert d.message == f"updated ({day_before}) is before created ({data['created']})"
    # The same day is fine.
    same, _, _ = set_scalar(churn, ("updated",), f'"{data["created"]}"')
    assert check(check_text, same) == []


def test_nan_is_an_error(check_text, churn) -> None:
    loaded = load(churn)
    i = next(i for i, m in enumerate(loaded.data["metrics"]) if "target" in m)
    text, line, col = set_scalar(churn, ("metrics", i, "target"), ".nan")
    found = check(check_text, text)
    assert [(d.rule, d.path, d.line, d.column, d.severity) for d in found] == [("non-finite", f"metrics[{i}].target", line, col, Severity.ERROR)]
    assert found[0].message == ".nan is not a usable number: write a number"


@pytest.mark.parametrize(("value", "message"), [
    (".inf", ".inf is too large: it must be <= 10^15"),
    ("-.Inf", "-.inf is too small: it must be >= -10^15"),
    ("1e999", ".inf is too large: it must be <= 10^15"),
    ("1e16", "1e+16 is too large: it must be <= 10^15"),
    ("1000000000000001", "1000000000000001 is too large: it must be <= 10^15"),
    ("0x" + "f" * 20, "a number of 25 digits is too large: it must be <= 10^15"),
    ("-1" + "0" * 30, "-10^30 is too small: it must be >= -10^15"),
    ("9" * 100, "a number of 100 digits is too large: it must be <= 10^15"),
])
def test_numbers_out_of_range_are_schema_errors_that_say_the_limit(check_text, churn, value, message) -> None:
    loaded = load(churn)
    i = next(i for i, m in enumerate(loaded.data["metrics"]) if "target" in m)
    text, line, col = set_scalar(churn, ("metrics", i, "target"), value)
    found = [d for d in check(check_text, text) if d.path == f"metrics[{i}].target"]
    assert [(d.rule, d.line, d.column, d.severity, d.message) for d in found] == [("schema", line, col, Severity.ERROR, message)]


@pytest.mark.parametrize("value", ["9" * 101, "-" + "9" * 400, "0x" + "f" * 5000, "0o" + "7" * 3000, "!!int " + "1" * 500])
def test_integer_literals_of_hundreds_of_digits_stop_loading_with_the_limit(check_text, churn, value) -> None:
    loaded = load(churn)
    i = next(i for i, m in enumerate(loaded.data["metrics"]) if "target" in m)
    text, line, col = set_scalar(churn, ("metrics", i, "target"), value)
    [d] = check(check_text, text)
    assert (d.line, d.severity) == (line, Severity.ERROR)
    assert d.message.startswith("integer of ") and "numbers in a spec lie between -10^15 and 10^15" in d.message


def test_in_range_numbers_are_fine_at_the_edges(check_text, churn) -> None:
    loaded = load(churn)
    i = next(i for i, m in enumerate(loaded.data["metrics"]) if "target" in m and "current" in m)
    for value in ("1000000000000000", "1e15", "1e-300", "-0.0", "0x10"):
        text, _, _ = set_scalar(churn, ("metrics", i, "target"), value)
        assert [d for d in check(check_text, text) if d.rule in ("schema", "non-finite", "yaml-syntax")] == []


def test_malformed_date_is_not_compared(check_text, churn) -> None:
    text, line, _ = set_scalar(churn, ("created",), '"2026-99-99"')
    [d] = check(check_text, text)  # the schema's date error only, no date-order warning
    assert (d.rule, d.path, d.line) == ("schema", "created", line)


def test_retirement_filled_but_stage_not_retired(check_text, churn) -> None:
    text = churn.rstrip("\n") + '\n\nretirement:\n  date: "2026-10-01"\n  reason: "Replaced by the search team\'s model."\n'
    [d] = check(check_text, text)
    line = text.split("\n").index("retirement:") + 1
    stage = load(churn).data["stage"]
    assert (d.rule, d.path, d.line, d.column) == ("retirement-stage", "retirement", line, 1)
    assert d.message == f"retirement is filled in but stage is '{stage}'; set `stage: retired`"


# -- every rule runs on any shape ------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"metrics": "recall", "baselines": {"a": 1}, "goals": ["x"], "ab_test": "x"},
        {"metrics": [None, 3, {"id": 5}, {"id": "a", "target": "high", "direction": "up"}]},
        {"goals": {"objectives": [None, {"metric": 3}, "text"]}, "monitoring": {"monitors": "all"}},
        {"baselines": [{"id": "b", "results": ["recall"]}, {"id": "b", "results": {"m": "x"}}]},
        {"constraints": {"performance": "fast"}, "problem": {"candidate_solutions": [{}, "ml"]}},
        {"created": 2026, "updated": ["x"], "retirement": "yes", "stage": None},
        {"data": {"datasets": [{"id": ["x"]}, {"id": "d"}, {"id": "d"}]}, "ab_test": {"guardrail_metrics": "m"}},
        {"multi_objective": {"components": [{"metric": None}, {"metric": "m"}]}},
    ],
)
def test_rules_tolerate_any_shape(spec) -> None:
    loaded = load_bytes(b"a: 1\n", "x.yaml")  # positions of another document: every lookup falls back
    found = run_rules(spec, loaded)
    assert all(isinstance(d, Diagnostic) and d.line >= 1 and d.column >= 1 for d in found)


def test_every_rule_is_exercised_here() -> None:
    tested = {"finite_numbers", "duplicate_ids", "metric_references", "baseline_references", "targets", "reviewer_flags",
              # outcome rules: tests/unit/test_outcomes.py
              "outcome_references", "observation_dates", "outcome_units", "ab_result", "evaluation_duplicates"}
    assert {rule.__name__ for rule in RULES} == tested


def _fmt(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def test_the_metric_reference_rule_covers_every_reference_the_schema_marks() -> None:
    from mlfolio.spec.rules import METRIC_REF_PATHS
    from mlfolio.spec.schema import load_schema

    schema = load_schema()
    marked: set[str] = set()

    def walk(node: dict, path: str) -> None:
        node = schema.resolve(node)
        if node.get("x-mlfolio-ref") == "metrics":
            marked.add(path)
        if node.get("x-mlfolio-ref-keys") == "metrics":
            marked.add(path + "{}")
        if isinstance(node.get("items"), dict):
            walk(node["items"], path + "[]")
        for name, child in node.get("properties", {}).items():
            walk(child, f"{path}.{name}" if path else name)

    walk(schema.document, "")
    assert marked == METRIC_REF_PATHS


# -- feasibility: evidence and cross-checks ------------------------------------------------------


def _evidence_line(text: str, group: str, key: str) -> int:
    return load(text).positions.value(("feasibility", group, key, "evidence")).line


@pytest.mark.parametrize(("stage", "required"), [("problem_definition", False), ("project_design", True), ("development", True),
                                                 ("retired", False)])
def test_evidence_is_required_from_the_stage_that_requires_feasibility(check_text, churn, stage, required) -> None:
    text, _, _ = set_scalar(churn, ("stage",), stage)
    text = drop_line(text, _evidence_line(text, "for_ml", "pattern"))
    found = [d for d in check(check_text, text) if d.rule == "evidence-required"]
    if not required:
        assert found == []
        return
    pos = load(text).positions.value(("feasibility", "for_ml", "pattern", "answer"))
    [d] = found
    assert (d.line, d.column, d.severity, d.path) == (pos.line, pos.column, Severity.ERROR, "feasibility.for_ml.pattern")
    assert d.message.startswith("'Learnable pattern' is answered 'yes' without evidence; from stage 'project_design' on")


def test_unknown_needs_no_evidence_but_every_other_answer_does(check_text, churn) -> None:
    text = drop_line(churn, _evidence_line(churn, "against_ml", "unethical"))
    assert [d.path for d in check(check_text, text) if d.rule == "evidence-required"] == ["feasibility.against_ml.unethical"]
    unknown, _, _ = set_scalar(text, ("feasibility", "against_ml", "unethical", "answer"), "unknown")
    assert [d for d in check(check_text, unknown) if d.rule == "evidence-required"] == []


def test_blank_evidence_counts_as_none(check_text, churn) -> None:
    text, _, _ = set_scalar(churn, ("feasibility", "risks", "scale_unestimable", "evidence"), '"   "')
    assert [d.path for d in check(check_text, text) if d.rule == "evidence-required"] == ["feasibility.risks.scale_unestimable"]


def _answer(text: str, ref: str, value: str) -> str:
    group, key = ref.split(".")
    return set_scalar(text, ("feasibility", group, key, "answer"), value)[0]


def test_labels_no_data_beside_data_exists_is_an_error(check_text, churn) -> None:
    text, line, col = set_scalar(churn, ("labels", "situation"), "no_data")
    found = [d for d in check(check_text, text) if d.rule == "labels-vs-data"]
    assert [(d.line, d.column, d.severity) for d in found] == [(line, col, Severity.ERROR)]
    assert "both cannot be true" in found[0].message
    text = _answer(churn, "for_ml.data_available", "no")
    assert [d.path for d in check(check_text, text) if d.rule == "labels-vs-data"] == ["feasibility.for_ml.data_available"]


def test_interpretability_required_beside_must_explain_no_is_an_error(check_text, churn) -> None:
    text, _, _ = set_scalar(churn, ("constraints", "performance", "interpretability"), "required")
    text = _answer(text, "against_ml.must_explain", "no")
    [d] = [d for d in check(check_text, text) if d.rule == "interpretability-vs-explain"]
    assert (d.severity, d.path) == (Severity.ERROR, "feasibility.against_ml.must_explain")
    relaxed = _answer(churn, "against_ml.must_explain", "yes")  # churn says not_required
    [w] = [d for d in check(check_text, relaxed) if d.rule == "interpretability-vs-explain"]
    assert w.severity == Severity.WARNING


def test_untrusted_business_input_beside_good_data_is_easy_is_a_warning(check_text, churn) -> None:
    text = set_scalar(churn, ("business", "input", "trustworthy", "answer"), "no")[0]
    text = _answer(text, "against_ml.no_good_data", "no")
    [d] = [d for d in check(check_text, text) if d.rule == "input-vs-data"]
    assert (d.severity, d.path) == (Severity.WARNING, "feasibility.against_ml.no_good_data")
    assert "not trustworthy" in d.message


def test_override_of_an_unethical_problem_needs_an_acknowledgement(check_text, churn) -> None:
    text = _answer(churn, "against_ml.unethical", "yes")
    override = ('  override:\n    verdict: proceed_with_caution\n    reason: "Legal signed off."\n'
                '    reviewer: "Kim"\n    date: "2026-03-01"\n')
    text = insert_lines(text, end_of_section(text, "feasibility"), override)
    [d] = [d for d in check(check_text, text) if d.rule == "override-unethical"]
    assert d.severity == Severity.ERROR and "acknowledge_unethical: true" in d.message
    acknowledged = text.replace('    date: "2026-03-01"\n', '    date: "2026-03-01"\n    acknowledge_unethical: true\n', 1)
    assert [d for d in check(check_text, acknowledged) if d.rule in ("override-unethical", "schema")] == []


# -- checks that need the verdict (handed to the checker by the front ends) ------------------------


def _checked(text: str, spec_schema, **options) -> list[Diagnostic]:
    from mlfolio.analysis.verdict_checks import verdict_checks
    from mlfolio.spec.loader import load_bytes as load_spec
    loaded = load_spec(text.encode("utf-8"), "projects/x.yaml")
    found: list[Diagnostic] = []
    for check in verdict_checks(spec_schema, **options):
        found.extend(check(loaded.data, loaded))
    return found


@pytest.mark.parametrize(("stage", "expected"), [("deployed", True), ("monitoring", True), ("development", False)])
def test_a_deployed_project_not_recommended_without_override_is_warned(churn, spec_schema, stage, expected) -> None:
    text = set_scalar(churn, ("stage",), stage)[0]
    text = _answer(text, "for_ml.pattern", "no")
    found = [d for d in _checked(text, spec_schema) if d.rule == "deployed-not-recommended"]
    assert [(d.severity, d.path) for d in found] == ([(Severity.WARNING, "stage")] if expected else [])
    if expected:
        assert "for_ml.pattern = no" in found[0].message


def test_an_override_by_someone_not_in_reviewers_is_an_error(churn, spec_schema) -> None:
    override = ('  override:\n    verdict: recommended\n    reason: "Reviewed."\n    reviewer: "Mallory"\n')
    text = insert_lines(churn, end_of_section(churn, "feasibility"), override)
    assert _checked(text, spec_schema) == []  # no list: anyone may
    [d] = _checked(text, spec_schema, reviewers=["Kim Min-ji", "@park"])
    assert (d.rule, d.severity, d.path) == ("reviewer-unknown", Severity.ERROR, "feasibility.override.reviewer")
    assert d.line == load(text).positions.value(("feasibility", "override", "reviewer")).line
    allowed = text.replace('reviewer: "Mallory"', 'reviewer: "kim  min-ji"')
    assert _checked(allowed, spec_schema, reviewers=["Kim Min-ji", "@park"]) == []


def test_validate_and_the_build_use_the_sites_reviewers(tmp_path, churn) -> None:
    import subprocess
    import sys
    (tmp_path / "projects").mkdir()
    override = ('  override:\n    verdict: recommended\n    reason: "Reviewed."\n    reviewer: "Mallory"\n')
    (tmp_path / "projects" / f"{CHURN}.yaml").write_text(insert_lines(churn, end_of_section(churn, "feasibility"), override), encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - mlfolio:\n      reviewers: [Kim]\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mlfolio", "validate"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "'Mallory' is not one of the site's reviewers (Kim)" in done.stdout and "[reviewer-unknown]" in done.stdout
