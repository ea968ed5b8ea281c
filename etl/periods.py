"""Period labels. Financial years are ONS style 'YYYY-YY', calendar years 'YYYY',
academic years 'YYYY/YY'. Each label carries an explicit start and end date."""
from __future__ import annotations

import re
from datetime import date

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/P(\d+)Y$")


def financial_year(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def academic_year(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def fy_start_year(label: str) -> int:
    """'2022-23' -> 2022. Raises ValueError for anything else."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", label.strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"not a financial year label: {label!r}")
    return int(m.group(1))


def bounds(label: str) -> tuple[date, date]:
    """Start and end dates of a period label produced by this module."""
    label = label.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
        y = int(m.group(1))
        return date(y, 4, 1), date(y + 1, 3, 31)
    if m := re.fullmatch(r"(\d{4})/(\d{2})", label):
        y = int(m.group(1))
        return date(y, 9, 1), date(y + 1, 8, 31)
    if m := re.fullmatch(r"(\d{4})", label):
        y = int(m.group(1))
        return date(y, 1, 1), date(y, 12, 31)
    if m := re.fullmatch(r"(\d{4})-(\d{4})", label):  # multi-year span, e.g. 2011-2013
        return date(int(m.group(1)), 1, 1), date(int(m.group(2)), 12, 31)
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", label):  # a snapshot date
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return d, d
    raise ValueError(f"unknown period label: {label!r}")


def from_iso_interval(text: str, kind: str = "auto") -> str:
    """ONS ELS period '2011-04-01/P1Y' -> '2011-12'; '2001-01-01/P1Y' -> '2001';
    '2024-08-01/P1Y' -> '2024/25' (academic); '2011-01-01/P3Y' -> '2011-2013'."""
    m = _ISO.match(text.strip())
    if not m:
        raise ValueError(f"not an ISO interval like 2011-04-01/P1Y: {text!r}")
    y, mo, years = int(m.group(1)), int(m.group(2)), int(m.group(4))
    if years > 1:
        return f"{y}-{y + years - 1}"
    if kind == "financial" or (kind == "auto" and mo == 4):
        return financial_year(y)
    if kind == "academic" or (kind == "auto" and mo in (8, 9)):
        return academic_year(y)
    if kind == "calendar" or (kind == "auto" and mo == 1):
        return str(y)
    raise ValueError(f"cannot tell the period type of {text!r}")
