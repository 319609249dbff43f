"""The MkDocs plugin ``mlfolio``: a thin front end that feeds specs through the core and
adds the generated pages as virtual files (nothing is written into ``docs/``)."""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from mlfolio.spec.check import Checker
from mlfolio.pages.export import export_json
from mlfolio.pages.labels import LANGUAGES, Labels
from mlfolio.analysis.model import build_portfolio
from mlfolio.pages.builder import PROJECT_PAGES, PageBuilder, SiteLayout
from mlfolio.cli.parallel import can_fork, collector_paused, usable_cores
from mlfolio.mkdocs.prerender import MIN_PAGES, Pending, PreparedPage, prepare, stateful_extension
from mlfolio.pages.render import PACKAGE_TEMPLATES, environment, render_page, render_project_pages
from mlfolio.spec.schema import load_schema, schema_path_for
from mlfolio.analysis.verdict import DEFAULT_RULES, parse_rules

log = logging.getLogger("mkdocs.plugins.mlfolio")

ASSETS = Path(__file__).resolve().parent.parent / "pages" / "assets"
REQUIRED_EXTENSIONS = ("tables", "toc", "attr_list", "md_in_html", "admonition", "pymdownx.details")


class MlfolioConfig(base.Config):
    specs_dir = opt.Type(str, default="projects")
    """Folder of project specs (`*.yaml`), relative to `mkdocs.yml`."""
    schema = opt.Optional(opt.Type(str))
    """Spec schema, relative to `mkdocs.yml`. Default: `schemas/project.schema.json` if present, else the bundled one."""
    pages_dir = opt.Type(str, default="portfolio")
    """Where the generated pages go inside the site (`""` = the site root)."""
    language = opt.Optional(opt.Choice(LANGUAGES))
    """Label language, `en` or `ko`. Default: the theme's language if it is one of those, else `en`."""
    verdict_rules = opt.Optional(opt.Type(list))
    """Verdict rules replacing the defaults (see "How verdicts are decided")."""
    templates_dir = opt.Optional(opt.Dir(exists=True))
    """Folder of template overrides, searched before the bundled templates."""
    workers = opt.Optional(opt.Type(int))
    """Processes that render project pages in `mkdocs build`: `1` = this process only. Default: one per core from 300 pages."""


class MlfolioPlugin(BasePlugin[MlfolioConfig]):
    def __init__(self) -> None:
        self.command = ""
        self.project_files: list[File] = []
        self.pending: Pending | None = None

    # Project pages are NOT_IN_NAV files: MkDocs leaves them out of an automatic navigation,
    # which matters because every page embeds the navigation (a build would grow with the
    # square of the pages otherwise).

    @property
    def serving(self) -> bool:
        return self.command == "serve"

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup also keeps this instance alive across `serve` rebuilds.
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base_dir = Path(config.config_file_path or ".").resolve().parent
        self.base_dir = base_dir
        self.specs_dir = base_dir / self.config.specs_dir
        self.schema_path = base_dir / self.config.schema if self.config.schema else schema_path_for(base_dir)
        if not self.schema_path.is_file():
            raise PluginError(f"mlfolio: schema not found: {self.schema_path}")
        if not self.specs_dir.is_dir():
            raise PluginError(f"mlfolio: specs_dir not found: {self.specs_dir} (set `specs_dir` in the plugin options)")
        try:
            self.schema = load_schema(self.schema_path)
        except (OSError, ValueError) as exc:  # unreadable, not JSON, not a spec schema
            raise PluginError(f"mlfolio: {self.schema_path} is not a usable schema: {exc}") from None
        try:
            self.rules = parse_rules(self.config.verdict_rules, self.schema) if self.config.verdict_rules is not None else DEFAULT_RULES
        except ValueError as exc:
            raise PluginError(f"mlfolio: invalid verdict_rules in {config.config_file_path}: {exc}") from None
        if self.config.workers is not None and self.config.workers < 1:
            raise PluginError(f"mlfolio: workers must be 1 or more, not {self.config.workers} (1 renders in this process only)")
        theme_language = str(config.theme.get("language") or "en")
        self.labels = Labels(self.config.language or (theme_language if theme_language in LANGUAGES else "en"))
        self.layout = SiteLayout(_pages_dir(self.config.pages_dir))
        for ext in REQUIRED_EXTENSIONS:
            if ext not in config.markdown_extensions:
                config.markdown_extensions.append(ext)
        if "pymdownx.superfences" not in config.markdown_extensions:
            config.markdown_extensions.append("pymdownx.superfences")
        fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
        if not any(f.get("name") == "mermaid" for f in fences):
            from pymdownx.superfences import fence_code_format

            fences.append({"name": "mermaid", "class": "mermaid", "format": fence_code_format})
        for name, target in (("mlfolio.css", config.extra_css), ("mlfolio.js", config.extra_javascript)):
            uri = f"assets/mlfolio/{name}"
            if uri not in [str(x) for x in target]:
                target.append(uri)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        # Thousands of specs and pages of acyclic data: the cycle collector would only rescan
        # them, so it stays paused for the whole step (re-enabling between steps cost seconds).
        with collector_paused():
            return self._generate(files, config)

    def _generate(self, files: Files, config: MkDocsConfig) -> Files:
        run = Checker(self.schema).check_paths([self.specs_dir], root=self.base_dir)
        for diagnostic in run.diagnostics:
            (log.error if diagnostic.is_error else log.warning)(diagnostic.format())
        if run.errors and not self.serving:
            raise PluginError(f"mlfolio: {run.errors} error(s) in project specs; fix them (see above) or run `mlfolio validate`")
        portfolio = build_portfolio(run, self.schema, self.rules)
        env = environment(self.labels, Path(self.config.templates_dir) if self.config.templates_dir else None)
        builder = PageBuilder(self.schema, self.labels, self.layout, self.rules)
        workers = self._workers(len(portfolio.projects) * len(PROJECT_PAGES))
        self.project_files = []
        for page in render_project_pages(env, builder, portfolio.projects, workers):
            self.project_files.append(self._add(files, config, page.src_uri, page.markdown, InclusionLevel.NOT_IN_NAV, page.edit_source))
        for page in builder.portfolio_pages(portfolio):
            self._add(files, config, page.src_uri, render_page(env, page))
        urls = {p.id: files.get_file_from_path(self.layout.project(p.id)).url for p in portfolio.projects}
        self._add(files, config, self.layout.path("projects.json"), export_json(portfolio, urls))
        for asset in sorted(ASSETS.iterdir()):
            self._add(files, config, f"assets/mlfolio/{asset.name}", asset.read_text(encoding="utf-8"))
        return files

    @event_priority(-100)  # last: the configuration and files the workers inherit are final
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        # The project pages MkDocs reaches last are converted by workers while it works
        # through the others (see prerender.py). MkDocs made a Page for every file by now;
        # a project page that is not in the navigation gets one that can take a worker's
        # result instead (a page someone put in `nav` is left as it is).
        workers = self._workers(len(self.project_files))
        stateful = stateful_extension(config) if workers > 1 else None
        if stateful is not None:
            log.debug(f"mlfolio: pages converted in this process only: {stateful} may keep state across pages")
        elif workers > 1:
            in_nav = {id(page) for page in nav.pages}
            pages = [PreparedPage(None, file, config) for file in self.project_files
                     if type(file.page) is Page and id(file.page) not in in_nav]
            self.pending = prepare(pages, config, files, workers)
        return nav

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.pending is not None:
            log.debug(f"mlfolio: {self.pending.used} pages took a worker's result")
        self._stop_workers()

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_workers()

    def _stop_workers(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None

    def _workers(self, pages: int) -> int:
        """Processes for the project pages: 1 while serving (the server's threads make forking
        unsafe) or where processes cannot be forked, else the ``workers`` option, or one per
        core for a portfolio large enough to pay for them."""
        if self.command not in ("build", "gh-deploy") or not can_fork():
            return 1
        if self.config.workers is not None:
            return self.config.workers
        return usable_cores() if pages >= MIN_PAGES else 1

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.specs_dir))
        server.watch(str(self.schema_path))
        server.watch(str(PACKAGE_TEMPLATES))
        server.watch(str(ASSETS))
        if self.config.templates_dir:
            server.watch(str(self.config.templates_dir))
        return server

    def _add(self, files: Files, config: MkDocsConfig, src_uri: str, content: str,
             inclusion: InclusionLevel = InclusionLevel.UNDEFINED, edit_source: str | None = None) -> File:
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            raise PluginError(f"mlfolio: {src_uri} exists in the docs folder and would be replaced by a generated page; set `pages_dir` to another folder")
        file = File.generated(config, src_uri, content=content, inclusion=inclusion)
        file.edit_uri = edit_source
        files.append(file)
        return file


def _pages_dir(value: str) -> str:
    """``pages_dir`` as a relative folder inside the site; anything that leaves it is an error."""
    cleaned = posixpath.normpath(value.replace("\\", "/").strip("/")) if value.strip("/") else ""
    if cleaned in (".", ""):
        return ""
    if cleaned.startswith("/") or cleaned == ".." or cleaned.startswith("../"):
        raise PluginError(f"mlfolio: pages_dir {value!r} must be a folder inside the site, such as 'portfolio' (or '' for the root)")
    return cleaned
