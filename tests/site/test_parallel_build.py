"""Builds on several cores: project pages rendered and converted by forked workers give the
site and the log a single process gives, byte for byte, and every way out of the workers
(a plugin that edits the Markdown, an extension that may keep state, a worker that fails,
`serve`) falls back to MkDocs' own rendering."""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import textwrap
import threading
from pathlib import Path

import pytest

from mlfolio.mkdocs import prerender

CONVERTED = re.compile(r"mlfolio: (\d+) of (\d+) pages converted by (\d+) worker process\(es\)")
USED = re.compile(r"mlfolio: (\d+) pages took a worker's result")


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _log(build, level: int = logging.INFO) -> list[str]:
    """What a build logged, less the lines that name its folder or its duration."""
    return [m for m in build.logged(level) if "Building documentation to directory" not in m and "Documentation built in" not in m]


def _used(build) -> list[int]:
    """How many pages took a worker's result, as the plugin reports after the build."""
    return [int(m.group(1)) for m in map(USED.search, build.messages(logging.DEBUG)) if m]


def _converted(build) -> list[tuple[int, int, int]]:
    return [tuple(map(int, m.groups())) for m in map(CONVERTED.search, build.messages(logging.DEBUG)) if m]


def _differing(a, b) -> list[str]:
    """Files of two builds' sites that differ (or exist in one only)."""
    x, y = _tree(a.site), _tree(b.site)
    return sorted(name for name in x.keys() | y.keys() if x.get(name) != y.get(name))


def _with_hook(source: str):
    """An ``edit`` for ``_pair``: an MkDocs hooks file with ``source``, enabled in mkdocs.yml."""

    def edit(root: Path) -> None:
        (root / "hooks.py").write_text(textwrap.dedent(source), encoding="utf-8")
        with (root / "mkdocs.yml").open("a", encoding="utf-8") as f:
            f.write("\nhooks:\n  - hooks.py\n")

    return edit


def _with_module(tmp_path: Path, monkeypatch, name: str, source: str) -> None:
    """A Python module ``name`` importable by the build."""
    (tmp_path / "lib").mkdir(exist_ok=True)
    (tmp_path / "lib" / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))


def _pair(tmp_path: Path, copy_site, build_site, plugin_options, workers: int = 2, edit=None, **kwargs):
    """The same inputs built with ``workers`` and with 1; ``edit(root)`` changes both copies."""
    builds = []
    for n in (workers, 1):
        root = copy_site(tmp_path / f"w{n}")
        if edit is not None:
            edit(root)
        plugin_options(root, workers=n)
        builds.append(build_site(root, log_level=logging.INFO, **kwargs))
    return builds


@pytest.fixture(autouse=True)
def _fixed_build_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the sitemap's date, for byte comparisons


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    # Builds fork workers only while the process runs one thread (see generator/parallel.py).
    others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    assert others == [], f"threads left running by earlier tests: {others}"


def test_a_build_on_two_cores_is_the_single_process_build_byte_for_byte(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    parallel, serial = _pair(tmp_path, copy_site, build_site, plugin_options)
    assert parallel.error is None and serial.error is None, parallel.logged() + serial.logged()
    # 8 projects, 7 pages each: this process converts the first half, one worker the rest,
    # and every page took the worker's result.
    assert _converted(parallel) == [(28, 28, 1)] and _used(parallel) == [28]
    assert _converted(serial) == []
    a, b = _tree(parallel.site), _tree(serial.site)
    assert sorted(a) == sorted(b) and len(a) > 60
    assert _differing(parallel, serial) == []
    assert _log(parallel) == _log(serial)
    assert parallel.logged() == []


def test_links_to_anchors_are_checked_on_pages_a_worker_converted(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    # MkDocs checks links to anchors after every page is rendered, from what each page's render
    # recorded (and only when not logging at DEBUG); the last projects are the worker's.
    def anchors(root: Path) -> None:
        spec = root / "projects" / "support-ticket-routing.yaml"
        text = spec.read_text(encoding="utf-8")
        link = "See [the verdict](feasibility.md#no-such-section) and [the goals](goals.md#goals). "
        spec.write_text(text.replace('summary: "', 'summary: "' + link, 1), encoding="utf-8")

    parallel, serial = _pair(tmp_path, copy_site, build_site, plugin_options, edit=anchors)
    assert _converted(parallel) == [(28, 28, 1)] and _used(parallel) == [28]
    expected = ("INFO mkdocs.structure.pages: Doc file 'projects/support-ticket-routing/index.md' contains a link "
                "'feasibility.md#no-such-section', but the doc 'projects/support-ticket-routing/feasibility.md' "
                "does not contain an anchor '#no-such-section'.")
    assert expected in parallel.logged(logging.INFO)
    assert _log(parallel) == _log(serial)
    assert not any("#goals" in m for m in parallel.messages(logging.INFO))  # that anchor exists


def test_three_workers_split_the_pages_the_same_way(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    parallel, serial = _pair(tmp_path, copy_site, build_site, plugin_options, workers=3)
    assert _used(parallel) == [38]
    assert _converted(parallel) == [(38, 38, 2)]  # 56 pages: 18 here, 38 in two workers
    assert _tree(parallel.site)["projects/house-prices/feasibility/index.html"] == _tree(serial.site)["projects/house-prices/feasibility/index.html"]


def test_warnings_raised_in_a_worker_are_logged_in_mkdocs_order(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    def broken_links(root: Path) -> None:
        for spec in (root / "projects").glob("*.yaml"):
            text = spec.read_text(encoding="utf-8")
            spec.write_text(text.replace('summary: "', 'summary: "See [the notes](missing-notes.md). ', 1), encoding="utf-8")

    parallel, serial = _pair(tmp_path, copy_site, build_site, plugin_options, edit=broken_links)
    assert _converted(parallel) == [(28, 28, 1)] and _used(parallel) == [28]
    warnings = parallel.logged(logging.WARNING)
    assert warnings == serial.logged(logging.WARNING)
    overviews = [w for w in warnings if "missing-notes.md" in w and w.startswith("WARNING mkdocs.structure.pages: Doc file 'projects/")]
    assert len(overviews) == 8, warnings
    # The last four projects' pages were converted by the worker: their warnings come from it.
    for project in ("feed-ranking", "house-prices", "stock-price-forecast", "support-ticket-routing"):
        assert any(f"'projects/{project}/index.md'" in w for w in overviews)
    assert parallel.error is not None and serial.error is not None  # --strict: warnings abort


def test_what_reading_a_page_logs_is_logged_once(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    # The worker reads each page too; only what its render logs is replayed.
    hook = _with_hook("""
        import logging
        def on_page_read_source(page, config):
            if page.file.src_uri.startswith('projects/support-ticket-routing/'):
                logging.getLogger('mkdocs.hooks').info('reading %s', page.file.src_uri)
    """)

    parallel, serial = _pair(tmp_path, copy_site, build_site, plugin_options, edit=hook)
    assert _converted(parallel) == [(28, 28, 1)] and _used(parallel) == [28]
    reads = [m for m in parallel.messages(logging.INFO) if m.startswith("reading ")]
    assert len(reads) == 7 and len(set(reads)) == 7
    assert _log(parallel) == _log(serial)


def test_a_project_page_listed_in_the_navigation_keeps_its_title(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    def featured(root: Path) -> None:
        text = (root / "mkdocs.yml").read_text(encoding="utf-8")
        text = text.replace("  - By stage: stages.md\n", "  - By stage: stages.md\n  - Featured project: projects/support-ticket-routing/index.md\n", 1)
        (root / "mkdocs.yml").write_text(text, encoding="utf-8")

    parallel, serial = _pair(tmp_path, copy_site, build_site, plugin_options, edit=featured)
    assert parallel.error is None, parallel.logged()
    # That page stays MkDocs' own (it is in the navigation); of the other 55, the worker
    # converts the last 28.
    assert _converted(parallel) == [(28, 28, 1)] and _used(parallel) == [28]
    for build in (parallel, serial):
        assert "Featured project" in build.text("index.html")
    assert _differing(parallel, serial) == []


def test_a_plugin_that_edits_the_markdown_gets_its_edit_rendered(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    hook = _with_hook('''
        def on_page_markdown(markdown, page, config, files):
            if page.file.src_uri.endswith("problem.md"):
                return markdown + "\\n\\nAdded by a hook: *reviewed*.\\n"
            return markdown
    ''')

    parallel, serial = _pair(tmp_path, copy_site, build_site, plugin_options, edit=hook)
    assert parallel.error is None, parallel.logged()
    assert _converted(parallel) == [(28, 28, 1)]
    assert _used(parallel) == [24]  # the worker's four problem pages were edited by the hook
    a = _tree(parallel.site)
    problems = [name for name in a if name.endswith("/problem/index.html")]
    assert len(problems) == 8
    for name in problems:
        assert "Added by a hook: <em>reviewed</em>." in a[name].decode("utf-8")
    assert _differing(parallel, serial) == []


def test_pages_whose_markdown_changed_are_rendered_again(tmp_path: Path, copy_site, build_site, plugin_options, monkeypatch) -> None:
    renders: list[str] = []
    original = prerender.Page.render

    def counting(self, config, files):
        renders.append(self.file.src_uri)
        return original(self, config, files)

    monkeypatch.setattr(prerender.Page, "render", counting)

    hook = _with_hook("""
        def on_page_markdown(markdown, page, config, files):
            return markdown + '\\n\\nEdited.\\n' if page.file.src_uri.endswith('problem.md') else markdown
    """)

    root = copy_site(tmp_path / "in")
    hook(root)
    plugin_options(root, workers=2)
    result = build_site(root, log_level=logging.INFO)
    assert result.error is None, result.logged()
    project_renders = [uri for uri in renders if uri.startswith("projects/")]
    # Here: the 28 pages this process converts, and the 4 problem pages the worker converted
    # before the hook changed them. (The worker's own renders happen in its process.)
    assert len(project_renders) == 28 + 4
    assert sum(uri.endswith("problem.md") for uri in project_renders) == 8


def test_an_extension_that_may_keep_state_keeps_the_build_in_one_process(tmp_path: Path, copy_site, build_site, plugin_options, monkeypatch) -> None:
    _with_module(tmp_path, monkeypatch, "anchors_ext", '''
        from markdown import Extension

        class AnchorsExtension(Extension):
            def extendMarkdown(self, md):
                pass

        def makeExtension(**kwargs):
            return AnchorsExtension(**kwargs)
    ''')
    root = plugin_options(copy_site(tmp_path / "in"), workers=2)
    text = (root / "mkdocs.yml").read_text(encoding="utf-8").replace("markdown_extensions:\n", "markdown_extensions:\n  - anchors_ext\n", 1)
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    result = build_site(root, log_level=logging.INFO)
    assert result.error is None, result.logged()
    assert _converted(result) == []
    assert "mlfolio: pages converted in this process only: anchors_ext may keep state across pages" in result.messages(logging.DEBUG)


def test_a_function_of_unknown_origin_in_the_markdown_settings_keeps_the_build_in_one_process(tmp_path: Path, copy_site, build_site, plugin_options, monkeypatch) -> None:
    _with_module(tmp_path, monkeypatch, "house_slugs", """
        def slugify(value, separator):
            return value.lower().replace(' ', separator)
    """)
    root = plugin_options(copy_site(tmp_path / "in"), workers=2)
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("  - toc:\n      permalink: true\n", "  - toc:\n      permalink: true\n      slugify: !!python/name:house_slugs.slugify\n", 1)
    assert "house_slugs" in text
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    result = build_site(root, log_level=logging.INFO)
    assert result.error is None, result.logged()
    assert _converted(result) == []
    assert "mlfolio: pages converted in this process only: house_slugs.slugify may keep state across pages" in result.messages(logging.DEBUG)


def test_results_that_cannot_travel_leave_the_pages_to_mkdocs(tmp_path: Path, copy_site, build_site, plugin_options, monkeypatch) -> None:
    # Results that cannot be pickled: the workers' batch fails as a whole.
    monkeypatch.setattr(prerender, "_render", lambda pages, config, files: [lambda: None for _ in pages])
    parallel, serial = _pair(tmp_path, copy_site, build_site, plugin_options)
    assert parallel.error is None, parallel.logged()
    assert _converted(parallel) == []
    assert any(m.startswith("mlfolio: the worker processes failed (") for m in parallel.messages(logging.INFO))
    assert _differing(parallel, serial) == []


def test_a_worker_that_dies_leaves_the_pages_to_mkdocs(tmp_path: Path, copy_site, build_site, plugin_options, monkeypatch) -> None:
    # As if the system killed the worker for memory: the build neither hangs nor fails.
    monkeypatch.setattr(prerender, "_render", lambda pages, config, files: os._exit(1))
    parallel, serial = _pair(tmp_path, copy_site, build_site, plugin_options)
    assert parallel.error is None, parallel.logged()
    assert _converted(parallel) == []
    assert any(m.startswith("mlfolio: the worker processes failed (BrokenProcessPool") for m in parallel.messages(logging.INFO))
    assert _differing(parallel, serial) == []
    assert multiprocessing.active_children() == []


def test_when_the_system_cannot_fork_mkdocs_renders_every_page(tmp_path: Path, copy_site, build_site, plugin_options, monkeypatch) -> None:
    def no_fork(*args, **kwargs):
        raise BlockingIOError(11, "Resource temporarily unavailable")  # fork's EAGAIN

    monkeypatch.setattr(prerender, "Batch", no_fork)
    parallel, serial = _pair(tmp_path, copy_site, build_site, plugin_options)
    assert parallel.error is None, parallel.logged()
    assert _converted(parallel) == [] and _used(parallel) == []
    assert "mlfolio: cannot start worker processes ([Errno 11] Resource temporarily unavailable); rendering every page here" in parallel.messages(logging.INFO)
    assert _differing(parallel, serial) == []


def test_no_fork_while_another_thread_runs(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    # A thread may hold a lock at the moment of a fork (material's privacy and optimize plugins
    # download and compress in thread pools): then everything stays in this process.
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        result = build_site(plugin_options(copy_site(tmp_path / "in"), workers=2), log_level=logging.INFO)
    finally:
        stop.set()
        thread.join()
    assert result.error is None, result.logged()
    assert _converted(result) == []


def test_serve_renders_in_one_process_whatever_the_option_says(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    root = plugin_options(copy_site(tmp_path / "in"), workers=2)
    result = build_site(root, serve=True, log_level=logging.INFO)
    assert result.error is None, result.logged()
    assert _converted(result) == []


def test_a_large_portfolio_uses_every_core_without_the_option(tmp_path: Path, copy_site, build_site, monkeypatch) -> None:
    from mlfolio.mkdocs import plugin

    monkeypatch.setattr(plugin, "MIN_PAGES", 56)
    monkeypatch.setattr(plugin, "usable_cores", lambda: 2)
    result = build_site(copy_site(tmp_path / "in"), log_level=logging.INFO)
    assert result.error is None, result.logged()
    assert _converted(result) == [(28, 28, 1)] and _used(result) == [28]


def test_a_small_portfolio_stays_in_one_process_without_the_option(tmp_path: Path, copy_site, build_site, monkeypatch) -> None:
    from mlfolio.mkdocs import plugin

    monkeypatch.setattr(plugin, "usable_cores", lambda: 2)
    result = build_site(copy_site(tmp_path / "in"), log_level=logging.INFO)
    assert result.error is None, result.logged()
    assert _converted(result) == []  # 56 pages: starting a worker would cost more than it saves


@pytest.mark.parametrize("workers", [0, -1])
def test_workers_must_be_positive(tmp_path: Path, copy_site, build_site, plugin_options, workers: int) -> None:
    result = build_site(plugin_options(copy_site(tmp_path / "in"), workers=workers))
    assert result.error is not None
    assert f"mlfolio: workers must be 1 or more, not {workers} (1 renders in this process only)" in result.messages()
