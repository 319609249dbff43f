"""``mlfolio new``: a spec to fill in, generated from the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlfolio.cli.main import EXIT_OK, EXIT_USAGE, main
from mlfolio.cli.scaffold import quoted, scaffold
from mlfolio.spec.check import Checker
from mlfolio.spec.loader import load_bytes, load_file
from mlfolio.spec.schema import load_schema

REPO = Path(__file__).resolve().parents[2]

# What a fresh scaffold leaves open: the fields stage problem_definition requires.
OPEN_FIELDS = {
    "team",
    "owners[0].name",
    "business.service",
    "business.goal",
    "problem.situation.what_is_happening",
    "problem.statement",
}

FILLED = {
    'team: ""': 'team: "CRM Analytics"',
    '  - name: ""': '  - name: "Kim Min-ji"',
    'service: ""': 'service: "An online grocery store."',
    'goal: ""': 'goal: "Raise repurchase by 10% this quarter."',
    'what_is_happening: ""': 'what_is_happening: "Customers stop buying after one order."',
    'statement: ""': 'statement: "Find who will not buy again within 30 days."',
}


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def new(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["new", *args])
    out, err = capsys.readouterr()
    return code, out, err


def check(path: Path):
    return Checker(load_schema()).check_paths([path])


@pytest.fixture
def demo(work: Path, capsys) -> Path:
    code, out, err = new(capsys, "demo", "--dir", "tmp")
    assert (code, err) == (EXIT_OK, "")
    assert out == "wrote tmp/demo.yaml: fill in the open fields, then run `mlfolio validate tmp/demo.yaml`\n"
    return work / "tmp" / "demo.yaml"


def test_writes_the_file_with_the_schema_line_first(demo: Path) -> None:
    text = demo.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/project.schema.json"


def test_schema_line_points_at_the_repository_schema(work: Path, capsys) -> None:
    (work / "schemas").mkdir()
    (work / "schemas" / "project.schema.json").write_text(load_schema().source.read_text(encoding="utf-8"), encoding="utf-8")
    assert new(capsys, "deep", "--dir", "specs/team-a")[0] == EXIT_OK
    first = (work / "specs" / "team-a" / "deep.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/project.schema.json"


def test_unusable_local_schema_is_a_usage_error(work: Path, capsys) -> None:
    (work / "schemas").mkdir()
    (work / "schemas" / "project.schema.json").write_text("[]", encoding="utf-8")
    code, _, err = new(capsys, "demo")
    assert code == 2
    assert "is not a usable JSON Schema" in err


def test_default_directory_is_projects(work: Path, capsys) -> None:
    assert new(capsys, "demo")[0] == EXIT_OK
    assert (work / "projects" / "demo.yaml").is_file()


def test_every_top_level_property_appears(demo: Path) -> None:
    text = demo.read_text(encoding="utf-8")
    properties = load_schema().document["properties"]
    assert "$schema" in properties  # written as the first line, for editors
    for name in properties:
        if name == "$schema":
            continue
        assert re.search(rf"(?m)^(# )?{re.escape(name)}:", text), f"{name} is not in the scaffold"


def test_scaffold_loads_as_a_mapping(demo: Path) -> None:
    loaded = load_file(demo)
    assert loaded.diagnostics == ()
    assert isinstance(loaded.data, dict)
    assert loaded.data["id"] == "demo"
    assert loaded.data["stage"] == "problem_definition"
    assert loaded.data["title"] == "Demo"


def test_fresh_scaffold_reports_exactly_the_open_required_fields(demo: Path) -> None:
    run = check(demo)
    assert {d.path for d in run.diagnostics} == OPEN_FIELDS
    assert all(d.is_error for d in run.diagnostics)
    assert len(run.diagnostics) == len(OPEN_FIELDS)
    text = demo.read_text(encoding="utf-8").splitlines()
    for d in run.diagnostics:  # each on the line of its prompt
        assert f"{d.path.rsplit('.', 1)[-1]}: \"\"" in text[d.line - 1], d.format()


def test_filled_scaffold_validates_clean(demo: Path) -> None:
    text = demo.read_text(encoding="utf-8")
    for old, new_text in FILLED.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new_text)
    demo.write_text(text, encoding="utf-8")
    run = check(demo)
    assert run.diagnostics == []
    assert run.ok(strict=True)


def test_options_fill_title_team_and_owner(work: Path, capsys) -> None:
    assert new(capsys, "crm-coupons", "--title", "CRM \"쿠폰\" 타겟팅", "--team", "CRM", "--owner", "Kim Min-ji")[0] == EXIT_OK
    spec = work / "projects" / "crm-coupons.yaml"
    data = load_file(spec).data
    assert (data["title"], data["team"], data["owners"]) == ('CRM "쿠폰" 타겟팅', "CRM", [{"name": "Kim Min-ji"}])
    assert {d.path for d in check(spec).diagnostics} == OPEN_FIELDS - {"team", "owners[0].name"}


def test_uncommented_prompts_have_the_right_structure(demo: Path) -> None:
    # An author uncomments the `# key: value` prompts of the sections they write. With every
    # prompt uncommented the file must still load, and every key must sit where the schema
    # expects it: no unknown fields, no list where a mapping belongs or the reverse.
    text = demo.read_text(encoding="utf-8")
    prompt = re.compile(r"(?m)^(\s*)# ((?:- )?[a-z0-9_]+:(?: .*)?|  - .*)$")
    uncommented = prompt.sub(r"\1\2", text)
    loaded = load_bytes(uncommented.encode("utf-8"), "tmp/demo.yaml")
    assert loaded.diagnostics == ()
    assert set(loaded.data) == set(load_schema().document["properties"]) - {"$schema"}
    demo.write_text(uncommented, encoding="utf-8")
    empty = "got nothing (null); the value is empty"
    structural = [
        d for d in check(demo).diagnostics
        if d.rule in ("unknown-field", "required") or (d.message.startswith("expected a") and empty not in d.message)
    ]  # fmt: skip
    assert structural == []


REVIEWS = [f"feasibility.{group}.{key}" for group, keys in (
    ("for_ml", ("pattern", "objective_function", "complexity", "data_available", "repetitive")),
    ("against_ml", ("unethical", "simple_solution", "no_good_data", "fatal_errors", "must_explain", "not_cost_effective")),
    ("risks", ("scale_unestimable", "stakeholders_disagree"))) for key in keys] + [
    "feasibility.override", *(f"business.input.{k}" for k in ("trustworthy", "consistent", "labelled", "continuous"))]


def test_the_scaffold_never_writes_an_answer_evidence_or_override(demo: Path) -> None:
    """Issue: uncommenting the feasibility section gave thirteen `yes` answers (unethical
    included), one evidence sentence thirteen times and a live override. The scaffold writes
    how to answer, as help; uncommented, each answer is empty and is an error that says so."""
    text = demo.read_text(encoding="utf-8")
    assert not re.search(r"(?m)^\s*# (answer|evidence|verdict|reviewer|acknowledge_unethical):", text)
    assert re.search(r"(?m)^\s*## answer: .*One of: yes, no, partly, unknown\.", text)
    uncommented = re.sub(r"(?m)^(\s*)# ((?:- )?[a-z0-9_]+:(?: .*)?|  - .*)$", r"\1\2", text)
    demo.write_text(uncommented, encoding="utf-8")
    found = {d.path: d for d in check(demo).diagnostics}
    for path in REVIEWS:
        assert path in found and "the value is empty: fill it in" in found[path].message, path


def test_every_example_the_scaffold_shows_agrees_with_the_others(demo: Path) -> None:
    """Uncommented as a whole, the examples hold together: references name the ids the
    example lists define, lists have the items they need. What is left is what the author
    must write (empty answers, required fields) and warnings about the example's own content."""
    text = demo.read_text(encoding="utf-8")
    demo.write_text(re.sub(r"(?m)^(\s*)# ((?:- )?[a-z0-9_]+:(?: .*)?|  - .*)$", r"\1\2", text), encoding="utf-8")
    run = check(demo)
    left = [d.format() for d in run.diagnostics
            if d.is_error and d.rule != "stage-required" and d.path not in REVIEWS and d.message != "must not be empty"]
    assert left == []
    assert not run.ok()  # the raw scaffold is never a finished spec


def test_refuses_to_overwrite_without_force(demo: Path, capsys) -> None:
    demo.write_text("# my work\n", encoding="utf-8")
    code, out, err = new(capsys, "demo", "--dir", "tmp")
    assert (code, out) == (EXIT_USAGE, "")
    assert err == "mlfolio: error: tmp/demo.yaml already exists (use --force to overwrite)\n"
    assert demo.read_text(encoding="utf-8") == "# my work\n"
    assert new(capsys, "demo", "--dir", "tmp", "--force")[0] == EXIT_OK
    assert demo.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")


@pytest.mark.parametrize("ident", ["Demo", "my project", "-demo", "demo.v2", "a" * 65, "데모"])
def test_invalid_id_is_a_usage_error(work: Path, capsys, ident: str) -> None:
    code, out, err = new(capsys, "--dir", "tmp", "--", ident)
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith(f"mlfolio: error: '{ident}' is not a valid project id")
    assert not (work / "tmp").exists()


@pytest.mark.parametrize("ident", ["123", "true", "null", "1e3", "0x1f", "0o17", "no"])
def test_ids_that_yaml_would_read_as_numbers_stay_text(work: Path, capsys, ident: str) -> None:
    assert new(capsys, ident)[0] == EXIT_OK
    assert load_file(work / "projects" / f"{ident}.yaml").data["id"] == ident


def test_a_title_with_a_line_break_is_refused_and_nothing_is_written(work: Path, capsys) -> None:
    code, out, err = new(capsys, "demo", "--title", "Line one\nstage: retired")
    assert (code, out) == (EXIT_USAGE, "")
    assert err == ("mlfolio: error: --title contains a line break (U+000A): the value is one line of plain text; "
                   "remove it\n")
    assert not (work / "projects").exists()


# -- hostile values: written so they load back exactly, or refused in one line -----------------

# Values YAML would read as something else unquoted, or that break a line: each must come back
# exactly as given.
KEPT = [
    'A "quoted" title', "It's mine", "Key: value", "a: b: c", "Title # not a comment", "#hashtag", "- leading dash",
    "-", "*alias", "&anchor", "!tag", "!!python/object:os.system", "{", "}", "[1, 2]", "{a: 1}", "? key", "| block",
    "> folded", "%YAML 1.2", "@handle", "`tick`", "---", "...", "null", "~", "true", "no", "123", "0x1F", "1e3", ".inf",
    "2026-01-12", "back\\slash", "a\\nb", "  padded  ", "tab\\t", "CRM \"쿠폰\" 타겟팅", "\u0645\u0631\u062d\u0628\u0627",
    "Smile \U0001f600", "Ｆｕｌｌｗｉｄｔｈ", "Zero\u200bwidth", "RTL \u202eoverride", "Mark\u200f", "NBSP\u00a0here",
    "e\u0301", "\ufeffBOM", "Private \ue000", "Title with {{ jinja }}", "<script>alert(1)</script>", "$(rm -rf /)",
]
# Values no spec should hold as a one-line title, team or name: always refused.
REFUSED = [
    "", " ", "   ", "\t", "\n", "Line one\nstage: retired", "a\tb", "a\rb", "a\r\nb", "x\x00y", "bell\x07",
    "esc \x1b[31mred", "del\x7f", "nel\x85", "c1\x9b", "a\u2028b", "a\u2029b", "\u200b", "\u00a0", "\u3000",
    "\u200e\u200f", "\ufeff", "surrogate\udcff", "\ud800",
]


def _outcome(work: Path, capsys, option: str, value: str) -> tuple[int, str, str]:
    code, out, err = new(capsys, "demo", "--force", f"--{option}={value}")
    assert "Traceback" not in out + err
    if code == EXIT_OK:
        assert err == ""
        return code, out, err
    assert (code, out) == (EXIT_USAGE, ""), err
    assert err.startswith(f"mlfolio: error: --{option}") and err.endswith("\n") and err.count("\n") == 1, err
    assert len(err) < 400, "one readable line, however long the value"
    return code, out, err


FIELD = {"title": ("title",), "team": ("team",), "owner": ("owners", 0, "name")}


def _value_at(data, path):
    for part in path:
        data = data[part]
    return data


@pytest.mark.parametrize("option", ["title", "team", "owner"])
@pytest.mark.parametrize("value", KEPT, ids=ascii)
def test_a_value_yaml_would_misread_is_written_so_it_loads_back_identical(work: Path, capsys, option: str, value: str) -> None:
    code, _, err = _outcome(work, capsys, option, value)
    assert code == EXIT_OK, err
    spec = work / "projects" / "demo.yaml"
    loaded = load_file(spec)
    assert loaded.diagnostics == ()
    assert _value_at(loaded.data, FIELD[option]) == value
    field = "owners[0].name" if option == "owner" else option
    assert [d.format() for d in check(spec).diagnostics if d.path == field] == []
    # The file is still a scaffold: the stage and the schema line are where they belong.
    assert loaded.data["stage"] == "problem_definition" and loaded.data["id"] == "demo"
    assert spec.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")


@pytest.mark.parametrize("option", ["title", "team", "owner"])
@pytest.mark.parametrize("value", REFUSED, ids=ascii)
def test_a_value_that_is_not_one_line_of_visible_text_is_refused(work: Path, capsys, option: str, value: str) -> None:
    code, _, err = _outcome(work, capsys, option, value)
    assert code == EXIT_USAGE
    assert not (work / "projects").exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a\tb", "--title contains a tab (U+0009): the value is one line of plain text; remove it"),
        ("a\u2028b", "--title contains a line separator (U+2028): the value is one line of plain text; remove it"),
        ("esc \x1b[31m", "--title contains a control character (U+001B): the value is one line of plain text; remove it"),
        ("x\udcff", "--title is not valid text: it holds bytes that are not UTF-8; pass it in UTF-8"),
        ("", "--title must not be empty"),
    ],
    ids=ascii,
)
def test_the_refusal_names_the_option_and_what_to_do(work: Path, capsys, value: str, message: str) -> None:
    assert _outcome(work, capsys, "title", value)[2] == f"mlfolio: error: {message}\n"


@pytest.mark.parametrize("value", ["x" * 10_000, "긴 제목 " * 2_000, "Long title " * 30], ids=len)
def test_a_very_long_title_loads_back_identical_or_is_refused_with_the_limit(work: Path, capsys, value: str) -> None:
    code, _, err = _outcome(work, capsys, "title", value)
    if code == EXIT_OK:
        assert load_file(work / "projects" / "demo.yaml").data["title"] == value
    else:
        assert "too long" in err


def test_an_id_the_schema_refuses_is_refused_with_its_message(work: Path, capsys) -> None:
    # A repository schema stricter than the command's own id check (a reserved name).
    document = json.loads(load_schema().source.read_text(encoding="utf-8"))
    document["properties"]["id"]["pattern"] = "^(?!con$)[a-z0-9][a-z0-9_-]*$"
    (work / "schemas").mkdir()
    (work / "schemas" / "project.schema.json").write_text(json.dumps(document), encoding="utf-8")
    code, out, err = new(capsys, "con")
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith("mlfolio: error: 'con' is not a valid project id: ") and err.count("\n") == 1, err
    assert not (work / "projects").exists()
    assert new(capsys, "console")[0] == EXIT_OK


def test_quoted_writes_every_invisible_character_as_an_escape() -> None:
    assert quoted('a "b" \\ c') == '"a \\"b\\" \\\\ c"'
    assert quoted("\u200b\u202e\u00a0\ufeff\U000e0001é한😀") == '"\\u200b\\u202e\\xa0\\ufeff\\U000e0001é한😀"'
    for value in KEPT:
        assert load_bytes(f"v: {quoted(value)}\n".encode(), "v.yaml").data == {"v": value}


def test_dir_that_is_a_file_is_a_usage_error(work: Path, capsys) -> None:
    (work / "taken").write_text("x", encoding="utf-8")
    code, _, err = new(capsys, "demo", "--dir", "taken")
    assert code == 2 and "cannot create taken" in err


def test_scaffold_function_follows_the_schema_it_is_given() -> None:
    text = scaffold(load_schema(REPO / "schemas" / "project.schema.json"), "x", "s.json", title="X")
    assert text.startswith("# yaml-language-server: $schema=s.json\n# X: a new mlfolio project spec.\n")
    assert '\nid: "x"\n' in text


def test_toggling_every_comment_off_leaves_help_as_comments_and_valid_yaml(demo: Path) -> None:
    # What an editor's toggle-comment does to a selection: remove one '# ' after the indentation.
    lines = demo.read_text(encoding="utf-8").splitlines()[5:]  # below the header
    toggled = "\n".join(re.sub(r"^(\s*)# ?", r"\1", line, count=1) for line in lines) + "\n"
    loaded = load_bytes(toggled.encode("utf-8"), "toggled.yaml")
    assert loaded.ok, [d.format() for d in loaded.diagnostics]
    assert {"business", "problem", "feasibility", "metrics", "monitoring"} <= set(loaded.data)


def test_the_header_comment_shows_the_title_with_invisible_characters_escaped(work: Path, capsys) -> None:
    assert new(capsys, "demo", "--title", 'A "quoted" \\ title\u200b')[0] == EXIT_OK
    lines = (work / "projects" / "demo.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[1] == '# A "quoted" \\ title\\u200b: a new mlfolio project spec.'
    assert 'title: "A \\"quoted\\" \\\\ title\\u200b"' in lines
