"""``mlfolio validate``: exit codes, output, default path, and the rules that span files.

Every test runs in a temporary directory (the current directory during the test), so the
file names in the output are short and relative: ``projects/<id>.yaml``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlfolio.cli.main import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from mlfolio.spec.loader import load_bytes

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "projects"
SMALL = "support-ticket-routing"  # stage problem_definition
RICH = "churn-recommender"  # stage development


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``projects/`` in a temporary current directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "projects").mkdir()
    return tmp_path


def copy(work: Path, ident: str, name: str | None = None) -> Path:
    target = work / "projects" / f"{name or ident}.yaml"
    shutil.copy(EXAMPLES / f"{ident}.yaml", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, fragment: str) -> int:
    found = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if fragment in line]
    assert len(found) == 1, found
    return found[0]


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


# -- exit codes ------------------------------------------------------------------------------------


def test_clean_directory_exits_0(work: Path, capsys) -> None:
    copy(work, SMALL)
    copy(work, RICH)
    assert validate(capsys, "projects") == (EXIT_OK, "2 files checked: no problems\n", "")


def test_default_path_is_projects(work: Path, capsys) -> None:
    copy(work, SMALL)
    assert validate(capsys) == (EXIT_OK, "1 file checked: no problems\n", "")


def test_default_path_missing_is_a_problem(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = validate(capsys)
    assert code == EXIT_PROBLEMS
    assert out == "projects:1:1: error: no such file or directory [unreadable]\n0 files checked: 1 error, 0 warnings\n"


def test_broken_spec_exits_1_and_says_where(work: Path, capsys) -> None:
    spec = copy(work, SMALL)
    edit(spec, "stage: problem_definition", "stage: problem_defintion")
    line = line_of(spec, "stage: problem_defintion")
    code, out, _ = validate(capsys)
    assert code == EXIT_PROBLEMS
    assert out.splitlines() == [
        f"projects/{SMALL}.yaml:{line}:8: error: stage: 'problem_defintion' is not one of problem_definition, "
        "project_design, baseline_prototype, development, deployed, monitoring, retired "
        "(did you mean 'problem_definition'?) [schema]",
        "1 file checked: 1 error, 0 warnings",
    ]


def test_missing_path_is_reported_with_exit_1(work: Path, capsys) -> None:
    copy(work, SMALL)
    code, out, _ = validate(capsys, "projects", "nope.yaml")
    assert code == EXIT_PROBLEMS
    assert out == "nope.yaml:1:1: error: no such file or directory [unreadable]\n1 file checked: 1 error, 0 warnings\n"


def test_strict_fails_on_warnings(work: Path, capsys) -> None:
    spec = copy(work, SMALL)
    data = load_bytes(spec.read_bytes(), "x").data
    edit(spec, f'updated: "{data["updated"]}"', 'updated: "2020-01-01"')
    line = line_of(spec, 'updated: "2020-01-01"')
    expected = (
        f"projects/{SMALL}.yaml:{line}:10: warning: updated: updated (2020-01-01) is before created ({data['created']}) [date-order]\n"
        "1 file checked: 0 errors, 1 warning\n"
    )
    assert validate(capsys) == (EXIT_OK, expected, "")
    assert validate(capsys, "--strict") == (EXIT_PROBLEMS, expected, "")


@pytest.mark.parametrize(
    "args",
    [["validate", "--bogus"], [], ["frobnicate"], ["validate", "--format", "xml"], ["new"]],
    ids=["unknown-option", "no-command", "unknown-command", "unknown-format", "new-without-id"],
)
def test_usage_errors_exit_2(work: Path, capsys, args) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == EXIT_USAGE
    assert "usage: mlfolio" in capsys.readouterr().err


def test_missing_schema_file_is_a_usage_error(work: Path, capsys) -> None:
    copy(work, SMALL)
    code, out, err = validate(capsys, "--schema", "nope.json")
    assert (code, out) == (EXIT_USAGE, "")
    assert err == "mlfolio: error: schema file not found: nope.json\n"


@pytest.mark.parametrize("content", ["{", '{"type": 5}'], ids=["not-json", "not-a-schema"])
def test_broken_schema_file_is_a_usage_error(work: Path, capsys, content) -> None:
    copy(work, SMALL)
    (work / "broken.json").write_text(content, encoding="utf-8")
    code, out, err = validate(capsys, "--schema", "broken.json")
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith("mlfolio: error: broken.json is not a usable JSON Schema: ")
    assert "Traceback" not in err


def test_schema_option_is_used(work: Path, capsys) -> None:
    copy(work, SMALL)
    schema = json.loads((REPO / "schemas" / "project.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["title"]["maxLength"] = 10
    (work / "short.json").write_text(json.dumps(schema), encoding="utf-8")
    code, out, _ = validate(capsys, "--schema", "short.json")
    assert code == EXIT_PROBLEMS
    assert out.splitlines()[0] == f"projects/{SMALL}.yaml:4:8: error: title: is too long: at most 10 characters [schema]"


def test_repository_schema_in_the_current_directory_is_used(work: Path, capsys) -> None:
    copy(work, SMALL)
    schema = json.loads((REPO / "schemas" / "project.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["title"]["maxLength"] = 10
    (work / "schemas").mkdir()
    (work / "schemas" / "project.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    code, out, _ = validate(capsys)
    assert code == EXIT_PROBLEMS
    assert "title: is too long: at most 10 characters [schema]" in out


# -- formats ---------------------------------------------------------------------------------------


def test_json_format(work: Path, capsys) -> None:
    spec = copy(work, SMALL)
    edit(spec, "id: support-ticket-routing", "id: Support")
    code, out, _ = validate(capsys, "--format", "json")
    assert code == EXIT_PROBLEMS
    doc = json.loads(out)
    assert doc["files"] == [f"projects/{SMALL}.yaml"]
    assert (doc["errors"], doc["warnings"]) == (2, 0)
    assert [(d["line"], d["column"], d["path"], d["rule"]) for d in doc["diagnostics"]] == [
        (3, 5, "id", "id-filename"),
        (3, 5, "id", "schema"),
    ]


def test_github_format(work: Path, capsys) -> None:
    spec = copy(work, SMALL)
    edit(spec, "  docs:", "  doc:")
    line = line_of(spec, "  doc:")
    code, out, _ = validate(capsys, "--format", "github")
    assert code == EXIT_PROBLEMS
    assert out.splitlines() == [
        f"::error file=projects/{SMALL}.yaml,line={line},col=3,title=unknown-field%3A links.doc::unknown field 'doc' (did you mean 'docs'?)",
        "1 file checked: 1 error, 0 warnings",
    ]


# -- which files -------------------------------------------------------------------------------------


def test_directory_takes_yaml_and_yml_files(work: Path, capsys) -> None:
    copy(work, SMALL)
    shutil.copy(EXAMPLES / f"{RICH}.yaml", work / "projects" / f"{RICH}.yml")
    assert validate(capsys) == (EXIT_OK, "2 files checked: no problems\n", "")


def test_anything_else_in_a_specs_folder_is_an_error(work: Path, capsys) -> None:
    """A file nobody checks is a file nobody reads: other files and subfolders are reported,
    never skipped, and a spec inside a subfolder is not checked (tests/site/test_specs_folder.py
    covers links and special files, and the build)."""
    copy(work, SMALL)
    shutil.copy(EXAMPLES / f"{RICH}.yaml", work / "projects" / f"{RICH}.yml")
    (work / "projects" / "README.md").write_text("# not a spec\n", encoding="utf-8")
    (work / "projects" / "drafts").mkdir()
    (work / "projects" / "drafts" / "x.yaml").write_text("not: [valid\n", encoding="utf-8")
    code, out, err = validate(capsys)
    assert (code, err) == (EXIT_PROBLEMS, "")
    assert out.splitlines() == [
        "projects/README.md:1:1: error: 'README.md' is not a spec (only *.yaml and *.yml files belong in the specs folder): "
        "move it out of the folder [not-a-spec]",
        "projects/drafts:1:1: error: a folder inside the specs folder; specs are the *.yaml files directly in it: "
        "move it out [not-a-spec]",
        "2 files checked: 2 errors, 0 warnings",
    ]


def test_files_and_directories_can_be_mixed(work: Path, capsys) -> None:
    copy(work, SMALL)
    (work / "other").mkdir()
    shutil.copy(EXAMPLES / f"{RICH}.yaml", work / "other" / f"{RICH}.yaml")
    assert validate(capsys, "projects", f"other/{RICH}.yaml") == (EXIT_OK, "2 files checked: no problems\n", "")


# -- rules across files ----------------------------------------------------------------------------


def test_id_must_match_the_file_name(work: Path, capsys) -> None:
    copy(work, SMALL, "routing")
    code, out, _ = validate(capsys)
    assert code == EXIT_PROBLEMS
    assert out.splitlines() == [
        f"projects/routing.yaml:3:5: error: id: id '{SMALL}' does not match the file name 'routing.yaml': "
        f"rename the file to '{SMALL}.yaml' or set `id: routing` [id-filename]",
        "1 file checked: 1 error, 0 warnings",
    ]


def test_duplicate_project_id_across_files_goes_to_the_copy(work: Path, capsys) -> None:
    copy(work, SMALL)
    copy(work, SMALL, "a-copy")  # sorts first, but the file named after the id keeps the id
    code, out, _ = validate(capsys)
    assert code == EXIT_PROBLEMS
    assert out.splitlines() == [
        f"projects/a-copy.yaml:3:5: error: id: project id '{SMALL}' is already used by projects/{SMALL}.yaml; project ids must be unique [duplicate-project]",
        f"projects/a-copy.yaml:3:5: error: id: id '{SMALL}' does not match the file name 'a-copy.yaml': rename the file to '{SMALL}.yaml' or set `id: a-copy` [id-filename]",
        "2 files checked: 2 errors, 0 warnings",
    ]


def test_duplicate_project_id_when_no_file_is_named_after_it(work: Path, capsys) -> None:
    copy(work, SMALL, "one")
    copy(work, SMALL, "two")
    code, out, _ = validate(capsys)
    assert code == EXIT_PROBLEMS
    rules = [(line.split(":")[0], line.rsplit("[", 1)[-1]) for line in out.splitlines()[:-1]]
    assert rules == [
        ("projects/one.yaml", "id-filename]"),
        ("projects/two.yaml", "duplicate-project]"),
        ("projects/two.yaml", "id-filename]"),
    ]
    assert f"project id '{SMALL}' is already used by projects/one.yaml" in out


# -- a broken copy of a real spec ------------------------------------------------------------------


def test_broken_copy_of_an_example_reports_each_mistake_on_its_line(work: Path, capsys) -> None:
    spec = copy(work, RICH)
    original = load_bytes(spec.read_bytes(), "x")
    data, positions = original.data, original.positions
    metric = data["goals"]["objectives"][0]["metric"]
    metric_line = positions.value(("goals", "objectives", 0, "metric")).line
    baseline_line = positions.value(("baselines", 1, "id")).line
    dataset_key = positions.key(("data", "datasets", 0, "source"))

    lines = spec.read_text(encoding="utf-8").split("\n")
    lines[metric_line - 1] = lines[metric_line - 1].replace(f"metric: {metric}", "metric: revenu")  # 1: unknown metric
    lines[baseline_line - 1] = lines[baseline_line - 1].replace(data["baselines"][1]["id"], data["baselines"][0]["id"])  # 2: duplicate id
    lines[dataset_key.line - 1] = lines[dataset_key.line - 1].replace("source:", "sourse:")  # 3: typo of a field
    spec.write_text("\n".join(lines), encoding="utf-8")

    code, out, _ = validate(capsys)
    assert code == EXIT_PROBLEMS
    found = [line.split(": ", 1)[0] + " " + line.rsplit(" ", 1)[-1] for line in out.splitlines()[:-1]]
    assert found == sorted(
        [
            f"projects/{RICH}.yaml:{metric_line}:{positions.value(('goals', 'objectives', 0, 'metric')).column} [metric-ref]",
            f"projects/{RICH}.yaml:{baseline_line}:9 [duplicate-id]",
            f"projects/{RICH}.yaml:{dataset_key.line}:{dataset_key.column} [unknown-field]",
        ],
        key=lambda s: int(s.split(":")[1]),
    )
    assert out.splitlines()[-1] == "1 file checked: 3 errors, 0 warnings"


# -- as a program ------------------------------------------------------------------------------------


def test_python_dash_m_generator_validate(work: Path) -> None:
    copy(work, SMALL)
    ok = subprocess.run([sys.executable, "-m", "mlfolio", "validate"], cwd=work, capture_output=True, text=True, timeout=120)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "1 file checked: no problems\n", "")
    edit(work / "projects" / f"{SMALL}.yaml", "  docs:", "  doc:")
    broken = subprocess.run(
        [sys.executable, "-m", "mlfolio", "validate", "--format", "json"], cwd=work, capture_output=True, text=True, timeout=120
    )
    assert broken.returncode == 1
    assert [d["rule"] for d in json.loads(broken.stdout)["diagnostics"]] == ["unknown-field"]
    usage = subprocess.run([sys.executable, "-m", "mlfolio", "validate", "--nope"], cwd=work, capture_output=True, text=True, timeout=120)
    assert usage.returncode == 2
    assert "unrecognized arguments: --nope" in usage.stderr
