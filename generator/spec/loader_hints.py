"""libyaml's errors as readable diagnostics, for the YAML loader.

Part of :mod:`mlfolio.spec.loader`. One error per file, at the place to fix: a tab in
indentation is named as such; a file that ends inside ``[...]``/``{...}`` or inside a
quoted string points at the bracket or quote that is never closed; an error that libyaml
finds lines after a double quote was left open names that quote's line; common mistakes
get a hint (a value with ``: `` must be quoted, check the indentation...).
"""

from __future__ import annotations

import re

import yaml

from mlfolio.spec.diagnostics import Diagnostic, error
from mlfolio.spec.loader_encoding import at_end, control_character, nth_line, tab_indent
from mlfolio.spec.loader_result import Mark

__all__ = ["syntax_error"]

_HINTS = {
    "mapping values are not allowed in this context": "a value that contains `: ` must be quoted",
    "did not find expected key": "check the indentation of this line",
    "did not find expected '-' indicator": "check the indentation of this line",
}

# Where a flow collection opens, past its anchor and tag.
_OPENER = re.compile(r"(?:[&!]\S*\s+)*([\[{])").match


def _unclosed_quote_before(text: str, line0: int, lookback: int = 5) -> int | None:
    """The 0-based line, among the few before ``line0``, that opens a double quote it does not close."""
    for n in range(line0 - 1, max(-1, line0 - 1 - lookback), -1):
        line = nth_line(text, n)
        if '"' not in line.split(" #", 1)[0]:
            continue  # no quote before a comment: quotes in the comment do not count
        quotes = len(re.findall(r'(?<!\\)"', line))
        if quotes % 2 == 1:
            return n
    return None


def syntax_error(exc: yaml.YAMLError, text: str, file: str, open_flow: Mark | None = None) -> Diagnostic:
    """The diagnostic for libyaml's error ``exc`` on ``text``.

    ``open_flow`` is where the innermost ``[...]``/``{...}`` still open at the error starts.
    """
    if isinstance(exc, yaml.reader.ReaderError):  # libyaml refused a character
        found = control_character(text, file)
        if found is not None:
            return found
        return error(file, 1, 1, f"unreadable character: {exc.reason}", "encoding")
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        message = " ".join(str(exc).split()) or "YAML could not be parsed"
        return error(file, 1, 1, f"invalid YAML: {message}", "yaml-syntax")
    mark = exc.problem_mark
    problem = (exc.problem or "YAML could not be parsed").strip()
    tab = tab_indent(text, mark, problem, file)
    if tab is not None:
        return tab
    if open_flow is not None and at_end(text, mark.line, mark.column):
        # The file ends inside [...] or {...}: point at the bracket that is never closed.
        m = _OPENER(nth_line(text, open_flow.line), open_flow.column)
        if m is None:  # anchor or tag on an earlier line
            what, closer = "bracket", "closing bracket"
        else:
            what, closer = f"`{m.group(1)}`", ("`]`" if m.group(1) == "[" else "`}`")
        return error(
            file, open_flow.line + 1, open_flow.column + 1,
            f"invalid YAML: this {what} is never closed (the file ends before its {closer})",
            "yaml-syntax",
        )  # fmt: skip
    context, cmark = (exc.context or "").strip(), exc.context_mark
    if cmark is not None and context == "while scanning a quoted scalar" and at_end(text, mark.line, mark.column):
        quote = nth_line(text, cmark.line)[cmark.column : cmark.column + 1]
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
        char = nth_line(text, mark.line)[mark.column : mark.column + 1]
        hint = f"a value that starts with `{char}` must be quoted" if char in ("@", "`") else None
    if hint:
        message += f"; {hint}"
    return error(file, mark.line + 1, mark.column + 1, message, "yaml-syntax")
