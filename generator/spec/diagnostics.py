"""Diagnostics are values: every problem the core finds is one of these, never an exception."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem in one file, at a 1-based line and column.

    ``path`` is the field path in the spec (``objectives[1].metric``), empty for problems
    with the file as a whole (unreadable bytes, invalid YAML).
    """

    file: str
    line: int
    column: int
    severity: Severity
    message: str
    rule: str
    path: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.rule, self.message)

    def format(self) -> str:
        """``file:line:col: severity: path: message [rule]``, the compiler-style line."""
        where = f"{self.path}: " if self.path else ""
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity.value}: "
            f"{where}{self.message} [{self.rule}]"
        )


def error(file: str, line: int, column: int, message: str, rule: str, path: str = "") -> Diagnostic:
    return Diagnostic(file, line, column, Severity.ERROR, message, rule, path)


def warning(file: str, line: int, column: int, message: str, rule: str, path: str = "") -> Diagnostic:
    return Diagnostic(file, line, column, Severity.WARNING, message, rule, path)


def format_path(parts: tuple[str | int, ...]) -> str:
    """``("objectives", 1, "metric")`` -> ``objectives[1].metric``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out
