"""The site's search index: Pagefind, run over the site's pages, with Korean index text.

Pagefind (https://pagefind.app) reads the built HTML pages and writes a static index into
``<site>/pagefind/``: the words cut into small chunks by prefix, one fragment per page (its
text, sections and filters), and the browser loads only the chunks and fragments a query
needs. Which part of a page is indexed, with what weight and under which filters, the pages
say themselves with ``data-pagefind-*`` attributes (the project template; the site engine
marks the content of every page to index with ``data-pagefind-body``).

Korean
    Pagefind splits words at spaces and matches a query word as a prefix of an indexed word,
    so "쿠폰함" finds "쿠폰함에는" (a particle attached) but "구매율" does not find "재구매율"
    (part of a compound), and its extended build segments only Chinese, Japanese and Thai.
    So the index is not built from the site itself but from a copy of its pages in which
    every Korean word of three syllables or more is followed by its endings, each marked
    with :data:`MARK`: "재구매율이" is followed by "`|구매율이 `|매율이 `|율이". A query is
    then a prefix of one of them ("구매율" of "구매율이"). Pagefind drops the mark's
    punctuation from the indexed word, and the search script hides the marked words in
    snippets (a match on one is shown on the word it came from). The served pages are not
    changed.

    The copy's Korean text is also decomposed (Unicode NFD: syllables into jamo). Pagefind
    indexes every word under its decomposed form anyway; a word written otherwise is kept as a
    variant of that form, and Pagefind 1.5 leaves variants out when it cuts the index into
    pieces of about the same size, so every Korean word of a site went into one piece (1.25 MB
    at 1,000 projects, fetched for any Korean query). Written decomposed, a Korean word is its
    own form and the pieces are cut as for English. Titles and snippets thus come back
    decomposed, and the search script shows them composed again (NFC). Filter values are left
    composed: they are shown and chosen as written. A particle attached to a query word ("재구매율은") is taken off by the search
    script before the query reaches Pagefind (see the ``assets/mlfolio-search.js`` list).
English
    Pagefind's English (Snowball) stemmer, for the whole site (``--force-language en``):
    "recommendations" finds "recommender". Korean words pass through it unchanged.

Public API::

    korean_index_text(html) -> str           # the page as the index reads it
    build_index(site_dir, binary=None) -> IndexReport    # index a finished site
    IndexJob(documents, binary=None)         # or start indexing pages before the site is written:
        .finish(site_dir) -> IndexReport; .abort()
    index_document(content, title) -> str    # a page's content as a document to index
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Final

__all__ = ["BODY_ATTRIBUTE", "MARK", "IndexReport", "IndexJob", "SearchIndexError", "build_index", "find_binary",
           "index_document", "korean_index_text"]

#: Marks a page's indexed part (Pagefind indexes only such elements once any page has one).
BODY_ATTRIBUTE: Final = "data-pagefind-body"
#: Prefix of an index-only word: ASCII punctuation, which Pagefind leaves out of the word it
#: indexes (and, being ASCII punctuation, does not index a second time as a compound's part).
MARK: Final = "`|"
#: The folder of the index inside the site.
OUTPUT: Final = "pagefind"
#: What Pagefind writes that the site does not use: its own ready-made search interfaces
#: (the site's search box is the theme's, driven by ``mlfolio-search.js``).
UNUSED: Final = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
                 "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")

_HANGUL_RUN = re.compile("[\uac00-\ud7a3]{3,}")
_HANGUL = re.compile("[\uac00-\ud7a3]")
# A word (a run of anything but spaces and angle brackets) with three Hangul syllables in a row.
# Tried only where a word starts (the look-behind), each word is read once: without it, a
# long word would be scanned again from each of its characters.
_KOREAN_WORD = re.compile("(?<![^\\s<>])[^\\s<>]*?[\uac00-\ud7a3]{3}[^\\s<>]*")
# Text between two tags that holds a Hangul syllable: found by the regular expression engine
# alone, so the many tags and the text without Korean cost no Python step each.
_KOREAN_TEXT = re.compile(">([^<>]*?[\uac00-\ud7a3][^<>]*)")
# What holds no text of the page although it has text between its tags.
_SKIPPED = re.compile(r"<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>", re.S | re.I)
# A start tag whose text is the value of a filter (data-pagefind-filter="team", no ":value"):
# that text is left as written.
_FILTER_TAG = re.compile(r"""<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*\sdata-pagefind-filter=(?:"[^":]*"|'[^':]*'|[^\s>:"']+)[^>]*(?<!/)>""")


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed; the message says what to do."""


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did."""

    pages: int  # pages indexed (those marked with data-pagefind-body)
    korean_pages: int  # of which had Korean index text added
    seconds: float
    output: Path


def _endings(word: str) -> list[str]:
    """Index-only words for one word of text: the endings (two syllables or more) of each run
    of three or more Hangul syllables in it, without the run itself."""
    found: list[str] = []
    for run in _HANGUL_RUN.findall(word):
        for start in range(1, len(run) - 1):
            ending = run[start:]
            if ending not in found:
                found.append(ending)
    return found


def _add_endings(match: re.Match[str]) -> str:
    word = match.group(0)
    return word + "".join(f" {MARK}{ending}" for ending in _endings(word))


def _augment_text(text: str) -> str:
    return unicodedata.normalize("NFD", _KOREAN_WORD.sub(_add_endings, text))


@functools.lru_cache(maxsize=64)
def _end_tag(name: str) -> re.Pattern[str]:
    return re.compile(f"</{re.escape(name)}", re.I)


def korean_index_text(html: str) -> str:
    """``html`` with every Korean word of the indexed part followed by its marked endings, and
    its Korean text decomposed (NFD).

    Only text from the first ``data-pagefind-body`` element on is changed (the rest is not
    indexed), never inside tags, comments, scripts or styles, nor the text of an element that
    is a filter's value (``data-pagefind-filter="team"``: the value stays as written, up to the
    element's end tag). A text between two tags is changed as a whole (decomposed, endings
    added) if it holds a Hangul syllable. Text without a Hangul syllable comes back unchanged
    (the very same string)."""
    start = html.find(BODY_ATTRIBUTE)
    if start < 0 or not _HANGUL.search(html, start):
        return html
    start = html.find(">", start)
    # Spans whose text is left alone, in order: found once, then skipped past.
    skipped = [(found.start(), found.end()) for found in _SKIPPED.finditer(html, start + 1)]
    at = html.find("data-pagefind-filter", start)
    while at >= 0:
        lt = html.rfind("<", start, at)
        tag = _FILTER_TAG.match(html, lt) if lt >= 0 else None
        if tag is not None and not any(first <= tag.start() < end for first, end in skipped):
            close = _end_tag(tag.group(1)).search(html, tag.end())
            skipped.append((tag.start(), len(html) if close is None else close.start()))
        at = html.find("data-pagefind-filter", at + 1)
    skipped.sort()
    pieces: list[str] = []
    done = 0
    spans = iter(skipped)
    span = next(spans, None)
    for text in _KOREAN_TEXT.finditer(html, start):
        begin = text.start(1)
        while span is not None and span[1] <= begin:
            span = next(spans, None)
        if span is not None and span[0] <= begin:
            continue  # inside a comment, script, style or a filter's value
        pieces.append(html[done:begin])
        pieces.append(_augment_text(text.group(1)))
        done = text.end()
    if not pieces:
        return html
    pieces.append(html[done:])
    return "".join(pieces)


def find_binary() -> Path:
    """The Pagefind executable of the ``pagefind`` package (its extended build if installed),
    or ``PAGEFIND_BINARY_PATH``."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise SearchIndexError("the search index needs the `pagefind` package: pip install 'pagefind[extended]'") from None
    binary = get_executable()
    if binary is None or not Path(binary).is_file():
        raise SearchIndexError("no Pagefind executable found: pip install 'pagefind[extended]' "
                               "(or set PAGEFIND_BINARY_PATH to a Pagefind binary)")
    return Path(binary)


def _indexed_pages(site_dir: Path) -> Iterator[tuple[Path, bytes]]:
    for path in sorted(site_dir.rglob("*.html")):
        relative = path.relative_to(site_dir)
        if relative.parts[0] == OUTPUT or not path.is_file():
            continue
        data = path.read_bytes()
        if BODY_ATTRIBUTE.encode() in data:
            yield relative, data


def build_index(site_dir: Path, binary: Path | None = None, *, timeout: float = 600) -> IndexReport:
    """Index the finished site in ``site_dir`` into ``site_dir/pagefind/``: the pages marked with
    ``data-pagefind-body``, as they are written (see :class:`IndexJob`)."""
    pages = ((relative.as_posix(), data.decode("utf-8", errors="replace")) for relative, data in _indexed_pages(site_dir))
    return IndexJob(pages, binary).finish(site_dir, timeout=timeout)


def _publish(staged: Path, site_dir: Path) -> None:
    """Pagefind's output in ``staged``, trimmed and made stable, becomes ``site_dir/pagefind``."""
    for name in UNUSED:
        (staged / name).unlink(missing_ok=True)
    _stable_filters(staged)
    output = site_dir / OUTPUT
    if output.exists():
        shutil.rmtree(output)
    shutil.move(str(staged), str(output))


def index_document(html: str, title: str = "", language: str = "en") -> str:
    """A page's content as a document to index, as the theme puts it in the page's article: the
    content, under a first-level heading of ``title`` if it has none (as Material's article
    template does), is the indexed part."""
    heading = "" if "<h1" in html else f"<h1>{escape(title)}</h1>"
    return (f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head><body><article {BODY_ATTRIBUTE}>{heading}{html}</article></body></html>")


class IndexJob:
    """Pagefind run over a set of pages in a process of its own, while the caller goes on.

    :meth:`__init__` writes the pages into a temporary folder, each at its path in the site,
    and starts a worker process (``python -m mlfolio.pages.search``, :func:`_index_folder`)
    that adds the Korean index text to them and runs Pagefind over the folder; :meth:`finish`
    waits for it and puts the new index in the site. A site engine can start the job as soon
    as it knows the pages' content and build the rest of the site meanwhile (the MkDocs plugin
    starts it before the theme renders the pages: at 1,000 projects indexing, Korean index text
    included, is a third of a build). A build that fails or is interrupted calls :meth:`abort`."""

    def __init__(self, documents: Iterable[tuple[str, str]], binary: Path | None = None) -> None:
        """``documents``: each page's path in the site (``projects/churn/index.html``) and its
        HTML, whose ``data-pagefind-body`` element is what is indexed."""
        self._started = time.perf_counter()
        # A file Pagefind still holds open (Windows, after an abort) must not turn the clean-up
        # into the error that hides the build's own.
        self._temp = tempfile.TemporaryDirectory(prefix="mlfolio-search-", ignore_cleanup_errors=True)
        self._process: subprocess.Popen[bytes] | None = None
        self._folder = Path(self._temp.name).resolve()
        self._staged = self._folder / "index"
        self._log = self._folder / "pagefind.log"  # a file, not a pipe nobody reads until the end
        self.pages = 0
        try:
            binary = binary or find_binary()
            root = self._folder / "site"
            for path, html in documents:
                target = root / path
                if not target.resolve().is_relative_to(root):
                    raise SearchIndexError(f"a page outside the site cannot be indexed: {path}")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(html, encoding="utf-8")
                self.pages += 1
            if not self.pages:
                raise SearchIndexError(f"no page is marked with {BODY_ATTRIBUTE}: nothing to index")
            # The working directory is the temporary folder and no PAGEFIND_ variable is passed
            # on, so no pagefind.yml of the repository changes what is indexed.
            env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
            command = [sys.executable, "-m", "mlfolio.pages.search", str(self._folder), str(binary)]
            try:
                with self._log.open("wb") as log:
                    self._process = subprocess.Popen(command, cwd=self._folder, env=env, stdin=subprocess.DEVNULL,
                                                     stdout=log, stderr=subprocess.STDOUT,
                                                     start_new_session=os.name == "posix")  # abort ends Pagefind too
            except OSError as exc:
                raise SearchIndexError(f"the indexing process did not start: {exc}") from None
        except BaseException:
            self.abort()
            raise

    def finish(self, site_dir: Path, *, timeout: float = 600) -> IndexReport:
        """Wait for Pagefind and put its index in ``site_dir/pagefind/`` (replacing the old one
        only once the new one is complete)."""
        assert self._process is not None
        try:
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                raise SearchIndexError(f"Pagefind did not finish within {timeout:.0f} s") from None
            if self._process.returncode != 0 or not (self._staged / "pagefind.js").is_file():
                output = self._log.read_text(encoding="utf-8", errors="replace").strip()
                raise SearchIndexError(f"Pagefind failed (exit {self._process.returncode}): {output[-2000:]}")
            korean = int((self._folder / _KOREAN_COUNT).read_text(encoding="utf-8"))
            _publish(self._staged, site_dir)
            return IndexReport(self.pages, korean, time.perf_counter() - self._started, site_dir / OUTPUT)
        finally:
            self.abort()

    def abort(self) -> None:
        """Stop the worker if it still runs, and remove the temporary folder."""
        if self._process is not None and self._process.poll() is None:
            try:
                if os.name == "posix":
                    os.killpg(self._process.pid, signal.SIGKILL)  # the worker and Pagefind under it
                else:
                    self._process.kill()
            except OSError:
                pass
            self._process.wait()
        self._temp.cleanup()


_KOREAN_COUNT: Final = "korean-pages.txt"


def _index_folder(folder: Path, binary: Path) -> int:
    """The worker of :class:`IndexJob`: Korean index text into every page under ``folder/site``,
    then Pagefind from there into ``folder/index``; returns Pagefind's exit status."""
    korean = 0
    for path in sorted((folder / "site").rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        augmented = korean_index_text(html)
        if augmented is not html:
            path.write_text(augmented, encoding="utf-8")
            korean += 1
    (folder / _KOREAN_COUNT).write_text(str(korean), encoding="utf-8")
    command = [str(binary), "--site", str(folder / "site"), "--output-path", str(folder / "index"),
               "--force-language", "en", "--quiet"]
    try:
        return subprocess.run(command, cwd=folder, stdin=subprocess.DEVNULL, check=False).returncode
    except OSError as exc:
        sys.stderr.write(f"Pagefind did not run: {exc}\n")
        return 127


# --------------------------------------------------------------------------------------------
# The same site, the same index files

_PREFIX = b"pagefind_dcd"


def _cbor_read(data: bytes, i: int) -> tuple[object, int]:
    """One CBOR item (the kinds Pagefind writes: integers, strings, arrays, maps)."""
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if info < 24:
        value = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        value = int.from_bytes(data[i:i + size], "big")
        i += size
    else:
        raise ValueError(f"CBOR item {data[i - 1]:#x} is not one Pagefind writes")
    if major == 0:
        return value, i
    if major == 1:
        return -1 - value, i
    if major in (2, 3):
        chunk = data[i:i + value]
        return (bytes(chunk) if major == 2 else chunk.decode("utf-8")), i + value
    if major in (4, 5):
        items = []
        for _ in range(value * (2 if major == 5 else 1)):
            item, i = _cbor_read(data, i)
            items.append(item)
        return (items if major == 4 else dict(zip(items[::2], items[1::2]))), i
    raise ValueError(f"CBOR major type {major} is not one Pagefind writes")


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if value < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, value)
    raise ValueError(value)


def _cbor_write(value: object) -> bytes:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{value!r} is not a value Pagefind writes")
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_write(v) for v in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(_cbor_write(k) + _cbor_write(v) for k, v in value.items())
    raise ValueError(f"{type(value).__name__} is not a type Pagefind writes")


def _read_packed(path: Path) -> object:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_PREFIX):
        raise ValueError(f"{path.name} is not a Pagefind file")
    return _cbor_read(data, len(_PREFIX))[0]


def _packed(value: object) -> bytes:
    return gzip.compress(_PREFIX + _cbor_write(value), compresslevel=9, mtime=0)


def _stable_filters(output: Path) -> None:
    """Pagefind writes the values of each filter, and the filters, in an order that changes
    from one run to the next (a hash map's); sort them, so that two builds of the same site give
    the same files, as the rest of the site does. Files are renamed after their new content
    (``filter/<language>_<hash>.pf_filter``, ``pagefind.<language>_<hash>.pf_meta``) and the
    names they are found by updated. A layout this does not know is left as Pagefind wrote it."""
    entry_path = output / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        languages = entry["languages"]
        for language, info in languages.items():
            meta_path = output / f"pagefind.{info['hash']}.pf_meta"
            meta = _read_packed(meta_path)
            if not (isinstance(meta, list) and len(meta) > 3 and isinstance(meta[3], list)):
                return
            renamed = []
            for name, old in meta[3]:
                old_path = output / "filter" / f"{old}.pf_filter"
                content = _read_packed(old_path)
                if not (isinstance(content, list) and len(content) == 2 and isinstance(content[1], list)):
                    return
                data = _packed([content[0], sorted(content[1], key=lambda item: item[0])])
                new = f"{language}_{hashlib.sha256(data).hexdigest()[:7]}"
                old_path.unlink()
                (output / "filter" / f"{new}.pf_filter").write_bytes(data)
                renamed.append([name, new])
            meta[3] = sorted(renamed)
            data = _packed(meta)
            info["hash"] = f"{language}_{hashlib.sha256(data).hexdigest()[:10]}"
            meta_path.unlink()
            (output / f"pagefind.{info['hash']}.pf_meta").write_bytes(data)
        entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    except (OSError, KeyError, TypeError, ValueError, EOFError):
        return


if __name__ == "__main__":  # the worker of IndexJob: python -m mlfolio.pages.search FOLDER PAGEFIND
    sys.exit(_index_folder(Path(sys.argv[1]), Path(sys.argv[2])))
