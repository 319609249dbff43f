"""Every `pattern` and `format` of the schema means the same in every validator.

JSON Schema patterns are ECMA-262 regular expressions. `mlfolio validate` judges a spec with
jsonschema (the reference, Python) after a compiled fast path (jsonschema-rs), and editors
judge it with JavaScript's RegExp. A probe string that one of them accepts and another
refuses is a spec that passes in one place and fails in another, or (worse) one the fast
path lets through without the reference ever seeing it.

The patterns and formats are found by walking the schema's JSON, so a new one is covered
without touching this file. JavaScript runs when `node` is on PATH; without it that engine is
skipped locally and fails the test in CI (``CI`` or ``MLFOLIO_REQUIRE_BROWSER`` set), as the
other Node-dependent tests do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from mlfolio.cli.main import EXIT_PROBLEMS, main
from mlfolio.spec import validation

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "schemas" / "project.schema.json"
DOCUMENT = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


# -- what the schema uses ---------------------------------------------------------------------


def _walk(node: Any, pointer: str = "") -> list[tuple[str, str, str, dict[str, Any]]]:
    """``(pointer, keyword, value, enclosing schema)`` for every pattern, format and
    patternProperties key, anywhere in the document (a string-valued `pattern`/`format` is the
    keyword; a property *named* pattern or format has a mapping as its value)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{pointer}/{key}"
            if key in ("pattern", "format") and isinstance(value, str):
                found.append((here, key, value, node))
            elif key == "patternProperties" and isinstance(value, dict):
                found.extend((f"{here}/{p}", "pattern", p, node) for p in value)
            found.extend(_walk(value, here))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_walk(value, f"{pointer}/{i}"))
    return found


FOUND = [f for f in _walk(DOCUMENT) if "/examples/" not in f[0]]
PATTERNS = sorted({value for _, keyword, value, _ in FOUND if keyword == "pattern"})
FORMATS = sorted({value for _, keyword, value, _ in FOUND if keyword == "format"})


def test_the_walk_finds_what_the_schema_uses() -> None:
    assert "^[a-z0-9][a-z0-9_-]*$" in PATTERNS
    assert {"uri", "date"} <= set(FORMATS)


def test_unevaluated_properties_is_not_combined_with_pattern_properties() -> None:
    # The reference reads `patternProperties` with ECMA-262 meaning in `patternProperties` and
    # `additionalProperties`, but jsonschema's `unevaluatedProperties` still uses Python's `re`.
    text = json.dumps(DOCUMENT)
    assert not ('"unevaluatedProperties"' in text and '"patternProperties"' in text)


# -- probes -----------------------------------------------------------------------------------

SEEDS = [
    "crm-repurchase", "house-prices", "a", "a1_b-c", "0", "123", "x" * 64, "x" * 65, "abc", "ABC",
    "con", "CON", "nul", "aux", "prn", "com1", "lpt9", "com0", "con.txt", "console", "nul-model",
    "https://example.com", "http://a", "https://github.com/acme/crm-repurchase", "ftp://example.com",
    "Raise repurchase with smarter CRM coupons", "CRM Analytics", "Kim Min-ji", "결제 예측", "Ωmega",
    "2026-01-12", "2024-02-29", "2023-02-29", "2026-13-01", "0000-01-01", "9999-12-31",
]
STANDALONE = [
    "", " ", "  ", "\n", "\r\n", "\t", "\x0b", "\x0c", "\r", "\x00", "\x1c", "\x1f", "\x7f", "\x85",
    "\xa0", "\xad", "\u034f", "\u061c", "\u115f", "\u1160", "\u1680", "\u17b4", "\u180e", "\u2000",
    "\u200a", "\u200b", "\u200d", "\u200e", "\u200f", "\u2028", "\u2029", "\u202a", "\u202e", "\u202f",
    "\u205f", "\u2060", "\u2066", "\u3000", "\u3164", "\ufe0f", "\ufeff", "\uffa0", "\ufff9",
    "\U0001f600", "a\U0001f600", "\U000e0001", "١٢٣", "１２３", "१२३", "ａｂｃ", "é", "e\u0301", "ß", "İ",
    "\u212a", "a\nb", "a\rb", "a\u2028b", "$", "^", ".", "-", "_", "-a", "_a", "a b", "a.b", "a/b",
]
DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def _variants(text: str) -> list[str]:
    """A valid-looking value and what hostile or careless input makes of it."""
    return [
        text, text + "\n", text + "\r\n", text + "\r", "\n" + text, text + "\n\n", " " + text, text + " ",
        "\t" + text, text + "\t", text + "\u2028", text + "\u2029", text + "\x85", text + "\x00",
        "\ufeff" + text, "\u200b" + text, text + "\u200b", "\u202e" + text, text + "\xa0", text.upper(),
        text.translate(DIGITS), text.translate(WIDE), text + "$", text * 3,
    ]


def _examples(schema: dict[str, Any]) -> list[str]:
    return [e for e in schema.get("examples") or [] if isinstance(e, str)]


def _probes(keyword: str, value: str) -> list[str]:
    seeds = list(SEEDS)
    for _, kw, v, schema in FOUND:
        if (kw, v) == (keyword, value):
            seeds.extend(_examples(schema))
    probes = [p for seed in dict.fromkeys(seeds) for p in _variants(seed)] + STANDALONE
    return list(dict.fromkeys(probes))


# -- the engines ------------------------------------------------------------------------------


def _python(schema: dict[str, Any], probes: list[str]) -> list[bool]:
    """The reference, exactly as SchemaChecker builds it."""
    reference = validation.reference_validator(schema)
    return [reference.is_valid(p) for p in probes]


def _compiled(schema: dict[str, Any], probes: list[str]) -> list[bool]:
    """The fast path, exactly as SchemaChecker builds it."""
    fast = validation.fast_validator(schema)
    assert fast is not None, "jsonschema-rs is a dependency: it must compile every pattern and format of the schema"
    return [fast.is_valid(p) for p in probes]


def _required() -> bool:
    return any(
        os.environ.get(name, "").strip().lower() not in {"", "0", "false", "no"}
        for name in ("CI", "MLFOLIO_REQUIRE_BROWSER")
    )


JS = """
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const out = {};
  for (const [pattern, probes] of JSON.parse(input)) {
    let re;
    try { re = new RegExp(pattern, "u"); } catch (e) { out[pattern] = String(e); continue; }
    out[pattern] = probes.map((p) => re.test(p));
  }
  process.stdout.write(JSON.stringify(out));
});
"""


@cache
def _javascript_verdicts() -> dict[str, Any]:
    """``new RegExp(pattern, "u").test(probe)`` for every pattern and its probes, in one run of node."""
    node = shutil.which("node")
    if node is None:
        message = "`node` is not on PATH (install Node.js): JavaScript's RegExp cannot be compared"
        if _required():
            pytest.fail(message + " [required: CI or MLFOLIO_REQUIRE_BROWSER is set]", pytrace=False)
        pytest.skip(message)
    payload = json.dumps([[p, _probes("pattern", p)] for p in PATTERNS])
    proc = subprocess.run([node, "-e", JS], input=payload, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    verdicts: dict[str, Any] = json.loads(proc.stdout)
    return verdicts


def _disagreements(probes: list[str], **verdicts: list[bool]) -> list[str]:
    names = list(verdicts)
    out = []
    for i, probe in enumerate(probes):
        said = {name: verdicts[name][i] for name in names}
        if len(set(said.values())) > 1:
            out.append(f"{probe!r}: " + ", ".join(f"{name} {'accepts' if ok else 'rejects'}" for name, ok in said.items()))
    return out


# -- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: ascii(p)[1:41])
def test_python_and_the_compiled_validator_agree_on_every_pattern(pattern: str) -> None:
    probes = _probes("pattern", pattern)
    schema = {"type": "string", "pattern": pattern}
    python, compiled = _python(schema, probes), _compiled(schema, probes)
    assert _disagreements(probes, python=python, jsonschema_rs=compiled) == []
    assert True in python and False in python, "the probes must include a value the pattern accepts and one it rejects"


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: ascii(p)[1:41])
def test_javascript_regexp_agrees_on_every_pattern(pattern: str) -> None:
    probes = _probes("pattern", pattern)
    javascript = _javascript_verdicts()[pattern]
    assert isinstance(javascript, list), f"JavaScript cannot compile {pattern!r} with the u flag: {javascript}"
    python = _python({"type": "string", "pattern": pattern}, probes)
    assert _disagreements(probes, python=python, javascript=javascript) == []


@pytest.mark.parametrize("name", FORMATS)
def test_python_and_the_compiled_validator_agree_on_every_format(name: str) -> None:
    probes = _probes("format", name)
    schema = {"type": "string", "format": name}
    python, compiled = _python(schema, probes), _compiled(schema, probes)
    assert _disagreements(probes, python=python, jsonschema_rs=compiled) == []
    if name in validation.FORMAT_CHECKER.checkers:
        assert True in python and False in python, "the probes must include a value the format accepts and one it rejects"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # jsonschema's RFC 3986 expression ends in `$`: a final newline passed it.
        ("uri", "https://example.com\n"),
        # Python's date has no year 0; the compiled validator's own check accepts it.
        ("date", "0000-01-01"),
    ],
)
def test_the_values_the_two_once_disagreed_on_are_refused_by_both(name: str, value: str) -> None:
    schema = {"type": "string", "format": name}
    assert _python(schema, [value]) == _compiled(schema, [value]) == [False]


def test_a_trailing_newline_never_passes_an_anchored_pattern() -> None:
    for pattern in PATTERNS:
        if pattern.endswith("$") and not pattern.endswith("\\$"):
            accepted = [p for p, ok in zip(SEEDS, _python({"type": "string", "pattern": pattern}, SEEDS), strict=True) if ok]
            assert accepted, pattern
            assert not any(_python({"type": "string", "pattern": pattern}, [p + "\n" for p in accepted])), pattern


# -- the translation itself, on constructs the schema does not use (yet) ----------------------

TRANSLATED = [
    (r"^a$", ["a", "a\n", "\na", "ba"]),
    (r"a.c", ["abc", "a\nc", "a\rc", "a\u2028c", "a\u2029c", "a\x85c", "a\U0001f600c"]),
    (r"^\d+$", ["123", "١٢٣", "１２３", "12a"]),
    (r"^\w+$", ["abc_1", "é", "ß", "abc-"]),
    (r"\bfoo\b", ["a foo b", "éfooé", "_foo"]),
    (r"^\s$", [" ", "\x1c", "\x85", "\ufeff", "\u180e", "\u3000", "\u2028", "\xa0", "\u200b"]),
    (r"^\S$", [" ", "\x1c", "\x85", "\ufeff", "a"]),
    (r"^[\s\d]$", [" ", "1", "\ufeff", "\x85", "a"]),
    (r"^[^\s]$", [" ", "\x85", "\ufeff", "a"]),
    (r"^[\S]$", [" ", "\x85", "a"]),
    (r"^[a\S]$", [" ", "a", "b", "\ufeff"]),
    (r"^[^a\S]$", [" ", "a", "b", "\ufeff"]),
    (r"^[\D]$", ["1", "a", "١"]),
    (r"^[^\W]$", ["a", "é", "-"]),
    (r"^[$]$", ["$", "", "\n"]),
    (r"^\$$", ["$", "$\n"]),
    (r"^[^]$", ["a", "\n", "\U0001f600"]),
    (r"^[]", ["a", ""]),
    (r"^(?<word>a)\k<word>$", ["aa", "ab"]),
    (r"^\u{1F600}$", ["\U0001f600", "x"]),
    (r"^\uD83D\uDE00$", ["\U0001f600", "x"]),
    (r"^\u00e9$", ["é", "e\u0301"]),
    (r"^\cJ$", ["\n", "J"]),
    (r"^\0$", ["\x00", "0"]),
    (r"^a\/b$", ["a/b"]),
    (r"^[[]$", ["[", "]"]),
    (r"^(?=a)\w{2}$", ["ab", "ba"]),
    (r"^(?!con$)[a-z]+$", ["con", "cons", "con\n"]),
    (r"^\x41$", ["A", "a"]),
]


def test_the_translation_gives_ecma_meaning_on_its_own_constructs() -> None:
    node = shutil.which("node")
    if node is None:
        message = "`node` is not on PATH (install Node.js): JavaScript's RegExp cannot be compared"
        if _required():
            pytest.fail(message + " [required: CI or MLFOLIO_REQUIRE_BROWSER is set]", pytrace=False)
        pytest.skip(message)
    proc = subprocess.run([node, "-e", JS], input=json.dumps(TRANSLATED), capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    javascript = json.loads(proc.stdout)
    wrong = []
    for pattern, probes in TRANSLATED:
        python = [bool(validation.ecma_regex(pattern).search(p)) for p in probes]
        wrong.extend(f"{pattern} on {d}" for d in _disagreements(probes, python=python, javascript=javascript[pattern]))
    assert wrong == []


# -- end to end -------------------------------------------------------------------------------


def test_an_id_with_a_trailing_newline_is_refused_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "projects").mkdir()
    text = (REPO / "projects" / "house-prices.yaml").read_text(encoding="utf-8")
    assert text.count("\nid: house-prices\n") == 1
    spec = tmp_path / "projects" / "house-prices.yaml"
    spec.write_text(text.replace("\nid: house-prices\n", '\nid: "house-prices\\n"\n'), encoding="utf-8")
    line = spec.read_text(encoding="utf-8").splitlines().index('id: "house-prices\\n"') + 1

    code = main(["validate", "--schema", str(SCHEMA_FILE), "projects/house-prices.yaml"])
    out, err = capsys.readouterr()

    assert (code, err) == (EXIT_PROBLEMS, "")
    assert "Traceback" not in out
    expected = re.compile(
        rf"^projects/house-prices\.yaml:{line}:5: error: id: 'house-prices\\n' (is not a valid id|.*) \[schema\]$", re.M
    )
    assert expected.search(out), out


def test_a_link_with_a_trailing_newline_is_refused_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "projects").mkdir()
    text = (REPO / "projects" / "address-search.yaml").read_text(encoding="utf-8")
    found = re.search(r'(?m)^(\s+)(repository|dashboard|prototype|docs): "(https?://[^"\\]+)"$', text)
    assert found, "the example has a link"
    indent, field, url = found.groups()
    spec = tmp_path / "projects" / "address-search.yaml"
    spec.write_text(text.replace(found.group(0), f'{indent}{field}: "{url}\\n"', 1), encoding="utf-8")
    line = text[: found.start()].count("\n") + 1

    code = main(["validate", "--schema", str(SCHEMA_FILE), "projects/address-search.yaml"])
    out, _ = capsys.readouterr()

    assert code == EXIT_PROBLEMS
    assert re.search(
        rf"^projects/address-search\.yaml:{line}:{len(indent) + len(field) + 3}: error: links\.{field}: "
        rf"'{re.escape(url)}\\n' is not a valid web address: .* \[schema\]$",
        out, re.M,
    ), out


def test_a_disagreement_is_a_warning_at_the_value_and_the_reference_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    import jsonschema_rs

    from mlfolio.spec.loader import load_bytes
    from mlfolio.spec.schema import load_schema

    checker = validation.SchemaChecker(load_schema(SCHEMA_FILE))
    text = (REPO / "projects" / "house-prices.yaml").read_text(encoding="utf-8")
    loaded = load_bytes(text.encode("utf-8"), "projects/house-prices.yaml")
    assert checker.check(loaded) == []
    # A compiled validator stricter than the reference, as a bug in either would make it.
    monkeypatch.setattr(checker, "_fast", jsonschema_rs.validator_for({"properties": {"id": {"maxLength": 3}}}))
    found = checker.check(loaded)
    line = text.splitlines().index("id: house-prices") + 1
    assert [d.format() for d in found] == [
        f"projects/house-prices.yaml:{line}:5: warning: id: the compiled validator rejects this value "
        '("house-prices" is longer than 3 characters) but the reference validator accepts it, so it is accepted; '
        "please report this disagreement to mlfolio [validator-disagreement]"
    ]
