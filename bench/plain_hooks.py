"""MkDocs hooks for the benchmark's plain build: the plugin's finished pages, without the plugin.

``bench/build.py`` renders a portfolio once with the plugin's ``SiteBuilder`` and dumps the
result to ``pages.pickle`` beside the configuration; its ``mkdocs-plain.yml`` has no mlfolio
plugin and names this file under ``hooks:``. These hooks hand MkDocs those pages the way the
plugin does (``File.generated``, the plugin's ``HtmlPage``), and run the plugin's own hooks for
everything else (its ``on_config``, which sets up the theme, assets and search box but builds
nothing, and its page hooks), so MkDocs and Material do the same work in both builds and the
difference is the plugin's own: checking specs, rendering pages, and indexing the built site
for search (``on_post_build``, which the plain build leaves out).

What the hooks spend themselves (importing the plugin module for ``HtmlPage``, reading the
dump) is written to ``plain-hooks.json`` after the build, so the report can tell it apart.
"""

from __future__ import annotations

import json
import pickle
import time
from pathlib import Path
from typing import Any

_start = time.perf_counter()
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.structure.files import Files, InclusionLevel  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402

from mlfolio.mkdocs.plugin import HtmlPage, MlfolioPlugin  # noqa: E402
from mlfolio.pages.layout import TocEntry  # noqa: E402
from mlfolio.pages.render import RenderedPage  # noqa: E402

IMPORT_S = time.perf_counter() - _start
DUMP = "pages.pickle"
TIMINGS = "plain-hooks.json"

_dump: dict[str, Any] = {}
_timings: dict[str, float] = {}


def _folder(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path or ".").resolve().parent


_plugin = MlfolioPlugin()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    start = time.perf_counter()
    with (_folder(config) / DUMP).open("rb") as f:
        _dump.update(pickle.load(f))
    _timings.update(import_s=IMPORT_S, load_s=time.perf_counter() - start)
    errors, _ = _plugin.load_config(_dump["options"], config.config_file_path)
    if errors:
        raise SystemExit(f"bench: the plugin's options do not load: {errors}")
    _plugin.on_startup(command="build", dirty=False)
    return _plugin.on_config(config)  # sets up; the pages come from the dump


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    start = time.perf_counter()
    for p in _dump["pages"]:
        page = RenderedPage(p["src_uri"], p["title"], p["html"], tuple(TocEntry(*entry) for entry in p["toc"]),
                            tuple(p["anchors"]), p["edit_source"], p["meta"])
        inclusion = InclusionLevel.NOT_IN_NAV if page.edit_source else InclusionLevel.UNDEFINED
        file = MlfolioPlugin._add(files, config, page.src_uri, page.html, inclusion)
        file.edit_uri = page.edit_source
        HtmlPage(file, config, page)
    for src_uri, content in _dump["files"]:
        MlfolioPlugin._add(files, config, src_uri, content)
    _timings["on_files_s"] = time.perf_counter() - start
    return files


def on_env(env: Any, *, config: MkDocsConfig, files: Files) -> Any:
    return _plugin.on_env(env, config=config, files=files)


def on_page_content(html_text: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    return _plugin.on_page_content(html_text, page=page, config=config, files=files)


def on_page_context(context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
    return _plugin.on_page_context(context, page=page, config=config, nav=nav)


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    return _plugin.on_post_page(output, page=page, config=config)


def on_post_build(*, config: MkDocsConfig) -> None:
    (_folder(config) / TIMINGS).write_text(json.dumps(_timings), encoding="utf-8")
