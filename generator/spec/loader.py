"""The one YAML loader: bytes in, plain JSON-compatible data plus source positions out.

CI, the CLI and the MkDocs site all load specs through :func:`load_bytes` /
:func:`load_file`. Every broken or hostile input becomes exactly one error
:class:`~mlfolio.spec.diagnostics.Diagnostic` (never a traceback), in bounded time
and memory.

How it works
------------
This module is the entry; the work is split by concern:

* :mod:`~mlfolio.spec.loader_encoding`: bytes to text (size limit, BOM, UTF-16/32,
  invalid bytes, control characters, tabs) and positions in the text;
* :mod:`~mlfolio.spec.loader_events`: libyaml's C parser is driven at the *event*
  level and the Python data is built with an explicit stack, without recursion
  (PyYAML's C composer recurses and crashes the whole process on a few tens of
  kilobytes of ``[``), with positions, limits, anchors and aliases;
* :mod:`~mlfolio.spec.loader_scalars`: YAML 1.2 core schema resolution and tags;
* :mod:`~mlfolio.spec.loader_nesting`: deep flow nesting is found by a linear scan
  of the text first, so the nesting limit is reported at its place whether or not
  the installed libyaml stops at a nesting limit of its own;
* :mod:`~mlfolio.spec.loader_hints`: libyaml's errors as readable diagnostics;
* :mod:`~mlfolio.spec.loader_result`: :class:`LoadResult`, :class:`PositionMap`,
  :class:`Position` and the limits, re-exported here.

Rules the loader enforces
-------------------------
* **Scalars follow the YAML 1.2 core schema**, not PyYAML's YAML 1.1:
  ``true``/``True``/``TRUE`` and ``false``/``False``/``FALSE`` are booleans;
  ``null``/``Null``/``NULL``/``~`` and an empty value are null; ``[-+]?[0-9]+``,
  ``0o17`` and ``0x1F`` are integers; ``1.5``, ``-.5``, ``1e3``, ``.inf``,
  ``.nan`` are floats; every other plain scalar is a string. So ``no``,
  ``yes``, ``on``, ``off``, ``2024-01-01`` and ``1_000`` stay strings. Quoted
  and block scalars are always strings.
* **Tags**: only the core tags ``!!str``, ``!!int``, ``!!float``, ``!!bool``,
  ``!!null``, ``!!map``, ``!!seq`` (and the non-specific ``!``) are accepted,
  and applied (``!!str 1`` is ``"1"``; ``!!int abc`` is an error). Any other
  tag (``!!binary``, ``!!set``, ``!!timestamp``, ``!!python/...``, ``!foo``) is
  an error.
* **Keys are strings**: a key that resolves to a number, boolean or null, or a
  list/mapping key, is an error; so is a duplicate key in one mapping.
* **Merge keys are not supported**: a plain ``<<`` key is an error (it is a
  YAML 1.1 feature that YAML 1.2 dropped); write the fields out instead. A
  quoted ``"<<"`` is an ordinary string key.
* **Anchors and aliases** work; an alias expands to a deep copy of its anchored
  node, and the copy counts towards :data:`MAX_NODES` and :data:`MAX_DEPTH`
  (an alias that would pass them is rejected: ``billion laughs``). A node that
  refers to itself through an alias is rejected.
* **Limits**: at most :data:`MAX_BYTES` bytes, :data:`MAX_NODES` nodes and
  :data:`MAX_DEPTH` levels of nested lists/mappings (aliases expanded), one
  YAML document per file.
* **Encoding**: strict UTF-8. A UTF-8 byte-order mark is removed with a
  warning; UTF-16/UTF-32 files, invalid bytes and control characters are errors.
* **Tabs** in indentation are reported as such. Tabs YAML allows (inside quoted
  or block scalar text, between flow items, on blank lines) are left alone.

Positions are 1-based; columns count characters, not bytes.
"""

from __future__ import annotations

import pathlib
import stat as _stat

import yaml

from mlfolio.spec.diagnostics import Diagnostic, error
from mlfolio.spec.loader_encoding import blank_tab_lines, decode, too_large
from mlfolio.spec.loader_hints import syntax_error
from mlfolio.spec.loader_nesting import build_guarded
from mlfolio.spec.loader_result import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    LoadFailed,
    LoadResult,
    ParseFailed,
    Position,
    PositionMap,
)

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "LoadResult",
    "Position",
    "PositionMap",
    "load_bytes",
    "load_file",
]


def load_bytes(raw: bytes, file: str) -> LoadResult:
    """Load one spec from its bytes. ``file`` is the display name used in diagnostics."""
    if type(raw) is not bytes:
        raw = bytes(raw)  # bytearray, memoryview
    if len(raw) > MAX_BYTES:
        return too_large(file, len(raw))
    text, bom, problem = decode(raw, file)
    leading = [bom] if bom is not None else []
    if problem is not None:
        return _failed(file, problem, leading)
    assert text is not None
    if bom is not None:
        raw = raw[3:]
    # libyaml rejects a blank line that starts with a tab, which YAML allows and nobody can
    # see: blank it with spaces (same byte and column count, so positions do not move).
    raw = blank_tab_lines(raw)
    try:
        data, positions = build_guarded(raw, text, file)
    except LoadFailed as exc:
        return _failed(file, exc.diagnostic, leading)
    except ParseFailed as exc:
        return _failed(file, syntax_error(exc.exc, text, file, exc.open_flow), leading)
    except yaml.YAMLError as exc:
        return _failed(file, syntax_error(exc, text, file), leading)
    return LoadResult(file, data, positions, tuple(leading))


def load_file(path: pathlib.Path, file: str | None = None) -> LoadResult:
    """Load one spec file; ``file`` (default ``str(path)``) is the name shown in diagnostics.

    The size is checked before reading, and at most ``MAX_BYTES + 1`` bytes are read.
    """
    path = pathlib.Path(path)
    name = str(path) if file is None else file

    def unreadable(message: str) -> LoadResult:
        return LoadResult(name, None, PositionMap(), (error(name, 1, 1, message, "unreadable"),))

    try:
        st = path.stat()
    except OSError as exc:
        return unreadable(f"cannot read the file: {_os_reason(exc)}")
    if _stat.S_ISDIR(st.st_mode):
        return unreadable("cannot read the file: it is a directory")
    if not _stat.S_ISREG(st.st_mode):
        return unreadable("cannot read the file: it is not a regular file")
    if st.st_size > MAX_BYTES:
        return too_large(name, st.st_size)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return unreadable(f"cannot read the file: {_os_reason(exc)}")
    if len(raw) > MAX_BYTES:  # grew since stat
        return too_large(name, None)
    return load_bytes(raw, name)


def _failed(file: str, diagnostic: Diagnostic, leading: list[Diagnostic]) -> LoadResult:
    return LoadResult(file, None, PositionMap(), (*leading, diagnostic))


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    return reason[:1].lower() + reason[1:]
