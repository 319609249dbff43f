"""Search in a browser: time from opening a page to the first search result, and bytes fetched.

For each portfolio size (synthetic specs, bench/synth.py) the site is built twice with
``mkdocs build --strict``: with the plugin's default search (``pagefind``: the Pagefind index
and the theme's header box) and with Material's search (``search: material`` and Material's
``search`` plugin with ``lang: [en, ko]``, the configuration before Pagefind). Each site is
served on 127.0.0.1 by a small server that gzips text as GitHub Pages does and counts the bytes
it sends, and opened in headless Chromium (the system's, through Playwright) with a fresh
profile per run, every request to another host aborted.

One run: open a page (the home page, or a project page); as soon as its scripts have run
(DOMContentLoaded), focus the search box and enter the whole query at once (a reader who
types instantly: the events each search listens to, dispatched in the page); the page notes
when the first result appears. The time is from the start of the navigation to that moment
(``performance.now()`` in the page, so the benchmark's own polling adds nothing), and apart, the
page's own part of it (DOMContentLoaded handled: its HTML parsed, its scripts run); the bytes are
everything the server sent in between (the page itself included) and, apart, what the search
fetched (its index, its scripts). A warm-up run per site and page fills
the server's gzip cache and the system's file cache; it is not counted.

Usage::

    .venv/bin/python bench/search.py                      # 10, 100, 1,000 projects, 3 runs each
    .venv/bin/python bench/search.py --sizes 10,100 --repeat 5 --engines pagefind
    .venv/bin/python bench/search.py --sizes 10,1000 --engines pagefind --out /tmp/new --against /tmp/old

With ``--against`` (the ``--out`` of an earlier run, its sites kept), every run is made on both
sites in turn, so a change is measured under the same load as what it is compared with.

Writes ``<out>/search-results.json`` (every run) and ``<out>/search-results.md`` (medians, min-max).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import synth
from build import write_configs
from common import REPO

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
QUERIES = {"en": "officetel", "ko": "재구매율"}  # from house-prices and crm-repurchase, which synth.py varies
ENGINES = ("material", "pagefind")
# What a search fetches, by path: its index and its scripts (the page's own files are the rest).
SEARCH_PATHS = {"material": re.compile(r"^/(search/|assets/javascripts/(workers|lunr)/)"),
                "pagefind": re.compile(r"^/(pagefind/|assets/mlfolio/mlfolio-search\.)")}
GZIP_TYPES = re.compile(r"^(text/|application/(javascript|json|xml)|image/svg)")
TIMEOUT_MS = 180_000
# In the page, from the start: the time (since the navigation started) when the first result
# is shown, noted by the page itself, so no polling by the benchmark adds to it.
FIRST_RESULT = """
new MutationObserver((changes, observer) => {
  if (document.querySelector(".md-search-result__item")) {
    window.__benchFirstResult = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
# A reader who types at once: focus the box and enter the whole query, with the events either
# search listens to (Material's: keyup; mlfolio's: input), as soon as the page's scripts ran.
TYPE_QUERY = """(query) => {
  const box = document.querySelector(".md-search__input");
  box.focus();
  box.value = query;
  box.dispatchEvent(new Event("input", {bubbles: true}));
  box.dispatchEvent(new KeyboardEvent("keyup", {bubbles: true, key: "End"}));
}"""


# ----------------------------------------------------------------------------- the sites
def material_config(text: str) -> str:
    """The repository's configuration with Material's search instead of Pagefind (as before)."""
    text = text.replace("plugins:\n  - mlfolio:\n",
                        "plugins:\n  - search:\n      lang: [en, ko]\n  - mlfolio:\n      search: material\n", 1)
    text = text.replace("    - navigation.indexes\n", "    - navigation.indexes\n    - search.suggest\n    - search.highlight\n", 1)
    if "search: material" not in text or "search.suggest" not in text:
        raise SystemExit("bench: cannot find the plugins or features of mkdocs.yml; update bench/search.py")
    return text


def build_sites(out: Path, sizes: list[int], engines: list[str], seed: int, reuse: bool) -> dict[str, Any]:
    pool = out / "specs-pool"
    if not (reuse and len(list(pool.glob("*.yaml"))) >= max(sizes)):
        synth.generate(pool, max(sizes), seed=seed)
    builds: dict[str, Any] = {}
    for n in sizes:
        project = out / f"n{n}"
        for engine in engines:
            site = project / f"site-{engine}"
            key = f"{n}/{engine}"
            if reuse and (site / "index.html").is_file():
                builds[key] = {"seconds": None, "reused": True}
                continue
            if project.exists() and not (project / "specs").is_dir():
                shutil.rmtree(project)
            if not (project / "specs").is_dir():
                (project / "specs").mkdir(parents=True)
                for i in range(1, n + 1):
                    shutil.copyfile(pool / f"synthetic-{i:04d}.yaml", project / "specs" / f"synthetic-{i:04d}.yaml")
                shutil.copytree(REPO / "schemas", project / "schemas")
                write_configs(project)
            config = project / f"mkdocs-{engine}.yml"
            text = (project / "mkdocs.yml").read_text(encoding="utf-8")
            config.write_text(material_config(text) if engine == "material" else text, encoding="utf-8")
            env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1767225600")
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config), "-d", str(site)],
                                  cwd=project, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"bench: the {engine} site of {n} projects does not build:\n{done.stderr[-3000:]}")
            builds[key] = {"seconds": time.perf_counter() - started}
        builds[f"{n}/index"] = index_sizes(project, engines)
    return builds


def index_sizes(project: Path, engines: list[str]) -> dict[str, Any]:
    sizes: dict[str, Any] = {}
    lunr = project / "site-material" / "search" / "search_index.json"
    if "material" in engines and lunr.is_file():
        raw = lunr.read_bytes()
        sizes["material"] = {"raw": len(raw), "gzip": len(gzip.compress(raw, 6)), "files": 1}
    pagefind = project / "site-pagefind" / "pagefind"
    if "pagefind" in engines and pagefind.is_dir():
        files = [p for p in pagefind.rglob("*") if p.is_file()]
        sizes["pagefind"] = {"raw": sum(p.stat().st_size for p in files), "files": len(files)}
    return sizes


# ----------------------------------------------------------------------------- the server
@dataclass
class Traffic:
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: list[tuple[str, int]] = field(default_factory=list)
    cache: dict[str, bytes] = field(default_factory=dict)

    def take(self) -> list[tuple[str, int]]:
        with self.lock:
            taken, self.sent = self.sent, []
        return taken


class Handler(SimpleHTTPRequestHandler):
    """Static files, gzipped when the browser accepts it and the type is text (as GitHub Pages
    does); counts the bytes of every response body it sends."""

    traffic: Traffic

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()
            path = os.path.join(path, "index.html")
        kind = self.guess_type(path)
        if not os.path.isfile(path):
            return super().send_head()
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "") and GZIP_TYPES.match(kind)
        if gzipped:
            with self.traffic.lock:
                body = self.traffic.cache.get(path)
            if body is None:
                body = gzip.compress(Path(path).read_bytes(), 6)
                with self.traffic.lock:
                    self.traffic.cache[path] = body
        else:
            body = Path(path).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        with self.traffic.lock:
            self.traffic.sent.append((urlsplit(self.path).path, len(body)))
        import io
        return io.BytesIO(body)


def serve(site: Path) -> tuple[ThreadingHTTPServer, Traffic, str]:
    traffic = Traffic()
    handler = type("BenchHandler", (Handler,), {"traffic": traffic})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, name="bench-http", daemon=True).start()
    return server, traffic, f"http://127.0.0.1:{server.server_address[1]}/"


# ----------------------------------------------------------------------------- one run
def one_run(playwright: Any, url: str, query: str, traffic: Traffic, engine: str) -> dict[str, Any]:
    host = urlsplit(url).hostname
    blocked: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=shutil.which("chromium") or "/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900}, service_workers="block")
        try:
            def only_local(route: Any) -> None:
                target = urlsplit(route.request.url)
                if target.scheme in ("data", "blob") or target.hostname == host:
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort("blockedbyclient")

            context.route("**/*", only_local)
            context.add_init_script(FIRST_RESULT)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            traffic.take()
            page.goto(url, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
            page.evaluate(TYPE_QUERY, query)
            page.wait_for_function("window.__benchFirstResult !== undefined", timeout=TIMEOUT_MS, polling=50)
            seconds = page.evaluate("window.__benchFirstResult") / 1000
            # The page's own part: its HTML parsed and its scripts run (DOMContentLoaded handled).
            ready = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd") / 1000
            count = page.locator(".md-search-result__meta").inner_text().strip()
            sent = traffic.take()
        finally:
            context.close()
    search = SEARCH_PATHS[engine]
    return {"seconds": seconds, "page_ready": ready, "bytes": sum(b for _, b in sent),
            "search_bytes": sum(b for p, b in sent if search.match(p)),
            "requests": len(sent), "results": count, "blocked": blocked, "fetched": sent}


def measure(outs: list[tuple[str, Path]], sizes: list[int], engines: list[str], repeat: int) -> list[dict[str, Any]]:
    """Every run of each page and query, on the sites of each of ``outs`` (label, folder) in turn:
    with two, each run on one is next to the same run on the other (each first in turn), so both
    share the machine's load of the moment."""
    from playwright.sync_api import sync_playwright

    runs: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        for n in sizes:
            for engine in engines:
                sites = {label: out / f"n{n}" / f"site-{engine}" for label, out in outs}
                served = {label: serve(site) for label, site in sites.items()}
                try:
                    for where in ("home", "project"):
                        paths = {label: "" if where == "home" else
                                 "projects/" + sorted(p.name for p in (site / "projects").iterdir() if p.is_dir())[0] + "/"
                                 for label, site in sites.items()}
                        for label, (_, traffic, base) in served.items():  # warm-up, not counted
                            one_run(playwright, base + paths[label], QUERIES["en"], traffic, engine)
                        for i in range(repeat):
                            for language, query in QUERIES.items():
                                # Each first in turn, so that neither always follows the other.
                                for label, (_, traffic, base) in list(served.items())[:: -1 if i % 2 else 1]:
                                    run = one_run(playwright, base + paths[label], query, traffic, engine)
                                    run.update(size=n, engine=engine, page=where, language=language, query=query, run=i, variant=label)
                                    runs.append(run)
                                    print(f"n={n:<5} {engine:<8} {label:<8} {where:<7} {language} {run['seconds']:6.2f} s "
                                          f"(page ready {run['page_ready']:5.2f} s) "
                                          f"{run['bytes'] / 1e3:8.0f} KB (search {run['search_bytes'] / 1e3:7.0f} KB) "
                                          f"{run['results']}" + (f" BLOCKED {run['blocked']}" if run["blocked"] else ""), flush=True)
                finally:
                    for server, _, _ in served.values():
                        server.shutdown()
                        server.server_close()
    return runs


# ----------------------------------------------------------------------------- report
def summary(values: list[float], unit: str, scale: float = 1.0, digits: int = 2) -> str:
    values = [v / scale for v in values]
    median = statistics.median(values)
    return f"{median:.{digits}f} {unit} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def report(runs: list[dict[str, Any]], builds: dict[str, Any], sizes: list[int], engines: list[str]) -> str:
    lines = ["| projects | search | query | first result, home page | first result, project page | bytes for the query (all / search) "
             "| page ready (DOMContentLoaded), home / project |",
             "|---:|---|---|---|---|---|---|"]
    for n in sizes:
        for engine in engines:
            for language in QUERIES:
                pick = [r for r in runs if r["size"] == n and r["engine"] == engine and r["language"] == language]
                home = [r["seconds"] for r in pick if r["page"] == "home"]
                proj = [r["seconds"] for r in pick if r["page"] == "project"]
                every = [r["bytes"] for r in pick]
                search = [r["search_bytes"] for r in pick]
                if not pick:
                    continue
                ready = {where: [r["page_ready"] for r in pick if r["page"] == where and "page_ready" in r]
                         for where in ("home", "project")}
                lines.append(f"| {n:,} | {engine} | {language} ({QUERIES[language]}) | {summary(home, 's')} | {summary(proj, 's')} | "
                             f"{statistics.median(every) / 1e3:,.0f} KB / {statistics.median(search) / 1e3:,.0f} KB | "
                             + " / ".join(f"{statistics.median(v):.2f} s" if v else "–" for v in ready.values()) + " |")
    lines += ["", "| projects | search | index on disk | build (`mkdocs build --strict`) |", "|---:|---|---|---:|"]
    for n in sizes:
        for engine in engines:
            index = builds.get(f"{n}/index", {}).get(engine, {})
            size = f"{index.get('raw', 0) / 1e6:.1f} MB" + (f" ({index['gzip'] / 1e6:.1f} MB gzip)" if "gzip" in index else "")
            size += f", {index.get('files', 0):,} files"
            seconds = builds.get(f"{n}/{engine}", {}).get("seconds")
            lines.append(f"| {n:,} | {engine} | {size} | {'' if seconds is None else f'{seconds:.1f} s'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per page and query (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "search")
    parser.add_argument("--reuse", action="store_true", help="keep sites already built in --out")
    parser.add_argument("--against", type=Path, help="another --out whose sites were built before (an earlier commit): "
                        "measured too, each run right after the same run on --out's, so that both share the load")
    args = parser.parse_args()
    args.out = args.out.resolve()  # the builds run in the portfolio's folder
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    engines = [e for e in args.engines.split(",") if e]
    if set(engines) - set(ENGINES):
        raise SystemExit(f"bench: --engines takes {', '.join(ENGINES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    builds = build_sites(args.out, sizes, engines, args.seed, args.reuse)
    outs = [("this", args.out)] + ([("against", args.against.resolve())] if args.against else [])
    runs = measure(outs, sizes, engines, args.repeat)
    text = report([r for r in runs if r["variant"] == "this"], builds, sizes, engines)
    if args.against:
        text += f"\nAgainst {args.against} (interleaved with the runs above):\n\n"
        text += report([r for r in runs if r["variant"] == "against"], {}, sizes, engines).split("\n\n")[0] + "\n"
    (args.out / "search-results.json").write_text(json.dumps({"builds": builds, "runs": runs}, indent=1, ensure_ascii=False),
                                                  encoding="utf-8")
    (args.out / "search-results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
