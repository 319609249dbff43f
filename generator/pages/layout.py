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
from html.parser import HTMLParser
from typing import Any

SLUG_MAX = 80


def slug(value: Any) -> str:
    """A URL fragment or file name: lower-case Unicode letters and digits, ``-`` between; never empty.

    Text that differs only in case, width or Unicode normalisation gives the same slug; text
    with no letters or digits at all gets a short hash, so it still has one."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).casefold()
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


class Anchors:
    """Unique HTML ids for one page: the second ``team-a`` becomes ``team-a-1``, and so on."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, *parts: Any) -> str:
        base = "-".join(slug(p) for p in parts if p not in (None, "")) or "section"
        candidate, n = base, 0
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.used.add(candidate)
        return candidate


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
        if name in ("index", "README"):
            return folder + "/" if folder else ("./" if self.directory_urls else "index.html")
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
            relative = posixpath.relpath(".", base) + "/"
        else:
            relative = posixpath.relpath(target.rstrip("/") or ".", base) + ("/" if target.endswith("/") else "")
        if relative == "./":
            relative = "./"
        return relative + (f"#{fragment}" if fragment else "")


@dataclass(frozen=True)
class TocEntry:
    """A heading of a page for the table of contents: ``level`` 2..6, its ``id`` and text."""

    level: int
    id: str
    title: str


class _HeadingParser(HTMLParser):
    """Collects the page's own headings (those with an id) and every id on the page.

    Sanitised free text can carry no id, so only headings the templates wrote are found."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[TocEntry] = []
        self.ids: list[str] = []
        self._open: tuple[int, str] | None = None
        self._text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "23456" and found.get("id"):
            self._open = (int(tag[1]), str(found["id"]))
            self._text = []
        elif self._open and tag == "a" and "headerlink" in (found.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == "a" and self._skip:
            self._skip -= 1
        elif self._open and tag == f"h{self._open[0]}":
            title = " ".join("".join(self._text).split())
            self.headings.append(TocEntry(self._open[0], self._open[1], title))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._skip:
            self._text.append(data)


def page_outline(html: str) -> tuple[tuple[TocEntry, ...], tuple[str, ...]]:
    """The page's headings (for the table of contents) and all the ids it has (for link checks)."""
    parser = _HeadingParser()
    parser.feed(html)
    parser.close()
    return tuple(parser.headings), tuple(parser.ids)
