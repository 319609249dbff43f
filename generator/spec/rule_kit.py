"""What every rule module needs: where a value is written, a value by path, a date, a number.

``rules.py`` imports the other rule modules (to run them), so the pieces they share live here,
below all of them.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, TypeGuard

from mlfolio.spec.diagnostics import value_at
from mlfolio.spec.loader import LoadResult

Path = tuple[str | int, ...]
NUMBER_LIMIT = 10**15  # the schema's minimum and maximum for every number


def at(loaded: LoadResult, path: Path, *, key: bool = False) -> tuple[int, int]:
    """Line and column of the value at ``path`` (of its key, with ``key=True``)."""
    pos = loaded.positions.key(path) if key else loaded.positions.value(path)
    return pos.line, pos.column


def get(node: Any, *path: str) -> Any:
    """The value at ``path`` (mapping keys) below ``node``, or None where it stops."""
    return value_at(node, path)


def iso_date(value: Any) -> datetime.date | None:
    """An ISO ``YYYY-MM-DD`` date, or None (the schema reports a malformed one)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def comparable(value: Any) -> TypeGuard[float]:
    """A number the rules can compare: finite and within the schema's range (the schema reports
    any other, once)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and -NUMBER_LIMIT <= value <= NUMBER_LIMIT
