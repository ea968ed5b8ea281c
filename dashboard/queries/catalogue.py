"""The metrics catalogue as the build wrote it, and what the build holds for each metric."""
from __future__ import annotations

import math

import pandas as pd

from dashboard.queries import grouped
from dashboard.queries.build import current, per_build, warmer

KIND_ORDER = {"headline": 0, "headline_mean": 1, "supporting": 2, "context": 3}


def metrics() -> pd.DataFrame:
    """One row per catalogue metric (read-only)."""
    return current().frame("metrics")


def _clean(v):
    return None if isinstance(v, float) and math.isnan(v) else v


@per_build
def _by_id() -> dict[str, dict]:
    m = metrics()
    if m.empty:
        return {}
    return {r["id"]: {k: _clean(v) for k, v in r.items()} for r in m.to_dict("records")}


def metric(metric_id: str | None) -> dict | None:
    """The catalogue entry of a metric (missing values as None), or None for an unknown id."""
    if not isinstance(metric_id, str):
        return None
    return _by_id().get(metric_id)


def exists(metric_id: str | None) -> bool:
    return metric(metric_id) is not None


def decimals(metric_id: str) -> int:
    d = (metric(metric_id) or {}).get("decimals")
    try:
        return int(d) if d is not None else 1  # 0 is a real answer (whole numbers), not a missing one
    except (TypeError, ValueError):
        return 1


def polarity(metric_id: str) -> str:
    return str((metric(metric_id) or {}).get("polarity") or "no_judgement")


@per_build
def titles() -> dict[str, str]:
    """metric id -> short title."""
    return {mid: (m.get("short_title") or m.get("title") or mid) for mid, m in _by_id().items()}


def title(metric_id: str) -> str:
    return titles().get(metric_id, metric_id)


@per_build
def headline() -> list[dict]:
    """The four headline measures in order: measure, label, share_id, mean_id, band,
    share_polarity, mean_polarity."""
    m = metrics()
    if m.empty or "measure" not in m:
        return []
    h = m[m["measure"].notna()]
    out = []
    for measure, g in h.groupby("measure", sort=False):
        share = g[g["role"] == "share"]
        mean = g[g["role"] == "mean"]
        if share.empty or mean.empty:
            continue
        s, mm = share.iloc[0], mean.iloc[0]
        out.append({"measure": measure, "label": mm["measure_label"], "share_id": s["id"], "mean_id": mm["id"],
                    "band": s["band"], "share_polarity": s["polarity"], "mean_polarity": mm["polarity"],
                    "order": int(min(s["sort"], mm["sort"]))})
    return sorted(out, key=lambda r: r["order"])


def share_ids() -> list[str]:
    return [h["share_id"] for h in headline()]


def mean_ids() -> list[str]:
    return [h["mean_id"] for h in headline()]


def headline_ids() -> set[str]:
    return set(share_ids()) | set(mean_ids())


def headline_of(metric_id: str) -> dict | None:
    """The headline measure a share or mean metric belongs to."""
    for h in headline():
        if metric_id in (h["share_id"], h["mean_id"]):
            return h
    return None


def share_label(h: dict) -> str:
    """'Share of adults with low feeling that things done in life are worthwhile (score 0-4)': the
    catalogue's own title of the share, never a guessed abbreviation."""
    m = metric(h["share_id"]) or {}
    title = str(m.get("title") or f"Adults with {h['label'].lower()} (score {h['band']})")
    return f"Share of {title[:1].lower()}{title[1:]}"


# ----------------------------------------------------------------------------- what the build holds
@per_build
def _periods() -> dict[str, tuple[str, ...]]:
    obs = current().frame("observations")
    if obs.empty:
        return {}
    codes = current().codes("observations")
    first = grouped.first_rows(grouped.Keys(codes["metric_id"], codes["period"]).key)
    p = obs[["metric_id", "period", "period_start"]].take(first)  # one row per metric and period
    p = p.sort_values(["metric_id", "period_start", "period"])
    return {mid: tuple(g["period"].astype(str)) for mid, g in p.groupby("metric_id", sort=False)}


def periods(metric_id: str) -> list[str]:
    """Every period the metric is published for (any geography), oldest first."""
    return list(_periods().get(metric_id, ()))


def latest_period(metric_id: str) -> str | None:
    p = _periods().get(metric_id, ())
    return p[-1] if p else None


@per_build
def all_periods() -> frozenset:
    return frozenset(p for ps in _periods().values() for p in ps)


@per_build
def _geographies() -> dict[str, tuple[str, ...]]:
    obs = current().frame("observations")
    if obs.empty:
        return {}
    codes = current().codes("observations")
    g = obs[["metric_id", "geography"]].take(grouped.first_rows(grouped.Keys(codes["metric_id"], codes["geography"]).key))
    return {mid: tuple(sorted(x["geography"])) for mid, x in g.groupby("metric_id", sort=False)}


def geographies_of(metric_id: str) -> list[str]:
    """The geographies the metric is published for."""
    return list(_geographies().get(metric_id, ()))


def has_data(metric_id: str) -> bool:
    return bool(_periods().get(metric_id))


def ordered(kinds: tuple[str, ...] | None = None) -> list[dict]:
    """Catalogue entries (optionally of some kinds) in display order: headline first, then by sort."""
    rows = [m for m in _by_id().values() if kinds is None or m.get("kind") in kinds]
    return sorted(rows, key=lambda m: (KIND_ORDER.get(m.get("kind"), 9), m.get("sort") or 999, m.get("title") or ""))


def with_data(kinds: tuple[str, ...] | None = None) -> list[dict]:
    """Catalogue entries that have values in this build, in display order."""
    return [m for m in ordered(kinds) if has_data(m["id"])]


def without_data(kinds: tuple[str, ...] | None = None) -> list[dict]:
    """Catalogue entries with no values in this build (not yet published, paused, not in this data)."""
    return [m for m in ordered(kinds) if not has_data(m["id"])]


@warmer
def _warm() -> None:
    _by_id(), titles(), headline(), _periods(), _geographies(), all_periods()
