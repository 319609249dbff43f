"""User text is data: Jinja filters that print spec text into Markdown without letting it act.

Templates print spec text into Markdown, and Python-Markdown with the site's extensions turns
that into HTML. Jinja's autoescape does not apply to Markdown and ``html.escape`` is not
enough: Markdown has its own ways to reach HTML (raw tags, entities, ``javascript:`` links,
``attr_list`` attributes, ``pymdownx.snippets`` file includes, heading and block syntax).
These filters are the only way spec text reaches a page:

``md_text``
    a free-text field as a Markdown block. Emphasis, lists, block quotes, tables, code spans,
    fenced code and links to http/https/mailto/relative targets render; everything else is
    shown as typed.
``md_cell``
    the same on one line, for a table cell (newlines become ``<br>``, ``|`` is escaped).
``md_inline``
    a short plain-text value (title, name, tag, unit, id): no Markdown at all.
``md_code``
    a short value (path, id, rule name) as inline code, shown exactly as typed.
``md_link`` / ``safe_url``
    a link whose target is checked; an unsafe target leaves only the label.
``slug``
    a file/URL slug for free text.

How ``md_text`` works. The value is split into lines; fenced code blocks (and indented code
blocks at the top level) are rewritten as canonical fences at column 0: a fence longer than
any backtick run inside, a bare language name (attributes, titles and custom fences such as
``mermaid`` dropped) and always a closing fence, so user text can neither open a fence that
swallows the rest of the page nor close one early. Everything else is written out character
by character, so that the only Markdown constructs left in the output are ones this module
wrote itself:

* ``<`` and ``&`` become entities (no raw HTML, comments or entity tricks), ``{`` and ``}``
  are backslash-escaped (no ``attr_list``), ``--8<--`` can never appear (no snippets: in
  code, where ``<`` must stay literal, a zero-width space is put between ``8`` and ``<``);
* every backtick that does not belong to a code span on one line whose content holds no
  backtick and no ``|`` is backslash-escaped, so Python-Markdown pairs exactly the spans
  kept here whatever its pairing rules;
* every ``[`` and ``]`` is backslash-escaped except in links and images re-written as
  ``[label](url)`` with a checked URL (inline, reference-style and ``<url>`` forms; the
  value's own reference definitions are resolved and removed) and task-list boxes;
* at the start of a line (after quote and list markers) ``#`` headings, setext underlines,
  ``!!!``/``???``/``===``/``///`` blocks and fence markers are escaped; emoji shortcodes and
  ``ftp://`` are broken up, so only http/https/mailto links come out of magiclink;
* two upstream quirks are avoided: inline code never holds ``&#`` (a zero-width space goes
  between; Python-Markdown's HTML pre-pass loses its place on it and mangled text around a
  code span into live HTML), and code glued to a bare URL is written as text (magiclink
  pulls it into the ``href``, and inlinehilite's raw HTML lands there unescaped).

Where to print it: at the start of a line with a blank line before and after, or after a
label or list marker on the same line with the rest indented by Jinja's ``indent`` (as in
``- {{ x | md_text | indent(4) }}``; a value that starts with a fence then starts with a
newline, since a fence only opens at the start of a line). Fenced code needs
``pymdownx.superfences``: it finds fences at any indentation. Python-Markdown's own
``fenced_code`` only finds them at column 0, and without either a fence is not code at all.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from typing import Any

__all__ = ["md_cell", "md_code", "md_inline", "md_link", "md_text", "safe_url", "slug"]

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})
# Fence languages the site renders with a custom fence (client-side, e.g. diagrams): a user's
# fence in one of these languages is printed as plain code instead.
CUSTOM_FENCES = frozenset({"mermaid"})

# Characters Python-Markdown always accepts after a backslash (extensions may add more).
_ESCAPABLE = frozenset("\\`*_{}[]()>#+-.!")
_ZWSP = "\u200b"

_NEWLINE = re.compile(r"\r\n?|[\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# Line prefix: indentation, block-quote markers, list and definition markers.
_PREFIX = re.compile(r"(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)]|:)(?=[ \t])))*[ \t]*")
_LIST_MARKER_END = re.compile(r"(?:[-*+]|\d{1,9}[.)])[ \t]+$")
_LIST_START = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)]|:)(?:[ \t]|$)")
_SETEXT = re.compile(r"[=-]+[ \t]*$")
# A list that may interrupt a paragraph, as GitHub-flavoured Markdown allows (Python-Markdown
# needs a blank line first): a bullet, or an ordered list that starts at 1.
_INTERRUPTING_LIST = re.compile(r" {0,3}(?:[-*+]|1[.)])[ \t]+\S")
_TASK = re.compile(r"\[[ xX]\](?=[ \t])")
_FENCE_OPEN = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*$")
_FENCE_LANG = re.compile(r"[ \t]*\{?[ \t]*\.?([A-Za-z0-9_+#-][A-Za-z0-9_+#.-]{0,39})(?![^ \t}])")
_REF_DEF = re.compile(
    r" {0,3}\[(?!\^)([^\[\]]+)\]:[ \t]*(<[^<>]*>|\S+)"
    r"(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?[ \t]*$"
)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_AUTOMAIL = re.compile(r"<([^\s<>@\\]+@[^\s<>@\\]+)>")
# An emoji shortcode (pymdownx.emoji) names something: ":+1:" is one, a table's ":-:" is not.
_EMOJI = re.compile(r":(?=[+\-_]*[^\W_][+\-\w]*:)")
_BACKSLASHED = re.compile(r"\\([!-/:-@\[-`{-~])")
_SNIPPET = re.compile(r"-8<")
# Python-Markdown runs an HTML parser over the whole page before inline parsing; an ``&#``
# that starts no character reference makes it stop mid-page and resume at wrong offsets,
# duplicating or dropping text (a code span's raw ``<b>`` then came out live). Text has
# ``&`` as ``&amp;``; inline code gets a zero-width space between ``&`` and ``#``. (Fences
# are stashed before that parser runs.)
# magiclink takes everything up to whitespace after a bare URL into the href, including a
# following inline-code placeholder, and inlinehilite's code is raw HTML that is put back
# into the attribute unescaped: code glued to a URL-like word is written as text.
_URL_WORD = re.compile(r"(?i)www\.|://")

# md_inline: backslash where Markdown allows it, an entity where it does not.
_INLINE_BACKSLASH = frozenset("\\`*_{}[]()#+-.!>")
_INLINE_ENTITY = {
    "&": "&amp;",
    "<": "&lt;",
    "|": "&#124;",
    ":": "&#58;",
    "~": "&#126;",
    "=": "&#61;",
    "?": "&#63;",
    "^": "&#94;",
    "@": "&#64;",
    "$": "&#36;",
}

# Text _Inline.render copies as it is: not whitespace (it moves the word start), and none of
# the characters render() or char() act on.
_PLAIN_RUN = re.compile(r"[^\s\\`!\[\]<&{}|:]+")

# md_inline's whole job, as one translation table (the two sets above are disjoint).
_INLINE_TABLE = str.maketrans({**{c: "\\" + c for c in _INLINE_BACKSLASH}, **_INLINE_ENTITY})

# safe_url: characters that could end or bend a Markdown link destination.
_URL_QUOTE = frozenset(" \"'<>()[]\\`{}|")
_SCHEME = re.compile(r"([^/?#]*):")
_SLUG_MAX = 80
# Longer link labels and destinations are left as text (and keep the scan linear).
_MAX_LABEL = 1000
_MAX_URL = 2000


# --------------------------------------------------------------------------------------------
# Public filters
# --------------------------------------------------------------------------------------------


def md_text(value: Any) -> str:
    """A free-text field as a Markdown block: formatting renders, nothing else does."""

    items = _split_fences(_lines(value))
    refs: dict[str, str] = {}
    items = [item for item in items if not (isinstance(item, str) and _take_reference(item, refs))]
    items = _indented_code_to_fences(items)
    writer = _Inline(refs, cell=False)

    out: list[str] = []
    in_list = False
    for item in items:
        if isinstance(item, tuple):
            if out and out[-1]:
                out.append("")
            out.extend(_fence(item[0], item[1]))
            out.append("")
        elif not item.strip():
            if out and out[-1]:
                out.append("")
        else:
            starts_list = bool(_INTERRUPTING_LIST.match(item))
            if starts_list and not in_list and out and out[-1]:
                out.append("")  # authors write lists straight under a line, as on GitHub
            if starts_list or _LIST_START.match(item):
                in_list = True
            elif not item[:1].isspace() and (not out or not out[-1]):
                in_list = False
            # The value may follow template text directly: a first line counts as continued.
            previous_blank = bool(out) and not out[-1]
            out.append(writer.line(item, previous_blank=previous_blank))
    text = "\n".join(out).strip("\n")
    first = next((item for item in items if isinstance(item, tuple) or item.strip()), None)
    if isinstance(first, tuple):
        # Templates may print the value after a list marker or a label on the same line
        # (``- {{ x | md_text | indent(4) }}``); a fence only opens at the start of a line.
        text = "\n" + text
    return text


def md_cell(value: Any) -> str:
    """A free-text value inside a Markdown table cell: ``md_text`` on one line."""

    lines = [line.strip() for line in _lines(value)]
    refs: dict[str, str] = {}
    lines = [line for line in lines if not _take_reference(line, refs)]
    writer = _Inline(refs, cell=True)
    parts: list[str] = []
    for line in lines:
        if not line:
            if parts and parts[-1]:
                parts.append("")
            continue
        parts.append(writer.line(line, previous_blank=False))
    while parts and not parts[-1]:
        parts.pop()
    # A space ends a bare URL before the <br> (magiclink would take the tag into the href).
    return "<br>".join(part + " " if _URL_WORD.search(part.rsplit(" ", 1)[-1]) else part for part in parts)


def md_inline(value: Any) -> str:
    """A short plain-text value printed inline, exactly as typed: no Markdown at all."""

    return " ".join(_text(value).split()).translate(_INLINE_TABLE)


def safe_url(url: Any) -> str | None:
    """``url`` ready for a Markdown link if it is http, https, mailto or relative; else None.

    The scheme is judged the way a browser would read the attribute: after HTML entities are
    decoded and control characters and whitespace removed. Characters that could end a
    Markdown link are percent-encoded, and ``&`` that starts an entity is written ``&amp;``,
    so the browser sees the URL as given.
    """

    return _checked_url(url, LINK_SCHEMES)


def md_link(label: Any, url: Any) -> str:
    """``[label](url)`` with the label escaped like ``md_inline``; just the label if unsafe."""

    text = md_inline(label)
    target = safe_url(url)
    if target is None:
        return text
    if not text:
        text = md_inline(url)
    return f"[{text}]({target})"


def md_code(value: Any) -> str:
    """A short value (path, id, rule name) as inline code, shown exactly as typed.

    The backtick run is longer than any inside, so the span cannot end early; a space pads
    a value that starts or ends with a backtick or starts like an inlinehilite language
    (``#!`` or ``:::``). Empty values give an empty string.
    """

    text = _inline_code(" ".join(_text(value).split()))
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", "#!", ":::")) or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def slug(value: Any) -> str:
    """A file/URL slug: lower-case Unicode letters and digits, ``-`` between; never empty."""

    text = unicodedata.normalize("NFKC", _text(value)).lower()
    chars = []
    for char in text:
        category = unicodedata.category(char)
        keep = category[0] == "L" or category == "Nd" or (category[0] == "M" and chars and chars[-1] != "-")
        chars.append(char if keep else "-")
    result = re.sub(r"-{2,}", "-", "".join(chars)).strip("-")
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if not result:
        return digest
    if len(result) > _SLUG_MAX:
        result = result[: _SLUG_MAX - 9].rstrip("-") + "-" + digest
    return result


# --------------------------------------------------------------------------------------------
# Text and lines
# --------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = _NEWLINE.sub("\n", text)
    text = _CONTROL.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def _lines(value: Any) -> list[str]:
    return [line.rstrip() for line in _text(value).expandtabs(4).split("\n")]


def _break_snippets(text: str) -> str:
    """Put a zero-width space into every ``-8<`` so pymdownx.snippets cannot match."""

    return _SNIPPET.sub("-8" + _ZWSP + "<", text)


def _inline_code(text: str) -> str:
    """Code-span content: no snippet marker and no ``&#`` (see the note above ``_URL_WORD``)."""

    return _break_snippets(text).replace("&#", "&" + _ZWSP + "#")


def _run_end(text: str, start: int, end: int) -> int:
    char = text[start]
    while start < end and text[start] == char:
        start += 1
    return start


# --------------------------------------------------------------------------------------------
# Fences
# --------------------------------------------------------------------------------------------

_Item = str | tuple[str, list[str]]


def _split_fences(lines: list[str]) -> list[_Item]:
    """Lines, with each fenced block (up to its closing fence or the end) as (lang, body)."""

    items: list[_Item] = []
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if m is None or (m.group(2)[0] == "`" and "`" in m.group(3)):
            items.append(lines[i])
            i += 1
            continue
        indent, fence = len(m.group(1)), m.group(2)
        body = []
        i += 1
        while i < len(lines):
            close = _FENCE_CLOSE.match(lines[i])
            if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
                i += 1
                break
            body.append(_dedent(lines[i], indent))
            i += 1
        items.append((_fence_lang(m.group(3)), body))
    return items


def _dedent(line: str, width: int) -> str:
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, width) :]


def _fence_lang(info: str) -> str:
    m = _FENCE_LANG.match(info)
    if m is None or m.group(1).lower() in CUSTOM_FENCES:
        return ""
    return m.group(1)


def _fence(lang: str, body: list[str]) -> list[str]:
    """A canonical fence: column 0, longer than any backtick run that starts a line inside."""

    body = [_break_snippets(line) for line in body]
    longest = 0
    for line in body:
        stripped = line.lstrip(" \t>")
        if stripped.startswith("`"):
            longest = max(longest, _run_end(stripped, 0, len(stripped)))
    fence = "`" * max(3, longest + 1)
    return [fence + lang, *body, fence]


def _indented_code_to_fences(items: list[_Item]) -> list[_Item]:
    """Top-level indented code blocks become fences; inside a list they stay text.

    Either way is safe (text lines are escaped, fences are code); this only keeps indented
    code looking like code.
    """

    out: list[_Item] = []
    previous_blank = True
    in_list = False
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, tuple):
            out.append(item)
            previous_blank, in_list = True, False
            i += 1
            continue
        if not item.strip():
            out.append(item)
            previous_blank = True
            i += 1
            continue
        indent = len(item) - len(item.lstrip(" "))
        if indent >= 4 and previous_blank and not in_list:
            j = i
            while j < len(items) and isinstance(items[j], str):
                line = items[j]
                if line.strip() and len(line) - len(line.lstrip(" ")) < 4:
                    break
                j += 1
            while j > i and not items[j - 1].strip():
                j -= 1
            out.append(("", [line[4:] for line in items[i:j]]))
            previous_blank = True
            i = j
            continue
        if previous_blank and indent < 4:
            in_list = _LIST_START.match(item) is not None
        out.append(item)
        previous_blank = False
        i += 1
    return out


# --------------------------------------------------------------------------------------------
# References and URLs
# --------------------------------------------------------------------------------------------


def _reference_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _take_reference(line: str, refs: dict[str, str]) -> bool:
    """If ``line`` is a reference definition, remember it (first wins) and say so."""

    m = _REF_DEF.match(line)
    if m is None:
        return False
    url = m.group(2)
    if url.startswith("<"):
        url = url[1:-1]
    refs.setdefault(_reference_key(m.group(1)), url)
    return True


def _checked_url(url: Any, schemes: frozenset[str]) -> str | None:
    if url is None:
        return None
    raw = _text(url).strip()
    if not raw:
        return None
    once = html.unescape(raw)
    judged = once
    for _ in range(8):
        decoded = html.unescape(judged)
        if decoded == judged:
            break
        judged = decoded
    judged = "".join(c for c in judged if not _invisible(c))
    m = _SCHEME.match(judged)
    if m is not None and m.group(1).lower() not in schemes:
        return None
    out = []
    for char in once:
        if _invisible(char) or char in _URL_QUOTE:
            out.append("".join(f"%{b:02X}" for b in char.encode("utf-8", "surrogatepass")))
        else:
            out.append(char)
    result = re.sub(r"&(?=#?[0-9A-Za-z]+;)", "&amp;", "".join(out))
    # Browsers drop leading/trailing controls and spaces; so do we rather than encode them.
    return result.strip() or None


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"}


def _plain(raw: str) -> str:
    """Raw Markdown text shown as plain text (for image alt text)."""

    return md_inline(_BACKSLASHED.sub(r"\1", raw))


# --------------------------------------------------------------------------------------------
# One line of text
# --------------------------------------------------------------------------------------------


class _Inline:
    """Writes lines of user text so that only constructs written here remain live."""

    def __init__(self, refs: dict[str, str], *, cell: bool) -> None:
        self.refs = refs
        self.cell = cell
        self.escapable = _ESCAPABLE | {"|"} if cell else _ESCAPABLE

    # Line level --------------------------------------------------------------------------

    def line(self, line: str, *, previous_blank: bool) -> str:
        quote = len(line) - len(line.lstrip(" \t>"))
        if _SETEXT.match(line, quote):
            # A setext underline (or a lone rule) under a line of text would make a heading.
            first = line[quote]
            if first == "=":
                return line[:quote] + "&#61;" + line[quote + 1 :]
            if not previous_blank:
                return line[:quote] + "\\-" + line[quote + 1 :]
            return line
        m = _PREFIX.match(line)
        prefix, rest = line[: m.end()], line[m.end() :]
        head = ""
        if rest.startswith(("```", "~~~")):
            run = _run_end(rest, 0, len(rest))
            head = "\\`" * run if rest[0] == "`" else "&#126;" + rest[1:run]
            rest = rest[run:]
        elif rest.startswith("#"):
            head, rest = "\\#", rest[1:]
        elif rest.startswith("!!!"):
            head, rest = "\\!", rest[1:]
        elif rest.startswith("???"):
            head, rest = "&#63;", rest[1:]
        elif rest.startswith("==="):
            head, rest = "&#61;", rest[1:]
        elif rest.startswith("///"):
            head, rest = "&#47;", rest[1:]  # pymdownx.blocks, should a site enable it
        elif not self.cell and _LIST_MARKER_END.search(prefix) and _TASK.match(rest):
            head, rest = rest[:3], rest[3:]
        return prefix + head + self.render(rest)

    # Inline level ------------------------------------------------------------------------

    def render(self, s: str, *, links: bool = True, images: bool = True) -> str:
        out: list[str] = []
        pairs: dict[int, int] | None = None
        word = 0  # where the current whitespace-delimited word starts
        i, end = 0, len(s)
        plain = _PLAIN_RUN.match
        while i < end:
            run = plain(s, i)
            if run is not None:
                # Characters no branch below acts on and char() returns unchanged: copy them
                # as a run (most of any text), instead of one at a time.
                out.append(run.group())
                i = run.end()
                continue
            c = s[i]
            if c.isspace():
                word = i + 1
            done: tuple[str, int] | None = None
            if c == "\\":
                if i + 1 < end and s[i + 1] in self.escapable:
                    done = s[i : i + 2], i + 2
                else:
                    done = "\\\\", i + 1
            elif c == "`":
                span = self.code_span(s, i, end)
                if span is None:
                    run = _run_end(s, i, end)
                    done = "\\`" * (run - i), run
                elif span[2] and not _URL_WORD.search(s, word, i):
                    done = _inline_code(s[i : span[1]]), span[1]
                else:
                    # A pairing that is not kept as code: all of it is text.
                    opening = _run_end(s, i, end) - i
                    inner = self.render(s[i + opening : span[0]], links=links, images=images)
                    done = "\\`" * opening + inner + "\\`" * (span[1] - span[0]), span[1]
            elif c == "!" and i + 1 < end and s[i + 1] == "[" and images:
                pairs = self.bracket_pairs(s) if pairs is None else pairs
                done = self.link(s, i + 1, pairs, image=True)
            elif c == "[" and links:
                pairs = self.bracket_pairs(s) if pairs is None else pairs
                done = self.link(s, i, pairs, image=False)
            elif c == "<" and links:
                done = self.autolink(s, i, end)
            if done is None:
                out.append(self.char(s, i))
                i += 1
                continue
            text, i = done
            if text.startswith("[") and out and out[-1] == "!":
                out[-1] = "\\!"  # "!" before a link written here would make it an image
            out.append(text)
        return "".join(out)

    def char(self, s: str, i: int) -> str:
        c = s[i]
        if c == "&":
            return "&amp;"
        if c == "<":
            return "&lt;"
        if c in "[]{}":
            return "\\" + c
        if c == "|" and self.cell:
            return "\\|"
        if c == ":" and (
            _EMOJI.match(s, i) or (s.startswith("//", i + 1) and s[max(0, i - 4) : i].lower().endswith(("ftp", "ftps")))
        ):
            # An emoji shortcode, or ftp:// (magiclink would link it): a colon entity stops both.
            return "&#58;"
        return c

    def code_span(self, s: str, start: int, end: int) -> tuple[int, int, bool] | None:
        """The backtick run at ``start`` and the next run: (closing start, closing end, kept).

        None if the next backtick run is not as long (or there is none). Kept as code only
        if the content holds no ``|`` (a table would split it); there is no backtick in it
        by construction. Any pairing rule a Markdown implementation uses agrees on such
        spans once every other backtick is escaped.
        """

        open_end = _run_end(s, start, end)
        close = s.find("`", open_end, end)
        if close == -1:
            return None
        close_end = _run_end(s, close, end)
        if close_end - close != open_end - start:
            return None
        return close, close_end, "|" not in s[open_end:close]

    def bracket_pairs(self, s: str) -> dict[int, int]:
        """Each ``[`` and its matching ``]``, skipping escapes and backtick pairings."""

        pairs: dict[int, int] = {}
        stack: list[int] = []
        i, end = 0, len(s)
        while i < end:
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if c == "`":
                span = self.code_span(s, i, end)
                i = span[1] if span is not None else _run_end(s, i, end)
                continue
            if c == "[":
                stack.append(i)
            elif c == "]" and stack:
                pairs[stack.pop()] = i
            i += 1
        return pairs

    def link(self, s: str, start: int, pairs: dict[int, int], *, image: bool) -> tuple[str, int] | None:
        """A link or image starting at ``s[start] == "["``, re-written; None if there is none."""

        close = pairs.get(start)
        if close is None or close - start > _MAX_LABEL:
            return None
        end = len(s)
        label = s[start + 1 : close]
        after = close + 1
        target: str | None = None
        if after < end and s[after] == "(":
            parsed = _destination(s, after, min(end, after + _MAX_URL))
            if parsed is not None:
                target, after = parsed
        if target is None and after < end and s[after] == "[":
            ref_end = s.find("]", after + 1, min(end, after + _MAX_LABEL))
            if ref_end != -1 and "[" not in s[after + 1 : ref_end]:
                target = self.refs.get(_reference_key(s[after + 1 : ref_end] or label))
                if target is not None:
                    after = ref_end + 1
        if target is None:
            target = self.refs.get(_reference_key(label))
            after = close + 1
        if target is None:
            return None
        target = _BACKSLASHED.sub(r"\1", target)
        if image:
            alt = _plain(label)
            url = _checked_url(target, IMAGE_SCHEMES)
            return (alt if url is None else f"![{alt}]({url})"), after
        text = self.render(label, links=False, images=True)
        url = safe_url(target)
        if url is None:
            return text, after
        if not text.strip():
            text = md_inline(target)
        return f"[{text}]({url})", after

    def autolink(self, s: str, start: int, end: int) -> tuple[str, int] | None:
        m = _AUTOLINK.match(s, start, end)
        if m is not None:
            url = safe_url(m.group(1))
        else:
            m = _AUTOMAIL.match(s, start, end)
            if m is None:
                return None
            address = m.group(1)
            url = safe_url(address if address.lower().startswith("mailto:") else "mailto:" + address)
        if url is None:
            return None
        return f"[{md_inline(m.group(1))}]({url})", m.end()


def _destination(s: str, start: int, end: int) -> tuple[str, int] | None:
    """Parse ``(url "title")`` at ``s[start] == "("``: the raw URL and the index after ``)``."""

    i = start + 1
    while i < end and s[i] in " \t":
        i += 1
    if i < end and s[i] == "<":
        close = s.find(">", i + 1, end)
        if close == -1 or "<" in s[i + 1 : close]:
            return None
        url = s[i + 1 : close]
        i = close + 1
    else:
        begin, depth = i, 0
        while i < end:
            c = s[i]
            if c == "\\" and i + 1 < end:
                i += 2
                continue
            if c in " \t":
                break
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        url = s[begin:i]
    while i < end and s[i] in " \t":
        i += 1
    if i < end and s[i] in "\"'(":
        close = s.find(")" if s[i] == "(" else s[i], i + 1, end)
        if close == -1:
            return None
        i = close + 1
        while i < end and s[i] in " \t":
            i += 1
    if i < end and s[i] == ")":
        return url, i + 1
    return None
