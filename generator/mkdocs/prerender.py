"""Convert the project pages' Markdown on every core, beside MkDocs' own loop (plugin side).

MkDocs renders one page after another in a single process, and converting Markdown to HTML is
about half of a portfolio build. When the navigation is ready (``on_nav``, the last event
before MkDocs' page loop), the plugin hands the project pages MkDocs will reach last to forked
workers, which do exactly what MkDocs would (``Page.read_source``, then ``Page.render`` with
the site's own Markdown extensions) on their copy of the site, while MkDocs converts the pages
before them itself. MkDocs then runs its loop as usual, every plugin event firing for every
page; when it reaches the first of the workers' pages it waits for their results. A page takes
its result only if the Markdown it is asked to render is the very text the worker rendered (a
plugin that changed it in ``on_page_markdown`` gets a fresh render), and replays the log
records the worker kept for it at that moment, so the site and the log are those of a
one-process build, byte for byte.

The same idea as Sphinx's ``-j``: fork, so workers inherit the loaded configuration instead of
re-reading it. It is used only where that is safe: a ``build`` (never ``serve``, whose server
threads make forking unsafe), a platform with ``fork``, and Markdown extensions known to keep
no state across pages (an extension that records anchors for other pages, such as
mkdocs-autorefs, would lose what a worker recorded), so any other extension turns it off. The
plugin decides how many workers (``MIN_PAGES``, the ``workers`` option).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import Any

from mkdocs import __version__ as mkdocs_version
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from mlfolio.cli.parallel import Batch

__all__ = ["MIN_PAGES", "Pending", "PreparedPage", "prepare", "stateful_extension"]

log = logging.getLogger("mkdocs.plugins.mlfolio")

MIN_PAGES = 300  # below this, starting workers costs more than it saves
# Extension modules whose Markdown instances keep no state shared between pages (MkDocs makes
# one instance per page).
STATELESS_EXTENSION_MODULES = ("markdown.extensions.", "pymdownx.", "material.")


class _Prepared:
    __slots__ = ("attrs", "markdown", "owner", "records")

    def __init__(self, markdown: str, attrs: dict[str, Any], records: list[logging.LogRecord], owner: Pending) -> None:
        self.markdown = markdown
        self.attrs = attrs
        self.records = records
        self.owner = owner


class PreparedPage(Page):
    """A generated page whose Markdown may be converted ahead of time by a worker."""

    prepared: _Prepared | None = None
    pending: Pending | None = None

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.pending is not None:
            self.pending.collect()
        prepared, self.prepared = self.prepared, None
        if prepared is None or prepared.markdown != self.markdown:
            super().render(config, files)
            return
        for record in prepared.records:
            logging.getLogger(record.name).handle(record)
        self.__dict__.update(prepared.attrs)
        prepared.owner.used += 1


def stateful_extension(config: MkDocsConfig) -> str | None:
    """The first Markdown extension, or function in an extension's settings (a ``slugify``, a
    fence ``format``), from a module not known to keep its state within a page; else None."""
    short_names = {ep.name: ep.value for ep in entry_points(group="markdown.extensions")}
    for ext in config.markdown_extensions:
        name = ext if isinstance(ext, str) else type(ext).__module__
        module = short_names.get(name, name)  # Python-Markdown resolves short names the same way
        if not module.startswith(STATELESS_EXTENSION_MODULES):
            return name
    for function in _callables(config.mdx_configs):
        module = getattr(function, "__module__", None) or ""
        if not module.startswith(STATELESS_EXTENSION_MODULES):
            return f"{module}.{getattr(function, '__qualname__', type(function).__name__)}"
    return None


def _callables(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [f for v in value.values() for f in _callables(v)]
    if isinstance(value, (list, tuple)):
        return [f for v in value for f in _callables(v)]
    return [value] if callable(value) else []


# What ``Page.render`` sets in MkDocs 1.6; a worker that sees it set anything else gives up.
RENDER_ATTRS = frozenset({"content", "toc", "_title_from_render", "present_anchor_ids", "links_to_anchors"})

_RECORDS: list[logging.LogRecord] = []


def _keep_record(logger: logging.Logger, record: logging.LogRecord) -> None:
    """``Logger.handle`` in a worker: keep the record for the parent to handle (its filters
    and handlers then see it once, in MkDocs' order)."""
    if logger.disabled:
        return
    record.msg, record.args = record.getMessage(), None
    if record.exc_info:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    _RECORDS.append(record)


_Result = tuple[str, dict[str, Any], list[logging.LogRecord]]
_INCOMPATIBLE = "incompatible"


def _render(pages: Sequence[Page], config: MkDocsConfig, files: Files) -> list[_Result | str | None]:
    """In a worker: what MkDocs' ``read_source`` and ``render`` make of each page."""
    logging.Logger.handle = _keep_record  # type: ignore[method-assign]  # this process only
    out: list[_Result | str | None] = []
    for page in pages:
        config._current_page = page
        original = dict(page.__dict__)
        try:
            page.read_source(config)  # MkDocs reads it again, and logs what that logs
            _RECORDS.clear()
            markdown = page.markdown
            before = dict(page.__dict__)
            Page.render(page, config, files)
            changed = {k: v for k, v in page.__dict__.items() if k not in before or before[k] is not v}
        except Exception:  # MkDocs renders the page again and reports the error itself
            out.append(None)
            continue
        finally:
            config._current_page = None
            page.__dict__ = original  # the result travels back; this copy of the page need not keep it
        if not set(changed) <= RENDER_ATTRS:
            out.append(_INCOMPATIBLE)  # not the MkDocs this was written for
            continue
        links = changed.get("links_to_anchors")
        if links:  # File objects must be the parent's own: send their paths
            changed["links_to_anchors"] = {f.src_uri: v for f, v in links.items()}
        assert isinstance(markdown, str)
        out.append((markdown, changed, list(_RECORDS)))
    return out


class Pending:
    """Pages being converted by workers while MkDocs works through the pages before them."""

    def __init__(self, pages: Sequence[PreparedPage], config: MkDocsConfig, files: Files, workers: int) -> None:
        self.pages = list(pages)
        self.files = files
        self.workers = workers
        self.used = 0  # results pages took (a page whose Markdown changed renders itself)
        self.batch: Batch[Page, _Result | str | None] | None = Batch(lambda part: _render(part, config, files), self.pages, workers)
        for page in self.pages:
            page.pending = self

    def collect(self) -> int:
        """Wait for the workers and give each page its result; returns how many pages got one."""
        if self.batch is None:
            return 0
        batch, self.batch = self.batch, None
        for page in self.pages:
            page.pending = None
        try:
            results = batch.results()
        except Exception as exc:  # a worker died or a result could not travel: MkDocs renders them
            log.info(f"mlfolio: the worker processes failed ({type(exc).__name__}: {exc}); rendering their pages here instead")
            return 0
        if _INCOMPATIBLE in results:
            log.info(f"mlfolio: this MkDocs {mkdocs_version} renders pages differently than expected; rendering every page here")
            return 0
        done = 0
        for page, result in zip(self.pages, results):
            if isinstance(result, tuple):
                markdown, attrs, records = result
                links = attrs.get("links_to_anchors")
                if links:
                    attrs["links_to_anchors"] = {self.files.get_file_from_path(uri): v for uri, v in links.items()}
                page.prepared = _Prepared(markdown, attrs, records, self)
                done += 1
        log.debug(f"mlfolio: {done} of {len(self.pages)} pages converted by {self.workers} worker process(es)")
        return done

    def cancel(self) -> None:
        if self.batch is not None:
            self.batch.cancel()
            self.batch = None
        for page in self.pages:
            page.pending = None


def prepare(pages: Sequence[PreparedPage], config: MkDocsConfig, files: Files, workers: int) -> Pending | None:
    """Start converting ``pages`` that MkDocs will reach last in ``workers - 1`` forked processes;
    MkDocs converts the rest itself meanwhile, as it always does."""
    pages = list(pages)
    if workers < 2 or len(pages) < 2:
        return None
    mine = len(pages) // workers
    try:
        return Pending(pages[mine:], config, files, workers - 1)
    except OSError as exc:  # the system cannot fork now (a process limit, memory)
        log.info(f"mlfolio: cannot start worker processes ({exc}); rendering every page here")
        return None
