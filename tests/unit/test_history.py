"""A spec's history from git: a throw-away repository whose commits, each with its own author and
date, create a spec, move its stage, change the answer that decides its verdict, change a target
and the owners, rename the file, break and mend it; then the timeline mlfolio reads from it, the
staleness against ``SOURCE_DATE_EPOCH``, and the cases without history (no git, no repository, a
shallow clone, a folder git does not track).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlfolio.analysis.history import (
    DEFAULT_STALE_AFTER,
    History,
    HistoryReader,
    Staleness,
    Timeline,
    build_time,
    read_history,
    stale_limits,
    staleness,
    utc_date,
)
from mlfolio.analysis.model import Project, load_portfolio
from mlfolio.analysis.verdict import DEFAULT_RULES
from mlfolio.spec.schema import SpecSchema, load_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schemas" / "project.schema.json"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
pytestmark = needs_git

# A spec at problem definition, with what project design will need besides the design sections.
EARLY = """\
schema_version: 1
id: churn-radar
title: "Churn radar"
stage: problem_definition
team: "CRM analytics"
owners:
  - name: "Kim Min-ji"
sme:
  name: "Lee Seo-yeon"
  role: "CRM marketing lead"

business:
  service: "A grocery delivery app."
  goal: "Raise the 30-day repurchase rate from 18.4% to 20.2%."
  input:
    data: "Orders and coupon redemptions since 2024."
  output:
    usage: customer_facing
    description: "A coupon by push on Fridays."

problem:
  situation:
    what_is_happening: "Repurchase fell four quarters in a row."
  hypotheses:
    - "A relevant coupon within 14 days brings customers back."
  statement: "Pick, every week, the customers who will not come back on their own but would with a coupon."
  decomposition:
    - "Who will not come back?"
  candidate_solutions:
    - name: "Coupon after 21 idle days"
      approach: rule_based
    - name: "Uplift model"
      approach: ml
      chosen: true
  incremental_plan:
    - step: "Ship the 21-day rule"
"""

# What project design adds: feasibility (every answer with its evidence), goals, metrics, labels, constraints.
DESIGN = """\
feasibility:
  for_ml:
    pattern: {answer: yes, evidence: "Holdout AUC 0.79."}
    objective_function: {answer: yes, evidence: "Uplift on 30-day repurchase."}
    complexity: {answer: yes, evidence: "Recency, category and coupon response interact."}
    data_available: {answer: yes, evidence: "Two years of orders and coupons."}
    repetitive: {answer: yes, evidence: "CRM picks targets every week."}
  against_ml:
    unethical: {answer: no, evidence: "Coupons only; reviewed with privacy."}
    simple_solution: {answer: no, evidence: "The 21-day rule reached a third of the goal."}
    no_good_data: {answer: no, evidence: "Coupon logs are complete since 2024."}
    fatal_errors: {answer: no, evidence: "A wasted coupon costs 5,000 won."}
    must_explain: {answer: no, evidence: "No duty to explain who gets a coupon."}
    not_cost_effective: {answer: no, evidence: "The model costs far less than the coupons it saves."}
  risks:
    scale_unestimable: {answer: no, evidence: "Two people for a quarter, estimated."}
    stakeholders_disagree: {answer: no, evidence: "CRM and finance agree on the goal."}

goals:
  goal: "Bring lapsing customers back."
  objectives:
    - description: "Send coupons that are redeemed."
      metric: uplift_auc
    - description: "Raise repurchase."
      metric: repurchase_rate_30d

labels:
  situation: labelled

metrics:
  - id: repurchase_rate_30d
    name: "30-day repurchase rate"
    kind: business
    direction: maximize
    unit: "%"
    current: 18.4
    target: 20.2
  - id: uplift_auc
    name: "Uplift AUC"
    kind: model
    direction: maximize
    current: 0.61
    target: 0.7

constraints:
  budget: "Two engineers for one quarter."
"""

OTHER = EARLY.replace("churn-radar", "parcel-sort").replace("Churn radar", "Parcel sorting")

# SOURCE_DATE_EPOCH of the staleness tests: 2026-09-01 00:00 UTC.
SEPT_1 = 1_788_220_800


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    ident = ["-c", "user.name=Nobody", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false",
             "-c", "init.defaultBranch=main"]
    return subprocess.run(["git", *ident, *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout


class Repo:
    """A git repository in a temporary folder, committing with a given author and date."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.specs = root / "projects"
        self.specs.mkdir(parents=True)
        git(root, "init", "-q")

    def write(self, name: str, text: str) -> None:
        (self.specs / name).write_text(text, encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.specs / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def commit(self, date: str, author: str, message: str, everything: bool = True) -> str:
        when = f"{date}T12:00:00+00:00"
        env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_AUTHOR_DATE": when,
               "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "a@example.com", "GIT_COMMITTER_DATE": when}
        if everything:
            git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message, env=env)
        return git(self.root, "rev-parse", "HEAD").strip()


@pytest.fixture(autouse=True)
def _git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No GIT_* from outside (a hook's GIT_DIR), and no repository above the temporary folder."""
    for name in [k for k in os.environ if k.startswith("GIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


@pytest.fixture(scope="module")
def schema() -> SpecSchema:
    return load_schema(SCHEMA)


def current(specs: Path, schema: SpecSchema) -> dict[str, Project]:
    portfolio = load_portfolio([specs], schema, DEFAULT_RULES, root=specs.parent)
    assert portfolio.run.errors == 0, [d.format() for d in portfolio.run.diagnostics]
    return {Path(p.file).name: p for p in portfolio.projects}


def history(repo: Repo, schema: SpecSchema) -> History:
    return read_history(repo.specs, schema, DEFAULT_RULES, current(repo.specs, schema))


@pytest.fixture
def story(tmp_path: Path, schema: SpecSchema) -> Iterator[tuple[Repo, dict[str, str]]]:
    """Seven commits in the life of one spec, and one of another; the short sha of each step."""
    repo = Repo(tmp_path / "repo")
    shas = {}
    repo.write("churn-radar.yaml", EARLY)
    shas["created"] = repo.commit("2026-01-05", "Alice Kim", "Churn radar: the problem")
    repo.edit("churn-radar.yaml", "stage: problem_definition", "stage: project_design")
    repo.write("churn-radar.yaml", (repo.specs / "churn-radar.yaml").read_text(encoding="utf-8") + "\n" + DESIGN)
    shas["design"] = repo.commit("2026-02-02", "Bob Lee", "Churn radar: design")
    repo.edit("churn-radar.yaml", "simple_solution: {answer: no,", "simple_solution: {answer: yes,")
    shas["verdict"] = repo.commit("2026-03-02", "Carol Park", "Churn radar: the 21-day rule may be enough")
    repo.edit("churn-radar.yaml", "target: 0.7", "target: 0.75")
    shas["target"] = repo.commit("2026-04-01", "Alice Kim", "Churn radar: a higher AUC target")
    repo.edit("churn-radar.yaml", '  - name: "Kim Min-ji"\n', '  - name: "Kim Min-ji"\n  - name: "Park Ji-hoon"\n')
    shas["owners"] = repo.commit("2026-04-20", "Dan Cho", "Churn radar: a second owner")
    repo.write("parcel-sort.yaml", OTHER)
    repo.commit("2026-04-25", "Erin Yoo", "Parcel sorting")
    repo.edit("churn-radar.yaml", "stage: project_design", "stage: nowhere")
    shas["broken"] = repo.commit("2026-05-01", "Bob Lee", "Oops")
    repo.edit("churn-radar.yaml", "stage: nowhere", "stage: project_design")
    shas["mended"] = repo.commit("2026-05-02", "Bob Lee", "Fix the stage")
    git(repo.root, "mv", "projects/churn-radar.yaml", "projects/churn-watch.yaml")
    repo.edit("churn-watch.yaml", "id: churn-radar", "id: churn-watch")
    shas["renamed"] = repo.commit("2026-06-01", "Alice Kim", "Churn radar is now churn watch")
    (repo.root / "README.md").write_text("unrelated\n", encoding="utf-8")
    repo.commit("2026-06-10", "Erin Yoo", "Not a spec")
    yield repo, {k: v[:7] for k, v in shas.items()}


def kinds(timeline: Timeline) -> list[tuple[str, str]]:
    return [(e.commit.short, e.kind) for e in timeline.events]


def test_the_timeline_follows_the_spec_through_every_change(story, schema: SpecSchema) -> None:
    repo, sha = story
    found = history(repo, schema)
    assert found.available and found.reason == ""
    assert sorted(found.timelines) == ["churn-watch.yaml", "parcel-sort.yaml"]
    timeline = found.timeline("churn-watch.yaml")
    assert kinds(timeline) == [
        (sha["created"], "created"),
        (sha["design"], "stage"), (sha["design"], "verdict"), (sha["design"], "target"), (sha["design"], "target"),
        (sha["verdict"], "verdict"),
        (sha["target"], "target"),
        (sha["owners"], "owners"),
        (sha["broken"], "invalid"),
        (sha["mended"], "valid"),
        (sha["renamed"], "renamed"),
    ]
    created, stage, verdict, *_ = timeline.events
    assert (created.new, created.verdict, created.commit.author, created.commit.date) == (
        "problem_definition", "undetermined", "Alice Kim", "2026-01-05")
    assert (stage.old, stage.new, stage.direction, stage.commit.author, stage.commit.date) == (
        "problem_definition", "project_design", "forward", "Bob Lee", "2026-02-02")
    assert (verdict.old, verdict.new) == ("undetermined", "recommended")


def test_a_verdict_change_carries_the_answers_behind_it(story, schema: SpecSchema) -> None:
    repo, sha = story
    events = [e for e in history(repo, schema).timeline("churn-watch.yaml").events if e.commit.short == sha["verdict"]]
    assert len(events) == 1
    event = events[0]
    assert (event.kind, event.old, event.new, event.override) == ("verdict", "recommended", "not_recommended", False)
    assert [(a.criterion.ref, a.was, a.now) for a in event.answers] == [("against_ml.simple_solution", "no", "yes")]
    assert [(a.criterion.ref, a.answer) for a in event.decided_by] == [("against_ml.simple_solution", "yes")]
    assert (event.commit.author, event.commit.date) == ("Carol Park", "2026-03-02")


def test_targets_owners_and_the_rename(story, schema: SpecSchema) -> None:
    repo, sha = story
    timeline = history(repo, schema).timeline("churn-watch.yaml")
    targets = [(e.commit.short, e.metric, e.old, e.new, e.direction) for e in timeline.events if e.kind == "target"]
    assert targets == [
        (sha["design"], "repurchase_rate_30d", None, 20.2, ""),
        (sha["design"], "uplift_auc", None, 0.7, ""),
        (sha["target"], "uplift_auc", 0.7, 0.75, "more"),
    ]
    owners = next(e for e in timeline.events if e.kind == "owners")
    assert (owners.old, owners.new, owners.added, owners.removed) == ("Kim Min-ji", "Kim Min-ji, Park Ji-hoon", ("Park Ji-hoon",), ())
    assert (owners.commit.author, owners.commit.date) == ("Dan Cho", "2026-04-20")
    renamed = timeline.events[-1]
    assert (renamed.old, renamed.new, renamed.commit.date) == ("churn-radar.yaml", "churn-watch.yaml", "2026-06-01")
    invalid = next(e for e in timeline.events if e.kind == "invalid")
    assert invalid.errors >= 1


def test_last_changed_is_the_latest_commit_of_the_spec_not_the_typed_field(story, schema: SpecSchema) -> None:
    repo, sha = story
    found = history(repo, schema)
    watch = found.timeline("churn-watch.yaml")
    assert watch.last_changed is not None and watch.last_changed.short == sha["renamed"]
    assert watch.last_changed.date == "2026-06-01"  # not the README commit of 2026-06-10
    assert watch.created is not None and watch.created.short == sha["created"]
    parcel = found.timeline("parcel-sort.yaml")
    assert [e.kind for e in parcel.events] == ["created"] and parcel.last_changed is not None
    assert parcel.last_changed.date == "2026-04-25"


def test_recent_changes_across_the_portfolio_newest_first(story, schema: SpecSchema) -> None:
    repo, sha = story
    recent = history(repo, schema).recent(4)
    assert [(name, e.kind, e.commit.short) for name, e in recent] == [
        ("churn-watch.yaml", "renamed", sha["renamed"]),
        ("parcel-sort.yaml", "created", recent[1][1].commit.short),
        ("churn-watch.yaml", "owners", sha["owners"]),
        ("churn-watch.yaml", "target", sha["target"]),
    ]


def test_recent_changes_keep_one_kind_of_one_commit_together(story, schema: SpecSchema) -> None:
    repo, sha = story
    recent = history(repo, schema).recent_changes(5)
    assert [(name, [e.kind for e in events], events[0].commit.short) for name, events in recent] == [
        ("churn-watch.yaml", ["renamed"], sha["renamed"]),
        ("parcel-sort.yaml", ["created"], recent[1][1][0].commit.short),
        ("churn-watch.yaml", ["owners"], sha["owners"]),
        ("churn-watch.yaml", ["target"], sha["target"]),
        ("churn-watch.yaml", ["verdict"], sha["verdict"]),
    ]
    design = history(repo, schema).recent_changes(10)[5:]
    assert [(name, [e.kind for e in events]) for name, events in design] == [
        ("churn-watch.yaml", ["stage"]), ("churn-watch.yaml", ["verdict"]), ("churn-watch.yaml", ["target", "target"]),
        ("churn-watch.yaml", ["created"])]


def test_a_text_edit_is_an_edited_entry(tmp_path: Path, schema: SpecSchema) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("churn-radar.yaml", EARLY)
    repo.commit("2026-01-05", "Alice Kim", "create")
    repo.edit("churn-radar.yaml", "Repurchase fell four quarters in a row.", "Repurchase fell for a year.")
    repo.commit("2026-01-06", "Bob Lee", "reword")
    assert [e.kind for e in history(repo, schema).timeline("churn-radar.yaml").events] == ["created", "edited"]


def test_new_observations_of_a_metric(tmp_path: Path, schema: SpecSchema) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("churn-radar.yaml", EARLY.replace("stage: problem_definition", "stage: project_design") + "\n" + DESIGN)
    repo.commit("2026-01-05", "Alice Kim", "create")
    observed = ('    target: 0.7\n    observations:\n      - {date: "2026-02-01", value: 0.64, source: "offline evaluation"}\n'
                '      - {date: "2026-03-01", value: 0.66, source: "offline evaluation"}\n')
    repo.edit("churn-radar.yaml", "    target: 0.7\n", observed)
    repo.commit("2026-03-02", "Bob Lee", "two evaluations")
    repo.edit("churn-radar.yaml", 'value: 0.66, source: "offline evaluation"}\n',
              'value: 0.66, source: "offline evaluation"}\n      - {date: "2026-04-01", value: 0.69, source: "A/B test"}\n')
    repo.commit("2026-04-02", "Bob Lee", "the A/B test")
    events = [e for e in history(repo, schema).timeline("churn-radar.yaml").events if e.kind == "observed"]
    assert [(e.metric, e.old, e.new, e.count, e.unit, e.commit.date) for e in events] == [
        ("uplift_auc", None, 0.66, 2, "", "2026-03-02"), ("uplift_auc", 0.66, 0.69, 1, "", "2026-04-02")]


def test_an_uncommitted_spec_has_no_timeline(tmp_path: Path, schema: SpecSchema) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("churn-radar.yaml", EARLY)
    repo.commit("2026-01-05", "Alice Kim", "create")
    repo.write("parcel-sort.yaml", OTHER)
    found = history(repo, schema)
    assert found.available
    assert found.timeline("parcel-sort.yaml") == Timeline()
    assert found.timeline("parcel-sort.yaml").last_changed is None


def test_a_second_read_of_the_same_commit_reads_nothing_again(story, schema: SpecSchema, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, _ = story
    reader = HistoryReader(repo.specs, schema, DEFAULT_RULES)
    now = current(repo.specs, schema)
    first = reader.read(now)
    assert reader.read(now) is first
    repo.edit("parcel-sort.yaml", 'title: "Parcel sorting"', 'title: "Parcel sorting at night"')
    repo.commit("2026-07-01", "Erin Yoo", "retitle")
    second = reader.read(current(repo.specs, schema))
    assert second is not first
    assert [e.kind for e in second.timeline("parcel-sort.yaml").events] == ["created", "edited"]
    assert second.timeline("churn-watch.yaml") == first.timeline("churn-watch.yaml")


# -- staleness ----------------------------------------------------------------------------------

def test_staleness_counts_days_since_the_last_commit_against_the_stage_limit(story, schema: SpecSchema) -> None:
    repo, _ = story
    found = history(repo, schema)
    limits = stale_limits(None, schema.stages)
    watch = staleness("project_design", found.timeline("churn-watch.yaml"), SEPT_1, limits)
    assert watch == Staleness(days=92, limit=60) and watch.stale  # 2026-06-01 -> 2026-09-01
    not_yet = staleness("project_design", found.timeline("churn-watch.yaml"), SEPT_1 - 40 * 86_400, limits)
    assert (not_yet.days, not_yet.stale) == (52, False)
    retired = staleness("retired", found.timeline("churn-watch.yaml"), SEPT_1, limits)
    assert retired.limit is None and not retired.stale
    unknown = staleness("project_design", Timeline(), SEPT_1, limits)
    assert unknown == Staleness(None, 60) and not unknown.stale


def test_the_limits_are_the_defaults_with_the_option_over_them(schema: SpecSchema) -> None:
    assert stale_limits(None, schema.stages) == {s: DEFAULT_STALE_AFTER.get(s) for s in schema.stages}
    assert DEFAULT_STALE_AFTER["development"] == 90 and DEFAULT_STALE_AFTER["retired"] is None
    limits = stale_limits({"development": 30, "deployed": None}, schema.stages)
    assert (limits["development"], limits["deployed"], limits["monitoring"]) == (30, None, 90)
    with pytest.raises(ValueError, match="'developement' is not a stage"):
        stale_limits({"developement": 30}, schema.stages)
    for bad in (0, -3, 1.5, "30", True):
        with pytest.raises(ValueError, match="not a number of days"):
            stale_limits({"development": bad}, schema.stages)


def test_now_comes_from_source_date_epoch() -> None:
    assert build_time({"SOURCE_DATE_EPOCH": str(SEPT_1)}) == (SEPT_1, "")
    assert utc_date(SEPT_1) == "2026-09-01" and utc_date(SEPT_1 - 1) == "2026-08-31"
    clock, note = build_time({})
    assert clock > SEPT_1 - 365 * 86_400 and note == ""
    clock, note = build_time({"SOURCE_DATE_EPOCH": "yesterday"})
    assert clock > 0 and "SOURCE_DATE_EPOCH" in note


# -- without history ----------------------------------------------------------------------------

def test_not_a_git_repository(tmp_path: Path, schema: SpecSchema) -> None:
    specs = tmp_path / "plain" / "projects"
    specs.mkdir(parents=True)
    (specs / "churn-radar.yaml").write_text(EARLY, encoding="utf-8")
    found = read_history(specs, schema, DEFAULT_RULES, current(specs, schema))
    assert (found.available, found.reason, dict(found.timelines)) == (False, "repository", {})
    assert "not in a git checkout" in found.message


def test_a_shallow_clone_has_no_history(story, tmp_path: Path, schema: SpecSchema) -> None:
    repo, _ = story
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    found = read_history(clone / "projects", schema, DEFAULT_RULES, current(clone / "projects", schema))
    assert (found.available, found.reason) == (False, "shallow")
    assert "fetch-depth: 0" in found.message
    full = tmp_path / "full"
    git(tmp_path, "clone", "-q", f"file://{repo.root}", str(full))
    assert read_history(full / "projects", schema, DEFAULT_RULES, current(full / "projects", schema)).available


def test_a_folder_git_does_not_track(tmp_path: Path, schema: SpecSchema) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("churn-radar.yaml", EARLY)
    found = history(repo, schema)  # a repository without a commit
    assert (found.available, found.reason) == (False, "untracked")
    (repo.root / "README.md").write_text("x\n", encoding="utf-8")
    git(repo.root, "add", "README.md")
    repo.commit("2026-01-05", "Alice Kim", "readme only", everything=False)
    found = history(repo, schema)
    assert (found.available, found.reason) == (False, "untracked")


def test_without_git_installed(tmp_path: Path, schema: SpecSchema, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = tmp_path / "projects"
    specs.mkdir()
    (specs / "churn-radar.yaml").write_text(EARLY, encoding="utf-8")
    now = current(specs, schema)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    found = read_history(specs, schema, DEFAULT_RULES, now)
    assert (found.available, found.reason) == (False, "git")
    assert "git is not installed" in found.message
