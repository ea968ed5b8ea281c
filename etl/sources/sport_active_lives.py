"""Sport England Active Lives Adult Survey: physically active / inactive adults (aged 19+).

Annex B "Sports participation and physical activity" -> physically_active_adults (150+ minutes
of moderate-intensity-equivalent activity a week). Companion context metric
physically_inactive_adults (under 30 minutes a week).

The bundled files are a Trafford Data Lab derivative of the OHID Fingertips export (indicators
93014 / 93015): values rounded to 1 d.p., no confidence intervals, ages 19+ (Annex B names 16+).
Fingertips back-casts older years onto the 2023 unitaries, so periods up to 2021/22 hold both
the retired Cumbria / North Yorkshire / Somerset districts and the new unitaries: ctx.harmonise
keeps the published unitary value and never adds the districts on top. The file's
`compared_to_England` column is Fingertips' own RAG rating: not used (we compare ourselves).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from etl import readers
from etl.context import Context
from etl.errors import InputError
from etl.schema import finalise

ACTIVE = "sport-england-active-lives/ohid_fingertips_93014_active_adults_trafford_derivative.csv"
INACTIVE = "sport-england-active-lives/ohid_fingertips_93015_inactive_adults_trafford_derivative.csv"
INPUTS = [ACTIVE, INACTIVE]

FILES = {
    ACTIVE: ("Percentage of physically active adults", "physically_active_adults"),
    INACTIVE: ("Percentage of physically inactive adults", "physically_inactive_adults"),
}
COLUMNS = ["area_code", "area_name", "area_type", "period", "indicator", "unit", "value"]
AREA_TYPES = {"Country": "country", "UA": "ltla", "District": "ltla"}
NOTE = "Fingertips value via Trafford Data Lab, rounded to 1 d.p.; no confidence interval in this extract"


def parse_file(ctx: Context, source: str) -> pd.DataFrame:
    indicator, metric = FILES[source]
    df = readers.read_csv(ctx.path(source), required=COLUMNS)
    for col, allowed in (("indicator", {indicator}), ("area_type", set(AREA_TYPES)), ("unit", {"Persons"})):
        bad = ~df[col].str.strip().isin(allowed)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(source, f"row {i + 2}, column {col!r}", f"one of {sorted(allowed)}", df[col].iloc[i])
    per = df["period"].str.strip()
    bad = ~per.str.fullmatch(r"\d{4}/\d{2}")
    if not bad.any():
        bad = per.map(lambda p: (int(p[:4]) + 1) % 100 != int(p[5:]))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(source, f"row {i + 2}, column 'period'", "a survey year like 2015/16", per.iloc[i])
    value, status = readers.to_number(df["value"], source, "value", markers={"": "not available", "na": "not available"})
    bad = value.notna() & ~value.between(0, 100)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(source, f"row {i + 2}, column 'value'", "a percentage between 0 and 100", df["value"].iloc[i])
    codes = df["area_code"].str.strip()
    bad = ~codes.str.fullmatch(r"E(0[6-9]|92)\d{6}")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(source, f"row {i + 2}, column 'area_code'", "an English LA or England code", codes.iloc[i])
    out = pd.DataFrame({
        "metric_id": metric, "area_code": codes, "area_name": df["area_name"].str.strip(),
        "geography": df["area_type"].str.strip().map(AREA_TYPES), "period": per,
        "value": value, "status": status, "note": NOTE,
    })
    readers.check_unique(out, ["area_code", "period"], source)
    return finalise(out, source_file=source)


def parse(ctx: Context) -> pd.DataFrame:
    obs = pd.concat([parse_file(ctx, s) for s in FILES], ignore_index=True)
    return ctx.harmonise(obs, method="weighted_mean")


# Not fetched automatically: the bundle holds a third-party extract whose layout differs from the
# publisher's own export; see data/raw/sport-england-active-lives/SOURCE.md.
FETCH: list[dict] = []
