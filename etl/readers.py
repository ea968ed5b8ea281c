"""Shared reading helpers: every failure becomes an InputError naming file, place, expectation.

Parsers call these instead of pandas directly so a changed column, a non-numeric cell or a
truncated file is reported the same way everywhere.
"""
from __future__ import annotations

import csv
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
    check_complete_last_row(path, df, encoding=encoding, skiprows=skiprows)
    return df


def check_complete_last_row(path: Path, df: pd.DataFrame, *, encoding: str = "utf-8-sig",
                            skiprows: int | None = None) -> None:
    """A file cut short (truncated download or copy) usually ends inside a row: no final line
    break and fewer fields than the header. pandas pads such a row with '' when read with
    keep_default_na=False, so check the last line itself."""
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        f.seek(max(0, size - 65536))
        tail = f.read()
    if tail.endswith((b"\n", b"\r")):
        return
    last = tail.splitlines()[-1].decode(encoding, errors="replace") if tail.strip() else ""
    try:
        fields = next(csv.reader([last]))
    except (csv.Error, StopIteration):
        fields = []
    if len(fields) < df.shape[1]:
        raise InputError(path, f"row {len(df) + 1 + (skiprows or 0)}, column {str(df.columns[max(len(fields) - 1, 0)])!r}",
                         f"{df.shape[1]} fields per row as in the header (is the file truncated?)",
                         f"{len(fields)} fields, no final line break: {last[-60:]!r}")


def read_vector(path: Path, where: Path | str | None = None, *, columns: Iterable[str] = ()) -> "object":
    """A shapefile / GeoJSON as a GeoDataFrame; unreadable files, missing columns and records
    without a geometry (a truncated .shp keeps its .dbf rows) raise InputError."""
    import geopandas as gpd

    where = path if where is None else where
    require_file(path)
    try:
        g = gpd.read_file(path)
    except Exception as exc:
        raise InputError(where, "file", "a readable boundary file", f"{type(exc).__name__}: {exc}") from exc
    require_columns(g, columns, where)
    empty = (g.geometry.isna() | g.geometry.is_empty).to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        label = g[list(columns)[0]].iloc[i] if columns else i
        raise InputError(where, f"record {i + 1} ({label}), column 'geometry'",
                         "a polygon for every record (is the .shp truncated?)", f"{int(empty.sum())} empty geometries")
    return g


class Workbook:
    """An xlsx/ods workbook opened once (calamine, through pandas); sheets are read on demand,
    so a parser that needs several sheets of one file pays for opening it only once."""

    def __init__(self, path: Path):
        self.path = Path(path)
        require_file(self.path)
        try:
            self._book = pd.ExcelFile(self.path, engine="calamine")
        except Exception as exc:  # calamine/zip errors from truncated or wrong-format files
            raise self._unreadable(exc) from exc

    def _unreadable(self, exc: Exception) -> InputError:
        return InputError(self.path, "file", f"a readable {self.path.suffix} workbook (is it truncated, or not a workbook?)",
                          f"{type(exc).__name__}: {exc}")

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def sheet(self, sheet: str | int, *, header: int | None = None) -> pd.DataFrame:
        """One sheet, every cell as an object (empty cells NaN)."""
        try:
            return pd.read_excel(self._book, sheet_name=sheet, header=header, dtype=object)
        except ValueError as exc:
            if "Worksheet" in str(exc) or "sheet" in str(exc).lower():
                raise InputError(self.path, f"sheet {sheet!r}", "this sheet to exist", str(exc)) from exc
            raise InputError(self.path, f"sheet {sheet!r}", "a readable workbook", str(exc)) from exc
        except Exception as exc:  # a damaged sheet inside a readable container
            raise self._unreadable(exc) from exc

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_sheet(path: Path, sheet: str | int, *, header: int | None = None) -> pd.DataFrame:
    """Read one sheet of an xlsx/ods workbook, all cells as objects."""
    with Workbook(path) as book:
        return book.sheet(sheet, header=header)


def sheet_names(path: Path) -> list[str]:
    with Workbook(path) as book:
        return book.sheet_names


def require_columns(df: pd.DataFrame, columns: Iterable[str], path: Path | str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(path, f"column {missing[0]!r}", f"columns {list(columns)}",
                         f"columns {list(df.columns)[:20]}")


def to_number(values: pd.Series, path: Path | str, column: str, *, row_offset: int = 2,
              markers: Mapping[str, str] = DEFAULT_MARKERS, allow_negative: bool = True,
              rows=None) -> tuple[pd.Series, pd.Series]:
    """Convert text cells to floats; publisher markings become statuses.

    Returns (values, statuses) where statuses is 'ok' for numbers and the marker's status
    otherwise. Any other text raises InputError naming the row (file row number, i.e. the
    data index + row_offset) and column. Thousands separators are accepted. On a filtered frame
    pass `rows`, the file row number of each value, so the message names the right row.
    """
    rows = None if rows is None else list(rows)
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
            raise InputError(path, f"row {rows[i] if rows is not None else i + row_offset}, column {column!r}",
                             _expected_number(markers), text) from None
        if not math.isfinite(out[i]) or (not allow_negative and out[i] < 0):
            raise InputError(path, f"row {rows[i] if rows is not None else i + row_offset}, column {column!r}",
                             "a finite non-negative number" if not allow_negative else "a finite number", text)
        status[i] = "ok"
    return pd.Series(out, index=values.index), pd.Series(status, index=values.index)


def _expected_number(markers: Mapping[str, str]) -> str:
    named = [repr(m) for m in markers if m]
    text = "a number"
    if named:
        text += " or a publisher marking " + "/".join(named)
    if "" in markers:
        text += " or an empty cell"
    return text


def check_unique(df: pd.DataFrame, keys: list[str], path: Path | str, *, row_offset: int = 2,
                 rows=None) -> None:
    """One row per key. Names the file row of the repeat and of its first occurrence: `rows`
    (file row per df row), else a 'file_row' column, else position + row_offset."""
    dup = df.duplicated(keys, keep="first").to_numpy()
    if dup.any():
        if rows is None:
            rows = df["file_row"] if "file_row" in df.columns else np.arange(len(df)) + row_offset
        rows = list(rows)
        j = int(np.flatnonzero(dup)[0])
        key = df.iloc[j][keys]
        same = (df[keys] == key.to_numpy()).all(axis=1).to_numpy()
        first = int(np.flatnonzero(same)[0])
        raise InputError(path, f"row {int(rows[j])}", f"one row per {'/'.join(keys)}",
                         f"a repeat of row {int(rows[first])}: {key.to_dict()}")


def check_codes(codes: pd.Series, known: set[str], path: Path | str, column: str,
                *, row_offset: int = 2) -> None:
    bad = ~codes.isin(known)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"row {i + row_offset}, column {column!r}",
                         "a known GSS area code", codes.iloc[i])
