"""ONS4 personal well-being: the mission's headline metrics.

* ELS file: means with 95% CIs, UK to every LTLA, 2011-12 to 2022-23.
* GLA workbook: published low-wellbeing shares (bands) for London boroughs, regions, nations
  and the UK, 2011-12 to 2018-19, no CIs.
* CMD `wellbeing-local-authority.csv` (optional; the fetch downloads ONS's latest version):
  shares with CIs for every area it covers. When present it is the source of the shares, its
  means must agree with the ELS means (a build-time consistency check), and it adds the means
  of periods the ELS file does not hold yet.
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
def parse_els(path: Path, source: str, drop=None) -> pd.DataFrame:
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
    # metropolitan counties and Inner/Outer London are left out and recorded; a code that
    # places nowhere (a typo) stops the build
    out = out[readers.leave_out_unused(out["area_code"], out["geography"].notna(), source, "areacd", drop=drop)]
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
            text = codes.map(lambda c: "" if c is None or (isinstance(c, float) and np.isnan(c)) else str(c).strip())
            keep = text.str.match(r"^[EKNSW]\d{8}$")
            # a non-empty code cell that is not a GSS code (a typo such as a letter O for a zero)
            # would otherwise drop its row without a word
            odd = (text != "") & ~keep
            if odd.any():
                i = odd[odd].index[0]
                raise InputError(source, f"sheet {sheet!r}, row {i + 1}, column A", "a GSS area code", text[i])
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
    nowhere = out["geography"].isna()
    if nowhere.any():
        raise InputError(source, f"area code {out.loc[nowhere, 'area_code'].iloc[0]!r}",
                         "a borough, region, nation or UK code", out.loc[nowhere, "area_code"].iloc[0])
    bad = out["value"].notna() & ~out["value"].between(0, 100)
    if bad.any():
        raise InputError(source, "band cells", "percentages between 0 and 100", out.loc[bad].iloc[0].to_dict())
    out["note"] = "published share (GLA compilation of ONS APS); no confidence interval published"
    return out


# --------------------------------------------------------------------------- CMD shares
# The ONS CMD time series `wellbeing-local-authority` (edition time-series). Layout, as
# published (checked on rows of version 4):
#   v4_3,Data marking,Lower limit,Upper limit,yyyy-yy,Time,administrative-geography,Geography,
#   measure-of-wellbeing,MeasureOfWellbeing,wellbeing-estimate,Estimate
# The first column holds the value; its name changes with the release (v4_3, v5_1, ...). A
# marked row has an empty value and its marking (e.g. "[x]") repeated in Data marking, Lower
# limit and Upper limit. Rows are unsorted; each year uses that year's LA codes; groupings the
# app has no geography for (E13 Inner/Outer London, E11 metropolitan counties) are present.
CMD_REQUIRED = ["Data marking", "Lower limit", "Upper limit", "yyyy-yy", "Time", "administrative-geography",
                "Geography", "measure-of-wellbeing", "MeasureOfWellbeing", "wellbeing-estimate", "Estimate"]
CMD_VALUE_COLUMN = re.compile(r"^[vV]\d+_\d+$")
CMD_ESTIMATES = {"average-mean", "poor", "fair", "good", "very-good"}
MARKING = re.compile(r"^\[[a-z]{1,5}\]$")
# ONS's bracketed markings (house style for tables). Those meaning "no usable estimate" become
# the row's status; any other bracketed marking without a value is "not available". A marking
# is never read as a value.
CMD_MARKING_STATUS = {"[x]": "not available", "[c]": "suppressed", "[u]": "low reliability",
                      "[z]": "not applicable"}
CMD_MARKING_TEXT = {"[x]": "not available", "[c]": "confidential, suppressed by ONS", "[u]": "low reliability",
                    "[z]": "not applicable", "[p]": "provisional", "[r]": "revised", "[e]": "estimated"}
# markings that qualify a published value rather than replace it
CMD_VALUE_NOTES = {"[p]", "[r]", "[e]", "[b]", "[f]"}
CMD_LEGACY_MARKS = {"x", "c", "u", "z"}  # older CMD releases wrote the letter without brackets


def _cmd_headline() -> dict[str, tuple[str, str]]:
    """CMD measure slug (e.g. 'life-satisfaction') -> (share id, mean id), from the catalogue."""
    from etl import catalogue

    h = catalogue.headline()
    return {m.replace("_", "-"): (s, mn) for m, s, mn in zip(h["measure"], h["share_id"], h["mean_id"])}


def _is_financial_year(label: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}", label)) and int(label[5:]) == (int(label[:4]) + 1) % 100


def _cmd_numbers(col: pd.Series, rows: np.ndarray, source: str, name: str):
    """Text cells -> (floats, bracketed marking or ''). Anything else is an error naming the row."""
    text = col.fillna("").astype(str).str.strip()
    low = text.str.lower()
    is_mark = low.str.fullmatch(MARKING.pattern).fillna(False).to_numpy()
    empty = (text == "").to_numpy()
    num = pd.to_numeric(text.where(~(is_mark | empty)), errors="coerce").to_numpy(dtype=float, copy=True)
    bad = ~(is_mark | empty) & ~np.isfinite(num)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(source, f"row {rows[i]}, column {name!r}",
                         "a number, an ONS marking in brackets such as [x] or [c], or an empty cell", text.iloc[i])
    num[is_mark | empty] = np.nan
    return num, np.where(is_mark, low.to_numpy(), "")


def parse_cmd(path: Path, source: str, ctx: Context | None = None) -> pd.DataFrame:
    """ONS CMD wellbeing-local-authority -> low-wellbeing ('poor') shares and means, with their
    published 95% CIs; markings carried as statuses (and named in the note). Groupings with no
    geography in the app are left out, counted in the manifest when `ctx` is given."""
    df = readers.read_csv(path, required=CMD_REQUIRED)
    value_col = df.columns[0]
    if not CMD_VALUE_COLUMN.fullmatch(value_col):
        raise InputError(source, "column 1", "the CMD value column, named like 'v4_3'", value_col)
    rows = np.arange(len(df)) + 2  # file row numbers (row 1 is the header)
    headline = _cmd_headline()

    marks = df["Data marking"].fillna("").astype(str).str.strip().str.lower()
    marks = marks.where(~marks.isin(CMD_LEGACY_MARKS), "[" + marks + "]")
    bad = ~(marks.eq("") | marks.str.fullmatch(MARKING.pattern).fillna(False))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(source, f"row {rows[i]}, column 'Data marking'",
                         "empty or an ONS marking in brackets such as [x], [c], [u] or [z]", df["Data marking"].iloc[i])
    est = df["wellbeing-estimate"].str.strip()
    bad = ~est.isin(CMD_ESTIMATES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(source, f"row {rows[i]}, column 'wellbeing-estimate'", ", ".join(sorted(CMD_ESTIMATES)),
                         est.iloc[i])
    meas = df["measure-of-wellbeing"].str.strip()
    bad = ~meas.isin(headline)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(source, f"row {rows[i]}, column 'measure-of-wellbeing'", f"one of {sorted(headline)}",
                         meas.iloc[i])
    period = df["yyyy-yy"].str.strip()
    ok_period = period.map({p: _is_financial_year(p) for p in period.unique()})
    if not ok_period.all():
        i = int(np.flatnonzero(~ok_period.to_numpy())[0])
        raise InputError(source, f"row {rows[i]}, column 'yyyy-yy'", "a financial year like 2017-18", period.iloc[i])
    code = df["administrative-geography"].str.strip()
    bad = ~code.str.fullmatch(r"[EKNSW]\d{8}").fillna(False)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(source, f"row {rows[i]}, column 'administrative-geography'", "a GSS code like E08000017",
                         code.iloc[i])

    # groupings the app has no geography for (Inner/Outer London, metropolitan counties, ...) are
    # left out and counted; a code that places nowhere (a typo) stops the build
    geo = code.map(geography_of)
    unused = ~readers.leave_out_unused(code, geo.notna(), source, "administrative-geography", rows=rows,
                                       drop=ctx.drop if ctx is not None else None)
    used_est = est.isin(["poor", "average-mean"]).to_numpy()
    if ctx is not None and (~used_est & ~unused).any():
        ctx.drop(source, "fair, good and very-good bands: the mission uses the low-wellbeing ('poor') share and the mean",
                 est[~used_est & ~unused].tolist())
    keep = used_est & ~unused
    df, rows, marks, est, meas, period, code, geo = (x[keep] for x in (df, rows, marks, est, meas, period, code, geo))

    value, vmark = _cmd_numbers(df[value_col], rows, source, value_col)
    lower, lmark = _cmd_numbers(df["Lower limit"], rows, source, "Lower limit")
    upper, umark = _cmd_numbers(df["Upper limit"], rows, source, "Upper limit")
    # The row's marking is in Data marking (or, failing that, in the value cell); a marking in a
    # CI cell alone means the value is published without its interval.
    row_mark = np.where(marks.to_numpy() == "", vmark, marks.to_numpy()).astype(object)
    ci_mark = np.where(lmark == "", umark, lmark).astype(object)
    has_value = np.isfinite(value)
    status = np.where(has_value, "ok", "not available").astype(object)
    note = np.full(len(df), None, dtype=object)
    for i in np.flatnonzero((row_mark != "") | (ci_mark != "") | ~has_value):
        m = row_mark[i] or ("" if has_value[i] else ci_mark[i])
        if not m:
            note[i] = "95% CI not published (ONS marking " + ci_mark[i] + ")" if ci_mark[i] else "no value published"
            continue
        note[i] = f"ONS marking {m}" + (f" ({CMD_MARKING_TEXT[m]})" if m in CMD_MARKING_TEXT else "")
        if has_value[i] and m in CMD_VALUE_NOTES:
            continue  # a qualified published value (e.g. provisional) stays 'ok'
        status[i] = CMD_MARKING_STATUS.get(m, "not available")

    is_share = (est == "poor").to_numpy()
    ids = meas.map(headline)
    metric = np.where(is_share, ids.str[0], ids.str[1])
    top = np.where(is_share, 100.0, 10.0)
    bad_range = has_value & ((value < 0) | (value > top))
    if bad_range.any():
        i = int(np.flatnonzero(bad_range)[0])
        what = "a percentage between 0 and 100" if is_share[i] else "a mean score between 0 and 10"
        raise InputError(source, f"row {rows[i]}, column {value_col!r}", what, float(value[i]))
    bad_ci = has_value & ((np.isfinite(lower) & (lower > value)) | (np.isfinite(upper) & (upper < value)))
    if bad_ci.any():
        i = int(np.flatnonzero(bad_ci)[0])
        raise InputError(source, f"row {rows[i]}, columns 'Lower limit'/'Upper limit'", "a 95% CI that brackets the value",
                         {"value": float(value[i]), "lower": float(lower[i]), "upper": float(upper[i])})
    out = pd.DataFrame({
        "metric_id": metric, "area_code": code.to_numpy(), "area_name": df["Geography"].str.strip().to_numpy(),
        "geography": geo.to_numpy(), "period": period.to_numpy(),
        "value": value, "lower": lower, "upper": upper, "status": status, "note": note,
    })
    readers.check_unique(out, ["metric_id", "area_code", "period"], source, rows=rows)
    return out


def cmd_mean_ids() -> set[str]:
    return {mean_id for _, mean_id in _cmd_headline().values()}


def check_cmd_against_els(cmd: pd.DataFrame, els: pd.DataFrame, source: str, tol: float = 0.005) -> None:
    """The CMD file's means must equal the ELS means (both ONS); name the first disagreement."""
    cm = cmd[cmd["metric_id"].isin(cmd_mean_ids())]
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
    els = parse_els(els_path, ELS, drop=ctx.drop)
    els = finalise(els.assign(note=None), source_file=ELS)
    frames = [els]
    shares = parse_gla(ctx.path(GLA), GLA)
    shares = finalise(shares, source_file=GLA)
    cmd_path = ctx.path(CMD)
    if cmd_path.exists():
        cmd = parse_cmd(cmd_path, CMD, ctx)
        counties = ctx.codes("utla", active_only=False)
        unknown = (cmd["geography"] == "utla") & ~cmd["area_code"].isin(counties)
        if unknown.any():
            r = cmd[unknown].iloc[0]
            raise InputError(CMD, f"area code {r['area_code']!r} ({r['metric_id']}, {r['period']})",
                             "a county (E10) code known to the geography lookup", r["area_code"])
        check_cmd_against_els(cmd, els, CMD)
        is_mean = cmd["metric_id"].isin(cmd_mean_ids())
        cmd_low = finalise(cmd[~is_mean], source_file=CMD)
        covered = set(zip(cmd_low["metric_id"], cmd_low["area_code"], cmd_low["period"]))
        shares = shares[[k not in covered for k in zip(shares["metric_id"], shares["area_code"], shares["period"])]]
        # Means come from the ELS file; the CMD file adds the ones it does not hold (a newer
        # release's periods), so a new period needs no code change.
        have = set(zip(els["metric_id"], els["area_code"], els["period"]))
        cmd_means = cmd[is_mean.to_numpy() & np.array([k not in have for k in zip(
            cmd["metric_id"], cmd["area_code"], cmd["period"])], dtype=bool)]
        frames += [cmd_low, finalise(cmd_means, source_file=CMD)]
    frames.append(shares)
    obs = pd.concat(frames, ignore_index=True)
    return ctx.harmonise(obs, method="weighted_mean")


# Fetch: each file's latest release, found from the publisher's own index (kinds in
# etl/fetch_discover.py). The GLA workbook is a closed compilation and is not fetched (SOURCE.md).
ELS_REPO = "ONSdigital/explore-local-statistics-data"
FETCH = [
    {"kind": "ons_api", "dataset": "wellbeing-local-authority", "edition": "time-series", "dest": CMD,
     "header": ["Data marking", "Lower limit", "Upper limit", "yyyy-yy", "administrative-geography",
                "measure-of-wellbeing", "wellbeing-estimate"],
     "note": "ONS CMD dataset wellbeing-local-authority, time series: low-wellbeing shares and means with "
             "95% CIs for every local authority (OGL v3.0)."},
    {"kind": "github_raw", "repo": ELS_REPO, "path": "personal-wellbeing-estimates/personal-wellbeing-estimates.csv",
     "dest": ELS, "header": ["areacd", "areanm", "indicator", "period", "observation", "lci_95", "uci_95", "status"],
     "note": "ONS Explore Local Statistics data: personal well-being means with 95% CIs (OGL v3.0)."},
    {"kind": "github_raw", "repo": ELS_REPO, "path": "personal-wellbeing-estimates/personal-wellbeing-estimates.json",
     "dest": "ons-wellbeing/els_personal-wellbeing-estimates.json",
     "note": "ONS's indicator metadata for the ELS file."},
]
