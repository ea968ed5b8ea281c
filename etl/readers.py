"""Shared reading helpers: every failure becomes an InputError naming file, place, expectation.

Parsers call these instead of pandas directly so a changed column, a non-numeric cell or a
truncated file is reported the same way everywhere.
"""
from __future__ import annotations

import csv
import math
import re
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
    """Read every cell as text (keeping publisher markings) and check required columns.

    Before parsing, the start of the file is checked for what it actually is (a web page, a
    workbook, a semicolon- or tab-separated file), so the message says that instead of a
    column being missing; after parsing, a quote left open (which swallows the rows after it
    without any parser error) is found and named with its line."""
    require_file(path)
    sniff_text_table(path, encoding=encoding, skiprows=skiprows)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding,
                         skiprows=skiprows)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"byte {exc.start}", f"{encoding} text", "undecodable bytes") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(path, "header", "a header row and data rows", "no data") from exc
    except pd.errors.ParserError as exc:
        check_quotes(path, encoding=encoding, skiprows=skiprows)
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise InputError(path, f"line {m.group(2)}", f"{m.group(1)} fields as in the header row",
                             f"{m.group(3)} fields (an unquoted separator inside a value, or a second table "
                             f"appended?)") from exc
        raise InputError(path, "layout", "a well-formed CSV", str(exc)) from exc
    if _records_span_lines(path, len(df), skiprows):
        check_quotes(path, encoding=encoding, skiprows=skiprows)
    df.columns = [str(c).strip() for c in df.columns]
    require_columns(df, required, path)
    if df.empty:
        raise InputError(path, "rows", "at least one data row", "header only")
    check_complete_last_row(path, df, encoding=encoding, skiprows=skiprows)
    check_field_counts(path, df.shape[1], encoding=encoding, skiprows=skiprows)
    return df


def check_field_counts(path: Path, n: int, *, encoding: str = "utf-8-sig", skiprows: int | None = None) -> None:
    """Every row has the header's number of fields. pandas pads a short row with empty cells,
    which read as 'not available': a row cut short or a lost separator would pass as a gap."""
    data = Path(path).read_bytes()
    skip = (skiprows or 0) + 1
    if b'"' not in data:  # the common case, counted on bytes
        for i, line in enumerate(data.splitlines()[skip:], start=skip + 1):
            if line.strip() and line.count(b",") != n - 1:
                raise InputError(path, f"row {i}", f"{n} fields as in the header (a row cut short, or a separator "
                                 "lost or added?)", f"{line.count(b',') + 1} fields: {line[:80].decode(encoding, 'replace')!r}")
        return
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        for _ in range(skip):
            f.readline()
        reader = csv.reader(f)
        start = skip + 1
        for row in reader:
            if row and len(row) != n and any(c.strip() for c in row):
                raise InputError(path, f"row {start}", f"{n} fields as in the header (a row cut short, or a "
                                 "separator lost or added?)", f"{len(row)} fields: {','.join(row)[:80]!r}")
            start = skip + reader.line_num + 1


# What a file that should be a CSV turns out to be, by its first bytes.
_NOT_CSV = [
    (re.compile(rb"^\s*<(!doctype\s+html|html|head|body)\b", re.I), "an HTML page, not CSV (a saved web page or an error page "
                                                                 "instead of the download?)"),
    (re.compile(rb"^\s*<\?xml"), "an XML document, not CSV"),
    (re.compile(rb"^PK\x03\x04"), "a zip archive (an .xlsx/.ods workbook?), not CSV"),
    (re.compile(rb"^%PDF"), "a PDF document, not CSV"),
    (re.compile(rb"^\x1f\x8b"), "a gzip-compressed file, not CSV"),
    (re.compile(rb'^\s*(\{\s*"|\[\s*[\[{"])'), "JSON, not CSV"),
    (re.compile(rb"^(\xff\xfe|\xfe\xff)"), "UTF-16 encoded text, not UTF-8"),
]
_SEPARATORS = {";": "semicolon-separated", "\t": "tab-separated", "|": "pipe-separated"}


def sniff_text_table(path: Path, *, encoding: str = "utf-8-sig", skiprows: int | None = None) -> None:
    """InputError when the file is plainly not a comma-separated table: say what it looks like."""
    with open(path, "rb") as f:
        head = f.read(65536)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    for pattern, what in _NOT_CSV:
        if pattern.search(head[:512]):
            raise InputError(path, "file", "a comma-separated text table", what)
    lines = head.decode(encoding, errors="replace").splitlines()
    lines = lines[skiprows or 0:]
    header = next((ln for ln in lines if ln.strip()), "")
    commas = _count_outside_quotes(header, ",")
    for sep, what in _SEPARATORS.items():
        n = _count_outside_quotes(header, sep)
        if n > commas:
            raise InputError(path, "header row", "comma-separated columns",
                             f"{what} ({n + 1} {what.split('-')[0]} fields, {commas + 1} comma fields): {header[:80]!r}")


def _count_outside_quotes(line: str, sep: str) -> int:
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            n += 1
    return n


def _records_span_lines(path: Path, n_rows: int, skiprows: int | None) -> bool:
    """More non-blank lines than header + rows: some record runs over several lines (a quoted
    field with line breaks, legitimate or a quote left open)."""
    with open(path, "rb") as f:
        data = f.read()
    lines = sum(1 for ln in data.splitlines() if ln.strip())
    return lines > n_rows + 1 + (skiprows or 0)


def check_quotes(path: Path, *, encoding: str = "utf-8-sig", skiprows: int | None = None) -> None:
    """Find a quote left open: strict CSV parsing fails where the open field runs into a later
    quoted value (pandas silently joins those rows into one cell instead)."""
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        for _ in range(skiprows or 0):
            f.readline()
        reader = csv.reader(f, strict=True)
        start = (skiprows or 0) + 1
        try:
            for _ in reader:
                start = (skiprows or 0) + reader.line_num + 1
        except csv.Error as exc:
            end = (skiprows or 0) + reader.line_num
            raise InputError(path, f"line {start}", "every quoted value closed on its own row",
                             f"a quote opened in line {start} runs on to line {end} ({exc})") from None


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
    without a geometry (a truncated .shp keeps its .dbf rows) raise InputError.

    A shapefile is several files: the geometry (.shp), its index (.shx), the attribute table
    (.dbf) and the coordinate system (.prj). Each is checked on its own, so the message names
    the one that is missing or damaged rather than blaming the .shp."""
    import geopandas as gpd

    where = path if where is None else where
    require_file(path)
    shapefile = Path(path).suffix.lower() == ".shp"
    if shapefile:
        _check_shapefile_parts(Path(path), where)
    try:
        g = gpd.read_file(path)
    except Exception as exc:
        text = f"{type(exc).__name__}: {exc}"
        part = next((ext for ext in (".dbf", ".shx", ".prj") if ext in text.lower()), None) if shapefile else None
        raise InputError(_companion(where, part) if part else where, "file",
                         f"a readable {'boundary file' if part is None else part + ' part of the shapefile'}",
                         text) from exc
    if shapefile:
        missing = [c for c in columns if c != "geometry" and c not in g.columns]
        if missing:
            raise InputError(_companion(where, ".dbf"), f"column {missing[0]!r}",
                             f"the attribute table (.dbf) to have columns {[c for c in columns if c != 'geometry']}",
                             f"columns {[c for c in g.columns if c != 'geometry'][:20]}")
        if g.crs is None:
            raise InputError(_companion(where, ".prj"), "file", "the shapefile's coordinate reference system",
                             "no readable CRS")
    require_columns(g, columns, where)
    empty = (g.geometry.isna() | g.geometry.is_empty).to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        label = g[list(columns)[0]].iloc[i] if columns else i
        raise InputError(where, f"record {i + 1} ({label}), column 'geometry'",
                         "a polygon for every record (is the .shp truncated?)", f"{int(empty.sum())} empty geometries")
    return g


def _companion(where: Path | str, ext: str | None) -> str:
    """The name of a shapefile's part: 'dir/X.shp' -> 'dir/X.dbf'."""
    text = str(where)
    return text if ext is None else (text[: -len(".shp")] if text.lower().endswith(".shp") else text) + ext


def _check_shapefile_parts(path: Path, where: Path | str) -> None:
    for ext, what in ((".shx", "index"), (".dbf", "attribute table"), (".prj", "coordinate system")):
        part = path.with_suffix(ext)
        if not part.exists():
            raise InputError(_companion(where, ext), "file", f"the shapefile's {what} ({ext}) beside the .shp",
                             "missing file")
        if part.stat().st_size == 0:
            raise InputError(_companion(where, ext), "file", f"a non-empty {what} ({ext})", "0 bytes")
    # dBase header: version byte, record count, header and record lengths
    dbf = path.with_suffix(".dbf")
    with open(dbf, "rb") as f:
        head = f.read(32)
    size = dbf.stat().st_size
    if len(head) < 32 or head[0] not in (0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x43, 0x63, 0x83, 0x8B, 0xCB, 0xF5, 0xFB):
        raise InputError(_companion(where, ".dbf"), "header", "a dBase attribute table", f"first bytes {head[:8]!r}")
    n, header_len, record_len = (int.from_bytes(head[4:8], "little"), int.from_bytes(head[8:10], "little"),
                                 int.from_bytes(head[10:12], "little"))
    if size < header_len + n * record_len:
        raise InputError(_companion(where, ".dbf"), "file", f"{n} records of {record_len} bytes after the header "
                         "(is the .dbf truncated?)", f"{size} bytes, {header_len + n * record_len} needed")


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


def read_yaml(path: Path, name: str | None = None):
    """A YAML config file; a syntax error names the file, line and column."""
    import yaml

    try:
        # the C loader when PyYAML has it: the catalogue's 30 files load ~10x faster
        return yaml.load(Path(path).read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise InputError(name or path, where, "valid YAML", str(getattr(exc, "problem", exc))) from None


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

    def where(i):
        return f"row {rows[i] if rows is not None else i + row_offset}, column {column!r}"

    for i, raw in enumerate(values.tolist()):
        if isinstance(raw, (bool, np.bool_)):  # a TRUE/FALSE cell is not a figure
            raise InputError(path, where(i), _expected_number(markers), raw)
        numeric = isinstance(raw, (int, float, np.integer, np.floating))
        if raw is None or (numeric and math.isnan(raw)):
            raw, numeric = "", False  # an empty cell: whatever the markers say about ''
        if numeric:
            # a numeric spreadsheet cell: the same finiteness and sign checks as text
            out[i] = float(raw)
            text = str(raw)
        else:
            text = str(raw).strip()
            key = text.lower()
            if key in markers:
                status[i] = markers[key]
                continue
            try:
                out[i] = float(text.replace(",", ""))
            except ValueError:
                raise InputError(path, where(i), _expected_number(markers), text) from None
        if not math.isfinite(out[i]) or (not allow_negative and out[i] < 0):
            raise InputError(path, where(i),
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


# Areas the product has no geography for, which publishers print beside the ones it uses: rows
# for them are left out on purpose and recorded (ctx.drop), never silently. Anything else a
# parser cannot place is an error naming the row and the code.
UNUSED_AREAS = {
    "E47": "combined authority", "E11": "metropolitan county", "E13": "Inner/Outer London",
    "K03": "Great Britain", "K04": "England and Wales", "N34": "Northern Ireland city region",
    "W42": "Welsh city region",
}
_UNUSED_CODE = re.compile(r"^(%s)\d{6}$|^TL[A-Z](\d|[A-Z]\d?){0,3}$" % "|".join(UNUSED_AREAS))


def unused_area(code: str) -> str | None:
    """What kind of unused area a well-formed code is (see UNUSED_AREAS, ITL regions), else None."""
    code = str(code).strip()
    if not _UNUSED_CODE.match(code):
        return None
    return "ITL region" if code.startswith("TL") else UNUSED_AREAS[code[:3]]


def leave_out_unused(codes: pd.Series, used, path: Path | str, column: str, *, rows=None, row_offset: int = 2,
                     drop=None) -> np.ndarray:
    """Rows to keep: `used` (a boolean mask). Every other row must carry the code of an area
    the product deliberately does not use (UNUSED_AREAS, ITL regions); those are counted and
    named through `drop(file, reason, codes)` (ctx.drop). Any other code (a typo such as a
    letter O for a zero, an unknown level) raises InputError naming the row and the code."""
    used = np.asarray(used, dtype=bool)
    codes = pd.Series(codes).astype(str).str.strip()
    kinds = codes.map(unused_area)
    bad = ~used & kinds.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        row = list(rows)[i] if rows is not None else i + row_offset
        raise InputError(path, f"row {row}, column {column!r}",
                         "the GSS code of an area the product knows, or of an aggregate it leaves out "
                         f"({', '.join(sorted(set(UNUSED_AREAS.values()) | {'ITL region'}))})", codes.iloc[i])
    if drop is not None:
        left = ~used
        label = pd.Series([None if k is None or k != k else f"{k} ({'TL' if c.startswith('TL') else c[:3]})"
                           for k, c in zip(kinds.tolist(), codes.tolist())], index=codes.index, dtype=object)
        for what in sorted(set(label[left].dropna())):
            sel = left & (label == what).to_numpy()
            drop(str(path), f"{what}: not a geography of the product", codes[sel].tolist())
    return used


def check_rate(count: pd.Series, denominator: pd.Series, rate: pd.Series, per: float, path: Path | str,
               columns: tuple[str, str, str], *, rows, tolerance: float = 0.5, relative: float = 0.01) -> None:
    """A published rate must equal count / denominator x per (within the rounding of the printed
    figures: `tolerance` absolute or `relative` of the rate). Names the file row and the three
    columns, and says when the count exceeds the denominator (columns exchanged?)."""
    count, denominator, rate = (pd.Series(np.asarray(x, float)) for x in (count, denominator, rate))
    both = count.notna() & denominator.gt(0) & rate.notna()
    with np.errstate(divide="ignore", invalid="ignore"):
        calc = count / denominator * per
    bad = both & ((calc - rate).abs() > np.maximum(tolerance, relative * rate.abs()))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        c, d, r = columns
        hint = f" ({c} exceeds {d}: are the two columns exchanged?)" if count.iloc[i] > denominator.iloc[i] else ""
        raise InputError(path, f"row {list(rows)[i]}, columns {c!r}/{d!r}/{r!r}",
                         f"{r} = {c} / {d} x {per:,g} (within rounding){hint}",
                         {c: float(count.iloc[i]), d: float(denominator.iloc[i]), r: float(rate.iloc[i]),
                          "computed": round(float(calc.iloc[i]), 3)})
