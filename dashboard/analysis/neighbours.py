"""Nearest neighbours of a local authority on the bundled context indicators.

Method (shown on the Compare and Data-and-methods pages):
* Indicators: a fixed list of bundled socio-economic context indicators, used when present in
  the build: gross disposable household income per head, children in relative poverty (before
  housing costs), the claimant count rate, median gross weekly pay, and female and male
  healthy life expectancy. Each is taken at its latest period with values for at least 80%
  of current LTLAs (the period is stated with the result). An indicator published for counties
  reaches districts as the county value (see the LA view), so districts of one county look
  alike on it.
* If fewer than two of them are in the build, the four ONS4 mean scores of the latest period
  are used instead, and the page says so (a well-being similarity, not a socio-economic one).
* Each indicator is standardised across current LTLAs (z = (x - mean) / SD). The distance
  between two LTLAs is the Euclidean distance over the indicators both have, scaled by
  sqrt(k / k_shared) so that a missing indicator does not make areas look closer; an area
  must share at least half of the indicators with the target to be a candidate.
* The k (default 10) smallest distances are the nearest neighbours. This is a transparent,
  reproducible similarity on open data; it is NOT the CIPFA nearest-neighbours model.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import queries as q

CONTEXT_INDICATORS = [
    "gdhi_per_head",
    "child_poverty_bhc",
    "claimant_count_rate",
    "median_weekly_pay_all",
    "healthy_life_expectancy_female",
    "healthy_life_expectancy_male",
]
FALLBACK_INDICATORS = ["mean_life_satisfaction", "mean_worthwhile", "mean_happiness", "mean_anxiety"]
MIN_COVERAGE = 0.8


def _best_period(d: pd.DataFrame | None, n_ltla: int) -> str | None:
    """The latest period in one indicator's rows with values for enough current LTLAs."""
    if d is None or d.empty:
        return None
    d = d[np.isfinite(d["value"].astype(float))]
    if d.empty:
        return None
    cov = d.groupby(["period", "period_end"]).size().reset_index(name="n").sort_values("period_end")
    good = cov[cov["n"] >= MIN_COVERAGE * max(n_ltla, 1)]
    return str(good["period"].iloc[-1]) if not good.empty else None


def indicator_matrix(la_view: pd.DataFrame, areas: pd.DataFrame,
                     indicators: list[str] | None = None) -> tuple[pd.DataFrame, list[dict], bool]:
    """(matrix LTLA x indicator of standardised values, [{metric_id, period}], used_fallback)."""
    ltla = areas[(areas["geography"] == "ltla") & areas["active"].astype(bool)]["code"]
    n = len(ltla)
    candidates = list(indicators or CONTEXT_INDICATORS) + ([] if indicators else FALLBACK_INDICATORS)
    by_metric: dict[str, pd.DataFrame] = {}
    if not la_view.empty:
        lv = la_view[la_view["metric_id"].isin(candidates)]  # a few metrics of many: select them first
        lv = lv[lv["area_code"].isin(ltla)]
        by_metric = {str(m): g for m, g in lv.groupby("metric_id", sort=False)}
    used_fallback = False

    def pick(cands):
        chosen = []
        for m in cands:
            p = _best_period(by_metric.get(m), n)
            if p:
                chosen.append({"metric_id": m, "period": p})
        return chosen

    chosen = pick(indicators or CONTEXT_INDICATORS)
    if len(chosen) < 2 and indicators is None:
        chosen = pick(FALLBACK_INDICATORS)
        used_fallback = True
    if not chosen:
        return pd.DataFrame(index=pd.Index([], name="area_code")), [], used_fallback
    cols = {}
    for c in chosen:
        d = by_metric[c["metric_id"]]
        d = d[d["period"] == c["period"]]
        s = d.drop_duplicates("area_code").set_index("area_code")["value"].astype(float)
        sd = s.std(ddof=0)
        cols[c["metric_id"]] = (s - s.mean()) / (sd if sd and np.isfinite(sd) else 1.0)
    mat = pd.DataFrame(cols).reindex(ltla.tolist())
    mat.index.name = "area_code"
    return mat, chosen, used_fallback


def distances(mat: pd.DataFrame, code: str) -> pd.Series:
    """Scaled Euclidean distance from `code` to every other LTLA (NaN when too few shared)."""
    if code not in mat.index or mat.empty:
        return pd.Series(dtype=float)
    x = mat.loc[code].to_numpy(float)
    y = mat.to_numpy(float)
    both = np.isfinite(x)[None, :] & np.isfinite(y)
    k = mat.shape[1]
    shared = both.sum(axis=1)
    sq = np.where(both, (y - x[None, :]) ** 2, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.sqrt(sq * k / shared)
    d[shared < max(1, int(np.ceil(k / 2)))] = np.nan
    out = pd.Series(d, index=mat.index, name="distance")
    return out.drop(index=code)


def nearest_from(mat: pd.DataFrame, names: dict, code: str, k: int = 10) -> pd.DataFrame:
    """The k nearest LTLAs in an indicator matrix: DataFrame(area_code, area_name, distance, rank)."""
    d = distances(mat, code).dropna().sort_values(kind="mergesort").head(k)
    out = pd.DataFrame({"area_code": d.index, "area_name": [names.get(c, c) for c in d.index], "distance": d.to_numpy()})
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def nearest_neighbours(la_view: pd.DataFrame, areas: pd.DataFrame, code: str, k: int = 10,
                       indicators: list[str] | None = None) -> tuple[pd.DataFrame, list[dict], bool]:
    """The k nearest LTLAs: DataFrame(area_code, area_name, distance, rank), the indicators
    used (with periods) and whether the fallback indicators were used."""
    mat, used, fb = indicator_matrix(la_view, areas, indicators)
    names = dict(zip(areas["code"], areas["name"]))
    return nearest_from(mat, names, code, k), used, fb


@q.per_build
def _build_matrix() -> tuple[pd.DataFrame, list[dict], bool]:
    return indicator_matrix(q.observations.table("la_view"), q.areas.areas())


def neighbours_of(code: str, k: int = 10) -> tuple[pd.DataFrame, list[dict], bool]:
    """Nearest neighbours on this build's indicators (the matrix is computed once per build)."""
    mat, used, fb = _build_matrix()
    return nearest_from(mat, {}, code, k).assign(area_name=lambda d: d["area_code"].map(q.areas.name)), used, fb


@q.build.warmer
def _warm() -> None:
    _build_matrix()


def describe(used: list[dict], fallback: bool, titles: dict | None = None) -> str:
    titles = titles or {}
    if not used:
        return "No indicators are available in this build to find similar areas."
    parts = ", ".join(f"{titles.get(u['metric_id'], u['metric_id'])} ({u['period']})" for u in used)
    lead = ("Similarity on the four ONS4 mean scores (no socio-economic context indicators are in this "
            "build): " if fallback else "Similarity on bundled context indicators: ")
    return (lead + parts + ". Euclidean distance on values standardised across current local authorities; "
            "not the CIPFA nearest-neighbours model.")
