"""Bytes to text for the YAML loader: size, encoding, control characters and tabs.

Part of :mod:`mlfolio.spec.loader`. A spec is strict UTF-8 of at most
:data:`~mlfolio.spec.loader.MAX_BYTES` bytes. A UTF-8 byte-order mark is removed with a
warning; UTF-16/UTF-32 files, invalid bytes and control characters are errors, each at
its line and column. Tabs in indentation are reported as such; tabs YAML allows are left
alone. Also here: positions in the decoded text, counted like libyaml counts them.
"""

from __future__ import annotations

import re

from mlfolio.spec.diagnostics import Diagnostic, error, warning
from mlfolio.spec.loader_result import MAX_BYTES, LoadResult, Mark, PositionMap

__all__ = [
    "at_end",
    "blank_tab_lines",
    "control_character",
    "decode",
    "index_of",
    "line_col",
    "nth_line",
    "tab_indent",
    "too_large",
]

_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what libyaml counts as a line break
# Characters YAML allows in a stream (c-printable); everything else is a control character.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LEADING_WS = re.compile(r"[ \t]*")
_TAB_BLANK_LINE = re.compile(rb"(?m)^\t[ \t]*(?=[\r\n]|\Z)").sub


# --------------------------------------------------------------------------- positions in the text


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and character column of ``text[index]``, counting breaks like libyaml."""
    line, start = 1, 0
    for m in _BREAKS.finditer(text, 0, index):
        line, start = line + 1, m.end()
    return line, index - start + 1


def nth_line(text: str, line: int) -> str:
    """The 0-based ``line``-th line of ``text``, without its break ('' past the end)."""
    start = 0
    for _ in range(line):
        m = _BREAKS.search(text, start)
        if m is None:
            return ""
        start = m.end()
    m = _BREAKS.search(text, start)
    return text[start : m.start() if m else len(text)]


def index_of(text: str, line0: int, column0: int) -> int:
    """Index in ``text`` of a 0-based line and character column (breaks counted like libyaml)."""
    start = 0
    for _ in range(line0):
        m = _BREAKS.search(text, start)
        if m is None:
            return len(text)
        start = m.end()
    return min(start + column0, len(text))


def at_end(text: str, line0: int, column0: int) -> bool:
    """Whether only whitespace and comments follow 0-based ``line0``/``column0``."""
    start = 0
    for _ in range(line0):
        m = _BREAKS.search(text, start)
        if m is None:
            return True
        start = m.end()
    rest = text[start + column0 :]
    return all(not ln.strip() or ln.lstrip().startswith("#") for ln in _BREAKS.split(rest))


# --------------------------------------------------------------------------- checks


def _size_text(size: int) -> str:
    if size < 2 * MAX_BYTES:
        return f"{size:,} bytes"
    return f"{size / 1_048_576:.1f} MiB"


def too_large(file: str, size: int | None) -> LoadResult:
    """The failed load of a file over the size limit (``size`` is ``None`` if not known)."""
    what = _size_text(size) if size is not None else "over 1 MiB"
    return LoadResult(
        file, None, PositionMap(),
        (error(file, 1, 1, f"file is {what}; a spec must be at most 1 MiB ({MAX_BYTES:,} bytes)",
               "file-too-large"),),
    )  # fmt: skip


def decode(raw: bytes, file: str) -> tuple[str | None, Diagnostic | None, Diagnostic | None]:
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
        line, column = line_col(prefix, len(prefix))
        return None, bom, error(
            file, line, column,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", "encoding",
        )  # fmt: skip
    return text, bom, None


def control_character(text: str, file: str) -> Diagnostic | None:
    """The error for the first character YAML does not allow in a stream, if any."""
    m = _NOT_PRINTABLE.search(text)
    if m is None:
        return None
    line, column = line_col(text, m.start())
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


def _blank(m: re.Match[bytes]) -> bytes:
    return b" " * (m.end() - m.start())


def blank_tab_lines(raw: bytes) -> bytes:
    """``raw`` with each blank line that starts with a tab made of spaces instead.

    libyaml rejects such a line, which YAML allows and nobody can see. The byte and column
    counts stay the same, so positions do not move.
    """
    return _TAB_BLANK_LINE(_blank, raw) if b"\t" in raw else raw


def tab_indent(text: str, mark: Mark, problem: str, file: str) -> Diagnostic | None:
    """A tab-indent error if libyaml stopped at a line indented with a tab.

    libyaml rejects a tab at the start of a line in block context, so a tab used
    for indentation always ends parsing on its own line.
    """
    line0 = mark.line
    m = _LEADING_WS.match(nth_line(text, line0))
    lead = m.group() if m else ""
    tab = lead.find("\t")
    if tab < 0 or (mark.column > len(lead) and "tab" not in problem):
        return None
    message = "tab character in indentation; YAML indents with spaces only"
    return error(file, line0 + 1, tab + 1, message, "tab-indent")
