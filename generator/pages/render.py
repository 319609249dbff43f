"""Pages rendered to finished HTML by Jinja. Every filter is registered here, in one place.

Autoescape is on, so every value a template prints is escaped, unless it went through
``markdown`` / ``markdown_inline`` (GitHub-flavoured Markdown by cmark-gfm, then the nh3
allowlist, see :mod:`mlfolio.pages.markdown`). Templates only loop and branch.

Templates come in two layers: ``templates/_base/<name>.html.jinja`` does the work in
documented blocks; ``templates/<name>.html.jinja`` only extends it. A user's ``templates_dir``
is searched first, so a file there with the same name replaces the public one, and can extend
``_base/<name>.html.jinja`` to change a single block.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from mlfolio.pages.builder import PageSpec
from mlfolio.pages.labels import Labels
from mlfolio.pages.layout import Anchors, TocEntry, one_line
from mlfolio.pages.markdown import (
    MarkdownOptions,
    render_inline,
    render_markdown,
    scrub_text,  # one definition of the code points a page never holds
)

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
WEB_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class SearchSection:
    """A part of a page for a search index: the heading's id ("" for the top), title and plain text."""

    id: str
    title: str
    text: str


@dataclass(frozen=True)
class RenderedPage:
    """A finished page: its HTML and outline, and where it goes. All a site engine needs."""

    src_uri: str
    title: str
    html: str
    toc: tuple[TocEntry, ...]
    anchors: tuple[str, ...]
    edit_source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def search_sections(self) -> list[SearchSection]:
        """The page cut at its own headings, as plain text: what a search index needs, found
        without parsing the HTML (the templates wrote every heading that has an id)."""
        cuts = []
        start = 0
        for entry in self.toc:
            at = self.html.find(f'<h{entry.level} id="{entry.id}">', start)
            if at >= 0:
                cuts.append((at, entry))
                start = at
        sections = []
        previous, current = 0, SearchSection("", self.title, "")
        for at, entry in cuts:
            sections.append(SearchSection(current.id, current.title, _plain(self.html[previous:at])))
            previous, current = at, SearchSection(entry.id, entry.title, "")
        sections.append(SearchSection(current.id, current.title, _plain(self.html[previous:])))
        return sections


_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>¶</a>')
_HEADING = re.compile(r"<h([1-6]) id=[^>]*>.*?</h\1>", re.S)
_TAG = re.compile(r"<[^>]*>")


def _plain(fragment: str) -> str:
    """Text of an HTML fragment of ours: headings and tags dropped, entities decoded, spaces collapsed."""
    text = _TAG.sub(" ", _HEADING.sub(" ", _HEADERLINK.sub("", fragment)))
    return " ".join(html.unescape(text).split())


def web_url(value: Any) -> str | None:
    """A spec's URL, if it is one a reader may follow (http, https, mailto); else None."""
    text = str(value).strip()
    if any(ord(c) < 0x21 or 0x7F <= ord(c) <= 0x9F for c in text):
        return None
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    return text if scheme in WEB_SCHEMES else None


def display(value: Any) -> str:
    """A short value as text: numbers without float noise, everything else as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value == 0:
            return "0"
        return format(value, ".12g")
    return "" if value is None else str(value)


def _finalize(value: Any) -> Any:
    """Every printed value: controls and noncharacters, which HTML forbids, become U+FFFD before
    autoescape. Free text arrives as Markup, already scrubbed by the Markdown renderer; printable
    ASCII (most values: numbers, ids, labels) has nothing to scrub."""
    if not isinstance(value, str) or isinstance(value, Markup) or (value.isascii() and value.isprintable()):
        return value
    return scrub_text(value)


def environment(labels: Labels, templates_dir: Path | None = None,
                allowed_image_hosts: Iterable[str] = ()) -> jinja2.Environment:
    """The Jinja environment for one site language; ``templates_dir`` is searched first."""
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a template typo is an error, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    hosts = frozenset(h.lower() for h in allowed_image_hosts)
    env.finalize = _finalize
    options: dict[int, MarkdownOptions] = {}  # one per heading level (a page asks thousands of times)

    def markdown(text: Any, heading_level: int = 3) -> Markup:
        found = options.get(heading_level)
        if found is None:
            found = options[heading_level] = MarkdownOptions(heading_level=heading_level, allowed_image_hosts=hosts)
        return render_markdown("" if text is None else str(text), found)

    inline_options = MarkdownOptions(allowed_image_hosts=hosts)

    def markdown_inline(text: Any) -> Markup:
        return render_inline("" if text is None else str(text), inline_options)

    env.filters.update(markdown=markdown, markdown_inline=markdown_inline, web_url=web_url, display=display)
    env.globals.update(t=labels, language=labels.language)
    return env


def render_page(env: jinja2.Environment, page: PageSpec) -> RenderedPage:
    """A page's HTML, with its table of contents taken from the headings the templates wrote."""
    anchors = Anchors()
    # environment() puts the page's labels there; jinja2 types its globals as plain objects.
    labels = cast(Labels, env.globals["t"])
    anchors.permalink = labels["permalink"]
    context: dict[str, Any] = dict(page.context, title=page.title, src=page.src_uri, anchor=anchors)
    body = env.get_template(page.template).render(context)
    return RenderedPage(page.src_uri, page.title, body, tuple(anchors.outline), tuple(anchors.used), page.edit_source, dict(page.meta))


def theme_title(text: str) -> str:
    """A page title for the places the theme prints it as raw HTML (``<title>``, the header)."""
    return html.escape(one_line(text), quote=True)
