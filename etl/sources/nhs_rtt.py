"""NHS England consultant-led Referral to Treatment (RTT) waiting times by ICB.

Annex B, "Access to health and social care services": average consultant-led RTT waiting time
for 'all treatments', ICB level. NOT in the bundle. This parser reads NHS England's monthly
"Full CSV data file" when a maintainer places it (unzipped) at `nhs-rtt/rtt_full.csv`; without
it the source yields no rows and the catalogue says why.

Layout read (NHS England full CSV, one row per provider x commissioner x part x treatment
function): `Period` (e.g. 'RTT-March-2025'), `Commissioner Parent Org Code` (ICB ODS code, e.g.
'QE1'), `RTT Part Type` ('Part_2' = incomplete pathways), `Treatment Function Code` ('C_999' =
total, all treatment functions), weekly band columns 'Gt 00 To 01 Weeks SUM 1' ...
'Gt NN To MM Weeks SUM 1' and the open-ended last band 'Gt NN Weeks SUM 1', and `Total`
(pathways with a known clock start). Other columns are ignored.

Metrics (incomplete pathways, all treatment functions, summed over providers per commissioning
ICB; snapshot at the month end):
* `rtt_median_wait_weeks`: median weeks waited, linear interpolation inside the weekly band that
  holds the 50th percentile (NHS England's published method for the median);
* `rtt_within_18_weeks`: % of incomplete pathways waiting under 18 weeks (the constitutional
  standard measure).
ICB ODS codes are mapped to GSS E54 codes with the ICB22CDH/ICB22CD pairs of the LSOA->ICB
lookup (July 2022); an unknown ICB code raises InputError. No CI: these are complete counts.
"""
from __future__ import annotations

import calendar
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from etl import readers
from etl.context import Context
from etl.errors import InputError
from etl.schema import finalise

RTT = "nhs-rtt/rtt_full.csv"
ICB_LOOKUP = "geography/lookups/nhsdigital_ndop/LSOA11_LOC22_ICB22_LAD22_EN_LU.xlsx"
INPUTS = [RTT + "?"]
# No FETCH entry: NHS England publishes each month's file under an address with an
# unpredictable numeric suffix (listed on the RTT statistical work area page), so a fixed URL
# would be a guess. Download 'Full CSV data file <Mon YY> (ZIP)' from
# https://www.england.nhs.uk/statistics/statistical-work-areas/rtt-waiting-times/ and unzip it
# to data/raw/nhs-rtt/rtt_full.csv.
FETCH: list[dict] = []

MEDIAN_ID = "rtt_median_wait_weeks"
WITHIN_ID = "rtt_within_18_weeks"
REQUIRED = ["Period", "Commissioner Parent Org Code", "RTT Part Type", "Treatment Function Code", "Total"]
BAND = re.compile(r"^Gt (\d+) To (\d+) Weeks SUM 1$")
OPEN_BAND = re.compile(r"^Gt (\d+) Weeks SUM 1$")
PERIOD = re.compile(r"^RTT-([A-Za-z]+)-(\d{4})$")
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}


def band_columns(columns, source: str) -> list[tuple[str, float, float]]:
    """[(column, lower week, upper week)] in order; the open-ended last band has upper=inf."""
    bands = []
    for c in columns:
        if m := BAND.match(c):
            bands.append((c, float(m.group(1)), float(m.group(2))))
        elif m := OPEN_BAND.match(c):
            bands.append((c, float(m.group(1)), np.inf))
    bands.sort(key=lambda b: b[1])
    if not bands or bands[0][1] != 0:
        raise InputError(source, "columns 'Gt 00 To 01 Weeks SUM 1' ...", "weekly band columns from week 0",
                         list(columns)[:20])
    for (c1, lo1, hi1), (c2, lo2, _) in zip(bands, bands[1:]):
        if hi1 != lo2:
            raise InputError(source, f"column {c2!r}", f"a band starting at week {hi1:g}", c2)
    return bands


def period_label(text: str, source: str, row: int) -> str:
    m = PERIOD.match(text.strip())
    if not m or m.group(1).lower() not in MONTHS:
        raise InputError(source, f"row {row}, column 'Period'", "a period like 'RTT-March-2025'", text)
    y, mo = int(m.group(2)), MONTHS[m.group(1).lower()]
    return f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}"


def median_weeks(counts: np.ndarray, bands: list[tuple[str, float, float]]) -> float:
    total = counts.sum()
    if total <= 0:
        return np.nan
    half = total / 2
    cum = np.cumsum(counts)
    i = int(np.searchsorted(cum, half))
    lo, hi = bands[i][1], bands[i][2]
    if not np.isfinite(hi):
        return np.nan  # median in the open-ended band: not estimable
    before = cum[i - 1] if i else 0.0
    return lo + (half - before) / counts[i] * (hi - lo)


@lru_cache(maxsize=2)
def icb_ods_map(raw: Path) -> dict[str, tuple[str, str]]:
    df = readers.read_sheet(raw / ICB_LOOKUP, "LSOA11_LOC22_ICB22_LAD22", header=0)
    readers.require_columns(df, ["ICB22CD", "ICB22CDH", "ICB22NM"], ICB_LOOKUP)
    d = df[["ICB22CDH", "ICB22CD", "ICB22NM"]].drop_duplicates()
    return {str(h).strip(): (c, n) for h, c, n in d.itertuples(index=False)}


def parse_rtt(path: Path, source: str, icb_map: dict[str, tuple[str, str]]) -> pd.DataFrame:
    df = readers.read_csv(path, required=REQUIRED)
    # one concat, not an insert: the wide RTT frame arrives fragmented and pandas warns on insert
    df = pd.concat([df, pd.Series(np.arange(len(df)) + 2, index=df.index, name="file_row")], axis=1)
    bands = band_columns(df.columns, source)
    sub = df[(df["RTT Part Type"].str.strip() == "Part_2") & (df["Treatment Function Code"].str.strip() == "C_999")]
    if sub.empty:
        raise InputError(source, "columns 'RTT Part Type'/'Treatment Function Code'",
                         "rows for Part_2 (incomplete pathways) and C_999 (total)", "none")
    nums = {}
    for c, _, _ in bands + [("Total", 0, 0)]:
        nums[c], _ = readers.to_number(sub[c], source, c, markers={"": "missing"}, allow_negative=False)
        if nums[c].isna().any():
            r = sub[nums[c].isna()].iloc[0]
            raise InputError(source, f"row {r['file_row']}, column {c!r}", "a count", r[c])
    counts = pd.DataFrame(nums, index=sub.index)
    counts["icb"] = sub["Commissioner Parent Org Code"].str.strip()
    counts["period"] = [period_label(p, source, r) for p, r in zip(sub["Period"], sub["file_row"])]
    unknown = ~counts["icb"].isin(icb_map)
    if unknown.any():
        r = sub[unknown].iloc[0]
        raise InputError(source, f"row {r['file_row']}, column 'Commissioner Parent Org Code'",
                         "an ICB ODS code (ICB22CDH)", r["Commissioner Parent Org Code"])
    band_names = [b[0] for b in bands]
    g = counts.groupby(["icb", "period"])[band_names + ["Total"]].sum()
    rows = []
    for (icb, period), r in g.iterrows():
        c = r[band_names].to_numpy(float)
        under18 = sum(r[b[0]] for b in bands if b[2] <= 18)
        code, name = icb_map[icb]
        med = median_weeks(c, bands)
        share = 100 * under18 / r["Total"] if r["Total"] > 0 else np.nan
        for metric, value in ((MEDIAN_ID, med), (WITHIN_ID, share)):
            rows.append(dict(metric_id=metric, area_code=code, area_name=name, geography="icb", period=period,
                             value=value, status="ok" if np.isfinite(value) else "not available",
                             note=f"incomplete pathways, all treatment functions; {int(r['Total'])} pathways"))
    return finalise(pd.DataFrame(rows), source_file=source)


def parse(ctx: Context) -> pd.DataFrame:
    path = ctx.path(RTT)
    if not path.exists():
        empty = pd.DataFrame({"metric_id": pd.Series(dtype=str), "area_code": pd.Series(dtype=str),
                              "geography": pd.Series(dtype=str), "period": pd.Series(dtype=str),
                              "value": pd.Series(dtype=float)})
        return finalise(empty, source_file=RTT)
    return parse_rtt(path, RTT, icb_ods_map(Path(ctx.raw).resolve()))
