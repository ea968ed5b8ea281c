"""DfE children looked after (CLA) at 31 March, rate per 10,000 children under 18.

Annex B, "Family safety, stability and family dynamics": children looked after rate.

Inputs (both DfE explore-education-statistics files "number and rate per 10,000 children"):
* the reporting-year-2025 edition (2021-2025) is used for every year it covers;
* the reporting-year-2023 edition (2019-2023) only for 2019 and 2020 (the two editions disagree
  for some LAs in 2021-2023 because DfE revised counts and rebased populations: latest wins).
* optionally the DfE LAIT table (`dfe-absence/bds_long_0.parquet`, Short Desc 'LAC') for
  2016-2018, which no EES file here carries. LAIT is keyed by DfE 3-digit LA number, mapped to
  GSS codes with the rule below; its 2019-2025 values are not used (the EES files win).

Period: 'YYYY' = the position at 31 March of that year (DfE "reporting year").

GSS codes for DfE LA numbers (shared with the absence and NEET parsers):
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

95% CI: Byar's method (exact Poisson below 10) on the published count and the published
under-18 population (etl.stats.rate_ci, per 10,000), computed here; DfE publishes none.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from etl import readers, stats
from etl.context import Context
from etl.errors import InputError
from etl.schema import finalise

NEW = "dfe-children-looked-after/cla_number_and_rate_per_10k_children.csv"
OLD = "dfe-children-looked-after/cla_number_and_rate_per_10k_children_2019_to_2023.csv"
LAIT = "dfe-absence/bds_long_0.parquet"
INPUTS = [NEW, OLD, LAIT]

METRIC = "children_looked_after_rate"
DFE_MARKERS = {"": "not available", "x": "not available", "z": "not applicable", "c": "suppressed",
               "-": "not available"}
GEO_COLS = ["time_period", "geographic_level", "region_code", "region_name", "old_la_code", "la_name",
            "new_la_code"]
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


def to_number_rows(values: pd.Series, file_rows, source: str, column: str, **kw):
    """readers.to_number on a filtered column, naming the FILE row (file_rows[i]) on error."""
    try:
        return readers.to_number(values, source, column, row_offset=0, **kw)
    except InputError as exc:
        m = re.match(r"row (\d+),", exc.where)
        if not m:
            raise
        row = list(file_rows)[int(m.group(1))]
        raise InputError(source, f"row {row}, column {column!r}", exc.expected, exc.found) from None


# --------------------------------------------------------------------------- LA number -> GSS
@lru_cache(maxsize=4)
def _edition_maps(raw: Path) -> tuple[dict, dict]:
    out = []
    for rel_path in (NEW, OLD):
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


def region_codes(ctx: Context) -> dict[str, str]:
    """Lower-case region name -> E12 code (LAIT spells 'Yorkshire and the Humber')."""
    r = ctx.areas[ctx.areas["geography"] == "region"]
    return {n.lower(): c for c, n in zip(r["code"], r["name"])}


def lait_rows(ctx: Context, short_desc: str, source: str = LAIT) -> pd.DataFrame:
    """LAIT rows of one measure with GSS codes: columns area_code, geography, area_name, Years,
    Values, note, lait_row (row in the parquet). England 970 -> E92000001; regions 980-990 by
    name; Inner/Outer London (987/988) dropped; pre-2019 Bournemouth/Poole/Dorset dropped (their
    successors are not the same areas); an LA number we cannot map raises InputError."""
    df = _lait(Path(ctx.raw).resolve())
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
def _lait(raw: Path) -> pd.DataFrame:
    path = raw / LAIT
    readers.require_file(path)
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # truncated / not parquet
        raise InputError(LAIT, "file", "a readable parquet file", f"{type(exc).__name__}: {exc}") from exc


# --------------------------------------------------------------------------- EES CLA files
def parse_edition(ctx: Context, rel_path: str, years: set[str] | None) -> pd.DataFrame:
    """31-March rows of one CLA edition at upper tier, region and England."""
    path = ctx.path(rel_path)
    head = readers.read_csv(path)
    type_col = "population_type" if "population_type" in head.columns else "population_count"
    count_col = "children_count" if "children_count" in head.columns else "number"
    df = readers.read_csv(path, required=GEO_COLS + [type_col, count_col, "population_estimate", "rate_per_10000"])
    df["file_row"] = np.arange(len(df)) + 2
    kinds = df[type_col].str.strip()
    cla = kinds.str.startswith("Children looked after") & kinds.str.contains("31 March")
    if not cla.any():
        raise InputError(rel_path, f"column {type_col!r}", "rows 'Children looked after on/at 31 March each year'",
                         sorted(kinds.unique())[:5])
    df = df[cla]
    if years is not None:
        df = df[df["time_period"].isin(years)]
    level = df["geographic_level"].str.strip()
    bad = ~level.isin(["National", "Regional", "Local authority"])
    if bad.any():
        r = df[bad].iloc[0]
        raise InputError(rel_path, f"row {r['file_row']}, column 'geographic_level'",
                         "National, Regional or Local authority", r["geographic_level"])
    # drop Inner/Outer London (E13) regional rows
    df = df[~((level == "Regional") & df["region_code"].str.startswith("E13"))]
    level = df["geographic_level"].str.strip()
    rows = df["file_row"]
    rate, status = to_number_rows(df["rate_per_10000"], rows, rel_path, "rate_per_10000", markers=DFE_MARKERS,
                                  allow_negative=False)
    count, _ = to_number_rows(df[count_col], rows, rel_path, count_col, markers=DFE_MARKERS, allow_negative=False)
    pop, _ = to_number_rows(df["population_estimate"], rows, rel_path, "population_estimate", markers=DFE_MARKERS,
                            allow_negative=False)
    # the CI below is computed from count and population: they must give the published rate
    readers.check_rate(count, pop, rate, 10_000, rel_path, (count_col, "population_estimate", "rate_per_10000"),
                       rows=rows, tolerance=1.0)
    for i, t in enumerate(df["time_period"]):
        if not (len(t) == 4 and t.isdigit()):
            raise InputError(rel_path, f"row {df['file_row'].iloc[i]}, column 'time_period'", "a year like 2025", t)
    out = pd.DataFrame({"period": df["time_period"], "value": rate, "status": status, "count": count,
                        "population": pop, "file_row": df["file_row"], "note": None})
    out["area_code"] = np.where(level == "National", df["country_code"],
                                np.where(level == "Regional", df["region_code"], df["new_la_code"]))
    out["area_name"] = np.where(level == "National", df["country_name"],
                                np.where(level == "Regional", df["region_name"], df["la_name"]))
    out["geography"] = level.map({"National": "country", "Regional": "region", "Local authority": "utla"})
    la = out["geography"] == "utla"
    # one DfE LA number = one GSS code over time (see module docstring)
    latest = la_number_map(ctx)
    nums = df.loc[la, "old_la_code"].str.strip()
    remapped = [latest.get(int(n), c) if n.isdigit() else c for n, c in zip(nums, out.loc[la, "area_code"])]
    relabel = pd.Series(remapped, index=out.index[la]) != out.loc[la, "area_code"]
    old_codes = out.loc[la, "area_code"].copy()
    out.loc[la, "area_code"] = remapped
    placed, pnote = place_codes(out.loc[la, "area_code"], ctx, rel_path, "new_la_code")
    out.loc[la, "note"] = pnote
    same_area = relabel[relabel].index
    out.loc[same_area, "note"] = ("published under county code " + old_codes[same_area]
                                  + " (same area; DfE's latest edition uses the unitary code for this LA)")
    out.loc[la, "area_code"] = placed
    out = out[out["area_code"].notna()]
    bad_region = (out["geography"] == "region") & ~out["area_code"].isin(ctx.codes("region"))
    if bad_region.any():
        r = out[bad_region].iloc[0]
        raise InputError(rel_path, f"row {r['file_row']}, column 'region_code'", "an E12 region code", r["area_code"])
    readers.check_unique(out, ["area_code", "period"], rel_path)
    return out


def add_ci(df: pd.DataFrame) -> pd.DataFrame:
    ok = (df["status"] == "ok") & df["count"].notna() & df["population"].gt(0)
    _, lo, hi = stats.rate_ci(df.loc[ok, "count"], df.loc[ok, "population"], per=10_000)
    df = df.copy()
    df["lower"] = np.nan
    df["upper"] = np.nan
    # The CI is of the unrounded rate; DfE prints the rate rounded to a whole number, so widen by
    # at most the rounding (0.5) where the printed value falls just outside.
    df.loc[ok, "lower"] = np.minimum(lo, df.loc[ok, "value"])
    df.loc[ok, "upper"] = np.maximum(hi, df.loc[ok, "value"])
    return df


def parse(ctx: Context) -> pd.DataFrame:
    new = parse_edition(ctx, NEW, None)
    new_years = set(new["period"])
    old = parse_edition(ctx, OLD, {"2019", "2020"} - new_years)
    frames = [finalise(add_ci(new).assign(metric_id=METRIC).drop(columns=["count", "population", "file_row"]),
                       source_file=NEW),
              finalise(add_ci(old).assign(metric_id=METRIC).drop(columns=["count", "population", "file_row"]),
                       source_file=OLD)]
    # LAIT extension: years before the EES files (2016-2018); no counts there, so no CI.
    lait = lait_rows(ctx, "LAC")
    covered = set(new["period"]) | set(old["period"])
    lait = lait[~lait["Years"].isin(covered)]
    if not lait.empty:
        vals, st = to_number_rows(lait["Values"], lait["lait_row"], LAIT, "Values", markers=DFE_MARKERS,
                                  allow_negative=False)
        bad = ~lait["Years"].str.fullmatch(r"\d{4}")
        if bad.any():
            raise InputError(LAIT, f"row {lait[bad]['lait_row'].iloc[0]}, column 'Years'", "a year like 2018",
                             lait[bad]["Years"].iloc[0])
        ext = pd.DataFrame({"metric_id": METRIC, "area_code": lait["area_code"], "area_name": lait["area_name"],
                            "geography": lait["geography"], "period": lait["Years"], "value": vals, "status": st,
                            "note": lait["note"]})
        readers.check_unique(ext, ["area_code", "period"], LAIT)
        ext["note"] = ext["note"].fillna("DfE LAIT (no count published there, so no CI)")
        frames.append(finalise(ext, source_file=LAIT))
    out = pd.concat(frames, ignore_index=True)
    return out


# Fetch: the latest edition's data file from the explore-education-statistics API; where that
# publication offers no API data set, the same unmodified file from DfE's own children's social
# care dashboard repository. The 2019-2023 edition is a fixed earlier edition (SOURCE.md).
FETCH = [
    {"kind": "ees_api", "publication": "children-looked-after-in-england-including-adoptions",
     "data_set": r"number and rate per 10,?000 children", "dest": NEW,
     "header": ["time_period", "geographic_level", "new_la_code", "rate_per_10000"],
     "fallback": {"kind": "github_raw", "repo": "dfe-analytical-services/CSC_outcomes_and_enablers",
                  "path": "data-raw/cla_number_and_rate_per_10k_children.csv"},
     "note": "DfE, Children looked after in England including adoptions: number and rate per 10,000 children."},
]
