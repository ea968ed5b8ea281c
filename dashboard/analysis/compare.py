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

from dashboard import queries as q
from dashboard.analysis import neighbours as nb
from dashboard.analysis import profile as prof
from dashboard.formatting import plural
from dashboard.queries import vocabulary as vocab
from etl import stats

GROUPS = {"areas": "Chosen areas", "region": "Same region or nation", "la_type": "Same type of authority",
          "neighbours": "Nearest neighbours (similar areas)"}
BENCHMARK_KEYS = ("england", "uk", "region", "group")


def benchmark_labels() -> dict[str, str]:
    return {"england": vocab.place_name(vocab.england_code()), "uk": vocab.uk()["name"],
            "region": "Each area's own region or nation",
            "group": "The group's average (unweighted mean of the areas shown)"}


def clean_codes(codes) -> tuple[list[str], list[str]]:
    """Split requested codes into (known current LTLAs, rejected codes); keeps order, no repeats."""
    if isinstance(codes, str):
        codes = codes.replace(";", ",").split(",")
    known = q.areas.current_ltla_codes()
    ok, bad = [], []
    for c in codes or []:
        c = str(c).strip().upper()
        if c:
            (ok if c in known else bad).append(c)
    return list(dict.fromkeys(ok)), list(dict.fromkeys(bad))


def group_members(code: str, group: str, k: int = 10) -> tuple[list[str], str, str]:
    """(codes with the area itself first, label, method note) for a comparator group."""
    info = q.areas.resolve(code)
    if not q.areas.is_current_ltla(info):
        return [], "", "Choose a current local authority to build a comparator group."
    name = info.get("name", code)
    if group == "region":
        codes = q.areas.ltla_in_region(info)
        reg = q.areas.regional_code(info)
        label = f"Local authorities in {q.areas.name(reg)}" if reg else "Region"
        note = "All current local authorities in the same region (England) or nation."
    elif group == "la_type":
        t = info.get("la_type")
        codes = q.areas.ltla_of_type(t)
        # the type is a label, not a noun to pluralise ("Unitary authority"): name it in brackets
        label = f"Local authorities of the same type ({t})"
        note = f"All current local authorities of the same type as {name}."
    elif group == "neighbours":
        nn, used, fb = nb.neighbours_of(code, k=k)
        codes = nn["area_code"].tolist()
        label = f"{plural(len(codes), 'nearest neighbour')} of {name}"
        note = nb.describe(used, fb, q.catalogue.titles())
    else:
        return [code], name, ""
    return [code] + [c for c in codes if c != code], label, note


def metric_periods(metric_id: str) -> list[str]:
    """Periods with LA-view values for the metric, oldest first."""
    d = q.observations.metric_rows(metric_id, "la_view")
    d = d[np.isfinite(d["value"].astype(float))] if not d.empty else d
    return d.drop_duplicates("period").sort_values("period_end")["period"].tolist() if not d.empty else []


def compare_table(codes: list[str], metric_id: str, period: str | None, benchmark: str = "england") -> tuple[pd.DataFrame, dict]:
    """Rows for each area: value, CI, status, geography note, benchmark and comparison.
    Returns (table, info) where info has the period used, benchmark label/value and periods."""
    polarity = q.catalogue.polarity(metric_id)
    periods = metric_periods(metric_id)
    if not period or period not in periods:
        period = periods[-1] if periods else None
    labels = benchmark_labels()
    info = {"period": period, "periods": periods, "polarity": polarity, "benchmark": benchmark,
            "benchmark_label": labels.get(benchmark, q.areas.name(benchmark)), "benchmark_value": np.nan}
    cols = ["area_code", "area_name", "value", "lower", "upper", "status", "derived", "native_geography",
            "native_area_code", "geography_note", "benchmark", "benchmark_value", "comparison", "reason"]
    if period is None or not codes:
        return pd.DataFrame(columns=cols), info
    d = q.observations.metric_rows(metric_id, "la_view")
    d = d[(d["period"] == period) & d["area_code"].isin(codes)]
    d = d.drop_duplicates("area_code").set_index("area_code").reindex(codes)
    d["area_name"] = [q.areas.name(c) for c in d.index]
    d["status"] = d["status"].fillna("not published for this area/period")
    if benchmark in ("england", "uk"):
        code = vocab.england_code() if benchmark == "england" else vocab.uk_code()
        bench = pd.Series(q.observations.value_of(metric_id, period, code)[0], index=d.index)
        names = pd.Series(vocab.place_name(code), index=d.index)
    elif benchmark == "region":
        regs = {c: q.areas.regional_code(q.areas.resolve(c)) for c in d.index}
        bench = pd.Series({c: q.observations.value_of(metric_id, period, r)[0] for c, r in regs.items()})
        names = pd.Series({c: q.areas.name(r) if r else "" for c, r in regs.items()})
    elif benchmark == "group":
        m = float(d["value"].astype(float).mean()) if d["value"].notna().any() else np.nan
        bench, names = pd.Series(m, index=d.index), pd.Series("Group average", index=d.index)
    else:  # a chosen area's value
        v = float(d.loc[benchmark, "value"]) if benchmark in d.index else np.nan
        bench, names = pd.Series(v, index=d.index), pd.Series(q.areas.name(benchmark), index=d.index)
    d["benchmark"] = names
    d["benchmark_value"] = bench.astype(float)
    d["comparison"] = stats.compare_to_benchmark(d["value"].astype(float), d["lower"].astype(float),
                                                 d["upper"].astype(float), d["benchmark_value"], polarity)
    if benchmark not in BENCHMARK_KEYS and benchmark in d.index:
        d.loc[benchmark, "comparison"] = "benchmark"
    d["reason"] = [prof.why_not(float(r["value"]), float(r["lower"]), float(r["upper"]), float(r["benchmark_value"]),
                                r["status"]) if not (np.isfinite(r["value"]) and np.isfinite(r["lower"])
                                                     and np.isfinite(r["benchmark_value"])) else ""
                   for _, r in d.iterrows()]
    d["reason"] = [f"no value ({s})" if x == "no value" else x for x, s in zip(d["reason"], d["status"])]
    d["geography_note"] = [prof.geography_note(dict(r, area_code=c), q.areas.resolve(c))
                           if isinstance(r.get("native_geography"), str) else "" for c, r in d.iterrows()]
    d["derived"] = d["derived"].fillna(False).astype(bool)
    if benchmark in ("england", "uk", "group"):
        info["benchmark_value"] = float(bench.iloc[0]) if len(bench) else np.nan
    elif benchmark in d.index:
        info["benchmark_value"] = float(d.loc[benchmark, "value"])
    out = d.reset_index().rename(columns={"index": "area_code"})
    return out[cols], info
