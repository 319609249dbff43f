"""Scalars and tags for the YAML loader: the YAML 1.2 core schema, not PyYAML's YAML 1.1.

Part of :mod:`mlfolio.spec.loader`. A plain scalar resolves to null (``null``, ``Null``,
``NULL``, ``~``, empty), a boolean (``true``/``True``/``TRUE``, ``false``/``False``/``FALSE``),
an integer (``[-+]?[0-9]+``, ``0o17``, ``0x1F``), a float (``1.5``, ``-.5``, ``1e3``,
``.inf``, ``.nan``) or else a string, so ``no``, ``yes``, ``on``, ``off``, ``2024-01-01``
and ``1_000`` stay strings. Quoted and block scalars are strings. Only the core tags
(``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``, ``!!map``, ``!!seq``, and
``!``) are accepted, and applied; any other tag is an error.

The event loop (:mod:`mlfolio.spec.loader_events`) resolves untagged plain scalars inline
with :data:`CONSTANTS`, :data:`SPECIAL_START`, :data:`NUMBER_START` and :func:`number`,
for speed; :func:`tagged_scalar` applies an explicit tag.
"""

from __future__ import annotations

import math
import re

from mlfolio.spec.diagnostics import Diagnostic, error, format_path
from mlfolio.spec.loader_result import LoadFailed, Mark

__all__ = [
    "CONSTANTS",
    "MAP",
    "MAX_INT_DIGITS",
    "MISSING",
    "NUMBER_START",
    "SEQ",
    "SPECIAL_START",
    "NumberTooLong",
    "describe",
    "number",
    "show",
    "tag_error",
    "tagged_scalar",
]

_YAML = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_YAML + n for n in ("str", "int", "float", "bool", "null"))
MAP, SEQ = _YAML + "map", _YAML + "seq"

_INF, _NAN = math.inf, math.nan
# Plain scalars that resolve to null, booleans and special floats (YAML 1.2 core schema).
CONSTANTS: dict[str, object] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
    ".inf": _INF, ".Inf": _INF, ".INF": _INF,
    "+.inf": _INF, "+.Inf": _INF, "+.INF": _INF,
    "-.inf": -_INF, "-.Inf": -_INF, "-.INF": -_INF,
    ".nan": _NAN, ".NaN": _NAN, ".NAN": _NAN,
}  # fmt: skip
_NULLS = frozenset(k for k, v in CONSTANTS.items() if v is None)
_BOOLS = {k: v for k, v in CONSTANTS.items() if type(v) is bool}
NUMBER_START = frozenset("0123456789-+.")
"""A plain scalar can only be a number if it starts with one of these."""
SPECIAL_START = frozenset(["", *NUMBER_START, *(k[:1] for k in CONSTANTS)])
"""A plain scalar can only be something else than a string if it starts with one of these."""
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?").fullmatch
MISSING = object()
"""No value (yet): not a valid value for a tag; for the event loop, no key yet."""


class NumberTooLong(Exception):
    """Internal: an integer literal with more than :data:`MAX_INT_DIGITS` digits."""


MAX_INT_DIGITS = 100
"""Digits an integer literal may have. The schema limits numbers to ±10^15 and says so at the
value's line; a literal far beyond that (hundreds of digits, or a hex literal of thousands,
which no message could even print) stops loading instead."""


_NUMBER = re.compile(
    r"([-+]?[0-9]+)|0o([0-7]+)|0x([0-9a-fA-F]+)"
    r"|([-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)"
).fullmatch


def number(text: str) -> object:
    """Resolve a plain scalar starting like a number: int, float, or the string itself."""
    m = _NUMBER(text)
    if m is None:
        return text
    kind = m.lastindex or 0  # the group that matched: one always does
    if kind != 4 and len(m.group(kind).lstrip("+-")) > MAX_INT_DIGITS:
        raise NumberTooLong
    try:
        if kind == 1:
            return int(text)
        if kind == 4:
            return float(text)
        return int(m.group(kind), 8 if kind == 2 else 16)
    except ValueError:
        raise NumberTooLong from None


def _core_int(text: str) -> int | None:
    """A YAML 1.2 core integer, or None if ``text`` is not one."""
    m = _NUMBER(text)
    if m is None or m.lastindex == 4:
        return None
    value = number(text)
    return value if isinstance(value, int) else None


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


def describe(value: object) -> str:
    """What kind of value this is, for a message: ``a number``, ``a list``..."""
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


def show(text: str) -> str:
    """A scalar's text for a message: one line, at most 40 characters, in backticks."""
    text = " ".join(text.split())
    return f"`{text if len(text) <= 40 else text[:39] + '…'}`"


def tagged_scalar(tag: str, text: str, file: str, mark: Mark, path: tuple[str | int, ...]) -> object:
    """Apply an explicit tag to a scalar, or fail (:class:`~mlfolio.spec.loader_result.LoadFailed`)."""
    if tag == _STR or tag == "!":
        return text
    value: object = MISSING
    if tag == _INT:
        core_int = _core_int(text)
        value = MISSING if core_int is None else core_int
        kind = "an integer"
    elif tag == _FLOAT:
        if _FLOAT_RE(text):
            value = float(text)
        elif type(CONSTANTS.get(text)) is float:
            value = CONSTANTS[text]
        kind = "a number"
    elif tag == _BOOL:
        value = _BOOLS.get(text, MISSING)
        kind = "true or false"
    elif tag == _NULL:
        value = None if text in _NULLS else MISSING
        kind = "null"
    else:
        raise LoadFailed(tag_error(tag, file, mark, path))
    if value is MISSING:
        raise LoadFailed(error(
            file, mark.line + 1, mark.column + 1,
            f"{show(text)} is tagged {_short_tag(tag)} but is not {kind}; "
            "remove the tag or fix the value",
            "yaml-tag", format_path(path),
        ))  # fmt: skip
    return value


def tag_error(tag: str, file: str, mark: Mark, path: tuple[str | int, ...], what: str = "") -> Diagnostic:
    """The error for a tag that is not allowed, or that does not fit ``what`` it tags."""
    if tag in (MAP, SEQ, _STR, _INT, _FLOAT, _BOOL, _NULL):
        message = f"tag {_short_tag(tag)} does not fit {what}; remove the tag"
    else:
        message = (
            f"tag {_short_tag(tag)} is not allowed: specs only hold plain strings, numbers, "
            "booleans, lists and mappings"
        )
    return error(file, mark.line + 1, mark.column + 1, message, "yaml-tag", format_path(path))
