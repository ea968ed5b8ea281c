"""Drivers against headline measures across local authorities.

* Scatter: one point per current LTLA with values for both metrics (la_view), in the latest
  period both share, or a chosen pair of periods.
* Correlation: Pearson's r with a 95% CI from Fisher's z transform,
  z = atanh(r), se = 1 / sqrt(n - 3), CI = tanh(z +/- 1.96 se); two-sided p-value from the
  t distribution with n - 2 degrees of freedom.
* What distinguishes the worst third: for each supporting/context metric, the standardised
  difference d = (mean over the worst third - mean over the rest) / pooled SD (Cohen's d) with
  a 95% CI from the normal approximation se(d) = sqrt((n1 + n2) / (n1 n2) + d^2 / (2 (n1 + n2))).
  Worst-third membership is the mission's (mission_ltla) for the chosen period; the metric is
  taken at its own latest period ending no later than a year after that period (else its
  earliest). Values inherited from a county, ICB or zone are repeated across its LTLAs, so
  those LTLAs are not independent and the intervals are too narrow for such metrics (flagged).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import queries as q
from dashboard.formatting import interval, number, plural

Z95 = 1.959963984540054
HEADLINE_KINDS = ("headline", "headline_mean")
DRIVER_KINDS = ("supporting", "context")


def pearson_ci(x, y, z: float = Z95) -> dict:
    from scipy import stats as st  # here, not at import: scipy.stats is slow to import

    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = int(len(x))
    out = {"r": np.nan, "lower": np.nan, "upper": np.nan, "n": n, "p": np.nan}
    if n < 4 or np.std(x) == 0 or np.std(y) == 0:
        return out
    r = float(np.corrcoef(x, y)[0, 1])
    rc = min(max(r, -0.999999), 0.999999)
    fz = np.arctanh(rc)
    se = 1 / np.sqrt(n - 3)
    t = rc * np.sqrt((n - 2) / (1 - rc ** 2))
    out.update(r=r, lower=float(np.tanh(fz - z * se)), upper=float(np.tanh(fz + z * se)),
               p=float(2 * st.t.sf(abs(t), n - 2)))
    return out


def describe_r(res: dict) -> str:
    r = res.get("r")
    if r is None or not np.isfinite(r):
        return "Too few areas with both values to estimate a correlation."
    size = abs(r)
    strength = "very weak" if size < 0.1 else "weak" if size < 0.3 else "moderate" if size < 0.5 else "strong"
    sign = "positive" if r > 0 else "negative"
    sig = ("the 95% confidence interval excludes zero" if res["lower"] > 0 or res["upper"] < 0
           else "the 95% confidence interval includes zero (no clear association)")
    return (f"Pearson r = {number(r, 2)} (95% CI {interval(res['lower'], res['upper'], 2)}; "
            f"n = {plural(res['n'], 'area')}): "
            f"a {strength} {sign} association; {sig}. Correlation is not causation.")


def _ltla_rows(metric: str) -> pd.DataFrame:
    d = q.observations.metric_rows(metric, "la_view")
    if d.empty:
        return d
    d = d[d["area_code"].isin(q.areas.current_ltla_codes())]
    return d[np.isfinite(d["value"].astype(float))]


def period_bounds(metric: str) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """period -> (start, end) for the metric's LTLA values, oldest first."""
    d = _ltla_rows(metric)
    if d.empty:
        return {}
    d = d.drop_duplicates("period").sort_values(["period_end", "period_start"])
    return {str(p): (pd.Timestamp(a), pd.Timestamp(b)) for p, a, b in zip(d["period"], d["period_start"], d["period_end"])}


def periods_of(metric: str) -> list[str]:
    return list(period_bounds(metric))


def _middle(b: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Timestamp:
    return b[0] + (b[1] - b[0]) / 2


def nearest_period(candidates: dict[str, tuple], target: tuple) -> str | None:
    """The candidate period whose middle is closest to the target period's middle (a calendar
    year against a financial year: the one sharing most months); on a tie, the later one."""
    if not candidates:
        return None
    mid = _middle(target)
    return min(candidates, key=lambda p: (abs(_middle(candidates[p]) - mid), -candidates[p][1].value))


def default_periods(x_metric: str, y_metric: str) -> tuple[str | None, str | None]:
    """The headline measure's latest period and the driver's period closest to it (the same
    period when the driver has it), so a default never pairs years far apart."""
    bx, by = period_bounds(x_metric), period_bounds(y_metric)
    if not by:
        return (list(bx)[-1] if bx else None), None
    yp = list(by)[-1]
    return nearest_period(bx, by[yp]), yp


def period_relation(x: tuple, y: tuple) -> tuple[str, int]:
    """How period x stands to period y: ('same' | 'within' | 'overlap' | 'before' | 'after' |
    'adjacent_before' | 'adjacent_after', months shared or apart, rounded)."""
    month = 30.436875
    if x == y:
        return "same", 0
    shared = (min(x[1], y[1]) - max(x[0], y[0])).days + 1
    if x[0] == x[1] and y[0] <= x[0] <= y[1]:  # a snapshot date inside the other period
        return "within", 0
    if shared >= 15:
        return "overlap", max(1, round(shared / month))
    before = x[1] < y[0] + (y[1] - y[0]) / 2
    gap = (y[0] - x[1]).days if before else (x[0] - y[1]).days
    if gap <= 15:
        return ("adjacent_before" if before else "adjacent_after"), 0
    return ("before" if before else "after"), max(1, round(gap / month))


def scatter_frame(x_metric: str, y_metric: str, x_period: str | None, y_period: str | None) -> pd.DataFrame:
    cols = ["area_code", "area_name", "region_code", "region_name", "x", "x_lower", "x_upper", "x_native",
            "y", "y_lower", "y_upper", "derived"]
    if not x_period or not y_period:
        return pd.DataFrame(columns=cols)
    dx = _ltla_rows(x_metric)
    dx = dx[dx["period"] == x_period].drop_duplicates("area_code")
    dy = _ltla_rows(y_metric)
    dy = dy[dy["period"] == y_period].drop_duplicates("area_code")
    if dx.empty or dy.empty:
        return pd.DataFrame(columns=cols)
    m = dx[["area_code", "area_name", "value", "lower", "upper", "native_geography", "derived"]].merge(
        dy[["area_code", "value", "lower", "upper", "derived"]], on="area_code", suffixes=("_x", "_y"))
    # outside England the nation stands in for the region
    reg = [q.areas.regional_code(q.areas.resolve(c)) for c in m["area_code"]]
    out = pd.DataFrame({
        "area_code": m["area_code"], "area_name": m["area_name"], "region_code": reg,
        "region_name": [q.areas.name(r) for r in reg],
        "x": m["value_x"].astype(float), "x_lower": m["lower_x"].astype(float), "x_upper": m["upper_x"].astype(float),
        "x_native": m["native_geography"], "y": m["value_y"].astype(float), "y_lower": m["lower_y"].astype(float),
        "y_upper": m["upper_y"].astype(float), "derived": m["derived_x"].astype(bool) | m["derived_y"].astype(bool),
    })
    return out[cols].sort_values("area_name").reset_index(drop=True)


def cohen_d(a, b, z: float = Z95) -> dict:
    a = np.asarray(a, float); a = a[np.isfinite(a)]
    b = np.asarray(b, float); b = b[np.isfinite(b)]
    n1, n2 = len(a), len(b)
    out = {"d": np.nan, "lower": np.nan, "upper": np.nan, "n_worst": n1, "n_rest": n2,
           "mean_worst": float(a.mean()) if n1 else np.nan, "mean_rest": float(b.mean()) if n2 else np.nan}
    if n1 < 2 or n2 < 2:
        return out
    sp = np.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    if not sp or not np.isfinite(sp):
        return out
    d = (a.mean() - b.mean()) / sp
    se = np.sqrt((n1 + n2) / (n1 * n2) + d ** 2 / (2 * (n1 + n2)))
    out.update(d=float(d), lower=float(d - z * se), upper=float(d + z * se))
    return out


def mission_periods() -> list[str]:
    return q.mission.ltla_periods()


def _period_for(la_view_m: pd.DataFrame, mission_period: str) -> str | None:
    """The metric's latest period ending no later than a year after the mission period ends."""
    if la_view_m.empty:
        return None
    p = la_view_m.drop_duplicates("period").sort_values("period_end")
    try:
        start = int(str(mission_period)[:4])
        limit = pd.Timestamp(year=start + 2, month=3, day=31)
        ok = p[p["period_end"] <= limit]
    except ValueError:
        ok = p
    return str((ok if not ok.empty else p)["period"].iloc[-1])


def _shared_reading(native: str) -> str:
    g = q.vocabulary.geography(native)
    if not native or native == "ltla":
        return ""
    return (f"one value per {g.noun}, shared by its local authorities: interval too narrow" if g
            else "values shared by several local authorities: interval too narrow")


def worst_third_differences(period: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """(table, mission period): one row per supporting/context metric with d and its 95% CI,
    oriented so that positive = the worst third is WORSE on the metric (by its polarity;
    'no judgement' metrics keep the raw direction: positive = higher in the worst third)."""
    cols = ["metric_id", "title", "short_title", "kind", "polarity", "period", "native_geography", "mean_worst",
            "mean_rest", "d_raw", "d", "lower", "upper", "n_worst", "n_rest", "direction", "inherited", "reading"]
    periods = mission_periods()
    if not periods:
        return pd.DataFrame(columns=cols), None
    if period not in periods:
        period = periods[-1]
    m = q.mission.ltla_period(period)
    worst = set(m[m["in_worst_third"].astype(bool)]["area_code"])
    ranked = set(m["area_code"])
    rows = []
    for mm in q.catalogue.ordered(DRIVER_KINDS):
        d = _ltla_rows(mm["id"])
        d = d[d["area_code"].isin(ranked)]
        p = _period_for(d, period)
        if p is None:
            continue
        d = d[d["period"] == p].drop_duplicates("area_code")
        res = cohen_d(d[d["area_code"].isin(worst)]["value"], d[~d["area_code"].isin(worst)]["value"])
        pol = mm.get("polarity", "no_judgement")
        sign = -1.0 if pol == "higher_better" else 1.0
        native = str(mm.get("native_geography") or "")
        dd, lo, hi = sign * res["d"], sign * res["lower"], sign * res["upper"]
        if sign < 0:
            lo, hi = hi, lo
        if pol == "no_judgement":
            direction = ("higher in the worst third" if lo > 0 else "lower in the worst third" if hi < 0
                         else "no clear difference")
        else:
            direction = ("worse in the worst third" if lo > 0 else "better in the worst third" if hi < 0
                         else "no clear difference")
        if not np.isfinite(dd):
            direction = "not enough data"
        rows.append({"metric_id": mm["id"], "title": mm.get("title"), "short_title": mm.get("short_title") or mm.get("title"),
                     "kind": mm.get("kind"), "polarity": pol, "period": p, "native_geography": native,
                     "mean_worst": res["mean_worst"], "mean_rest": res["mean_rest"], "d_raw": res["d"], "d": dd,
                     "lower": lo, "upper": hi, "n_worst": res["n_worst"], "n_rest": res["n_rest"],
                     "direction": direction, "inherited": native not in ("ltla", ""),
                     "reading": _shared_reading(native)})
    return pd.DataFrame(rows, columns=cols), period
