"""Text that is valid YAML but hard to show: every kind of code point, deep nesting, sizes, and
names that only look different. Each spec here is valid (or refused with one clear error), so
the site must build, show the text as written, and keep its pages whole.

- Code points: a YAML double-quoted string can hold any code point but a surrogate (``"\\0"``,
  ``"\\x7f"``, ``"\\u009f"``, ``"\\uFFFE"``, ``"\\U0010FFFF"``: only raw control characters are
  refused by the loader). Those HTML forbids (controls other than whitespace, noncharacters)
  must not reach the HTML; everything else (bidi controls, zero-width characters, line and
  paragraph separators, combining marks, private use, astral characters) shows as written.
- Nesting and size: 1.4 KB of nested list markers (which once ended the build with a
  RecursionError), 100,000 nested brackets, quotes, emphasis, lists and HTML elements, and a
  spec just under and just over the loader's 1 MiB limit: built, or refused, within seconds
  (30 s of CPU time is the generous bound here, which a loaded machine does not stretch;
  timings belong to ``bench/``). These builds run in a separate process, so a crash in a
  native library fails one test, not the session.
- Names: teams and tags that differ only in case, width or invisible characters are one group
  with one anchor, and that anchor is nobody else's (not the page title's ``top``): every
  link to a group lands on its heading, and ids are unique on every page.
"""

from __future__ import annotations

import copy
import os
import re
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlfolio.spec.names import group_key
from mlfolio.spec.loader import MAX_BYTES, load_file

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_IDS = tuple(sorted(p.stem for p in (REPO / "projects").glob("*.yaml")))
SECONDS = 30  # CPU seconds: a generous bound for one build of the examples plus the hostile specs

# Code points HTML does not allow in a document (parse errors): controls other than ASCII
# whitespace, and noncharacters. A YAML escape writes any of them.
FORBIDDEN = "\x00\x01\x08\x0b\x0e\x1b\x1f\x7f\x80\x85\x9f\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff"
FORBIDDEN_IN_HTML = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
                               + "".join(chr(p * 0x10000 + 0xFFFE) + chr(p * 0x10000 + 0xFFFF) for p in range(17)) + "]")
# Code points a page shows as written (some are invisible, some are whitespace).
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\ufe0f\U000e0041"
SEPARATORS = "\u2028\u2029\xa0\u3000"
VISIBLE = "e\u0301 \U0001f600 \ue000\U000f0000 Ａ שלום 한글"
SHOWN = BIDI + INVISIBLE + VISIBLE
EVERYTHING = f"<{FORBIDDEN}|{BIDI}|{INVISIBLE}|{SEPARATORS}|{VISIBLE}>"


def example(project_id: str) -> dict[str, Any]:
    data = load_file(REPO / "projects" / f"{project_id}.yaml").data
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def write_spec(root: Path, data: dict[str, Any]) -> Path:
    """``data`` as ``projects/<id>.yaml``; PyYAML writes what YAML cannot hold raw as escapes."""
    path = root / "projects" / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9), encoding="utf-8")
    assert load_file(path).data == data, "the spec does not load back as written"
    return path


def shown(text: str) -> str:
    """What a page may show of ``text``: forbidden code points gone (or U+FFFD), and no
    whitespace (a page may collapse runs of it, by HTML's or by Python's idea of it)."""
    return "".join(FORBIDDEN_IN_HTML.sub("", text).replace("\ufffd", "").split())


# --------------------------------------------------------------------------------------------
# Code points and names: one site, built in this process
# --------------------------------------------------------------------------------------------


def codepoints_spec() -> dict[str, Any]:
    data = example("house-prices")
    data.update(id="codepoints", title=f"Title {EVERYTHING} end", team=f"Team {EVERYTHING}",
                tags=[*data["tags"], *(f"t{i} {EVERYTHING[i:i + 60]}" for i in range(0, len(EVERYTHING), 60))],
                summary=f"Summary {EVERYTHING} **bold**")  # tags are at most 64 characters: the code points over several
    data["owners"][0]["name"] = f"Owner {EVERYTHING}"
    data["business"]["goal"] = f"Goal\n\n{EVERYTHING}\n\n- item {EVERYTHING}"
    data["metrics"][0]["name"] = f"Metric {EVERYTHING}"
    return data


def lookalike_specs() -> list[dict[str, Any]]:
    """Teams and tags spelled like others but for case, width or invisible characters, and
    tags named like the ids the templates use (the title's ``top``, section ids)."""
    specs = []
    for ident, team, tags in (
        ("look-a", "Applied\u200b ML", ["Top", "at-a-glance", "all-projects", "problem", "Regression"]),
        ("look-b", "ＡＰＰＬＩＥＤ ＭＬ", ["top", "T\u200dOP", "ＲＥＧＲＥＳＳＩＯＮ"]),
        ("look-c", "Top", ["TOP\u2060", "feasibility"]),
    ):
        data = example("support-ticket-routing")
        data.update(id=ident, title=f"Look-alike {ident}", team=team, tags=tags)
        specs.append(data)
    return specs


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, copy_site, build_site):
    root = copy_site(tmp_path_factory.mktemp("text") / "repo")
    for data in (codepoints_spec(), *lookalike_specs()):
        write_spec(root, data)
    return build_site(root, strict=False)


@pytest.fixture(scope="module")
def hostile_site(hostile) -> Path:
    assert hostile.error is None, f"{hostile.error!r}\n" + "\n".join(hostile.logged())
    return hostile.site


def test_the_specs_build_with_look_alike_warnings_only(hostile) -> None:
    """The look-alike names are meant: each spelling but the shown one is warned (so a strict
    build fails; this site is built without --strict), and nothing else is."""
    assert hostile.error is None, repr(hostile.error)
    assert hostile.logged()
    assert [m for m in hostile.logged() if not m.endswith("[look-alike]")] == []


def test_the_loader_takes_every_code_point_a_yaml_escape_writes(tmp_path: Path) -> None:
    """Guard for this module: the escapes reach the data (raw, the controls would be refused)."""
    path = tmp_path / "projects" / "codepoints.yaml"
    path.parent.mkdir()
    write_spec(tmp_path, codepoints_spec())
    raw = path.read_text(encoding="utf-8")
    assert "\\0" in raw and "\\x7F" in raw and "\\uFFFE" in raw and "\\U0010FFFF" in raw  # written as escapes
    assert load_file(path).data["title"] == f"Title {EVERYTHING} end"


def test_no_page_holds_a_code_point_html_forbids(hostile_site: Path) -> None:
    found = []
    for path in sorted(hostile_site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found += sorted({f"{path.relative_to(hostile_site).as_posix()}: U+{ord(m.group()):04X}"
                         for m in FORBIDDEN_IN_HTML.finditer(text)})
    assert found == []


def test_one_line_values_show_every_other_code_point_as_written(hostile_site: Path, html, content) -> None:
    spec = codepoints_spec()
    root = html(hostile_site / "projects" / "codepoints" / "index.html")
    body = content(root)
    h1 = body.find_all("h1")
    assert len(h1) == 1 and shown(h1[0].text()) == shown(spec["title"])
    assert [c for c in SHOWN if c not in h1[0].text()] == []
    title = root.find("title")
    assert title is not None and shown(title.text()).startswith(shown(spec["title"]))
    for value in (spec["team"], spec["owners"][0]["name"], spec["metrics"][0]["name"]):
        assert shown(value) in shown(body.text()), value[:10]
    tags = [a for a in body.find_all("a", "mlfolio-tag")]
    written = [t for t in spec["tags"] if t.startswith("t") and t[1:2].isdigit()]
    assert [shown(t.text()) for t in tags[-len(written):]] == [shown(t) for t in written]
    assert [c for c in SHOWN if c not in "".join(t.text() for t in tags)] == []


def test_free_text_shows_every_other_code_point_as_written(hostile_site: Path, html, content) -> None:
    lead = content(html(hostile_site / "projects" / "codepoints" / "index.html")).find("div", "mlfolio-lead")
    assert lead is not None and lead.find("strong") is not None and lead.find("strong").words() == "bold"
    assert shown(lead.text()) == shown(f"Summary {EVERYTHING} bold")
    assert [c for c in SHOWN if c not in lead.text()] == []


def test_portfolio_pages_and_projects_json_keep_the_text(hostile_site: Path, html, content) -> None:
    import json

    spec = codepoints_spec()
    home = content(html(hostile_site / "index.html"))
    assert shown(spec["title"]) in shown(home.text())
    records = {r["id"]: r for r in json.loads((hostile_site / "projects.json").read_text(encoding="utf-8"))["projects"]}
    assert records["codepoints"]["spec"] == spec  # JSON carries every code point as written


def group_headings(body) -> dict[str, list[tuple[str, str]]]:
    """group_key of a group's heading -> [(its id, its text)] (a list, to see duplicates)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for h in body.find_all("h2"):
        name = re.sub(r" \(\d+\)$", "", h.words().removesuffix("¶").strip())
        found.setdefault(group_key(name), []).append((h.attrs.get("id") or "", name))
    return found


@pytest.mark.parametrize(("listing", "key", "expected"), [
    ("teams/", "applied ml", {"house-prices", "look-a", "look-b"}),
    ("tags/", "top", {"look-a", "look-b", "look-c"}),
    ("tags/", "regression", {"house-prices", "look-a", "look-b"}),
])
def test_names_that_only_look_different_are_one_group(hostile_site: Path, html, content, link_target,
                                                      listing: str, key: str, expected: set[str]) -> None:
    body = content(html(hostile_site / listing / "index.html"))
    headings = group_headings(body)
    assert len(headings[key]) == 1, headings[key]
    ident = headings[key][0][0]
    # The projects listed under that heading, up to the next one.
    listed, inside = set(), False
    for node in body.iter():
        if node.tag == "h2":
            inside = node.attrs.get("id") == ident
        elif inside and node.tag == "a" and "headerlink" not in node.classes():
            target = link_target(hostile_site, listing, node.attrs.get("href") or "")
            if target is not None and target.parent.parent.name == "projects":
                listed.add(target.parent.name)
    assert expected <= listed


def test_every_link_to_a_group_lands_on_its_heading(hostile_site: Path, html, content, link_target) -> None:
    """A project's team and tags link to their group's heading: never to the page title (whose
    id is ``top``) or to another group, whatever the names are."""
    wrong = []
    pages = {listing: content(html(hostile_site / listing / "index.html")) for listing in ("teams/", "tags/")}
    for project in sorted((hostile_site / "projects").iterdir()):
        url = f"projects/{project.name}/"
        body = content(html(project / "index.html"))
        team = [a for a in body.find_all("a") if (a.attrs.get("href") or "").startswith("../../teams/#")]
        for a in [*team, *body.find_all("a", "mlfolio-tag")]:
            href = a.attrs.get("href") or ""
            listing = "teams/" if "/teams/#" in href else "tags/"
            assert link_target(hostile_site, url, href) == hostile_site / listing / "index.html", href
            ident = href.rsplit("#", 1)[1]
            target = [n for n in pages[listing].iter() if n.attrs.get("id") == ident]
            landed = target[0].tag + " " + target[0].words()[:40] if target else "nothing"
            if not (target and target[0].tag == "h2"
                    and group_key(re.sub(r" \(\d+\)$", "", target[0].words().removesuffix("¶").strip())) == group_key(a.words())):
                wrong.append(f"{url}: {a.words()[:30]!r} -> {href} lands on {landed!r}")
    assert wrong == []


def test_ids_are_unique_on_every_page(hostile_site: Path, html) -> None:
    repeated = []
    for path in sorted(hostile_site.rglob("*.html")):
        ids = [n.attrs["id"] for n in html(path).iter() if "id" in n.attrs]
        repeated += [f"{path.relative_to(hostile_site).as_posix()}: {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    assert repeated == []


def test_every_link_and_anchor_resolves(hostile_site: Path, broken_links) -> None:
    assert broken_links(hostile_site) == []


# --------------------------------------------------------------------------------------------
# Nesting and size: each build in its own process, timed
# --------------------------------------------------------------------------------------------

NESTED_BLOCK = {
    "nested list markers (1.4 KB)": "- " * 700 + "x",
    "100k nested brackets": "[" * 100_000 + "x" + "]" * 100_000,
    "100k unclosed links": "[x](" * 50_000,
    "100k nested quotes": ">" * 100_000 + " x",
    "100k emphasis": "*" * 100_000 + "x" + "*" * 100_000,
    "100k alternating emphasis": "*a _b " * 20_000,
    "50k nested lists": "- " * 50_000 + "x",
    "33k nested ordered lists": "1. " * 33_000 + "x",
    "100k backticks": "`" * 100_000 + "x",
}
NESTED_HTML = {
    "100k nested divs": "<div>" * 100_000 + "x",
    "100k nested spans": "<span>" * 60_000 + "x",
    "100k nested details": "<details><summary>s</summary>" * 10_000 + "x",
}


FIELDS = [("summary",), ("business", "goal"), ("problem", "statement"), ("problem", "what_to_learn"),
          ("feasibility", "existing_models"), ("feasibility", "business_value"), ("constraints", "schedule"),
          ("constraints", "budget"), ("constraints", "ethics"), ("data", "testing")]


BUDGET = 900_000  # characters of hostile text per spec, under the 1 MiB file limit


def nested_specs(texts: dict[str, str]) -> list[dict[str, Any]]:
    """Copies of house-prices holding each construct in three places: a free-text field (block
    Markdown), an iteration's summary (one line of inline Markdown) and its details (block
    Markdown inside a list item). Places are packed into as many specs as the 1 MiB limit needs;
    each spec's title names what it holds."""
    places = [(name, where) for name in texts for where in ("field", "summary", "details")]
    packs: list[list[tuple[str, str]]] = []
    for name, where in places:
        if not packs or sum(len(texts[n]) for n, _ in packs[-1]) + len(texts[name]) > BUDGET:
            packs.append([])
        packs[-1].append((name, where))
    specs = []
    for n, pack in enumerate(packs):
        data = example("house-prices")
        data.update(id=f"nested-{n}", title=f"Nested {n}", iterations=[])
        fields = iter(FIELDS)
        for name, where in pack:
            if where == "field":
                node, path = data, next(fields)
                for key in path[:-1]:
                    node = node[key]
                node[path[-1]] = f"{name}\n\n{texts[name]}"
            elif where == "summary":
                data["iterations"].append({"date": "2026-07-01", "kind": "finding", "summary": f"{name}: {texts[name]}"})
            else:
                data["iterations"].append({"date": "2026-07-02", "kind": "finding", "summary": name,
                                           "details": f"{name}\n\n{texts[name]}"})
        if not data["iterations"]:
            del data["iterations"]
        specs.append((data, pack))
    return specs


def big_spec(size: int) -> dict[str, Any]:
    """house-prices whose summary makes the file ``size`` bytes long."""
    data = example("house-prices")
    data.update(id="big", title="Big")
    data["summary"] = ""
    base = len(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9).encode("utf-8"))
    words = "Pricing homes, one **word** at a time. "
    data["summary"] = (words * (size // len(words) + 1))[: size - base - 2].rstrip()
    return data


def build_in_subprocess(root: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """``mkdocs build --strict`` in a child process, and the CPU time it used: on a loaded
    machine wall time says more about the neighbours than about the build (a build that truly
    hangs still ends at the timeout)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"), "-d", str(root / "site")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


@pytest.mark.parametrize("texts", [NESTED_BLOCK, NESTED_HTML], ids=["markdown", "html"])
def test_deep_nesting_builds_within_seconds(site_copy: Path, html, content, sections, texts: dict[str, str]) -> None:
    specs = nested_specs(texts)
    assert {name for _, pack in specs for name, _ in pack} == set(texts)
    for data, _ in specs:
        write_spec(site_copy, data)
    done, seconds = build_in_subprocess(site_copy)
    assert done.returncode == 0, done.stderr[-3000:]
    assert seconds < SECONDS, f"the build took {seconds:.0f} s of CPU time"
    for data, pack in specs:
        root = html(site_copy / "site" / "projects" / data["id"] / "index.html")
        body = content(root)
        # The page is whole: every section in order, each construct shown where it was
        # written, and the sections after it still there.
        assert [h.attrs.get("id") for h in body.find_all("h2")] == [
            "at-a-glance", "problem", "feasibility", "goals", "constraints", "data", "deployment"], data["id"]
        text = body.text()
        log = sections(root, "iterations").find("ul", "mlfolio-log")
        for name, where in pack:
            assert name in (text if where == "field" else log.text() if log is not None else ""), (data["id"], name, where)


def test_a_spec_just_under_the_size_limit_builds_within_seconds(site_copy: Path, html, content) -> None:
    data = big_spec(MAX_BYTES - 1_000)
    path = write_spec(site_copy, data)
    assert MAX_BYTES - 2_000 < path.stat().st_size <= MAX_BYTES
    done, seconds = build_in_subprocess(site_copy)
    assert done.returncode == 0, done.stderr[-3000:]
    assert seconds < SECONDS, f"the build took {seconds:.0f} s of CPU time"
    lead = content(html(site_copy / "site" / "projects" / "big" / "index.html")).find("div", "mlfolio-lead")
    assert lead is not None and len(lead.words()) > MAX_BYTES * 0.9 - len("word ") * 10_000  # shown whole
    assert len(lead.find_all("strong")) > 20_000


def test_a_spec_over_the_size_limit_is_refused_at_its_file(site_copy: Path) -> None:
    path = write_spec_over_limit(site_copy)
    done = subprocess.run([sys.executable, "-m", "mlfolio", "validate"], cwd=site_copy, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("projects/big.yaml:1:1: error: file is "), done.stdout
    built, seconds = build_in_subprocess(site_copy)
    assert built.returncode != 0
    assert seconds < SECONDS, f"refusing the file took {seconds:.0f} s of CPU time"
    assert errors[0] in built.stderr
    assert path.stat().st_size > MAX_BYTES


def write_spec_over_limit(root: Path) -> Path:
    path = root / "projects" / "big.yaml"
    data = big_spec(MAX_BYTES - 1_000)
    data["summary"] += " more" * 400
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9), encoding="utf-8")
    return path


def test_a_huge_spec_file_is_refused_without_being_read(site_copy: Path) -> None:
    """A 4 GiB file (sparse: it takes no disk) must be refused from its size, as `mlfolio
    validate` does, not read into memory first: the build runs with 1.5 GiB of address space."""
    path = site_copy / "projects" / "huge.yaml"
    with path.open("wb") as out:
        out.truncate(4 * 1024**3)
    done = subprocess.run([sys.executable, "-m", "mlfolio", "validate"], cwd=site_copy, capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stdout.splitlines() if ": error: " in line]
    assert errors and errors[0].startswith("projects/huge.yaml:1:1: error: file is "), done.stdout

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3 // 2, 3 * 1024**3 // 2))

    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(site_copy / "mkdocs.yml"),
                            "-d", str(site_copy / "site")], cwd=site_copy, env=env, capture_output=True, text=True,
                           timeout=300, preexec_fn=limit_memory)
    assert built.returncode != 0
    assert "MemoryError" not in built.stderr and "Traceback" not in built.stderr, built.stderr[-2000:]
    assert errors[0] in built.stderr
