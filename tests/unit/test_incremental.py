"""A preview rebuild reuses what did not change, and gives what a fresh build gives."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import jinja2
import jinja2.bccache

from mlfolio.analysis.verdict import DEFAULT_RULES
from mlfolio.mkdocs.plugin import CompiledTemplates
from mlfolio.pages.labels import Labels
from mlfolio.pages.layout import SiteLayout
from mlfolio.pages.site import SiteBuilder
from mlfolio.spec.schema import load_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "schemas" / "project.schema.json"


def builder(root: Path, incremental: bool) -> SiteBuilder:
    return SiteBuilder(root / "projects", root, load_schema(SCHEMA_FILE), SCHEMA_FILE, DEFAULT_RULES, Labels("en"),
                       SiteLayout("", True), incremental=incremental)


def test_a_rebuild_after_one_save_reanalyses_and_rerenders_that_spec_only(tmp_path: Path) -> None:
    shutil.copytree(REPO / "projects", tmp_path / "projects")
    site = builder(tmp_path, incremental=True)
    first = site.build()
    spec = tmp_path / "projects" / "house-prices.yaml"
    spec.write_text(re.sub(r"^title: .*$", "title: Apartment prices, edited", spec.read_text(encoding="utf-8"), count=1,
                           flags=re.M), encoding="utf-8")
    second = site.build()

    before = {p.id: p for p in first.portfolio.projects}
    after = {p.id: p for p in second.portfolio.projects}
    assert after["house-prices"] is not before["house-prices"]
    assert [i for i in after if i != "house-prices" and after[i] is not before[i]] == []  # analysed once, kept
    project_pages = {p.src_uri for p in second.pages if p.src_uri.startswith("projects/")}
    assert project_pages - second.unchanged == {"projects/house-prices/index.md"}

    fresh = builder(tmp_path, incremental=False).build()  # the same specs from scratch
    assert [(p.src_uri, p.html) for p in second.pages] == [(p.src_uri, p.html) for p in fresh.pages]
    assert "Apartment prices, edited" in next(p.html for p in second.pages if p.src_uri == "projects/house-prices/index.md")


class CountedTemplates(CompiledTemplates):
    """Counts compilations: Jinja hands the cache a template's code only after compiling it."""

    compiled = 0

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled += 1
        super().dump_bytecode(bucket)


def test_the_theme_templates_are_compiled_once_per_server_and_again_after_an_edit() -> None:
    cache = CountedTemplates()
    sources = {"page.html": "<p>{{ title }}</p>"}
    # Two rebuilds: MkDocs makes a new environment for each.
    render = [jinja2.Environment(loader=jinja2.DictLoader(sources), bytecode_cache=cache).get_template("page.html").render(title="a")
              for _ in range(2)]
    assert render == ["<p>a</p>", "<p>a</p>"] and cache.compiled == 1
    sources["page.html"] = "<h1>{{ title }}</h1>"  # the source changed: compiled anew, not the old code
    env = jinja2.Environment(loader=jinja2.DictLoader(sources), bytecode_cache=cache)
    assert env.get_template("page.html").render(title="a") == "<h1>a</h1>" and cache.compiled == 2


def test_templates_compiled_under_other_settings_are_not_reused() -> None:
    cache = CountedTemplates()
    sources = {"page.html": "<p>{{ title }}</p>"}
    cache.use_for(jinja2.Environment(loader=jinja2.DictLoader(sources)))
    first = jinja2.Environment(loader=jinja2.DictLoader(sources))
    cache.use_for(first)
    first.get_template("page.html")
    changed = jinja2.Environment(loader=jinja2.DictLoader(sources), extensions=["jinja2.ext.loopcontrols"])
    cache.use_for(changed)  # an edit of mkdocs.yml gave the theme another extension
    changed.get_template("page.html")
    assert cache.compiled == 2 and changed.bytecode_cache is cache
