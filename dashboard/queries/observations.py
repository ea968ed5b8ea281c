"""Observations: by metric, by area, by period and geography, and the benchmark values.

Two tables: `observations` (every value at the geography it was published for) and `la_view`
(every metric expressed on current local authorities, with the geography each value was
published for in `native_geography` / `native_area_code`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.queries import catalogue, geometry
from dashboard.queries.build import current, per_build, warmer

TABLES = ("observations", "la_view")
ROW_COLUMNS = ["area_code", "value", "lower", "upper", "status", "note", "derived", "native_geography",
               "native_area_code"]


def table(name: str = "observations") -> pd.DataFrame:
    if name not in TABLES:
        raise ValueError(name)
    return current().frame(name)


@per_build
def _by_metric(name: str) -> dict[str, pd.DataFrame]:
    df = table(name)
    if df.empty:
        return {}
    return {k: g.reset_index(drop=True) for k, g in df.groupby("metric_id", sort=False)}


def metric_rows(metric_id: str, name: str = "observations") -> pd.DataFrame:
    """Every row of one metric (all areas, periods and geographies)."""
    got = _by_metric(name).get(metric_id)
    return got if got is not None else table(name).iloc[0:0]


@per_build
def _by_area(name: str) -> dict[str, pd.DataFrame]:
    df = table(name)
    if df.empty:
        return {}
    return {k: g for k, g in df.groupby("area_code", sort=False)}


def area_rows(code: str, name: str = "observations") -> pd.DataFrame:
    """Every row for one area code, oldest period first within each metric."""
    got = _by_area(name).get(code)
    if got is None:
        return table(name).iloc[0:0]
    return got.sort_values(["metric_id", "period_end", "period"])


def select(metric: str | None = None, geography: str | None = None, period: str | None = None,
           area: str | None = None, name: str = "observations") -> pd.DataFrame:
    """Rows matching every given filter (the public API and the downloads use this)."""
    if metric is not None:
        df = metric_rows(metric, name)
    elif area is not None:
        df = area_rows(area, name)
    else:
        df = table(name)
    mask = np.ones(len(df), dtype=bool)
    if geography is not None:
        mask &= (df["geography"] == geography).to_numpy()
    if period is not None:
        mask &= (df["period"].astype(str) == period).to_numpy()
    if area is not None:
        mask &= (df["area_code"] == area).to_numpy()
    if metric is not None and area is None and geography is None and period is None:
        return df
    return df[mask]


# ----------------------------------------------------------------------------- at a geography
def source_rows(metric_id: str, geography: str) -> pd.DataFrame:
    """All rows (every period) that can give a value to the geography's areas: the LA view for
    local authorities (so county, ICB and zone values reach their districts); the region rows and
    the nations outside England for 'region'; the geography's own rows otherwise."""
    if geography == "ltla":
        df = metric_rows(metric_id, "la_view")
        if df.empty:
            df = metric_rows(metric_id)
            df = df[df["geography"] == "ltla"]
        return df
    obs = metric_rows(metric_id)
    if obs.empty:
        return obs
    if geography == "region":
        return obs[obs["geography"].isin(["region", "country"])]
    return obs[obs["geography"] == geography]


@per_build
def published_at(metric_id: str, geography: str) -> bool:
    """Whether any value of the metric can be shown at this geography."""
    geos = set(catalogue.geographies_of(metric_id))
    if geography == "region":
        return bool({"region", "country"} & geos)
    if geography == "ltla":
        return "ltla" in geos or not metric_rows(metric_id, "la_view").empty
    return geography in geos


class PeriodFrames:
    """One metric's rows at one geography, indexed by area code, split one period at a time when
    that period is first asked for (so the first view costs the same however many periods)."""

    def __init__(self, src: pd.DataFrame):
        cols = [c for c in ROW_COLUMNS if c in src.columns]
        src = src[cols + ["period"]].copy()
        for c in ("value", "lower", "upper"):
            src[c] = pd.to_numeric(src[c], errors="coerce").astype(float)
        self._src = src
        self._pos = src.groupby(src["period"].astype(str), sort=False).indices
        self._frames: dict[str, pd.DataFrame] = {}

    def get(self, period: str) -> pd.DataFrame | None:
        got = self._frames.get(period)
        if got is None and period in self._pos:
            # two threads may both build it; the results are equal
            got = (self._src.iloc[self._pos[period]].drop(columns="period")
                   .drop_duplicates("area_code").set_index("area_code"))
            self._frames[period] = got
        return got

    def periods_with_values(self) -> set[str]:
        s = self._src
        return set(s.loc[s["value"].notna(), "period"].astype(str))

    def counts(self, codes) -> dict[str, int]:
        """Per period, how many of `codes` have a value."""
        s = self._src
        s = s[s["value"].notna() & s["area_code"].isin(list(codes))]
        return {str(k): int(v) for k, v in s.groupby(s["period"].astype(str))["area_code"].nunique().items()}


@per_build(maxsize=2048)
def period_frames(metric_id: str, geography: str) -> PeriodFrames | None:
    src = source_rows(metric_id, geography)
    return PeriodFrames(src) if not src.empty else None


def at(metric_id: str, period: str, geography: str) -> pd.DataFrame | None:
    """The metric's rows for one period at one geography, indexed by area code."""
    pf = period_frames(metric_id, geography)
    return pf.get(str(period)) if pf is not None else None


def latest_period_at(metric_id: str, geography: str) -> str | None:
    """The latest period with at least one value at the geography (else the metric's latest)."""
    periods = catalogue.periods(metric_id)
    if not periods:
        return None
    pf = period_frames(metric_id, geography)
    have = pf.periods_with_values() if pf is not None else set()
    for p in reversed(periods):
        if p in have:
            return p
    return periods[-1]


@per_build(maxsize=2048)
def coverage(metric_id: str, geography: str) -> dict[str, int]:
    """Per period, how many of the geography's map features have a value (periods with none
    left out)."""
    pf = period_frames(metric_id, geography)
    if pf is None:
        return {}
    return pf.counts(geometry.index(geography)["code"])


# ----------------------------------------------------------------------------- benchmarks
@per_build
def _benchmarks() -> dict[tuple[str, str], dict[str, tuple[float, float, float]]]:
    """(metric, period) -> {code: (value, lower, upper)} for the UK, the nations and the English
    regions, for every metric and period at once (one pass over the table)."""
    obs = table("observations")
    if obs.empty:
        return {}
    o = obs[obs["geography"].isin(["country", "uk", "region"])]
    out: dict[tuple[str, str], dict] = {}
    for m, p, c, v, lo, hi in zip(o["metric_id"], o["period"].astype(str), o["area_code"],
                                  o["value"].astype(float), o["lower"].astype(float), o["upper"].astype(float)):
        out.setdefault((m, p), {})[c] = (float(v), float(lo), float(hi))
    return out


def national_values(metric_id: str, period: str) -> dict[str, tuple[float, float, float]]:
    """(value, lower, upper) of the UK, the nations and the English regions for one period."""
    return _benchmarks().get((metric_id, str(period)), {})


def value_of(metric_id: str, period: str, code: str | None) -> tuple[float, float, float]:
    """(value, lower, upper) of a UK, nation or region code, NaNs when not published."""
    if not code:
        return (np.nan, np.nan, np.nan)
    return national_values(metric_id, str(period)).get(code, (np.nan, np.nan, np.nan))


@per_build(maxsize=4096)
def ltla_values(metric_id: str, period: str, english_only: bool) -> pd.DataFrame:
    """The LA view's rows of one metric and period with a value (optionally English areas only)."""
    d = metric_rows(metric_id, "la_view")
    if d.empty:
        return d
    d = d[(d["period"].astype(str) == period) & np.isfinite(d["value"].astype(float))]
    if english_only:
        d = d[d["area_code"].str.startswith("E")]
    return d


@per_build(maxsize=4096)
def geography_values(metric_id: str, period: str, geography: str, english_only: bool) -> np.ndarray:
    """Values published at a geography for one metric and period (optionally English areas)."""
    d = metric_rows(metric_id)
    if d.empty:
        return np.array([], float)
    d = d[(d["geography"] == geography) & (d["period"].astype(str) == period)]
    if english_only:
        d = d[d["area_code"].str.startswith("E")]
    v = d["value"].astype(float).to_numpy()
    return v[np.isfinite(v)]


# ----------------------------------------------------------------------------- spreads and periods
SPREAD_KEYS = ("min", "q25", "median", "q75", "max", "n")


def _stats(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, dict]:
    """keys -> {min, q25, median, q75, max, n} of `value` per group (quantiles as numpy's
    default, linear), in one grouped pass."""
    if frame.empty:
        return {}
    g = frame.groupby(keys, sort=False)["value"]
    q = g.quantile([0.25, 0.5, 0.75]).unstack()
    agg = pd.DataFrame({"min": g.min(), "max": g.max(), "n": g.size(), "q25": q[0.25], "median": q[0.5],
                        "q75": q[0.75]})
    out = {}
    for k, mn, mx, n, q1, md, q3 in zip(agg.index, agg["min"], agg["max"], agg["n"], agg["q25"], agg["median"],
                                        agg["q75"]):
        out[k if isinstance(k, tuple) else (k,)] = {"min": float(mn), "max": float(mx), "n": int(n), "q25": float(q1),
                                                    "median": float(md), "q75": float(q3)}
    return out


def _finite_values(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`columns` of the rows with a finite value, the value as float and the period as text."""
    d = frame[columns].copy()
    d["value"] = d["value"].astype(float)
    d = d[np.isfinite(d["value"])]
    d["period"] = d["period"].astype(str)
    return d


def _all_and_english(d: pd.DataFrame) -> tuple:
    """((False, every row), (True, the English areas' rows)): each spread is kept both ways."""
    return ((False, d), (True, d[d["area_code"].str.startswith("E")]))


@per_build
def _ltla_spreads() -> dict[tuple, dict]:
    """(metric, period, english_only) -> the spread of the distinct values published for current
    LTLAs (the LA view; a county value shared by its districts counts once)."""
    lv = table("la_view")
    if lv.empty:
        return {}
    d = _finite_values(lv, ["metric_id", "period", "area_code", "native_area_code", "value"])
    out = {}
    for english, part in _all_and_english(d):
        part = part.drop_duplicates(["metric_id", "period", "native_area_code"])
        for (m, p), r in _stats(part, ["metric_id", "period"]).items():
            out[(m, p, english)] = r
    return out


@per_build
def _geography_spreads() -> dict[tuple, dict]:
    """(metric, period, geography, english_only) -> the spread of the values published at a geography."""
    obs = table("observations")
    if obs.empty:
        return {}
    d = _finite_values(obs, ["metric_id", "period", "geography", "area_code", "value"])
    d = d.drop_duplicates(["metric_id", "period", "geography", "area_code"])
    out = {}
    for english, part in _all_and_english(d):
        for (m, p, g), r in _stats(part, ["metric_id", "period", "geography"]).items():
            out[(m, p, g, english)] = r
    return out


def spread(metric_id: str, period: str, geography: str = "ltla", english_only: bool = False) -> dict | None:
    """min, q25, median, q75, max, n of one metric and period: for 'ltla' the distinct values reaching current LTLAs, otherwise the values published at
    the geography; optionally English areas only. None when there is no value."""
    if geography == "ltla":
        return _ltla_spreads().get((metric_id, str(period), bool(english_only)))
    return _geography_spreads().get((metric_id, str(period), geography, bool(english_only)))


@per_build
def _ltla_series() -> dict[tuple[str, str], dict[str, float]]:
    """(metric, period) -> {current LTLA code: the LA view's value} (one per area)."""
    lv = table("la_view")
    if lv.empty:
        return {}
    d = lv[["metric_id", "period", "area_code", "value"]].copy()
    d["value"] = d["value"].astype(float)
    d = d[np.isfinite(d["value"])].drop_duplicates(["metric_id", "period", "area_code"])
    out: dict[tuple[str, str], dict[str, float]] = {}
    for m, p, c, v in zip(d["metric_id"], d["period"].astype(str), d["area_code"], d["value"]):
        out.setdefault((m, p), {})[c] = float(v)
    return out


def group_mean(metric_id: str, period: str, codes) -> tuple[float, int]:
    """(unweighted mean, number of areas with a value) of the LA view's values of some current LTLAs."""
    vals = _ltla_series().get((metric_id, str(period)))
    if not vals:
        return (np.nan, 0)
    got = [vals[c] for c in codes if c in vals]
    return (float(np.mean(got)), len(got)) if got else (np.nan, 0)


@per_build
def _latest_periods() -> dict[tuple[str, str], tuple[str, pd.Timestamp]]:
    """(metric, geography) -> (latest period with a value, its end date): 'ltla' from the LA view
    (what reaches local authorities), other geographies from their own rows."""
    out = {}
    for name, geo_col in (("la_view", None), ("observations", "geography")):
        t = table(name)
        if t.empty:
            continue
        d = t[np.isfinite(t["value"].astype(float))]
        cols = ["metric_id"] + ([geo_col] if geo_col else [])
        last = d.sort_values("period_end").groupby(cols, sort=False).tail(1)
        for r in last[cols + ["period", "period_end"]].itertuples(index=False):
            key = (r[0], r[1] if geo_col else "ltla")
            if geo_col and key[1] == "ltla":
                continue  # the LA view speaks for local authorities
            out[key] = (str(r.period), pd.Timestamp(r.period_end))
    return out


def latest_with_value(metric_id: str, geography: str) -> tuple[str, pd.Timestamp] | None:
    """(period, period end) of the latest period with any value for areas of a geography."""
    return _latest_periods().get((metric_id, geography))


@warmer
def _warm() -> None:
    for name in TABLES:
        _by_metric(name), _by_area(name)
    _benchmarks(), _ltla_spreads(), _geography_spreads(), _ltla_series(), _latest_periods()


def metric_rows_for(metric_ids: list[str], name: str = "observations") -> pd.DataFrame:
    """Every row of several metrics."""
    frames = [metric_rows(m, name) for m in metric_ids]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else table(name).iloc[0:0]
