"""The site's search index: Pagefind, run over the finished site, with Korean index text.

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
    changed. A particle attached to a query word ("재구매율은") is taken off by the search
    script before the query reaches Pagefind (see the ``assets/mlfolio-search.js`` list).
English
    Pagefind's English (Snowball) stemmer, for the whole site (``--force-language en``):
    "recommendations" finds "recommender". Korean words pass through it unchanged.

Public API::

    korean_index_text(html) -> str           # the page as the index reads it
    build_index(site_dir, binary=None) -> IndexReport
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["BODY_ATTRIBUTE", "MARK", "IndexReport", "SearchIndexError", "build_index", "find_binary", "korean_index_text"]

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
_KOREAN_WORD = re.compile("[^\\s<>]*[\uac00-\ud7a3]{3,}[^\\s<>]*")
# A start tag whose text is the value of a filter (data-pagefind-filter="team", no ":value").
_FILTER_TAG = re.compile(r"""<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*\sdata-pagefind-filter=(?:"[^":]*"|'[^':]*'|[^\s>:"']+)[^>]*(?<!/)>""")
# Markup that holds no text of the page: comments, scripts, styles, tags.
_MARKUP = re.compile(r"(<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>|<[^>]*>)", re.S | re.I)


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


def _augment_text(text: str) -> str:
    def add(match: re.Match[str]) -> str:
        word = match.group(0)
        return word + "".join(f" {MARK}{ending}" for ending in _endings(word))

    return _KOREAN_WORD.sub(add, text)


def korean_index_text(html: str) -> str:
    """``html`` with every Korean word of the indexed part followed by its marked endings.

    Only text from the first ``data-pagefind-body`` element on is changed (the rest is not
    indexed), never inside tags, comments, scripts or styles, nor the text of an element that
    is a filter's value (``data-pagefind-filter="team"``: the value stays as written). Text
    without a Hangul run of three syllables comes back unchanged."""
    start = html.find(BODY_ATTRIBUTE)
    if start < 0 or not _HANGUL_RUN.search(html, start):
        return html
    start = html.find(">", start) + 1
    parts = _MARKUP.split(html[start:])
    value_of = ""  # inside an element whose text is a filter's value: left as it is
    for i, part in enumerate(parts):
        if i % 2:  # markup
            if value_of:
                value_of = "" if part.lower().startswith(f"</{value_of}") else value_of
            elif (tag := _FILTER_TAG.match(part)) is not None:
                value_of = tag.group(1).lower()
        elif not value_of and _HANGUL_RUN.search(part):
            parts[i] = _augment_text(part)
    return html[:start] + "".join(parts)


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
    """Index the finished site in ``site_dir`` into ``site_dir/pagefind/``.

    The pages marked with ``data-pagefind-body`` are copied to a temporary folder (with
    Korean index text where they hold Korean) and Pagefind indexes that copy; the new index
    replaces the old one only once it is complete."""
    started = time.perf_counter()
    binary = binary or find_binary()
    output = site_dir / OUTPUT
    pages = korean = 0
    with tempfile.TemporaryDirectory(prefix="mlfolio-search-") as temp:
        source, staged = Path(temp) / "site", Path(temp) / "index"
        for relative, data in _indexed_pages(site_dir):
            target = source / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            text = data.decode("utf-8", errors="replace")
            augmented = korean_index_text(text)
            korean += augmented is not text
            target.write_text(augmented, encoding="utf-8")
            pages += 1
        if not pages:
            raise SearchIndexError(f"no page in {site_dir} is marked with {BODY_ATTRIBUTE}: nothing to index")
        # The working directory is the temporary folder, so no pagefind.yml of the
        # repository changes what is indexed; every option is given here.
        command = [str(binary), "--site", str(source), "--output-path", str(staged), "--force-language", "en", "--quiet"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
        try:
            done = subprocess.run(command, cwd=temp, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchIndexError(f"Pagefind did not run: {exc}") from None
        if done.returncode != 0 or not (staged / "pagefind.js").is_file():
            detail = (done.stderr or done.stdout).strip()
            raise SearchIndexError(f"Pagefind failed (exit {done.returncode}): {detail[-2000:]}")
        for name in UNUSED:
            (staged / name).unlink(missing_ok=True)
        if output.exists():
            shutil.rmtree(output)
        shutil.move(str(staged), str(output))
    return IndexReport(pages, korean, time.perf_counter() - started, output)
