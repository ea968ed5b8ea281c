"""DfE / NCCIS: 16-17 year olds not in education, employment or training (NEET) or whose
activity is not known, % of the cohort, by upper-tier LA, region and England.

Annex B, "Support given to individuals in their transition to adulthood".

Inputs: DfE's NCCIS LA dashboard underlying files, one per year (time_period 2021..2025),
column `NEET_not_known_percent`. The figure is DfE's headline: the average of the December
(previous year), January and February returns; period label 'YYYY' is the file's time_period
(e.g. '2025' = Dec 2024-Feb 2025). The 2021 file carries a placeholder LA 'LA demo' and region
'Region demo' with no codes: both are excluded. City of London and Isles of Scilly are not
reported separately (DfE combines them with Hackney and Cornwall).

Extension: 2019 and 2020 (not in the dashboard files) come from DfE LAIT
(`dfe-absence/bds_long_0.parquet`, Short Desc '16-17_not known_NEET'), LA numbers mapped to GSS
codes by the rule in etl.sources._lait (checked: LAIT equals the dashboard files in 2021-2025).

95% CI: approximate Wilson score interval computed here, not published by DfE. NCCIS covers the
whole cohort, so the interval describes random variation in the rate, not sampling error. DfE
does not publish the count: it is reconstructed as percent x Cohort_DJFavg / 100 from the
percentage printed to one decimal (rounding moves the count by at most 0.05% of the cohort, far
inside the interval). LAIT years have no cohort, so no CI.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl import readers, stats
from etl.context import Context
from etl.errors import InputError
from etl.schema import finalise
from etl.sources._lait import (DFE_MARKERS, LA_NUMBER_INPUTS, LAIT, check_region_rows, la_number_map, lait_rows,
                               place_codes)

FILES = [
    "dfe-neet/UD_NEETNK_LA_dashboard_2021_vg_removed.csv",
    "dfe-neet/UD_NEETNK_LA_dashboard_2022_final.csv",
    "dfe-neet/UD_NEETNK_LA_dashboard_2023_final.csv",
    "dfe-neet/UD_NEETNK_LA_dashboard_final_2024_vintage.csv",
    "dfe-neet/UD_NEETNK_LA_dashboard_final.csv",
]
INPUTS = FILES + [LAIT, *LA_NUMBER_INPUTS]
METRIC = "neet_or_not_known_16_17"
REQUIRED = ["time_period", "geographic_level", "country_code", "country_name", "region_code", "region_name",
            "old_la_code", "new_la_code", "la_name", "Cohort_DJFavg", "NEET_not_known_percent"]
PLACEHOLDERS = {"LA demo", "Region demo"}
COMBINED = {"E09000001", "E06000053"}  # City of London (with Hackney), Isles of Scilly (with Cornwall)


def parse_file(ctx: Context, rel_path: str) -> pd.DataFrame:
    df = readers.read_csv(ctx.path(rel_path), required=REQUIRED)
    df["file_row"] = np.arange(len(df)) + 2
    years = df["time_period"].str.strip().unique()
    if len(years) != 1 or not years[0].isdigit() or len(years[0]) != 4:
        raise InputError(rel_path, "column 'time_period'", "one calendar year like 2025 per file", list(years)[:5])
    level = df["geographic_level"].str.strip()
    # DfE's placeholder rows in the 2021 file ('LA demo' / 'Region demo', no codes): not data.
    demo = df["la_name"].str.strip().isin(PLACEHOLDERS) | df["region_name"].str.strip().isin(PLACEHOLDERS)
    df, level = df[~demo], level[~demo]
    bad = ~level.isin(["National", "Regional", "Local authority"])
    if bad.any():
        r = df[bad].iloc[0]
        raise InputError(rel_path, f"row {r['file_row']}, column 'geographic_level'",
                         "National, Regional or Local authority", r["geographic_level"])
    value, status = readers.to_number(df["NEET_not_known_percent"], rel_path, "NEET_not_known_percent",
                                      rows=df["file_row"], markers=DFE_MARKERS, allow_negative=False)
    cohort, _ = readers.to_number(df["Cohort_DJFavg"], rel_path, "Cohort_DJFavg", rows=df["file_row"],
                                  markers=DFE_MARKERS, allow_negative=False)
    out_of_range = value.notna() & ~value.between(0, 100)
    if out_of_range.any():
        r = df[out_of_range].iloc[0]
        raise InputError(rel_path, f"row {r['file_row']}, column 'NEET_not_known_percent'",
                         "a percentage between 0 and 100", r["NEET_not_known_percent"])
    out = pd.DataFrame({"period": years[0], "value": value, "status": status, "cohort": cohort, "note": None,
                        "file_row": df["file_row"]})
    out["geography"] = level.map({"National": "country", "Regional": "region", "Local authority": "utla"})
    out["area_code"] = np.where(level == "National", df["country_code"],
                                np.where(level == "Regional", df["region_code"], df["new_la_code"])).astype(object)
    out["area_name"] = np.where(level == "National", df["country_name"],
                                np.where(level == "Regional", df["region_name"], df["la_name"])).astype(object)
    missing = out["area_code"].astype(str).str.strip() == ""
    if missing.any():
        r = out[missing].iloc[0]
        raise InputError(rel_path, f"row {r['file_row']}, column 'new_la_code'", "a GSS code", "")
    la = out["geography"] == "utla"
    latest = la_number_map(ctx)
    nums = df.loc[la, "old_la_code"].str.strip()
    printed = out.loc[la, "area_code"].copy()
    remapped = pd.Series([latest.get(int(n), c) if n.isdigit() else c for n, c in zip(nums, printed)],
                         index=printed.index)
    relabelled = remapped != printed
    # The DfE LA number wins over the printed GSS code only when the printed code is a known
    # (e.g. pre-2023 county) code of the same LA; an unknown printed code is an error.
    unknown = relabelled & ~printed.isin(set(ctx.areas["code"]))
    if unknown.any():
        i = unknown[unknown].index[0]
        raise InputError(rel_path, f"row {df.loc[i, 'file_row']}, column 'new_la_code'",
                         f"a known GSS code for DfE LA number {nums.loc[i]} ({remapped.loc[i]})", printed.loc[i])
    placed, pnote = place_codes(remapped, ctx, rel_path, "new_la_code")
    pnote[relabelled] = ("published under county code " + printed[relabelled]
                         + " (same area; DfE's latest CLA edition uses the unitary code for this LA)")
    out.loc[la, "area_code"] = placed
    out.loc[la, "note"] = pnote
    out = out[out["area_code"].notna()]
    check_region_rows(out, ctx, rel_path)
    readers.check_unique(out, ["area_code"], rel_path)
    ok = (out["status"] == "ok") & out["cohort"].gt(0)
    k = out.loc[ok, "value"] * out.loc[ok, "cohort"] / 100
    _, lo, hi = stats.wilson(k, out.loc[ok, "cohort"])
    out["lower"], out["upper"] = np.nan, np.nan
    out.loc[ok, "lower"] = np.minimum(lo * 100, out.loc[ok, "value"])
    out.loc[ok, "upper"] = np.maximum(hi * 100, out.loc[ok, "value"])
    return finalise(out.drop(columns=["cohort", "file_row"]).assign(metric_id=METRIC), source_file=rel_path)


def parse(ctx: Context) -> pd.DataFrame:
    frames = [parse_file(ctx, f) for f in FILES]
    dash = pd.concat(frames, ignore_index=True)
    dup = dash.duplicated(["area_code", "period"], keep=False)
    if dup.any():
        r = dash[dup].iloc[0]
        raise InputError(r["source_file"], f"period {r['period']}", "one file per year", r["area_code"])
    lait = lait_rows(ctx, "16-17_not known_NEET")
    lait = lait[~lait["Years"].isin(set(dash["period"]))]
    # The dashboard files report City of London and Isles of Scilly with Hackney and Cornwall;
    # LAIT prints them separately. Keep the series consistent: no separate rows for them.
    lait = lait[~lait["area_code"].isin(COMBINED)]
    if not lait.empty:
        vals, st = readers.to_number(lait["Values"], LAIT, "Values", rows=lait["lait_row"], markers=DFE_MARKERS,
                                     allow_negative=False)
        ext = pd.DataFrame({"metric_id": METRIC, "area_code": lait["area_code"], "area_name": lait["area_name"],
                            "geography": lait["geography"], "period": lait["Years"].astype(str), "value": vals,
                            "status": st, "note": lait["note"]})
        bad = ~ext["period"].str.fullmatch(r"\d{4}")
        if bad.any():
            raise InputError(LAIT, f"row {lait[bad.to_numpy()]['lait_row'].iloc[0]}, column 'Years'",
                             "a year like 2020", ext[bad]["period"].iloc[0])
        readers.check_unique(ext, ["area_code", "period"], LAIT)
        ext["note"] = ext["note"].fillna("DfE LAIT (no cohort published there, so no CI)")
        dash = pd.concat([dash, finalise(ext, source_file=LAIT)], ignore_index=True)
    return dash


# Not fetched automatically: DfE reuses one file name for each year's dashboard file, so fetching it
# would overwrite the previous year; see data/raw/dfe-neet/SOURCE.md for the manual step.
FETCH: list[dict] = []
