"""Team and tag names that look alike: one group on the site, and a warning where they are spelled apart.

Two specs that write ``Search`` and ``search`` (or ``Search`` with a zero-width space, a
full-width letter, two spaces, another Unicode normalisation) mean the same team; the site
groups them under one name (:func:`group_key`), and the checker warns at every spelling that
differs from the one the site shows, so the portfolio converges on one spelling.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from mlfolio.spec.diagnostics import Diagnostic, warning


@lru_cache(maxsize=8192)
def group_key(name: str) -> str:
    """What two names of a team or tag must share to be one group: NFKC, case-folded, invisible
    characters dropped, runs of spaces made one. (Remembered: the portfolio pages ask for the
    same few names thousands of times.)"""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc") or ch.isspace())
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class NameAt:
    """A team or tag as one spec writes it, and where."""

    kind: str  # "team" or "tag"
    path: str  # the field path: team, tags[2]
    value: str
    line: int
    column: int


def look_alikes(names: Iterable[tuple[str, NameAt]]) -> list[Diagnostic]:
    """Warnings for ``(file, name)`` pairs whose name is one group with another spelling.

    The spelling the site shows is the one of the first file (in the order given, which is the
    specs' order by file name, as the portfolio sorts projects by id); every other spelling
    is warned at its place."""
    first: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, key) -> (spelling, file)
    found = []
    for file, name in names:
        key = (name.kind, group_key(name.value))
        shown, where = first.setdefault(key, (name.value, file))
        if name.value != shown:
            found.append(warning(
                file, name.line, name.column,
                f"{name.kind} {name.value!r} looks like {shown!r} in {where}: the site shows both as {shown!r}, "
                f"because names that differ only in case, width, spaces or invisible characters are one {name.kind}; "
                "write it the same way",
                "look-alike", name.path,
            ))  # fmt: skip
    return found
