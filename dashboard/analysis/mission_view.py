"""The mission overview's numbers, read from the build's mission tables (pure pandas).

* Headline measures for the UK: latest period against the 2019 baseline (financial year 2018-19),
  with 95% CIs and the significance call made by the ETL (`mission_regions.parquet`).
* The gap tracker: the worst third of local authorities against the rest, per period, against the
  2017-19 baseline (financial years 2016-17 to 2018-19), from `mission_gap.parquet`.
* The region and nation scorecard of change since 2019, from `mission_regions.parquet`.
Nothing here invents values: empty inputs give empty outputs.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

HEADLINE_MEANS = ["mean_life_satisfaction", "mean_worthwhile", "mean_happiness", "mean_anxiety"]
HEADLINE_SHARES = ["low_life_satisfaction", "low_worthwhile", "low_happiness", "high_anxiety"]
SHARE_FOR_MEAN = dict(zip(HEADLINE_MEANS, HEADLINE_SHARES))
UK = "K02000001"
ENGLAND = "E92000001"
NATIONS = ["E92000001", "W92000004", "S92000003", "N92000002"]
VERDICT_ARROWS = {"significantly improved": "\u2714", "significantly worse": "\u2716",
                  "no significant change": "\u2013"}


def _num(x) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return x


def signed(x, dec: int = 2) -> str:
    x = _num(x)
    if not math.isfinite(x):
        return "no value"
    return f"{x:+,.{dec}f}".replace("-", "\u2212")


def plain(x, dec: int = 2) -> str:
    x = _num(x)
    if not math.isfinite(x):
        return "no value"
    return f"{x:,.{dec}f}".replace("-", "\u2212")


def interval(lo, hi, dec: int = 2, sign: bool = False) -> str:
    f = signed if sign else plain
    if not (math.isfinite(_num(lo)) and math.isfinite(_num(hi))):
        return "no interval published"
    return f"{f(lo, dec)} to {f(hi, dec)}"


def basis(gap: pd.DataFrame, manifest: dict | None = None) -> str:
    """'means' or 'shares': what the mission measures were computed from."""
    if gap is not None and not gap.empty and "basis" in gap:
        vals = gap["basis"].dropna().unique().tolist()
        if "shares" in vals:
            return "shares"
        if vals:
            return str(vals[0])
    mb = (manifest or {}).get("mission_basis") or []
    return "shares" if "shares" in mb else "means"


def latest_period(regions: pd.DataFrame) -> str | None:
    if regions is None or regions.empty:
        return None
    return str(sorted(regions["period"].astype(str).unique())[-1])


def periods(regions: pd.DataFrame) -> list[str]:
    if regions is None or regions.empty:
        return []
    return sorted(regions["period"].astype(str).unique())


def _titles(metrics: pd.DataFrame) -> dict:
    if metrics is None or metrics.empty:
        return {}
    return dict(zip(metrics["id"], metrics["short_title"].fillna(metrics["title"])))


def _attr(metrics: pd.DataFrame, col: str) -> dict:
    if metrics is None or metrics.empty or col not in metrics:
        return {}
    return dict(zip(metrics["id"], metrics[col]))


def headline_uk(regions: pd.DataFrame, metrics: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """One row per headline measure for the UK: baseline and latest value with CIs, the change
    with its CI and the significance verdict."""
    cols = ["metric_id", "measure", "unit", "polarity", "decimals", "baseline_period", "baseline_value",
            "baseline_lower", "baseline_upper", "period", "value", "lower", "upper", "change",
            "change_lower", "change_upper", "significant", "verdict", "basis"]
    if regions is None or regions.empty:
        return pd.DataFrame(columns=cols)
    uk = regions[regions["area_code"] == UK]
    if uk.empty:
        uk = regions[regions["geography"] == "uk"]
    if uk.empty:
        return pd.DataFrame(columns=cols)
    period = period or latest_period(uk)
    uk = uk[uk["period"].astype(str) == period]
    titles, units = _titles(metrics), _attr(metrics, "unit")
    pol, dec = _attr(metrics, "polarity"), _attr(metrics, "decimals")
    order = {m: i for i, m in enumerate(HEADLINE_MEANS + HEADLINE_SHARES)}
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
        return {"verdict": None, "sentence": "The gap cannot be computed from this data snapshot.", "period": None}
    last = s.iloc[-1]
    base = gap_baseline(gap, metric_id)
    unit = "SD" if str(last.get("unit", "")).startswith("baseline SD") else "points"
    verdict = str(last.get("verdict") or "")
    what = {"widened": "Gap wider than the 2017-19 baseline",
            "narrowed": "Gap narrower than the 2017-19 baseline",
            "no significant change": "No significant change in the gap from the 2017-19 baseline"}.get(
        verdict, "Gap compared with the 2017-19 baseline")
    change = _num(last.get("change"))
    lo, hi = _num(last.get("change_lower")), _num(last.get("change_upper"))
    sentence = (f"{what}: {signed(change)} {unit} (95% interval {interval(lo, hi, sign=True)}) in "
                f"{last['period']}.")
    if base is not None:
        sentence += (f" The gap was {plain(last['gap'])} {unit} in {last['period']} against "
                     f"{plain(base['gap'])} {unit} at the baseline.")
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
        "measure": (titles or {}).get(metric_id, "Overall (worst metric, in baseline SDs)") if metric_id != "overall"
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
    """UK, England, England's regions (in code order), Wales, Scotland, Northern Ireland."""
    if regions is None or regions.empty:
        return []
    codes = regions["area_code"].unique().tolist()
    regs = sorted(c for c in codes if str(c).startswith("E12"))
    order = [UK, ENGLAND] + regs + ["W92000004", "S92000003", "N92000002"]
    return [c for c in order if c in codes] + [c for c in codes if c not in order]


def cell_text(row: pd.Series | dict, dec: int = 2) -> str:
    verdict = str(row.get("verdict") or "not assessed")
    mark = VERDICT_ARROWS.get(verdict, "")
    arrow = ""
    ch = _num(row.get("change"))
    if math.isfinite(ch):
        arrow = "\u2191 " if ch > 0 else ("\u2193 " if ch < 0 else "\u2192 ")
    return (f"{mark} {verdict[0].upper() + verdict[1:]}: {arrow}{signed(ch, dec)} "
            f"({interval(row.get('change_lower'), row.get('change_upper'), dec, sign=True)})").strip()


def scorecard(regions: pd.DataFrame, metrics: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """Rows = UK, nations and regions; one text column per headline measure (verdict, arrow for the
    direction of the change, change and its 95% CI)."""
    if regions is None or regions.empty:
        return pd.DataFrame()
    period = period or latest_period(regions)
    r = regions[regions["period"].astype(str) == period]
    titles, dec = _titles(metrics), _attr(metrics, "decimals")
    names = dict(zip(regions["area_code"], regions["area_name"]))
    metric_ids = [m for m in HEADLINE_MEANS + HEADLINE_SHARES if m in set(r["metric_id"])]
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
    titles = _titles(metrics)
    r["measure"] = r["metric_id"].map(titles).fillna(r["metric_id"])
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
    """Published low-wellbeing shares for the UK (the mission's own headline metrics), by period,
    as far as this data snapshot has them."""
    if observations is None or observations.empty:
        return pd.DataFrame()
    o = observations[(observations["area_code"] == UK) & observations["metric_id"].isin(HEADLINE_SHARES)]
    if o.empty:
        return pd.DataFrame()
    titles = _titles(metrics)
    order = {m: i for i, m in enumerate(HEADLINE_SHARES)}
    o = o.assign(_o=o["metric_id"].map(order)).sort_values(["_o", "period"])
    out = pd.DataFrame({"metric_id": o["metric_id"], "measure": o["metric_id"].map(titles).fillna(o["metric_id"]),
                        "period": o["period"].astype(str), "value_pct": o["value"], "lower": o["lower"],
                        "upper": o["upper"], "status": o["status"]})
    return out.reset_index(drop=True)
