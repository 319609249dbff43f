"""Three reporters over the same diagnostics: text, JSON and GitHub workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Callable

from mlfolio.spec.check import CheckRun
from mlfolio.spec.diagnostics import Diagnostic, one_line


def _summary(run: CheckRun) -> str:
    files = len(run.reports)
    noun = "file" if files == 1 else "files"
    if not run.diagnostics:
        return f"{files} {noun} checked: no problems"
    e, w = run.errors, run.warnings
    return f"{files} {noun} checked: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"


def text(run: CheckRun) -> str:
    """Compiler-style lines, then a one-line summary."""
    lines = [d.format() for d in run.diagnostics]
    lines.append(_summary(run))
    return "\n".join(lines) + "\n"


def as_json(run: CheckRun) -> str:
    """A stable JSON document for other tools."""
    doc = {
        "files": [r.file for r in run.reports],
        "errors": run.errors,
        "warnings": run.warnings,
        "diagnostics": [
            {
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "severity": d.severity.value,
                "path": d.path,
                "message": d.message,
                "rule": d.rule,
            }
            for d in run.diagnostics
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _escape_data(value: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts; other controls
    # are written as escapes, as in the text report.
    return one_line(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _annotation(d: Diagnostic) -> str:
    level = "error" if d.is_error else "warning"
    title = f"{d.rule}: {d.path}" if d.path else d.rule
    props = f"file={_escape_property(d.file)},line={d.line},col={d.column},title={_escape_property(title)}"
    return f"::{level} {props}::{_escape_data(d.message)}"


def github(run: CheckRun) -> str:
    """Workflow commands: each problem becomes an annotation on its line of the pull request."""
    lines = [_annotation(d) for d in run.diagnostics]
    lines.append(_summary(run))
    return "\n".join(lines) + "\n"


REPORTERS: dict[str, Callable[[CheckRun], str]] = {"text": text, "json": as_json, "github": github}
