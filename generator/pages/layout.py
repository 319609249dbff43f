"""Where generated pages live, their URLs, and the ids inside a page.

Pages are assembled as finished HTML, so links between them are written as final URLs here,
the way MkDocs would write them (``use_directory_urls`` or not). Every path comes from a
validated id or from :func:`slug`, never from raw user text.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from mlfolio.pages.markdown import scrub_text

SLUG_MAX = 80


def slug(value: Any) -> str:
    """A URL fragment or file name: lower-case Unicode letters and digits, ``-`` between; never empty.

    Text that differs only in case, width or Unicode normalisation gives the same slug; text
    with no letters or digits at all gets a short hash, so it still has one."""
    return _slug("" if value is None else str(value))


@lru_cache(maxsize=16384)  # a portfolio's headings and names repeat on every page
def _slug(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).casefold()
    chars: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        keep = category[0] == "L" or category == "Nd" or (category[0] == "M" and bool(chars) and chars[-1] != "-")
        chars.append(char if keep else "-")
    result = re.sub(r"-{2,}", "-", "".join(chars)).strip("-")
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if not result:
        return "h-" + digest
    if len(result) > SLUG_MAX:
        result = result[: SLUG_MAX - 9].rstrip("-") + "-" + digest
    return result


@dataclass(frozen=True)
class TocEntry:
    """A heading of a page for the table of contents: ``level`` 2..6, its ``id`` and text."""

    level: int
    id: str
    title: str


def one_line(text: Any) -> str:
    """Text for a heading or a title: scrubbed of what HTML forbids, whitespace runs made one space."""
    return " ".join(scrub_text(str(text)).split())


class Anchors:
    """Unique HTML ids for one page, and the page's outline as its headings are written.

    The second ``team-a`` becomes ``team-a-1``, and so on. Templates write every heading that
    has an id through :meth:`heading`, so the table of contents is known without parsing the
    page (sanitised free text can carry no id, so no other heading has one)."""

    def __init__(self) -> None:
        self.used: dict[str, None] = {}
        self.outline: list[TocEntry] = []

    def __call__(self, *parts: Any) -> str:
        base = "-".join(slug(p) for p in parts if p not in (None, "")) or "section"
        candidate, n = base, 0
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.used[candidate] = None
        return candidate

    def heading(self, level: int, text: Any, *parts: Any) -> Markup:
        """``<hN id=…>text¶</hN>`` with a unique id made of ``parts``; h2-h6 go into the outline."""
        ident = self(*parts)
        title = one_line(text)
        if 2 <= level <= 6:
            self.outline.append(TocEntry(level, ident, title))
        # Built by hand, not with Markup.format: a page has dozens of headings, a site thousands.
        return Markup(f'<h{level} id="{ident}">{escape(title)}<a class="headerlink" href="#{ident}" '
                      f'title="{escape(self.permalink)}">¶</a></h{level}>')

    permalink = "Permanent link"


@dataclass(frozen=True)
class SiteLayout:
    """Where generated pages live inside the site, and the URL each one gets."""

    root: str = ""  # "" = the site root; "portfolio" = /portfolio/...
    directory_urls: bool = True

    def path(self, *parts: str) -> str:
        return posixpath.join(self.root, *parts) if self.root else posixpath.join(*parts)

    def project(self, project_id: str) -> str:
        return self.path("projects", project_id, "index.md")

    def home(self) -> str:
        return self.path("index.md")

    def url(self, src_uri: str) -> str:
        """The page's URL relative to the site root, as MkDocs gives it (``teams/`` or ``teams.html``)."""
        stem, _ = posixpath.splitext(src_uri)
        folder, name = posixpath.split(stem)
        if name in ("index", "README") and self.directory_urls:
            return folder + "/" if folder else "./"
        if name in ("index", "README"):
            return stem[: -len(name)] + "index.html"
        if self.directory_urls:
            return stem + "/"
        return stem + ".html"

    def href(self, from_src: str, to_src: str, fragment: str = "") -> str:
        """A relative link from one page to another (or to a file of the site, such as projects.json)."""
        target = self.url(to_src) if to_src.endswith(".md") else to_src
        here = self.url(from_src)
        base = here if here.endswith("/") else posixpath.dirname(here)
        base = base.rstrip("/") or "."
        if target in ("./", ""):
            relative = _relative(".", base) + "/"
        else:
            relative = _relative(target.rstrip("/") or ".", base) + ("/" if target.endswith("/") else "")
        return relative + (f"#{fragment}" if fragment else "")


def _relative(target: str, base: str) -> str:
    """``posixpath.relpath(target, base)`` for two paths inside the site (relative, no ``..``),
    without asking the system for the current folder each time (thousands of links a build)."""
    to = [part for part in target.split("/") if part not in ("", ".")]
    start = [part for part in base.split("/") if part not in ("", ".")]
    common = 0
    while common < min(len(to), len(start)) and to[common] == start[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + to[common:]) or "."
