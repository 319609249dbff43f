"""The pre-commit hook, run for real by pre-commit in a throw-away git repository.

Two configurations are exercised against the same specs:

* ``manifest``: a ``repo: local`` hook built from ``.pre-commit-hooks.yaml`` (the hook other
  repositories use), keeping its entry, files, types and pass_filenames, so a broken manifest
  breaks this test. Only the language becomes ``unsupported`` (pre-commit installs nothing):
  the manifest's ``python`` would make pre-commit install mlfolio from the network, and the
  test venv already has it.
* ``repository``: this repository's own ``.pre-commit-config.yaml``, verbatim.

One more test runs ``pre-commit try-repo`` on a snapshot of this checkout: exactly what another
repository gets (``language: python``: pre-commit pip-installs mlfolio into its own environment,
so that test needs the package index; about 20 seconds).

The ``pre-commit`` and ``mlfolio`` used are the ones next to ``sys.executable`` (the venv).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
CONFIG = ROOT / ".pre-commit-config.yaml"
VENV_BIN = Path(sys.executable).parent
PRE_COMMIT = VENV_BIN / "pre-commit"
HOOK_ID = "mlfolio-validate"

# Keys of a manifest hook that mean the same in a `repo: local` hook.
LOCAL_KEYS = {
    "id", "name", "entry", "args", "files", "exclude", "types", "types_or", "exclude_types",
    "pass_filenames", "require_serial", "always_run",
}

# Not part of what a consumer installs: left out of the snapshot try-repo installs from.
SNAPSHOT_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "site", "__pycache__", "*.egg-info", ".pytest_cache", ".cache",
    ".benchmarks",
)


def _manifest_hook() -> dict:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    matches = [hook for hook in hooks if hook["id"] == HOOK_ID]
    assert len(matches) == 1, f"{MANIFEST.name} must offer exactly one hook with id {HOOK_ID!r}"
    return matches[0]


def _first_spec() -> Path:
    specs = sorted((ROOT / "projects").glob("*.yaml"))
    assert specs, "no projects/*.yaml to test the hook with"
    return specs[0]


def _env(tmp_path: Path) -> dict[str, str]:
    # Never let a surrounding git hook's GIT_DIR / GIT_INDEX_FILE point git at this repository.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PATH"] = str(VENV_BIN) + os.pathsep + env.get("PATH", "")
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the schema, every spec, and ``projects/bad.yaml``."""
    assert PRE_COMMIT.is_file(), f"pre-commit is not installed next to {sys.executable} (make venv)"
    git = shutil.which("git")
    assert git, "git is not on PATH"
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run([git, "init", "-q", str(repo)], check=True, env=_env(tmp_path))
    shutil.copytree(ROOT / "schemas", repo / "schemas")
    shutil.copytree(ROOT / "projects", repo / "projects")

    # The bad spec: a copy of a good one with its own id and a stage that does not exist.
    text = _first_spec().read_text(encoding="utf-8")
    text, ids = re.subn(r"^(id:[ \t]*).*$", r"\1bad", text, count=1, flags=re.MULTILINE)
    text, stages = re.subn(r"^(stage:[ \t]*).*$", r"\1not_a_stage", text, count=1, flags=re.MULTILINE)
    assert ids == stages == 1, f"{_first_spec().name} has no top-level `id:` and `stage:` to edit"
    (repo / "projects" / "bad.yaml").write_text(text, encoding="utf-8")

    (repo / "notes").mkdir()
    (repo / "notes" / "not-a-spec.yaml").write_text("stage: [unclosed\n", encoding="utf-8")
    return repo


def _write_config(repo: Path, which: str) -> Path:
    config = repo / f"{which}.pre-commit-config.yaml"
    if which == "manifest":
        hook = {k: v for k, v in _manifest_hook().items() if k in LOCAL_KEYS}
        hook["language"] = "unsupported"
        config.write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}), encoding="utf-8")
    else:
        shutil.copyfile(CONFIG, config)
    return config


def _pre_commit(repo: Path, config: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PRE_COMMIT), "run", "--config", config.name, "--color", "never", "--files", *files],
        cwd=repo,
        env=_env(repo.parent),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _stage_line(repo: Path) -> int:
    lines = (repo / "projects" / "bad.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith("stage:"))


# --- the manifest and the config themselves --------------------------------------------------


def test_manifest_and_config_are_valid_for_pre_commit() -> None:
    for command, path in (("validate-manifest", MANIFEST), ("validate-config", CONFIG)):
        proc = subprocess.run(
            [str(PRE_COMMIT), command, str(path)], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0, f"pre-commit {command} {path.name}:\n{proc.stdout}{proc.stderr}"


# Renamed in pre-commit 4.4: `system` became `unsupported`, `script` `unsupported_script`.
DEPRECATED_LANGUAGES = {"system", "script"}


def _locked_version(name: str) -> tuple[int, ...]:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(name)}==([0-9.]+)", text, re.MULTILINE | re.IGNORECASE)
    assert match, f"{name} is not pinned in requirements.txt"
    return tuple(int(part) for part in match.group(1).split("."))


def test_no_deprecated_setting() -> None:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    hooks += yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    for hook in hooks:
        assert hook.get("language") not in DEPRECATED_LANGUAGES, (
            f"hook {hook['id']}: language {hook['language']!r} is deprecated; use unsupported(_script)"
        )
        # Stage names before pre-commit 3.2 (`commit`, `push`, ...) are deprecated too.
        for stage in hook.get("stages", []):
            assert stage.startswith("pre-") or stage in {"manual", "post-checkout", "post-commit",
                                                          "post-merge", "post-rewrite", "prepare-commit-msg",
                                                          "commit-msg"}, stage
    # `unsupported` exists from pre-commit 4.4: the config says so, and the lock has one.
    minimum = tuple(int(p) for p in str(config["minimum_pre_commit_version"]).split("."))
    assert minimum >= (4, 4), minimum
    assert _locked_version("pre-commit") >= minimum


def test_hooks_watch_folders_that_exist() -> None:
    """A `files:` pattern naming a folder that moved would silently never run."""
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    for hook in (h for repo in config["repos"] for h in repo["hooks"]):
        for folder in re.findall(r"([A-Za-z_][\w.-]*)/", hook.get("files", "")):
            assert (ROOT / folder).is_dir(), f"hook {hook['id']} watches {folder}/, which does not exist"


def test_manifest_hook_runs_the_installed_command_on_specs_only() -> None:
    hook = _manifest_hook()
    # Other repositories get an isolated environment with mlfolio pip-installed from this repo,
    # so the entry must be one of this package's console scripts.
    assert hook["language"] == "python"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts
    assert hook["entry"].split()[1:2] == ["validate"]
    assert hook.get("pass_filenames", True) is True
    assert "yaml" in hook.get("types", [])
    files = re.compile(hook["files"])
    for path in ("projects/crm.yaml", "projects/crm.yml"):
        assert files.search(path), path
    for path in ("schemas/project.schema.json", "mkdocs.yml", "notes/projects/x.yaml", "projects/x.yaml.bak"):
        assert not files.search(path), path


def test_repository_config_mirrors_the_manifest() -> None:
    hook = _manifest_hook()
    (local,) = [
        h
        for repo in yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["repos"]
        for h in repo["hooks"]
        if h["id"] == HOOK_ID
    ]
    for key in ("files", "types", "pass_filenames"):
        assert local.get(key) == hook.get(key), key
    assert "mlfolio validate" in local["entry"]


# --- running the hook -------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["manifest", "repository"])
def test_hook_passes_a_good_spec(repo: Path, which: str) -> None:
    config = _write_config(repo, which)
    good = f"projects/{_first_spec().name}"
    proc = _pre_commit(repo, config, good)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"mlfolio validate\.+Passed", proc.stdout), proc.stdout


@pytest.mark.parametrize("which", ["manifest", "repository"])
def test_hook_fails_a_bad_spec_with_its_line_and_column(repo: Path, which: str) -> None:
    config = _write_config(repo, which)
    proc = _pre_commit(repo, config, f"projects/{_first_spec().name}", "projects/bad.yaml")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert re.search(r"mlfolio validate\.+Failed", proc.stdout), output
    assert re.search(rf"^projects/bad\.yaml:{_stage_line(repo)}:\d+: error:", output, re.MULTILINE), output
    # Only the bad spec is reported.
    assert not re.search(rf"^projects/{re.escape(_first_spec().name)}:\d+:\d+: error:", output, re.MULTILINE)


@pytest.mark.parametrize("which", ["manifest", "repository"])
def test_hook_ignores_yaml_outside_projects(repo: Path, which: str) -> None:
    config = _write_config(repo, which)
    proc = _pre_commit(repo, config, "notes/not-a-spec.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"mlfolio validate\.+\(no files to check\)Skipped", proc.stdout), proc.stdout


def test_schema_change_revalidates_every_spec(repo: Path) -> None:
    """This repository's config checks all of projects/ when the schema changes."""
    config = _write_config(repo, "repository")
    proc = _pre_commit(repo, config, "schemas/project.schema.json")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert re.search(rf"projects/bad\.yaml:{_stage_line(repo)}:\d+: error:", output), output


def test_try_repo_installs_and_runs_the_published_hook(repo: Path, tmp_path: Path) -> None:
    """The manifest as other repositories use it, installed by pre-commit itself."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=SNAPSHOT_IGNORE)
    env = _env(tmp_path)
    git = ["git", "-c", "user.name=mlfolio tests", "-c", "user.email=tests@invalid",
           "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run([*git, *args], cwd=source, env=env, check=True)

    # One run: try-repo builds a fresh environment every time it is called.
    good = f"projects/{_first_spec().name}"
    proc = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(source), HOOK_ID, "--color", "never",
         "--files", good, "projects/bad.yaml"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert re.search(r"mlfolio validate\.+Failed", proc.stdout), output
    assert re.search(rf"^projects/bad\.yaml:{_stage_line(repo)}:\d+: error:", output, re.MULTILINE), output
    assert not re.search(rf"^{re.escape(good)}:\d+:\d+: error:", output, re.MULTILINE), output
