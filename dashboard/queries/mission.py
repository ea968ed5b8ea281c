"""The mission's own tables, as the build computed them (see the methods text)."""
from __future__ import annotations

import pandas as pd

from dashboard.queries.build import current, per_build


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
