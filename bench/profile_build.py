"""Where a build's time goes: ``mkdocs build --strict`` under cProfile, its time split into the
plugin's parts and MkDocs' own.

Functions are found in the profile by their code objects (file, first line, name: the key
cProfile records; by file and name if the file was edited since), so the split follows the
code as it is. cProfile slows pure-Python code more than C code, so the shares are indicative;
the plugin's share of a build is measured without it (bench/build.py). The profile itself is
kept as ``<out>/profile-build-n<N>.prof`` (for ``pstats`` or snakeviz), its listing beside it.
"""

from __future__ import annotations

import io
import pstats
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import run_child, shorten
from mkdocs.commands import build as mkdocs_build

from mlfolio.analysis.model import load_portfolio
from mlfolio.mkdocs.plugin import HtmlPage, MlfolioPlugin
from mlfolio.pages.builder import PageBuilder
from mlfolio.pages.export import export_json
from mlfolio.pages.markdown import render_inline, render_markdown
from mlfolio.pages.render import RenderedPage, render_page
from mlfolio.pages.site import SiteBuilder

Key = tuple[str, int, str]


def _key(fn: Callable[..., Any]) -> Key:
    code = fn.__code__
    return code.co_filename, code.co_firstlineno, code.co_name


def split(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of the parts of a build (each part's functions are not nested in another's)."""
    table: dict[Key, tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    by_name: dict[tuple[str, str], list[Key]] = {}
    for key in table:
        by_name.setdefault((key[0], key[2]), []).append(key)

    def find(fn: Callable[..., Any]) -> Key | None:
        # By file and name when the line moved (the file was edited after this process imported it).
        key = _key(fn)
        if key in table:
            return key
        same = by_name.get((key[0], key[2]), [])
        return same[0] if len(same) == 1 else None

    def cum(*fns: Callable[..., Any]) -> float:
        keys = [find(fn) for fn in fns]
        return sum(table[key][3] for key in keys if key is not None)

    plugin = cum(MlfolioPlugin.on_startup, MlfolioPlugin.on_config, MlfolioPlugin.on_files)
    markdown = cum(render_markdown, render_inline)
    parts = {
        "loading_and_validation": cum(load_portfolio),
        "page_contexts": cum(PageBuilder.portfolio_pages, PageBuilder.project_page),
        "jinja_rendering": cum(render_page) - markdown,
        "free_text_markdown": markdown,
        "projects_json": cum(export_json),
    }
    parts["plugin_other"] = plugin - sum(parts.values())  # schema, settings, handing the files to MkDocs
    return {
        "process": stats.total_tt,  # type: ignore[attr-defined]
        "build": cum(mkdocs_build.build),
        "plugin": plugin,
        **parts,
        "site_builder_build": cum(SiteBuilder.build),
        # MkDocs' side, the same in the plain build: the pages' hand-over, their search
        # sections (the plugin's on_page_context), the theme's templates and writing.
        "html_page_hand_over": cum(HtmlPage.read_source, HtmlPage.render),
        "search_sections": cum(RenderedPage.search_sections),
        "mkdocs_pages": cum(mkdocs_build._build_page),
    }


def profile_build(project: Path, n: int, out: Path, config: str = "mkdocs.yml") -> dict[str, Any]:
    """Profile one build of ``project`` (``n`` projects); write the listing to ``out``; return the split."""
    raw = project / "profile.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(raw), "-m", "mkdocs", "build", "--strict", "-f", config]
    run = run_child(cmd, project, project / "profile-build.log")
    if run.returncode != 0:
        raise SystemExit(f"bench: the profiled build failed: see {run.log}")
    kept = out / f"profile-build-n{n}.prof"
    raw.replace(kept)
    return analyse(kept, n, run.seconds)


def analyse(raw: Path, n: int, wall_s: float) -> dict[str, Any]:
    """The split of a saved profile, and its listing written beside it."""
    parts = split(pstats.Stats(str(raw)))
    buf = io.StringIO()
    listing = pstats.Stats(str(raw), stream=buf)
    listing.sort_stats("cumulative").print_stats(50)
    listing.sort_stats("tottime").print_stats(30)
    text = raw.with_suffix(".txt")
    text.write_text(shorten(buf.getvalue()), encoding="utf-8")
    return {"n": n, "wall_s": wall_s, "seconds": parts, "listing": text.name, "profile": raw.name}
