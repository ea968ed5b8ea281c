"""ONS4 personal well-being: the mission's headline metrics.

* ELS file: means with 95% CIs, UK to every LTLA, 2011-12 to 2022-23.
* GLA workbook: published low-wellbeing shares (bands) for London boroughs, regions, nations
  and the UK, 2011-12 to 2018-19, no CIs.
* CMD `wellbeing-local-authority.csv` (optional, from `python -m etl fetch`): shares with CIs
  for every area it covers; when present it is the source of the shares, and its means must
  agree with the ELS means (a build-time consistency check).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from etl import periods, readers
from etl.context import Context
from etl.vocabulary import is_ltla_code, national_level
from etl.errors import ConsistencyError, InputError
from etl.schema import finalise
from etl.sources._els import read_els

ELS = "ons-wellbeing/els_personal-wellbeing-estimates.csv"
GLA = "ons-wellbeing/gla_personal-well-being-borough_2011-12_to_2018-19.xlsx"
CMD = "ons-wellbeing/wellbeing-local-authority.csv"
INPUTS = [ELS, GLA, CMD + "?"]

MEAN_IDS = {"Satisfaction": "mean_life_satisfaction", "Worthwhile": "mean_worthwhile",
            "Happiness": "mean_happiness", "Anxiety": "mean_anxiety"}
CMD_MEASURES = {"life-satisfaction": "life_satisfaction", "worthwhile": "worthwhile",
                "happiness": "happiness", "anxiety": "anxiety"}
LOW_IDS = {"life_satisfaction": "low_life_satisfaction", "worthwhile": "low_worthwhile",
           "happiness": "low_happiness", "anxiety": "high_anxiety"}


def geography_of(code: str) -> str | None:
    """Our geography for a GSS code in the ONS4 files (None = not used, e.g. counties E11/E13)."""
    if level := national_level(code):
        return level
    if is_ltla_code(code):
        return "ltla"
    if code.startswith("E10"):
        return "utla"
    return None


# --------------------------------------------------------------------------- ELS means
def parse_els(path: Path, source: str) -> pd.DataFrame:
    df = read_els(path, source, MEAN_IDS)
    try:
        labels = {p: periods.from_iso_interval(p, "financial") for p in df["period"].unique()}
    except ValueError as exc:
        raise InputError(source, "column 'period'", "ISO intervals like 2011-04-01/P1Y", str(exc)) from None
    geography = {c: geography_of(c) for c in df["areacd"].unique()}
    out = pd.DataFrame({
        "metric_id": df["indicator"].map(MEAN_IDS), "area_code": df["areacd"],
        "area_name": df["areanm"], "geography": df["areacd"].map(geography), "period": df["period"].map(labels),
        "value": df["value"], "lower": df["lower"], "upper": df["upper"], "status": df["status"],
    })
    out = out[out["geography"].notna()]
    readers.check_unique(out, ["metric_id", "area_code", "period"], source, rows=out.index + 2)
    bad_ci = out["value"].notna() & ((out["lower"] > out["value"]) | (out["upper"] < out["value"])
                                     | out["lower"].isna() | out["upper"].isna())
    if bad_ci.any():
        i = out.index[np.flatnonzero(bad_ci)[0]]
        raise InputError(source, f"row {i + 2}, columns 'lci_95'/'uci_95'",
                         "a 95% CI that brackets the observation", df.loc[i, ["observation", "lci_95", "uci_95"]].to_dict())
    bad_range = out["value"].notna() & ~out["value"].between(0, 10)
    if bad_range.any():
        i = out.index[np.flatnonzero(bad_range)[0]]
        raise InputError(source, f"row {i + 2}, column 'observation'", "a mean score between 0 and 10",
                         df.loc[i, "observation"])
    return out


# --------------------------------------------------------------------------- GLA shares
GLA_SHEETS = {"Life Satisfaction": "life_satisfaction", "Worthwhile": "worthwhile",
              "Happy": "happiness", "Anxiety": "anxiety"}


def gla_band_column(measure: str) -> int:
    """Index (0-3) of the low-wellbeing band within each year's four band columns.

    Positive measures: bands run low 0-4, medium 5-6, high 7-8, very high 9-10, so 'low' is the
    first. The Anxiety sheet reprints those labels, but its columns follow the ONS anxiety bands
    very low 0-1, low 2-3, medium 4-5, high 6-10: high anxiety is the fourth column. (Checked in
    tests: the fourth column rises with the published mean anxiety; the first falls.)
    """
    return 3 if measure == "anxiety" else 0


def parse_gla(path: Path, source: str) -> pd.DataFrame:
    frames = []
    with readers.Workbook(path) as book:  # opened once for its four sheets
        names = book.sheet_names
        read = {sheet: book.sheet(sheet) for sheet in GLA_SHEETS if sheet in names}
    for sheet, measure in GLA_SHEETS.items():
        if sheet not in names:
            raise InputError(source, f"sheet {sheet!r}", f"sheets {list(GLA_SHEETS)}", names)
        d = read[sheet]
        if d.shape[0] < 3 or str(d.iat[1, 0]).strip() != "Code":
            raise InputError(source, f"sheet {sheet!r}, row 2, column A", "'Code' header", d.iat[1, 0] if d.shape[0] > 1 else None)
        years = d.iloc[0].ffill()
        band_cols: dict[str, list[int]] = {}
        for j in range(2, d.shape[1]):
            lab = d.iat[1, j]
            if isinstance(lab, str) and lab.strip():
                y = str(years.iloc[j]).strip()
                if not re.fullmatch(r"\d{4}/\d{2}", y):
                    raise InputError(source, f"sheet {sheet!r}, row 1, column {j + 1}", "a year like 2011/12", y)
                band_cols.setdefault(y, []).append(j)
        for y, cols in band_cols.items():
            if len(cols) != 4:
                raise InputError(source, f"sheet {sheet!r}, year {y}", "4 band columns", len(cols))
            col = cols[gla_band_column(measure)]
            codes = d.iloc[3:, 0]
            keep = codes.notna() & codes.astype(str).str.match(r"^[EKNSW]\d{8}$")
            rows = d.loc[keep.index[keep]]
            vals, stat = readers.to_number(rows[col], f"{source} [{sheet}]", f"{y} band {gla_band_column(measure) + 1}",
                                           row_offset=1, markers={"x": "suppressed", "": "not available"})
            # readers.to_number counts rows from 0 within `rows`; name the sheet row instead.
            frames.append(pd.DataFrame({
                "metric_id": LOW_IDS[measure], "area_code": rows[0].astype(str).str.strip().to_numpy(),
                "area_name": rows[1].astype(str).to_numpy(), "period": y.replace("/", "-"),
                "value": vals.to_numpy(), "status": stat.to_numpy(),
            }))
    out = pd.concat(frames, ignore_index=True)
    out["geography"] = out["area_code"].map(geography_of)
    bad = out["value"].notna() & ~out["value"].between(0, 100)
    if bad.any():
        raise InputError(source, "band cells", "percentages between 0 and 100", out.loc[bad].iloc[0].to_dict())
    out["note"] = "published share (GLA compilation of ONS APS); no confidence interval published"
    return out


# --------------------------------------------------------------------------- CMD shares
CMD_REQUIRED = ["Data marking", "Lower limit", "Upper limit", "yyyy-yy", "administrative-geography",
                "Geography", "measure-of-wellbeing", "wellbeing-estimate"]
CMD_MARKERS = {"": "ok", "[x]": "suppressed", "x": "suppressed", "[u]": "low reliability",
               "u": "low reliability", "[c]": "suppressed", "[z]": "not applicable"}


def parse_cmd(path: Path, source: str) -> pd.DataFrame:
    """ONS CMD wellbeing-local-authority time series -> poor-band shares and means (+CIs)."""
    df = readers.read_csv(path, required=CMD_REQUIRED)
    value_col = df.columns[0]
    if not re.fullmatch(r"[vV]\d+_\d+", value_col):
        raise InputError(source, "column 1", "the CMD value column named like 'v4_3'", value_col)
    marks = df["Data marking"].str.strip()
    bad = ~marks.isin(CMD_MARKERS)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(source, f"row {i + 2}, column 'Data marking'", f"one of {list(CMD_MARKERS)}", marks.iloc[i])
    est = df["wellbeing-estimate"].str.strip()
    keep = est.isin(["poor", "average-mean"])
    bad_est = ~est.isin(["poor", "fair", "good", "very-good", "average-mean"])
    if bad_est.any():
        i = int(np.flatnonzero(bad_est)[0])
        raise InputError(source, f"row {i + 2}, column 'wellbeing-estimate'",
                         "average-mean, poor, fair, good or very-good", est.iloc[i])
    meas = df["measure-of-wellbeing"].str.strip()
    bad_meas = ~meas.isin(CMD_MEASURES)
    if bad_meas.any():
        i = int(np.flatnonzero(bad_meas)[0])
        raise InputError(source, f"row {i + 2}, column 'measure-of-wellbeing'", f"one of {list(CMD_MEASURES)}",
                         meas.iloc[i])
    value, vstat = readers.to_number(df[value_col], source, value_col, markers={"": "missing", "x": "missing"})
    lower, _ = readers.to_number(df["Lower limit"], source, "Lower limit", markers={"": "missing", "x": "missing"})
    upper, _ = readers.to_number(df["Upper limit"], source, "Upper limit", markers={"": "missing", "x": "missing"})
    status = marks.map(CMD_MARKERS)
    status = status.where(~((status == "ok") & value.isna()), "not available")
    for i in np.flatnonzero((df["yyyy-yy"].str.strip().str.fullmatch(r"\d{4}-\d{2}") == False).to_numpy()):  # noqa: E712
        raise InputError(source, f"row {i + 2}, column 'yyyy-yy'", "a financial year like 2017-18", df["yyyy-yy"].iloc[i])
    m = meas.map(CMD_MEASURES)
    metric = np.where(est == "poor", m.map(LOW_IDS), "mean_" + m)
    out = pd.DataFrame({
        "metric_id": metric, "area_code": df["administrative-geography"].str.strip(),
        "area_name": df["Geography"], "period": df["yyyy-yy"].str.strip(),
        "value": value, "lower": lower, "upper": upper, "status": status,
    })[keep.to_numpy()]
    out["geography"] = out["area_code"].map(geography_of)
    out = out[out["geography"].notna()]
    readers.check_unique(out, ["metric_id", "area_code", "period"], source)
    return out


def check_cmd_against_els(cmd: pd.DataFrame, els: pd.DataFrame, source: str, tol: float = 0.005) -> None:
    """The CMD file's means must equal the ELS means (both ONS); name the first disagreement."""
    cm = cmd[cmd["metric_id"].str.startswith("mean_")]
    j = cm.merge(els, on=["metric_id", "area_code", "period"], suffixes=("_cmd", "_els"))
    j = j[j["value_cmd"].notna() & j["value_els"].notna()]
    diff = (j["value_cmd"] - j["value_els"]).abs() > tol
    if diff.any():
        r = j[diff].iloc[0]
        raise ConsistencyError(
            source, f"row for {r['area_code']} {r['period']} {r['metric_id']}",
            f"the same mean as {ELS} ({r['value_els']})", r["value_cmd"])


# --------------------------------------------------------------------------- entry point
def parse(ctx: Context) -> pd.DataFrame:
    els_path = ctx.path(ELS)
    els = parse_els(els_path, ELS)
    els = finalise(els.assign(note=None), source_file=ELS)
    frames = [els]
    shares = parse_gla(ctx.path(GLA), GLA)
    shares = finalise(shares, source_file=GLA)
    cmd_path = ctx.path(CMD)
    if cmd_path.exists():
        cmd = parse_cmd(cmd_path, CMD)
        check_cmd_against_els(cmd, els, CMD)
        cmd_low = finalise(cmd[~cmd["metric_id"].str.startswith("mean_")].assign(note=None), source_file=CMD)
        covered = set(zip(cmd_low["metric_id"], cmd_low["area_code"], cmd_low["period"]))
        shares = shares[[k not in covered for k in zip(shares["metric_id"], shares["area_code"], shares["period"])]]
        frames.append(cmd_low)
    frames.append(shares)
    obs = pd.concat(frames, ignore_index=True)
    return ctx.harmonise(obs, method="weighted_mean")


FETCH = [{
    "url": "https://download.ons.gov.uk/downloads/datasets/wellbeing-local-authority/editions/time-series/versions/4.csv",
    "dest": CMD,
    "note": "ONS CMD dataset wellbeing-local-authority, edition time-series, version 4 (OGL v3.0): "
            "low-wellbeing shares with 95% CIs for every local authority.",
}]
