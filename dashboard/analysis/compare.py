"""Compare several local authorities, or a comparator group, on one metric and period.

Comparator groups of a chosen LTLA: its region (or nation), the same type of authority
(`areas.la_type`, e.g. 'Metropolitan district'), or its nearest neighbours
(`dashboard.analysis.neighbours`). Significance against a benchmark uses
`etl.stats.compare_to_benchmark`: an area differs only when its 95% CI excludes the benchmark
value (England, the UK, each area's own region, the group's unweighted mean, or one chosen
area's value), oriented by the metric's polarity; no CI -> 'not compared'.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis import neighbours as nb
from dashboard.analysis import profile as prof
from etl import stats

GROUPS = {"areas": "Chosen areas", "region": "Same region or nation", "la_type": "Same type of authority",
          "neighbours": "Nearest neighbours (similar areas)"}
BENCHMARKS = {"england": "England", "uk": "United Kingdom", "region": "Each area's own region or nation",
              "group": "The group's average (unweighted mean of the areas shown)"}


def current_ltlas(areas: pd.DataFrame) -> pd.DataFrame:
    return areas[(areas["geography"] == "ltla") & areas["active"].astype(bool)]


def clean_codes(areas: pd.DataFrame, codes) -> tuple[list[str], list[str]]:
    """Split requested codes into (known current LTLAs, rejected codes); keeps order, no dupes."""
    if isinstance(codes, str):
        codes = [c for c in codes.replace(";", ",").split(",")]
    known = set(current_ltlas(areas)["code"])
    ok, bad = [], []
    for c in codes or []:
        c = str(c).strip().upper()
        if not c:
            continue
        (ok if c in known else bad).append(c)
    return list(dict.fromkeys(ok)), list(dict.fromkeys(bad))


def group_members(areas: pd.DataFrame, la_view: pd.DataFrame, code: str, group: str,
                  k: int = 10, titles: dict | None = None) -> tuple[list[str], str, str]:
    """(codes incl. the area itself first, label, method note) for a comparator group."""
    info = prof.resolve_area(areas, code)
    if not prof.is_current_ltla(info):
        return [], "", "Choose a current local authority to build a comparator group."
    cur = current_ltlas(areas)
    name = info.get("name", code)
    if group == "region":
        codes = prof.group_codes_default(areas, info)
        reg = prof.regional_code(info)
        label = f"Local authorities in {prof.name_of(areas, reg)}" if reg else "Region"
        note = "All current local authorities in the same region (England) or nation."
    elif group == "la_type":
        t = info.get("la_type")
        codes = cur[cur["la_type"] == t]["code"].tolist()
        label = f"{t}s" if t and not str(t).endswith("s") else str(t)
        note = f"All current local authorities of the same type as {name} ({t})."
    elif group == "neighbours":
        nn, used, fb = nb.nearest_neighbours(la_view, areas, code, k=k)
        codes = nn["area_code"].tolist()
        label = f"{len(codes)} nearest neighbours of {name}"
        note = nb.describe(used, fb, titles)
    else:
        return [code], name, ""
    codes = [code] + [c for c in codes if c != code]
    return codes, label, note


def metric_periods(la_view: pd.DataFrame, metric_id: str) -> list[str]:
    d = la_view[(la_view["metric_id"] == metric_id) & np.isfinite(la_view["value"].astype(float))]
    if d.empty:
        return []
    return d.drop_duplicates("period").sort_values("period_end")["period"].tolist()


def compare_table(la_view: pd.DataFrame, observations: pd.DataFrame, areas: pd.DataFrame,
                  metrics: pd.DataFrame, codes: list[str], metric_id: str, period: str | None,
                  benchmark: str = "england", highlight: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Rows for each area: value, CI, status, geography note, benchmark and comparison.
    Returns (table, info) where info has the period used, benchmark label/value and reasons."""
    meta = metrics.set_index("id").loc[metric_id] if metric_id in set(metrics["id"]) else None
    polarity = str(meta["polarity"]) if meta is not None else "no_judgement"
    periods = metric_periods(la_view, metric_id)
    if not period or period not in periods:
        period = periods[-1] if periods else None
    info = {"period": period, "periods": periods, "polarity": polarity, "benchmark": benchmark,
            "benchmark_label": BENCHMARKS.get(benchmark, prof.name_of(areas, benchmark)), "benchmark_value": np.nan}
    cols = ["area_code", "area_name", "value", "lower", "upper", "status", "derived", "native_geography",
            "native_area_code", "geography_note", "benchmark", "benchmark_value", "comparison", "reason"]
    if period is None or not codes:
        return pd.DataFrame(columns=cols), info
    d = la_view[(la_view["metric_id"] == metric_id) & (la_view["period"] == period) & la_view["area_code"].isin(codes)]
    d = d.drop_duplicates("area_code").set_index("area_code").reindex(codes)
    names = areas.drop_duplicates("code").set_index("code")["name"]
    d["area_name"] = d.index.map(names)
    d["status"] = d["status"].fillna("not published for this area/period")
    obs = observations[(observations["metric_id"] == metric_id) & (observations["period"] == period)]
    bv = obs.drop_duplicates("area_code").set_index("area_code")["value"].astype(float)
    if benchmark == "england":
        bench = pd.Series(bv.get(prof.ENGLAND, np.nan), index=d.index)
        labels = pd.Series("England", index=d.index)
    elif benchmark == "uk":
        bench = pd.Series(bv.get(prof.UK, np.nan), index=d.index)
        labels = pd.Series("United Kingdom", index=d.index)
    elif benchmark == "region":
        regs = {c: prof.regional_code(prof.resolve_area(areas, c)) for c in d.index}
        bench = pd.Series({c: bv.get(r, np.nan) if r else np.nan for c, r in regs.items()})
        labels = pd.Series({c: prof.name_of(areas, r) if r else "" for c, r in regs.items()})
    elif benchmark == "group":
        m = float(d["value"].astype(float).mean()) if d["value"].notna().any() else np.nan
        bench = pd.Series(m, index=d.index)
        labels = pd.Series("Group average", index=d.index)
    else:  # a chosen area's value
        v = float(d.loc[benchmark, "value"]) if benchmark in d.index else np.nan
        bench = pd.Series(v, index=d.index)
        labels = pd.Series(prof.name_of(areas, benchmark), index=d.index)
    d["benchmark"] = labels
    d["benchmark_value"] = bench.astype(float)
    d["comparison"] = stats.compare_to_benchmark(d["value"].astype(float), d["lower"].astype(float),
                                                 d["upper"].astype(float), d["benchmark_value"], polarity)
    if benchmark not in ("england", "uk", "region", "group") and benchmark in d.index:
        d.loc[benchmark, "comparison"] = "benchmark"
    reasons = []
    for c, r in d.iterrows():
        if not np.isfinite(r["value"]):
            reasons.append(f"no value ({r['status']})")
        elif not (np.isfinite(r["lower"]) and np.isfinite(r["upper"])):
            reasons.append(prof.NO_CI_REASON)
        elif not np.isfinite(r["benchmark_value"]):
            reasons.append("not compared: no benchmark value for this period")
        else:
            reasons.append("")
    d["reason"] = reasons
    d["geography_note"] = [prof.geography_note(dict(r, area_code=c), areas, prof.resolve_area(areas, c))
                           if isinstance(r.get("native_geography"), str) else "" for c, r in d.iterrows()]
    d["derived"] = d["derived"].fillna(False).astype(bool)
    if benchmark in ("england", "uk"):
        info["benchmark_value"] = float(bench.iloc[0]) if len(bench) else np.nan
    elif benchmark == "group":
        info["benchmark_value"] = float(bench.iloc[0]) if len(bench) else np.nan
    elif benchmark in d.index:
        info["benchmark_value"] = float(d.loc[benchmark, "value"])
    out = d.reset_index().rename(columns={"index": "area_code"})
    return out[cols], info
