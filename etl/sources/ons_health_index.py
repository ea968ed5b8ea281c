"""ONS Health Index for England, 2015-2021 (release of 16 June 2023; the index is now paused).

Annex B "Physical health" = subdomain `Physical health conditions [Pe]` -> health_index_physical;
Annex B "Mental health" = subdomain `Mental health [Pe]` -> health_index_mental.
Index score, 100 = England 2015, higher is better.

* healthindexscoresengland.xlsx, Tables 3-9 (one sheet per year, 2021 .. 2015): header row found
  by 'Area Code'; Area Type LTLA (unitaries, districts, boroughs; April-2021 LA codes, harmonised
  to current LTLAs with ctx.harmonise), UTLA (counties E10: kept only where the county still
  exists), Region, Country.
* healthindexscoresintegratedcaresystemsengland.xlsx, same tables for the 42 ICBs (E54), no
  Area Type column.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from etl import readers
from etl.context import Context
from etl.errors import InputError
from etl.schema import finalise

LA_FILE = "ons-health-index/healthindexscoresengland.xlsx"
ICB_FILE = "ons-health-index/healthindexscoresintegratedcaresystemsengland.xlsx"
INPUTS = [LA_FILE, ICB_FILE]

METRICS = {"Physical health conditions [Pe]": "health_index_physical",
           "Mental health [Pe]": "health_index_mental"}
YEARS = list(range(2015, 2022))
SHEET = re.compile(r"^Table_\d+_(\d{4})_Index$")
AREA_TYPES = {"LTLA": "ltla", "UTLA": "utla", "Region": "region", "Country": "country"}


def year_sheets(book: readers.Workbook, source: str) -> dict[int, str]:
    names = book.sheet_names
    found = {int(m.group(1)): n for n in names if (m := SHEET.match(n))}
    missing = [y for y in YEARS if y not in found]
    if missing:
        raise InputError(source, f"sheet for {missing[0]}", f"sheets Table_N_YYYY_Index for {YEARS}", names)
    return {y: found[y] for y in YEARS}


def parse_sheet(raw: pd.DataFrame, source: str, sheet: str, year: int, has_type: bool) -> pd.DataFrame:
    """One year's sheet, read header-less (`readers.Workbook.sheet`)."""
    first = raw.iloc[:, 0].astype(str).str.strip()
    hits = np.flatnonzero((first == "Area Code").to_numpy())
    if not len(hits):
        raise InputError(source, f"sheet {sheet!r}, column A", "a header row starting 'Area Code'", first.head(8).tolist())
    h = int(hits[0])
    header = [str(c).strip() for c in raw.iloc[h]]
    d = raw.iloc[h + 1:].copy()
    d.columns = header
    needed = ["Area Code", "Area Name"] + (["Area Type [Note 3]"] if has_type else []) + list(METRICS)
    readers.require_columns(d, needed, f"{source} [{sheet}]")
    d = d[d["Area Code"].notna() & (d["Area Code"].astype(str).str.strip() != "")]
    codes = d["Area Code"].astype(str).str.strip()
    if has_type:
        types = d["Area Type [Note 3]"].astype(str).str.strip()
        bad = ~types.isin(AREA_TYPES)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{source} [{sheet}]", f"row {h + 2 + i}, column 'Area Type [Note 3]'",
                             f"one of {list(AREA_TYPES)}", types.iloc[i])
        geo = types.map(AREA_TYPES)
    else:
        bad = ~codes.str.startswith("E54")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{source} [{sheet}]", f"row {h + 2 + i}, column 'Area Code'", "an ICB code E54...",
                             codes.iloc[i])
        geo = pd.Series("icb", index=d.index)
    frames = []
    for col, metric in METRICS.items():
        vals, stat = readers.to_number(d[col], f"{source} [{sheet}]", col, row_offset=h + 2)
        bad = vals.notna() & ~vals.between(20, 200)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{source} [{sheet}]", f"row {h + 2 + i}, column {col!r}",
                             "an index score between 20 and 200", d[col].iloc[i])
        frames.append(pd.DataFrame({
            "metric_id": metric, "area_code": codes.to_numpy(), "area_name": d["Area Name"].astype(str).to_numpy(),
            "geography": geo.to_numpy(), "period": str(year), "value": vals.to_numpy(), "status": stat.to_numpy(),
        }))
    out = pd.concat(frames, ignore_index=True)
    readers.check_unique(out, ["metric_id", "area_code"], f"{source} [{sheet}]")
    return out


def parse_workbook(ctx: Context, source: str, has_type: bool) -> pd.DataFrame:
    # one open of the workbook for all seven year sheets
    with readers.Workbook(ctx.path(source)) as book:
        sheets = year_sheets(book, source)
        out = pd.concat([parse_sheet(book.sheet(sheets[y]), source, sheets[y], y, has_type) for y in YEARS],
                        ignore_index=True)
    return finalise(out, source_file=source)


def parse(ctx: Context) -> pd.DataFrame:
    la = parse_workbook(ctx, LA_FILE, has_type=True)
    # Counties: keep those that still exist (Cumbria, North Yorkshire and Somerset counties of the
    # 2021 vintage have no single successor).
    utla = la["geography"] == "utla"
    current = ctx.codes("utla")
    retired = utla & ~la["area_code"].isin(current) & la["area_code"].isin(ctx.codes("utla", active_only=False))
    unknown = utla & ~la["area_code"].isin(current) & ~retired
    if unknown.any():
        r = la[unknown].iloc[0]
        raise InputError(r["source_file"], f"area code {r['area_code']!r} ({r['period']}), column 'Area Code'",
                         "a current or retired upper-tier (county) GSS code", r["area_code"])
    ctx.drop(LA_FILE, "retired county without a single current successor", la.loc[retired, "area_code"])
    la = la[~retired]
    icb = parse_workbook(ctx, ICB_FILE, has_type=False)
    readers.check_codes(icb["area_code"], ctx.codes("icb"), ICB_FILE, "Area Code")
    la = ctx.harmonise(la, method="weighted_mean")
    return pd.concat([la, icb], ignore_index=True)


# Not fetched automatically: ONS has paused the Health Index and publishes it as workbooks on a web page
# that has no API; see data/raw/ons-health-index/SOURCE.md for what a maintainer does.
FETCH: list[dict] = []
