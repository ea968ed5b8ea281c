"""Observations: by metric, by area, by period and geography, and the benchmark values.

Two tables: `observations` (every value at the geography it was published for) and `la_view`
(every metric expressed on current local authorities, with the geography each value was
published for in `native_geography` / `native_area_code`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.queries import catalogue, geometry, grouped
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
def _area_positions(name: str) -> dict[str, np.ndarray]:
    """Area code -> the table's row positions for that area (rows are taken when asked for)."""
    if table(name).empty:
        return {}
    area = current().codes(name)["area_code"]
    order = np.argsort(area.codes, kind="stable")
    cuts = np.flatnonzero(np.diff(area.codes[order])) + 1
    return {str(area.values[area.codes[part[0]]]): part
            for part in np.split(order, cuts) if len(part) and area.codes[part[0]] >= 0}


def area_rows(code: str, name: str = "observations") -> pd.DataFrame:
    """Every row for one area code, oldest period first within each metric."""
    pos = _area_positions(name).get(code)
    if pos is None:
        return table(name).iloc[0:0]
    return table(name).take(pos).sort_values(["metric_id", "period_end", "period"])


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
        src = src[cols + ["period"]]
        for c in ("value", "lower", "upper"):
            if src[c].dtype != np.float64:
                src[c] = pd.to_numeric(src[c], errors="coerce").astype(float)
        self._src = src
        period = src["period"]
        self._pos = src.groupby(period if period.dtype == object else period.astype(str), sort=False).indices
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
# Computed once per build on the text columns' integer codes (see `grouped`): the same figures as
# grouping the strings with pandas, in a small fraction of the start-up time.


@per_build
def _finite(name: str) -> tuple[dict, np.ndarray, np.ndarray]:
    """(the table's coded text columns, its values as float, the rows with a finite value), once
    per build for the summaries below."""
    t = table(name)
    values = t["value"].to_numpy(dtype=float)
    return current().codes(name), values, np.flatnonzero(np.isfinite(values))


def _english(codes: dict, rows: np.ndarray) -> np.ndarray:
    return rows[codes["area_code"].where(lambda c: str(c).startswith("E"))[rows]]


def _spread_dict(keys: grouped.Keys, rows: np.ndarray, values: np.ndarray, columns: list, english: bool,
                 out: dict) -> None:
    ks, st = grouped.spreads(keys.key[rows], values[rows])
    parts = keys.split(ks)
    labels = [c.values[p] for c, p in zip(columns, parts)]
    for i, lab in enumerate(zip(*labels)):
        out[tuple(str(x) for x in lab) + (english,)] = {
            "min": float(st["min"][i]), "max": float(st["max"][i]), "n": int(st["n"][i]),
            "q25": float(st["q25"][i]), "median": float(st["median"][i]), "q75": float(st["q75"][i])}


@per_build
def _ltla_spreads() -> dict[tuple, dict]:
    """(metric, period, english_only) -> the spread of the distinct values published for current
    LTLAs (the LA view; a county value shared by its districts counts once)."""
    if table("la_view").empty:
        return {}
    codes, values, rows = _finite("la_view")
    group = [codes["metric_id"], codes["period"]]
    keys, distinct = grouped.Keys(*group), grouped.Keys(*group, codes["native_area_code"])
    out: dict[tuple, dict] = {}
    for english, part in ((False, rows), (True, _english(codes, rows))):
        part = part[grouped.first_rows(distinct.key[part])]  # one value per published area
        _spread_dict(keys, part, values, group, english, out)
    return out


@per_build
def _geography_spreads() -> dict[tuple, dict]:
    """(metric, period, geography, english_only) -> the spread of the values published at a geography."""
    if table("observations").empty:
        return {}
    codes, values, rows = _finite("observations")
    group = [codes["metric_id"], codes["period"], codes["geography"]]
    keys = grouped.Keys(*group)
    rows = rows[grouped.first_rows(grouped.Keys(*group, codes["area_code"]).key[rows])]
    out: dict[tuple, dict] = {}
    for english, part in ((False, rows), (True, _english(codes, rows))):
        _spread_dict(keys, part, values, group, english, out)
    return out


def spread(metric_id: str, period: str, geography: str = "ltla", english_only: bool = False) -> dict | None:
    """min, q25, median, q75, max, n of one metric and period: for 'ltla' the distinct values
    reaching current LTLAs, otherwise the values published at the geography; optionally English
    areas only. None when there is no value."""
    if geography == "ltla":
        return _ltla_spreads().get((metric_id, str(period), bool(english_only)))
    return _geography_spreads().get((metric_id, str(period), geography, bool(english_only)))


@per_build
def _ltla_series() -> dict[tuple[str, str], dict[str, float]]:
    """(metric, period) -> {current LTLA code: the LA view's value} (one per area)."""
    if table("la_view").empty:
        return {}
    codes, values, rows = _finite("la_view")
    m, p, a = codes["metric_id"], codes["period"], codes["area_code"]
    rows = rows[grouped.first_rows(grouped.Keys(m, p, a).key[rows])]
    out: dict[tuple[str, str], dict[str, float]] = {}
    for mi, pi, ci, v in zip(m.codes[rows].tolist(), p.codes[rows].tolist(), a.codes[rows].tolist(),
                             values[rows].tolist()):
        out.setdefault((m.values[mi], p.values[pi]), {})[a.values[ci]] = v
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
    for name in ("la_view", "observations"):
        t = table(name)
        if t.empty:
            continue
        codes, _, rows = _finite(name)
        ends = t["period_end"].to_numpy()
        rows = rows[np.argsort(ends[rows], kind="stable")]  # the latest end last, ties in row order
        by = [codes["metric_id"]] + ([codes["geography"]] if name == "observations" else [])
        rows = rows[grouped.last_rows(grouped.Keys(*by).key[rows])]
        period = codes["period"]
        for r in rows.tolist():
            geo = codes["geography"].values[codes["geography"].codes[r]] if name == "observations" else "ltla"
            key = (codes["metric_id"].values[codes["metric_id"].codes[r]], geo)
            if name == "observations" and geo == "ltla":
                continue  # the LA view speaks for local authorities
            out[key] = (str(period.values[period.codes[r]]), pd.Timestamp(ends[r]))
    return out


def latest_with_value(metric_id: str, geography: str) -> tuple[str, pd.Timestamp] | None:
    """(period, period end) of the latest period with any value for areas of a geography."""
    return _latest_periods().get((metric_id, geography))


@warmer
def _warm() -> None:
    for name in TABLES:
        _by_metric(name), _area_positions(name)
    _benchmarks(), _ltla_spreads(), _geography_spreads(), _ltla_series(), _latest_periods()


def metric_rows_for(metric_ids: list[str], name: str = "observations") -> pd.DataFrame:
    """Every row of several metrics."""
    frames = [metric_rows(m, name) for m in metric_ids]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else table(name).iloc[0:0]
