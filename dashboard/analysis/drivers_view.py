"""The drivers page's view model: a driver against a headline measure, and what distinguishes the
mission's worst third."""
from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import pandas as pd

from dashboard import queries as q
from dashboard.analysis import drivers as drv
from dashboard.viewmodel import Notice

DEFAULT_X = "claimant_count_rate"


def options(kinds) -> list[dict]:
    have = set(q.observations.table("la_view")["metric_id"].unique()) if not q.observations.table("la_view").empty else set()
    out = []
    for m in q.catalogue.ordered(kinds):
        if m["id"] not in have:
            continue
        short, unit = m.get("short_title") or m["title"], str(m.get("unit") or "")
        out.append({"label": short if unit.split(" ")[0] in short else f"{short} ({unit})", "value": m["id"]})
    return out


def normalise(x, y, area, mp) -> tuple[dict, list[Notice]]:
    xo, yo = options(drv.DRIVER_KINDS), options(drv.HEADLINE_KINDS)
    notes = []
    xs, ys = [o["value"] for o in xo], [o["value"] for o in yo]
    if x and x not in xs:
        notes.append(Notice.of(f"Unknown driver '{x}'; showing a default instead.", kind="warning"))
    if y and y not in ys:
        notes.append(Notice.of(f"Unknown headline measure '{y}'; showing the default measure instead.", kind="warning"))
    default_y = next((m for m in q.catalogue.mean_ids() if m in ys), ys[0] if ys else None)
    x = x if x in xs else (DEFAULT_X if DEFAULT_X in xs else (xs[0] if xs else None))
    y = y if y in ys else default_y
    if area and area not in q.areas.current_ltla_codes():
        notes.append(Notice.of(f"We don't know the local authority code {area}; no area is highlighted.", kind="warning"))
        area = None
    mps = drv.mission_periods()
    mp = mp if mp in mps else (mps[-1] if mps else None)
    if not xo:
        notes.append(Notice.of("No supporting or context metrics are in this data.", kind="warning"))
    return {"x": x, "y": y, "area": area, "mp": mp, "x_options": xo, "y_options": yo, "mission_periods": mps}, notes


def scatter_view(x, y, xp, yp, area, mp, new_metric: bool) -> dict:
    """The scatter of a driver against a headline measure for the chosen (or default) periods."""
    if not x or not y or not q.catalogue.exists(x) or not q.catalogue.exists(y):
        return {"message": "Choose a driver and a headline measure.", "x_periods": [], "y_periods": [], "xp": None,
                "yp": None, "search": None}
    pxs, pys = drv.periods_of(x), drv.periods_of(y)
    dx, dy = drv.default_periods(x, y)
    if new_metric:  # a new metric: back to the latest common period
        xp, yp = dx, dy
    xp = xp if xp in pxs else dx
    yp = yp if yp in pys else dy
    qs = {"x": x, "y": y, "xp": xp or "", "yp": yp or "", "mp": mp or ""}
    if area:
        qs["area"] = area
    out = {"x_periods": pxs, "y_periods": pys, "xp": xp, "yp": yp, "search": "?" + urlencode(qs)}
    df = drv.scatter_frame(x, y, xp, yp)
    xm, ym = q.catalogue.metric(x), q.catalogue.metric(y)
    if df.empty:
        return {**out, "message": "No local authority has values for both metrics in these periods. Try other periods."}
    res = drv.pearson_ci(df["x"], df["y"])
    selected = None
    if area:
        r = df[df["area_code"] == area]
        selected = r.iloc[0].to_dict() if not r.empty else {}
    return {**out, "frame": df, "xm": xm, "ym": ym, "r": res, "r_text": drv.describe_r(res), "selected": selected,
            "inherited": str(xm.get("native_geography")) not in ("ltla", "None", "nan")}


def differences_view(mp) -> dict:
    t, period = drv.worst_third_differences(mp)
    if t.empty:
        return {"empty": True, "period": period}
    m = q.mission.ltla_period(period)
    basis = m["basis"].iloc[0] if not m.empty else "means"
    table = pd.DataFrame({"Metric": t["short_title"], "Period": t["period"],
                          "Mean, worst third": t["mean_worst"].round(2), "Mean, rest": t["mean_rest"].round(2),
                          "d (positive = worst third worse)": t["d"].round(2),
                          "95% CI": [f"{a:.2f} to {b:.2f}" if np.isfinite(a) else "" for a, b in zip(t["lower"], t["upper"])],
                          "Areas (worst third / rest)": [f"{a} / {b}" for a, b in zip(t["n_worst"], t["n_rest"])],
                          "Reading": t["direction"], "Caveat": t["reading"]})
    return {"empty": False, "period": period, "frame": t, "table": table, "basis": basis,
            "worse": t[t["direction"] == "worse in the worst third"]["short_title"].tolist()}


def scatter_download(x, y, xp, yp) -> pd.DataFrame:
    return drv.scatter_frame(x, y, xp, yp).assign(x_metric=x, x_period=xp, y_metric=y, y_period=yp)


def differences_download(mp) -> tuple[pd.DataFrame, str | None]:
    t, period = drv.worst_third_differences(mp)
    return t.assign(mission_period=period), period
