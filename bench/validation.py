"""Validation: ``mlfolio validate`` end to end, the same check in-process, and ``check-jsonschema``
on the same files for comparison."""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import MB, REPO, repeat, runs_summary, step, summary, tool

from mlfolio.spec.check import Checker
from mlfolio.spec.loader import load_file
from mlfolio.spec.rules import run_rules
from mlfolio.spec.schema import load_schema
from mlfolio.spec.validation import SchemaChecker

SCHEMA = REPO / "schemas" / "project.schema.json"


def timed(k: int, fn: Callable[[], Any]) -> tuple[dict[str, Any], Any]:
    """Wall times of ``k`` calls (median, min, max) and the last call's result."""
    times, result = [], None
    for _ in range(k):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return summary(times), result


def _steps(files: list[Path], k: int) -> dict[str, Any]:
    """The three steps of a check, each over every file, with the cycle collector off (as
    ``mlfolio validate`` runs them)."""
    schema_checker = SchemaChecker(load_schema(SCHEMA))
    gc.collect()
    gc.disable()
    try:
        load, loaded = timed(k, lambda: [load_file(f, f.name) for f in files])
        schema, _ = timed(k, lambda: [schema_checker.check(one) for one in loaded])
        rules, _ = timed(k, lambda: [run_rules(one.data, one) for one in loaded])
    finally:
        gc.enable()
    return {"yaml_load": load, "json_schema": schema, "rules": rules}


def measure_validation(project: Path, n: int, k: int) -> dict[str, Any]:
    """``project`` holds ``specs/*.yaml`` and a copy of ``schemas/``."""
    specs = project / "specs"
    files = sorted(specs.glob("*.yaml"))
    result: dict[str, Any] = {"n": n, "files": len(files), "spec_mb": sum(f.stat().st_size for f in files) / MB}

    mlfolio = tool("mlfolio") or [sys.executable, "-m", "mlfolio"]
    runs = repeat(k, [*mlfolio, "validate", "specs"], project, project / "validate.log", f"`mlfolio validate` (N={n})")
    result["cli"] = runs_summary(runs)

    # What the plugin calls, in this process (one core): the whole check, then its three steps.
    checker = Checker(load_schema(SCHEMA))
    result["in_process"], run = timed(k, lambda: checker.check_paths([specs], root=project))
    if run.errors or run.warnings:
        raise SystemExit(f"bench: in-process check found {run.errors} error(s), {run.warnings} warning(s) (N={n})")
    del run
    gc.collect()
    result["steps"] = _steps(files, k)

    cjs = tool("check-jsonschema")
    if cjs is None:
        result["check_jsonschema"] = None
        step("check-jsonschema not installed; skipped (pip install check-jsonschema)")
        return result
    cmd = [*cjs, "--schemafile", os.path.relpath(project / "schemas" / SCHEMA.name, project),
           *(os.path.relpath(f, project) for f in files)]
    runs = repeat(k, cmd, project, project / "check-jsonschema.log", f"check-jsonschema (N={n})")
    result["check_jsonschema"] = runs_summary(runs)
    result["speedup"] = result["check_jsonschema"]["wall"]["median"] / result["cli"]["wall"]["median"]
    return result
