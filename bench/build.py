"""Site builds: ``mkdocs build --strict`` with the plugin, and the same pages built without it.

The plain build: the plugin's ``SiteBuilder`` renders every page once, in this process, and the
pages are dumped to ``pages.pickle`` (source path, title, HTML, table of contents, anchors,
edit link, metadata; and the other files: ``projects.json``, the plugin's CSS and JavaScript).
``mkdocs-plain.yml`` is the same configuration with the mlfolio plugin removed and
``bench/plain_hooks.py`` as a MkDocs hooks file, which hands MkDocs those pages exactly as the
plugin does. MkDocs and Material then do the same work in both builds, so the difference
between them is the plugin's own: checking the specs and rendering the pages.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import pickle
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import plain_hooks
from common import CHILD_ENV, MB, REPO, repeat, runs_summary, tool

from mlfolio.mkdocs.plugin import MlfolioPlugin

CONFIG = "mkdocs.yml"
PLAIN_CONFIG = "mkdocs-plain.yml"


def _replace_once(text: str, pattern: str, new: str, what: str) -> str:
    result, count = re.subn(pattern, new, text, count=1, flags=re.M)
    if count != 1:
        raise SystemExit(f"bench: cannot find {what} in mkdocs.yml; update bench/build.py")
    return result


def write_configs(project: Path) -> None:
    """``mkdocs.yml``: the repository's, reading the specs in ``specs/`` (and an empty ``docs/``);
    ``mkdocs-plain.yml``: the same without the mlfolio plugin, with the plain hooks."""
    (project / "docs").mkdir(exist_ok=True)
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text = _replace_once(text, r"^docs_dir:.*$", "docs_dir: docs", "docs_dir")
    text = _replace_once(text, r"^(\s+)specs_dir:.*$", r"\1specs_dir: specs", "the mlfolio plugin's specs_dir")
    if re.search(r"^(site_dir|hooks):", text, flags=re.M):
        raise SystemExit("bench: mkdocs.yml sets site_dir or hooks; update bench/build.py")
    (project / CONFIG).write_text(text + "\nsite_dir: site\n", encoding="utf-8")
    plain = _replace_once(text, r"^  - mlfolio:.*\n(?:^      .*\n)*", "", "the mlfolio plugin block")
    # With no other plugin left, `plugins: []` (an empty `plugins:` would give MkDocs' default search).
    plain = re.sub(r"^plugins:\n(?=\S|\n)", "plugins: []\n", plain, flags=re.M)
    hooks = os.path.relpath(Path(plain_hooks.__file__).resolve(), project)
    (project / PLAIN_CONFIG).write_text(plain + f"\nsite_dir: site-plain\nhooks:\n  - {hooks}\n", encoding="utf-8")


def configured_plugin() -> MlfolioPlugin:
    """The plugin of the project in the current folder, configured as ``mkdocs build`` does it
    (MkDocs' own configuration loading, ``on_startup``, ``on_config``): its ``site`` ready to build."""
    from mkdocs.config import load_config

    config = load_config(CONFIG)
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    plugin = config.plugins["mlfolio"]
    assert isinstance(plugin, MlfolioPlugin) and plugin.site is not None
    return plugin


def dump_pages(project: Path) -> dict[str, Any]:
    """Render the site with the plugin's SiteBuilder, set up by MkDocs' own configuration
    loading and the plugin's ``on_config`` (as a build does), and dump it for the plain build.
    Returns how long ``SiteBuilder.build()`` took and how many pages it made."""
    saved = {k: os.environ.get(k) for k in CHILD_ENV}
    os.environ.update(CHILD_ENV)  # as the measured builds run (the build date of staleness, say)
    with contextlib.chdir(project):
        plugin = configured_plugin()
        site = plugin.site
        assert site is not None
        start = time.perf_counter()
        built = site.build()
        seconds = time.perf_counter() - start
        options = {key: plugin.config[key] for key in plugin.config}  # for the plain build's copy of the plugin's page hooks
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    if built.diagnostics:
        raise SystemExit(f"bench: the synthetic specs in {project} have problems:\n" + "\n".join(d.format() for d in built.diagnostics[:5]))
    dump = {
        "pages": [{"src_uri": p.src_uri, "title": p.title, "html": p.html, "toc": [(e.level, e.id, e.title) for e in p.toc],
                   "anchors": list(p.anchors), "edit_source": p.edit_source, "meta": p.meta} for p in built.pages],
        "files": [(f.src_uri, f.content) for f in built.files],
        "options": options,
    }
    with (project / plain_hooks.DUMP).open("wb") as f:
        pickle.dump(dump, f, protocol=pickle.HIGHEST_PROTOCOL)
    return {"site_builder_s": seconds, "pages": len(built.pages), "other_files": len(built.files)}


def site_size(site: Path) -> dict[str, Any]:
    files = [p for p in site.rglob("*") if p.is_file()]
    material = site / "search" / "search_index.json"
    if material.is_file():  # Material's search: one index, downloaded whole on the first search
        index = material.read_bytes()
        index_mb, index_gzip_mb = len(index) / MB, len(gzip.compress(index, 6)) / MB  # GitHub Pages serves it gzipped
    else:  # Pagefind: a folder of compressed fragments, of which a query fetches a few (bench/search.py)
        fragments = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
        index_mb = index_gzip_mb = sum(p.stat().st_size for p in fragments) / MB
    return {
        "site_mb": sum(p.stat().st_size for p in files) / MB,  # what GitHub Pages counts
        "site_disk_mb": sum(p.stat().st_blocks * 512 for p in files) / MB,  # blocks taken on this file system
        "files": len(files),
        "html_pages": sum(p.suffix == ".html" for p in files),
        "search_index_mb": index_mb,
        "search_index_gzip_mb": index_gzip_mb,
    }


def different_files(a: Path, b: Path, skip: str = "") -> list[str]:
    """Files that are only in one of the folders or differ in a byte: [] if the sites are identical.
    Files under ``skip`` (a folder) are left out."""
    def tree(root: Path) -> set[str]:
        names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
        return {n for n in names if not (skip and n.startswith(skip))}

    names_a, names_b = tree(a), tree(b)
    differ = names_a ^ names_b
    differ |= {name for name in names_a & names_b if (a / name).read_bytes() != (b / name).read_bytes()}
    return sorted(differ)


def measure_build(project: Path, n: int, k: int) -> dict[str, Any]:
    """``k`` plugin builds and ``k`` plain builds, interleaved (so a busy spell on the machine hits
    both alike); whether two plugin builds, and the plain build, give the same site."""
    mkdocs = tool("mkdocs") or [sys.executable, "-m", "mkdocs"]
    write_configs(project)
    result: dict[str, Any] = {"n": n, **dump_pages(project)}
    plugin_runs, plain_runs = [], []
    first = project / "site-first"
    for i in range(max(k, 2)):  # two builds at least, to compare their sites
        plugin_runs += repeat(1, [*mkdocs, "build", "--strict", "-f", CONFIG], project, project / "build.log", f"mkdocs build (N={n})")
        if i == 0:
            shutil.rmtree(first, ignore_errors=True)
            (project / "site").rename(first)
        if i < k:
            plain_runs += repeat(1, [*mkdocs, "build", "--strict", "-f", PLAIN_CONFIG], project, project / "build-plain.log",
                                 f"plain mkdocs build (N={n})")
    timed_plugin = plugin_runs[:k]
    result["plugin"] = {**runs_summary(timed_plugin), **site_size(project / "site")}
    result["plain"] = {**runs_summary(plain_runs), **site_size(project / "site-plain")}
    result["differ_between_builds"] = different_files(first, project / "site")
    # The plain build has no search index: Pagefind runs in the plugin's on_post_build, its work.
    result["differ_from_plain"] = different_files(project / "site", project / "site-plain", skip="pagefind/")
    shutil.rmtree(first)
    plugin, plain = result["plugin"]["wall"]["median"], result["plain"]["wall"]["median"]
    result["plugin_s"] = plugin - plain
    result["plugin_share"] = (plugin - plain) / plugin
    result["plugin_share_cpu"] = 1 - result["plain"]["cpu"]["median"] / result["plugin"]["cpu"]["median"]
    return result
