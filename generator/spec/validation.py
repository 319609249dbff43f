"""Schema validation of one loaded spec: jsonschema errors and stage requirements as diagnostics."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

if TYPE_CHECKING:
    from jsonschema_rs import Validator

from mlfolio.spec.diagnostics import Diagnostic, error, format_path, value_at, warning
from mlfolio.spec.loader import LoadResult
from mlfolio.spec.messages import VISIBLE_TEXT, describe, kind_of, required_message, show, suggest
from mlfolio.spec.schema import RETIRED, SpecSchema

jsonschema_rs: ModuleType | None
try:  # a compiled validator (Rust) answers "is this spec valid?" about fifty times faster
    import jsonschema_rs
except ImportError:  # pragma: no cover - platforms without a wheel fall back to jsonschema alone
    jsonschema_rs = None

_REQUIRED = re.compile(r"^'(.+)' is a required property$")
_EMPTINESS = {"minLength", "minItems", "minProperties"}


# -- patterns and formats: one meaning in every validator ----------------------------
#
# JSON Schema says a `pattern` is an ECMA-262 regular expression, and that is what the
# compiled validator and editors run. jsonschema hands it to Python's `re` as it is, where
# `$` also matches before a final newline (`id: "abc\n"` would pass), `.` matches a carriage
# return or U+2028, `\d`/`\w` match any script's digits and letters and `\s` is a different
# set of spaces. The reference validator below compiles each pattern translated to what it
# means in ECMA-262 (with the `u` flag), so all three agree.

# ECMA-262 WhiteSpace and LineTerminator: what `\s` means there.
_ECMA_SPACES = r"\t\n\x0b\x0c\r\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ECMA_DOT = r"[^\n\r\u2028\u2029]"  # `.` without the `s` flag: anything but a line terminator


def _escape(pattern: str, i: int) -> tuple[str, int]:
    """The escape at ``pattern[i]`` (a backslash) as Python text, and the index after it.

    ``\\s`` and ``\\S`` are returned as the marker strings ``"s"``/``"S"`` for the caller."""
    nxt = pattern[i + 1] if i + 1 < len(pattern) else ""
    if nxt in ("s", "S"):
        return nxt, i + 2
    if nxt == "u" and pattern.startswith("{", i + 2):  # \u{1F600}
        end = pattern.find("}", i + 3)
        digits = pattern[i + 3 : end] if end > 0 else ""
        if digits and all(c in "0123456789abcdefABCDEF" for c in digits) and int(digits, 16) <= 0x10FFFF:
            return f"\\U{int(digits, 16):08x}", end + 1
    if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", pattern[i + 2 : i + 6]):
        high = int(pattern[i + 2 : i + 6], 16)
        low = re.fullmatch(r"\\u([0-9a-fA-F]{4})", pattern[i + 6 : i + 12])
        if 0xD800 <= high <= 0xDBFF and low and 0xDC00 <= int(low.group(1), 16) <= 0xDFFF:
            # A surrogate pair is one code point under the `u` flag.
            point = 0x10000 + ((high - 0xD800) << 10) + (int(low.group(1), 16) - 0xDC00)
            return f"\\U{point:08x}", i + 12
        return pattern[i : i + 6], i + 6
    if nxt == "c" and i + 2 < len(pattern) and pattern[i + 2].isascii() and pattern[i + 2].isalpha():
        return f"\\x{ord(pattern[i + 2]) % 32:02x}", i + 3
    if nxt == "0" and not pattern[i + 2 : i + 3].isdigit():
        return "\\x00", i + 2
    if nxt == "k" and pattern.startswith("<", i + 2) and ">" in pattern[i + 3 :]:
        end = pattern.index(">", i + 3)
        return f"(?P={pattern[i + 3 : end]})", end + 1
    if nxt == "/":
        return "/", i + 2
    return pattern[i : i + 2], i + 2  # \d \w \b (ASCII under re.ASCII), \n, \., \1, \x41, ...


def _char_class(pattern: str, i: int) -> tuple[str, int]:
    """The character class opening at ``pattern[i]`` as Python text, and the index after it."""
    j = i + 1
    negated = pattern.startswith("^", j)
    if negated:
        j += 1
    if pattern.startswith("]", j):  # ECMA: `[]` matches nothing, `[^]` anything
        return ("(?s:.)" if negated else "(?!)"), j + 1
    items: list[str] = []
    non_space = False
    while j < len(pattern) and pattern[j] != "]":
        if pattern[j] == "\\":
            text, j = _escape(pattern, j)
            if text == "s":
                text = _ECMA_SPACES
            elif text == "S":
                non_space, text = True, ""
            elif text.startswith("(?P="):  # no back-reference inside a class
                text = re.escape("\\k")
            items.append(text)
        else:
            items.append("\\[" if pattern[j] == "[" else pattern[j])  # `[` is literal in ECMA
            j += 1
    rest = "".join(items)
    end = j + 1
    if not non_space:
        return f"[{'^' if negated else ''}{rest}]", end
    if negated:  # neither in rest nor a non-space: a space not in rest
        return (f"(?:(?![{rest}])[{_ECMA_SPACES}])" if rest else f"[{_ECMA_SPACES}]"), end
    return (f"(?:[{rest}]|[^{_ECMA_SPACES}])" if rest else f"[^{_ECMA_SPACES}]"), end


def ecma_to_python(pattern: str) -> str:
    """``pattern`` (ECMA-262 with the ``u`` flag) written for Python's ``re``, compiled with ``re.ASCII``.

    An unescaped ``$`` outside a class is the end of the text (``\\Z``); ``.`` excludes every
    line terminator; ``\\s`` is ECMA's set of spaces; ``\\d``, ``\\w`` and ``\\b`` are ASCII
    (which ``re.ASCII`` gives); ``\\u{...}``, surrogate pairs, ``\\cX``, ``(?<name>`` and
    ``\\k<name>`` become Python's spelling. Anything else is the same in both."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            text, i = _escape(pattern, i)
            out.append(f"[{_ECMA_SPACES}]" if text == "s" else f"[^{_ECMA_SPACES}]" if text == "S" else text)
        elif c == "[":
            text, i = _char_class(pattern, i)
            out.append(text)
        elif c == "$":
            out.append("\\Z")
            i += 1
        elif c == ".":
            out.append(_ECMA_DOT)
            i += 1
        elif pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            i += 3
        else:
            out.append(c)
            i += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled with its ECMA-262 meaning; searched, as JSON Schema's ``pattern`` is.

    A pattern the translation cannot compile (it compiled as written, or the schema check
    would have refused it) is used as written rather than failing the whole check."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set": `[` is literal in ECMA too
        try:
            return re.compile(ecma_to_python(pattern), re.ASCII)
        except re.error:  # pragma: no cover - a construct the translation does not know
            return re.compile(pattern)


def _pattern(validator: Any, patrn: str, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_regex(patrn).search(instance):
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def _pattern_properties(validator: Any, patterns: Mapping[str, Any], instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for patrn, subschema in patterns.items():
        for key, value in instance.items():
            if ecma_regex(patrn).search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=patrn)


def additional_keys(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """The keys of ``instance`` that neither ``properties`` nor ``patternProperties`` of ``schema`` names."""
    properties = schema.get("properties", {})
    patterns = [ecma_regex(p) for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in properties and not any(p.search(k) for p in patterns)]


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    extras = additional_keys(instance, schema)
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif not extra and extras:
        listed = ", ".join(repr(k) for k in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({listed} {'was' if len(extras) == 1 else 'were'} unexpected)")
    # `unevaluatedProperties` still reads `patternProperties` with Python's semantics; the
    # schema uses neither, and a test fails when it starts to (tests/unit/test_schema_agreement.py).


def _uri(instance: object) -> bool:
    """RFC 3986 ``URI``, as the compiled validator checks it: jsonschema's check (through
    rfc3986-validator) ends its expression with ``$`` and so lets a final newline through."""
    if not isinstance(instance, str):
        return True
    return not instance.endswith("\n") and _BASE_FORMATS.conforms(instance, "uri")


_BASE_FORMATS = Draft202012Validator.FORMAT_CHECKER
FORMAT_CHECKER = FormatChecker(())
FORMAT_CHECKER.checkers = dict(_BASE_FORMATS.checkers)
if "uri" in FORMAT_CHECKER.checkers:  # rfc3986-validator is installed (a dependency)
    FORMAT_CHECKER.checks("uri")(_uri)
"""The reference's format checks: jsonschema's, with ``uri`` refusing a final newline."""

ReferenceValidator = validators.extend(
    Draft202012Validator,
    {"pattern": _pattern, "patternProperties": _pattern_properties, "additionalProperties": _additional_properties},
)
"""Draft 2020-12 with ECMA-262 patterns: the reference, and the source of every message."""


def reference_validator(document: Mapping[str, Any]) -> Any:
    """The reference validator for ``document``, with the format checks of :data:`FORMAT_CHECKER`."""
    return ReferenceValidator(document, format_checker=FORMAT_CHECKER)


def schema_keywords(node: Any, keyword: str) -> Iterator[Any]:
    """Every string value of ``keyword`` in a schema document (not inside examples or constants)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, value in item.items():
                if key == keyword and isinstance(value, str):
                    yield value
                elif key not in ("examples", "const", "enum", "default"):
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def format_checks(document: Mapping[str, Any]) -> dict[str, Callable[[str], bool]]:
    """For each format ``document`` uses, the reference's verdict as a function of the text:
    what the compiled validator is given, so the two cannot disagree on a format. A format
    the reference does not check is accepted by both."""
    return {name: _format_check(name) for name in set(schema_keywords(document, "format"))}


def _format_check(name: str) -> Callable[[str], bool]:
    if name not in FORMAT_CHECKER.checkers:
        return _anything

    function, raises = FORMAT_CHECKER.checkers[name]

    def check(value: str) -> bool:  # FORMAT_CHECKER.conforms(value, name), without its dispatch
        try:
            return bool(function(value))
        except raises:
            return False

    return check


def _anything(value: str) -> bool:
    return True


class SchemaChecker:
    """A compiled validator for one schema; build it once, use it for every file."""

    def __init__(self, schema: SpecSchema) -> None:
        self.schema = schema  # load_schema has checked it is a valid JSON Schema
        self._validator = reference_validator(schema.document)
        self._fast = fast_validator(schema.document)
        for patrn in schema_keywords(schema.document, "pattern"):
            ecma_regex(patrn)  # compiled once, now

    def schema_errors(self, data: Any) -> list[ValidationError]:
        """jsonschema's errors for ``data``; none at all for a spec the fast validator accepts.

        The fast validator only ever answers "valid"; whenever it does not, jsonschema
        (the reference, and the source of every message) looks at the spec. Most specs in a
        portfolio are valid, so most never reach the slow path. The two agree on formats by
        construction (the fast validator calls the reference's format checks) and on patterns
        by the ECMA-262 translation, which tests/unit/test_schema_agreement.py holds."""
        if self._fast is not None and self._fast.is_valid(data):
            return []
        return list(self._validator.iter_errors(data))

    def check(self, loaded: LoadResult) -> list[Diagnostic]:
        """Every schema problem, then every stage requirement the spec misses."""
        data = loaded.data
        if not isinstance(data, dict):
            return [
                error(
                    loaded.file, 1, 1,
                    f"a spec must be a mapping of fields (`schema_version: 1`, `id: ...`, ...), got {kind_of(data)}",
                    "schema", "",
                )
            ]
        stage_found = self._stage_requirements(loaded, data)
        # An empty field the stage requires is one problem, not two: drop the schema's
        # "must not be empty" for the same field.
        covered = {d.path for d in stage_found}
        if self._fast is not None and self._fast.is_valid(data):
            errors: list[ValidationError] = []
        else:
            errors = list(self._validator.iter_errors(data))
            if not errors and self._fast is not None:
                # The two validators disagree: the reference decides (the spec is accepted),
                # and the disagreement is said, at the value, rather than passed over.
                return self._disagreement(loaded, data) + stage_found
        # A value outside an enum is one problem even when its type is wrong too (`usage: true`):
        # the enum message lists the values to choose from.
        enums = {tuple(e.absolute_path) for e in errors if e.validator == "enum"}
        # So is a value that fails a pattern and a format (`links.docs: wiki.example.com`): the
        # pattern's message says what to write.
        patterned = {tuple(e.absolute_path) for e in errors if e.validator == "pattern"}
        found: list[Diagnostic] = []
        for err in errors:
            if err.validator == "format" and tuple(err.absolute_path) in patterned:
                continue
            # Blank text (spaces or invisible characters only) is empty to the stage requirement too.
            empty = (err.validator in _EMPTINESS or (err.validator == "type" and err.instance is None)
                     or (err.validator == "pattern" and err.validator_value == VISIBLE_TEXT))
            if empty and format_path(tuple(err.absolute_path)) in covered:
                continue
            if err.validator == "type" and tuple(err.absolute_path) in enums:
                continue
            found.extend(self._diagnose(loaded, err))
        return found + stage_found

    # -- schema errors ---------------------------------------------------------------
    def _diagnose(self, loaded: LoadResult, err: ValidationError) -> list[Diagnostic]:
        path = tuple(err.absolute_path)
        positions = loaded.positions
        # The schema holding the keyword that failed: a mapping for `required` and
        # `additionalProperties` (only a `false` schema, which holds none, is a boolean).
        keyword_schema = err.schema if isinstance(err.schema, Mapping) else {}
        if err.validator == "required":
            match = _REQUIRED.match(err.message)
            name = match.group(1) if match else str(err.validator_value)
            prop = self.schema.resolve(keyword_schema.get("properties", {}).get(name, {}))
            pos = positions.key(path)
            message = required_message(name, prop)
            return [error(loaded.file, pos.line, pos.column, message, "required", format_path(path + (name,)))]
        if err.validator == "additionalProperties" and isinstance(err.instance, Mapping):
            allowed = sorted(keyword_schema.get("properties", {}))
            extras = additional_keys(err.instance, keyword_schema)
            out = []
            for key in extras:
                pos = positions.key(path + (key,))
                hint = suggest(str(key), allowed) or f"; allowed here: {', '.join(allowed)}"
                message = f"unknown field '{key}'{hint}"
                out.append(error(loaded.file, pos.line, pos.column, message, "unknown-field", format_path(path + (key,))))
            return out
        if list(err.relative_schema_path)[-2:-1] == ["propertyNames"] and isinstance(err.instance, str):
            # jsonschema reports a bad key at its mapping, with the key as the instance.
            key = err.instance
            pos = positions.key(path + (key,))
            return [error(loaded.file, pos.line, pos.column, describe(err), "schema", format_path(path + (key,)))]
        if err.validator == "uniqueItems" and isinstance(err.instance, list):
            # Point at the repeated item, not at the list.
            for i, item in enumerate(err.instance):
                if item in err.instance[:i]:
                    pos = positions.value(path + (i,))
                    message = f"{show(item)} is listed twice: remove this one"
                    return [error(loaded.file, pos.line, pos.column, message, "schema", format_path(path + (i,)))]
        pos = positions.value(path)
        message = describe(err)
        if err.validator == "format" and message == re.sub(r"\s+", " ", err.message):  # jsonschema's own words
            message = _format_message(err.instance, str(err.validator_value))
        return [error(loaded.file, pos.line, pos.column, message, "schema", format_path(path))]

    def _disagreement(self, loaded: LoadResult, data: Any) -> list[Diagnostic]:
        assert self._fast is not None
        out = []
        for problem in self._fast.iter_errors(data):
            path = tuple(problem.instance_path)
            value = value_at(data, path)
            if isinstance(value, float) and math.isnan(value):
                continue  # .nan (which the compiled validator sees as null): the `non-finite` rule reports it
            pos = loaded.positions.value(path)
            message = (f"the compiled validator rejects this value ({_one_line(problem.message)}) but the reference "
                       "validator accepts it, so it is accepted; please report this disagreement to mlfolio")
            out.append(warning(loaded.file, pos.line, pos.column, message, "validator-disagreement", format_path(path)))
        return out

    # -- stage requirements ----------------------------------------------------------
    def _stage_requirements(self, loaded: LoadResult, data: dict[str, Any]) -> list[Diagnostic]:
        stage = data.get("stage")
        if not isinstance(stage, str) or stage not in self.schema.stages:
            return []
        out = []
        requirements = self.schema.requirements_for(stage)
        required = {r.path for r in requirements}
        for req in requirements:
            parent, where = _parent(data, req.path, required)
            if parent is None:
                continue  # an ancestor is reported itself, or has the wrong type
            if not is_empty(parent.get(req.path[-1])):
                continue
            if req.path[-1] in parent:
                where = req.path
            # A top-level section missing because of the stage: point at `stage:`, where the
            # author decides, rather than at the top of the file.
            pos = loaded.positions.key(where or ("stage",))
            state = "is empty" if req.path[-1] in parent else "is missing"
            since = "" if req.from_stage == stage else f" (required from stage '{req.from_stage}' on)"
            earlier = ", or move the project to an earlier stage" if stage != self.schema.stages[0] and stage != RETIRED else ""
            out.append(
                error(
                    loaded.file, pos.line, pos.column,
                    f"{req.title} {state}: stage '{stage}' requires it{since}; fill it in{earlier}",
                    "stage-required", format_path(req.path),
                )
            )
        return out


def is_empty(value: Any) -> bool:
    """Absent, null, blank text, or an empty list or mapping."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    return False


def _parent(data: dict[str, Any], path: tuple[str, ...], required: set[tuple[str, ...]]) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """The mapping that should hold the last name of ``path``, and where to report it missing.

    An ancestor that is itself required at this stage and is absent or empty gives ``None``:
    it is reported, not each field under it. Another absent or null ancestor counts as an
    empty mapping: its required fields are missing, reported at the deepest key that is
    there. An ancestor of another type gives ``None``: the schema reports that.
    """
    node: dict[str, Any] = data
    for depth, name in enumerate(path[:-1]):
        child = node.get(name)
        if path[: depth + 1] in required and is_empty(child):
            return None, ()  # "is missing" / "is empty" itself
        if child is None:
            return {}, path[: depth + 1] if name in node else path[:depth]
        if not isinstance(child, dict):
            return None, ()
        node = child
    return node, path[:-1]



def _format_message(value: Any, name: str) -> str:
    if name == "uri":
        return (f"{show(value)} is not a valid web address: write it in full (https://example.com/page), "
                "on one line, with spaces and other special characters percent-encoded (%20)")
    return f"{show(value)} is not a valid {name}"


def _one_line(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fast_validator(document: dict[str, Any]) -> Validator | None:
    """The compiled validator for ``document``, or None where it is not installed or refuses it.

    Its patterns are ECMA-262 already; its formats are the reference's own checks."""
    if jsonschema_rs is None:
        return None
    try:
        return jsonschema_rs.validator_for(document, validate_formats=True, formats=format_checks(document))
    except Exception:  # an exotic schema it cannot compile: jsonschema alone still judges
        return None


