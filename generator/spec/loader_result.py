"""What the YAML loader gives back, and its limits.

Part of the loader; import these names from :mod:`mlfolio.spec.loader`, which is the
public entry. The two exceptions are internal: the loader's parts raise them and
:func:`~mlfolio.spec.loader.load_bytes` turns each into exactly one diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml

from mlfolio.spec.diagnostics import Diagnostic

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "LoadFailed",
    "LoadResult",
    "Mark",
    "ParseFailed",
    "Position",
    "PositionMap",
]

MAX_BYTES = 1_048_576
"""Largest spec file, in bytes (1 MiB)."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings, counting the top-level node as level 1."""
MAX_NODES = 100_000
"""Most nodes (scalars, keys, lists, mappings) a file may hold once its aliases are expanded."""


class Mark(Protocol):
    """A place in the source as libyaml reports it (``yaml.Mark``): 0-based line and column."""

    line: int
    column: int


@dataclass(frozen=True)
class Position:
    """A place in a spec file, as diagnostics show it."""

    line: int  # 1-based
    column: int  # 1-based, in characters


_ORIGIN = Position(1, 1)


class PositionMap:
    """Where each node of a loaded document starts in the source.

    Paths are tuples of mapping keys and list indexes, as in the data:
    ``("metrics", 0, "id")``. Nodes inside an expanded alias have no positions
    of their own: they report the position of the alias.
    """

    # Positions are kept as a shadow of the data, so that loading allocates no path per node:
    # a mapping's shadow is a dict key -> (key mark, value mark[, shadow of the value]);
    # a list's shadow is a list of value marks, or (value mark, shadow) for a list/mapping item.
    # Marks are libyaml's (0-based .line and .column).
    __slots__ = ("_root_mark", "_root")

    def __init__(self, root_mark: Mark | None = None, root: Any = None) -> None:
        self._root_mark = root_mark
        self._root = root

    def _walk(self, path: tuple[str | int, ...]) -> tuple[Mark | None, Mark | None, bool]:
        """(mark of the deepest node found, its key mark, whether the whole path was found)."""
        node: Any = self._root
        mark: Mark | None = None
        key_mark: Mark | None = None
        for part in path:
            if type(node) is dict:
                entry = node.get(part) if isinstance(part, str) else None
                if entry is None:
                    return mark, None, False
                key_mark, mark = entry[0], entry[1]
                node = entry[2] if len(entry) > 2 else None
            elif (
                type(node) is list
                and isinstance(part, int)
                and not isinstance(part, bool)
                and 0 <= part < len(node)
            ):
                entry = node[part]
                key_mark = None
                if type(entry) is tuple:
                    mark, node = entry
                else:
                    mark, node = entry, None
            else:
                return mark, None, False
        return mark, key_mark, True

    def value(self, path: tuple[str | int, ...]) -> Position:
        """Where the node at ``path`` starts; else its nearest recorded ancestor; root is 1:1."""
        mark = self._walk(path)[0]
        return _ORIGIN if mark is None else Position(mark.line + 1, mark.column + 1)

    def key(self, path: tuple[str | int, ...]) -> Position:
        """Where the key of the mapping entry at ``path`` starts; otherwise like :meth:`value`."""
        mark, key_mark, found = self._walk(path)
        if found and key_mark is not None:
            mark = key_mark
        return _ORIGIN if mark is None else Position(mark.line + 1, mark.column + 1)

    def has(self, path: tuple[str | int, ...]) -> bool:
        """Whether the node at exactly ``path`` has a position of its own."""
        return self._root_mark is not None and self._walk(path)[2]

    def __repr__(self) -> str:
        return f"PositionMap(empty={self._root_mark is None})"


@dataclass(frozen=True)
class LoadResult:
    """One loaded file: its data (``None`` if it failed), positions and diagnostics."""

    file: str
    data: object | None
    positions: PositionMap = field(default_factory=PositionMap)
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the file loaded without errors (warnings allowed)."""
        return self.data is not None and not any(d.is_error for d in self.diagnostics)


class LoadFailed(Exception):
    """Internal: stop loading with this diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class ParseFailed(Exception):
    """Internal: libyaml's error, and the innermost flow collection still open at that point."""

    def __init__(self, exc: yaml.MarkedYAMLError, open_flow: Mark | None) -> None:
        super().__init__(str(exc))
        self.exc = exc
        self.open_flow = open_flow
