"""The area profile's view model: what /area/<code> shows, section by section, as data."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import queries as q
from dashboard.analysis import compare as cmp
from dashboard.analysis import profile as prof
from dashboard.formatting import interval, number
from dashboard.queries import vocabulary as vocab
from dashboard.viewmodel import Notice

COMPARATORS = {"region": "Same region or nation", "la_type": "Same type of authority",
               "neighbours": "Nearest neighbours (similar areas)"}
SPINE_KINDS = ("headline_mean", "supporting", "context")


def resolve(code: str | None) -> dict:
    return q.areas.resolve(code)


def comparator_of(value: str | None) -> str:
    return value if value in COMPARATORS else "region"


def page(info: dict) -> dict:
    """The profile's heading facts: kind, lead line, notes, parents and children."""
    is_ltla = q.areas.is_current_ltla(info)
    geo = info.get("geography")
    g = vocab.geography(geo)
    kind = info.get("la_type") if isinstance(info.get("la_type"), str) else (g.short if g else geo)
    reg = q.areas.regional_code(info)
    lead = f"{kind}" + (f" in {q.areas.name(reg)}" if reg else "") + f" · {info['code']}"
    notes = []
    if not is_ltla:
        notes.append(Notice.of(f"This is {g.a() if g else 'an area'} profile: it shows the headline measures and "
                               "the metrics published at this geography. Full profiles (with the mission's worst "
                               f"third and every metric) are for {vocab.geography('ltla').plural}."))
    former = info.get("former_codes")
    return {"is_ltla": is_ltla, "name": info.get("name", info["code"]), "lead": lead, "notes": notes,
            "former": former if q.areas.present(former) else None,
            "parents": [(vocab.geography(gid).short, c, n) for gid, c, n in q.areas.parents(info)],
            "children": q.areas.children(info)}


def headline(info: dict) -> dict:
    """The four headline cards, the trend series and its benchmark, and the table alternative."""
    series = prof.area_series(info)
    nat = q.areas.national_code(info)
    reg = q.areas.regional_code(info)
    items = prof.headline_summary(info)
    mean_ids, share_ids = q.catalogue.mean_ids(), q.catalogue.share_ids()
    head = series[series["metric_id"].isin(mean_ids + share_ids)] if not series.empty else series
    bench = q.observations.area_rows(nat) if nat else series.iloc[0:0]
    rows = head.sort_values(["metric_id", "period_end"]) if not head.empty else head
    table = pd.DataFrame({
        "Measure": [q.catalogue.title(m) for m in rows["metric_id"]], "Period": rows["period"],
        "Value": [number(v, q.catalogue.decimals(m)) for v, m in zip(rows["value"], rows["metric_id"])],
        "95% CI": [interval(a, b, q.catalogue.decimals(m)) for a, b, m in zip(rows["lower"], rows["upper"], rows["metric_id"])],
        "Status": rows["status"], "Derived": rows["derived"].map({True: "Yes", False: "No"}),
    }) if not rows.empty else pd.DataFrame()
    shares_present = bool(not series.empty and series[series["metric_id"].isin(share_ids) & series["value"].notna()].shape[0])
    return {"items": items, "series": series, "bench": bench, "nat_name": vocab.place_name(nat),
            "reg_name": q.areas.name(reg) if reg else "", "has_reg": bool(reg), "table": table,
            "empty": head.empty, "mean_ids": mean_ids, "share_ids": share_ids, "shares_present": shares_present,
            "titles": [h["label"] for h in q.catalogue.headline()],
            "share_titles": [q.catalogue.title(h["share_id"]) for h in q.catalogue.headline()]}


def group(info: dict, comparator: str) -> tuple[list[str], str, str]:
    if not q.areas.is_current_ltla(info):
        return [], "", ""
    return cmp.group_members(info["code"], comparator)


def spine(info: dict, comparator: str) -> dict:
    """The spine chart section: every supporting/context metric against the benchmarks."""
    codes, label, note = group(info, comparator)
    tab = prof.profile_table(info, codes, label or "comparator group", kinds=SPINE_KINDS)
    out = {"empty": tab.empty, "group_label": label, "group_note": note, "group_n": max(len(codes) - 1, 0)}
    if tab.empty:
        return out
    judged = tab["kind"] != "headline_mean"
    worse = tab[(tab["vs_nat"] == "worse") & judged]
    worse_both = tab[(tab["vs_nat"] == "worse") & (tab["vs_reg"] == "worse") & judged]
    nc = tab[tab["vs_nat"] == "not compared"]
    missing = prof.unavailable_metrics(tab)
    shown = tab[np.isfinite(tab["value"].astype(float))].reset_index(drop=True)
    out.update({"has_supporting": bool(judged.any()), "nat_name": tab["nat_name"].iloc[0],
                "worse": worse["short_title"].tolist(), "worse_both": worse_both["short_title"].tolist(),
                "n_not_compared": int(len(nc)), "missing": missing, "table": shown,
                "positions": prof.spine_positions(shown, prof.median_label(info)),
                "series": prof.area_series(info), "spread_label": prof.spread_label(info),
                "median_label": prof.median_label(info), "rows": table_rows(shown)})
    return out


def table_rows(tab: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in tab.to_dict("records"):
        dec = int(r["decimals"])
        rows.append({
            "Metric": r["short_title"], "Period": r["period"],
            "Value": number(r["value"], dec) if np.isfinite(r["value"]) else f"no value ({r['status']})",
            "95% CI": interval(r["lower"], r["upper"], dec), "Unit": r["unit"],
            f"{r['nat_name']}": number(r["nat_value"], dec), f"vs {r['nat_name']}": r["vs_nat"].capitalize(),
            "Region": f"{r['reg_name']} {number(r['reg_value'], dec)}" if r["reg_code"] else "",
            "vs region": r["vs_reg"].capitalize(),
            "Comparator group": number(r["group_value"], dec) + (f" ({r['group_n']} areas)" if r["group_n"] else ""),
            "vs group": r["vs_group"].capitalize(),
            "Geography of the value": r["geography_note"], "Why not compared": r["compare_note"],
        })
    return pd.DataFrame(rows)


def worst_third(info: dict) -> dict | None:
    """The mission's worst-third section for an LTLA (None when it was never ranked)."""
    ms = prof.mission_summary(info["code"])
    if ms is None:
        return None
    hist = ms["history"].copy()
    hist["in_worst_third"] = hist["in_worst_third"].map({True: "Yes", False: "No"})
    hist["p_worst_third"] = hist["p_worst_third"].map(lambda p: f"{p:.0%}" if pd.notna(p) else "")
    hist["worst_percentile"] = hist["worst_percentile"].map(lambda p: f"{p:.0f}")
    ms["history"] = hist.rename(columns={
        "period": "Period", "basis": "Basis", "worst_metric": "Worst measure", "worst_percentile": "Worseness percentile",
        "rank": "Rank (1 = worst)", "n_ranked": "Areas ranked", "in_worst_third": "In worst third",
        "p_worst_third": "Probability in worst third", "uses_derived": "Uses derived values"})
    ms["basis_text"] = ("Based on the published mean scores: the low-well-being shares are not published for every "
                        "local authority in this data." if ms["basis"] == "means" else "Based on the published shares.")
    return ms


def download_headline(code: str) -> pd.DataFrame:
    info = q.areas.resolve(code)
    df = prof.profile_download(info)
    return df[df["metric_id"].isin(q.catalogue.headline_ids())]


def download_comparisons(code: str, comparator: str | None) -> pd.DataFrame:
    info = q.areas.resolve(code)
    codes, label, _ = group(info, comparator_of(comparator))
    return prof.profile_table(info, codes, label or "comparator group")
