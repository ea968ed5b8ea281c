"""The one number formatter for pages, charts and texts.

Negative numbers use the true minus sign (read as "minus" by screen readers); a missing value
is said in words, never shown as 'nan'.
"""
from __future__ import annotations

import math
from typing import Any

MINUS = "\u2212"
NO_VALUE = "no value"
NO_CI = "no CI published"


def as_float(x: Any) -> float:
    """A number as float; NaN for anything that is not one (None, pd.NA, text)."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def finite(x: Any) -> bool:
    return math.isfinite(as_float(x))


def number(value: Any, decimals: int = 1, unit: str = "", missing: str = NO_VALUE) -> str:
    """'1,234.5', '12.3%' (units starting with '%'), '−0.26'; `missing` when there is no value."""
    v = as_float(value)
    if not math.isfinite(v):
        return missing
    text = f"{v:,.{int(decimals)}f}"
    if text.startswith("-"):
        text = MINUS + text[1:]
        if text.strip(MINUS + "0.,") == "":  # -0.0 after rounding
            text = text[1:]
    return text + ("%" if str(unit).startswith("%") else "")


def signed(value: Any, decimals: int = 2, missing: str = NO_VALUE) -> str:
    """'+0.44', '−0.12', '0.00'."""
    v = as_float(value)
    if not math.isfinite(v):
        return missing
    text = number(v, decimals)
    return text if text.startswith(MINUS) or text.strip("0.,") == "" else "+" + text


def interval(lower: Any, upper: Any, decimals: int = 1, *, sign: bool = False, missing: str = NO_CI) -> str:
    """'7.1 to 7.5' (or with signs); `missing` unless both ends are numbers."""
    if not (finite(lower) and finite(upper)):
        return missing
    f = signed if sign else number
    return f"{f(lower, decimals)} to {f(upper, decimals)}"


def percent(share: Any, decimals: int = 0) -> str:
    """A 0-1 share as a percentage: 0.873 -> '87%'."""
    v = as_float(share)
    return f"{v:.{decimals}%}" if math.isfinite(v) else NO_VALUE


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """'1 area', '3 areas', '1,200 areas'."""
    return f"{n:,} {noun if n == 1 else (plural_form or noun + 's')}"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def join_words(items: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
