"""Free text of a spec rendered as GitHub renders it, then sanitised against an allowlist.

A free-text field is untrusted GitHub-flavoured Markdown. It is rendered by cmark-gfm (through
``cmarkgfm``, with the extensions GitHub uses: table, strikethrough, autolink, tagfilter,
tasklist) and the result is cleaned by ``nh3`` (ammonia) against :data:`ALLOWED_TAGS` and
:data:`ALLOWED_ATTRIBUTES`, the pair PyPI's readme_renderer uses for untrusted READMEs with the
changes listed there. A last pass over the sanitised HTML, which only ever removes or adds
markup of its own, demotes headings, turns outside images into links, marks links to other
hosts and gives fenced code its class.

Public API::

    render_markdown(text, options) -> Markup   # block-level HTML
    render_inline(text, options) -> Markup     # one line of inline HTML, no <p>

Both are pure functions: same text and options, same bytes; no I/O, no global mutable state
(compiled patterns and the two sanitisers are module constants).

Decisions
---------
Raw HTML
    cmark runs with ``CMARK_OPT_UNSAFE``, as GitHub and readme_renderer do: harmless tags such
    as ``<kbd>``, ``<sub>``, ``<details>`` show as on GitHub, and the sanitiser is the guard.
    GFM's tagfilter turns ``<script>``, ``<style>``, ``<iframe>``, ``<textarea>``, ``<title>``,
    ``<xmp>``, ``<noembed>``, ``<noframes>`` and ``<plaintext>`` into visible text, as GitHub
    shows them; every other tag or attribute outside the allowlist is dropped by nh3 (the text
    inside a dropped tag stays, except for ``script``/``style``, ``svg`` and ``math``).
Line breaks
    A newline inside a paragraph is a line break (``CMARK_OPT_HARDBREAKS``), as GitHub renders
    pull requests, issues and comments (not ``.md`` files).
Footnotes
    Off: a footnote needs ``id`` attributes for its links, and user text never gets ids. (A
    ``[^1]: note`` line is then a link reference definition, as in plain CommonMark.)
Headings
    ``#`` becomes ``<h{heading_level}>``, ``##`` one lower and so on, never past ``<h6>``; raw
    ``<h1>`` is demoted the same way. No heading gets an ``id``: the page's own headings own the
    ids and the table of contents.
Links
    ``href`` keeps http, https, mailto and relative URLs (nh3 parses the URL the way browsers do,
    after entity decoding, so ``jav&#x09;ascript:``, ``JaVaScRiPt:`` and friends are dropped and
    the link keeps only its text). A link that is not a plain relative URL or ``mailto:`` gets
    ``rel="nofollow noopener noreferrer"``. ``target`` is not allowed.
Images
    A relative ``src`` (same site) is kept. An outside image (``http(s)://`` or ``//host``) is
    not loaded: it becomes ``<a href="URL" rel="nofollow noopener noreferrer">alt (image)</a>``,
    or only that text inside a link, unless the URL's host is in ``allowed_image_hosts`` (exact
    ASCII host, case-insensitive; userinfo, backslashes, percent-encoded or non-ASCII hosts never
    match; allowed names with non-ASCII letters are compared in their punycode form). An image
    whose ``src`` was dropped (``data:``, ``javascript:``…) or is not a clean URL shows its text.
Fenced code
    A fence whose info string's first word is ``mermaid`` becomes
    ``<pre class="mermaid"><code>…</code></pre>``, the form mkdocs-material's diagram support
    picks up (it reads the element's text; the word is matched exactly, as on GitHub, so
    ``Mermaid`` is a language name). Another fence whose first word is a safe token
    (``[A-Za-z0-9_+-]``, at most 32 characters) gets ``<code class="language-…">`` as in
    CommonMark; other info strings give plain ``<pre><code>``. The classes are written by this
    module after sanitising, and only for real fences: before rendering, each fence's info
    string is replaced by a marker that does not occur in the text (in any case, literally or
    entity-encoded), found through a first cmark pass in safe mode with source positions, so
    raw HTML such as ``<pre lang="mermaid">`` or ``<pre class="mermaid">`` stays a plain
    ``<pre>``.
Task lists
    ``- [ ]``/``- [x]`` give a disabled checkbox, ``<input type="checkbox" disabled>`` with or
    without ``checked``, as GitHub shows them: a real checkbox is announced as one by screen
    readers and keeps its state, where ☐/☑ would be read as symbols. nh3 forces every kept
    ``<input>`` into exactly that form (type checkbox, disabled; only ``checked`` may vary),
    so no other form control can appear, and the last pass writes it out in one fixed form.
    A list item that starts with the checkbox gets ``class="task-list-item"`` (Material's
    style for task lists).
Tables
    Column alignment keeps cmark's ``align`` attribute; ``align`` is allowed only with the
    values left, center, right (and on ``<img>``, left, right, top, middle, bottom). ``style``
    is never allowed.
Control characters
    C0 controls other than tab, newline and carriage return, DEL, C1 controls, lone surrogates
    and Unicode noncharacters become U+FFFD before rendering, and again after sanitising
    (a character reference such as ``&#1;`` can still ask for one); the output is valid UTF-8.
Hostile input
    cmark-gfm is linear or close to it. The HTML5 parser inside nh3 is not: its cost grows with
    the depth of the element stack times the number of tags, so nesting such as a megabyte of
    ``>`` or ``- - -`` would take minutes, and its cost per character reference grows with
    their number. Before sanitising, the tag structure of HTML over 2 KiB is estimated in one
    pass (open tags minus matching close tags, an upper bound of the parser's stack); cmark's
    own ``&amp;``/``&lt;``/``&gt;``/``&quot;`` are swapped for private-use characters around
    the sanitiser. Text whose HTML is over budget, over 2 MiB, or holds over 50,000 other
    references is shown as plain escaped text with its line breaks instead. A 1 MiB field
    renders in about a second at worst, most of it in cmark. No step recurses in Python.
Memory
    cmarkgfm's ``github_flavored_markdown_to_html`` never frees cmark's document tree nor its
    HTML. :class:`_Cmark` runs the same steps on the binding and frees both.
Inline
    :func:`render_inline` folds line breaks into spaces (a single line cannot open a list,
    quote, heading, fence, table or HTML block once it is prefixed, see below), renders it, and
    keeps inline tags only (:data:`INLINE_TAGS`); there is no ``<p>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

import cffi  # type: ignore[import-untyped]  # no stubs; a dependency of cmarkgfm
import cmarkgfm
import nh3
from cmarkgfm import cmark as _cmarkgfm
from cmarkgfm.cmark import Options as _Opt
from markupsafe import Markup, escape

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "INLINE_TAGS",
    "MarkdownOptions",
    "render_inline",
    "render_markdown",
    "scrub_text",
]

# --------------------------------------------------------------------------------------------
# The allowlist
# --------------------------------------------------------------------------------------------

#: Tags kept in block text: readme_renderer's list (which adds ``input`` for task lists to
#: bleach's defaults and its own block and table tags).
ALLOWED_TAGS: Final[frozenset[str]] = frozenset({
    "a", "abbr", "acronym", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "input", "kbd", "li", "ol", "p", "pre", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "tt", "ul", "var",
})

#: Tags kept by :func:`render_inline`: the phrasing subset of :data:`ALLOWED_TAGS`.
INLINE_TAGS: Final[frozenset[str]] = frozenset({
    "a", "abbr", "acronym", "b", "br", "cite", "code", "del", "em", "i", "img", "kbd", "span",
    "strong", "sub", "sup", "tt", "var",
})

_ALIGN: Final = frozenset({"left", "center", "right"})
_IMG_ALIGN: Final = frozenset({"left", "right", "top", "middle", "bottom"})

#: Attributes kept, by tag. Differences from readme_renderer: no ``id`` anywhere and no
#: ``class`` anywhere (the only classes are the ones this module writes after sanitising);
#: ``title`` on images as on links; ``align`` only with the values in ``_ALIGN`` (nh3's
#: ``tag_attribute_values``), ``<input>`` only as a disabled checkbox. ``pre lang`` is kept
#: for the last pass, which removes it from every ``<pre>``. ``width``/``height``/``start``
#: keep digits only (checked in the last pass).
ALLOWED_ATTRIBUTES: Final[dict[str, frozenset[str]]] = {
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "acronym": frozenset({"title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "ol": frozenset({"start"}),
    "pre": frozenset({"lang"}),
}

_ATTRIBUTE_VALUES: Final[dict[str, dict[str, set[str]]]] = {
    **{tag: {"align": set(_ALIGN)} for tag in ("p", "div", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6")},
    "img": {"align": set(_IMG_ALIGN)},
    "input": {"type": {"checkbox"}, "checked": {"", "checked"}, "disabled": {"", "disabled"}},
}

_URL_SCHEMES: Final = {"http", "https", "mailto"}


def _cleaner(tags: frozenset[str]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(tags),
        clean_content_tags={"script", "style"},
        # "*": none. Without it ammonia keeps its generic defaults, lang and title, on every tag.
        attributes={"*": set()} | {tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items() if tag in tags},
        tag_attribute_values={tag: values for tag, values in _ATTRIBUTE_VALUES.items() if tag in tags},
        # Whatever a spec writes, a kept <input> is a disabled checkbox.
        set_tag_attribute_values={"input": {"type": "checkbox", "disabled": ""}} if "input" in tags else None,
        url_schemes=set(_URL_SCHEMES),
        link_rel=None,  # added below, to links leaving the site only
        strip_comments=True,
    )


_BLOCK_CLEANER: Final = _cleaner(ALLOWED_TAGS)
_INLINE_CLEANER: Final = _cleaner(INLINE_TAGS)

# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------

_HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")


def _host_name(name: str) -> str:
    """``name`` as it appears in a URL's ASCII host: lower case, no trailing dot, punycode."""
    host = name.strip().lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as error:
            raise ValueError(f"{name!r} is not a host name") from error
    if not _HOST_NAME.fullmatch(host):
        raise ValueError(f"{name!r} is not a host name: write it as 'images.example.com'")
    return host


@dataclass(frozen=True)
class MarkdownOptions:
    """How free text is rendered where it is printed.

    ``heading_level``: the level a ``#`` heading in the text gets; ``##`` gets one more and so
    on, never past 6 (a value above 6 makes every heading ``<h6>``). It is meant to be one more
    than the level of the section heading the text is printed under.

    ``allowed_image_hosts``: host names whose images are shown; images from any other host
    are shown as links. Names are normalised (case, trailing dot, punycode); a name that is not
    a host name (a URL, a path, ``user@host``) is a ``ValueError``.
    """

    heading_level: int = 3
    allowed_image_hosts: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if isinstance(self.heading_level, bool) or not isinstance(self.heading_level, int) or self.heading_level < 1:
            raise ValueError(f"heading_level must be an integer from 1, not {self.heading_level!r}")
        hosts: Iterable[str] = self.allowed_image_hosts
        if isinstance(hosts, str):
            raise TypeError("allowed_image_hosts is a collection of host names, not one string")
        object.__setattr__(self, "allowed_image_hosts", frozenset(_host_name(h) for h in hosts))


DEFAULT_OPTIONS: Final = MarkdownOptions()

# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------

_CMARK_OPTIONS: Final = _Opt.CMARK_OPT_UNSAFE | _Opt.CMARK_OPT_HARDBREAKS
# The first pass, which finds the fences: raw HTML omitted, so every <pre> in it is cmark's.
_CMARK_FENCE_PASS: Final = _Opt.CMARK_OPT_SOURCEPOS | _Opt.CMARK_OPT_HARDBREAKS


# C0 controls but tab, newline and carriage return; DEL and C1 controls; lone surrogates; the
# noncharacters of the BMP. Those of the other planes are a second, rarely needed pattern: a
# class with astral ranges is ten times slower to run over ordinary text.
_BAD_BMP: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_ASTRAL: Final = re.compile("[\U00010000-\U0010ffff]")
_BAD_ASTRAL: Final = re.compile(
    "[" + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)) + "]")
_LINE_END: Final = re.compile(r"\r\n?|\n")
_LINE_END_BYTES: Final = re.compile(rb"\r\n?|\n")


def scrub_text(text: str) -> str:
    """Controls, lone surrogates and noncharacters become U+FFFD (cmark does so for U+0000)."""
    text = _BAD_BMP.sub("\ufffd", text)
    if not text.isascii() and _ASTRAL.search(text):
        text = _BAD_ASTRAL.sub("\ufffd", text)
    return text


def _prepare(text: str) -> str:
    """The text as cmark gets it: scrubbed, and no reference cmark would write as bad UTF-8."""
    text = scrub_text(text)
    if "&#" in text:
        text = _BAD_REFERENCE.sub("&#xFFFD;", text)
    return text


# cmark writes U+FFFE and U+FFFF, when a numeric reference asks for them, as the single bytes
# FE and FF (not UTF-8), and the binding's decode then fails. Such references (cmark reads any
# number of digits) ask for U+FFFD instead. Inside code they showed as typed, and now show
# &#xFFFD;.
_BAD_REFERENCE: Final = re.compile(r"&#(?:[xX]0*[fF]{3}[eEfF]|0*6553[45]);")


# cmarkgfm's github_flavored_markdown_to_html never frees the document tree nor the HTML that
# cmark returns: about 25 KB per typical field, megabytes per hostile one, for the life of the
# process (mkdocs serve). The same steps are run here on its own bindings, and both are freed
# with cmark's own functions, found in the same shared library through a second FFI (its
# binding does not declare them). Should that library not export them, the binding's call is
# used as it is.
_GFM_EXTENSIONS: Final = ("table", "autolink", "tagfilter", "strikethrough", "tasklist")


class _Cmark:
    """cmark-gfm with the GFM extensions, freeing what it allocates."""

    def __init__(self) -> None:
        binding = _cmarkgfm._cmark
        self.lib, self.ffi = binding.lib, binding.ffi
        self.lib.cmark_gfm_core_extensions_ensure_registered()
        self.extensions = tuple(self.lib.cmark_find_syntax_extension(name.encode("ascii")) for name in _GFM_EXTENSIONS)
        if any(e == self.ffi.NULL for e in self.extensions):
            raise LookupError("a GFM extension is missing")
        own = cffi.FFI()
        own.cdef("typedef struct { void *(*calloc)(size_t, size_t); void *(*realloc)(void *, size_t); void (*free)(void *); } mem;"
                 "void cmark_node_free(void *node); mem *cmark_get_default_mem_allocator(void);")
        library = own.dlopen(binding.__file__)
        self.own = own
        self.node_free = library.cmark_node_free
        self.mem_free = library.cmark_get_default_mem_allocator().free

    def _address(self, pointer: object) -> object:
        return self.own.cast("void *", int(self.ffi.cast("uintptr_t", pointer)))

    def render(self, text: str, options: int) -> str:
        lib = self.lib
        options |= _Opt.CMARK_OPT_GITHUB_PRE_LANG  # as github_flavored_markdown_to_html does
        data = text.encode("utf-8")
        parser = lib.cmark_parser_new(options)
        try:
            for extension in self.extensions:
                lib.cmark_parser_attach_syntax_extension(parser, extension)
            lib.cmark_parser_feed(parser, data, len(data))
            root = lib.cmark_parser_finish(parser)
            try:
                result = lib.cmark_render_html(root, options, lib.cmark_parser_get_syntax_extensions(parser))
                try:
                    return bytes(self.ffi.string(result)).decode("utf-8", "replace")
                finally:
                    self.mem_free(self._address(result))
            finally:
                self.node_free(self._address(root))
        finally:
            lib.cmark_parser_free(parser)


def _load_cmark() -> _Cmark | None:
    try:
        return _Cmark()
    except (AttributeError, LookupError, OSError, cffi.CDefError, cffi.FFIError):
        return None


_CMARK: Final = _load_cmark()


def _cmark(text: str, options: int = _CMARK_OPTIONS) -> str | None:
    """cmark-gfm's HTML for ``text``, or None if it is not valid UTF-8 (never seen so far)."""
    if _CMARK is not None:
        return _CMARK.render(text, options)
    try:
        return str(cmarkgfm.github_flavored_markdown_to_html(text, options=options))
    except UnicodeDecodeError:
        return None


# --- fences --------------------------------------------------------------------------------

_FENCE_IN_PASS: Final = re.compile(r'<pre data-sourcepos="(\d+):(\d+)-\d+:\d+" lang="([^"]*)"><code>')
_MARKER_BASE: Final = "mlfolio-fence-"
_LANGUAGE_TOKEN: Final = re.compile(r"[A-Za-z0-9_+-]{1,32}")


@dataclass(frozen=True)
class _Fences:
    marker: str = ""
    languages: tuple[str, ...] = ()


_NO_FENCES: Final = _Fences()


_BACKSLASH_ESCAPE: Final = re.compile(r"\\([!-/:-@\[-`{-~])")


def _marker_for(text: str) -> str:
    """A marker found nowhere in ``text``, in any case, as written, with entities decoded or
    with backslash escapes undone (the ways cmark and the sanitiser can turn text into an
    attribute value)."""
    plain = _BACKSLASH_ESCAPE.sub(r"\1", text)
    haystacks = [t.lower() for t in (text, html.unescape(text), plain, html.unescape(plain))]
    marker = _MARKER_BASE
    while any(marker in h for h in haystacks):
        marker = "x" + marker
    return marker


def _mark_fences(text: str) -> tuple[str, _Fences]:
    """Replace each fence's info string with ``marker + index``; remember its first word.

    A first cmark pass in safe mode with source positions says where the fences with an info
    string start (line, byte column); nothing else in that output can look like such a
    ``<pre>``, since raw HTML is left out of it. Changing an info string changes no block
    structure, so the second pass parses the same document.
    """
    found = _FENCE_IN_PASS.findall(_cmark(text, _CMARK_FENCE_PASS) or "")
    if not found:
        return text, _NO_FENCES
    marker = _marker_for(text)
    data = text.encode("utf-8")
    wanted = [(int(line), int(column), html.unescape(lang)) for line, column, lang in found]
    line_starts: dict[int, int] = {}
    needed = {line for line, _, _ in wanted}
    last_needed = max(needed)
    if 1 in needed:
        line_starts[1] = 0
    number = 1
    for match in _LINE_END_BYTES.finditer(data):
        number += 1
        if number > last_needed:
            break
        if number in needed:
            line_starts[number] = match.end()
    pieces: list[bytes] = []
    languages: list[str] = []
    done = 0
    for line, column, lang in wanted:
        start = line_starts.get(line)
        if start is None:
            continue
        at = start + column - 1
        if at < done or at >= len(data) or data[at] not in b"`~":
            continue  # not where a fence should be: left as it is, it renders as plain code
        fence_char = data[at]
        end_of_fence = at
        while end_of_fence < len(data) and data[end_of_fence] == fence_char:
            end_of_fence += 1
        if end_of_fence - at < 3:
            continue
        eol = _LINE_END_BYTES.search(data, end_of_fence)
        end_of_line = eol.start() if eol else len(data)
        pieces += [data[done:end_of_fence], f"{marker}{len(languages)}".encode("ascii")]
        languages.append(lang)
        done = end_of_line
    pieces.append(data[done:])
    return b"".join(pieces).decode("utf-8"), _Fences(marker, tuple(languages))


# --- cost guard ----------------------------------------------------------------------------

_TAG: Final = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)(?=[\t\n\f\r />])")
_VOID: Final = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
    "param", "source", "track", "wbr",
})
# Below this size the sanitiser needs at most a millisecond or so, whatever the markup: not
# checked (so a typical field pays nothing for the check).
_GUARD_FROM_CHARS: Final = 2_048
# Sum over the tags of the estimated stack depth. Real text stays far below (a 1 MiB spec of
# nested lists and tables: a few hundred thousand); 5M is about 0.2 s in the sanitiser.
_STACK_BUDGET: Final = 5_000_000
# HTML longer than this is not sanitised (about a megabyte of prose, a quarter of that as a
# table): the time of every step grows with it.
_MAX_HTML_CHARS: Final = 2 * 1024 * 1024
# Character references left for the sanitiser to decode (only raw HTML has them once cmark's
# own escapes are swapped out, see _sanitise): its cost per reference grows with their number.
_MAX_REFERENCES: Final = 50_000


def _over_budget(markup: str) -> bool:
    """True if sanitising ``markup`` could take too long (see "Hostile input" above).

    The estimate pushes every start tag that is not void and pops only on an end tag naming
    the innermost open one, so it never counts fewer open elements than there are.
    """
    if len(markup) > _MAX_HTML_CHARS:
        return True
    if len(markup) < _GUARD_FROM_CHARS:
        return False
    stack: list[str] = []
    push, pop, void = stack.append, stack.pop, _VOID
    cost = 0
    for slash, name in _TAG.findall(markup):
        name = name.lower()
        if slash:
            if stack and stack[-1] == name:
                pop()
        elif name not in void:
            push(name)
        cost += len(stack)
        if cost > _STACK_BUDGET:
            return True
    return False


# cmark escapes &, <, > and " in text and attribute values as these four references. The
# sanitiser's cost per reference grows with their number (a megabyte of "&" took seconds), so
# they are swapped for private-use characters absent from the HTML before it runs, and back
# after: both are inert text to the HTML parser and to URL checks.
_ESCAPES: Final = ("&amp;", "&lt;", "&gt;", "&quot;")
_SWAP_FROM_REFERENCES: Final = 256


def _free_characters(markup: str, count: int) -> list[str] | None:
    """``count`` private-use characters that ``markup`` does not hold, or None."""
    candidates = [chr(code) for code in range(0xE000, 0xE000 + count)]
    if not any(c in markup for c in candidates):
        return candidates
    present = set(markup)
    free = [chr(code) for code in range(0xE000, 0xF900) if chr(code) not in present]
    return free[:count] if len(free) >= count else None


def _sanitise(markup: str | None, cleaner: nh3.Cleaner) -> str | None:
    """``cleaner.clean(markup)``, or None if that could take too long.

    Character references (decoded by cmark in text, by the sanitiser in raw HTML) can still
    ask for controls or noncharacters; those are scrubbed from the result like the text was.
    """
    if markup is None or _over_budget(markup):
        return None
    references = markup.count("&")
    if references < _SWAP_FROM_REFERENCES:
        return scrub_text(cleaner.clean(markup))
    free = _free_characters(markup, len(_ESCAPES))
    if free is None:
        return None
    for reference, character in zip(_ESCAPES, free):
        markup = markup.replace(reference, character)
    if markup.count("&") > _MAX_REFERENCES:
        return None
    cleaned = scrub_text(cleaner.clean(markup))
    for reference, character in zip(_ESCAPES, free):
        cleaned = cleaned.replace(character, reference)
    return cleaned


def _as_text(text: str, *, inline: bool) -> str:
    lines = _LINE_END.split(text.strip("\r\n"))
    body = "<br>\n".join(str(escape(line)) for line in lines)  # as nh3 writes it
    return body if inline else f"<p>{body}</p>\n"


# --- the last pass -------------------------------------------------------------------------

_LAST_PASS: Final = re.compile(
    r"<(?:"
    r'pre lang="(?P<lang>[^"]*)">(?P<code><code>)?'
    r'|a(?P<a>(?: [^\s="/>]+="[^"]*")*)>'
    r"|(?P<a_end>/a>)"
    r'|img(?P<img>(?: [^\s="/>]+="[^"]*")*)>'
    r'|ol start="(?P<start>[^"]*)">'
    r'|(?P<task>li><)?input(?P<input>(?: [^\s="/>]+="[^"]*")*)>'
    r")"
)
_ATTRIBUTE: Final = re.compile(r' ([^\s="/>]+)="([^"]*)"')
_DIGITS: Final = re.compile(r"[0-9]{1,5}")
_SIZE: Final = re.compile(r"[0-9]{1,5}%?")
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Characters browsers strip, drop or read as "/" in a URL: a URL holding one is never "clean".
_UNCLEAN_URL: Final = re.compile(r"[\x00-\x20\x7f\\]")
_OUTSIDE_IMAGE: Final = re.compile(r"(?:https?:)?//([A-Za-z0-9.-]+)(?::[0-9]{1,5})?(?:[/?#]|$)", re.IGNORECASE)
_EXTERNAL_REL: Final = ' rel="nofollow noopener noreferrer"'


def _attributes(serialised: str) -> dict[str, str]:
    """Attributes as nh3 writes them (double quotes, ``&"<>`` and U+00A0 escaped), decoded."""
    return {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(serialised)}


def _is_site_relative(url: str) -> bool:
    """A relative URL that every browser resolves against this site."""
    return not _UNCLEAN_URL.search(url) and not url.startswith("//") and not _SCHEME.match(url)


def _stays_here(href: str) -> bool:
    return _is_site_relative(href) or (href[:7].lower() == "mailto:" and not _UNCLEAN_URL.search(href))


def _image_host(src: str) -> str | None:
    """The ASCII host of an outside image URL written cleanly, else None."""
    if _UNCLEAN_URL.search(src):
        return None
    match = _OUTSIDE_IMAGE.match(src)
    return match.group(1).lower() if match else None


def _is_outside(src: str) -> bool:
    low = src.lower()
    return low.startswith(("http:", "https:", "//"))


def _image_label(alt: str) -> str:
    alt = " ".join(alt.split())
    return f"{alt} (image)" if alt else "(image)"


def _image(attrs: dict[str, str], options: MarkdownOptions, in_link: bool) -> str:
    src = attrs.get("src")
    shown = src is not None and (
        _is_site_relative(src)
        or (_is_outside(src) and _image_host(src) in options.allowed_image_hosts))
    if shown:
        out = [f' src="{escape(src)}"', f' alt="{escape(attrs.get("alt", ""))}"']
        if "title" in attrs:
            out.append(f' title="{escape(attrs["title"])}"')
        for name in ("width", "height"):
            if _SIZE.fullmatch(attrs.get(name, "")):
                out.append(f' {name}="{attrs[name]}"')
        if attrs.get("align") in _IMG_ALIGN:
            out.append(f' align="{attrs["align"]}"')
        return "<img" + "".join(out) + ">"
    label = str(escape(_image_label(attrs.get("alt", ""))))
    if src is not None and _is_outside(src) and not in_link and not _UNCLEAN_URL.search(src):
        return f'<a href="{escape(src)}"{_EXTERNAL_REL}>{label}</a>'
    return label


def _demote(markup: str, heading_level: int) -> str:
    """``<hN>`` becomes ``<h(N + heading_level - 1)>``, at most ``<h6>``.

    Plain replacements, from level 6 down: a heading only ever moves to a level already done,
    so none moves twice. In sanitised HTML a ``<`` is always the start of a tag.
    """
    shift = heading_level - 1
    if not shift or "<h" not in markup:
        return markup
    for level in range(6, 0, -1):
        new = min(6, level + shift)
        if new != level:
            for old_form, new_form in ((f"<h{level}>", f"<h{new}>"), (f"<h{level} ", f"<h{new} "),
                                       (f"</h{level}>", f"</h{new}>")):
                markup = markup.replace(old_form, new_form)
    return markup


def _finish(markup: str, options: MarkdownOptions, fences: _Fences) -> str:
    """The last pass over sanitised HTML: headings, links, images, fences, task lists."""
    in_link = False
    marker = fences.marker

    def replace(match: re.Match[str]) -> str:
        nonlocal in_link
        kind = match.lastgroup
        if kind == "code" or kind == "lang":
            lang = match.group("lang")
            index = lang[len(marker):] if marker and lang.startswith(marker) else ""
            if match.group("code") is None or not index.isdigit() or int(index) >= len(fences.languages):
                return "<pre>" + (match.group("code") or "")
            info = fences.languages[int(index)].split()
            word = info[0] if info else ""
            if word == "mermaid":
                return '<pre class="mermaid"><code>'
            if _LANGUAGE_TOKEN.fullmatch(word):
                return f'<pre><code class="language-{word}">'
            return "<pre><code>"
        if kind == "a":
            in_link = True
            attrs = match.group("a")
            href = _attributes(attrs).get("href")
            return f"<a{attrs}{_EXTERNAL_REL}>" if href is not None and not _stays_here(href) else match.group(0)
        if kind == "a_end":
            in_link = False
            return "</a>"
        if kind == "img":
            return _image(_attributes(match.group("img")), options, in_link)
        if kind == "start":
            return match.group(0) if _DIGITS.fullmatch(match.group("start")) else "<ol>"
        # kind == "input": nh3 made it a disabled checkbox, adding attributes in an order that
        # changes from one process to the next; written here in one order.
        checked = ' checked=""' if "checked" in _attributes(match.group("input")) else ""
        item = '<li class="task-list-item">' if match.group("task") else ""
        return f'{item}<input type="checkbox"{checked} disabled="">'

    return _LAST_PASS.sub(replace, _demote(markup, options.heading_level))


# Plain prose: lines that start with a letter, a character beyond ASCII or a number that is
# not a list marker, hold only letters, digits, spaces, quiet ASCII punctuation and characters
# beyond ASCII (but the no-break space, which nh3 writes as an entity, and the code points
# scrub_text replaces), end in no space, and are not blank; no URL or "www." in them. Nothing in
# such text can open a block, mark up a span, make a link or need escaping, so cmark-gfm and
# nh3 would hand it back as it is (in <p>, with <br> between lines): it is written here without
# the round trip, which most short fields of a spec take. tests/unit/test_markdown.py holds
# this to the full path's output.
_BEYOND_ASCII: Final = "\xa1-\ud7ff\ue000-\ufdcf\ufdf0-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_PLAIN_LINE: Final = (rf"(?:[^\W\d_]|[{_BEYOND_ASCII}]|\d++(?![.)]))"  # a letter, or a number that is not a list marker
                      rf"[\w {_BEYOND_ASCII},.;:'\"()?%/+=$^{{}}!#|-]*+(?<! )")
_PLAIN: Final = re.compile(rf"(?!.*(?:://|[wW]{{3}}\.|_))(?:{_PLAIN_LINE})(?:\n(?:{_PLAIN_LINE}))*", re.S)


def _plain(text: str) -> str | None:
    """``text`` without its trailing newlines, if it is plain prose (see :data:`_PLAIN`)."""
    text = text.rstrip("\n")
    if not _PLAIN.fullmatch(text) or (not text.isascii() and (_BAD_ASTRAL.search(text) or text[0].isspace() or text[-1].isspace())):
        return None  # (the full path strips Unicode spaces at the ends)
    return text


def render_markdown(text: str, options: MarkdownOptions = DEFAULT_OPTIONS) -> Markup:
    """``text`` (GitHub-flavoured Markdown) as sanitised block-level HTML."""
    plain = _plain(text)
    if plain is not None:
        return Markup("<p>" + plain.replace("\n", "<br>\n") + "</p>\n")
    text = _prepare(text)
    if not text.strip():
        return Markup("")
    marked, fences = _mark_fences(text) if "```" in text or "~~~" in text else (text, _NO_FENCES)
    cleaned = _sanitise(_cmark(marked), _BLOCK_CLEANER)
    if cleaned is None:
        return Markup(_as_text(text, inline=False))
    return Markup(_finish(cleaned, options, fences))


# The line is rendered after "a " and that text is removed again: a line that does not start
# at its first column cannot open a block (heading, list, quote, fence, HTML block, link
# definition), and for the inline rules (emphasis flanking, autolinks) the space before the
# first character reads exactly like the start of a line.
_INLINE_PREFIX: Final = "a "


def render_inline(text: str, options: MarkdownOptions = DEFAULT_OPTIONS) -> Markup:
    """``text`` as one line of inline HTML: line breaks become spaces, blocks are not made."""
    text = _LINE_END.sub(" ", _prepare(text)).strip()
    if not text:
        return Markup("")
    if _plain(text) is not None:
        return Markup(text)
    cleaned = _sanitise(_cmark(_INLINE_PREFIX + text), _INLINE_CLEANER)
    if cleaned is None:
        return Markup(_as_text(text, inline=True))
    cleaned = cleaned.strip("\n")
    if cleaned.startswith(_INLINE_PREFIX):
        cleaned = cleaned[len(_INLINE_PREFIX):]
    return Markup(_finish(cleaned, options, _NO_FENCES))
