"""Diagnostics are values: every problem the core finds is one of these, never an exception."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Line breaks, other controls and the Unicode line and paragraph separators. A diagnostic is one
# line wherever it goes (a terminal, a build log, a CI log where a line that starts with "::" is
# a workflow command), so spec text in it shows these escaped, as Python writes them.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with every control character and line separator written as an escape (``\\n``)."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text) if _UNPRINTABLE.search(text) else text


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
        """``file:line:col: severity: path: message [rule]``, the compiler-style line: always
        one line, whatever the spec's text or file name holds (see :func:`one_line`)."""
        where = f"{self.path}: " if self.path else ""
        return one_line(
            f"{self.file}:{self.line}:{self.column}: {self.severity.value}: "
            f"{where}{self.message} [{self.rule}]"
        )


def error(file: str, line: int, column: int, message: str, rule: str, path: str = "") -> Diagnostic:
    return Diagnostic(file, line, column, Severity.ERROR, message, rule, path)


def warning(file: str, line: int, column: int, message: str, rule: str, path: str = "") -> Diagnostic:
    return Diagnostic(file, line, column, Severity.WARNING, message, rule, path)


def value_at(data: Any, path: Sequence[str | int]) -> Any:
    """The value at ``path`` (keys of mappings, indexes of lists) in loaded data, or None where
    there is none: the one path walker of the package."""
    for part in path:
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and not isinstance(part, bool) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


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
