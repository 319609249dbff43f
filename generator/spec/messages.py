"""Turn jsonschema's errors into messages a person can act on."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    "object": "a mapping (`key: value` lines)",
    "array": "a list (`- item` lines)",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "nothing",
}


VISIBLE_TEXT = (
    "^$|[^\\s\\u0000-\\u001f\\u007f-\\u00a0\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f"
    "\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufffb]"
)
"""The schema's pattern for a name or title: at least one character that is neither a space nor
invisible (controls, zero-width and direction marks, fillers, variation selectors). The empty
string is left to ``minLength``, so it is one error, not two."""


def number_text(value: float) -> str:
    """A number for a message: as written for ordinary ones; a power of ten as ``10^15``; a very
    long one by its size (so no message ever prints hundreds of digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        digits = len(str(abs(value)))  # the loader allows at most a hundred
        if digits > 7 and str(abs(value)) == "1" + "0" * (digits - 1):
            return ("-" if value < 0 else "") + f"10^{digits - 1}"
        if digits > 18:
            return f"a number of {digits} digits"
    if isinstance(value, float) and value != value:
        return ".nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    return json.dumps(value)


def kind_of(value: Any) -> str:
    """Name a YAML value's kind the way a spec author thinks of it."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({json.dumps(value)})"
    if isinstance(value, (int, float)):
        return f"a number ({number_text(value)})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def show(value: Any, limit: int = 60) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def example_hint(schema: dict[str, Any]) -> str:
    examples = schema.get("examples") or []
    if not examples:
        return ""
    example = examples[0]
    if isinstance(example, (dict, list)):
        return ""
    return f", e.g. {json.dumps(example, ensure_ascii=False)}"


def required_message(name: str, prop_schema: dict[str, Any]) -> str:
    title = prop_schema.get("title")
    label = f" ({title})" if title and title.lower() != name.replace("_", " ") else ""
    return f"missing required field '{name}'{label}: add `{name}:`{example_hint(prop_schema)}"


def describe(error: ValidationError) -> str:
    """One readable sentence for a schema error that is not ``required``/``additionalProperties``."""
    v = error.validator
    # The value in the spec and the keyword's value in the schema: any JSON value. (The stubs
    # add jsonschema's "unset" marker, which only errors built by hand carry.)
    value: Any = error.instance
    expected: Any = error.validator_value
    if v == "type":
        wanted: list[str] = expected if isinstance(expected, list) else [expected]  # type names
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in wanted)
        message = f"expected {names}, got {kind_of(value)}"
        if isinstance(value, str):
            message += f" {show(value)}"
        if value is None and "null" not in wanted:
            message += "; the value is empty: fill it in, or remove the field"
        elif "string" in wanted and isinstance(value, (bool, int, float)):
            message += "; YAML reads unquoted true/false and numbers as such: put the value in quotes to keep it text"
        elif "object" in wanted and isinstance(value, list):
            message += "; remove the leading '- ' to write fields of a mapping"
        elif "array" in wanted and not isinstance(value, list):
            message += "; write each item on its own line starting with '- '"
        return message
    if v == "enum":
        choices = [str(c) for c in expected]
        hint = suggest(str(value), choices) if isinstance(value, str) else ""
        extra = ""
        if isinstance(value, bool):
            extra = "; unquoted true/false is a boolean in YAML: write one of the values above, in quotes if needed"
        return f"{show(value)} is not one of {', '.join(choices)}{hint}{extra}"
    if v == "const":
        return f"must be {json.dumps(expected)}, got {show(value)}"
    if v == "format" and expected == "date":
        return f"{show(value)} is not a valid date: write it as YYYY-MM-DD, e.g. 2026-03-02"
    if v == "pattern" and expected == VISIBLE_TEXT:
        return (f"{show(value)} has no visible character: write a name or text that can be read "
                "(spaces and invisible characters alone do not count)")
    if v == "pattern":
        if expected.startswith("^[a-z0-9]"):
            return f"{show(value)} is not a valid id: use lower-case letters, digits, '-' and '_', starting with a letter or digit"
        if expected.startswith("^https?"):
            return f"{show(value)} is not a web address: it must start with http:// or https://"
        return f"{show(value)} does not match the pattern {expected}"
    if v == "minLength":
        return "must not be empty"
    if v == "maxLength":
        return f"is too long: at most {expected} characters"
    if v == "maxItems":
        return f"has {len(value) if isinstance(value, list) else '?'} items: at most {expected}"
    if v == "maxProperties":
        return f"has {len(value) if isinstance(value, dict) else '?'} entries: at most {expected}"
    if v == "minItems":
        return f"needs at least {expected} item{'s' if expected != 1 else ''}"
    if v == "minProperties":
        return f"needs at least {expected} entr{'ies' if expected != 1 else 'y'}"
    if v == "uniqueItems":
        seen: list[Any] = []
        for item in value if isinstance(value, list) else ():
            if item in seen:
                return f"has {show(item)} twice: remove one"
            seen.append(item)
        return "has the same item twice"
    if v in ("minimum", "exclusiveMinimum"):
        op = ">=" if v == "minimum" else ">"
        return f"{show(value)} is too small: it must be {op} {number_text(expected)}"
    if v in ("maximum", "exclusiveMaximum"):
        op = "<=" if v == "maximum" else "<"
        return f"{show(value)} is too large: it must be {op} {number_text(expected)}"
    if v == "not" and isinstance(error.schema, dict) and error.schema.get("x-mlfolio-not-message"):
        return f"{show(value)} {error.schema['x-mlfolio-not-message']}"
    if v == "propertyNames":
        return f"{show(value)} is not a valid key"
    # Anything else: jsonschema's own words, without the Python repr noise.
    return re.sub(r"\s+", " ", error.message)
