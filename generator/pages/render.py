"""Jinja rendering of pages to Markdown. All filters are registered here, in one place.

Templates live in ``generator/templates/``. A user's ``templates_dir`` is searched first, so
a file there with the same name replaces ours; ours stay reachable as ``_base/<name>`` for
``{% extends %}`` and block overrides.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from mlfolio.pages import markup
from mlfolio.pages.labels import Labels
from mlfolio.analysis.model import Project
from mlfolio.pages.builder import PageBuilder, PageSpec
from mlfolio.cli.parallel import fork_map

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"


def environment(labels: Labels, templates_dir: Path | None = None) -> jinja2.Environment:
    package = jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES))
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders.append(jinja2.PrefixLoader({"_base": package}))
    loaders.append(package)
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Output is Markdown, not HTML: escaping is done by the md_* filters on every value
        # that comes from a spec. StrictUndefined turns a template typo into an error.
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md_text=markup.md_text,
        md_inline=markup.md_inline,
        md_cell=markup.md_cell,
        md_link=markup.md_link,
        md_code=markup.md_code,
        slug=markup.slug,
    )
    env.globals.update(t=labels, language=labels.language)
    return env


def theme_html(text: str) -> str:
    """Text for the places mkdocs-material prints as raw HTML: the page title and tag names.

    Material prints ``page.meta.title`` (in ``<title>`` and the header) and tag names without
    escaping, so they are HTML-escaped here, once: the browser shows exactly what was typed.
    Every generated page sets ``title``, so Material's other path (``page.title | striptags``,
    which would undo the escaping) is never taken."""
    return html.escape(" ".join(str(text).split()), quote=True)


def front_matter(page: PageSpec) -> str:
    """YAML front matter: the title and tags as theme HTML. JSON values are valid YAML."""
    meta: dict[str, Any] = {"title": theme_html(page.title)}
    for key, value in page.meta.items():
        meta[key] = [theme_html(v) for v in value] if key == "tags" else value
    lines = ["---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()), "---", ""]
    return "\n".join(lines)


def render_page(env: jinja2.Environment, page: PageSpec) -> str:
    context: dict[str, Any] = dict(page.context, title=page.title, src=page.src_uri)
    text = front_matter(page) + env.get_template(page.template).render(context)
    # Normalise what the templates leave: no trailing spaces, at most one blank line in a row
    # (but never inside fenced code, whose blank lines are the author's), one final newline.
    out: list[str] = []
    fence = ""
    for line in (line.rstrip() for line in text.splitlines()):
        marker = line.lstrip()[:3]
        if marker in ("```", "~~~"):
            fence = "" if fence and marker == fence else (fence or marker)
        if not fence and line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


@dataclass(frozen=True)
class RenderedPage:
    """A page's Markdown and where it goes: all a front end needs to add it to a site."""

    src_uri: str
    markdown: str
    edit_source: str | None


def render_project_pages(env: jinja2.Environment, builder: PageBuilder, projects: Sequence[Project], workers: int = 1) -> list[RenderedPage]:
    """Every project's pages, in order; with ``workers`` > 1 split across forked processes
    (only the Markdown travels back, and it is the same text a single process renders)."""

    def render(part: Sequence[Project]) -> list[list[RenderedPage]]:
        return [[RenderedPage(page.src_uri, render_page(env, page), page.edit_source) for page in builder.project_pages(project)] for project in part]

    return [page for pages in fork_map(render, projects, workers) for page in pages]
