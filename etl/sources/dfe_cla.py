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

GSS codes for DfE LA numbers: the rule shared with the absence and NEET parsers, in
etl.sources._lait (one DfE LA number = the code DfE's latest CLA edition gives it).

95% CI: Byar's method (exact Poisson below 10) on the published count and the published
under-18 population (etl.stats.rate_ci, per 10,000), computed here; DfE publishes none.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl import readers, stats
from etl.context import Context
from etl.errors import InputError
from etl.schema import finalise
from etl.sources._lait import CLA_LATEST as NEW, CLA_OLDER as OLD
from etl.sources._lait import DFE_MARKERS, LAIT, check_region_rows, la_number_map, lait_rows, place_codes

INPUTS = [NEW, OLD, LAIT]

METRIC = "children_looked_after_rate"
GEO_COLS = ["time_period", "geographic_level", "region_code", "region_name", "old_la_code", "la_name",
            "new_la_code"]
# --------------------------------------------------------------------------- EES CLA files
def parse_edition(ctx: Context, rel_path: str, years: set[str] | None) -> pd.DataFrame:
    """31-March rows of one CLA edition at upper tier, region and England."""
    path = ctx.path(rel_path)
    df = readers.read_csv(path)
    # the two editions name two columns differently
    type_col = "population_type" if "population_type" in df.columns else "population_count"
    count_col = "children_count" if "children_count" in df.columns else "number"
    readers.require_columns(df, GEO_COLS + [type_col, count_col, "population_estimate", "rate_per_10000"], path)
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
    rate, status = readers.to_number(df["rate_per_10000"], rel_path, "rate_per_10000", rows=rows,
                                     markers=DFE_MARKERS, allow_negative=False)
    count, _ = readers.to_number(df[count_col], rel_path, count_col, rows=rows, markers=DFE_MARKERS, allow_negative=False)
    pop, _ = readers.to_number(df["population_estimate"], rel_path, "population_estimate", rows=rows,
                               markers=DFE_MARKERS, allow_negative=False)
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
    check_region_rows(out, ctx, rel_path)
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
        vals, st = readers.to_number(lait["Values"], LAIT, "Values", rows=lait["lait_row"], markers=DFE_MARKERS,
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
