"""``mlfolio diff``: what a change to the specs means, over real before/after pairs.

Each test copies the fixture specs (``fixtures/diff/``) into ``before/`` and ``after/`` in a
temporary directory, edits ``after/`` the way a pull request would, and checks the exact
lines a reviewer reads. The git tests build a throw-away repository with two commits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlfolio.analysis.model import load_portfolio as _load
from mlfolio.cli.diff import DiffError, code, diff_runs, diff_sources, md
from mlfolio.cli.main import main
from mlfolio.spec.loader import load_file
from mlfolio.spec.schema import load_schema


def load_portfolio(directory):
    return _load([directory], load_schema())


HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "diff"
GOLDEN = FIXTURES / "golden.md"
EXAMPLES = sorted((HERE.parents[1] / "projects").glob("*.yaml"))
HEADING = "## mlfolio: what this change means"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``before/`` and ``after/`` holding the same fixture specs; the current directory is their parent."""
    monkeypatch.chdir(tmp_path)
    for side in ("before", "after"):
        (tmp_path / side).mkdir()
        for spec in FIXTURES.glob("*.yaml"):
            shutil.copy(spec, tmp_path / side / spec.name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def diff(work: Path, base: str = "before", head: str = "after") -> str:
    return diff_sources(base, head)


def lines(text: str) -> list[str]:
    return text.splitlines()


# -- what a change means ------------------------------------------------------------------------

def test_no_change_says_so(work: Path) -> None:
    assert diff(work) == f"{HEADING}\n\nNo project specs changed.\n"


def test_verdict_change_names_the_criterion_that_decides(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", "simple_solution: {answer: no,", "simple_solution: {answer: yes,")
    out = lines(diff(work))
    assert out[2] == "1 project changed, 0 added, 0 removed. 1 verdict changed."
    block = out[out.index("### Churn radar (`churn-radar`)") + 2:]
    assert block[0] == "- **Verdict:** proceed with caution → **not recommended**"
    assert block[1] == "  - Simple solution exists (`against_ml.simple_solution`): no → **yes** — evidence: *The 21-day rule reached a third of the goal.*"
    assert block[2].startswith("  - Decided by: Simple solution exists (`against_ml.simple_solution`) is yes. *A fundamental reason rules ML out")


def test_answer_change_that_keeps_the_verdict(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", "fatal_errors: {answer: no,", "fatal_errors: {answer: partly,")
    out = lines(diff(work))
    assert out[2] == "1 project changed, 0 added, 0 removed. 0 verdicts changed."
    assert "- Feasibility answers changed; the verdict stays proceed with caution:" in out
    assert "  - One error is fatal (`against_ml.fatal_errors`): no → **partly** — evidence: *A wasted coupon costs 5,000 won.*" in out
    decided = next(line for line in out if line.startswith("  - Decided by:"))
    assert "Good data is hard to get (`against_ml.no_good_data`) is partly; One error is fatal (`against_ml.fatal_errors`) is partly." in decided


def test_a_changed_answer_shows_its_new_evidence_and_source(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", 'fatal_errors: {answer: no, evidence: "A wasted coupon costs 5,000 won."}',
         'fatal_errors: {answer: yes, evidence: "A *wrong* coupon to a VIP [costs](x) a complaint. ' + "word " * 80 + '", '
         'source: "https://tickets.example.com/CRM-12"}')
    out = lines(diff(work))
    [line] = [x for x in out if x.startswith("  - One error is fatal")]
    assert line.startswith("  - One error is fatal (`against_ml.fatal_errors`): no → **yes** — evidence: *A \\*wrong\\* coupon to a VIP \\[costs\\](x)")
    assert line.endswith(" …* ([source](<https://tickets.example.com/CRM-12>))")
    gone = lines(diff(work, "after", "before"))
    assert any(x.endswith("yes → **no** — evidence: *A wasted coupon costs 5,000 won.*") for x in gone)


def test_reviewer_override_appearing(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", "  risks:", '  override:\n    verdict: recommended\n    reason: "The labelling contract fixes the data."\n    reviewer: "Park Ji-hoon"\n    date: "2026-03-02"\n  risks:')
    out = lines(diff(work))
    assert "- **Verdict:** proceed with caution → **recommended** (the reviewer's override)" in out
    assert "- Reviewer override added: recommended, by Park Ji-hoon on 2026-03-02: The labelling contract fixes the data." in out
    assert not any("Decided by" in line for line in out)  # the answers did not change
    back = lines(diff(work, "after", "before"))
    assert "- Reviewer override removed (it set recommended): the computed verdict applies." in back


def test_target_change_is_a_table_row_with_unit_and_direction(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", "target: 20.2", "target: 19.5")
    edit(work / "after/churn-radar.yaml", "target: 0.7", "target: 0.72")
    out = lines(diff(work))
    i = out.index("| Metric | Target | Current | Better |")
    assert out[i + 1:i + 4] == [
        "|---|---|---|---|",
        "| `repurchase_rate_30d` 30-day repurchase rate | 20.2% → **19.5%**, less ambitious | 18.4% | higher |",
        "| `uplift_auc` Uplift AUC | 0.7 → **0.72**, more ambitious | 0.61 | higher |",
    ]
    assert out[2] == "1 project changed, 0 added, 0 removed. 0 verdicts changed."


def test_metric_added_and_removed(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", "      metric: uplift_auc\n", "      metric: coupon_cost\n")
    edit(work / "after/churn-radar.yaml", "  - id: uplift_auc\n    name: \"Uplift AUC\"\n    kind: model\n    direction: maximize\n",
         "  - id: coupon_cost\n    name: \"Coupon cost\"\n    kind: business\n    direction: minimize\n    unit: \"KRW\"\n")
    out = lines(diff(work))
    assert "- Metric added: `coupon_cost` Coupon cost, target 0.7 KRW, lower is better" in out
    assert "- Metric removed: `uplift_auc` Uplift AUC" in out


def test_project_added(work: Path) -> None:
    shutil.copy(FIXTURES / "address-search.yaml", work / "after/route-eta.yaml")
    edit(work / "after/route-eta.yaml", "id: address-search", "id: route-eta")
    edit(work / "after/route-eta.yaml", 'title: "Address search"', 'title: "Route ETA"')
    out = lines(diff(work))
    assert out[2] == "0 projects changed, 1 added, 0 removed. 0 verdicts changed."
    i = out.index("### Added")
    assert out[i + 2:i + 5] == [
        "| Project | Stage | Verdict | Readiness |",
        "|---|---|---|---|",
        "| Route ETA (`route-eta`) | problem definition | undetermined (not assessed yet) | 18% |",
    ]


def test_project_removed(work: Path) -> None:
    (work / "after/churn-radar.yaml").unlink()
    out = lines(diff(work))
    assert out[2] == "0 projects changed, 0 added, 1 removed. 0 verdicts changed."
    assert out[out.index("### Removed") + 2] == "- Churn radar (`churn-radar`): was at stage project design, verdict proceed with caution"


def test_stage_move_backward_and_forward(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", "stage: project_design", "stage: problem_definition")
    assert "- **Stage:** project design → **problem definition** (backward)" in lines(diff(work))
    assert "- **Stage:** problem definition → **project design** (forward)" in lines(diff(work, "after", "before"))


def test_owner_changes_name_who_joined_and_who_left(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", '  - name: "Kim Min-ji"\n', '  - name: "Park *Ji-hoon*"\n  - name: "Choi Da-eun"\n')
    assert "- Owners: added Park \\*Ji-hoon\\*, Choi Da-eun; removed Kim Min-ji (now: Park \\*Ji-hoon\\*, Choi Da-eun)" in lines(diff(work))


def test_a_name_in_the_report_never_mentions_anyone_on_github(work: Path) -> None:
    """The report is posted on the pull request: an owner called @org/everyone must not notify."""
    edit(work / "after/churn-radar.yaml", '  - name: "Kim Min-ji"\n', '  - name: "@mlfolio/everyone"\n')
    report = diff(work)
    assert "@\u2060mlfolio/everyone" in report and "@mlfolio" not in report
    assert md("a@b") == "a@\u2060b" and md("@octocat") == "@\u2060octocat"


def test_readiness_change_lists_what_is_newly_missing(work: Path) -> None:
    # churn-radar is at project design; readiness counts what baseline & prototype (the next
    # stage) requires too. Writing its baselines raises readiness and fills that gap.
    before = (work / "after/churn-radar.yaml").read_text(encoding="utf-8")
    (work / "after/churn-radar.yaml").write_text(before + (
        "baselines:\n"
        "  - id: rules\n"
        "    name: \"Coupon after 21 idle days\"\n"
        "    kind: rule_based\n"
    ), encoding="utf-8")
    out = lines(diff(work))
    line = next(x for x in out if x.startswith("- **Readiness up:**"))
    assert line.endswith("(toward baseline \\& prototype)")
    assert out[out.index(line) + 1] == "  - Now filled in: Baselines"
    back = lines(diff(work, "after", "before"))
    line = next(x for x in back if x.startswith("- **Readiness down:**"))
    assert back[back.index(line) + 1] == "  - Now missing: Baselines"


def test_new_warning_compared_by_rule_path_and_message(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", "target: 0.7", "target: 0.6")
    out = lines(diff(work))
    assert "- **New warning** at `metrics[1].target`: target 0.6 does not beat the current value 0.61; 'uplift\\_auc' is better higher (direction: maximize) (`target-not-better`)" in out
    # The same warning on another line is not new: only moving lines changes nothing.
    shutil.copy(work / "after/churn-radar.yaml", work / "before/churn-radar.yaml")
    edit(work / "after/churn-radar.yaml", "sme:\n", "# a comment that moves every line below\n\nsme:\n")
    assert diff(work) == f"{HEADING}\n\nNo project specs changed.\n"


def test_broken_spec_on_one_side_is_reported_without_a_traceback(work: Path) -> None:
    (work / "after/address-search.yaml").write_text("id: [address-search\n", encoding="utf-8")
    out = lines(diff(work))
    assert out[2] == "1 project changed, 0 added, 0 removed. 0 verdicts changed. 1 spec does not validate."
    i = out.index("### Address search (`address-search`)")
    assert out[i + 2] == "**No longer validates:** 1 error in `after/address-search.yaml` after this change. The other comparisons are skipped until it does."
    assert out[i + 4] == "```text"
    assert out[i + 5].startswith("after/address-search.yaml:1:5: error: invalid YAML: ")
    assert out[i + 6] == "```"
    back = lines(diff(work, "after", "before"))
    assert "**Validates again** (it had 1 error). Now at stage problem definition, verdict undetermined (not assessed yet), readiness 18%." in back


def test_many_errors_show_the_first_five(work: Path) -> None:
    edit(work / "after/address-search.yaml", "stage: problem_definition", "stage: project_design")
    out = lines(diff(work))
    # project_design requires 12 more sections than problem_definition.
    i = out.index("**No longer validates:** 12 errors in `after/address-search.yaml` after this change. The other comparisons are skipped until it does.")
    block = out[i + 2:out.index("```", i + 3) + 1]
    assert len(block) == 8 and block[-2] == "... and 7 more"
    assert all(line.startswith("after/address-search.yaml:") and ": error: " in line for line in block[1:6])


def test_text_only_edit_is_listed_in_one_line(work: Path) -> None:
    edit(work / "after/address-search.yaml", "Same-day delivery.", "Same-day delivery, nationwide.")
    out = lines(diff(work))
    assert out[2] == "1 project changed, 0 added, 0 removed. 0 verdicts changed."
    assert out[-1] == "Also edited, with no change to verdict, stage, metrics, readiness or warnings: Address search (`address-search`)."


def test_titles_are_escaped_and_ids_order_the_output(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", 'title: "Churn radar"', 'title: "Churn | <b>radar</b> *now*\\n[x](y) `z`"')
    edit(work / "after/churn-radar.yaml", "target: 0.7", "target: 0.8")
    edit(work / "after/address-search.yaml", "stage: problem_definition", "stage: retired\nretirement:\n  date: \"2026-05-01\"\n  reason: \"A rule was enough.\"")
    out = lines(diff(work))
    headings = [line for line in out if line.startswith("### ")]
    assert headings == ["### Address search (`address-search`)", "### Churn \\| \\<b\\>radar\\</b\\> \\*now\\* \\[x\\](y) \\`z\\` (`churn-radar`)"]
    assert "- **Stage:** problem definition → **retired**" in out


def test_markdown_helpers() -> None:
    assert md("a|b <c> *d* _e_ [f] `g`\nh\ti") == "a\\|b \\<c\\> \\*d\\* \\_e\\_ \\[f\\] \\`g\\` h i"
    assert code("plain") == "`plain`"
    assert code("a`b") == "`` a`b ``"
    assert code("a|b", table=True) == "`a\\|b`"


def test_diff_runs_is_pure_over_two_portfolios(work: Path) -> None:
    edit(work / "after/churn-radar.yaml", "stage: project_design", "stage: problem_definition")
    out = diff_runs(load_portfolio(work / "before"), load_portfolio(work / "after"))
    assert out == diff(work)
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_golden_output(work: Path) -> None:
    """One full small diff, compared character for character, so formatting regressions show.

    After an intended change of format, rewrite the file with ``MLFOLIO_UPDATE_GOLDEN=1``.
    """
    churn = work / "after/churn-radar.yaml"
    edit(churn, "simple_solution: {answer: no,", "simple_solution: {answer: yes,")
    edit(churn, "target: 0.7", "target: 0.6")
    edit(churn, "stage: project_design", "stage: problem_definition")
    edit(work / "after/address-search.yaml", "team:", "owner: \"Park\"\nteam:")
    shutil.copy(FIXTURES / "address-search.yaml", work / "after/route-eta.yaml")
    edit(work / "after/route-eta.yaml", "id: address-search", "id: route-eta")
    edit(work / "after/route-eta.yaml", 'title: "Address search"', 'title: "Route ETA <beta>"')
    shutil.copy(FIXTURES / "address-search.yaml", work / "before/parcel-sort.yaml")
    edit(work / "before/parcel-sort.yaml", "id: address-search", "id: parcel-sort")
    edit(work / "before/parcel-sort.yaml", 'title: "Address search"', 'title: "Parcel sorting"')
    out = diff(work)
    if os.environ.get("MLFOLIO_UPDATE_GOLDEN") == "1":  # after an intended change: review the diff of golden.md
        GOLDEN.write_text(out, encoding="utf-8")
    assert out == GOLDEN.read_text(encoding="utf-8")


# -- the example specs ------------------------------------------------------------------------

def _can_flip_simple_solution(example: Path) -> bool:
    """Examples whose verdict can still be changed by saying a simple solution exists."""
    data = load_file(example).data
    answer = (data.get("feasibility", {}).get("against_ml", {}).get("simple_solution") or {}).get("answer")
    return data["stage"] != "problem_definition" and answer != "yes"


FLIPPABLE = [p for p in EXAMPLES if _can_flip_simple_solution(p)]


def _before_after(example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, Path, Path]:
    """The example's data, and ``before/`` (holding the example) and an empty ``after/``, as cwd."""
    monkeypatch.chdir(tmp_path)
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir(), after.mkdir()
    shutil.copy(example, before / example.name)
    return load_file(example).data, before, after


def test_the_examples_are_there() -> None:
    assert len(EXAMPLES) >= 6 and len(FLIPPABLE) >= 3


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_rewritten_as_json_mean_the_same(example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, before, after = _before_after(example, tmp_path, monkeypatch)
    # The same spec written as JSON (valid YAML 1.2): every line moved, nothing changed.
    (after / example.name).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    assert diff_sources("before", "after") == f"{HEADING}\n\nNo project specs changed.\n"


@pytest.mark.parametrize("example", FLIPPABLE, ids=lambda p: p.stem)
def test_a_simple_solution_rules_ml_out_in_the_examples(example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, before, after = _before_after(example, tmp_path, monkeypatch)
    was = (data["feasibility"]["against_ml"].get("simple_solution") or {}).get("answer", "not answered")
    data["feasibility"]["against_ml"]["simple_solution"] = {"answer": "yes", "evidence": "A rule does it."}
    (after / example.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = lines(diff_sources("before", "after"))
    assert f"  - Simple solution exists (`against_ml.simple_solution`): {was} → **yes** — evidence: *A rule does it.*" in out
    computed = load_portfolio(before).projects[0].verdict
    if computed.computed == "not_recommended":
        assert f"- Feasibility answers changed; the verdict stays {computed.final.replace('_', ' ')}:" in out
    else:
        verdict = "- **Computed verdict:**" if computed.override else "- **Verdict:**"
        assert any(line.startswith(verdict) and "→ **not recommended**" in line for line in out)


# -- git revisions ------------------------------------------------------------------------------

@pytest.fixture
def repo(work: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose two commits hold ``before/`` then ``after/`` as ``projects/``."""
    for name in [k for k in os.environ if k.startswith("GIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(work))
    root = work / "repo"
    (root / "projects").mkdir(parents=True)
    git(root, "init", "-q")
    for spec in (work / "before").iterdir():
        shutil.copy(spec, root / "projects" / spec.name)
    commit(root, "before")
    monkeypatch.chdir(root)
    return root


def git(root: Path, *args: str) -> str:
    ident = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *ident, *args], cwd=root, check=True, capture_output=True, text=True).stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def head_from(work: Path, root: Path) -> None:
    """Make the repository's projects/ what after/ holds, and commit it."""
    shutil.rmtree(root / "projects")
    shutil.copytree(work / "after", root / "projects")
    commit(root, "after")


@needs_git
def test_git_revisions_give_the_same_result_as_directories(work: Path, repo: Path) -> None:
    edit(work / "after/churn-radar.yaml", "simple_solution: {answer: no,", "simple_solution: {answer: yes,")
    edit(work / "after/churn-radar.yaml", "target: 0.7", "target: 0.6")
    (work / "after/address-search.yaml").unlink()
    head_from(work, repo)
    from_git = diff_sources("HEAD~1", "HEAD")
    assert "- **Verdict:** proceed with caution → **not recommended**" in lines(from_git)
    assert from_git == diff_sources(str(work / "before"), str(work / "after"))
    assert diff_sources("HEAD", "HEAD") == f"{HEADING}\n\nNo project specs changed.\n"


@needs_git
def test_git_revision_against_the_working_tree_names_files_alike(work: Path, repo: Path) -> None:
    (work / "after/address-search.yaml").write_text("id: [address-search\n", encoding="utf-8")
    head_from(work, repo)
    from_git = diff_sources("HEAD~1", "HEAD")
    assert any(line.startswith("projects/address-search.yaml:1:5: error: invalid YAML") for line in lines(from_git))
    assert from_git == diff_sources("HEAD~1", "projects")


@needs_git
def test_each_revision_is_judged_by_its_own_schema(work: Path, repo: Path) -> None:
    schema = json.loads((HERE.parents[1] / "schemas/project.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["summary"]["x-mlfolio-required-from"] = "problem_definition"
    (repo / "schemas").mkdir()
    (repo / "schemas/project.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    commit(repo, "summary is now required")
    out = lines(diff_sources("HEAD~1", "HEAD"))
    assert out[2] == "2 projects changed, 0 added, 0 removed. 0 verdicts changed. 2 specs do not validate."
    assert "projects/address-search.yaml:5:1: error: summary: Summary is missing: stage 'problem_definition' requires it; fill it in [stage-required]" in out
    # Back to the packaged schema on the head side, the specs validate again.
    assert "**Validates again** (it had 1 error). Now at stage problem definition, verdict undetermined (not assessed yet), readiness 18%." in lines(diff_sources("HEAD", "HEAD~1"))


@needs_git
def test_a_base_without_the_spec_directory_adds_everything(work: Path, repo: Path) -> None:
    shutil.rmtree(repo / "projects")
    commit(repo, "no projects yet")
    (repo / "projects").mkdir()
    shutil.copy(FIXTURES / "churn-radar.yaml", repo / "projects")
    commit(repo, "first project")
    assert lines(diff_sources("HEAD~1", "HEAD"))[2] == "0 projects changed, 1 added, 0 removed. 0 verdicts changed."
    with pytest.raises(DiffError, match="there is no 'elsewhere' directory at 'HEAD~1' nor at 'HEAD'"):
        diff_sources("HEAD~1", "HEAD", specs="elsewhere")


@needs_git
def test_unknown_revision_is_a_usage_error(work: Path, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DiffError, match="^'xyz' is neither a directory nor a git revision$"):
        diff_sources("xyz", "HEAD")
    assert main(["diff", "nope", "HEAD"]) == 2
    assert capsys.readouterr().err == "mlfolio: error: 'nope' is neither a directory nor a git revision\n"
    assert main(["diff", "--", "--output=x", "HEAD"]) == 2  # never passed to git as an option
    assert not (repo / "x").exists()


@needs_git
def test_outside_a_git_repository(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(work))
    with pytest.raises(DiffError, match="'HEAD' is neither a directory nor a git revision .and the current directory is not in a git repository."):
        diff_sources("HEAD", "after")
    assert main(["diff", "before", "after"]) == 0


def test_diff_judges_verdicts_by_the_rules_in_mkdocs_yml(work: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from mlfolio.cli.main import main

    monkeypatch.chdir(work)
    shutil.copy(work / "after/churn-radar.yaml", work / "after/churn-radar-2.yaml")
    edit(work / "after/churn-radar-2.yaml", "id: churn-radar", "id: churn-radar-2")
    added = lambda out: next(line for line in lines(out) if "`churn-radar-2`" in line)  # noqa: E731
    assert "not recommended" not in added(diff(work))
    # The site says: any answered risk rules ML out. The summary must say the same.
    (work / "mkdocs.yml").write_text(
        "site_name: x\nsite_url: !ENV [SITE_URL, 'http://x/']\nplugins:\n  - search\n  - mlfolio:\n      verdict_rules:\n"
        "        - verdict: not_recommended\n          when_any:\n            - risks.*: [yes, partly, no]\n",
        encoding="utf-8",
    )
    assert main(["diff", "before", "after"]) == 0
    assert "not recommended" in added(capsys.readouterr().out)
    (work / "mkdocs.yml").write_text("plugins:\n  - mlfolio:\n      verdict_rules:\n        - verdict: maybe\n", encoding="utf-8")
    assert main(["diff", "before", "after"]) == 2
    assert "verdict_rules[0].verdict: 'maybe' is not one of" in capsys.readouterr().err
