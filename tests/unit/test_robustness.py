"""Inputs that once crashed or misled: each case here was a bug."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlfolio.analysis.verdict import parse_rules
from mlfolio.cli.main import main
from mlfolio.pages.labels import Labels
from mlfolio.pages.reference import reference
from mlfolio.spec.check import Checker
from mlfolio.spec.schema import load_schema
from mlfolio.spec.values import better_or_equal, format_value

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = load_schema(ROOT / "schemas" / "project.schema.json")


def test_a_file_named_twice_is_checked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    shutil.copytree(ROOT / "projects", tmp_path / "projects")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "projects", "projects/house-prices.yaml", "./projects/house-prices.yaml"]) == 0
    assert "duplicate-project" not in capsys.readouterr().out


@pytest.mark.parametrize("answer", [[{"a": "b"}], [["no"]], {"x": 1}, 3])
def test_verdict_rule_answers_must_be_words(answer) -> None:
    with pytest.raises(ValueError, match=r"verdict_rules\[0\]\.when_any\[0\]: an answer is one of"):
        parse_rules([{"verdict": "not_recommended", "when_any": [{"for_ml.pattern": answer}]}], SCHEMA)


def test_an_empty_rule_list_is_refused() -> None:
    with pytest.raises(ValueError, match="one or more rules"):
        parse_rules([], SCHEMA)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"type": "object", "properties": {"id": {"type": 5}}}, "not a valid JSON Schema at properties/id/type"),
        ({"type": "object", "properties": {}}, "`x-mlfolio-stages` must list the lifecycle stages"),
        ({"x-mlfolio-stages": ["a"], "properties": {"x": {"type": "string", "x-mlfolio-required-from": "b"}}}, "names stages not in"),
    ],
)
def test_an_unusable_schema_is_one_clear_error(tmp_path: Path, document: dict, message: str) -> None:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_schema(path)


def test_the_cli_reports_an_invalid_json_schema_as_a_usage_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"type": "object", "properties": {"id": {"type": 5}}}), encoding="utf-8")
    assert main(["validate", "--schema", str(path), str(ROOT / "projects")]) == 2
    assert "is not a usable JSON Schema" in capsys.readouterr().err


def test_reference_names_list_item_types() -> None:
    owners = next(f for s in reference(SCHEMA, Labels("en")) for f in s.fields if f.path == "owners")
    assert owners.type == "list of mappings"


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [(18.4, "%", "18.4%"), (13.0, "", "13"), (1234567.5, "days", "1,234,567.5 days"), (1e-05, "", "0.00001"),
     (0.1 + 0.2, "", "0.3"), (-0.5, "", "-0.5"), (None, "%", "—"), (80, "M KRW", "80 M KRW")],
)
def test_numbers_are_written_as_people_write_them(value, unit, shown) -> None:
    assert format_value(value, unit) == shown


def test_direction_decides_which_value_is_better() -> None:
    assert better_or_equal("maximize", 0.8, 0.7) and not better_or_equal("maximize", 0.6, 0.7)
    assert better_or_equal("minimize", 5, 7) and not better_or_equal("minimize", 9, 7)


def test_an_unreadable_directory_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "projects"
    folder.mkdir()

    def refuse(self):  # as the OS does for a folder we may not list (root may list anything)
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refuse)
    run = Checker(SCHEMA).check_paths([folder])
    assert [(d.rule, d.message) for d in run.diagnostics] == [("unreadable", "cannot read the directory: Permission denied")]


def test_a_large_batch_checked_in_parallel_reports_exactly_what_a_serial_check_does(tmp_path: Path) -> None:
    """`mlfolio validate` hands large batches to forked workers (the CLI's mapper): what they
    report is exactly what one process reports, in the same order."""
    import os

    from mlfolio.cli.parallel import PARALLEL_MIN_ITEMS, can_fork, fork_map

    assert can_fork(), "this test needs a platform and a moment where forking is allowed"
    folder, pids = tmp_path / "projects", tmp_path / "pids"
    folder.mkdir()
    used: list[int] = []

    def two_workers(fn, items):  # the CLI's batch_mapper, with two workers whatever this machine has
        used.append(len(items))

        def recorded(part):
            with pids.open("a", encoding="utf-8") as out:  # forked workers cannot append to `used`
                out.write(f"{os.getpid()}\n")
            return fn(part)

        return fork_map(recorded, items, 2)

    source = (ROOT / "projects" / "house-prices.yaml").read_text(encoding="utf-8")
    for i in range(PARALLEL_MIN_ITEMS + 10):
        ident = f"p{i:04d}"
        text = source.replace("id: house-prices", f"id: {ident}", 1)
        if i % 37 == 0:
            text = text.replace("stage: baseline_prototype", "stage: nope", 1)  # a schema error
        if i % 50 == 1:
            text = text.replace(f"id: {ident}", "id: p0000", 1)  # a duplicate id, and a name mismatch
        (folder / f"{ident}.yaml").write_text(text, encoding="utf-8")
    checker = Checker(SCHEMA)
    serial = checker.check_paths([folder])
    parallel = checker.check_paths([folder], keep_data=False, mapper=two_workers)
    assert used == [PARALLEL_MIN_ITEMS + 10]  # the whole batch went through the mapper
    assert len(set(pids.read_text(encoding="utf-8").split()) - {str(os.getpid())}) >= 1, "no worker checked a slice"
    assert all(r.loaded.data is None for r in parallel.reports)  # only diagnostics travelled back
    assert parallel.diagnostics == serial.diagnostics
    rules = {d.rule for d in parallel.diagnostics}
    assert {"schema", "duplicate-project", "id-filename"} <= rules
    assert [r.path for r in parallel.reports] == [r.path for r in serial.reports]


def significant_digits(text: str) -> int:
    """Digits a number is written with, leading and trailing zeros (and any exponent) aside."""
    mantissa = text.replace(",", "").lstrip("+-").lower().split("e")[0]
    return len(mantissa.replace(".", "").strip("0")) or 1


@pytest.mark.parametrize("value", [1e308, -1e308, 1.7976931348623157e308, 1e21, 123456789.123456789, 2.5e-20, 1e-13, 5e-324])
def test_extreme_numbers_are_written_without_invented_digits_and_never_as_zero(value: float) -> None:
    """A spec may write any finite float. The page must not show digits nobody wrote (1e308 is
    not 100,000,000,000,000,001,097,906,…) nor show a non-zero value as 0."""
    from mlfolio.spec.values import format_number

    text = format_number(value)
    assert significant_digits(text) <= 17, text
    shown = float(text.replace(",", ""))
    assert shown == pytest.approx(value, rel=1e-9, abs=0.0), text


@pytest.mark.parametrize("value", [10**30, -(2**63) - 1, 123456789012345678901234567890])
def test_big_integers_are_written_whole(value: int) -> None:
    """Integers are exact: every digit is the spec's own."""
    from mlfolio.spec.values import format_number

    assert format_number(value).replace(",", "") == str(value)
