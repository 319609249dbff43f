"""Fixtures for the browser tests: the real portfolio site, built and served, in headless Chromium.

The site is built once per session from this checkout's ``mkdocs.yml``, ``projects/``,
``schemas/`` and ``docs/`` (copied to a temporary folder, so the checkout gets no ``site/``),
served on 127.0.0.1 by a small threaded HTTP server, and opened in the system's Chromium
through Playwright. Every request that does not go to that server (web fonts, Mermaid from a CDN)
is aborted at once: the tests must pass without a network.

Without Chromium or the ``playwright`` package the tests are skipped locally. In CI (``CI``
or ``MLFOLIO_REQUIRE_BROWSER`` set) they fail instead: the browser tests must never be
skipped there.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
        Route,
    )
    from playwright.sync_api import Error as PlaywrightError

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# Playwright's timeouts (actions and `expect`), in milliseconds. The site is local and small:
# a step that takes longer than this is broken, not slow.
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 15_000

# The sections of a project page, as its table of contents lists them.
SECTIONS = [
    ("at-a-glance", "At a glance"),
    ("problem", "Problem"),
    ("feasibility", "Feasibility"),
    ("goals", "Goals & metrics"),
    ("constraints", "Constraints"),
    ("data", "Data & baseline"),
    ("deployment", "Deployment & monitoring"),
]


def _browser_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("MLFOLIO_REQUIRE_BROWSER"))


def _unavailable(reason: str) -> None:
    """Fail in CI (browser tests must run there), skip elsewhere."""
    if _browser_required():
        pytest.fail(
            f"browser tests cannot run: {reason}. They are required here because CI or "
            "MLFOLIO_REQUIRE_BROWSER is set; install Chromium (the `chromium` package) and "
            "`pip install -e '.[test]'`.",
            pytrace=False,
        )
    pytest.skip(f"browser tests need Chromium and playwright: {reason}")


# --------------------------------------------------------------------------------------------
# The site


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def copy_inputs(work: Path) -> Path:
    """The checkout's site inputs (mkdocs.yml, specs, schemas, docs) copied into ``work``."""
    shutil.copy2(REPO / "mkdocs.yml", work / "mkdocs.yml")
    for folder in ("projects", "schemas", "docs"):
        shutil.copytree(REPO / folder, work / folder)
    return work


@contextlib.contextmanager
def built_and_served(work: Path, name: str, **env: str) -> Iterator[str]:
    """``work`` built with ``mkdocs build --strict`` into ``work/site`` (``env`` added to the
    build's environment) and served on 127.0.0.1 while the block runs; yields its base URL
    (ending in ``/``). The server is bound first, so the site is built for its own address."""
    site_dir = work / "site"
    site_dir.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer((HOST, 0), handler)  # port 0: the OS picks a free port
    url = f"http://{HOST}:{server.server_address[1]}/"
    try:
        build = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
            cwd=work,
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=url, **env),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert build.returncode == 0, (
            f"mkdocs build --strict failed (exit {build.returncode}):\n"
            f"{build.stdout}\n{build.stderr}"
        )
        assert (site_dir / "index.html").is_file(), "the build wrote no index.html"

        thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
        thread.start()
        try:
            yield url
        finally:
            server.shutdown()
            thread.join(timeout=10)
    finally:
        server.server_close()


# Module scope, not session: the server thread and the browser end with the browser tests, so
# the tests that follow run in a process with one thread (`mlfolio validate` forks workers for
# large batches only then).
@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (ending in ``/``) of the portfolio, built with ``mkdocs build --strict``."""
    with built_and_served(copy_inputs(tmp_path_factory.mktemp("portfolio")), "portfolio-http") as url:
        yield url


# --------------------------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the system's, never a downloaded one), shared by every test."""
    try:
        from playwright.sync_api import Error as LaunchError
        from playwright.sync_api import expect, sync_playwright
    except ImportError as error:
        _unavailable(f"the playwright package is not installed ({error})")
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("no `chromium` executable on PATH")

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except LaunchError as error:
            _unavailable(f"{executable} does not start: {error.message.splitlines()[0]}")
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageErrors:
    """Console errors and uncaught exceptions of the pages of one test.

    Failures caused by the aborted external requests are kept apart (``ignored``): a blocked
    web font logs "Failed to load resource" at the font's URL, and Material reports the
    missing Mermaid script as an uncaught "Invalid script: <CDN URL>". Anything else is an
    error of the site itself.
    """

    site_url: str = ""  # set by `open_page`
    blocked: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def _record(self, line: str, text: str, where: str = "") -> None:
        external = bool(where) and not where.startswith(self.site_url)
        if external or any(url in text for url in self.blocked):
            self.ignored.append(line)
        else:
            self.messages.append(line)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            line = f"console error: {message.text} (at {where or 'unknown location'})"
            self._record(line, message.text, where)

    def on_page_error(self, error: PlaywrightError) -> None:
        self._record(f"uncaught exception: {error}", str(error))

    def assert_none(self) -> None:
        assert not self.messages, "errors in the browser console:\n" + "\n".join(self.messages)


@pytest.fixture
def page_errors() -> PageErrors:
    """Errors seen by every page this test opens; call ``page_errors.assert_none()``."""
    return PageErrors()


@pytest.fixture
def open_page(
    browser: Browser, site_url: str, page_errors: PageErrors
) -> Iterator[Callable[..., Page]]:
    """``open_page(**context_options)``: a fresh page in its own browser context.

    The context has ``base_url`` set to the site, so ``page.goto("/")`` opens the portfolio.
    Only requests to the local server go through; everything else is aborted immediately.
    """
    local_host = urlsplit(site_url).hostname
    page_errors.site_url = site_url
    contexts: list[BrowserContext] = []

    def only_local(route: Route) -> None:
        target = urlsplit(route.request.url)
        if target.scheme in ("data", "blob") or target.hostname == local_host:
            route.continue_()
        else:
            page_errors.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def make(**options: Any) -> Page:
        settings: dict[str, Any] = {
            "viewport": {"width": 1280, "height": 900},
            "locale": "en-US",
            "service_workers": "block",
        }
        settings.update(options)
        context = browser.new_context(base_url=site_url, **settings)
        contexts.append(context)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.route("**/*", only_local)  # the context's pages and their workers
        new_page = context.new_page()
        new_page.on("console", page_errors.on_console)
        new_page.on("pageerror", page_errors.on_page_error)
        return new_page

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A desktop-sized page (1280x900) on the portfolio."""
    return open_page()
