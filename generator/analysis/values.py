"""Metric values: which of two is better, and how a value is written. One place for both, so the
validator, the site and ``mlfolio diff`` never disagree."""

from __future__ import annotations

import math


def better_or_equal(direction: str, a: float, b: float) -> bool:
    """Is ``a`` at least as good as ``b`` for a metric whose ``direction`` is maximize or minimize?"""
    return a >= b if direction == "maximize" else a <= b


def format_number(value: float | int) -> str:
    """A number as a person writes it: no exponent, no float noise, thousands grouped.

    ``18.4`` -> ``18.4``, ``13.0`` -> ``13``, ``1234567.5`` -> ``1,234,567.5``, ``1e-05`` -> ``0.00001``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    text = repr(round(float(value), 12))
    if "e" in text or "E" in text:
        text = f"{value:.12f}".rstrip("0")
    whole, _, fraction = text.partition(".")
    return f"{int(whole):,}.{fraction}" if whole not in ("-0",) else f"-0.{fraction}"


def format_value(value: float | int | None, unit: str = "", missing: str = "—") -> str:
    """A value with its unit: ``18.4%``, ``80 M KRW``; ``missing`` when there is none."""
    if value is None:
        return missing
    text = format_number(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"
