"""The YAML loader: data, positions, and one clear diagnostic for every broken or hostile file."""

from __future__ import annotations

import math
import os
import pathlib
import time
from pathlib import Path

import pytest
import yaml

from mlfolio.spec import loader_nesting
from mlfolio.spec.diagnostics import Severity
from mlfolio.spec.loader import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    LoadResult,
    Position,
    PositionMap,
    load_bytes,
    load_file,
)

FILE = "projects/churn.yaml"


def load(text: str) -> LoadResult:
    return load_bytes(text.encode("utf-8"), FILE)


def only_error(result: LoadResult):
    """The single diagnostic of a failed load (and check the failure is well-formed)."""
    assert result.data is None
    assert not result.ok
    errors = [d for d in result.diagnostics if d.is_error]
    assert len(errors) == 1, result.diagnostics
    assert not result.positions.has(())
    return errors[0]


def loaded(text: str) -> LoadResult:
    result = load(text)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.diagnostics == ()
    return result


# --------------------------------------------------------------------------- data and positions

SPEC = """\
schema_version: 1
id: churn
title: Predict churn   # a comment
owners:
  - name: Ana
    email: ana@example.com
  - name: Bo
metrics: [auc, {id: recall, target: 0.8}]
notes: |
  first line
  second line
"""


def test_plain_mapping_loads_with_data():
    result = loaded(SPEC)
    assert result.file == FILE
    assert result.data == {
        "schema_version": 1,
        "id": "churn",
        "title": "Predict churn",
        "owners": [{"name": "Ana", "email": "ana@example.com"}, {"name": "Bo"}],
        "metrics": ["auc", {"id": "recall", "target": 0.8}],
        "notes": "first line\nsecond line\n",
    }
    assert type(result.data["schema_version"]) is int


def test_value_and_key_positions_are_exact():
    pos = loaded(SPEC).positions
    assert pos.value(("schema_version",)) == Position(1, 17)
    assert pos.key(("schema_version",)) == Position(1, 1)
    assert pos.value(("id",)) == Position(2, 5)
    assert pos.key(("id",)) == Position(2, 1)
    assert pos.value(("title",)) == Position(3, 8)
    assert pos.value(("notes",)) == Position(9, 8)
    assert pos.key(("notes",)) == Position(9, 1)


def test_nested_list_positions():
    pos = loaded(SPEC).positions
    # A block list value starts at its first "-"; a mapping item at its first key.
    assert pos.value(("owners",)) == Position(5, 3)
    assert pos.key(("owners",)) == Position(4, 1)
    assert pos.value(("owners", 0)) == Position(5, 5)
    assert pos.key(("owners", 0)) == Position(5, 5)  # a list item has no key: same as value()
    assert pos.value(("owners", 0, "email")) == Position(6, 12)
    assert pos.key(("owners", 0, "email")) == Position(6, 5)
    assert pos.value(("owners", 1, "name")) == Position(7, 11)
    # Flow collections.
    assert pos.value(("metrics",)) == Position(8, 10)
    assert pos.value(("metrics", 0)) == Position(8, 11)
    assert pos.value(("metrics", 1)) == Position(8, 16)
    assert pos.key(("metrics", 1, "target")) == Position(8, 29)
    assert pos.value(("metrics", 1, "target")) == Position(8, 37)


def test_positions_fall_back_to_the_nearest_ancestor():
    pos = loaded(SPEC).positions
    assert pos.has(("owners", 1, "name"))
    assert not pos.has(("owners", 1, "email"))
    assert pos.value(("owners", 1, "email")) == Position(7, 5)  # the mapping of item 1
    assert pos.key(("owners", 1, "email")) == Position(7, 5)
    assert pos.value(("owners", 7)) == Position(5, 3)  # no item 7: the list
    assert pos.value(("nope", "deeper")) == Position(1, 1)  # nothing: the root
    assert pos.value(("id", "x")) == Position(2, 5)  # below a scalar: the scalar
    assert pos.value(()) == Position(1, 1)
    assert pos.key(()) == Position(1, 1)
    assert pos.has(())
    assert not pos.has(("owners", "0"))  # list indexes are ints
    assert not pos.has(("owners", True))


def test_positions_accept_any_sequence_as_path():
    pos = loaded(SPEC).positions
    assert pos.value(["owners", 0, "email"]) == Position(6, 12)


def test_columns_count_characters_not_bytes():
    pos = loaded("naïve: ünïcödé\nx: [é, 日本]\n").positions
    assert pos.value(("naïve",)) == Position(1, 8)
    assert pos.value(("x", 1)) == Position(2, 8)


def test_crlf_line_endings():
    result = loaded("a: 1\r\nb:\r\n  - x\r\n")
    assert result.data == {"a": 1, "b": ["x"]}
    assert result.positions.value(("b", 0)) == Position(3, 5)


def test_a_top_level_list_loads_as_a_list():
    result = loaded("- a\n- b: 1\n")
    assert result.data == ["a", {"b": 1}]
    assert result.positions.value((1, "b")) == Position(2, 6)


def test_a_top_level_scalar_loads():
    assert loaded("just text\n").data == "just text"
    assert loaded("false\n").data is False


def test_empty_position_map():
    pos = PositionMap()
    assert pos.value(("a", 0)) == Position(1, 1)
    assert pos.key(("a",)) == Position(1, 1)
    assert not pos.has(())


# --------------------------------------------------------------------------- YAML 1.2 scalars


@pytest.mark.parametrize(
    "text",
    ["no", "No", "NO", "yes", "Yes", "on", "ON", "off", "y", "n", "2024-01-01",
     "2024-01-01T10:00:00Z", "1_000", "0b101", "1:20", "010:00", "0x", "0o8", "-0x1", "+",
     "1.2.3", "12e", ".", "nUll", "tRue", "=", "<<x", ".nan.", "1e", "e3"],
)  # fmt: skip
def test_yaml_1_1_surprises_stay_strings(text):
    assert loaded(f"v: {text}\n").data == {"v": text}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0), ("42", 42), ("-17", -17), ("+5", 5), ("007", 7), ("0o17", 15), ("0x1F", 31),
        ("0xff", 255), ("1.5", 1.5), ("-.5", -0.5), ("+.5", 0.5), ("1.", 1.0), ("1e3", 1000.0),
        ("1E-3", 0.001), ("6.02e+23", 6.02e23), (".inf", math.inf), ("-.Inf", -math.inf),
        ("+.INF", math.inf), ("true", True), ("True", True), ("TRUE", True), ("false", False),
        ("False", False), ("FALSE", False), ("null", None), ("Null", None), ("NULL", None),
        ("~", None), ("", None),
    ],
)  # fmt: skip
def test_core_schema_scalars(text, value):
    got = loaded(f"v: {text}\n").data["v"]
    assert got == value
    assert type(got) is type(value)


def test_nan():
    for text in (".nan", ".NaN", ".NAN"):
        assert math.isnan(loaded(f"v: {text}\n").data["v"])


@pytest.mark.parametrize("text", ["'1'", '"42"', "'true'", '"null"', "'~'", '""', "'1.5'"])
def test_quoted_scalars_stay_strings(text):
    value = loaded(f"v: {text}\n").data["v"]
    assert type(value) is str
    assert value == text[1:-1]


def test_block_scalars_stay_strings():
    assert loaded("v: |\n  42\nw: >-\n  true\n").data == {"v": "42\n", "w": "true"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("!!str 1", "1"), ("!!str true", "true"), ("!!str", ""), ("! 12", "12"),
        ("!!int '12'", 12), ("!!int 0x10", 16), ("!!float 1", 1.0), ("!!float '.inf'", math.inf),
        ("!!bool 'TRUE'", True), ("!!null ''", None), ("!!map {a: 1}", {"a": 1}),
        ("!!seq [1]", [1]), ("!<tag:yaml.org,2002:str> 5", "5"),
    ],
)  # fmt: skip
def test_explicit_core_tags_apply(text, value):
    got = loaded(f"v: {text}\n").data["v"]
    assert got == value
    assert type(got) is type(value)


def test_explicit_str_tag_makes_a_key_a_string():
    assert loaded("!!str 1: x\n").data == {"1": "x"}


def test_explicit_tag_that_does_not_fit_is_an_error():
    d = only_error(load("a: 1\nb: !!int abc\n"))
    assert d.format() == (
        "projects/churn.yaml:2:4: error: b: `abc` is tagged !!int but is not an integer; "
        "remove the tag or fix the value [yaml-tag]"
    )
    assert only_error(load("b: !!bool yes\n")).rule == "yaml-tag"
    assert only_error(load("b: !!float 0x10\n")).rule == "yaml-tag"
    d = only_error(load("b: !!map [1]\n"))
    assert (d.rule, d.path, d.message) == ("yaml-tag", "b", "tag !!map does not fit a list; remove the tag")


def test_integer_too_long_for_python_is_one_error():
    d = only_error(load("a: " + "9" * 5000 + "\n"))
    assert (d.rule, d.line, d.column) == ("yaml-syntax", 1, 4)
    assert "integer of 5,000 characters is too long" in d.message


# --------------------------------------------------------------------------- syntax errors


def test_unclosed_bracket_at_end_of_file_points_at_the_bracket():
    d = only_error(load("id: churn\ntags: [a, b\n\n# trailing comment\n"))
    assert d.format() == (
        "projects/churn.yaml:2:7: error: invalid YAML: this `[` is never closed "
        "(the file ends before its `]`) [yaml-syntax]"
    )


def test_unclosed_bracket_before_more_keys_names_both_lines():
    d = only_error(load("id: churn\ntags: [a, b\ntitle: x\n"))
    assert (d.line, d.column, d.rule, d.path) == (3, 6, "yaml-syntax", "")
    assert d.message == (
        "invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts at line 2, column 7)"
    )


def test_unclosed_quote_points_at_the_quote():
    d = only_error(load('id: churn\ntitle: "Predict\nowner: x\n'))
    assert (d.line, d.column) == (2, 8)
    assert d.message == (
        "invalid YAML: this quoted string is never closed (the file ends before its closing `\"`)"
    )


def test_bad_indentation_is_one_syntax_error():
    d = only_error(load("a:\n  b: 1\n c: 2\n"))
    assert d.rule == "yaml-syntax"
    assert d.line == 3
    assert "\n" not in d.message and "Error" not in d.message


def test_undefined_alias():
    d = only_error(load("a: *nope\n"))
    assert d.format() == (
        "projects/churn.yaml:1:4: error: alias *nope has no anchor &nope before it [yaml-syntax]"
    )


# --------------------------------------------------------------------------- tabs


def test_tab_indentation_is_reported_at_the_tab():
    d = only_error(load("id: churn\nowner:\n\tname: Ana\n"))
    assert d.format() == (
        "projects/churn.yaml:3:1: error: tab character in indentation; "
        "YAML indents with spaces only [tab-indent]"
    )


def test_tab_after_spaces_in_indentation():
    d = only_error(load("owner:\n  name: Ana\n  \temail: x\n"))
    assert (d.rule, d.line, d.column) == ("tab-indent", 3, 3)


def test_tab_indentation_in_a_block_scalar():
    d = only_error(load("notes: |\n\tindented with a tab\n"))
    assert (d.rule, d.line, d.column) == ("tab-indent", 2, 1)


def test_only_the_first_tab_indented_line_is_reported():
    d = only_error(load("a:\n\tb: 1\n\tc: 2\n"))
    assert (d.rule, d.line) == ("tab-indent", 2)


def test_blank_lines_with_tabs_are_fine():
    result = loaded("a: 1\n\t\n\t  \nb:\n  - x\n\t\n  - y\n")
    assert result.data == {"a": 1, "b": ["x", "y"]}
    assert result.positions.value(("b", 1)) == Position(7, 5)


def test_tabs_inside_values_are_fine():
    result = loaded('a: x\ty\nb: "p\tq"\nc: |\n  code:\n  \tindented\nd: [1,\n\t2]\n')
    assert result.data == {"a": "x\ty", "b": "p\tq", "c": "code:\n\tindented\n", "d": [1, 2]}


# --------------------------------------------------------------------------- keys


def test_duplicate_key_names_the_first_line():
    d = only_error(load("id: a\ntitle: t\nid: b\n"))
    assert d.format() == (
        "projects/churn.yaml:3:1: error: id: duplicate key `id`: first defined on line 1; "
        "YAML would silently keep only the last one, so remove or rename one [duplicate-key]"
    )


def test_duplicate_key_in_a_nested_mapping_has_its_path():
    d = only_error(load("metrics:\n  - id: a\n    name: n\n    id: b\n"))
    assert (d.rule, d.path, d.line, d.column) == ("duplicate-key", "metrics[0].id", 4, 5)
    assert "first defined on line 2" in d.message


def test_duplicate_key_in_flow_mapping():
    d = only_error(load("a: {x: 1, x: 2}\n"))
    assert (d.rule, d.path, d.line, d.column) == ("duplicate-key", "a.x", 1, 11)


def test_same_key_in_different_mappings_is_fine():
    assert loaded("a: {id: 1}\nb: {id: 2}\n").data == {"a": {"id": 1}, "b": {"id": 2}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1: x\n", "key 1 is a number; keys must be strings: quote it"),
        ("2.5: x\n", "key 2.5 is a number; keys must be strings: quote it"),
        ("true: x\n", "key true is a boolean; keys must be strings: quote it"),
        ("~: x\n", "key ~ is null; keys must be strings: quote it"),
        ("null: x\n", "key null is null; keys must be strings: quote it"),
        ("? [a]\n: x\n", "a list cannot be a key; keys must be strings"),
        ("? {a: 1}\n: x\n", "a mapping cannot be a key; keys must be strings"),
        ("{? : x}\n", "a key is missing (an empty key is null); keys must be strings"),
    ],
)
def test_non_string_keys(text, message):
    d = only_error(load(text))
    assert (d.rule, d.message, d.line, d.path) == ("key-type", message, 1, "")


def test_non_string_key_position_and_path():
    d = only_error(load("id: x\nowner:\n  name: a\n  404: b\n"))
    assert d.format() == (
        "projects/churn.yaml:4:3: error: owner: key 404 is a number; keys must be strings: "
        "quote it [key-type]"
    )


def test_quoted_number_key_is_a_string():
    assert loaded("'1': x\n\"true\": y\n").data == {"1": "x", "true": "y"}


def test_merge_keys_are_rejected():
    d = only_error(load("base: &b {a: 1}\nother:\n  <<: *b\n  c: 2\n"))
    assert d.format() == (
        "projects/churn.yaml:3:3: error: other: merge keys (`<<`) are not supported; "
        "write the fields out in full [yaml-tag]"
    )
    assert loaded("'<<': 1\n").data == {"<<": 1}


# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("text", "tag", "line", "column", "path"),
    [
        ('!!python/object/apply:os.system ["echo hi"]\n', "!!python/object/apply:os.system", 1, 1, ""),
        ('a: !!python/object/apply:os.system ["echo hi"]\n', "!!python/object/apply:os.system", 1, 4, "a"),
        ("a: !!python/name:os.system\n", "!!python/name:os.system", 1, 4, "a"),
        ("data: !!binary aGVsbG8=\n", "!!binary", 1, 7, "data"),
        ("s: !!set {a, b}\n", "!!set", 1, 4, "s"),
        ("o: !!omap [a: 1]\n", "!!omap", 1, 4, "o"),
        ("d: !!timestamp 2024-01-01\n", "!!timestamp", 1, 4, "d"),
        ("x:\n  - !foo bar\n", "!foo", 2, 5, "x[0]"),
        ("x: !foo {a: 1}\n", "!foo", 1, 4, "x"),
        ("%TAG !e! tag:example.com,2000:\n---\nx: !e!thing 1\n", "tag:example.com,2000:thing", 3, 4, "x"),
    ],
)  # fmt: skip
def test_other_tags_are_rejected(text, tag, line, column, path):
    d = only_error(load(text))
    assert (d.rule, d.line, d.column, d.path) == ("yaml-tag", line, column, path)
    assert d.message == (
        f"tag {tag} is not allowed: specs only hold plain strings, numbers, booleans, "
        "lists and mappings"
    )


def test_python_tag_is_not_executed(tmp_path):
    marker = tmp_path / "ran"
    only_error(load(f'!!python/object/apply:os.system ["touch {marker}"]\n'))
    assert not marker.exists()


# --------------------------------------------------------------------------- documents


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "   \n\t\n", "# only a comment\n# another\n", "---\n", "null\n", "~\n",
     "--- null\n...\n"],
)  # fmt: skip
def test_empty_files(text):
    d = only_error(load(text))
    assert d.format() == (
        "projects/churn.yaml:1:1: error: file is empty: a spec is a mapping that starts with "
        "`schema_version:` followed by the project's fields [empty-file]"
    )


def test_two_documents():
    d = only_error(load("id: a\n---\nid: b\n"))
    assert d.format() == (
        "projects/churn.yaml:2:1: error: a second YAML document starts here; a spec file holds "
        "exactly one (remove this `---` and what follows, or move it to its own file) "
        "[multiple-documents]"
    )


def test_one_explicit_document_is_fine():
    assert loaded("---\nid: a\n...\n").data == {"id": "a"}


# --------------------------------------------------------------------------- encoding


def test_invalid_utf8_points_at_the_bad_byte():
    d = only_error(load_bytes(b"id: churn\ntitle: caf\xe9 \xc3\xa9\n", FILE))
    assert d.format() == (
        "projects/churn.yaml:2:11: error: not valid UTF-8 (byte 0xe9); save the file as UTF-8 [encoding]"
    )


def test_invalid_utf8_column_counts_characters():
    d = only_error(load_bytes("a: ééé ".encode() + b"\xff\n", FILE))
    assert (d.line, d.column, d.rule) == (1, 8, "encoding")


def test_utf8_bom_is_a_warning_and_the_file_loads():
    result = load_bytes(b"\xef\xbb\xbfid: churn\nn: 1\n", FILE)
    assert result.ok
    assert result.data == {"id": "churn", "n": 1}
    assert result.positions.value(("id",)) == Position(1, 5)  # the BOM takes no column
    (d,) = result.diagnostics
    assert d.severity is Severity.WARNING
    assert d.format() == (
        "projects/churn.yaml:1:1: warning: file starts with a UTF-8 byte-order mark; remove it [bom]"
    )


def test_bom_warning_is_kept_when_the_file_also_fails():
    result = load_bytes(b"\xef\xbb\xbfa: [\n", FILE)
    assert [d.rule for d in result.diagnostics] == ["bom", "yaml-syntax"]
    assert not result.ok


UTF16 = "file is UTF-16 encoded; save it as UTF-8"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("id: churn\n".encode("utf-16"), UTF16),  # with the native BOM
        (b"\xff\xfe" + "id: churn\n".encode("utf-16-le"), UTF16),
        (b"\xfe\xff" + "id: churn\n".encode("utf-16-be"), UTF16),
        ("id: churn\n".encode("utf-32"), "file is UTF-32 encoded; save it as UTF-8"),
        (
            "id: churn\n".encode("utf-16-le"),  # no BOM
            "file is full of NUL bytes: is it UTF-16 encoded? save it as UTF-8",
        ),
    ],
)
def test_utf16_and_utf32(raw, message):
    d = only_error(load_bytes(raw, FILE))
    assert (d.rule, d.message) == ("encoding", message)


def test_nul_byte_is_an_error_with_position():
    d = only_error(load_bytes(b"id: churn\ntitle: a\x00b\n", FILE))
    assert d.format() == (
        "projects/churn.yaml:2:9: error: NUL byte is not allowed in YAML; remove it "
        "(or write it as an escape in a double-quoted string) [encoding]"
    )


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x7f", "\x9b", "\ufffe"])
def test_control_characters_are_errors_with_position(char):
    d = only_error(load(f"id: churn\nnote: ab{char}\n"))
    assert (d.rule, d.line, d.column) == ("encoding", 2, 9)
    assert f"U+{ord(char):04X}" in d.message


def test_escaped_control_character_in_double_quotes_is_fine():
    assert loaded('a: "bell\\a"\n').data == {"a": "bell\x07"}


# --------------------------------------------------------------------------- anchors and aliases


def test_aliases_expand_to_independent_copies():
    result = loaded("base: &b {x: [1, 2]}\none: *b\ntwo: *b\n")
    data = result.data
    assert data == {"base": {"x": [1, 2]}, "one": {"x": [1, 2]}, "two": {"x": [1, 2]}}
    data["one"]["x"].append(3)
    assert data["two"]["x"] == [1, 2] and data["base"]["x"] == [1, 2]
    # Nodes inside an expansion report the alias.
    assert result.positions.value(("two",)) == Position(3, 6)
    assert result.positions.value(("two", "x", 0)) == Position(3, 6)
    assert not result.positions.has(("two", "x"))


def test_scalar_alias_and_alias_as_key():
    assert loaded("a: &k name\nb: *k\nc: {*k : 1}\n").data == {"a": "name", "b": "name", "c": {"name": 1}}


def test_alias_to_a_number_as_key_is_rejected():
    d = only_error(load("a: &n 5\nb: {*n : 1}\n"))
    assert (d.rule, d.message) == ("key-type", "key *n is a number; keys must be strings: quote it")


def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_rejected():
    d = only_error(load(billion_laughs()))
    assert d.rule == "alias-limit"
    assert d.message == "aliases expand to more than 100000 nodes (a 'billion laughs' file?)"
    # l0..l3 hold 11 + 111 + 1,111 + 11,111 nodes; l4 alone would be 111,111.
    assert (d.line, d.column) == (5, 45)


def test_aliases_within_the_node_limit_are_fine():
    result = loaded(billion_laughs(levels=3))
    assert len(result.data["l3"]) == 10
    assert result.data["l3"][9][9][9][9] == "lol"


def test_recursive_alias_is_rejected():
    d = only_error(load("a: &a\n  b: *a\n"))
    assert d.format() == (
        "projects/churn.yaml:2:6: error: alias *a refers to the node that contains it "
        "(&a at line 1, column 4); a spec cannot contain itself [alias-limit]"
    )
    assert only_error(load("&x [1, [*x]]\n")).rule == "alias-limit"


def test_redefined_anchor_uses_the_latest():
    assert loaded("a: &x 1\nb: &x 2\nc: *x\n").data == {"a": 1, "b": 2, "c": 2}


# --------------------------------------------------------------------------- depth and size


def test_100000_open_brackets_do_not_crash():
    # In-process on purpose: a recursive composer would kill pytest with a segfault.
    d = only_error(load("[" * 100_000))
    assert d.format() == (
        "projects/churn.yaml:1:65: error: nesting deeper than 64 levels of lists and mappings; "
        "a spec never needs this [nesting-limit]"
    )


def test_100000_open_braces_do_not_crash():
    assert only_error(load("a: " + "{" * 100_000)).rule in ("nesting-limit", "key-type")


def test_deep_block_nesting_on_one_line():
    d = only_error(load("- " * 10_000 + "x\n"))
    assert (d.rule, d.line, d.column) == ("nesting-limit", 1, 129)


def test_deep_block_nesting_by_indentation():
    text = "".join(" " * (2 * i) + f"k{i}:\n" for i in range(200)) + " " * 400 + "v\n"
    assert only_error(load(text)).rule == "nesting-limit"


def test_nesting_limit_is_exact():
    assert loaded("[" * MAX_DEPTH + "]" * MAX_DEPTH).data is not None
    assert only_error(load("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))).rule == "nesting-limit"


def test_aliases_count_towards_the_nesting_limit():
    deep = "[" * 60 + "]" * 60
    assert loaded(f"a: &a {deep}\nb: [[[*a]]]\n").ok  # 1 + 3 + 60 levels
    d = only_error(load(f"a: &a {deep}\nb: [[[[*a]]]]\n"))
    assert (d.rule, d.line, d.column) == ("nesting-limit", 2, 8)
    assert "alias *a" in d.message


# The nesting limit, whichever libyaml is installed. libyaml's scanner reads ahead over a
# line of `[` (each may start an implicit key) before the loader sees their events, and
# newer libyaml stops by itself at 1000 levels ("exceeded maximum nesting depth"); older
# libyaml (PyYAML 6.0.1) has no limit. The loader must report its own limit, at the place
# it is passed, either way.

DEEP = "[" * 5_000


class PurePythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python parser: the events of libyaml, and no limit on nesting (older libyaml)."""

    def __init__(self, stream: bytes) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def limited_parser(limit: int) -> type[PurePythonParser]:
    """A parser that stops at ``limit`` levels of flow nesting like newer libyaml (same read-ahead)."""

    class LimitedParser(PurePythonParser):
        def fetch_flow_collection_start(self, TokenClass):
            if self.flow_level >= limit:
                mark = self.get_mark()
                raise yaml.scanner.ScannerError(
                    "while increasing flow level", mark, "exceeded maximum nesting depth", mark
                )
            super().fetch_flow_collection_start(TokenClass)

    return LimitedParser


PARSERS = {
    "installed libyaml": None,
    "no limit (older libyaml)": PurePythonParser,
    "limit 1000 (newer libyaml)": limited_parser(1000),
    "limit 100": limited_parser(100),
}

# (text, diagnostic or None if the file loads): what PyYAML 6.0.1 gives without any guard.
TOO_DEEP = "error: nesting deeper than 64 levels of lists and mappings; a spec never needs this [nesting-limit]"
NESTING_CASES = {
    "brackets": (DEEP, "1:65: " + TOO_DEEP),
    "braces": ("a: " + "{" * 5_000, "1:5: error: a: a mapping cannot be a key; keys must be strings [key-type]"),
    "flow mapping values": ("{a: " * 2_000, "1:257: " + TOO_DEEP),
    "list in a flow mapping": ("{a: " + DEEP, "1:68: " + TOO_DEEP),
    "JSON": ('{"a":' * 2_000, "1:321: " + TOO_DEEP),
    "under block mappings": ("a:\n  b:\n    c: " + DEEP, "3:69: " + TOO_DEEP),
    "under block lists": ("- " * 3 + DEEP, "1:68: " + TOO_DEEP),
    "block lists deeper first": ("- " * 100 + DEEP, "1:129: " + TOO_DEEP),
    "after a block scalar": ("- a: |\n    " + DEEP + "\n  b: " + DEEP, "3:68: " + TOO_DEEP),
    "after a multi-line value": ("a: x\n  y\nb: " + DEEP, "3:67: " + TOO_DEEP),
    "anchored": ("a: &x " + DEEP, "1:70: " + TOO_DEEP),
    "CRLF and a character of two bytes": ("é: 1\r\nb: " + DEEP, "2:67: " + TOO_DEEP),
    "one bracket a line": ("[\n" * 2_000, "65:1: " + TOO_DEEP),
    "a quote inside a plain scalar": (
        '[a "' + DEEP,
        "1:5: error: invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts at line 1, column 1) [yaml-syntax]",
    ),
    "a syntax error first": (
        "a: b: c\nd: " + DEEP,
        "1:5: error: invalid YAML: mapping values are not allowed in this context; "
        "a value that contains `: ` must be quoted [yaml-syntax]",
    ),
    "a tag error first": (
        "a: !!binary x\nb: " + DEEP,
        "1:4: error: a: tag !!binary is not allowed: specs only hold plain strings, numbers, "
        "booleans, lists and mappings [yaml-tag]",
    ),
    "a list as a key": ("? " + DEEP, "1:3: error: a list cannot be a key; keys must be strings [key-type]"),
    "in double quotes": ('a: "' + DEEP + '"\n', None),
    "in single quotes": ("a: '" + "[''" * 2_000 + "'\n", None),
    "in quotes in a list": ('["' + DEEP + '", x]\n', None),
    "in a comment": ("# " + DEEP + "\na: 1\n", None),
    "in a comment in a list": ("[a, # " + DEEP + "\n b]\n", None),
    "in a block scalar": ("a: |\n  " + DEEP + "\nb: 2\n", None),
    "in a folded scalar": ("a: >-\n  x\n  " + DEEP + "\n", None),
    "in a plain scalar": ("a: x" + DEEP + "\n", None),
    "in a continuation line": ("a: x\n  " + DEEP + "\n", None),
    "in a less indented continuation line": ("a:\n  x\n " + DEEP + "\n", None),
}


@pytest.mark.parametrize("parser", PARSERS.values(), ids=PARSERS.keys())
@pytest.mark.parametrize(("text", "expected"), NESTING_CASES.values(), ids=NESTING_CASES.keys())
def test_nesting_limit_whichever_libyaml(text, expected, parser, monkeypatch):
    if parser is not None:
        monkeypatch.setattr(yaml.cyaml, "CParser", parser)
    result = load(text)
    if expected is None:
        assert result.ok and result.diagnostics == ()
    elif parser is None:
        assert only_error(result).format() == f"{FILE}:{expected}"
    else:  # the pure-Python parser words syntax errors its own way
        d = only_error(result)
        where, rule = expected.split(": ")[0], expected[expected.rindex("[") + 1 : -1]
        assert (f"{d.line}:{d.column}", d.rule) == (where, rule)


def test_the_loaded_values_of_brackets_that_do_not_nest():
    assert loaded('a: "' + DEEP + '"').data == {"a": DEEP}
    assert loaded("a: '['']'\nb: ['[[', \"]]\"]\n").data == {"a": "[']", "b": ["[[", "]]"]}
    assert loaded("a:\n  x\n " + DEEP + "\n").data == {"a": "x " + DEEP}


@pytest.mark.parametrize("parser", [None, limited_parser(1000), limited_parser(100)], ids=["installed", "1000", "100"])
@pytest.mark.parametrize(("text", "expected"), [(DEEP, "1:65"), ("a: 1\nb: " + DEEP, "2:67")])
def test_nesting_limit_when_the_scan_misses_it(text, expected, parser, monkeypatch):
    # The scan of the text is only a shortcut: if it finds nothing, libyaml's own depth error
    # leads to the same diagnostic (the text before libyaml's stop is built on its own).
    monkeypatch.setattr(loader_nesting, "deep_flow_cut", lambda text, limit: None)
    if parser is not None:
        monkeypatch.setattr(yaml.cyaml, "CParser", parser)
    d = only_error(load(text))
    assert (d.rule, f"{d.line}:{d.column}") == ("nesting-limit", expected)


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("[[[", 3),  # level 3 opens at index 2; the cut is the end of its line
        ("[[[x]]]\n[", 7),
        ("[[[[[[[[", 4),  # or sooner, at level 2 * limit
        ("a: {b: [[", 9),  # flow levels only: the block mapping is left to the event loop
        ("a:\n  - [[[\nb: 1\n", 10),
        ("[a \"[[", 6),  # a quote inside a plain scalar opens nothing
        ("[a#[[", 5),  # nor does a # inside a plain scalar
        ("- a: |\n    [[[\n  b: [[[", 23),  # the block scalar ends with the less indented line
        ("[\n[\n[\n", 5),
    ],
)
def test_the_scan_finds_where_flow_nesting_passes_the_limit(text, cut):
    assert loader_nesting.deep_flow_cut(text, 2) == cut


@pytest.mark.parametrize(
    "text",
    [
        "[[]]", "[[x]]\n[[y]]", '"[[["', "'[[['", "a: 'it''s [[['", 'a: "x\\"[[["', '["[[["]',
        "# [[[", "a: 1 # [[[", "[a #[[[\n]", "a: x[[[", "a: x [[[", "a: x\n  [[[", "a: |\n  [[[\n",
        "- >-\n  x\n\n  [[[\n", "a: |2\n   [[[\n", 'a: "[[[\n  [[["', "a: '[[[", "[]" * 10,
    ],
)  # fmt: skip
def test_the_scan_does_not_count_brackets_that_open_nothing(text):
    assert loader_nesting.deep_flow_cut(text, 2) is None


def test_bytes_over_the_limit():
    d = only_error(load_bytes(b"#" * (MAX_BYTES + 1), FILE))
    assert d.format() == (
        "projects/churn.yaml:1:1: error: file is 1,048,577 bytes; a spec must be at most 1 MiB "
        "(1,048,576 bytes) [file-too-large]"
    )
    assert load_bytes(b"a: 1\n" + b"#" * (MAX_BYTES - 5), FILE).ok


def test_large_file_is_rejected_without_reading_it(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:  # sparse: 30 MiB of NUL bytes, no disk used
        handle.seek(30 * 1024 * 1024 - 1)
        handle.write(b"\n")

    def no_open(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(pathlib.Path, "open", no_open)
    start = time.perf_counter()
    result = load_file(big, "projects/big.yaml")
    elapsed = time.perf_counter() - start
    d = only_error(result)
    assert d.format() == (
        "projects/big.yaml:1:1: error: file is 30.0 MiB; a spec must be at most 1 MiB "
        "(1,048,576 bytes) [file-too-large]"
    )
    assert elapsed < 0.5


def test_file_that_grows_after_stat_is_read_only_up_to_the_limit(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (3 * MAX_BYTES))
    real_stat = pathlib.Path.stat
    reads = []

    def small_stat(self, *args, **kwargs):
        st = real_stat(self, *args, **kwargs)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid,
                               st.st_gid, 10, st.st_atime, st.st_mtime, st.st_ctime))  # fmt: skip

    real_open = pathlib.Path.open

    def recording_open(self, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        real_read = handle.read

        class Handle:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()

            def read(self, size=-1):
                reads.append(size)
                return real_read(size)

        return Handle()

    monkeypatch.setattr(pathlib.Path, "stat", small_stat)
    monkeypatch.setattr(pathlib.Path, "open", recording_open)
    d = only_error(load_file(big, "big.yaml"))
    assert (d.rule, d.message) == (
        "file-too-large", "file is over 1 MiB; a spec must be at most 1 MiB (1,048,576 bytes)"
    )
    assert reads == [MAX_BYTES + 1]


def test_node_limit_without_aliases():
    # 1 list + 99,999 items is exactly the limit.
    assert len(loaded("[" + "1," * (MAX_NODES - 2) + "1]").data) == MAX_NODES - 1
    d = only_error(load("[" + "1," * (MAX_NODES - 1) + "1]"))
    assert d.format() == (
        f"projects/churn.yaml:1:{2 * MAX_NODES}: error: file holds more than 100000 YAML nodes "
        "(keys, values, lists and mappings); a spec is far smaller than this [file-too-large]"
    )


def test_limits():
    assert (MAX_BYTES, MAX_DEPTH, MAX_NODES) == (1_048_576, 64, 100_000)


def test_bytes_like_input():
    assert load_bytes(bytearray(b"a: 1\n"), FILE).data == {"a": 1}
    assert load_bytes(memoryview(b"a: 2\n"), FILE).data == {"a": 2}


# --------------------------------------------------------------------------- files


def test_load_file_uses_the_path_as_display_name(tmp_path):
    spec = tmp_path / "churn.yaml"
    spec.write_text("id: churn\n", encoding="utf-8")
    result = load_file(spec)
    assert result.ok and result.file == str(spec) and result.data == {"id": "churn"}
    assert load_file(spec, "projects/churn.yaml").file == "projects/churn.yaml"


def test_missing_file(tmp_path):
    d = only_error(load_file(tmp_path / "nope.yaml", "projects/nope.yaml"))
    assert d.format() == (
        "projects/nope.yaml:1:1: error: cannot read the file: no such file or directory [unreadable]"
    )
    assert str(tmp_path) not in d.message


def test_directory(tmp_path):
    d = only_error(load_file(tmp_path, "projects/"))
    assert d.format() == "projects/:1:1: error: cannot read the file: it is a directory [unreadable]"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    d = only_error(load_file(fifo, "pipe.yaml"))
    assert (d.rule, d.message) == ("unreadable", "cannot read the file: it is not a regular file")


def test_permission_denied(tmp_path, monkeypatch):
    spec = tmp_path / "secret.yaml"
    spec.write_text("id: x\n", encoding="utf-8")
    real_open = Path.open

    def refuse(self, *args, **kwargs):  # as the OS does for a file we may not read (root may read anything)
        if self == spec:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    d = only_error(load_file(spec, "secret.yaml"))
    assert d.format() == "secret.yaml:1:1: error: cannot read the file: permission denied [unreadable]"


# --------------------------------------------------------------------------- general guarantees


@pytest.mark.parametrize(
    "text",
    ["a: [", "{", "]", "a: 'x", "? ", "- a\nb: c\n", "&a", "*", "!<", "%YAML 1.1\n%YAML 1.1\na: 1\n",
     "a: !!str !!int 1\n", "a: &x &y 1\n", "@foo\n", "`x`\n", "a: |\n  x\n b\n", "\"\\u12\"\n",
     "a:\n- b\n  - c\n", "[a, b]: c\n", "a: b: c\n", "- !<!> x\n", "!!str &a\n"],
)  # fmt: skip
def test_every_broken_input_is_one_diagnostic(text, capsys):
    result = load(text)
    errors = [d for d in result.diagnostics if d.is_error]
    if result.data is None:
        assert len(errors) == 1
        d = errors[0]
        assert d.line >= 1 and d.column >= 1
        assert "\n" not in d.message
        assert "Error" not in d.message and "<" not in d.message.replace("<<", "")
    else:
        assert not errors
    assert capsys.readouterr() == ("", "")


def test_loading_is_pure():
    first, second = load(SPEC), load(SPEC)
    assert first.data == second.data and first.data is not second.data


def test_a_quote_left_open_is_named_when_libyaml_stops_later():
    text = 'business:\n  service: "A shop"\n  goal: "AP clerks spend hours\n  other: "x"\nteam: a\n'
    d = only_error(load_bytes(text.encode(), "q.yaml"))
    assert (d.line, d.rule) == (4, "yaml-syntax")
    assert "is the quote opened on line 3 closed? Otherwise check the indentation of this line" in d.message


def test_no_quote_hint_for_a_plain_indentation_mistake():
    text = 'business:\n  service: "A shop"\n goal: x\n'
    d = only_error(load_bytes(text.encode(), "q.yaml"))
    assert d.rule == "yaml-syntax" and "quote opened" not in d.message
