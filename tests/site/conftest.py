"""Fixtures for the site tests: real MkDocs builds of this checkout's portfolio.

Every build works on a copy of ``mkdocs.yml``, ``projects/`` (the specs), ``schemas/`` and
``docs/`` (the docs folder, apart from the specs) in a temporary folder, so a test may edit specs or configuration freely and the checkout gets no ``site/``.
Builds run in-process (``load_config`` + ``build``) with ``strict=True``; a log handler on the
``mkdocs`` logger (the plugin logs to ``mkdocs.plugins.mlfolio``, Material to
``mkdocs.material.*``) records every warning and error, so a test can say exactly what was
logged instead of only that the build aborted.

The site built from the unchanged examples is made once per session (``site_build``) and
shared by every test that only reads it.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

REPO = Path(__file__).resolve().parents[2]
SITE_INPUTS = ("mkdocs.yml", "projects", "schemas", "docs")


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------


class _Recorder(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level=level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Build:
    """The outcome of one build: where its inputs and output are, what it logged, what it raised."""

    root: Path
    site: Path
    records: list[logging.LogRecord] = field(default_factory=list)
    error: BaseException | None = None

    def logged(self, level: int = logging.WARNING) -> list[str]:
        """Messages logged at ``level`` or above, as ``LEVEL logger: message``."""
        return [f"{r.levelname} {r.name}: {r.getMessage()}" for r in self.records if r.levelno >= level]

    def messages(self, level: int = logging.WARNING) -> list[str]:
        """Just the message texts logged at ``level`` or above."""
        return [r.getMessage() for r in self.records if r.levelno >= level]

    def file(self, path: str) -> Path:
        """A file of the built site; ``path`` like a URL path (``projects/x/`` means its index)."""
        return self.site / (path + "index.html" if path == "" or path.endswith("/") else path)

    def text(self, path: str) -> str:
        return self.file(path).read_text(encoding="utf-8")


def set_plugin_options(root: Path, **options: object) -> Path:
    """Add ``options`` to the mlfolio plugin's block in ``root/mkdocs.yml``; returns ``root``."""
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    extra = "".join(f"      {k}: {json.dumps(v)}\n" for k, v in options.items())
    (root / "mkdocs.yml").write_text(text.replace("  - mlfolio:\n", "  - mlfolio:\n" + extra, 1), encoding="utf-8")
    return root


def copy_inputs(dest: Path) -> Path:
    """Copy the site's inputs (``mkdocs.yml``, ``projects/``, ``schemas/``, ``docs/``) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SITE_INPUTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        else:
            shutil.copy2(source, dest / name)
    return dest


def run_build(root: Path, *, strict: bool = True, serve: bool = False, site_dir: Path | None = None,
              log_level: int = logging.WARNING) -> Build:
    """Build the site whose ``mkdocs.yml`` is in ``root``; never raises, the error is returned.

    Plugins first get ``on_startup`` as from ``mkdocs build`` (or, with ``serve=True``, from
    ``mkdocs serve``, before the first build of a session). Records at ``log_level`` and above
    are kept, and the mlfolio plugin's debug records too (they say how pages were converted).
    MkDocs behaves differently at DEBUG (it skips collecting links to anchors), so
    ``log_level`` stays what a test asks for.
    """
    site = site_dir or root / "site"
    recorder = _Recorder(logging.DEBUG)
    logger = logging.getLogger("mkdocs")
    plugin_logger = logging.getLogger("mkdocs.plugins.mlfolio")
    level, plugin_level = logger.level, plugin_logger.level
    if logger.getEffectiveLevel() > log_level:
        logger.setLevel(log_level)  # whatever else configured logging, these records must reach us
    plugin_logger.setLevel(logging.DEBUG)
    logger.addHandler(recorder)
    outcome = Build(root, site, recorder.records)
    try:
        config = load_config(str(root / "mkdocs.yml"), strict=strict, site_dir=str(site))
        config.plugins.on_startup(command="serve" if serve else "build", dirty=False)
        build(config)
    except BaseException as exc:  # noqa: BLE001 - reported to the test, which decides
        if isinstance(exc, KeyboardInterrupt):
            raise
        outcome.error = exc
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(level)
        plugin_logger.setLevel(plugin_level)
    return outcome


@pytest.fixture(scope="session", autouse=True)
def _quiet_material() -> Iterator[None]:
    """Material prints a notice about MkDocs 2 on import unless this is set."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_MKDOCS_2_WARNING", "1")
        yield


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The portfolio built once, strictly, from an unchanged copy of the checkout's inputs."""
    root = copy_inputs(tmp_path_factory.mktemp("site") / "repo")
    result = run_build(root)
    assert result.error is None, f"the site does not build: {result.error!r}\n" + "\n".join(result.logged())
    assert result.logged() == [], "the build logged warnings or errors"
    return result


@pytest.fixture(scope="session")
def site(site_build: Build) -> Path:
    """The folder of the built site."""
    return site_build.site


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A fresh copy of the site's inputs for one test to change."""
    return copy_inputs(tmp_path / "repo")


@pytest.fixture(scope="session")
def copy_site() -> Callable[[Path], Path]:
    """``copy_site(dest)``: copy the site's inputs into ``dest`` (for module-scoped builds)."""
    return copy_inputs


@pytest.fixture(scope="session")
def build_site() -> Callable[..., Build]:
    """``build_site(root, strict=True, serve=False, site_dir=None, log_level=WARNING)``: a :class:`Build`."""
    return run_build


@pytest.fixture(scope="session")
def plugin_options() -> Callable[..., Path]:
    """``plugin_options(root, **options)``: add options to the mlfolio plugin in ``root/mkdocs.yml``."""
    return set_plugin_options


# --------------------------------------------------------------------------------------------
# Reading HTML
# --------------------------------------------------------------------------------------------

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                  "track", "wbr"})
# Elements whose content a browser reads as text up to the closing tag (raw text and RCDATA).
TEXT_ONLY = frozenset({"script", "style", "title", "textarea"})


@dataclass(eq=False)
class Node:
    """An element of a parsed page: enough of a DOM to find elements and read text."""

    tag: str
    attrs: dict[str, str | None]
    parent: Node | None = field(default=None, repr=False)
    children: list[Node | str] = field(default_factory=list, repr=False)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self) -> Iterator[Node]:
        """This element and every element inside it, in document order.

        Without recursion: a page may hold 100,000 nested elements (hostile Markdown)."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Node))

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [
            n for n in self.iter()
            if (tag is None or n.tag == tag)
            and (cls is None or cls in n.classes())
            and all(n.attrs.get(k) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def text(self) -> str:
        """The text inside, as a reader sees it (entities decoded), whitespace kept."""
        out: list[str] = []
        stack: list[Node | str] = list(reversed(self.children))
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                out.append(item)
            else:
                stack.extend(reversed(item.children))
        return "".join(out)

    def words(self) -> str:
        """The text inside with runs of whitespace collapsed."""
        return " ".join(self.text().split())


RCDATA = {"title", "textarea"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node
            handled = set(self.CDATA_CONTENT_ELEMENTS) | set(getattr(self, "RCDATA_CONTENT_ELEMENTS", ()))
            if tag in TEXT_ONLY and tag not in handled:
                # html.parser treats only script/style as raw text; browsers also read
                # <title> and <textarea> as text, so a tag inside them is not markup.
                self.set_cdata_mode(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        if self.current.tag in RCDATA:
            # <title> and <textarea> are RCDATA: tags inside are text, but character
            # references are decoded, as a browser does.
            data = html_unescape(data)
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    parser = _TreeBuilder()
    parser.feed(text)
    parser.close()
    return parser.root


def resolve_link(site: Path, page: str, href: str) -> Path | None:
    """The file of ``site`` that ``href`` on the page at URL path ``page`` opens, if any.

    External links (with a scheme or host) give None; so does a link to a missing file.
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        target = page
    else:
        folder = posixpath.dirname(page)
        base = page if page.endswith("/") or page == "" else (folder + "/" if folder else "")
        target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
        if target == ".":
            target = ""
        if parts.path.endswith("/") and target:
            target += "/"
    if target.startswith("../") or target == "..":
        return None
    path = site / (target + "index.html" if target == "" or target.endswith("/") else target)
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


@pytest.fixture(scope="session")
def html() -> Callable[[Path], Node]:
    """``html(path)``: the parsed page at ``path``."""

    def read(path: Path) -> Node:
        return parse_html(path.read_text(encoding="utf-8"))

    return read


@pytest.fixture(scope="session")
def page(site_build: Build) -> Callable[[str], Node]:
    """``page("projects/house-prices/")``: a parsed page of the shared site."""
    cache: dict[str, Node] = {}

    def read(url_path: str) -> Node:
        if url_path not in cache:
            cache[url_path] = parse_html(site_build.text(url_path))
        return cache[url_path]

    return read


@pytest.fixture(scope="session")
def link_target() -> Callable[[Path, str, str], Path | None]:
    """``link_target(site, page_url_path, href)``: the file a relative link opens, or None."""
    return resolve_link


def article(root: Node) -> Node:
    """The page's content (Material's ``article.md-content__inner``)."""
    found = root.find("article", "md-content__inner")
    assert found is not None, "no article element: not a Material content page"
    return found


@pytest.fixture(scope="session")
def content() -> Callable[[Node], Node]:
    """``content(page)``: the article holding the page's own content."""
    return article


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def section(root: Node, ident: str) -> Node:
    """The part of a page under the heading ``id=ident`` (with it), up to the next heading of
    the same or a higher level, as one node: ``section(page, "feasibility")`` is the
    feasibility section of a project page, ``section(page, "concerns")`` one part of "At a glance"."""
    found = [n for n in article(root).iter() if n.tag in HEADINGS and n.attrs.get("id") == ident]
    assert len(found) == 1, f"{len(found)} headings with id {ident!r} in the article"
    heading = found[0]
    assert heading.parent is not None
    siblings = heading.parent.children
    start = next(i for i, c in enumerate(siblings) if c is heading)
    end = next((i for i in range(start + 1, len(siblings))
                if isinstance(siblings[i], Node) and siblings[i].tag in HEADINGS and siblings[i].tag <= heading.tag), len(siblings))
    return Node("#section", {"id": ident}, None, siblings[start:end])


@pytest.fixture(scope="session")
def sections() -> Callable[[Node, str], Node]:
    """``sections(page, "feasibility")``: the part of a page under the heading with that id."""
    return section


@dataclass(frozen=True)
class TocItem:
    href: str
    title: str
    children: tuple[TocItem, ...]


def table_of_contents(root: Node) -> list[TocItem]:
    """The table of contents Material shows beside the page (``nav.md-nav--secondary``),
    as nested items. The one in the right-hand sidebar is read."""
    sidebar = root.find("div", "md-sidebar--secondary")
    assert sidebar is not None, "no table-of-contents sidebar"
    nav = sidebar.find("nav", "md-nav--secondary")
    if nav is None:
        return []

    def items(ul: Node | None) -> list[TocItem]:
        if ul is None:
            return []
        found = []
        for li in (c for c in ul.children if isinstance(c, Node) and c.tag == "li"):
            link = next(c for c in li.children if isinstance(c, Node) and c.tag == "a")
            sub = next((c for c in li.children if isinstance(c, Node) and c.tag == "nav"), None)
            inner = sub.find("ul") if sub is not None else None
            found.append(TocItem(link.attrs.get("href") or "", link.words(), tuple(items(inner))))
        return found

    return items(nav.find("ul"))


@pytest.fixture(scope="session")
def toc() -> Callable[[Node], list[TocItem]]:
    """``toc(page)``: the page's table of contents, as nested :class:`TocItem`."""
    return table_of_contents


def element_ids(root: Node) -> list[str]:
    """Every ``id`` on a page, in document order, repeats kept."""
    return [n.attrs["id"] or "" for n in root.iter() if "id" in n.attrs]


# Attributes that make the browser fetch or open a URL.
URL_ATTRIBUTES = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("area", "href"))


def find_broken_links(site: Path) -> list[str]:
    """Every link inside ``site`` that does not arrive: a missing file, or a ``#fragment``
    that is no ``id`` of the page it points at. External links (with a scheme or a host) are
    not followed. ``404.html`` is left out: it is served at any depth, so MkDocs writes its
    links from ``site_url``.

    MkDocs does not check anchors on generated pages (their HTML is handed over finished),
    so this is the check that the ids the templates link to exist."""
    pages = {p: parse_html(p.read_text(encoding="utf-8")) for p in sorted(site.rglob("*.html")) if p.name != "404.html"}
    ids = {p: set(element_ids(root)) for p, root in pages.items()}
    broken = []
    for path, root in pages.items():
        url = path.relative_to(site).as_posix()
        url = url[: -len("index.html")] if url.endswith("index.html") else url
        for tag, attribute in URL_ATTRIBUTES:
            for node in root.find_all(tag):
                href = node.attrs.get(attribute)
                if href is None or href in ("", "#") or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith("//"):
                    continue
                fragment = unquote(urlsplit(href).fragment)
                target = path if href.startswith("#") else resolve_link(site, url, href)
                if target is None:
                    broken.append(f"{url}: <{tag} {attribute}={href!r}>: no such file")
                elif fragment and target.suffix == ".html":
                    if target not in ids:
                        ids[target] = set(element_ids(parse_html(target.read_text(encoding="utf-8"))))
                    if fragment not in ids[target]:
                        broken.append(f"{url}: <{tag} {attribute}={href!r}>: no id {fragment!r} on {target.relative_to(site).as_posix()}")
    return broken


@pytest.fixture(scope="session")
def broken_links() -> Callable[[Path], list[str]]:
    """``broken_links(site)``: every internal link of the built site that leads nowhere."""
    return find_broken_links
