"""The nesting limit, whichever libyaml is installed: find deep flow nesting in the text.

Part of :mod:`mlfolio.spec.loader`. libyaml's scanner reads ahead over every ``[`` or
``{`` that may start an implicit key (up to 1024 characters of one line) before the
parser hands out the first of their events. Newer libyaml has a nesting limit of its own
(1000 levels, "exceeded maximum nesting depth"), so on a line of a thousand ``[`` it
stops before the event loop (:mod:`mlfolio.spec.loader_events`) has counted past
:data:`~mlfolio.spec.loader.MAX_DEPTH`; older libyaml had no limit and the loop always
got there. So :func:`build_guarded` first finds, with :func:`deep_flow_cut` (one linear
pass over the text), where the flow nesting passes the limit, and builds the text up to
there: the event loop then reports the nesting where it passes the limit. If libyaml
stops at its own limit all the same (the scan missed a deep nesting), the text before
libyaml's stop is built the same way.

For the scan, a bracket is a flow indicator unless it is in a comment, a quoted scalar
(``"..."``, ``'...'``, across lines too), a block scalar (``|``, ``>``), or a plain
scalar of block context (``a: x[y``, or a continuation line of a multi-line value).
Inside flow collections, every bracket outside quotes and comments counts. Block
indentation is only approximated (by the column of the key or ``-`` that holds a node),
so on unusual indentation the scan may count a bracket it should not or miss one; it
never decides alone: only what the event loop reports on the cut text is trusted.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml

from mlfolio.spec.loader_encoding import at_end, index_of
from mlfolio.spec.loader_events import build, too_deep
from mlfolio.spec.loader_result import MAX_DEPTH, LoadFailed, ParseFailed, PositionMap

__all__ = ["build_guarded", "deep_flow_cut", "may_nest_deeper"]


def _skipper(pattern: str) -> Callable[[str, int], int]:
    """``skip(text, i)``: the index just past what ``pattern`` matches at ``i`` (it may match nothing)."""
    match = re.compile(pattern).match

    def skip(text: str, i: int) -> int:
        found = match(text, i)
        return i if found is None else found.end()

    return skip


_BREAK = "\r\n\x85\u2028\u2029"  # what libyaml counts as a line break
_SPACE = " \t"
_WHITE = _SPACE + _BREAK  # note: '' in _WHITE is True, so the end of the text counts as white

_SPACES = _skipper(" *")
_BLANKS = _skipper("[ \t]*")
_WHITESPACE = _skipper("[ \t\r\n\x85\u2028\u2029]*")
_REST_OF_LINE = _skipper("[^\r\n\x85\u2028\u2029]*")
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_ONE_BREAK = _skipper(_LINE_BREAK.pattern)
# Possessive quantifiers: an unclosed quote fails in linear time.
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL).match
_SINGLE_QUOTED = re.compile("'(?:[^']++|'')*+'").match
# In flow context: plain scalars with the commas and colons between them, but not a comma
# that a property (&anchor, !tag, *alias) follows, which starts a new token.
_FLOW_RUN = _skipper("(?:[^\"'#\\[\\]{}, \t\r\n\x85\u2028\u2029]++|,(?![&!*]))++")
_BLOCK_PLAIN_RUN = _skipper("[^ \t\r\n\x85\u2028\u2029:]*")
_FLOW_PROPERTY = _skipper("[^ \t\r\n\x85\u2028\u2029,\\[\\]{}]*")
_BLOCK_PROPERTY = _skipper("[^ \t\r\n\x85\u2028\u2029]*")
_INDENTATION_INDICATOR = re.compile("[|>][-+]?([1-9])").match


def build_guarded(raw: bytes, text: str, file: str) -> tuple[object, PositionMap]:
    """Build ``raw`` (``text``: the same, decoded), with the nesting limit reported at its place.

    Like :func:`~mlfolio.spec.loader_events.build`, whatever libyaml stops at by itself.
    """
    if may_nest_deeper(text, MAX_DEPTH):
        cut = deep_flow_cut(text, MAX_DEPTH)
        if cut is not None:
            _build_prefix(raw, text, cut, file)
    try:
        return build(raw, file)
    except ParseFailed as exc:
        mark = exc.exc.problem_mark
        if mark is None or not _is_depth_error(exc.exc):
            raise
        # Up to where libyaml stopped, the text nests no deeper than libyaml allows.
        _build_prefix(raw, text, index_of(text, mark.line, mark.column), file)
        raise LoadFailed(too_deep(file, mark)) from None


def _is_depth_error(exc: yaml.MarkedYAMLError) -> bool:
    """Whether libyaml stopped at its own nesting limit ("exceeded maximum nesting depth")."""
    problem = exc.problem or ""
    return problem.startswith("exceeded") and "depth" in problem


def _build_prefix(raw: bytes, text: str, cut: int, file: str) -> None:
    """Build ``text[:cut]`` alone and raise what it finds that holds for the whole file.

    A failure of the event loop (nesting limit, key, tag, alias...) comes from events that
    lie wholly before the cut, and so does a syntax error before the end of the cut text:
    both are raised. An error at the end (a bracket or quote left open by the cut),
    libyaml's own depth error, or a clean build says nothing about the whole file: return.
    """
    prefix = text[:cut]
    try:
        build(raw[: len(prefix.encode("utf-8"))], file)
    except LoadFailed as exc:
        if exc.diagnostic.rule != "empty-file":
            raise
    except ParseFailed as exc:
        mark = exc.exc.problem_mark
        if mark is not None and not _is_depth_error(exc.exc) and not at_end(prefix, mark.line, mark.column):
            raise
    except yaml.YAMLError:
        pass


def may_nest_deeper(text: str, limit: int) -> bool:
    """Whether ``text`` has enough ``[`` and ``{`` to nest flow collections past ``limit`` (cheap)."""
    return text.count("[") + text.count("{") > limit


def deep_flow_cut(text: str, limit: int) -> int | None:
    """Where to cut ``text`` when its flow collections nest more than ``limit`` levels deep.

    ``None`` if they never do. Otherwise an index just past the bracket that opens level
    ``limit + 1``: the end of that bracket's line, or sooner, just past the bracket that
    opens level ``2 * limit`` (so libyaml, whose own limit is far higher, parses the cut
    text to the end). Keeping the rest of the line keeps the ``:`` of an implicit key
    (``[[...]]: x``), which adds a mapping level before the brackets.
    """
    n = len(text)
    cap = 2 * limit
    stop = n + 1  # once the limit is passed: the end of that line
    i = 0
    line_start = 0  # index where the current line starts (block context only)
    depth = 0  # open flow collections
    flow_start = flow_column = 0  # where the outermost open flow collection starts
    parent = -1  # column of the block collection that holds the next node of this line
    plain_parent: int | None = None  # a block plain scalar may go on below: its parent's column
    at_line_start = True
    token = True  # flow context: at the start of a token (not inside a plain scalar)
    white = False  # flow context: white space just before

    while i < n:
        if i >= stop:
            return stop
        c = text[i]

        if depth:  # flow context: every bracket counts, outside quotes and comments
            if c in _WHITE:
                i = _WHITESPACE(text, i)
                white = True
                continue
            after_white, white = white, False
            if c == "[" or c == "{":
                depth += 1
                i += 1
                token = True
                if depth > limit:
                    if stop > n:
                        found = _LINE_BREAK.search(text, i)
                        stop = found.start() if found else n
                    if depth >= cap:
                        return min(i, stop)
            elif c == "]" or c == "}":
                depth -= 1
                i += 1
                token = True
                if not depth:  # back in block context, on the line where the collection ends
                    line_start = _line_start(text, flow_start, i, line_start)
                    if _is_key(text, i):
                        parent = flow_column
            elif c == "#":
                if token or after_white:  # a comment (it ends a plain scalar)
                    i = _REST_OF_LINE(text, i)
                    token = True
                else:  # inside a plain scalar: a#b
                    i += 1
            elif c == '"' or c == "'":
                if token:
                    quoted = (_DOUBLE_QUOTED if c == '"' else _SINGLE_QUOTED)(text, i)
                    if quoted is None:
                        break  # never closed: nothing after it is structure
                    i = quoted.end()
                else:  # inside a plain scalar: a "b"
                    i += 1
            elif c == ",":
                i += 1
                token = True
            elif token and (c == "&" or c == "!" or c == "*"):  # anchor, tag, alias
                i = _FLOW_PROPERTY(text, i + 1)
            else:
                # Plain scalars, commas and colons, up to the next bracket, quote, comment or space.
                start, i = i, _FLOW_RUN(text, i)
                last = text[i - 1]
                if last == ",":
                    token = True
                elif last == ":" or last == "?":
                    indicator = (i - 1 == start and token) or text[i - 2] == ","
                    token = indicator or (last == ":" and (text[i : i + 1] in _WHITE or text[i] in "[]{}"))
                else:
                    token = False

        elif at_line_start:  # block context, first character of a line
            at_line_start = False
            line_start = i
            indent = _SPACES(text, i) - i
            j = _BLANKS(text, i)
            c = text[j : j + 1]
            if c == "" or c in _BREAK:  # blank line: a multi-line plain scalar may go on
                i = j
            elif c == "#":
                plain_parent = None
                i = _REST_OF_LINE(text, j)
            elif plain_parent is not None and indent > plain_parent:
                i = _block_plain(text, j)  # continuation of a multi-line plain scalar
                if text[i : i + 1] == ":":
                    plain_parent, parent = None, indent
            else:
                plain_parent = None
                parent = indent - 1
                if j == i and text.startswith(("---", "..."), i) and text[i + 3 : i + 4] in _WHITE:
                    parent = -1
                    i += 3
                elif j == i and c == "%":  # directive
                    i = _REST_OF_LINE(text, i)
                else:
                    i = j

        else:  # block context, inside a line
            if c in _BREAK:
                i = _ONE_BREAK(text, i)
                at_line_start = True
                continue
            if c in _SPACE:
                i = _BLANKS(text, i)
                continue
            if c == "#":
                i = _REST_OF_LINE(text, i)
                continue
            column = i - line_start
            if (c == "-" or c == "?" or c == ":") and text[i + 1 : i + 2] in _WHITE:
                if c != ":":
                    parent = column
                i += 1
            elif c == "[" or c == "{":
                depth = 1
                flow_start, flow_column = i, column
                token, white = True, False
                i += 1
                if depth > limit:  # only with limit 0
                    return i
            elif c == '"' or c == "'":
                quoted = (_DOUBLE_QUOTED if c == '"' else _SINGLE_QUOTED)(text, i)
                if quoted is None:
                    break
                line_start = _line_start(text, i, quoted.end(), line_start)
                i = quoted.end()
                if _is_key(text, i):
                    parent = column
            elif c == "|" or c == ">":
                i = _block_scalar_end(text, i, parent)
                plain_parent = None
                at_line_start = True
            elif c == "&" or c == "!" or c == "*":
                i = _BLOCK_PROPERTY(text, i + 1)
                if c == "*" and _is_key(text, i):
                    parent = column
            else:
                end = _block_plain(text, i)
                if text[end : end + 1] == ":":
                    parent = column  # the scalar is a key
                elif end >= n or text[end] in _BREAK:
                    plain_parent = parent  # lines indented deeper than its parent go on with it
                i = end
    return stop if stop <= n else None


def _line_start(text: str, start: int, end: int, current: int) -> int:
    """Start of the line that holds ``text[end]``, given ``current``, the one of ``text[start]``."""
    for found in _LINE_BREAK.finditer(text, start, end):
        current = found.end()
    return current


def _is_key(text: str, i: int) -> bool:
    """Whether the node that ends at ``i`` is an implicit key: `` : `` follows on its line."""
    j = _BLANKS(text, i)
    return text[j : j + 1] == ":" and text[j + 1 : j + 2] in _WHITE


def _block_plain(text: str, i: int) -> int:
    """End of the part of a block plain scalar on this line: at ``:``, a comment or the line break."""
    n = len(text)
    while True:
        i = _BLOCK_PLAIN_RUN(text, i)
        if i >= n:
            return n
        c = text[i]
        if c == ":":
            if text[i + 1 : i + 2] in _WHITE:
                return i
            i += 1
            continue
        if c in _BREAK:
            return i
        j = _BLANKS(text, i)
        if j >= n or text[j] in _BREAK or text[j] == "#":
            return j
        i = j


def _block_scalar_end(text: str, i: int, parent: int) -> int:
    """Start of the first line after the block scalar whose header (``|``, ``>-``...) is at ``i``.

    Its lines are the blank ones and those indented like its first non-blank line, which
    must be indented deeper than ``parent`` (or by the header's indentation indicator).
    """
    n = len(text)
    explicit = _INDENTATION_INDICATOR(text, i)
    body = max(parent, 0) + int(explicit.group(1)) if explicit else None
    i = _REST_OF_LINE(text, i)
    while i < n:
        i = _ONE_BREAK(text, i)
        indent = _SPACES(text, i) - i
        j = _BLANKS(text, i + indent)
        if j >= n:
            return n
        if text[j] in _BREAK:
            i = j
            continue
        if indent == 0 and text.startswith(("---", "..."), i) and text[i + 3 : i + 4] in _WHITE:
            return i
        if body is None:
            if indent <= parent:
                return i
            body = indent
        elif indent < body:
            return i
        i = _REST_OF_LINE(text, j)
    return n
