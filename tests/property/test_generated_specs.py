"""Generated specs, pushed to their edge cases, never crash validate, the site build or diff.

hypothesis-jsonschema generates specs from the schema; every string and number field is then
pushed to edge cases (empty-ish, whitespace, controls, U+2028, direction marks, 10,000
characters, numbers of hundreds of digits, hex literals of thousands, -0.0, 1e-300, .nan and
.inf, ...). Each case is written as YAML into a temporary specs folder, twice (two revisions
that share their ids), and run through, in this process:

* ``mlfolio validate`` (the CLI's ``main``),
* the site build (``SiteBuilder``, what the MkDocs plugin runs; a few real ``mkdocs build``
  runs at the end),
* ``mlfolio diff`` between the two revisions.

The property: nothing raises; validate and diff exit 0 or 1; every reported problem is one
``file:line:col: error|warning: ...`` line. Runs are derandomised, so CI sees the same cases.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import math
import os
import re
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import _from_schema, from_schema

from mlfolio.analysis.verdict import DEFAULT_RULES
from mlfolio.cli.main import main
from mlfolio.pages.labels import Labels
from mlfolio.pages.layout import SiteLayout
from mlfolio.pages.site import SiteBuilder
from mlfolio.spec.check import Checker
from mlfolio.spec.diagnostics import format_path
from mlfolio.spec.loader import load_file
from mlfolio.spec.schema import load_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "schemas" / "project.schema.json"
DOCUMENT = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
EXAMPLES = sorted((REPO / "projects").glob("*.yaml"))
SCHEMA = load_schema(SCHEMA_FILE)
CHECKER = Checker(SCHEMA)

# `file:line:col: error|warning: [path: ]message [rule]`, one line, nothing before or after.
DIAGNOSTIC = re.compile(r"[^\n]+:\d+:\d+: (error|warning): [^\n]+ \[[a-z0-9-]+\]")
SUMMARY = re.compile(r"\d+ files? checked: (no problems|\d+ errors?, \d+ warnings?)")

RUNS = settings(
    # About 45 s here; MLFOLIO_PROPERTY_EXAMPLES=500 hunts longer (same derandomised start).
    max_examples=int(os.environ.get("MLFOLIO_PROPERTY_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,  # the same cases on every machine, so CI is deterministic
    database=None,
    # No shrinking: these cases are large and shrinking one takes many minutes on a shared
    # machine. A failure shows the first failing case's files (see `note` below) instead.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                           HealthCheck.large_base_example],
)


# -- hypothesis-jsonschema on the current Hypothesis -------------------------------------------


class _LegacyMany:
    """hypothesis-jsonschema 0.23 drives Hypothesis' private ``many`` with ``.more()``; newer
    Hypothesis only has the ``with many(...) as elements: for _ in elements:`` form. The same
    draws, through the new form."""

    def __init__(self, data: Any, min_size: int, max_size: float, average_size: float) -> None:
        self._many = conjecture_utils.many(data, min_size=min_size, max_size=max_size, average_size=average_size)
        self._many.__enter__()
        self._elements = iter(self._many)

    def more(self) -> bool:
        if next(self._elements, self) is self:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self, why: str | None = None) -> None:
        self._many.reject(why)


if not hasattr(conjecture_utils.many, "more"):
    _from_schema.cu = SimpleNamespace(many=_LegacyMany)  # type: ignore[attr-defined]


# -- the specs -------------------------------------------------------------------------------


def _generation_schema(document: dict[str, Any]) -> dict[str, Any]:
    """The schema hypothesis-jsonschema is given: the spec schema, with one simplification.

    Every field some stage requires (``x-mlfolio-required-from``) is made required, so a
    generated spec has what its stage needs and, when its text is not blank, reaches the
    page renderer instead of stopping at "is missing". Nothing else changes."""
    schema = copy.deepcopy(document)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                needed = [k for k, v in props.items() if isinstance(v, dict) and v.get("x-mlfolio-required-from")]
                if needed:
                    node["required"] = sorted(set(node.get("required", [])) | set(needed))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema


EDGE_STRINGS = [
    "", " ", "   ", "\t", "\n", " \n ", "\u00a0", "\u3000", "\u200b", "\u200e\u200f", "\u2060\ufeff", "\u202eevil",
    "\u2066x\u2069", "\u2028", "\u2029", "a\u2028b", "\x85", "\x00", "\x01\x7f\x9b", "\x1b[31mred", "\ufeff",
    "\U0001f600", "e\u0301", "\U000e0001", "\ufffe", "\U0010ffff", "x" * 10_000, "가" * 10_000, "a b " * 2_500,
    "0x" + "f" * 3_000, "1" * 400, "1e400", "-0.0", "nan", ".inf", "null", "true", "~", "0o17", "1_000",
    "::error::forged", "::stop-commands::x", "%0A::warning::x", "<script>alert(1)</script>", "[x](javascript:alert(1))",
    "{{ 7*7 }}", "{% raw %}", "a\nb", "# heading", "| a | b |\n|---|---|", "../../etc/passwd", "CON", "nul",
    "١٢٣", "ＡＢＣ", "https://example.com\n", "https://exa mple.com", "2026-02-30", "0000-01-01", "2026-01-12\n",
    "*" * 500, "[" * 1_000, "- " * 500, "> " * 500, "`" * 301,
]
EDGE_NUMBERS: list[Any] = [
    0, -0.0, 1e-300, -1e-300, 5e-324, 1e300, 1.7976931348623157e308, 10**400, -(10**400), 2**63, 2**64 + 1,
    10**15, 10**15 + 1, -(10**15) - 1, 0.1 + 0.2, 1 / 3, math.nan, math.inf, -math.inf, 1, -1, 100, 0.5, 99.99999999999999,
]
# Written into the YAML text as they are, unquoted: numbers only a YAML 1.2 reader makes of them.
RAW = [
    "0x" + "F" * 3_000, "-0x1", "0o" + "7" * 500, "1" * 400, "-" + "9" * 150, "1e400", "-1e400", "1e-400", ".NaN",
    "-.INF", "+12", "0x", "1_000", "0.0000000000000000000000000000001", "1" * 101, "0x" + "f" * 25,
]


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every string and number value (not booleans), with its path."""
    if isinstance(data, dict):
        return [leaf for k, v in data.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(data, list):
        return [leaf for i, v in enumerate(data) for leaf in _leaves(v, (*path, i))]
    if isinstance(data, (str, int, float)) and not isinstance(data, bool):
        return [(path, data)]
    return []


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


class Raw(str):
    """A scalar written into the YAML text as it is."""


def _error_paths(spec: Any) -> list[str]:
    """The field paths of every error ``mlfolio validate`` would report for ``spec`` on its own."""
    with tempfile.TemporaryDirectory(prefix="mlfolio-property-") as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_bytes(to_yaml(spec).encode("utf-8"))
        report = CHECKER.check_file(path)
    return [d.path for d in report.diagnostics if d.is_error and d.rule != "id-filename"]


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith((b + ".", b + "[")) or b.startswith((a + ".", a + "["))


def _keep_valid(base: dict[str, Any], spec: dict[str, Any], pushed: list[tuple[Any, ...]]) -> dict[str, Any]:
    """``spec`` with the edge cases that make it invalid put back as in ``base``, so the rest
    reaches the page renderer (a spec with errors is reported, not rendered)."""
    for round_ in range(5):
        errors = _error_paths(spec)
        if not errors or not pushed:
            return spec
        culprits = [p for p in pushed if any(_related(format_path(p), e) for e in errors)]
        if not culprits or round_ == 4:  # an error elsewhere (a broken reference): back to the base
            culprits = pushed
        for path in culprits:
            _set(spec, path, _get(base, path))
        pushed = [p for p in pushed if p not in culprits]
    return spec


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return copy.deepcopy(data)


@st.composite
def _pushed(draw: st.DrawFn, base: dict[str, Any], keep_valid: bool | None = None) -> dict[str, Any]:
    """``base`` with string and number fields pushed to edge cases: a few fields, or all of them;
    in half the cases only the edge cases the spec stays valid with."""
    spec = copy.deepcopy(base)
    leaves = _leaves(spec)
    if not leaves:
        return spec
    pushed: list[tuple[Any, ...]] = []
    if draw(st.booleans()):  # every field at once, one edge case for the strings and one for the numbers
        text, number = draw(st.sampled_from(EDGE_STRINGS)), draw(st.sampled_from(EDGE_NUMBERS))
        for path, value in leaves:
            _set(spec, path, text if isinstance(value, str) else number)
            pushed.append(path)
    else:
        edge = st.one_of(st.sampled_from(EDGE_STRINGS), st.sampled_from(EDGE_NUMBERS), st.sampled_from(RAW).map(Raw))
        for index, value in draw(st.lists(st.tuples(st.integers(0, len(leaves) - 1), edge), min_size=1, max_size=12)):
            _set(spec, leaves[index][0], value)
            pushed.append(leaves[index][0])
    if keep_valid if keep_valid is not None else draw(st.booleans()):
        spec = _keep_valid(base, spec, list(dict.fromkeys(pushed)))
    return spec


def _example_specs() -> list[dict[str, Any]]:
    return [load_file(p).data for p in EXAMPLES]  # mlfolio's loader: YAML 1.2, as every spec is read


# A spec from the schema, or one of the (valid, rich) examples: the examples reach every part
# of the page renderer, generated specs reach the shapes nobody wrote.
BASES = st.one_of(from_schema(_generation_schema(DOCUMENT)), st.sampled_from(_example_specs()))


@st.composite
def revisions(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two revisions of a small portfolio: the same bases, pushed differently; one spec only in the second."""
    bases = draw(st.lists(BASES, min_size=1, max_size=2))
    before = [draw(_pushed(b)) if draw(st.booleans()) else copy.deepcopy(b) for b in bases]
    after = [draw(_pushed(b)) for b in bases]
    if draw(st.booleans()):
        after.append(draw(_pushed(draw(BASES))))
    return before, after


# -- writing ---------------------------------------------------------------------------------


def to_yaml(spec: Any) -> str:
    """``spec`` as YAML text; :class:`Raw` values are written unquoted, as they are."""
    raws: dict[str, str] = {}

    def mark(node: Any) -> Any:
        if isinstance(node, Raw):
            key = f"RAWVALUE{len(raws)}X"
            raws[key] = str(node)
            return key
        if isinstance(node, dict):
            return {k: mark(v) for k, v in node.items()}
        if isinstance(node, list):
            return [mark(v) for v in node]
        return node

    text = yaml.safe_dump(mark(spec), allow_unicode=True, sort_keys=False, width=1_000_000)
    for key, raw in raws.items():
        text = re.sub(rf"(['\"]?){key}\1", lambda _m, raw=raw: raw, text)
    return text


def write_specs(folder: Path, specs: list[dict[str, Any]]) -> list[Path]:
    """Each spec as ``<id>.yaml`` (so the file-name rule is quiet) or, for an id that is no
    file name, ``spec-<n>.yaml``."""
    folder.mkdir(parents=True)
    paths = []
    for n, spec in enumerate(specs):
        ident = spec.get("id") if isinstance(spec, dict) else None
        name = ident if isinstance(ident, str) and re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", ident) else f"spec-{n}"
        path = folder / f"{name}.yaml"
        if path.exists():
            path = folder / f"{name}-{n}.yaml"
        path.write_bytes(to_yaml(spec).encode("utf-8"))
        paths.append(path)
    return paths


# -- running ---------------------------------------------------------------------------------


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def assert_one_line_each(lines: list[str]) -> None:
    bad = [line for line in lines if not DIAGNOSTIC.fullmatch(line)]
    assert bad == [], "not one file:line:col diagnostic each:\n" + "\n".join(map(repr, bad[:5]))


def check_validate(folder: Path) -> None:
    code, out, err = run_cli("validate", "--schema", str(SCHEMA_FILE), str(folder))
    assert code in (0, 1), (code, err)
    assert err == ""
    lines = out.split("\n")
    assert lines[-1] == "" and SUMMARY.fullmatch(lines[-2]), out[-500:]
    assert_one_line_each(lines[:-2])
    code, out, err = run_cli("validate", "--schema", str(SCHEMA_FILE), "--format", "json", str(folder))
    assert code in (0, 1) and err == ""
    for d in json.loads(out)["diagnostics"]:
        assert isinstance(d["line"], int) and isinstance(d["column"], int) and d["line"] >= 1 and d["column"] >= 1, d


def check_build(folder: Path, root: Path, language: str) -> None:
    schema = load_schema(SCHEMA_FILE)
    builder = SiteBuilder(folder, root, schema, SCHEMA_FILE, DEFAULT_RULES, Labels(language), SiteLayout("", True),
                          incremental=False)
    built = builder.build()
    assert_one_line_each([d.format() for d in built.diagnostics])
    for page in built.pages:
        assert isinstance(page.src_uri, str)


def check_diff(root: Path) -> None:
    with contextlib.chdir(root):
        code, out, err = run_cli("diff", "before", "after")
    assert code in (0, 1), (code, err)
    assert err == "", err
    assert out.startswith("## mlfolio"), out[:200]
    # The errors of a broken spec are quoted in fenced blocks, one diagnostic a line.
    fence = None
    quoted: list[str] = []
    for line in out.split("\n"):
        if fence is None and re.fullmatch(r"`{3,}text", line):
            fence = line[:-4]
        elif fence is not None and line == fence:
            fence = None
        elif fence is not None and not re.fullmatch(r"\.\.\. and \d+ more", line):
            quoted.append(line)
    assert fence is None, "a fenced block is not closed"
    assert_one_line_each(quoted)


@RUNS
@given(revisions(), st.sampled_from(["en", "ko"]))
def test_no_generated_spec_crashes_validate_build_or_diff(case: tuple[list[dict[str, Any]], list[dict[str, Any]]], language: str) -> None:
    before, after = case
    with tempfile.TemporaryDirectory(prefix="mlfolio-property-") as tmp:
        root = Path(tmp)
        for path in write_specs(root / "before", before) + write_specs(root / "after", after):
            text = path.read_text(encoding="utf-8")
            note(f"--- {path.parent.name}/{path.name} ({len(text)} characters)\n{text[:20_000]}")
        check_validate(root / "after")
        check_build(root / "after", root, language)
        check_diff(root)


# -- a few real MkDocs builds ------------------------------------------------------------------


def _mkdocs_build(root: Path) -> tuple[BaseException | None, list[str]]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    records: list[str] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(f"{record.levelname} {record.name}: {record.getMessage()}")

    handler = Recorder(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))
        config.plugins.on_startup(command="build", dirty=False)
        build(config)
    except SystemExit as exc:  # mkdocs' own "Aborted with N errors" and the like
        return exc, records
    except Exception as exc:  # noqa: BLE001 - the test says what it was
        return exc, records
    finally:
        logger.removeHandler(handler)
    return None, records


@st.composite
def valid_portfolios(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Examples pushed to every edge case they stay valid with, under their own ids."""
    bases = draw(st.lists(st.sampled_from(_example_specs()), min_size=2, max_size=3, unique_by=lambda b: b["id"]))
    return [draw(_pushed(b, keep_valid=True)) for b in bases]


@settings(RUNS, max_examples=2)
@given(valid_portfolios())
def test_a_few_real_mkdocs_builds_of_generated_specs(monkeypatch_env: None, after: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory(prefix="mlfolio-property-site-") as tmp:
        root = Path(tmp)
        for name in ("mkdocs.yml", "schemas", "docs"):
            source = REPO / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
        write_specs(root / "projects", after)
        clean = all(not r.has_errors for r in CHECKER.check_paths([root / "projects"]).reports)
        note(f"clean: {clean}")
        error, logged = _mkdocs_build(root)
        # A spec with errors fails the build with its diagnostics, as `mkdocs build` must; a
        # clean one builds. Either way, nothing but MkDocs' own way of stopping.
        from mkdocs.exceptions import Abort, PluginError

        assert error is None or isinstance(error, (Abort, PluginError)), repr(error)
        if clean:
            assert error is None, "\n".join(logged)
        assert [line for line in logged if "\n" in line or "\r" in line] == [], "a log record of more than one line"


@pytest.fixture(scope="module")
def monkeypatch_env() -> Any:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_MKDOCS_2_WARNING", "1")  # Material's notice on import
        yield
