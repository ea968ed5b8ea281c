"""The compare page's view model: URL state, the group of areas, and the comparison table."""
from __future__ import annotations

from urllib.parse import urlencode

import numpy as np

from dashboard import queries as q
from dashboard.analysis import compare as cmp
from dashboard.formatting import join_words, plural
from dashboard.viewmodel import Notice

GROUPS = cmp.GROUPS
MAX_AREAS = 60


def ltla_options() -> list[dict]:
    return q.areas.ltla_choices()


def metric_options() -> list[dict]:
    have = set(q.observations.table("la_view")["metric_id"].unique()) if not q.observations.table("la_view").empty else set()
    return [{"label": f"{m.get('short_title') or m['title']} ({q.vocabulary.label('kind', m.get('kind'))}; {m.get('unit')})",
             "value": m["id"]} for m in q.catalogue.ordered() if m["id"] in have]


def benchmark_options() -> list[dict]:
    return [{"label": v, "value": k} for k, v in cmp.benchmark_labels().items()] + \
        [{"label": "The selected area", "value": "area"}]


def default_metric(ids: set[str]) -> str | None:
    for m in q.catalogue.mean_ids():
        if m in ids:
            return m
    return next(iter(sorted(ids)), None)


def normalise(area, group, areas, metric, benchmark) -> tuple[dict, list[Notice]]:
    notes = []
    valid = q.areas.current_ltla_codes()
    ok_areas, bad = cmp.clean_codes(areas or "")
    if area and area not in valid:
        info = q.areas.resolve(area)
        if info["status"] == "retired" and info.get("successor_code") in valid:
            notes.append(Notice.of(f"{area} is a former code; showing {info.get('successor_name')} instead."))
            area = info["successor_code"]
        else:
            notes.append(Notice.of(f"We don't know the local authority code {area}; choose an area below.", kind="warning"))
            area = None
    if bad:
        notes.append(Notice.of("Ignored unknown or non-current area codes: " + ", ".join(bad[:10]) + ".", kind="warning"))
    area = area or (ok_areas[0] if ok_areas else None)
    group = group if group in GROUPS else ("areas" if ok_areas or not area else "region")
    if group == "areas" and not ok_areas and area:
        ok_areas = [area]
    ids = {o["value"] for o in metric_options()}
    if metric and metric not in ids:
        notes.append(Notice.of(f"Unknown metric '{metric}'; showing the default measure instead.", kind="warning"))
    metric = metric if metric in ids else default_metric(ids)
    benchmark = benchmark if benchmark in {o["value"] for o in benchmark_options()} else "england"
    return {"area": area, "group": group, "areas": ok_areas, "metric": metric, "benchmark": benchmark}, notes


def _resolve(area, group, areas, metric, period, benchmark):
    note, label = "", ""
    if group == "areas" or not area:
        codes, _ = cmp.clean_codes(areas or ([area] if area else []))
        if area and area not in codes:
            codes = [area] + codes
        label = "Chosen areas"
    else:
        codes, label, note = cmp.group_members(area, group)
    info_total = len(codes)
    codes = codes[:MAX_AREAS]
    bench = area if benchmark == "area" and area else benchmark
    if benchmark == "area" and not area:
        bench = "england"
    tab, info = cmp.compare_table(codes, metric, period, bench or "england")
    info["group_total"] = info_total
    return tab, info, codes, label, note


def view(area, group, areas, metric, period, benchmark) -> dict:
    """Everything the compare page's callback shows for a state."""
    group = group if group in GROUPS else "areas"
    out = {"group": group, "area": area, "period_options": [], "period": None, "search": None}
    if not metric or not q.catalogue.exists(metric):
        return {**out, "message": "Choose a metric."}
    tab, info, codes, label, note = _resolve(area, group, areas, metric, period, benchmark)
    out["period_options"] = [{"label": p, "value": p} for p in reversed(info["periods"])]
    out["period"] = info["period"]
    qs = {"metric": metric, "period": info["period"] or "", "benchmark": benchmark or "england", "group": group}
    if area:
        qs["area"] = area
    if group == "areas" and areas:
        qs["areas"] = ",".join(areas)
    out["search"] = "?" + urlencode(qs)
    if not codes:
        return {**out, "message": "Choose your area (for a comparator group) or add areas to compare."}
    if tab.empty or info["period"] is None:
        return {**out, "message": "This metric has no local-authority values in this data."}
    shown = tab[np.isfinite(tab["value"].astype(float))]
    missing = tab[~np.isfinite(tab["value"].astype(float))]
    counts = shown["comparison"].value_counts()
    summary = ", ".join(f"{counts[k]} {k}" for k in ("better", "similar", "worse", "higher", "lower", "not compared")
                        if k in counts)
    meta = q.catalogue.metric(metric)
    inherited = sorted(set(shown["native_geography"].dropna()) - {"ltla"})
    return {**out, "table": tab, "info": info, "meta": meta, "codes": codes, "label": label,
            "note": note, "summary": summary, "decimals": q.catalogue.decimals(metric),
            "inherited": bool(inherited), **texts(meta, info, label, codes, summary, len(shown), missing, inherited)}


def texts(meta: dict, info: dict, label: str, codes: list, summary: str, n_shown: int, missing, inherited) -> dict:
    """The page's sentences for a comparison, with the counts' nouns in the right number."""
    geos = [q.vocabulary.geography(g) for g in inherited]
    larger = join_words([g.noun for g in geos if g]) or "larger area"
    return {
        "heading": f"{meta.get('title')} ({info['period']})",
        "group_count": (f": {plural(info.get('group_total', len(codes)), 'area')}"
                        + (f", the first {len(codes)} by name shown. " if info.get("group_total", 0) > len(codes)
                           else ". ")) if label else "",
        "summary_line": f"Against {info['benchmark_label']}: {summary}." if summary else "",
        "chart_summary": (f"Chart of {meta.get('short_title')} for {plural(n_shown, 'area')} with 95% confidence "
                          f"intervals; {summary}."),
        "inherited_text": (f"Some values are published for a larger area ({larger}) and shared by the local "
                           "authorities in it; see the table.") if inherited else "",
        "missing_line": ("No value for: " + "; ".join(f"{n} ({s})" for n, s in zip(missing["area_name"], missing["status"]))
                         + ".") if len(missing) else "",
    }


def download(area, group, areas, metric, period, benchmark):
    tab, info, *_ = _resolve(area, group or "areas", areas, metric, period, benchmark)
    dec = q.catalogue.decimals(metric)
    tab = tab.assign(metric_id=metric, period=info["period"])
    for c in ("value", "lower", "upper", "benchmark_value"):
        tab[c] = tab[c].astype(float).round(dec)
    return tab, f"compare_{metric}_{info['period']}.csv"
