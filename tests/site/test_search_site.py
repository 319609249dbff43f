"""The site's search, without a browser: what the index is built from, what it holds, and that
the site asks no other host for anything.

- The Korean index text (``mlfolio.pages.search.korean_index_text``) on small inputs.
- The built site: which pages are marked for the index (``data-pagefind-body``), the project
  page's filters and weights (``data-pagefind-*``), and the Pagefind fragments themselves
  (gzip, ``pagefind_dcd`` + JSON: one per indexed page, with its text and filters).
- No request to another host: every resource that a page, a stylesheet or the site's own
  scripts load is on the site; nothing makes Material fetch Mermaid or the GitHub API.
- The plugin options: ``search: material`` (Material's index, no Pagefind), the conflict with
  Material's search plugin, ``mermaid``.

The browser tests (tests/browser/test_search.py) run the queries.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mlfolio.pages.search import MARK, _read_packed, build_index, korean_index_text

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "generator" / "pages" / "assets"
LISTINGS = ("index.html", "teams/index.html", "stages/index.html", "tags/index.html")


def body(html: str) -> str:
    """What follows the opening tag of the marked element (where index text is added), composed
    again (the index text is decomposed: NFD)."""
    return nfc(html.split("data-pagefind-body>", 1)[1])


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def page(text: str) -> str:
    return f"<html><body><article data-pagefind-body>{text}</article></body></html>"


# --------------------------------------------------------------------------------------------
# Korean index text


def test_a_korean_word_is_followed_by_its_endings() -> None:
    assert body(korean_index_text(page("<p>30일 재구매율이 올랐다</p>"))) == (
        f"<p>30일 재구매율이 {MARK}구매율이 {MARK}매율이 {MARK}율이 올랐다 {MARK}랐다</p></article></body></html>")


def test_a_query_part_is_a_prefix_of_an_ending() -> None:
    words = body(korean_index_text(page("쿠폰함에는 재구매율은"))).split()
    endings = [w[len(MARK):] for w in words if w.startswith(MARK)]
    assert any(e.startswith("구매율") for e in endings)  # compound's part: 구매율 -> 재구매율
    assert "쿠폰함에는" in words  # a particle attached: Pagefind matches the start of the word itself


def test_short_words_get_no_endings_and_other_scripts_are_left_alone() -> None:
    text = page("<p>쿠폰 한 장, recommendations and 推薦</p>")
    assert nfc(korean_index_text(text)) == text
    text = page("<p>recommendations and 推薦, café</p>")
    assert korean_index_text(text) is text


def test_korean_text_is_decomposed_and_filter_values_are_not() -> None:
    """Pagefind keeps a word written otherwise than in its decomposed form as a variant, and cuts
    its index into pieces without counting variants: composed Korean all went into one piece."""
    source = page('<span data-pagefind-filter="team">CRM 분석팀</span><p>쿠폰 한 장 재구매율이</p>')
    result = korean_index_text(source)
    assert '<span data-pagefind-filter="team">CRM 분석팀</span>' in result  # shown and chosen as written
    text = result.split("</span>", 1)[1]
    assert text == unicodedata.normalize("NFD", text) and "\u110f\u116e\u1111\u1169\u11ab" in text  # 쿠폰, as jamo
    assert nfc(text).startswith(f"<p>쿠폰 한 장 재구매율이 {MARK}구매율이")


def test_markup_scripts_and_filter_values_are_not_changed() -> None:
    source = page('<a href="/재구매율이" title="재구매율이" data-pagefind-filter="team">CRM 분석팀</a>'
                  '<p data-pagefind-filter="verdict:추천함">재구매율이</p>'
                  '<script>var x = "재구매율이";</script><style>/* 재구매율이 */</style><!-- 재구매율이 -->')
    result = korean_index_text(source)
    assert '<a href="/재구매율이" title="재구매율이" data-pagefind-filter="team">CRM 분석팀</a>' in result
    result = nfc(result)
    assert f"재구매율이 {MARK}구매율이" in result  # the text of a value-given filter is content
    assert '<script>var x = "재구매율이";</script><style>/* 재구매율이 */</style><!-- 재구매율이 -->' in result


def test_a_filter_value_ends_at_its_end_tag_and_a_commented_out_filter_is_none() -> None:
    source = page('<SPAN data-pagefind-filter="team">분석팀입니다</Span><p>재구매율이</p>'
                  '<!-- <b data-pagefind-filter="tag"> --><p>재구매율은</p>')
    result = nfc(korean_index_text(source))
    assert '<SPAN data-pagefind-filter="team">분석팀입니다</Span>' in result
    assert f"<p>재구매율이 {MARK}구매율이" in result
    assert f"<p>재구매율은 {MARK}구매율은" in result  # the commented-out tag starts no filter value


def test_only_the_indexed_part_gets_index_text() -> None:
    text = "<html><head><title>재구매율이</title></head><body><nav>재구매율이</nav><main>본문입니다</main></body></html>"
    assert korean_index_text(text) == text  # no data-pagefind-body: nothing is indexed
    marked = "<nav>재구매율이</nav><main data-pagefind-body>재구매율이</main>"
    assert nfc(korean_index_text(marked)).startswith("<nav>재구매율이</nav><main data-pagefind-body>재구매율이 `|")


# --------------------------------------------------------------------------------------------
# The built site: what is marked for the index


class Attributes(HTMLParser):
    """Every element's tag, attributes and direct text, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.stack: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), []))
        if tag not in ("br", "img", "input", "link", "meta", "hr", "source", "wbr", "col", "area", "embed"):
            self.stack.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.elements[self.stack.pop()][0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for i in self.stack:
            self.elements[i][2].append(data)


def elements(path: Path) -> list[tuple[str, dict[str, str | None], str]]:
    parser = Attributes()
    parser.feed(path.read_text(encoding="utf-8"))
    return [(tag, attrs, "".join(text).strip()) for tag, attrs, text in parser.elements]


def marked(path: Path) -> list[str]:
    return [tag for tag, attrs, _ in elements(path) if "data-pagefind-body" in attrs]


def test_project_and_reference_pages_are_indexed(site: Path) -> None:
    for name in ("projects/house-prices/index.html", "projects/crm-repurchase/index.html", "guide/index.html",
                 "guide-ko/index.html", "reference/index.html", "verdicts/index.html"):
        assert marked(site / name) == ["article"], name


def test_portfolio_listings_are_not_indexed(site: Path) -> None:
    """They repeat every project's title: a project is found on its own page, once."""
    for name in LISTINGS:
        assert marked(site / name) == [], name


def test_the_project_page_names_its_filters_and_weights(site: Path) -> None:
    spec = json.loads((site / "projects.json").read_text(encoding="utf-8"))
    record = next(p for p in spec["projects"] if p["id"] == "crm-repurchase")
    found = elements(site / "projects/crm-repurchase/index.html")
    filters: dict[str, list[str]] = {}
    for _, attrs, text in found:
        value = attrs.get("data-pagefind-filter")
        if value is not None:
            key, _, given = value.partition(":")
            filters.setdefault(key, []).append(given or text)
    assert filters == {"verdict": ["Recommended"], "team": ["CRM 분석팀"], "tag": record["spec"]["tags"], "stage": ["Deployed"]}
    weights = {(tag, attrs.get("class")): attrs["data-pagefind-weight"] for tag, attrs, _ in found if "data-pagefind-weight" in attrs}
    assert weights == {("h1", None): "10", ("div", "mlfolio-lead"): "6", ("div", "mlfolio-glance"): "0.5"}
    ignored = [(tag, attrs.get("class")) for tag, attrs, _ in found if "data-pagefind-ignore" in attrs]
    assert {("p", "mlfolio-badges"), ("ol", "mlfolio-stepper")} <= set(ignored)


def fragments(site: Path) -> list[dict[str, Any]]:
    found = []
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd"), path
        found.append(json.loads(data[len(b"pagefind_dcd"):]))
    return found


def plain(text: str) -> str:
    return " ".join(w for w in nfc(text).split() if not w.startswith(MARK))


def test_korean_words_are_cut_into_index_pieces_like_english(tmp_path: Path) -> None:
    """Pagefind cuts its index into pieces of about 20,000 word places each; a Korean query
    should fetch one such piece, not every Korean word of the site (see korean_index_text)."""
    rng = random.Random(7)
    syllables = [chr(0xAC00 + rng.randrange(11172)) for _ in range(60)]
    for n in range(120):
        words = " ".join("".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(250))
        page_dir = tmp_path / "site" / f"p{n}"
        page_dir.mkdir(parents=True)
        (page_dir / "index.html").write_text(f'<html lang="ko"><body><main data-pagefind-body><h1>문서 {n}</h1>'
                                             f"<p>{words}</p></main></body></html>", encoding="utf-8")
    build_index(tmp_path / "site")
    meta = next((tmp_path / "site" / "pagefind").glob("pagefind.*.pf_meta"))
    pieces = _read_packed(meta)[2]  # [first word, last word, file] per piece, the words decomposed
    korean = [piece for piece in pieces if "\u1100" <= piece[0][:1] <= "\u11ff"]
    assert len(korean) >= 5, pieces  # 120 x 250 words (with their index-only endings): several pieces
    biggest = max((tmp_path / "site" / "pagefind" / "index" / f"{piece[2]}.pf_index").stat().st_size for piece in korean)
    total = sum((tmp_path / "site" / "pagefind" / "index" / f"{piece[2]}.pf_index").stat().st_size for piece in korean)
    assert biggest < total / 3


def test_the_index_has_one_fragment_per_indexed_page(site: Path) -> None:
    urls = sorted(f["url"] for f in fragments(site))
    projects = sorted(f"/projects/{p.stem}/" for p in (REPO / "projects").glob("*.yaml"))
    assert urls == sorted([*projects, "/guide/", "/guide-ko/", "/reference/", "/verdicts/"])
    assert (site / "pagefind" / "pagefind.js").is_file() and (site / "pagefind" / "pagefind-entry.json").is_file()
    assert not (site / "pagefind" / "pagefind-ui.js").exists()  # the site's own box is used
    assert not (site / "search").exists()  # no Material (lunr) index


@pytest.mark.parametrize(("project_id", "word"), [("house-prices", "officetel"), ("crm-repurchase", "업리프트")])
def test_a_word_is_indexed_under_its_own_project_only(site: Path, project_id: str, word: str) -> None:
    assert word in (REPO / "projects" / f"{project_id}.yaml").read_text(encoding="utf-8"), "pick a word the spec uses"
    hits = [f["url"] for f in fragments(site) if word in nfc(f["content"])]
    assert f"/projects/{project_id}/" in hits
    assert [h for h in hits if h.startswith("/projects/") and h != f"/projects/{project_id}/"] == []


def test_fragments_hold_titles_filters_and_no_page_chrome(site: Path) -> None:
    crm = next(f for f in fragments(site) if f["url"] == "/projects/crm-repurchase/")
    assert plain(crm["meta"]["title"]) == "CRM 쿠폰 타겟팅으로 재구매율 10% 높이기"
    assert crm["filters"]["stage"] == ["Deployed"] and crm["filters"]["team"] == ["CRM 분석팀"]
    assert crm["filters"]["verdict"] == ["Recommended"]
    assert f"{MARK}구매율" in nfc(crm["content"])  # the Korean index text
    # Decomposed (see korean_index_text), but for the filter values, which are shown as written.
    assert unicodedata.normalize("NFD", "재구매율") in crm["content"] and "재구매율" not in crm["content"]
    text = plain(crm["content"])
    for chrome in ("Table of contents", "ML project portfolio", "Made with", "Skip to content", "Lifecycle"):
        assert chrome not in text, chrome
    assert "business-output" in [a["id"] for a in crm["anchors"]]


# --------------------------------------------------------------------------------------------
# No request to another host

# Attributes that make a browser load something, by element.
LOADS = {"script": ("src",), "link": ("href",), "img": ("src", "srcset"), "iframe": ("src",), "source": ("src", "srcset"),
         "video": ("src", "poster"), "audio": ("src",), "embed": ("src",), "object": ("data",), "track": ("src",)}
ABSOLUTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*((?:https?:)?//[^"')\s]+)""", re.I)


def test_pages_load_nothing_from_another_host(site: Path) -> None:
    found = []
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for tag, attrs, _ in elements(path):
            if tag == "link" and not {"stylesheet", "preload", "modulepreload", "icon", "manifest", "prefetch"} & set(
                    (attrs.get("rel") or "").lower().split()):
                continue
            for name in LOADS.get(tag, ()):
                value = attrs.get(name) or ""
                if any(ABSOLUTE.match(part) for part in value.split(",")):
                    found.append(f"{path.relative_to(site)}: <{tag} {name}={value}>")
            style = attrs.get("style") or ""
            found += [f"{path.relative_to(site)}: style {m}" for m in CSS_URL.findall(style)]
        found += [f"{path.relative_to(site)}: <style> {m}" for m in CSS_URL.findall("".join(re.findall(r"<style\b.*?</style>", text, re.S)))]
        # What makes Material's script fetch from another host: a Mermaid diagram (from a CDN)
        # and the repository facts (GitHub's API).
        if 'class="mermaid"' in text:
            found.append(f"{path.relative_to(site)}: a Mermaid diagram")
        if 'data-md-component="source"' in text:
            found.append(f"{path.relative_to(site)}: the repository facts")
    assert found == []


def test_stylesheets_load_nothing_from_another_host(site: Path) -> None:
    found = [f"{p.relative_to(site)}: {m}" for p in sorted(site.rglob("*.css")) for m in CSS_URL.findall(p.read_text(encoding="utf-8"))]
    assert found == []


def test_the_sites_own_scripts_name_no_other_host() -> None:
    for name in ("mlfolio.js", "mlfolio-search.js"):
        text = (ASSETS / name).read_text(encoding="utf-8")
        assert re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I) == [], name


def test_the_search_script_writes_text_never_html() -> None:
    """Results show spec text (titles, headings, snippets); it is only ever set as text."""
    text = (ASSETS / "mlfolio-search.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
        assert sink not in text, sink


# --------------------------------------------------------------------------------------------
# Options

MERMAID_SUMMARY = 'summary: |\n  A diagram:\n\n  ```mermaid\n  graph LR; A-->B\n  ```\n'


def with_mermaid_fence(root: Path) -> Path:
    spec = root / "projects" / "house-prices.yaml"
    text = spec.read_text(encoding="utf-8")
    text, count = re.subn(r"^summary: .*\n", MERMAID_SUMMARY, text, count=1, flags=re.M)
    assert count == 1
    spec.write_text(text, encoding="utf-8")
    return root


def test_mermaid_is_off_by_default_and_a_fence_is_code(site_copy: Path, build_site) -> None:
    result = build_site(with_mermaid_fence(site_copy))
    assert result.error is None, result.logged()
    html = result.text("projects/house-prices/")
    assert '<pre><code class="language-mermaid">graph LR; A--&gt;B' in html
    assert 'class="mermaid"' not in html


def test_mermaid_on_draws_the_diagram(site_copy: Path, build_site, plugin_options) -> None:
    result = build_site(plugin_options(with_mermaid_fence(site_copy), mermaid=True))
    assert result.error is None, result.logged()
    assert '<pre class="mermaid"><code>graph LR; A--&gt;B' in result.text("projects/house-prices/")


def test_material_search_on_request(site_copy: Path, build_site, plugin_options) -> None:
    config = plugin_options(site_copy, search="material") / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n", "plugins:\n  - search\n", 1), encoding="utf-8")
    result = build_site(site_copy)
    assert result.error is None, result.logged()
    index = json.loads((result.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any(d["location"].startswith("projects/house-prices/") and "officetel" in d["text"] for d in index["docs"])
    assert not (result.site / "pagefind").exists()
    assert marked(result.site / "projects/house-prices/index.html") == []


def test_pagefind_search_refuses_materials_search_plugin(site_copy: Path, build_site) -> None:
    config = site_copy / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n", "plugins:\n  - search\n", 1), encoding="utf-8")
    result = build_site(site_copy)
    assert result.error is not None
    assert any("remove `- search`" in m for m in result.messages()), result.logged()


def test_an_unknown_search_engine_is_a_config_error(site_copy: Path, build_site, plugin_options) -> None:
    result = build_site(plugin_options(site_copy, search="lunr"))
    assert result.error is not None
    assert "search" in " ".join(result.logged()) + str(result.error)


def test_under_serve_the_index_is_built_beside_the_server(tmp_path: Path, copy_site, monkeypatch) -> None:
    """A preview serves a saved spec at once: the build returns while the index is still being
    made (held here until the test releases it), and the index then appears in the site."""
    import threading

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from mlfolio.mkdocs import indexer as indexer_module

    release, started = threading.Event(), threading.Event()
    real = indexer_module.index_in_child

    def held(site_dir: Path, **kwargs: Any):
        started.set()
        assert release.wait(120)
        return real(site_dir, **kwargs)

    monkeypatch.setattr(indexer_module, "index_in_child", held)
    root = copy_site(tmp_path / "repo")
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)  # returns with the index build held
    assert started.wait(60) and not (tmp_path / "site" / "pagefind" / "pagefind.js").exists()
    indexer = config.plugins["mlfolio"].indexer
    indexer.request(tmp_path / "site")  # a second save while the first index build runs: one more build, not one each
    release.set()
    indexer.wait(300)
    assert (tmp_path / "site" / "pagefind" / "pagefind.js").is_file()
    # Served pages come before their index: they do not ask for its files while they load.
    assert 'rel="modulepreload"' not in (tmp_path / "site" / "projects" / "house-prices" / "index.html").read_text(encoding="utf-8")


def test_built_pages_ask_for_the_search_script_while_they_load(site: Path) -> None:
    page = (site / "projects" / "house-prices" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="modulepreload" href="../../pagefind/pagefind.js">' in page
    assert '<link rel="preload" href="../../pagefind/wasm.en.pagefind" as="fetch" crossorigin>' in page
    assert (site / "pagefind" / "pagefind.js").is_file() and (site / "pagefind" / "wasm.en.pagefind").is_file()


def test_the_served_index_is_built_in_a_process_of_its_own(tmp_path: Path) -> None:
    from mlfolio.mkdocs.indexer import index_in_child

    page_dir = tmp_path / "site" / "p"
    page_dir.mkdir(parents=True)
    (page_dir / "index.html").write_text('<html lang="ko"><body><main data-pagefind-body><h1>재구매율 예측</h1>'
                                         "<p>쿠폰 발송</p></main></body></html>", encoding="utf-8")
    started: list[Any] = []
    report = index_in_child(tmp_path / "site", started=started.append)
    assert (report.pages, report.korean_pages) == (1, 1) and (tmp_path / "site" / "pagefind" / "pagefind.js").is_file()
    assert len(started) == 1 and started[0].returncode == 0


def test_a_failed_index_in_the_child_is_an_error_that_says_why(tmp_path: Path) -> None:
    from mlfolio.mkdocs.indexer import index_in_child
    from mlfolio.pages.search import SearchIndexError

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html><body><p>not marked</p></body></html>", encoding="utf-8")
    with pytest.raises(SearchIndexError, match="nothing to index"):
        index_in_child(tmp_path / "site")


def test_a_docs_page_without_a_heading_is_indexed_alike_both_ways(site_copy: Path, build_site, tmp_path: Path) -> None:
    """A hand-written page without a first-level heading gets the theme's one, in the index too."""
    from mlfolio.pages.search import build_index

    (site_copy / "docs" / "notes.md").write_text("Some notes on **officetel** prices.\n", encoding="utf-8")
    result = build_site(site_copy)
    assert result.error is None, result.logged()
    again = tmp_path / "again"
    shutil.copytree(result.site, again)
    build_index(again)
    for site_dir in (result.site, again):
        notes = next(f for f in fragments(site_dir) if f["url"] == "/notes/")
        assert notes["meta"]["title"] == "Notes" and notes["content"].startswith("Notes. Some notes on officetel prices.")
    made = {p.relative_to(result.site): p.read_bytes() for p in sorted((result.site / "pagefind").rglob("*")) if p.is_file()}
    remade = {p.relative_to(again): p.read_bytes() for p in sorted((again / "pagefind").rglob("*")) if p.is_file()}
    assert made.keys() == remade.keys() and [k for k in made if made[k] != remade[k]] == []


def test_the_index_made_beside_the_build_is_the_index_of_the_written_site(site: Path, tmp_path: Path) -> None:
    """`mkdocs build` indexes the pages' content while the theme renders them (IndexJob, from
    on_env); indexing the finished site instead (as a served site is) gives the same files."""
    from mlfolio.pages.search import build_index

    again = tmp_path / "site"
    shutil.copytree(site, again)
    build_index(again)
    made = {p.relative_to(site / "pagefind"): p.read_bytes() for p in sorted((site / "pagefind").rglob("*")) if p.is_file()}
    remade = {p.relative_to(again / "pagefind"): p.read_bytes() for p in sorted((again / "pagefind").rglob("*")) if p.is_file()}
    assert made.keys() == remade.keys() and [k for k in made if made[k] != remade[k]] == []


def running_in(folder: Path) -> list[str]:
    """The processes whose command line names ``folder`` (Linux: /proc)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if str(folder).encode() in (proc / "cmdline").read_bytes():
                found.append(proc.name)
        except OSError:
            continue
    return found


def many_pages(count: int) -> list[tuple[str, str]]:
    words = " ".join(f"재구매율 word{n}" for n in range(400))
    return [(f"p{n}/index.html", f"<html><body><main data-pagefind-body><p>page {n} {words}</p></main></body></html>")
            for n in range(count)]


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads the process list from /proc (Linux, as CI)")
def test_an_aborted_index_job_leaves_no_process_and_no_folder() -> None:
    """A build that fails or is interrupted after the index was started ends the worker and
    Pagefind under it, and removes its folder."""
    from mlfolio.pages.search import IndexJob

    job = IndexJob(many_pages(300))
    folder = job._folder
    assert folder.is_dir() and job._process is not None and job._process.poll() is None
    assert running_in(folder) != []
    job.abort()
    assert not folder.exists()
    assert running_in(folder) == []


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads the process list from /proc (Linux, as CI)")
def test_a_served_index_stopped_with_the_server_leaves_no_process_and_no_folder(tmp_path: Path) -> None:
    """The server stops while its index is being built: the child ends its job on the way out."""
    import tempfile
    import threading
    import time

    from mlfolio.mkdocs import indexer
    from mlfolio.pages.search import SearchIndexError

    for path, html in many_pages(600):
        (tmp_path / "site" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "site" / path).write_text(html, encoding="utf-8")
    before = set(Path(tempfile.gettempdir()).glob("mlfolio-search-*"))
    children: list[Any] = []
    failed: list[Exception] = []

    def run() -> None:
        try:
            indexer.index_in_child(tmp_path / "site", started=children.append)
        except SearchIndexError as exc:
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 60
    while not (set(Path(tempfile.gettempdir()).glob("mlfolio-search-*")) - before) and time.monotonic() < deadline:
        time.sleep(0.02)
    (folder,) = set(Path(tempfile.gettempdir()).glob("mlfolio-search-*")) - before  # the child's job has started
    while not running_in(folder) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert running_in(folder) != []
    indexer.stop(children[0])
    thread.join(60)
    assert failed and not thread.is_alive()
    assert not folder.exists()
    assert running_in(folder) == []
