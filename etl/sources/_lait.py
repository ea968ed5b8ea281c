"""DfE LA numbers and the DfE Local Authority Interactive Tool (LAIT) table, shared by the DfE
parsers (children looked after, school absence, NEET).

LAIT (`dfe-absence/bds_long_0.parquet`) holds one row per measure ('Short Desc'), LA and year,
keyed by DfE 3-digit LA number; it is read once per process.

GSS codes for DfE LA numbers:
* a DfE LA number takes the GSS code that the LATEST CLA edition gives it, so one DfE LA keeps one
  code over time. This is how DfE's own 2025 edition labels North Yorkshire (815) and Somerset
  (933) for 2021-2022, before the 2023 reorganisation: the county and the new unitary cover the
  same area, so the 2019-2020 county values (E10000023 / E10000027 in the older edition) are
  shown under E06000065 / E06000066 with a note, not derived;
* LA numbers that only the older edition knows keep the older edition's code (pre-2019
  Bournemouth 837, Poole 836 and Dorset county 835: retired, dropped);
* Barnsley and Sheffield (2025 recodes) are relabelled with ctx.successor;
* codes of retired upper-tier areas with no single successor (Cumbria, Northamptonshire, the
  pre-2019 Dorset areas, Buckinghamshire county) are dropped from the current-geography rows;
  any other code or number we cannot place stops the build with an InputError.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from etl import readers
from etl.context import Context
from etl.errors import InputError

LAIT = "dfe-absence/bds_long_0.parquet"
# the two CLA editions whose old_la_code / new_la_code pairs give each DfE LA number its GSS code
CLA_LATEST = "dfe-children-looked-after/cla_number_and_rate_per_10k_children.csv"
CLA_OLDER = "dfe-children-looked-after/cla_number_and_rate_per_10k_children_2019_to_2023.csv"
LA_NUMBER_INPUTS = [CLA_LATEST, CLA_OLDER]
# DfE's markings for a missing value (EES files and LAIT)
DFE_MARKERS = {"": "not available", "x": "not available", "z": "not applicable", "c": "suppressed",
               "-": "not available"}
# Retired upper-tier codes that DfE still prints (for earlier years or as 'z' rows); they have no
# single current successor, so their rows stay out of the current geography.
RETIRED_UTLA = {
    "E10000006": "Cumbria (split 2023)", "E10000021": "Northamptonshire (split 2021)",
    "E10000009": "Dorset county (pre-2019)", "E06000028": "Bournemouth (pre-2019)",
    "E06000029": "Poole (pre-2019)", "E10000002": "Buckinghamshire county (pre-2020)",
    "E10000023": "North Yorkshire county (pre-2023)", "E10000027": "Somerset county (pre-2023)",
}
# LAIT LA numbers of pre-2019 Bournemouth, Poole and Dorset county ("Pre LG" in la_code_list.xlsx)
PRE_2019_LA_NUMBERS = {835, 836, 837}


@lru_cache(maxsize=4)
def _edition_maps(raw: Path) -> tuple[dict, dict]:
    out = []
    for rel_path in LA_NUMBER_INPUTS:
        df = readers.read_csv(raw / rel_path, required=["old_la_code", "new_la_code", "geographic_level"])
        la = df[df["geographic_level"] == "Local authority"]
        bad = ~la["old_la_code"].str.strip().str.fullmatch(r"\d{3}")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(rel_path, f"row {la.index[i] + 2}, column 'old_la_code'",
                             "a 3-digit DfE LA number on every 'Local authority' row", la["old_la_code"].iloc[i])
        pairs = la[["old_la_code", "new_la_code"]].drop_duplicates()
        for col in ("old_la_code", "new_la_code"):
            dup = pairs[col].duplicated(keep=False)
            if dup.any():
                raise InputError(rel_path, f"column {col!r}", "one GSS code per DfE LA number",
                                 pairs[dup].head(4).to_dict("records"))
        out.append({int(k): v for k, v in pairs.itertuples(index=False)})
    return out[0], out[1]


def la_number_map(ctx: Context) -> dict[int, str]:
    """DfE 3-digit LA number -> GSS code (latest CLA edition wins, then the older one)."""
    latest, older = _edition_maps(Path(ctx.raw).resolve())
    return {**older, **latest}


def place_codes(codes: pd.Series, ctx: Context, source: str, column: str,
                *, row_offset: int = 2) -> tuple[pd.Series, pd.Series]:
    """Current upper-tier code for each GSS code (or None = retired, drop) and a note.

    Pure recodes (Barnsley, Sheffield) are relabelled; retired areas without a single successor
    are dropped; anything else unknown raises InputError naming the row.
    """
    current = ctx.codes("utla")
    ch = ctx.changes
    recodes = set(ch.loc[ch["type"] == "new_code", "old_code"])  # pure recodes only, not mergers
    out, notes = [], []
    for i, code in enumerate(codes.tolist()):
        new = ctx.successor(code) if code in recodes else code
        if new in current:
            out.append(new)
            notes.append(f"published under former code {code}" if new != code else None)
        elif code in RETIRED_UTLA:
            out.append(None)
            notes.append(None)
        else:
            raise InputError(source, f"row {i + row_offset}, column {column!r}",
                             "a current upper-tier LA code or a documented retired one", code)
    return pd.Series(out, index=codes.index, dtype=object), pd.Series(notes, index=codes.index, dtype=object)


def check_region_rows(out: pd.DataFrame, ctx: Context, source: str) -> None:
    """Every region row of a DfE file carries an E12 region code (InputError naming the file row)."""
    bad_region = (out["geography"] == "region") & ~out["area_code"].isin(ctx.codes("region"))
    if bad_region.any():
        r = out[bad_region].iloc[0]
        raise InputError(source, f"row {r['file_row']}, column 'region_code'", "an E12 region code", r["area_code"])


def region_codes(ctx: Context) -> dict[str, str]:
    """Lower-case region name -> E12 code (LAIT spells 'Yorkshire and the Humber')."""
    r = ctx.areas[ctx.areas["geography"] == "region"]
    return {n.lower(): c for c, n in zip(r["code"], r["name"])}


def lait_rows(ctx: Context, short_desc: str, source: str = LAIT) -> pd.DataFrame:
    """LAIT rows of one measure with GSS codes: columns area_code, geography, area_name, Years,
    Values, note, lait_row (row in the parquet). England 970 -> E92000001; regions 980-990 by
    name; Inner/Outer London (987/988) dropped; pre-2019 Bournemouth/Poole/Dorset dropped (their
    successors are not the same areas); an LA number we cannot map raises InputError."""
    df = lait_table(Path(ctx.raw).resolve())
    readers.require_columns(df, ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"], source)
    sub = df[df["Short Desc"] == short_desc].copy()
    if sub.empty:
        raise InputError(source, "column 'Short Desc'", f"rows for {short_desc!r}", "none")
    sub["lait_row"] = sub.index
    num_map = la_number_map(ctx)
    regions = region_codes(ctx)
    codes, geos, notes = [], [], []
    for row, num, name in zip(sub["lait_row"], sub["LA Number"], sub["LA and Regions"]):
        if pd.isna(num):
            raise InputError(source, f"row {row}, column 'LA Number'", "a DfE LA number", num)
        n = int(num)
        if n == 970:
            codes.append("E92000001"); geos.append("country"); notes.append(None)
        elif n in (987, 988):  # Inner / Outer London: not a geography we use
            codes.append(None); geos.append(None); notes.append(None)
        elif 980 <= n <= 990:
            code = regions.get(str(name).strip().lower())
            if code is None:
                raise InputError(source, f"row {row}, column 'LA and Regions'", "an English region name", name)
            codes.append(code); geos.append("region"); notes.append(None)
        elif n in num_map:
            codes.append(num_map[n]); geos.append("utla"); notes.append(None)
        elif n in PRE_2019_LA_NUMBERS:
            # documented pre-2019 Bournemouth / Poole / Dorset county: retired, no single successor
            codes.append(None); geos.append(None); notes.append(None)
        else:
            raise InputError(source, f"row {row}, column 'LA Number'",
                             "a DfE LA number listed in the CLA files (old_la_code)", num)
    sub["area_code"] = codes
    sub["geography"] = geos
    sub = sub[sub["area_code"].notna()].copy()
    is_la = sub["geography"] == "utla"
    placed, pnote = place_codes(sub.loc[is_la, "area_code"], ctx, source, "LA Number")
    sub.loc[is_la, "area_code"] = placed
    sub["note"] = None
    sub.loc[is_la, "note"] = pnote
    sub = sub[sub["area_code"].notna()]
    sub["area_name"] = sub["LA and Regions"]
    return sub


@lru_cache(maxsize=2)
def lait_table(raw: Path) -> pd.DataFrame:
    path = raw / LAIT
    readers.require_file(path)
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # truncated / not parquet
        raise InputError(LAIT, "file", "a readable parquet file", f"{type(exc).__name__}: {exc}") from exc
