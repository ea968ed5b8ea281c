"""Defra ENV24: fly-tipping incidents reported by local authorities in England, 2012-13 to 2022-23
(revised edition of 13 March 2024), sheet LA_incidents.

Annex B "Environmental quality" ->
* fly_tipping_rate: incidents per 1,000 people, as published (filled only from 2019-20), with a
  95% CI computed here (Byar / exact Poisson) from 'Total Incidents' and 'Mid population estimates '.
* fly_tipping_incidents: total incidents (count), every year 2012-13 .. 2022-23.

LTLA rows use each year's LA codes; retired districts are brought onto current LTLAs by summing
the incidents (and populations) of ALL predecessors (flagged derived). Regions and England rows
carry 'ONS Code' '*Total' and are mapped from the Region text; 2018-19 has two England totals:
the "comparable with 2019/20" one is used (the "original" one is dropped). ':' = not available.
'Reporting basis' (all incidents vs customer-reported only) is kept in `note`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl import readers, stats
from etl.context import Context
from etl.errors import InputError
from etl.schema import finalise
from etl.sources._counts import harmonise_counts

SOURCE = ("defra-fly-tipping/Flytipping_incidents_and_actions_taken__reported_by_LAs_in_England__"
          "2012-13_to_2022-23_accessible_revised.ods")
INPUTS = [SOURCE]
SHEET = "LA_incidents"
YEAR, CODE, NAME, REGION = "Year", "ONS Code", "LA Name", "Region"
TOTAL, POP, RATE, BASIS = "Total Incidents", "Mid population estimates", "Incidents per 1,000 people", "Reporting basis"
REQUIRED = [YEAR, CODE, NAME, REGION, TOTAL, POP, RATE, BASIS]
REGIONS = {
    "North East": "E12000001", "North West": "E12000002", "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004", "West Midlands": "E12000005", "East": "E12000006",
    "London": "E12000007", "South East": "E12000008", "South West": "E12000009",
    "*Total England": "E92000001", "*Total England (comparable with 2019/20)": "E92000001",
}
DROP_TOTALS = {"*Total England (original)"}
MARKERS = {":": "not available", "": "not available", "[x]": "not available", "x": "not available"}
# In the 2020-21 rows the publisher's mid-year populations of East and East Midlands look swapped
# (East Midlands 6.27m, East 4.87m; both ~4.9m / ~6.3m in the years either side). Values are kept
# as published; the note says so.
SWAPPED_POP = {("2020-21", "E12000004"), ("2020-21", "E12000006")}


def read_incidents(ctx: Context) -> pd.DataFrame:
    raw = readers.read_sheet(ctx.path(SOURCE), SHEET)
    first = raw.iloc[:, 0].astype(str).str.strip()
    hits = np.flatnonzero((first == YEAR).to_numpy())
    if not len(hits):
        raise InputError(SOURCE, f"sheet {SHEET!r}, column A", f"a header row starting {YEAR!r}", first.head(5).tolist())
    h = int(hits[0])
    df = raw.iloc[h + 1:].copy()
    df.columns = [str(c).strip() for c in raw.iloc[h]]
    readers.require_columns(df, REQUIRED, f"{SOURCE} [{SHEET}]")
    df = df[df[YEAR].notna()].reset_index(drop=True)
    df.attrs["header_row"] = h
    return df


def parse_incidents(ctx: Context) -> pd.DataFrame:
    df = read_incidents(ctx)
    where = f"{SOURCE} [{SHEET}]"
    off = df.attrs["header_row"] + 2   # file row of data index 0
    years = df[YEAR].astype(str).str.strip()
    bad = ~years.str.fullmatch(r"\d{4}-\d{2}")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(where, f"row {i + off}, column {YEAR!r}", "a financial year like 2012-13", years.iloc[i])
    codes = df[CODE].astype(str).str.strip()
    region_text = df[REGION].astype(str).str.strip()
    is_total = codes == "*Total"
    unknown = is_total & ~region_text.isin(set(REGIONS) | DROP_TOTALS)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(where, f"row {i + off}, column {REGION!r}", "a region name or '*Total England'",
                         region_text.iloc[i])
    bad = ~is_total & ~codes.str.fullmatch(r"E0[6-9]\d{6}")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(where, f"row {i + off}, column {CODE!r}", "an English LA code or '*Total'", codes.iloc[i])
    count, cstat = readers.to_number(df[TOTAL], where, TOTAL, row_offset=off, markers=MARKERS, allow_negative=False)
    pop, _ = readers.to_number(df[POP], where, POP, row_offset=off, markers=MARKERS, allow_negative=False)
    rate, rstat = readers.to_number(df[RATE], where, RATE, row_offset=off, markers=MARKERS, allow_negative=False)
    area = np.where(is_total, region_text.map(REGIONS), codes)
    geo = np.where(~is_total, "ltla", np.where(region_text.str.startswith("*Total England"), "country", "region"))
    basis = df[BASIS].astype(str).str.strip()
    out = pd.DataFrame({
        "area_code": area, "area_name": np.where(is_total, region_text.str.lstrip("*"), df[NAME].astype(str).str.strip()),
        "geography": geo, "period": years, "count": count, "population": pop, "rate": rate,
        "count_status": cstat, "rate_status": rstat,
        "basis": basis.where(~basis.isin(["", ":", "None", "nan"]), None),
    })
    out = out[~(is_total & region_text.isin(DROP_TOTALS)).to_numpy()].reset_index(drop=True)
    readers.check_unique(out, ["area_code", "period"], where)
    # The published rate must equal incidents / population x 1,000.
    both = out["rate"].notna() & out["count"].notna() & (out["population"] > 0)
    calc = out["count"] / out["population"] * 1000
    bad = both & ((calc - out["rate"]).abs() > np.maximum(0.01, 0.001 * out["rate"]))
    if bad.any():
        r = out[bad].iloc[0]
        raise InputError(where, f"{r['area_code']} {r['period']}, column {RATE!r}",
                         "Total Incidents / Mid population estimates x 1,000", r[["count", "population", "rate"]].to_dict())
    return out


def _note(basis, extra=None):
    parts = []
    if isinstance(basis, str) and basis:
        parts.append(f"Reporting basis: {basis}")
    if extra:
        parts.append(extra)
    return "; ".join(parts) or None


def parse(ctx: Context) -> pd.DataFrame:
    t = parse_incidents(ctx)
    frames = []
    for period, grp in t.groupby("period", sort=True):
        # ---- counts (every year)
        c = grp.assign(value=grp["count"], status=grp["count_status"],
                       note=[_note(b) for b in grp["basis"]])
        ltla = harmonise_counts(ctx, c[c["geography"] == "ltla"], ["count"], lambda s: s["count"],
                                "incidents", source=f"{SOURCE} [{SHEET}]").assign(geography="ltla")
        counts = pd.concat([c[c["geography"] != "ltla"].assign(derived=False), ltla], ignore_index=True)
        counts["metric_id"] = "fly_tipping_incidents"
        frames.append(counts)
        # ---- rates (published only from 2019-20)
        if grp["rate"].notna().any():
            r = grp.assign(value=grp["rate"], status=grp["rate_status"],
                           note=[_note(b, "population figure looks swapped with the neighbouring region in the "
                                          "publisher's file; rate as published" if (p, a) in SWAPPED_POP else None)
                                 for b, p, a in zip(grp["basis"], grp["period"], grp["area_code"])])
            ltla = harmonise_counts(ctx, r[r["geography"] == "ltla"], ["count", "population"],
                                    lambda s: s["count"] / s["population"] * 1000,
                                    "incidents and mid-year population",
                                    source=f"{SOURCE} [{SHEET}]").assign(geography="ltla")
            rates = pd.concat([r[r["geography"] != "ltla"].assign(derived=False), ltla], ignore_index=True)
            ok = rates["status"].eq("ok") & rates["count"].notna() & (rates["population"] > 0)
            _, lo, hi = stats.rate_ci(rates["count"].where(ok), rates["population"].where(ok), per=1000)
            rates["lower"] = np.where(ok, lo, np.nan)
            rates["upper"] = np.where(ok, hi, np.nan)
            outside = ok & ((rates["lower"] > rates["value"] + 1e-9) | (rates["upper"] < rates["value"] - 1e-9))
            rates.loc[outside, ["lower", "upper"]] = np.nan
            rates["metric_id"] = "fly_tipping_rate"
            frames.append(rates)
    obs = pd.concat(frames, ignore_index=True)
    obs["note"] = np.where((obs["status"] != "ok") & obs["note"].isna(), "published as ':' (not available)", obs["note"])
    cols = ["metric_id", "area_code", "area_name", "geography", "period", "value", "lower", "upper",
            "status", "derived", "note"]
    return finalise(obs[[c for c in cols if c in obs.columns]], source_file=SOURCE)


# Fetch: the newest LA-level workbook attached to Defra's ENV24 data-set page (the end year in
# the file name; a revised file beats the original). It is saved under the bundled name, which
# the parser reads; the SOURCE.md log line keeps the publisher's own file name.
FETCH = [
    {"kind": "govuk", "page": "/government/statistical-data-sets/env24-fly-tipping-incidents-and-actions-taken-in-england",
     "pattern": r"^Flytipping_incidents_and_actions_taken__reported_by_LAs_in_England__2012-13_to_"
                r"(?P<key>\d{4}-\d{2}_accessible(?:_revised)?)\.ods$",
     "dest": SOURCE, "note": "Defra ENV24: fly-tipping incidents and actions reported by LAs in England."},
]
