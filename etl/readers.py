"""Shared reading helpers: every failure becomes an InputError naming file, place, expectation.

Parsers call these instead of pandas directly so a changed column, a non-numeric cell or a
truncated file is reported the same way everywhere.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from etl.errors import InputError

# Markings used by UK publishers for a missing cell, mapped to our statuses.
DEFAULT_MARKERS: Mapping[str, str] = {
    "": "not available",
    "x": "not available",
    "[x]": "not available",
    "..": "not available",
    ":": "not available",
    "-": "not available",
    "z": "not applicable",
    "[z]": "not applicable",
    "c": "suppressed",
    "[c]": "suppressed",
    "u": "low reliability",
    "[u]": "low reliability",
}


def rel(path: Path, root: Path | None = None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def require_file(path: Path) -> Path:
    if not path.exists():
        raise InputError(path, "file", "this file to exist", "missing file")
    if path.stat().st_size == 0:
        raise InputError(path, "file", "a non-empty file", "0 bytes")
    return path


def read_csv(path: Path, *, encoding: str = "utf-8-sig", skiprows: int | None = None,
             required: Iterable[str] = ()) -> pd.DataFrame:
    """Read every cell as text (keeping publisher markings) and check required columns."""
    require_file(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding,
                         skiprows=skiprows)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"byte {exc.start}", f"{encoding} text", "undecodable bytes") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(path, "header", "a header row and data rows", "no data") from exc
    except pd.errors.ParserError as exc:
        raise InputError(path, "layout", "a well-formed CSV", str(exc)) from exc
    df.columns = [str(c).strip() for c in df.columns]
    require_columns(df, required, path)
    if df.empty:
        raise InputError(path, "rows", "at least one data row", "header only")
    return df


def read_sheet(path: Path, sheet: str | int, *, header: int | None = None) -> pd.DataFrame:
    """Read one sheet of an xlsx/ods workbook, all cells as objects."""
    require_file(path)
    engine = "odf" if path.suffix.lower() == ".ods" else "openpyxl"
    try:
        return pd.read_excel(path, sheet_name=sheet, header=header, engine=engine, dtype=object)
    except ValueError as exc:
        if "Worksheet" in str(exc) or "sheet" in str(exc).lower():
            raise InputError(path, f"sheet {sheet!r}", "this sheet to exist", str(exc)) from exc
        raise InputError(path, f"sheet {sheet!r}", "a readable workbook", str(exc)) from exc
    except Exception as exc:  # zip/odf/xml errors from truncated or wrong-format files
        raise InputError(path, "file", f"a readable {path.suffix} workbook", f"{type(exc).__name__}: {exc}") from exc


def sheet_names(path: Path) -> list[str]:
    require_file(path)
    engine = "odf" if path.suffix.lower() == ".ods" else "openpyxl"
    try:
        return list(pd.ExcelFile(path, engine=engine).sheet_names)
    except Exception as exc:
        raise InputError(path, "file", f"a readable {path.suffix} workbook", f"{type(exc).__name__}: {exc}") from exc


def require_columns(df: pd.DataFrame, columns: Iterable[str], path: Path | str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(path, f"column {missing[0]!r}", f"columns {list(columns)}",
                         f"columns {list(df.columns)[:20]}")


def to_number(values: pd.Series, path: Path | str, column: str, *, row_offset: int = 2,
              markers: Mapping[str, str] = DEFAULT_MARKERS, allow_negative: bool = True,
              ) -> tuple[pd.Series, pd.Series]:
    """Convert text cells to floats; publisher markings become statuses.

    Returns (values, statuses) where statuses is 'ok' for numbers and the marker's status
    otherwise. Any other text raises InputError naming the row (file row number, i.e. the
    data index + row_offset) and column. Thousands separators are accepted.
    """
    out = np.full(len(values), np.nan)
    status = np.empty(len(values), dtype=object)
    for i, raw in enumerate(values.tolist()):
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            text = ""
        elif isinstance(raw, (int, float, np.integer, np.floating)):
            out[i] = float(raw)
            status[i] = "ok"
            continue
        else:
            text = str(raw).strip()
        key = text.lower()
        if key in markers:
            status[i] = markers[key]
            continue
        try:
            out[i] = float(text.replace(",", ""))
        except ValueError:
            raise InputError(path, f"row {i + row_offset}, column {column!r}",
                             "a number or a publisher marking " + "/".join(repr(m) for m in markers if m),
                             text) from None
        if not math.isfinite(out[i]) or (not allow_negative and out[i] < 0):
            raise InputError(path, f"row {i + row_offset}, column {column!r}",
                             "a finite non-negative number" if not allow_negative else "a finite number", text)
        status[i] = "ok"
    return pd.Series(out, index=values.index), pd.Series(status, index=values.index)


def check_unique(df: pd.DataFrame, keys: list[str], path: Path | str, *, row_offset: int = 2) -> None:
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        first = int(np.flatnonzero(dup.to_numpy())[0])
        sample = df.loc[dup, keys].iloc[0].to_dict()
        raise InputError(path, f"row {first + row_offset}", f"one row per {'/'.join(keys)}",
                         f"duplicate {sample}")


def check_codes(codes: pd.Series, known: set[str], path: Path | str, column: str,
                *, row_offset: int = 2) -> None:
    bad = ~codes.isin(known)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"row {i + row_offset}, column {column!r}",
                         "a known GSS area code", codes.iloc[i])
