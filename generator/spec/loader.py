"""The one YAML loader: bytes in, plain JSON-compatible data plus source positions out.

CI, the CLI and the MkDocs site all load specs through :func:`load_bytes` /
:func:`load_file`. Every broken or hostile input becomes exactly one error
:class:`~mlfolio.spec.diagnostics.Diagnostic` (never a traceback), in bounded time
and memory.

How it works
------------
libyaml's C parser is driven at the *event* level and the Python data is built
here with an explicit stack, without recursion. (PyYAML's C composer recurses
and crashes the whole process on a few tens of kilobytes of ``[``.) Deep flow
nesting is found by a linear scan of the text first (:mod:`mlfolio.spec.loader_nesting`),
so the nesting limit is reported at its place whether or not the installed libyaml
stops at a nesting limit of its own.

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

import math
import pathlib
import re
import stat as _stat
from dataclasses import dataclass, field

import yaml

try:
    # The parser is looked up as ``_cyaml.CParser`` on each load (tests put stand-ins there).
    from yaml import cyaml as _cyaml
except ImportError as exc:  # PyYAML built without libyaml: its pure-Python parser is ~10x slower
    raise ImportError(
        "mlfolio needs PyYAML with its libyaml C extension; reinstall PyYAML from a binary wheel"
    ) from exc

from mlfolio.spec import loader_nesting
from mlfolio.spec.diagnostics import Diagnostic, error, format_path, warning

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

MAX_BYTES = 1_048_576
"""Largest spec file, in bytes (1 MiB)."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings, counting the top-level node as level 1."""
MAX_NODES = 100_000
"""Most nodes (scalars, keys, lists, mappings) a file may hold once its aliases are expanded."""


@dataclass(frozen=True)
class Position:
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

    def __init__(self, root_mark=None, root=None) -> None:
        self._root_mark = root_mark
        self._root = root

    def _walk(self, path) -> tuple[object, object, bool]:
        """(mark of the deepest node found, its key mark, whether the whole path was found)."""
        node = self._root
        mark = key_mark = None
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
    file: str
    data: object | None
    positions: PositionMap = field(default_factory=PositionMap)
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return self.data is not None and not any(d.is_error for d in self.diagnostics)


# --------------------------------------------------------------------------- scalars

_YAML = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_YAML + n for n in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ = _YAML + "map", _YAML + "seq"

_INF, _NAN = math.inf, math.nan
# Plain scalars that resolve to null, booleans and special floats (YAML 1.2 core schema).
_CONSTANTS: dict[str, object] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
    ".inf": _INF, ".Inf": _INF, ".INF": _INF,
    "+.inf": _INF, "+.Inf": _INF, "+.INF": _INF,
    "-.inf": -_INF, "-.Inf": -_INF, "-.INF": -_INF,
    ".nan": _NAN, ".NaN": _NAN, ".NAN": _NAN,
}  # fmt: skip
_NULLS = frozenset(k for k, v in _CONSTANTS.items() if v is None)
_BOOLS = {k: v for k, v in _CONSTANTS.items() if type(v) is bool}
# A plain scalar can only be a number if it starts with one of these.
_NUMBER_START = frozenset("0123456789-+.")
# A plain scalar can only be something else than a string if it starts with one of these.
_SPECIAL_START = frozenset(["", *_NUMBER_START, *(k[:1] for k in _CONSTANTS)])
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?").fullmatch
_MISSING = object()


class _Fail(Exception):
    """Internal: stop loading with this diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _ParseFailed(Exception):
    """Internal: libyaml's error, and the innermost flow collection still open at that point."""

    def __init__(self, exc: yaml.MarkedYAMLError, open_flow) -> None:
        super().__init__(str(exc))
        self.exc = exc
        self.open_flow = open_flow


class _NumberTooLong(Exception):
    """Internal: an integer with more digits than Python converts (sys.get_int_max_str_digits)."""


_NUMBER = re.compile(
    r"([-+]?[0-9]+)|0o([0-7]+)|0x([0-9a-fA-F]+)"
    r"|([-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)"
).fullmatch


def _number(text: str) -> object:
    """Resolve a plain scalar starting like a number: int, float, or the string itself."""
    m = _NUMBER(text)
    if m is None:
        return text
    kind = m.lastindex
    try:
        if kind == 1:
            return int(text)
        if kind == 4:
            return float(text)
        return int(m.group(kind), 8 if kind == 2 else 16)
    except ValueError:
        raise _NumberTooLong from None


def _int(text: str) -> int | None:
    """A YAML 1.2 core integer, or None if ``text`` is not one."""
    m = _NUMBER(text)
    return None if m is None or m.lastindex == 4 else _number(text)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if type(value) is bool:
        return "a boolean"
    if type(value) is int or type(value) is float:
        return "a number"
    if type(value) is dict:
        return "a mapping"
    if type(value) is list:
        return "a list"
    return "a string"


# --------------------------------------------------------------------------- text checks

_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what libyaml counts as a line break
# Characters YAML allows in a stream (c-printable); everything else is a control character.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LEADING_WS = re.compile(r"[ \t]*")
_TAB_BLANK_LINE = re.compile(rb"(?m)^\t[ \t]*(?=[\r\n]|\Z)").sub


def _blank(m: re.Match) -> bytes:
    return b" " * (m.end() - m.start())


# Where a flow collection opens, past its anchor and tag.
_OPENER = re.compile(r"(?:[&!]\S*\s+)*([\[{])").match


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and character column of ``text[index]``, counting breaks like libyaml."""
    line, start = 1, 0
    for m in _BREAKS.finditer(text, 0, index):
        line, start = line + 1, m.end()
    return line, index - start + 1


def _nth_line(text: str, line: int) -> str:
    """The 0-based ``line``-th line of ``text``, without its break ('' past the end)."""
    start = 0
    for _ in range(line):
        m = _BREAKS.search(text, start)
        if m is None:
            return ""
        start = m.end()
    m = _BREAKS.search(text, start)
    return text[start : m.start() if m else len(text)]


def _size_text(size: int) -> str:
    if size < 2 * MAX_BYTES:
        return f"{size:,} bytes"
    return f"{size / 1_048_576:.1f} MiB"


def _too_large(file: str, size: int | None) -> LoadResult:
    what = _size_text(size) if size is not None else "over 1 MiB"
    return LoadResult(
        file, None, PositionMap(),
        (error(file, 1, 1, f"file is {what}; a spec must be at most 1 MiB ({MAX_BYTES:,} bytes)",
               "file-too-large"),),
    )  # fmt: skip


def _failed(file: str, diagnostic: Diagnostic, leading: list[Diagnostic]) -> LoadResult:
    return LoadResult(file, None, PositionMap(), (*leading, diagnostic))


def _decode(raw: bytes, file: str) -> tuple[str | None, Diagnostic | None, Diagnostic | None]:
    """``(text, bom_warning, error)``: strict UTF-8 with a removed BOM."""
    bom = None
    if raw[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return None, None, error(file, 1, 1, "file is UTF-32 encoded; save it as UTF-8", "encoding")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None, None, error(file, 1, 1, "file is UTF-16 encoded; save it as UTF-8", "encoding")
    if raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]
        bom = warning(file, 1, 1, "file starts with a UTF-8 byte-order mark; remove it", "bom")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start].decode("utf-8", "replace")
        line, column = _line_col(prefix, len(prefix))
        return None, bom, error(
            file, line, column,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", "encoding",
        )  # fmt: skip
    return text, bom, None


def _control_character(text: str, file: str) -> Diagnostic | None:
    m = _NOT_PRINTABLE.search(text)
    if m is None:
        return None
    line, column = _line_col(text, m.start())
    char = ord(m.group())
    if char == 0:
        hint = "NUL byte"
        if text.count("\x00") * 4 >= len(text):
            return error(file, line, column,
                         "file is full of NUL bytes: is it UTF-16 encoded? save it as UTF-8",
                         "encoding")  # fmt: skip
    else:
        hint = f"control character U+{char:04X}"
    return error(file, line, column,
                 f"{hint} is not allowed in YAML; remove it (or write it as an escape "
                 f"in a double-quoted string)", "encoding")  # fmt: skip


def _tab_indent(text: str, mark, problem: str, file: str) -> Diagnostic | None:
    """A tab-indent error if libyaml stopped at a line indented with a tab.

    libyaml rejects a tab at the start of a line in block context, so a tab used
    for indentation always ends parsing on its own line.
    """
    line0 = mark.line
    lead = _LEADING_WS.match(_nth_line(text, line0)).group()
    tab = lead.find("\t")
    if tab < 0 or (mark.column > len(lead) and "tab" not in problem):
        return None
    message = "tab character in indentation; YAML indents with spaces only"
    return error(file, line0 + 1, tab + 1, message, "tab-indent")


_HINTS = {
    "mapping values are not allowed in this context": "a value that contains `: ` must be quoted",
    "did not find expected key": "check the indentation of this line",
    "did not find expected '-' indicator": "check the indentation of this line",
}


def _unclosed_quote_before(text: str, line0: int, lookback: int = 5) -> int | None:
    """The 0-based line, among the few before ``line0``, that opens a double quote it does not close."""
    for n in range(line0 - 1, max(-1, line0 - 1 - lookback), -1):
        line = _nth_line(text, n)
        if '"' not in line.split(" #", 1)[0]:
            continue  # no quote before a comment: quotes in the comment do not count
        quotes = len(re.findall(r'(?<!\\)"', line))
        if quotes % 2 == 1:
            return n
    return None


def _at_end(text: str, line0: int, column0: int) -> bool:
    """Whether only whitespace and comments follow 0-based ``line0``/``column0``."""
    start = 0
    for _ in range(line0):
        m = _BREAKS.search(text, start)
        if m is None:
            return True
        start = m.end()
    rest = text[start + column0 :]
    return all(not ln.strip() or ln.lstrip().startswith("#") for ln in _BREAKS.split(rest))


def _syntax_error(exc: yaml.YAMLError, text: str, file: str, open_flow=None) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):  # libyaml refused a character
        found = _control_character(text, file)
        if found is not None:
            return found
        return error(file, 1, 1, f"unreadable character: {exc.reason}", "encoding")
    mark = getattr(exc, "problem_mark", None)
    if not isinstance(exc, yaml.MarkedYAMLError) or mark is None:
        message = " ".join(str(exc).split()) or "YAML could not be parsed"
        return error(file, 1, 1, f"invalid YAML: {message}", "yaml-syntax")
    problem = (exc.problem or "YAML could not be parsed").strip()
    tab = _tab_indent(text, mark, problem, file)
    if tab is not None:
        return tab
    if open_flow is not None and _at_end(text, mark.line, mark.column):
        # The file ends inside [...] or {...}: point at the bracket that is never closed.
        m = _OPENER(_nth_line(text, open_flow.line), open_flow.column)
        if m is None:  # anchor or tag on an earlier line
            what, closer = "bracket", "closing bracket"
        else:
            what, closer = f"`{m.group(1)}`", ("`]`" if m.group(1) == "[" else "`}`")
        return error(
            file, open_flow.line + 1, open_flow.column + 1,
            f"invalid YAML: this {what} is never closed (the file ends before its {closer})",
            "yaml-syntax",
        )
    context, cmark = (exc.context or "").strip(), exc.context_mark
    if cmark is not None and context == "while scanning a quoted scalar" and _at_end(
        text, mark.line, mark.column
    ):
        quote = _nth_line(text, cmark.line)[cmark.column : cmark.column + 1]
        closing = f"`{quote}`" if quote in ("'", '"') else "quote"
        return error(
            file, cmark.line + 1, cmark.column + 1,
            f"invalid YAML: this quoted string is never closed (the file ends before its "
            f"closing {closing})",
            "yaml-syntax",
        )  # fmt: skip
    message = f"invalid YAML: {problem}"
    if context:
        if cmark is not None and (cmark.line, cmark.column) != (mark.line, mark.column):
            where = f"line {cmark.line + 1}, column {cmark.column + 1}"
            message += f" ({context} that starts at {where})"
        else:
            message += f" ({context})"
    hint = _HINTS.get(problem)
    if hint is not None:
        opened = _unclosed_quote_before(text, mark.line)
        if opened is not None:  # a quoted value spans lines until libyaml gives up, later
            hint = f"is the quote opened on line {opened + 1} closed? Otherwise {hint}"
    if problem == "found character that cannot start any token":
        char = _nth_line(text, mark.line)[mark.column : mark.column + 1]
        hint = f"a value that starts with `{char}` must be quoted" if char in ("@", "`") else None
    if hint:
        message += f"; {hint}"
    return error(file, mark.line + 1, mark.column + 1, message, "yaml-syntax")


# --------------------------------------------------------------------------- building


def _copy(value: object) -> object:
    """Deep copy of an anchored list/mapping (depth is bounded by MAX_DEPTH)."""
    if type(value) is dict:
        return {k: _copy(v) if type(v) is dict or type(v) is list else v for k, v in value.items()}
    return [_copy(v) if type(v) is dict or type(v) is list else v for v in value]


def _tagged_scalar(tag: str, text: str, file: str, mark, path: tuple) -> object:
    """Apply an explicit tag to a scalar, or fail."""
    if tag == _STR or tag == "!":
        return text
    value: object = _MISSING
    if tag == _INT:
        number = _int(text)
        value = _MISSING if number is None else number
        kind = "an integer"
    elif tag == _FLOAT:
        if _FLOAT_RE(text):
            value = float(text)
        elif type(_CONSTANTS.get(text)) is float:
            value = _CONSTANTS[text]
        kind = "a number"
    elif tag == _BOOL:
        value = _BOOLS.get(text, _MISSING)
        kind = "true or false"
    elif tag == _NULL:
        value = None if text in _NULLS else _MISSING
        kind = "null"
    else:
        raise _Fail(_tag_error(tag, file, mark, path))
    if value is _MISSING:
        raise _Fail(error(
            file, mark.line + 1, mark.column + 1,
            f"{_show(text)} is tagged {_short_tag(tag)} but is not {kind}; "
            "remove the tag or fix the value",
            "yaml-tag", format_path(path),
        ))  # fmt: skip
    return value


def _tag_error(tag: str, file: str, mark, path: tuple, what: str = "") -> Diagnostic:
    if tag in (_MAP, _SEQ, _STR, _INT, _FLOAT, _BOOL, _NULL):
        message = f"tag {_short_tag(tag)} does not fit {what}; remove the tag"
    else:
        message = (
            f"tag {_short_tag(tag)} is not allowed: specs only hold plain strings, numbers, "
            "booleans, lists and mappings"
        )
    return error(file, mark.line + 1, mark.column + 1, message, "yaml-tag", format_path(path))


def _show(text: str) -> str:
    """A scalar's text for a message: one line, at most 40 characters, in backticks."""
    text = " ".join(text.split())
    return f"`{text if len(text) <= 40 else text[:39] + '…'}`"


def _here(cur_map: bool, cur, cur_path: tuple, key) -> tuple:
    """Path of the node about to be placed (a key reports its mapping's path)."""
    if cur_map:
        return cur_path if key is _MISSING else cur_path + (key,)
    return cur_path + (len(cur),) if cur is not None else ()


def _bad_key(file: str, ev, value: object, cur: dict, cur_pos: dict, cur_path: tuple) -> _Fail:
    """The failure for a mapping key that is not a new string (or is a merge key)."""
    m = ev.start_mark
    at = (file, m.line + 1, m.column + 1)
    cls = ev.__class__
    if value.__class__ is not str:
        kind = _describe(value)
        if cls is yaml.ScalarEvent:
            text = ev.value
        else:
            text = f"*{ev.anchor}" if cls is yaml.AliasEvent else ""
        if kind in ("a list", "a mapping"):
            message = f"{kind} cannot be a key; keys must be strings"
        elif text == "":
            message = "a key is missing (an empty key is null); keys must be strings"
        else:
            message = f"key {_show(text)[1:-1]} is {kind}; keys must be strings: quote it"
        return _Fail(error(*at, message, "key-type", format_path(cur_path)))
    if value in cur:
        first = cur_pos[value][0]
        return _Fail(error(
            *at,
            f"duplicate key {_show(value)}: first defined on line {first.line + 1}; "
            "YAML would silently keep only the last one, so remove or rename one",
            "duplicate-key", format_path(cur_path + (value,)),
        ))  # fmt: skip
    return _Fail(error(
        *at, "merge keys (`<<`) are not supported; write the fields out in full",
        "yaml-tag", format_path(cur_path),
    ))  # fmt: skip


def _alias_bomb(file: str, mark) -> Diagnostic:
    return error(
        file, mark.line + 1, mark.column + 1,
        f"aliases expand to more than {MAX_NODES} nodes (a 'billion laughs' file?)", "alias-limit",
    )  # fmt: skip


def _too_many_nodes(file: str, mark, expanded: int) -> Diagnostic:
    if expanded * 2 > MAX_NODES:  # mostly copies made by aliases
        return _alias_bomb(file, mark)
    return error(
        file, mark.line + 1, mark.column + 1,
        f"file holds more than {MAX_NODES} YAML nodes (keys, values, lists and mappings); "
        "a spec is far smaller than this", "file-too-large",
    )  # fmt: skip


def _too_deep(file: str, mark) -> Diagnostic:
    return error(
        file, mark.line + 1, mark.column + 1,
        f"nesting deeper than {MAX_DEPTH} levels of lists and mappings; a spec never needs this",
        "nesting-limit",
    )  # fmt: skip


def _build(raw: bytes, file: str) -> tuple[object, PositionMap]:
    """Parse one document and build it; raises _Fail or yaml.YAMLError."""
    ScalarEvent = yaml.ScalarEvent
    MappingStartEvent = yaml.MappingStartEvent
    MappingEndEvent = yaml.MappingEndEvent
    SequenceStartEvent = yaml.SequenceStartEvent
    SequenceEndEvent = yaml.SequenceEndEvent
    AliasEvent = yaml.AliasEvent
    DocumentStartEvent = yaml.DocumentStartEvent
    StreamEndEvent = yaml.StreamEndEvent
    constants_get = _CONSTANTS.get
    special_start = _SPECIAL_START
    number_start = _NUMBER_START
    number = _number
    str_ = str
    NOKEY = _MISSING  # the next node of the current mapping is a key

    root = root_mark = root_pos = None
    cur = cur_pos = None  # container being filled and its position shadow; None at the top
    cur_map = False
    cur_path: tuple = ()  # kept per container, for diagnostics only
    key = NOKEY
    key_mark = None
    stack: list = []  # (cur, cur_pos, cur_map, cur_path) of the enclosing containers
    depth = 0  # number of open containers
    anchors: dict = {}  # name -> (value, node count, height in container levels)
    open_anchors: list = []  # (depth, name, mark, nodes before, deepest before): anchored, open
    open_flows: list = []  # (depth, mark) of the open [...] / {...} collections
    deepest = 0  # deepest level reached since the innermost open anchor started
    total = 0  # nodes so far, aliases expanded
    expanded = 0  # nodes added by expanding aliases
    documents = 0
    ev = None

    parser = _cyaml.CParser(raw)
    try:
        get_event = parser.get_event
        while True:
            ev = get_event()
            cls = ev.__class__
            if cls is ScalarEvent:
                value = ev.value
                tag = ev.tag
                if tag is None:
                    # Plain scalars resolve by the YAML 1.2 core schema; quoted ones are strings.
                    if value[:1] in special_start and not ev.style:
                        value = constants_get(value, value)
                        if value.__class__ is str_ and value[:1] in number_start:
                            value = number(value)
                else:
                    value = _tagged_scalar(
                        tag, value, file, ev.start_mark, _here(cur_map, cur, cur_path, key)
                    )
                total += 1
                if total > MAX_NODES:
                    raise _Fail(_too_many_nodes(file, ev.start_mark, expanded))
                if ev.anchor is not None:
                    anchors[ev.anchor] = (value, 1, 0)
                if cur_map:
                    if key is NOKEY:
                        if value.__class__ is not str_ or value in cur or (
                            value == "<<" and not ev.style and tag is None
                        ):
                            raise _bad_key(file, ev, value, cur, cur_pos, cur_path)
                        key = value
                        key_mark = ev.start_mark
                        continue
                    cur[key] = value
                    cur_pos[key] = (key_mark, ev.start_mark)
                    key = NOKEY
                elif cur is not None:
                    cur.append(value)
                    cur_pos.append(ev.start_mark)
                else:
                    root, root_mark = value, ev.start_mark

            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                if open_anchors and open_anchors[-1][0] == depth:
                    _, name, _, before, saved = open_anchors.pop()
                    anchors[name] = (cur, total - before, deepest - depth + 1)
                    if saved > deepest:
                        deepest = saved
                if open_flows and open_flows[-1][0] == depth:
                    open_flows.pop()
                cur, cur_pos, cur_map, cur_path = stack.pop()
                depth -= 1

            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                is_map = cls is MappingStartEvent
                tag = ev.tag
                mark = ev.start_mark
                if tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
                    raise _Fail(_tag_error(tag, file, mark, _here(cur_map, cur, cur_path, key),
                                           "a mapping" if is_map else "a list"))  # fmt: skip
                if depth >= MAX_DEPTH:
                    raise _Fail(_too_deep(file, mark))
                total += 1
                if total > MAX_NODES:
                    raise _Fail(_too_many_nodes(file, mark, expanded))
                if is_map:
                    value, pos = {}, {}
                else:
                    value, pos = [], []
                if cur_map:
                    if key is NOKEY:
                        raise _bad_key(file, ev, value, cur, cur_pos, cur_path)
                    cur[key] = value
                    cur_pos[key] = (key_mark, mark, pos)
                    path = cur_path + (key,)
                    key = NOKEY
                elif cur is not None:
                    path = cur_path + (len(cur),)
                    cur.append(value)
                    cur_pos.append((mark, pos))
                else:
                    path = ()
                    root, root_mark, root_pos = value, mark, pos
                stack.append((cur, cur_pos, cur_map, cur_path))
                cur, cur_pos, cur_map, cur_path = value, pos, is_map, path
                depth += 1
                if ev.flow_style:
                    open_flows.append((depth, mark))
                if ev.anchor is not None:
                    open_anchors.append((depth, ev.anchor, mark, total - 1, deepest))
                    deepest = depth
                elif depth > deepest:
                    deepest = depth

            elif cls is AliasEvent:
                name = ev.anchor
                mark = ev.start_mark
                at = (file, mark.line + 1, mark.column + 1)
                for entry in open_anchors:
                    if entry[1] == name:
                        am = entry[2]
                        raise _Fail(error(
                            *at,
                            f"alias *{name} refers to the node that contains it (&{name} at line "
                            f"{am.line + 1}, column {am.column + 1}); a spec cannot contain itself",
                            "alias-limit",
                        ))  # fmt: skip
                entry = anchors.get(name)
                if entry is None:
                    raise _Fail(error(*at, f"alias *{name} has no anchor &{name} before it",
                                      "yaml-syntax"))  # fmt: skip
                value, count, height = entry
                if total + count > MAX_NODES:
                    raise _Fail(_alias_bomb(file, mark))
                if depth + height > MAX_DEPTH:
                    raise _Fail(error(
                        *at,
                        f"nesting deeper than {MAX_DEPTH} levels of lists and mappings once alias "
                        f"*{name} is expanded; a spec never needs this", "nesting-limit",
                    ))  # fmt: skip
                total += count
                expanded += count - 1
                if height:
                    value = _copy(value)
                    if depth + height > deepest:
                        deepest = depth + height
                if cur_map:
                    if key is NOKEY:
                        if value.__class__ is not str_ or value in cur:
                            raise _bad_key(file, ev, value, cur, cur_pos, cur_path)
                        key = value
                        key_mark = mark
                        continue
                    cur[key] = value
                    cur_pos[key] = (key_mark, mark)  # the copy's nodes report the alias
                    key = NOKEY
                elif cur is not None:
                    cur.append(value)
                    cur_pos.append(mark)
                else:
                    root, root_mark = value, mark

            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    mark = ev.start_mark
                    raise _Fail(error(
                        file, mark.line + 1, mark.column + 1,
                        "a second YAML document starts here; a spec file holds exactly one "
                        "(remove this `---` and what follows, or move it to its own file)",
                        "multiple-documents",
                    ))  # fmt: skip

            elif cls is StreamEndEvent:
                break
    except yaml.MarkedYAMLError as exc:
        raise _ParseFailed(exc, open_flows[-1][1] if open_flows else None) from None
    except _NumberTooLong:
        mark = ev.start_mark
        raise _Fail(error(
            file, mark.line + 1, mark.column + 1,
            f"integer with {len(ev.value):,} digits is too long; quote it if it is meant as text",
            "yaml-syntax",
        )) from None  # fmt: skip
    finally:
        parser.dispose()

    if root is None:
        raise _Fail(error(
            file, 1, 1,
            "file is empty: a spec is a mapping that starts with `schema_version:` "
            "followed by the project's fields", "empty-file",
        ))  # fmt: skip
    return root, PositionMap(root_mark, root_pos)


# --------------------------------------------------------------------------- nesting guard
#
# libyaml's scanner reads ahead over brackets that may start an implicit key, and libyaml
# now stops at 1000 levels of flow nesting by itself: on a line of a thousand `[` it fails
# before the event loop above has seen the 65th. So the loader finds where the flow
# nesting passes MAX_DEPTH first (loader_nesting.deep_flow_cut, a linear scan of the
# text) and builds the text up to there: the event loop then reports the nesting where it
# passes MAX_DEPTH, whichever libyaml is installed. If libyaml stops at its own limit all
# the same (the scan missed a deep nesting), the text before libyaml's stop is built the
# same way.


def _is_depth_error(exc: yaml.MarkedYAMLError) -> bool:
    """Whether libyaml stopped at its own nesting limit ("exceeded maximum nesting depth")."""
    problem = exc.problem or ""
    return problem.startswith("exceeded") and "depth" in problem


def _index(text: str, line0: int, column0: int) -> int:
    """Index in ``text`` of a 0-based line and character column (breaks counted like libyaml)."""
    start = 0
    for _ in range(line0):
        m = _BREAKS.search(text, start)
        if m is None:
            return len(text)
        start = m.end()
    return min(start + column0, len(text))


def _build_prefix(raw: bytes, text: str, cut: int, file: str) -> None:
    """Build ``text[:cut]`` alone and raise what it finds that holds for the whole file.

    A failure of the event loop (nesting limit, key, tag, alias...) comes from events that
    lie wholly before the cut, and so does a syntax error before the end of the cut text:
    both are raised. An error at the end (a bracket or quote left open by the cut),
    libyaml's own depth error, or a clean build says nothing about the whole file: return.
    """
    prefix = text[:cut]
    try:
        _build(raw[: len(prefix.encode("utf-8"))], file)
    except _Fail as exc:
        if exc.diagnostic.rule != "empty-file":
            raise
    except _ParseFailed as exc:
        mark = exc.exc.problem_mark
        if mark is not None and not _is_depth_error(exc.exc) and not _at_end(prefix, mark.line, mark.column):
            raise
    except yaml.YAMLError:
        pass


def _build_guarded(raw: bytes, text: str, file: str) -> tuple[object, PositionMap]:
    """:func:`_build`, with the nesting limit reported at its place whatever libyaml stops at."""
    if loader_nesting.may_nest_deeper(text, MAX_DEPTH):
        cut = loader_nesting.deep_flow_cut(text, MAX_DEPTH)
        if cut is not None:
            _build_prefix(raw, text, cut, file)
    try:
        return _build(raw, file)
    except _ParseFailed as exc:
        if not _is_depth_error(exc.exc):
            raise
        mark = exc.exc.problem_mark
        # Up to where libyaml stopped, the text nests no deeper than libyaml allows.
        _build_prefix(raw, text, _index(text, mark.line, mark.column), file)
        raise _Fail(_too_deep(file, mark)) from None


# --------------------------------------------------------------------------- public API


def load_bytes(raw: bytes, file: str) -> LoadResult:
    """Load one spec from its bytes. ``file`` is the display name used in diagnostics."""
    if type(raw) is not bytes:
        raw = bytes(raw)  # bytearray, memoryview
    if len(raw) > MAX_BYTES:
        return _too_large(file, len(raw))
    text, bom, problem = _decode(raw, file)
    leading = [bom] if bom is not None else []
    if problem is not None:
        return _failed(file, problem, leading)
    assert text is not None
    if bom is not None:
        raw = raw[3:]
    if b"\t" in raw:
        # libyaml rejects a blank line that starts with a tab, which YAML allows and nobody can
        # see: blank it with spaces (same byte and column count, so positions do not move).
        raw = _TAB_BLANK_LINE(_blank, raw)
    try:
        data, positions = _build_guarded(raw, text, file)
    except _Fail as exc:
        return _failed(file, exc.diagnostic, leading)
    except _ParseFailed as exc:
        return _failed(file, _syntax_error(exc.exc, text, file, exc.open_flow), leading)
    except yaml.YAMLError as exc:
        return _failed(file, _syntax_error(exc, text, file), leading)
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
        return _too_large(name, st.st_size)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return unreadable(f"cannot read the file: {_os_reason(exc)}")
    if len(raw) > MAX_BYTES:  # grew since stat
        return _too_large(name, None)
    return load_bytes(raw, name)


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    return reason[:1].lower() + reason[1:]
