"""Metric values: which of two is better, and how a value is written. One place for both, so the
validator, the site and ``mlfolio diff`` never disagree."""

from __future__ import annotations

import math
from decimal import Decimal


def better_or_equal(direction: str, a: float, b: float) -> bool:
    """Is ``a`` at least as good as ``b`` for a metric whose ``direction`` is maximize or minimize?"""
    return a >= b if direction == "maximize" else a <= b


def format_number(value: float | int) -> str:
    """A number as a person writes it: the digits written, no float noise, thousands grouped.

    ``18.4`` -> ``18.4``, ``13.0`` -> ``13``, ``1234567.5`` -> ``1,234,567.5``, ``1e-05`` ->
    ``0.00001``, ``-0.0`` -> ``0``. A float shows its shortest round-trip digits (at most 15
    significant ones, which drops a computation's noise), so nothing is invented (``1e308``
    stays ``1e+308``) and nothing non-zero shows as 0 (``5e-324``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value == 0:
        return "0"
    text = repr(float(value))
    mantissa = text.split("e")[0].lstrip("-").replace(".", "").strip("0")
    if len(mantissa) > 15:  # float noise of a computation (0.1 + 0.2): 15 significant digits are exact
        shorter = float(f"{value:.15g}")
        if math.isfinite(shorter):  # the largest floats round up past the largest float
            text = repr(shorter)
    if "e" in text:
        if not 1e-7 <= abs(value) < 1e16:
            return text
        text = format(Decimal(text), "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    return f"{sign}{int(digits):,}" + (f".{fraction}" if fraction else "")


def format_value(value: float | int | None, unit: str = "", missing: str = "—") -> str:
    """A value with its unit: ``18.4%``, ``80 M KRW``; ``missing`` when there is none."""
    if value is None:
        return missing
    text = format_number(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"
