"""The mission's own tables, as the build computed them (see the methods text)."""
from __future__ import annotations

import pandas as pd

from dashboard.queries.build import current, per_build, warmer


def gap() -> pd.DataFrame:
    """Worst third against the rest: one row per period (and the 2017-19 baseline) and measure."""
    return current().frame("mission_gap")


def ltla() -> pd.DataFrame:
    """Each ranked LTLA per period: worst measure, percentiles, rank, worst-third membership."""
    return current().frame("mission_ltla")


def regions() -> pd.DataFrame:
    """Change since the 2018-19 baseline for the UK, the nations and the English regions."""
    return current().frame("mission_regions")


def unranked() -> pd.DataFrame:
    """Current LTLAs that could not be ranked in a period, with the reason (when the build has it)."""
    return current().frame("mission_unranked")


def basis() -> str:
    """'shares' or 'means': what the mission's LTLA measures were computed from."""
    g = gap()
    if not g.empty and "basis" in g:
        vals = g["basis"].dropna().unique().tolist()
        if "shares" in vals:
            return "shares"
        if vals:
            return str(vals[0])
    return "shares" if "shares" in (current().manifest.get("mission_basis") or []) else "means"


@per_build
def _ltla_by_area() -> dict[str, pd.DataFrame]:
    m = ltla()
    if m.empty:
        return {}
    return {k: g for k, g in m.groupby("area_code", sort=False)}


def ltla_rows(code: str) -> pd.DataFrame:
    """Every period's mission row for one LTLA (empty if it was never ranked)."""
    got = _ltla_by_area().get(code)
    return got if got is not None else ltla().iloc[0:0]


@per_build
def ltla_periods() -> list[str]:
    """Periods with a worst-third ranking (baseline excluded), oldest first."""
    m = ltla()
    if m.empty:
        return []
    return sorted(m[~m["is_baseline"].astype(bool)]["period"].astype(str).unique().tolist())


def ltla_period(period: str) -> pd.DataFrame:
    m = ltla()
    if m.empty:
        return m
    m = m[(m["period"].astype(str) == period) & ~m["is_baseline"].astype(bool)]
    if "basis" in m and (m["basis"] == "shares").any():
        m = m[m["basis"] == "shares"]
    return m


def gap_sensitivity() -> pd.DataFrame:
    """The adjusted gap and its change under each assumed sampling-error correlation (0, 0.3, 0.6),
    per period and measure; `central` marks the assumption the headline figures use."""
    return current().frame("mission_gap_sensitivity")


def model() -> pd.DataFrame:
    """The small-area model's diagnostics per measure and year: variance components, reliabilities."""
    return current().frame("mission_model")


def survey_mode() -> pd.DataFrame:
    """Per period: before, partly or after the March 2020 change of interview mode, with a note and
    the ONS source that documents it."""
    return current().frame("mission_survey_mode")


@per_build
def survey_mode_by_period() -> dict[str, dict]:
    """`survey_mode()` as {period: row}."""
    m = survey_mode()
    if m.empty:
        return {}
    return {str(r["period"]): r for r in m.to_dict("records")}


def _baseline_first(df: pd.DataFrame) -> list[dict]:
    return df.assign(_o=(~df["is_baseline"].astype(bool)).astype(int)).sort_values(["_o", "period"]).drop(
        columns="_o").to_dict("records")


# Rows as records, split the way the overview reads them (shared: callers must not modify them).
@per_build
def gap_by_metric() -> dict[str, list[dict]]:
    """`gap()` by measure ('overall' and each headline measure): the baseline row first, then every
    year in order."""
    g = gap()
    if g.empty:
        return {}
    return {m: _baseline_first(x) for m, x in g.groupby("metric_id", sort=False)}


@per_build
def gap_sensitivity_by_metric() -> dict[str, list[dict]]:
    """`gap_sensitivity()` by measure, the baseline rows first."""
    s = gap_sensitivity()
    if s.empty:
        return {}
    return {m: _baseline_first(x) for m, x in s.groupby("metric_id", sort=False)}


@per_build
def unranked_by_period() -> dict[str, list[dict]]:
    """`unranked()` by period (the baseline under its own label), in area-name order."""
    u = unranked()
    if u.empty:
        return {}
    return {str(p): x.sort_values("area_name").to_dict("records") for p, x in u.groupby("period", sort=False)}


@per_build
def regions_by_period() -> dict[str, list[dict]]:
    """`regions()` by the year compared with 2018-19 (oldest first)."""
    r = regions()
    if r.empty:
        return {}
    return {str(p): x.to_dict("records") for p, x in sorted(r.groupby(r["period"].astype(str)), key=lambda kv: kv[0])}


@per_build
def measure_ranks(period: str) -> pd.DataFrame:
    """Each ranked LTLA's rank on each headline measure on its own in a period (1 = worst), from
    the measure's worseness percentile `pct_<metric>`, indexed by area code: rank_<metric> (the
    best place an area tied on the same published value shares) and rankmax_<metric> (the last)."""
    m = ltla_period(str(period))
    if m.empty:
        return pd.DataFrame()
    m = m.set_index("area_code")
    cols = [c for c in m.columns if c.startswith("pct_")]
    out = {}
    for c in cols:
        out[f"rank_{c[4:]}"] = m[c].rank(ascending=False, method="min")
        out[f"rankmax_{c[4:]}"] = m[c].rank(ascending=False, method="max")
    return pd.DataFrame(out).astype("Int64")


@warmer
def _warm() -> None:
    """The overview's tables, split as it reads them: its first view in each worker then costs
    the rendering only."""
    gap_by_metric(), gap_sensitivity_by_metric(), unranked_by_period(), regions_by_period(), survey_mode_by_period()
