"""The MkDocs plugin ``mlfolio``: a thin front end over the core.

It loads the portfolio, has :mod:`mlfolio.pages` render every page to finished HTML, and hands
MkDocs each page with its HTML and table of contents (:class:`HtmlPage`), so MkDocs never runs
Markdown over generated structure. Nothing is written into the docs folder.

Search (the ``search`` option): by default the site's own, a Pagefind index of the site's pages
(:mod:`mlfolio.pages.search`: started beside the theme's rendering by ``mkdocs build``, rebuilt
from the written site after each save by ``mkdocs serve``), found through the theme's header
search box (``theme/partials/search.html`` and ``assets/mlfolio/mlfolio-search.js``); or
Material's search plugin, handed the sections of the generated pages.
"""

from __future__ import annotations

import html
import logging
import os
import subprocess
import threading
from pathlib import Path
from typing import Any, TypedDict

import jinja2
import jinja2.bccache
from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from mlfolio.analysis.history import stale_limits
from mlfolio.analysis.verdict import DEFAULT_RULES, parse_rules
from mlfolio.mkdocs import indexer
from mlfolio.mkdocs.options import MlfolioConfig
from mlfolio.pages.labels import LANGUAGES, Labels
from mlfolio.pages.layout import SiteLayout, TocEntry
from mlfolio.pages.render import PACKAGE_TEMPLATES, RenderedPage, theme_title
from mlfolio.pages.search import IndexJob, SearchIndexError, build_index, index_document
from mlfolio.pages.site import ASSETS, SiteBuilder, SiteFile  # noqa: F401 (SiteFile re-exported)
from mlfolio.runtime import keep_heap, release_heap
from mlfolio.spec.schema import load_schema, schema_path_for

log = logging.getLogger("mkdocs.plugins.mlfolio")

#: Theme overrides: the header's search box (for the Pagefind search) and the repository link
#: without the theme's request to the GitHub API. Searched after a site's own custom_dir.
THEME_OVERRIDES = Path(__file__).parent / "theme"
#: Where Material writes the content of a page: the element the search index reads.
_ARTICLE = '<article class="md-content__inner md-typeset"'
#: What the search box says that the theme has no translation for.
_SEARCH_LABELS = {"en": {"more": "More results"}, "ko": {"more": "결과 더 보기"}}


class _SearchSlotConfig(base.Config):
    enabled = opt.Type(bool, default=True)


class SearchSlot(BasePlugin[_SearchSlotConfig]):
    """Stands in for Material's search plugin under its name, with no events of its own:
    Material's header shows its search button and ``partials/search.html`` only when a plugin
    named ``material/search`` is enabled, and the box is the site's Pagefind search."""

    def __init__(self) -> None:
        self.load_config({})


class HtmlPage(Page):
    """A page whose HTML and table of contents are already made: read and render only hand them over."""

    def __init__(self, file: File, config: MkDocsConfig, page: RenderedPage) -> None:
        super().__init__(theme_title(page.title), file, config)
        self.rendered = page

    def read_source(self, config: MkDocsConfig) -> None:
        # No Markdown to read: plugins' on_page_markdown see an empty string for these pages.
        self.markdown = ""
        self.meta = dict(self.rendered.meta, title=theme_title(self.rendered.title))
        if _search_entries(config) is not None:  # indexed by on_page_context below, from the page's own sections
            self.meta["search"] = {"exclude": True}

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = self.rendered.html
        self.toc = get_toc(_toc_tokens(self.rendered.toc))
        self.present_anchor_ids = set(self.rendered.anchors)
        self.links_to_anchors = {}


def _search_entries(config: MkDocsConfig) -> list[dict[str, Any]] | None:
    """The entry list of mkdocs-material's search index, if the site uses that search.

    Material's search parses every page's HTML with Python's HTMLParser, half of a large
    build; our pages know their sections already, so they hand them over as entries of the
    same shape. Anything else (another search plugin, a Material that changed) is left to
    index the pages itself."""
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    index = getattr(plugin, "search_index", None)
    entries = getattr(index, "entries", None)
    return entries if isinstance(entries, list) and callable(getattr(index, "generate_search_index", None)) else None


class TocToken(TypedDict):
    """A heading as MkDocs' ``get_toc`` takes it (Python-Markdown's toc token); ``name`` is HTML."""

    level: int
    id: str
    name: str
    children: list[TocToken]


def index_sections(page: Page, config: MkDocsConfig) -> None:
    """Hand Material's search index the sections of one of our pages (see :func:`_search_entries`)."""
    entries = _search_entries(config)
    if isinstance(page, HtmlPage) and entries is not None:
        for section in page.rendered.search_sections():
            entries.append({"location": page.url + (f"#{section.id}" if section.id else ""),
                            "title": html.escape(section.title, quote=False), "text": html.escape(section.text, quote=False)})


def _toc_tokens(entries: tuple[TocEntry, ...]) -> list[TocToken]:
    """Headings as the nested tokens MkDocs' ``get_toc`` takes (Python-Markdown's shape)."""
    root: list[TocToken] = []
    stack: list[tuple[int, list[TocToken]]] = [(1, root)]
    for entry in entries:
        token: TocToken = {"level": entry.level, "id": entry.id, "name": html.escape(entry.title), "children": []}
        while len(stack) > 1 and stack[-1][0] >= entry.level:
            stack.pop()
        stack[-1][1].append(token)
        stack.append((entry.level, token["children"]))
    return root


def _indexed(report: Any) -> str:
    return (f"mlfolio: search index of {report.pages} pages ({report.korean_pages} with Korean index text) "
            f"built in {report.seconds:.1f} s")


class BackgroundIndexer:
    """The search index under ``mkdocs serve``, rebuilt beside the server.

    Indexing the whole site takes seconds; a preview should show a saved spec at once. So the
    server serves the new pages as soon as they are written, and the index follows beside it.
    One index build runs at a time, in a process of its own at a lower priority
    (:mod:`mlfolio.mkdocs.indexer`); saves made while it runs ask for one more build, not one
    each. A failure is logged (the preview goes on); ``mkdocs build`` waits for its index and fails."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wanted: Path | None = None
        self._thread: threading.Thread | None = None
        self._children: list[subprocess.Popen[str]] = []
        self._stopped = False

    def request(self, site_dir: Path) -> None:
        with self._lock:
            if self._stopped:
                return
            self._wanted = site_dir
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mlfolio-search-index", daemon=True)
                self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Until no index build is running or wanted (for tests and a clean exit)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                site_dir, self._wanted = self._wanted, None
                if site_dir is None:
                    self._thread = None
                    return
            try:
                log.info(_indexed(indexer.index_in_child(site_dir, started=self._started)))
            except SearchIndexError as exc:
                if not self._stopped:
                    log.warning(f"mlfolio: search index not updated: {exc}")
            finally:
                with self._lock:
                    self._children.clear()

    def _started(self, child: subprocess.Popen[str]) -> None:
        with self._lock:
            stopped = self._stopped
            if not stopped:
                self._children.append(child)
        if stopped:  # the server stopped while the child was starting
            indexer.stop(child)

    def stop(self) -> None:
        """The server stops: no more index builds, and the running one is ended."""
        with self._lock:
            self._stopped = True
            self._wanted = None
            children = list(self._children)
        for child in children:
            indexer.stop(child)


class CompiledTemplates(jinja2.BytecodeCache):
    """The theme's templates, compiled once per ``mkdocs serve``.

    MkDocs makes a new Jinja environment for every rebuild, which parses and compiles every
    theme template it renders again: about half a second of each rebuild with Material. Kept
    here (in memory, on the plugin, which lives as long as the server), a template is compiled
    again only when its source changes (Jinja compares the source's checksum)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._settings: tuple[object, ...] = ()

    def use_for(self, env: jinja2.Environment) -> None:
        """Serve ``env``'s templates; what was compiled under other settings (an edit of
        ``mkdocs.yml`` that changes the theme's extensions or syntax) is dropped."""
        settings = (tuple(sorted(env.extensions)), env.block_start_string, env.variable_start_string,
                    env.comment_start_string, env.line_statement_prefix, env.trim_blocks, env.lstrip_blocks,
                    env.newline_sequence, env.keep_trailing_newline, env.optimized, repr(env.autoescape))
        if settings != self._settings:
            self._code.clear()
            self._settings = settings
        env.bytecode_cache = self

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class MlfolioPlugin(BasePlugin[MlfolioConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.indexer = BackgroundIndexer()
        self.compiled = CompiledTemplates()
        self.command = ""
        self.dirty = False
        self.site: SiteBuilder | None = None
        self.not_indexed: frozenset[str] = frozenset()  # generated pages left out of the search index
        self.index_job: IndexJob | None = None  # `mkdocs build`: the search index, made while the theme renders the pages

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance alive across `serve` rebuilds, and with it the
        # cache of rendered project pages: an edit re-renders only what it changed.
        self.command = command
        self.dirty = dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base_dir = Path(config.config_file_path or ".").resolve().parent
        specs_dir = (base_dir / self.config.specs_dir).resolve()
        docs_dir = Path(config.docs_dir).resolve()
        if not specs_dir.is_dir():
            raise PluginError(f"mlfolio: specs_dir not found: {specs_dir} (set `specs_dir` in the plugin options)")
        # The folder as the user names it (a link keeps its name in messages and on the pages),
        # compared with the docs folder where both really are.
        named = Path(os.path.normpath(base_dir / self.config.specs_dir))
        if specs_dir == docs_dir or specs_dir.is_relative_to(docs_dir) or docs_dir.is_relative_to(specs_dir):
            raise PluginError(f"mlfolio: specs_dir ({self.config.specs_dir}) and docs_dir ({config.docs_dir}) must be separate "
                              "folders: everything in docs_dir is published as it is. Keep the specs in their own folder "
                              "(such as projects/) and the site's own pages, if any, in docs_dir")
        schema_path = Path(self.config.schema) if self.config.schema else schema_path_for(base_dir)
        try:
            schema = load_schema(schema_path)
        except (OSError, ValueError) as exc:  # unreadable, not JSON, not a spec schema
            raise PluginError(f"mlfolio: {schema_path} is not a usable schema: {exc}") from None
        try:
            rules = parse_rules(self.config.verdict_rules, schema) if self.config.verdict_rules is not None else DEFAULT_RULES
        except ValueError as exc:
            raise PluginError(f"mlfolio: invalid verdict_rules in {config.config_file_path}: {exc}") from None
        try:
            stale_after = stale_limits(self.config.stale_after, schema.stages)
        except ValueError as exc:
            raise PluginError(f"mlfolio: invalid stale_after in {config.config_file_path}: {exc}") from None
        theme_language = str(config.theme.get("language") or "en")
        labels = Labels(self.config.language or (theme_language if theme_language in LANGUAGES else "en"))
        layout = SiteLayout(self.config.pages_dir, bool(config.use_directory_urls))
        templates = Path(self.config.templates_dir) if self.config.templates_dir else None
        site = SiteBuilder(named, base_dir, schema, schema_path, rules, labels, layout, templates,
                           self.config.allowed_image_hosts, Path(config.config_file_path) if config.config_file_path else None,
                           incremental=self.command == "serve", reviewers=self.config.reviewers, stale_after=stale_after)
        if self.site is not None and self.site.settings == site.settings:
            site = self.site  # the same settings while serving: keep what is already rendered
        self.site = site
        assets = [("mlfolio.css", config.extra_css), ("mlfolio.js", config.extra_javascript),
                  ("portfolio.css", config.extra_css), ("portfolio.js", config.extra_javascript)]  # the home page's filters
        if self.config.search == "pagefind":
            self._use_pagefind(config)
            assets += [("mlfolio-search.css", config.extra_css), ("mlfolio-search.js", config.extra_javascript)]
        elif "material/search" not in config.plugins and "search" not in config.plugins:
            raise PluginError("mlfolio: `search: material` needs Material's search plugin: add `- search` to `plugins`")
        self.not_indexed = frozenset(layout.path(name) for name in ("index.md", "teams.md", "stages.md", "tags.md"))
        for name, target in assets:
            uri = f"assets/mlfolio/{name}"
            if uri not in [str(x) for x in target]:
                target.append(uri)
        return config

    def _use_pagefind(self, config: MkDocsConfig) -> None:
        if "material/search" in config.plugins or "search" in config.plugins:
            raise PluginError("mlfolio: the site's search is Pagefind (the `search` option, default `pagefind`): "
                              "remove `- search` (Material's search) from `plugins`, or set `search: material`")
        if config.theme.name != "material":
            raise PluginError("mlfolio: `search: pagefind` puts its search box in the mkdocs-material theme's header; "
                              "with another theme, set `search: material` or use `theme: material`")
        config.plugins["material/search"] = SearchSlot()
        dirs = config.theme.dirs
        if str(THEME_OVERRIDES) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_OVERRIDES))

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.site is not None
        result = self.site.build()
        if self.command == "build":
            keep_heap()  # released by on_post_build / on_build_error
        for note in result.notes:  # said once per build: no git history, an unusable SOURCE_DATE_EPOCH
            log.info(f"mlfolio: {note}")
        for diagnostic in result.diagnostics:
            (log.error if diagnostic.is_error else log.warning)(diagnostic.format())
        if result.errors and self.command != "serve":
            raise PluginError(f"mlfolio: {result.errors} error(s) in project specs; fix them (see above) or run `mlfolio validate`")
        for page in result.pages:
            file = self._add(files, config, page.src_uri, page.html,
                             InclusionLevel.NOT_IN_NAV if page.edit_source else InclusionLevel.UNDEFINED)
            file.edit_uri = page.edit_source
            if self.dirty and page.src_uri in result.unchanged:
                # `mkdocs serve --dirty` (make serve): MkDocs rewrites only modified files, and a
                # generated file counts as modified unless told otherwise. This page is the very
                # object the last build wrote, so what is on disk is still right.
                file.is_modified = lambda: False  # type: ignore[method-assign]
            HtmlPage(file, config, page)
        for extra in result.files:
            self._add(files, config, extra.src_uri, extra.content)
        return files

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self.command == "serve" and isinstance(env, jinja2.Environment) and env.bytecode_cache is None:
            self.compiled.use_for(env)
        if self.config.search == "pagefind" and self.site is not None:
            labels = self.site.labels
            env.globals["mlfolio_search"] = {
                "filters": [("stage", labels["stage"]), ("verdict", labels["verdict"]), ("team", labels["team"]), ("tag", labels["tags"])],
                **_SEARCH_LABELS.get(labels.language, _SEARCH_LABELS["en"]),
                # A served site's pages come before their index: nothing to preload yet.
                "preload": self.command != "serve",
            }
        if self.config.search == "pagefind" and self.command == "build" and not self.dirty:
            self._start_index(config, files)
        return env

    def _start_index(self, config: MkDocsConfig, files: Files) -> None:
        """Start Pagefind over every page's content now, while MkDocs renders the theme around
        them (a third of a large build, done beside the rest of it instead of after it).

        What is indexed is what the theme puts in each page's article: the page's content, which
        every page has by now (the plugin's pages as rendered, the docs folder's as MkDocs
        converted them, after every plugin's ``on_page_content``), under the first-level heading
        Material's article adds to a page without one; the listings are left out as
        ``on_post_page`` leaves them unmarked. (Material also puts the tags plugin's tags and a
        feedback widget in the article, when those are on; they are not indexed here.)"""
        language = str(config.theme.get("language") or "en")
        documents = ((file.dest_uri, index_document(file.page.content, file.page.title or config.site_name, language))
                     for file in files.documentation_pages()
                     if file.page is not None and file.page.content is not None and file.src_uri not in self.not_indexed)
        self._abort_index()
        try:
            self.index_job = IndexJob(documents)
        except SearchIndexError as exc:
            raise PluginError(f"mlfolio: search index: {exc}") from None

    def _abort_index(self) -> None:
        job, self.index_job = self.index_job, None
        if job is not None:
            job.abort()

    def on_build_error(self, *, error: Exception) -> None:
        release_heap()
        self._abort_index()

    def on_page_content(self, html_text: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if not self.config.mermaid and 'class="mermaid"' in html_text:
            # Material draws these with Mermaid loaded from a CDN; off, they are code blocks.
            html_text = html_text.replace('<pre class="mermaid"><code>', '<pre><code class="language-mermaid">')
        return html_text

    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        index_sections(page, config)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self.config.search == "pagefind" and page.file.src_uri not in self.not_indexed:
            # The content of the page is what the index reads (the header, navigation and
            # footer are not); a page without the mark is left out.
            output = output.replace(_ARTICLE, _ARTICLE + " data-pagefind-body", 1)
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        release_heap()
        if self.config.search != "pagefind":
            return
        if self.command == "serve":  # the preview: the pages are served now, their words searchable a moment later
            self.indexer.request(Path(config.site_dir))
            return
        job, self.index_job = self.index_job, None
        try:
            report = job.finish(Path(config.site_dir)) if job is not None else build_index(Path(config.site_dir))
        except SearchIndexError as exc:
            raise PluginError(f"mlfolio: search index: {exc}") from None
        log.info(_indexed(report))

    def on_shutdown(self) -> None:
        # Also after Ctrl-C, which MkDocs does not report as a build error.
        self.indexer.stop()
        self._abort_index()
        release_heap()

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        assert self.site is not None
        for path in (self.site.specs_dir, self.site.schema_path, PACKAGE_TEMPLATES, ASSETS, self.site.templates_dir):
            if path is not None:
                server.watch(str(path))
        return server

    @staticmethod
    def _add(files: Files, config: MkDocsConfig, src_uri: str, content: str | bytes,
             inclusion: InclusionLevel = InclusionLevel.UNDEFINED) -> File:
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(f"mlfolio: {src_uri} exists in the docs folder and would be replaced by a generated page; "
                              "set `pages_dir` to another folder")
        file = File.generated(config, src_uri, content=content, inclusion=inclusion)
        files.append(file)
        return file


__all__ = ["HtmlPage", "MlfolioPlugin", "SiteFile"]
