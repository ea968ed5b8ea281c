"""The drivers page's view model: a driver against a headline measure, and what distinguishes the
mission's worst third."""
from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd

from dashboard import queries as q
from dashboard.analysis import drivers as drv
from dashboard.formatting import interval, number, plural
from dashboard.viewmodel import Notice

DEFAULT_X = "claimant_count_rate"


def options(kinds) -> list[dict]:
    have = set(q.observations.table("la_view")["metric_id"].unique()) if not q.observations.table("la_view").empty else set()
    out = []
    for m in q.catalogue.ordered(kinds):
        if m["id"] not in have:
            continue
        out.append({"label": metric_label(m), "value": m["id"]})
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


def metric_label(m: dict) -> str:
    """'Claimant count (% of 16-64)', 'Life satisfaction (mean, score 0-10)': the short title,
    with the unit when the title lacks it (inside the title's own brackets when it ends with one)."""
    short, unit = m.get("short_title") or m.get("title") or m.get("id", ""), str(m.get("unit") or "")
    if not unit or unit.split(" ")[0] in short:
        return short
    return f"{short[:-1]}, {unit})" if short.endswith(")") else f"{short} ({unit})"


def _span(b) -> str:
    """'April 2022 to March 2023'; '31 March 2024' for a snapshot date."""
    start, end = b
    if start == end:
        return f"{end.day} {end:%B %Y}"
    return f"{start:%B %Y} to {end:%B %Y}"


def period_note(xm: dict, xp: str | None, ym: dict, yp: str | None) -> Notice | None:
    """Says when the driver and the headline measure are for different periods, and by how much."""
    if not xp or not yp:
        return None
    bxs, bys = drv.period_bounds(xm["id"]), drv.period_bounds(ym["id"])
    bx, by = bxs.get(xp), bys.get(yp)
    if bx is None or by is None:
        return None
    rel, months = drv.period_relation(bx, by)
    if rel == "same":
        return None
    how = {"within": "the driver's date falls within the headline period",
           "overlap": f"they share {plural(months, 'month')}",
           "adjacent_before": "the driver's period ends just before the headline period begins",
           "adjacent_after": "the driver's period begins just after the headline period ends",
           "before": f"the driver's period ends {plural(months, 'month')} before the headline period begins",
           "after": f"the driver's period begins {plural(months, 'month')} after the headline period ends"}[rel]
    chosen = (" This is the driver's period closest to the headline period."
              if drv.nearest_period(bxs, by) == xp else "")
    return Notice.of(f"The periods differ: {metric_label(xm)} is for {xp} ({_span(bx)}) and {metric_label(ym)} for "
                     f"{yp} ({_span(by)}); {how}.{chosen}",
                     kind="info" if rel in ("within", "overlap", "adjacent_before", "adjacent_after") else "warning")


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
    xm, ym = q.catalogue.metric(x), q.catalogue.metric(y)
    out = {"x_periods": pxs, "y_periods": pys, "xp": xp, "yp": yp, "search": "?" + urlencode(qs),
           "period_note": period_note(xm, xp, ym, yp)}
    df = drv.scatter_frame(x, y, xp, yp)
    if df.empty:
        return {**out, "message": "No local authority has values for both metrics in these periods. Try other periods."}
    res = drv.pearson_ci(df["x"], df["y"])
    selected = None
    if area:
        r = df[df["area_code"] == area]
        selected = r.iloc[0].to_dict() if not r.empty else {}
    r_text = drv.describe_r(res)
    native = q.vocabulary.geography(str(xm.get("native_geography")))
    inherited = native is not None and native.id != "ltla"
    ltla = q.vocabulary.geography("ltla")
    return {**out, "frame": df, "xm": xm, "ym": ym, "r": res, "r_text": r_text, "selected": selected,
            "inherited": inherited,
            "inherited_text": (f"This driver is published for {native.plural}: the local authorities in "
                               f"{native.a()} share its value, so points are not independent and the interval is "
                               "too narrow.") if inherited else "",
            "selected_text": _selected_text(selected, xm, ym),
            "scatter_summary": f"Scatter plot of {ltla.count(len(df)) if ltla else plural(len(df), 'area')}: {r_text}",
            "table_caption": f"{xm.get('short_title')} and {ym.get('short_title')} by {ltla.noun if ltla else 'area'}",
            "table": _scatter_table(df, xm, ym, xp, yp)}


def _scatter_table(df: pd.DataFrame, xm: dict, ym: dict, xp: str, yp: str) -> pd.DataFrame:
    def shared(g) -> str:
        geo = q.vocabulary.geography(str(g))
        return "" if geo is None or geo.id == "ltla" else geo.value_label
    dx, dy = q.catalogue.decimals(xm["id"]), q.catalogue.decimals(ym["id"])
    return pd.DataFrame({"Area": df["area_name"], "Code": df["area_code"], "Region or nation": df["region_name"],
                         # numbers (rounded as published) so the table sorts by value
                         f"{xm.get('short_title')} ({xp})": df["x"].astype(float).round(dx),
                         f"{ym.get('short_title')} ({yp})": df["y"].astype(float).round(dy),
                         "Driver value shared from a larger area": [shared(g) for g in df["x_native"]]})


def _selected_text(r: dict | None, xm: dict, ym: dict) -> str | None:
    if r is None:
        return None
    if not r:
        return ""
    return (f"{r['area_name']}: {xm.get('short_title')} {number(r['x'], q.catalogue.decimals(xm['id']))}, "
            f"{ym.get('short_title')} {number(r['y'], q.catalogue.decimals(ym['id']))} (shown as a yellow star).")


def differences_view(mp) -> dict:
    t, period = drv.worst_third_differences(mp)
    if t.empty:
        return {"empty": True, "period": period}
    m = q.mission.ltla_period(period)
    basis = m["basis"].iloc[0] if not m.empty else "means"
    table = pd.DataFrame({"Metric": t["short_title"], "Period": t["period"],
                          "Mean, worst third": t["mean_worst"].round(2), "Mean, rest": t["mean_rest"].round(2),
                          "d (positive = worst third worse)": t["d"].round(2),
                          "95% CI": [interval(a, b, 2, missing="") for a, b in zip(t["lower"], t["upper"])],
                          "Areas (worst third / rest)": [f"{a} / {b}" for a, b in zip(t["n_worst"], t["n_rest"])],
                          "Reading": t["direction"], "Caveat": t["reading"]})
    worse = t[t["direction"] == "worse in the worst third"]["short_title"].tolist()
    return {"empty": False, "period": period, "frame": t, "table": table, "basis": basis, "worse": worse,
            "headline_text": (f"Worst third in {period} (ranked on the published "
                              f"{'mean scores' if basis == 'means' else 'shares'}). Clearly worse in the worst third: "
                              f"{', '.join(worse) if worse else 'none'}."),
            "chart_summary": f"Dot-and-whisker chart of standardised differences for {plural(len(t), 'metric')}."}


def scatter_download(x, y, xp, yp) -> pd.DataFrame:
    return drv.scatter_frame(x, y, xp, yp).assign(x_metric=x, x_period=xp, y_metric=y, y_period=yp)


def differences_download(mp) -> tuple[pd.DataFrame, str | None]:
    t, period = drv.worst_third_differences(mp)
    return t.assign(mission_period=period), period
