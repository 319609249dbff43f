"""The whole site from a specs folder: every page as finished HTML, plus the files beside them.

This is what a site engine calls (the MkDocs plugin does); it imports no engine. A builder
keeps the project pages it rendered, so a rebuild with the same settings (``mkdocs serve``
after a save) re-renders only the projects whose spec changed, and the portfolio pages.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from mlfolio.analysis.history import HistoryReader, HistoryView, build_time, stale_limits
from mlfolio.analysis.model import Analysed, Portfolio, Project, load_portfolio
from mlfolio.analysis.verdict import VerdictRule
from mlfolio.analysis.verdict_checks import verdict_checks
from mlfolio.pages.builder import PageBuilder
from mlfolio.pages.export import export_csv, export_json
from mlfolio.pages.labels import Labels
from mlfolio.pages.layout import SiteLayout
from mlfolio.pages.render import PACKAGE_TEMPLATES, RenderedPage, environment, render_page
from mlfolio.runtime import collector_paused
from mlfolio.spec.check import Checker
from mlfolio.spec.diagnostics import Diagnostic
from mlfolio.spec.schema import SpecSchema

ASSETS = Path(__file__).parent / "assets"


@dataclass(frozen=True)
class SiteFile:
    """A file of the site that is not a page (``projects.json``, the stylesheet)."""

    src_uri: str
    content: str


@dataclass(frozen=True)
class SiteBuild:
    """One build: the pages, the other files, and what validation found."""

    pages: tuple[RenderedPage, ...]
    files: tuple[SiteFile, ...]
    diagnostics: tuple[Diagnostic, ...]
    portfolio: Portfolio
    unchanged: frozenset[str] = frozenset()  # pages (src_uri) identical to the previous build's
    notes: tuple[str, ...] = ()  # said once per build, not a problem: no git history, an unusable SOURCE_DATE_EPOCH

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)


def _fingerprint(folders: Iterable[Path | None]) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and times of the templates: a template edited while serving renders anew."""
    found = []
    for folder in folders:
        if folder is not None and folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    info = path.stat()
                    found.append((path.as_posix(), info.st_size, info.st_mtime_ns))
    return tuple(found)


class SiteBuilder:
    """Builds the site for one set of settings; :meth:`build` may be called again after edits."""

    def __init__(self, specs_dir: Path, root: Path, schema: SpecSchema, schema_path: Path, rules: Sequence[VerdictRule],
                 labels: Labels, layout: SiteLayout, templates_dir: Path | None = None,
                 allowed_image_hosts: Sequence[str] = (), site_config: Path | None = None, *, incremental: bool = True,
                 stale_after: Mapping[str, int | None] | None = None, reviewers: Sequence[str] = ()) -> None:
        """``site_config`` is the engine's own settings file (``mkdocs.yml``): when it changes,
        nothing rendered before is reused. ``incremental=False`` (a one-off build) keeps nothing
        for a next build: the loaded specs are freed as soon as their pages are rendered.
        ``stale_after``: days a spec may stay untouched per stage (over the defaults; ``None``:
        never stale); a stage the schema does not know raises ``ValueError``."""
        self.specs_dir = specs_dir
        self.root = root
        self.schema = schema
        self.schema_path = schema_path
        self.rules = tuple(rules)
        self.labels = labels
        self.layout = layout
        self.templates_dir = templates_dir
        self.allowed_image_hosts = tuple(allowed_image_hosts)
        self.site_config = site_config
        self.incremental = incremental
        self.stale_after = stale_limits(stale_after, schema.stages)
        self.history = HistoryReader(specs_dir, schema, self.rules)
        self._cache: dict[str, tuple[tuple[object, ...], RenderedPage]] = {}
        self._analysed: Analysed | None = {} if incremental else None
        self.reviewers = tuple(reviewers)  # who may override a verdict (empty: anyone)
        self.checker = Checker(schema, remember=incremental, checks=verdict_checks(schema, self.rules, self.reviewers))
        self._env: jinja2.Environment | None = None
        self._templates: tuple[tuple[str, int, int], ...] = ()

        self.settings = self._settings()

    def _settings(self) -> tuple[object, ...]:
        """What a rendered page depends on besides its own spec, as it is now."""
        digests = [hashlib.sha256(path.read_bytes()).hexdigest() if path is not None and path.is_file() else ""
                   for path in (self.schema_path, self.site_config)]
        return (self.specs_dir, self.root, *digests, self.rules, self.labels.language,
                self.layout, self.templates_dir, self.allowed_image_hosts, tuple(sorted(self.stale_after.items())))

    def environment(self) -> jinja2.Environment:
        templates = _fingerprint((PACKAGE_TEMPLATES, self.templates_dir))
        if self._env is None or templates != self._templates:
            self._env = environment(self.labels, self.templates_dir, self.allowed_image_hosts)
            self._templates = templates
            self._cache.clear()
        return self._env

    def build(self) -> SiteBuild:
        with collector_paused():
            return self._build()

    def _build(self) -> SiteBuild:
        portfolio = load_portfolio([self.specs_dir], self.schema, self.rules, self.root, self.checker, self._analysed)
        env = self.environment()
        now, clock_note = build_time()
        history = self.history.read({posixpath.basename(p.file): p for p in portfolio.projects})
        view = HistoryView(history, now, self.stale_after)
        builder = PageBuilder(self.schema, self.labels, self.layout, self.rules)
        builder.history = view
        portfolio_specs = builder.portfolio_pages(portfolio)  # also learns the group anchors
        before = {uri: page for uri, (_, page) in self._cache.items()}
        pages = [self._project_page(env, builder, project) for project in portfolio.projects]
        self._cache = {p.src_uri: self._cache[p.src_uri] for p in pages if p.src_uri in self._cache}  # forget removed projects
        unchanged = frozenset(p.src_uri for p in pages if before.get(p.src_uri) is p)
        pages.extend(render_page(env, spec) for spec in portfolio_specs)
        urls = {p.id: self.layout.url(self.layout.project(p.id)) for p in portfolio.projects}
        files = [SiteFile(self.layout.path("projects.json"), export_json(portfolio, urls, view)),
                 SiteFile(self.layout.path("projects.csv"), export_csv(builder.csv_rows(portfolio)))]
        files.extend(SiteFile(f"assets/mlfolio/{asset.name}", asset.read_text(encoding="utf-8")) for asset in sorted(ASSETS.iterdir()))
        notes = tuple(note for note in (history.message, clock_note) if note)
        return SiteBuild(tuple(pages), tuple(files), tuple(portfolio.run.diagnostics), portfolio, unchanged, notes)

    def _project_page(self, env: jinja2.Environment, builder: PageBuilder, project: Project) -> RenderedPage:
        if not self.incremental:  # nothing is kept for a next build: no key to make
            return render_page(env, builder.project_page(project))
        src = self.layout.project(project.id)
        key = (project.data_digest, builder.group_links(project), tuple(d.format() for d in project.warnings),
               builder.history_key(project))
        cached = self._cache.get(src)
        if cached is not None and cached[0] == key:
            return cached[1]
        page = render_page(env, builder.project_page(project))
        self._cache[src] = (key, page)
        return page
