"""The three output formats, byte for byte, over one fixed set of diagnostics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlfolio.cli.reporters import REPORTERS, as_json, github, text
from mlfolio.spec.check import CheckRun, FileReport
from mlfolio.spec.diagnostics import Diagnostic, error, warning
from mlfolio.spec.loader import LoadResult

CHURN, CRM, ODD = "projects/churn.yaml", "projects/crm.yaml", "projects/ko,rea:n%.yaml"

METRIC_REF = error(CHURN, 41, 7, "'f1' is not a metric id defined in metrics (defined: recall_at_10, revenue)", "metric-ref", "goals.objectives[1].metric")
TARGET = warning(CHURN, 12, 13, "target 5% does not beat the current value 7%, see: notes", "target-not-better", "metrics[0].target")
KOREAN = error(CRM, 4, 8, "제목: expected text", "schema", "title")
EMPTY = error(ODD, 1, 1, "file is empty: a spec is a mapping", "empty-file")


def report(file: str, *diagnostics: Diagnostic) -> FileReport:
    return FileReport(Path(file), LoadResult(file, None), diagnostics)


def run_of(*reports: FileReport, extra: tuple[Diagnostic, ...] = ()) -> CheckRun:
    return CheckRun(tuple(reports), extra)


@pytest.fixture
def run() -> CheckRun:
    # Out of order on purpose: every reporter lists by file, line, column.
    return run_of(report(ODD, EMPTY), report(CHURN, METRIC_REF, TARGET), report(CRM, KOREAN))


TEXT = """\
projects/churn.yaml:12:13: warning: metrics[0].target: target 5% does not beat the current value 7%, see: notes [target-not-better]
projects/churn.yaml:41:7: error: goals.objectives[1].metric: 'f1' is not a metric id defined in metrics (defined: recall_at_10, revenue) [metric-ref]
projects/crm.yaml:4:8: error: title: 제목: expected text [schema]
projects/ko,rea:n%.yaml:1:1: error: file is empty: a spec is a mapping [empty-file]
3 files checked: 3 errors, 1 warning
"""

GITHUB = """\
::warning file=projects/churn.yaml,line=12,col=13,title=target-not-better%3A metrics[0].target::target 5%25 does not beat the current value 7%25, see: notes
::error file=projects/churn.yaml,line=41,col=7,title=metric-ref%3A goals.objectives[1].metric::'f1' is not a metric id defined in metrics (defined: recall_at_10, revenue)
::error file=projects/crm.yaml,line=4,col=8,title=schema%3A title::제목: expected text
::error file=projects/ko%2Crea%3An%25.yaml,line=1,col=1,title=empty-file::file is empty: a spec is a mapping
3 files checked: 3 errors, 1 warning
"""

JSON = """\
{
  "files": [
    "projects/ko,rea:n%.yaml",
    "projects/churn.yaml",
    "projects/crm.yaml"
  ],
  "errors": 3,
  "warnings": 1,
  "diagnostics": [
    {
      "file": "projects/churn.yaml",
      "line": 12,
      "column": 13,
      "severity": "warning",
      "path": "metrics[0].target",
      "message": "target 5% does not beat the current value 7%, see: notes",
      "rule": "target-not-better"
    },
    {
      "file": "projects/churn.yaml",
      "line": 41,
      "column": 7,
      "severity": "error",
      "path": "goals.objectives[1].metric",
      "message": "'f1' is not a metric id defined in metrics (defined: recall_at_10, revenue)",
      "rule": "metric-ref"
    },
    {
      "file": "projects/crm.yaml",
      "line": 4,
      "column": 8,
      "severity": "error",
      "path": "title",
      "message": "제목: expected text",
      "rule": "schema"
    },
    {
      "file": "projects/ko,rea:n%.yaml",
      "line": 1,
      "column": 1,
      "severity": "error",
      "path": "",
      "message": "file is empty: a spec is a mapping",
      "rule": "empty-file"
    }
  ]
}
"""


def test_text(run: CheckRun) -> None:
    assert text(run) == TEXT


def test_text_line_is_the_contract_format() -> None:
    d = error("projects/churn.yaml", 41, 7, "'f1' is not a metric id defined in metrics (defined: recall_at_10, revenue)", "metric-ref", "objectives[1].metric")
    assert text(run_of(report("projects/churn.yaml", d))).splitlines()[0] == (
        "projects/churn.yaml:41:7: error: objectives[1].metric: 'f1' is not a metric id defined in metrics "
        "(defined: recall_at_10, revenue) [metric-ref]"
    )


def test_github(run: CheckRun) -> None:
    assert github(run) == GITHUB


def test_json(run: CheckRun) -> None:
    assert as_json(run) == JSON
    doc = json.loads(as_json(run))
    assert [d["rule"] for d in doc["diagnostics"]] == ["target-not-better", "metric-ref", "schema", "empty-file"]


def test_github_escapes_newlines_and_percent_in_messages_and_properties() -> None:
    d = warning("a:b,c%d.yaml", 3, 4, "line one\nline two\r\n100% sure: yes, really", "rule,x", "p:q")
    line = github(run_of(report("a:b,c%d.yaml", d))).splitlines()[0]
    assert line == "::warning file=a%3Ab%2Cc%25d.yaml,line=3,col=4,title=rule%2Cx%3A p%3Aq::line one%0Aline two%0D%0A100%25 sure: yes, really"


def test_github_title_without_a_path_is_the_rule() -> None:
    d = error("projects/x.yaml", 1, 1, "not valid UTF-8 (byte 0xff); save the file as UTF-8", "encoding")
    assert github(run_of(report("projects/x.yaml", d))).splitlines()[0] == (
        "::error file=projects/x.yaml,line=1,col=1,title=encoding::not valid UTF-8 (byte 0xff); save the file as UTF-8"
    )


@pytest.mark.parametrize("name", ["text", "github"])
def test_clean_run(name: str) -> None:
    assert REPORTERS[name](run_of(report("projects/a.yaml"))) == "1 file checked: no problems\n"


def test_clean_run_json() -> None:
    assert json.loads(as_json(run_of(report("projects/a.yaml"), report("projects/b.yaml")))) == {
        "files": ["projects/a.yaml", "projects/b.yaml"],
        "errors": 0,
        "warnings": 0,
        "diagnostics": [],
    }


def test_summary_counts_singular_and_plural() -> None:
    assert text(run_of(report(CHURN, TARGET))).splitlines()[-1] == "1 file checked: 0 errors, 1 warning"
    assert text(run_of(report(CHURN, METRIC_REF))).splitlines()[-1] == "1 file checked: 1 error, 0 warnings"
    assert text(run_of()) == "0 files checked: no problems\n"


def test_problems_outside_any_file_are_reported_too() -> None:
    missing = error("nope.yaml", 1, 1, "no such file or directory", "unreadable")
    run = run_of(report(CHURN, TARGET), extra=(missing,))
    assert text(run) == (
        "nope.yaml:1:1: error: no such file or directory [unreadable]\n"
        "projects/churn.yaml:12:13: warning: metrics[0].target: target 5% does not beat the current value 7%, see: notes [target-not-better]\n"
        "1 file checked: 1 error, 1 warning\n"
    )
    assert json.loads(as_json(run))["errors"] == 1
    assert github(run).splitlines()[0] == "::error file=nope.yaml,line=1,col=1,title=unreadable::no such file or directory"


def test_run_succeeds_unless_errors_or_strict_warnings() -> None:
    assert run_of(report(CHURN, TARGET)).ok()
    assert not run_of(report(CHURN, TARGET)).ok(strict=True)
    assert not run_of(report(CHURN, METRIC_REF)).ok()
    assert run_of(report(CHURN)).ok(strict=True)
