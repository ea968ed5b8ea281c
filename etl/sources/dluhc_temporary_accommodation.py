"""MHCLG (DLUHC) statutory homelessness detailed LA tables, sheet TA1: households in temporary
accommodation (TA) per 1,000 households.

Annex B "Preventing homelessness" -> temporary_accommodation_rate. One snapshot a year at
31 March (2019 .. 2025) plus the latest quarter in the bundle (31 December 2025); period label =
the snapshot date 'YYYY-MM-DD'. LTLAs, regions and England.

* Value: the published rate (column 6, "Total number of households in TA per (000s)").
  England and regional totals are MHCLG's weighted totals (not the sum of LAs): kept as published.
* 95% CI: Wilson score interval computed here from the published count (column 4) and the
  households in the area (column 5, thousands): p = count / (households x 1000).
* `..` = not available (never 0); true zeros occur and are kept.
* Each file uses the LA codes in force at its date. Retired districts are brought onto current
  LTLAs by summing the counts and households of ALL predecessors and recomputing the rate (flagged
  derived); if any predecessor is missing the successor is 'not available'. Barnsley/Sheffield
  2025 recodes are relabelled.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from etl import readers, stats
from etl.context import Context
from etl.errors import InputError
from etl.schema import finalise
from etl.sources._counts import harmonise_counts

DIR = "dluhc-temporary-accommodation"
FILES = {
    "2019-03-31": (f"{DIR}/DetailedLA_201903_revised.xlsx", "TA1 - Jan-Mar 19"),
    "2020-03-31": (f"{DIR}/DetailedLA_202003.xlsx", "TA1"),
    "2021-03-31": (f"{DIR}/DetailedLA_202103_revised.ods", "TA1"),
    "2022-03-31": (f"{DIR}/Detailed_LA_202203.ods", "TA1"),
    "2023-03-31": (f"{DIR}/Detailed_LA_202303.ods", "TA1"),
    "2024-03-31": (f"{DIR}/Detailed_LA_202403.xlsx", "TA1"),
    "2025-03-31": (f"{DIR}/Detailed_LA_202503.ods", "TA1"),
    "2025-12-31": (f"{DIR}/Statutory_Homelessness_Detailed_Local_Authority_Data_202512.ods", "TA1"),
}
INPUTS = [f for f, _ in FILES.values()]
METRIC = "temporary_accommodation_rate"
MARKERS = {"..": "not available", "": "not available", "-": "not available"}

# --------------------------------------------------------------------------- TA1


def _is_figure(v) -> bool:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return not pd.isna(v)
    try:
        float(str(v).replace(",", ""))
        return str(v).strip().lower() not in ("nan", "")
    except ValueError:
        return False


def parse_ta1(path: Path, source: str, sheet: str, period: str, drop=None) -> pd.DataFrame:
    """Rows of TA1 with a GSS code: code, name, count, households (000s), published rate, status."""
    raw = readers.read_sheet(path, sheet)
    where = f"{source} [{sheet}]"
    if raw.shape[1] < 7:
        raise InputError(where, "columns", "at least 7 columns (code, name, .., count, households, rate)", raw.shape[1])
    first = raw.iloc[:, 0].astype(str).str.strip()
    hits = np.flatnonzero((first == "E92000001").to_numpy())
    if not len(hits):
        raise InputError(where, "column A", "a row for E92000001 (ENGLAND)", first.head(10).tolist())
    start = int(hits[0])
    head = raw.iloc[:start]

    def header(col: int) -> str:
        return " ".join(str(v) for v in head.iloc[:, col] if isinstance(v, str)).lower()

    checks = {4: ("households in ta", "Total number of households in TA"),
              5: ("households", "Number of households in area (000s)"),
              6: ("households in ta per", "Total number of households in TA per (000s) households")}
    for col, (text, label) in checks.items():
        if text not in header(col) or (col == 4 and header(col).startswith("total number of households in ta per")):
            raise InputError(where, f"column {col + 1} header", repr(label), header(col)[:200])
    body = raw.iloc[start:]
    codes = body.iloc[:, 0].astype(str).str.strip()
    keep = codes.str.fullmatch(r"E(0[6-9]|12|92)\d{6}")
    # Rows without an LA, region or England code are notes and blank lines, except MHCLG's
    # 'Rest of England' total (code '-'), left out and recorded. Any other row carrying figures
    # has a code we cannot place (e.g. a letter O for a zero): an error, not a vanished row.
    figures = body.iloc[:, 4:7].map(_is_figure).any(axis=1)
    rest = ~keep & (codes == "-") & body.iloc[:, 1].astype(str).str.strip().str.lower().str.startswith("rest of")
    odd = ~keep & figures & ~rest
    if odd.any():
        i = odd[odd].index[0]
        raise InputError(where, f"row {i + 1}, column A", "an LA, region or England GSS code (E06-E09, E12, E92)",
                         codes[i])
    if drop is not None and rest.any():
        drop(source, "MHCLG 'Rest of England' total: no area code", body.loc[rest, 1].astype(str).str.strip().tolist())
    body = body[keep.to_numpy()]
    codes = codes[keep]
    rows = body.reset_index()
    file_rows = rows["index"] + 1

    def num(col: int, name: str):
        vals, status = readers.to_number(rows[col], where, name, row_offset=0, markers=MARKERS, allow_negative=False)
        return vals, status

    try:
        count, cstat = num(4, "column 5 (households in TA)")
        hh, hstat = num(5, "column 6 (households, 000s)")
        rate, rstat = num(6, "column 7 (per 1,000 households)")
    except InputError as exc:
        # name the sheet row rather than the filtered index
        m = re.match(r"row (\d+), (.*)", exc.where)
        if m:
            i = int(m.group(1))
            raise InputError(where, f"row {int(file_rows.iloc[i])}, {m.group(2)}", exc.expected, exc.found) from None
        raise
    out = pd.DataFrame({
        "area_code": codes.to_numpy(), "area_name": rows[1].astype(str).str.strip().to_numpy(),
        "count": count.to_numpy(), "households_000": hh.to_numpy(), "value": rate.to_numpy(),
        "status": rstat.to_numpy(), "file_row": file_rows.to_numpy(),
    })
    # Consistency: a published rate must equal count / households (rounding allowed).
    both = out["value"].notna() & out["count"].notna() & (out["households_000"] > 0)
    calc = out["count"] / out["households_000"]
    bad = both & ((calc - out["value"]).abs() > np.maximum(0.01, 0.01 * out["value"]))
    if bad.any():
        r = out[bad].iloc[0]
        raise InputError(where, f"row {int(r['file_row'])}, column 7", "count / households (000s)",
                         {"count": r["count"], "households_000": r["households_000"], "rate": r["value"]})
    # London is printed twice (beside England, and among the regions): identical rows collapse.
    out = out.drop_duplicates(["area_code", "count", "households_000", "value", "status"])
    readers.check_unique(out, ["area_code"], where)
    out["period"] = period
    return out


def _with_ci(df: pd.DataFrame) -> pd.DataFrame:
    n = df["households_000"] * 1000
    ok = df["count"].notna() & (n > 0) & df["value"].notna()
    _, lo, hi = stats.wilson(df["count"].where(ok), n.where(ok))
    df["lower"] = np.where(ok, lo * 1000, np.nan)
    df["upper"] = np.where(ok, hi * 1000, np.nan)
    # The published rate is kept; guard against rounding leaving it outside the interval.
    outside = ok & ((df["lower"] > df["value"] + 1e-9) | (df["upper"] < df["value"] - 1e-9))
    df.loc[outside, ["lower", "upper"]] = np.nan
    return df


def parse(ctx: Context) -> pd.DataFrame:
    frames = []
    for period, (source, sheet) in FILES.items():
        t = parse_ta1(ctx.path(source), source, sheet, period, drop=ctx.drop)
        t["geography"] = np.select([t["area_code"].str.startswith("E92"), t["area_code"].str.startswith("E12")],
                                   ["country", "region"], "ltla")
        ltla = harmonise_counts(ctx, t[t["geography"] == "ltla"], ["count", "households_000"],
                                lambda s: s["count"] / s["households_000"],
                                "households in TA and households", source=f"{source} [{sheet}]").assign(geography="ltla")
        other = t[t["geography"] != "ltla"].assign(note=None, derived=False)
        other["note"] = "MHCLG total, weighted for non-responding local authorities (not the sum of LAs)"
        both = _with_ci(pd.concat([other, ltla], ignore_index=True))
        both["note"] = np.where(both["status"] != "ok",
                                both["note"].fillna("published as '..' (not available)"), both["note"])
        both["metric_id"] = METRIC
        frames.append(finalise(both[["metric_id", "area_code", "area_name", "geography", "period", "value",
                                     "lower", "upper", "status", "derived", "note"]], source_file=source))
    return pd.concat(frames, ignore_index=True)


# Fetch: the newest detailed local-authority workbook attached to MHCLG's homelessness live
# tables page (largest yyyymm in the file name; a '_revised' file beats the original), saved
# under the publisher's file name beside the bundled snapshots. The parser reads the snapshots
# listed in FILES, so a new quarter is used once it is added there (README, ETL section).
FETCH = [
    {"kind": "govuk", "page": "/government/statistical-data-sets/live-tables-on-homelessness",
     "pattern": r"^(?:Detailed_?LA|Statutory_Homelessness_Detailed_Local_Authority_Data)_(?P<key>20\d{4}(?:_revised)?)"
                r"\.(?:ods|xlsx)$",
     "dest": f"{DIR}/{{filename}}",
     "note": "MHCLG Statutory homelessness: detailed local authority-level tables (sheet TA1)."},
]
