"""The mission overview's view model, from the build's mission tables.

* Headline measures for the UK: latest period against the 2019 baseline (financial year 2018-19),
  with 95% CIs and the significance call the build made (`mission_regions`).
* The gap tracker: the worst third of local authorities against the rest, per period, against the
  2017-19 baseline (financial years 2016-17 to 2018-19), from `mission_gap`.
* The region and nation scorecard of change since 2019, from `mission_regions`.

The table helpers take frames (unit-tested on small ones); the `*_view` functions are the one call
each overview callback makes. Nothing here invents values: empty inputs give empty outputs.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard import queries as q
from dashboard.formatting import interval, number, signed
from dashboard.queries import vocabulary as vocab
from dashboard.viewmodel import Notice

VERDICT_ARROWS = {"significantly improved": "\u2714", "significantly worse": "\u2716",
                  "no significant change": "\u2013"}
GAP_VERDICTS = {"widened": "Gap wider than the 2017-19 baseline",
                "narrowed": "Gap narrower than the 2017-19 baseline",
                "no significant change": "No significant change in the gap from the 2017-19 baseline"}


def _num(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def headline_order() -> list[str]:
    """Mean metrics then share metrics, in the catalogue's order."""
    return q.catalogue.mean_ids() + q.catalogue.share_ids()


def latest_period(regions: pd.DataFrame) -> str | None:
    return periods(regions)[-1] if periods(regions) else None


def periods(regions: pd.DataFrame) -> list[str]:
    if regions is None or regions.empty:
        return []
    return sorted(regions["period"].astype(str).unique())


def _attr(metrics: pd.DataFrame, col: str) -> dict:
    if metrics is None or metrics.empty or col not in metrics:
        return {}
    return dict(zip(metrics["id"], metrics[col]))


def titles_of(metrics: pd.DataFrame) -> dict:
    if metrics is None or metrics.empty:
        return {}
    return dict(zip(metrics["id"], metrics["short_title"].fillna(metrics["title"])))


def headline_uk(regions: pd.DataFrame, metrics: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """One row per headline measure for the UK: baseline and latest value with CIs, the change
    with its CI and the significance verdict."""
    cols = ["metric_id", "measure", "unit", "polarity", "decimals", "baseline_period", "baseline_value",
            "baseline_lower", "baseline_upper", "period", "value", "lower", "upper", "change",
            "change_lower", "change_upper", "significant", "verdict", "basis"]
    if regions is None or regions.empty:
        return pd.DataFrame(columns=cols)
    uk = regions[regions["geography"] == "uk"]
    if uk.empty:
        return pd.DataFrame(columns=cols)
    period = period or latest_period(uk)
    uk = uk[uk["period"].astype(str) == period]
    titles, units = titles_of(metrics), _attr(metrics, "unit")
    pol, dec = _attr(metrics, "polarity"), _attr(metrics, "decimals")
    order = {m: i for i, m in enumerate(headline_order())}
    uk = uk.assign(_o=uk["metric_id"].map(order).fillna(99)).sort_values("_o")
    out = pd.DataFrame({
        "metric_id": uk["metric_id"], "measure": uk["metric_id"].map(titles).fillna(uk["metric_id"]),
        "unit": uk["metric_id"].map(units).fillna(""), "polarity": uk["metric_id"].map(pol).fillna("no_judgement"),
        "decimals": uk["metric_id"].map(dec).fillna(2).astype(int),
    })
    for c in cols[5:]:
        if c in uk:
            out[c] = uk[c].to_numpy()
    return out.reset_index(drop=True)[[c for c in cols if c in out.columns]]


def gap_series(gap: pd.DataFrame, metric_id: str = "overall") -> pd.DataFrame:
    """Per-period rows for one metric (or 'overall'), baseline excluded, oldest first."""
    if gap is None or gap.empty:
        return pd.DataFrame()
    g = gap[(gap["metric_id"] == metric_id) & (~gap["is_baseline"].astype(bool))]
    return g.sort_values("period").reset_index(drop=True)


def gap_baseline(gap: pd.DataFrame, metric_id: str = "overall") -> pd.Series | None:
    if gap is None or gap.empty:
        return None
    b = gap[(gap["metric_id"] == metric_id) & (gap["is_baseline"].astype(bool))]
    return None if b.empty else b.iloc[0]


def gap_metrics(gap: pd.DataFrame) -> list[str]:
    if gap is None or gap.empty:
        return []
    ids = gap["metric_id"].unique().tolist()
    return (["overall"] if "overall" in ids else []) + [m for m in ids if m != "overall"]


def gap_verdict(gap: pd.DataFrame, metric_id: str = "overall") -> dict:
    """The latest period's call against the 2017-19 baseline, as data and one plain sentence."""
    s = gap_series(gap, metric_id)
    if s.empty:
        return {"verdict": None, "sentence": "The gap cannot be computed from this data.", "period": None}
    last = s.iloc[-1]
    base = gap_baseline(gap, metric_id)
    unit = "SD" if str(last.get("unit", "")).startswith("baseline SD") else "points"
    verdict = str(last.get("verdict") or "")
    what = GAP_VERDICTS.get(verdict, "Gap compared with the 2017-19 baseline")
    change = _num(last.get("change"))
    lo, hi = _num(last.get("change_lower")), _num(last.get("change_upper"))
    sentence = (f"{what}: {signed(change)} {unit} (95% interval {interval(lo, hi, 2, sign=True)}) in "
                f"{last['period']}.")
    if base is not None:
        sentence += (f" The gap was {number(last['gap'], 2)} {unit} in {last['period']} against "
                     f"{number(base['gap'], 2)} {unit} at the baseline.")
    if unit == "points" and _num(last["gap"]) < 0:
        sentence += (" For means where higher is better the gap is negative (the worst third scores lower), "
                     "so a more negative gap is wider.")
    return {"verdict": verdict, "sentence": sentence, "period": str(last["period"]), "change": change,
            "change_lower": lo, "change_upper": hi, "gap": _num(last["gap"]),
            "baseline_gap": _num(base["gap"]) if base is not None else float("nan")}


def gap_table(gap: pd.DataFrame, metric_id: str, titles: dict | None = None) -> pd.DataFrame:
    """The gap tracker's table alternative (baseline first, then every period)."""
    if gap is None or gap.empty:
        return pd.DataFrame()
    g = gap[gap["metric_id"] == metric_id].copy()
    g["_o"] = (~g["is_baseline"].astype(bool)).astype(int)
    g = g.sort_values(["_o", "period"])
    out = pd.DataFrame({
        "period": g["period"], "baseline": np.where(g["is_baseline"].astype(bool), "2017-19 baseline", ""),
        "measure": (titles or {}).get(metric_id, metric_id) if metric_id != "overall"
        else "Overall gap (worst-performing measure, baseline SDs)",
        "basis": g["basis"], "n_ranked": g["n_ranked"], "n_worst_third": g["n_worst_third"],
        "worst_third_mean": g["worst_third_mean"].round(3), "rest_mean": g["rest_mean"].round(3),
        "gap": g["gap"].round(3), "gap_lower_95": g["gap_lower"].round(3), "gap_upper_95": g["gap_upper"].round(3),
        "unit": g["unit"], "change_from_baseline": g["change"].round(3),
        "change_lower_95": g["change_lower"].round(3), "change_upper_95": g["change_upper"].round(3),
        "verdict": g["verdict"],
    })
    return out.reset_index(drop=True)


def area_order(regions: pd.DataFrame) -> list[str]:
    """UK, England, England's regions (in code order), then the other nations."""
    if regions is None or regions.empty:
        return []
    codes = regions["area_code"].unique().tolist()
    eng = vocab.england_code()
    regs = sorted(c for c in codes if regions.loc[regions["area_code"] == c, "geography"].iloc[0] == "region")
    others = [c for c in vocab.nation_codes() if c != eng]
    order = [vocab.uk_code(), eng] + regs + others
    return [c for c in order if c in codes] + [c for c in codes if c not in order]


def cell_text(row, dec: int = 2) -> str:
    verdict = str(row.get("verdict") or "not assessed")
    mark = VERDICT_ARROWS.get(verdict, "")
    arrow = ""
    ch = _num(row.get("change"))
    if math.isfinite(ch):
        arrow = "\u2191 " if ch > 0 else ("\u2193 " if ch < 0 else "\u2192 ")
    return (f"{mark} {verdict[0].upper() + verdict[1:]}: {arrow}{signed(ch, dec)} "
            f"({interval(row.get('change_lower'), row.get('change_upper'), dec, sign=True)})").strip()


def scorecard(regions: pd.DataFrame, metrics: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """Rows = UK, nations and regions; one text column per headline measure (verdict, arrow for
    the direction of the change, change and its 95% CI)."""
    if regions is None or regions.empty:
        return pd.DataFrame()
    period = period or latest_period(regions)
    r = regions[regions["period"].astype(str) == period]
    titles, dec = titles_of(metrics), _attr(metrics, "decimals")
    names = dict(zip(regions["area_code"], regions["area_name"]))
    metric_ids = [m for m in headline_order() if m in set(r["metric_id"])]
    rows = []
    for code in area_order(r):
        row = {"area_code": code, "area": names.get(code, code)}
        sub = r[r["area_code"] == code].set_index("metric_id")
        for m in metric_ids:
            row[titles.get(m, m)] = cell_text(sub.loc[m], int(dec.get(m, 2) or 2)) if m in sub.index else "no value"
        rows.append(row)
    return pd.DataFrame(rows)


def scorecard_long(regions: pd.DataFrame, metrics: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """The scorecard as a tidy table for the CSV download."""
    if regions is None or regions.empty:
        return pd.DataFrame()
    period = period or latest_period(regions)
    r = regions[regions["period"].astype(str) == period].copy()
    order = {c: i for i, c in enumerate(area_order(r))}
    r["_o"] = r["area_code"].map(order)
    r["measure"] = r["metric_id"].map(titles_of(metrics)).fillna(r["metric_id"])
    keep = ["area_code", "area_name", "geography", "metric_id", "measure", "basis", "baseline_period",
            "baseline_value", "baseline_lower", "baseline_upper", "period", "value", "lower", "upper",
            "change", "change_lower", "change_upper", "z", "significant", "verdict"]
    return r.sort_values(["_o", "metric_id"])[[c for c in keep if c in r.columns]].reset_index(drop=True)


def change_frame(regions: pd.DataFrame, metric_id: str, period: str | None = None) -> pd.DataFrame:
    """Change since the 2019 baseline with its CI for one measure, by area (for the CI-bar chart)."""
    if regions is None or regions.empty:
        return pd.DataFrame()
    period = period or latest_period(regions)
    r = regions[(regions["period"].astype(str) == period) & (regions["metric_id"] == metric_id)]
    order = {c: i for i, c in enumerate(area_order(r))}
    r = r.assign(_o=r["area_code"].map(order)).sort_values("_o")
    cols = ["area_code", "area_name", "geography", "baseline_value", "value", "change", "change_lower",
            "change_upper", "significant", "verdict"]
    return r[[c for c in cols if c in r.columns]].reset_index(drop=True)


def verdict_counts(regions: pd.DataFrame, period: str | None = None) -> dict:
    """How many region/nation x measure cells are significantly improved / worse / unchanged."""
    if regions is None or regions.empty:
        return {}
    period = period or latest_period(regions)
    r = regions[(regions["period"].astype(str) == period) & (regions["geography"] != "uk")]
    return r["verdict"].value_counts().to_dict()


def uk_shares(observations: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Published low-wellbeing shares for the UK (the mission's own headline metrics), by period."""
    if observations is None or observations.empty:
        return pd.DataFrame()
    share_ids = q.catalogue.share_ids()
    o = observations[(observations["geography"] == "uk") & observations["metric_id"].isin(share_ids)]
    if o.empty:
        return pd.DataFrame()
    order = {m: i for i, m in enumerate(share_ids)}
    o = o.assign(_o=o["metric_id"].map(order)).sort_values(["_o", "period"])
    return pd.DataFrame({"metric_id": o["metric_id"], "measure": o["metric_id"].map(titles_of(metrics)).fillna(o["metric_id"]),
                         "period": o["period"].astype(str), "value_pct": o["value"], "lower": o["lower"],
                         "upper": o["upper"], "status": o["status"]}).reset_index(drop=True)


# ----------------------------------------------------------------------------- views (one call per callback)
def normalise(gap: str | None, period: str | None, metric: str | None) -> tuple[dict, list[Notice]]:
    """Check the overview's URL state: gap measure, scorecard year, change-chart measure."""
    notes = []
    regions, gapdf = q.mission.regions(), q.mission.gap()
    gap_ids = gap_metrics(gapdf)
    if gap and gap not in gap_ids:
        notes.append(Notice.of(f"'{gap}' is not one of the gap measures; showing the overall gap.", kind="warning"))
        gap = None
    gap = gap or ("overall" if "overall" in gap_ids else (gap_ids[0] if gap_ids else "overall"))
    pers = periods(regions)
    if period and period not in pers:
        notes.append(Notice.of(f"'{period}' is not a year in the regional comparison; showing the latest year.",
                               kind="warning"))
        period = None
    period = period or (pers[-1] if pers else None)
    mids = [m for m in headline_order() if not regions.empty and m in set(regions["metric_id"])]
    if metric and metric not in mids:
        notes.append(Notice.of(f"'{metric}' is not a headline measure here; showing {q.catalogue.title(mids[0]) if mids else 'the first measure'}.",
                               kind="warning"))
        metric = None
    metric = metric or (mids[0] if mids else None)
    return {"gap": gap, "period": period, "metric": metric}, notes


def headline_view() -> dict:
    """UK headline cards and the UK's published shares (latest period)."""
    regions, metrics = q.mission.regions(), q.catalogue.metrics()
    hl = headline_uk(regions, metrics)
    shares = uk_shares(q.observations.metric_rows_for(q.catalogue.share_ids()), metrics)
    latest = shares[shares["period"] == shares["period"].max()] if not shares.empty else shares
    return {"table": hl, "shares_latest": latest}


def gap_options() -> list[dict]:
    titles = q.catalogue.titles()
    return [{"label": "Overall (worst-performing measure)" if m == "overall" else titles.get(m, m), "value": m}
            for m in gap_metrics(q.mission.gap())]


def gap_view(metric: str | None) -> dict:
    """The gap tracker for one measure (or 'overall'): series, baseline, verdict, table."""
    gapdf, titles = q.mission.gap(), q.catalogue.titles()
    metric = metric if metric in gap_metrics(gapdf) else "overall"
    v = gap_verdict(gapdf, metric)
    label = "Overall" if metric == "overall" else titles.get(metric, metric)
    return {"metric": metric, "label": label, "title": titles.get(metric, metric), "series": gap_series(gapdf, metric),
            "baseline": gap_baseline(gapdf, metric), "verdict": v, "sentence": f"{label}: {v['sentence']}",
            "table": gap_table(gapdf, metric, titles)}


def scorecard_view(period: str | None) -> dict:
    regions, metrics = q.mission.regions(), q.catalogue.metrics()
    period = period if period in periods(regions) else latest_period(regions)
    sc = scorecard(regions, metrics, period)
    counts = verdict_counts(regions, period)
    n = sum(counts.values())
    text = (f"{period} against 2018-19, across {max(len(sc) - 1, 0)} regions and nations and "
            f"{max(len(sc.columns) - 2, 0)} measures ({n} comparisons): "
            f"{counts.get('significantly improved', 0)} significantly improved, "
            f"{counts.get('no significant change', 0)} no significant change, "
            f"{counts.get('significantly worse', 0)} significantly worse.")
    return {"period": period, "table": sc, "counts": counts, "text": text}


def change_view(metric: str | None, period: str | None) -> dict:
    regions = q.mission.regions()
    period = period if period in periods(regions) else latest_period(regions)
    return {"period": period, "metric": metric, "title": q.catalogue.title(metric) if metric else "",
            "frame": change_frame(regions, metric, period)}


def metric_options() -> list[dict]:
    regions = q.mission.regions()
    have = set(regions["metric_id"]) if not regions.empty else set()
    return [{"label": q.catalogue.title(m), "value": m} for m in headline_order() if m in have]
