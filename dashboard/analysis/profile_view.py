"""The area profile's view model: what /area/<code> shows, section by section, as data.

Each section is one call (`page`, `headline`, `trend_charts`, `worst_third`, `spine`), memoised
per build for an area (and comparator), so the comparator switch and a second visit cost a
look-up. Charts are plain dicts (plotly figures) or plain numbers for the HTML spine chart.
"""
from __future__ import annotations

from urllib.parse import quote

import numpy as np
import pandas as pd

from dashboard import queries as q
from dashboard.analysis import compare as cmp
from dashboard.analysis import export
from dashboard.analysis import mission_view as mvw
from dashboard.analysis import profile as prof
from dashboard.formatting import capitalise, interval, join_words, number, plural
from dashboard.palette import BENCHMARK_COLOURS
from dashboard.queries import vocabulary as vocab
from dashboard.viewmodel import Link, Notice, Strong

# the comparison page's groups, less its hand-picked list
COMPARATORS = {k: v for k, v in cmp.GROUPS.items() if k != "areas"}
SPINE_KINDS = ("headline_mean", "supporting", "context")
TREND_HEIGHT = 280  # px: each small trend chart (the page gives its box the same height)
VERDICT_WORDS = {"better": "Better", "similar": "Similar", "worse": "Worse", "higher": "Higher", "lower": "Lower",
                 "not compared": "Not compared"}


the = prof.the


def resolve(code: str | None) -> dict:
    return q.areas.resolve(code)


def comparator_of(value: str | None) -> str:
    return value if value in COMPARATORS else "region"


# ----------------------------------------------------------------------------- heading
def _icb_lines(info: dict) -> list[Notice]:
    shares = q.areas.icb_shares(info.get("code")) if q.areas.is_current_ltla(info) else []
    if len(shares) < 2:
        return []
    g = vocab.geography("icb")
    name = info.get("name", info["code"])
    parts: list = [f"{name} is split between {len(shares)} {g.plural}: "]
    for i, s in enumerate(shares):
        if i:
            parts.append(", " if i < len(shares) - 1 else " and ")
        parts += [Link(s["icb_name"], f"/area/{s['icb_code']}"), f" ({s['share']:.0%} of its neighbourhoods)"]
    first = shares[0]
    tie = len(shares) > 1 and abs(shares[0]["share"] - shares[1]["share"]) < 1e-9
    parts.append(f". Values published for {g.plural} are shown here for {first['icb_name']}, the one holding "
                 + ("an equal largest share (on a tie, the lower code)" if tie else "the largest share")
                 + " of its neighbourhoods.")
    return [Notice(parts, "info")]


def headline_banner(info: dict) -> list[Notice]:
    """A banner for each latest period with no headline value for this area, saying why."""
    holes = prof.headline_holes(info)
    if not holes:
        return []
    by = {}
    for h in holes:
        by.setdefault((h["missing"], h["shown"], h["reason"]), []).append(q.catalogue.title(h["metric_id"]))
    out = []
    name = info.get("name", info.get("code"))
    for (missing, shown, reason), titles in by.items():
        what = "headline values" if len(titles) >= 4 else join_words(titles)
        tail = (f" The profile shows {shown}, the latest period with a value." if shown else
                " No earlier period has a value either.")
        out.append(Notice([Strong(f"No {missing} {what} for {name}"), f": {reason}.{tail}"], "warning"))
    return out


def page(info: dict) -> dict:
    """The profile's heading facts: kind, lead line, notes, parents and children."""
    is_ltla = q.areas.is_current_ltla(info)
    geo = info.get("geography")
    g = vocab.geography(geo)
    kind = info.get("la_type") if isinstance(info.get("la_type"), str) else (g.short if g else geo)
    reg = q.areas.regional_code(info)
    lead = f"{kind}" + (f" in {q.areas.name(reg)}" if reg else "") + f" · {info['code']}"
    notes = headline_banner(info)
    if not is_ltla:
        notes.append(Notice.of(f"This is {g.a() if g else 'an area'} profile: it shows the headline measures and "
                               "the metrics published at this geography. Full profiles (with the mission's worst "
                               f"third and every metric) are for {vocab.geography('ltla').plural}."))
    notes += _icb_lines(info)
    former = info.get("former_codes")
    parents = [(vocab.geography(gid).short, c, n) for gid, c, n in q.areas.parents(info)]
    return {"is_ltla": is_ltla, "name": info.get("name", info["code"]), "lead": lead, "notes": notes,
            "former": former if q.areas.present(former) else None, "parents": parents,
            "children": q.areas.children(info)}


# ----------------------------------------------------------------------------- headline
@prof.per_area
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


def _clean(v) -> list:
    return [None if not np.isfinite(x) else round(float(x), 6) for x in np.asarray(v, float)]


def small_trend(series: pd.DataFrame, bench: pd.DataFrame, metric_id: str, area_name: str, bench_name: str,
                decimals: int) -> dict:
    """One measure's trend as a plain plotly figure dict: the area with 95% CI error bars and
    the benchmark (dashed). Titles live in the page, not the figure, so nothing overlaps."""
    s = series[series["metric_id"] == metric_id].sort_values("period_end") if not series.empty else series
    b = bench[bench["metric_id"] == metric_id].sort_values("period_end") if not bench.empty else bench
    traces = []
    if not b.empty:
        traces.append({"type": "scatter", "x": b["period"].astype(str).tolist(), "y": _clean(b["value"]),
                       "name": bench_name, "mode": "lines", "line": {"color": "#3D3D3D", "dash": "dash", "width": 2},
                       "hovertemplate": f"{bench_name} %{{x}}: %{{y:.{decimals}f}}<extra></extra>"})
    if not s.empty:
        traces.append({"type": "scatter", "x": s["period"].astype(str).tolist(), "y": _clean(s["value"]),
                       "name": area_name, "mode": "lines+markers", "line": {"color": "#12436D", "width": 2},
                       "marker": {"size": 6},
                       "error_y": {"type": "data", "symmetric": False, "array": _clean(s["upper"] - s["value"]),
                                   "arrayminus": _clean(s["value"] - s["lower"]), "color": "#7FA8D4",
                                   "thickness": 1.5, "width": 3},
                       "hovertemplate": f"{area_name} %{{x}}: %{{y:.{decimals}f}}<extra></extra>"})
    parts = [x[["period", "period_end"]] for x in (b, s) if not x.empty]
    cats = (pd.concat(parts).sort_values("period_end")["period"].astype(str).drop_duplicates().tolist()
            if parts else [])
    layout = {"height": TREND_HEIGHT, "margin": {"l": 44, "r": 8, "t": 8, "b": 64}, "plot_bgcolor": "white",
              "font": {"family": "Arial", "size": 12}, "showlegend": False,
              "xaxis": {"type": "category", "tickangle": -45, "tickfont": {"size": 10}, "fixedrange": True,
                        "automargin": False, "categoryorder": "array", "categoryarray": cats},
              "yaxis": {"gridcolor": "#e5e5e5", "fixedrange": True, "automargin": False}}
    cut = mode_change_position(cats)
    if cut is not None:
        # March 2020: the survey moved from face-to-face to telephone interviews (a dotted line,
        # labelled in the chart and said in words beside the charts)
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": cut, "x1": cut, "y0": 0, "y1": 1,
                             "line": {"color": "#6E4A9E", "width": 1.5, "dash": "dot"}}]
        layout["annotations"] = [{"xref": "x", "yref": "paper", "x": cut, "y": 1, "yanchor": "top", "xanchor": "left",
                                  "text": "phone", "showarrow": False, "font": {"size": 10, "color": "#4B2D73"},
                                  "bgcolor": "rgba(255,255,255,0.85)"}]
    return {"data": traces, "layout": layout}


def mode_change_position(periods: list[str]) -> float | None:
    """Where the March 2020 change of interview mode falls on a category axis of periods (None
    when the periods do not span it): the overview's rule, on this area's periods."""
    return mvw.mode_boundary(periods, q.mission.survey_mode())


def mode_change_note() -> dict | None:
    """The words and source for the interview-mode marker on the well-being trend charts."""
    after = [r for r in q.mission.survey_mode_by_period().values() if r.get("mode_change") == "after"]
    if not after:
        return None
    r = after[0]
    return {"text": "The dotted line marked 'phone' is March 2020, when the Annual Population Survey moved from "
                    "face-to-face to telephone interviews. ONS found that answers differ between the two modes, "
                    "most for anxiety, so a change across the line mixes real change with a change of method.",
            "source_title": r.get("source_title"), "source_url": r.get("source_url")}


def trend_charts(code: str) -> dict:
    """The headline trend charts (deferred: drawn after the page): one small figure per measure
    for the mean scores, and for the published shares where there are any."""
    info = q.areas.resolve(code)
    if info.get("status") not in ("current", "retired"):
        return {"means": [], "shares": [], "table": pd.DataFrame()}
    v = headline(info)
    name = info.get("name", code)
    out = {"means": [], "shares": [], "nat_name": v["nat_name"], "name": name, "table": v["table"],
           "mode_note": mode_change_note()}
    if v["empty"]:
        return out
    for mid, title in zip(v["mean_ids"], v["titles"]):
        out["means"].append({"metric_id": mid, "title": f"{title} (mean, 0-10)",
                             "figure": small_trend(v["series"], v["bench"], mid, name, v["nat_name"], 2)})
    if v["shares_present"]:
        for mid, title in zip(v["share_ids"], v["share_titles"]):
            out["shares"].append({"metric_id": mid, "title": f"{title} (%)",
                                  "figure": small_trend(v["series"], v["bench"], mid, name, v["nat_name"], 1)})
    return out


# ----------------------------------------------------------------------------- spine
def group(info: dict, comparator: str) -> tuple[list[str], str, str]:
    if not q.areas.is_current_ltla(info):
        return [], "", ""
    return cmp.group_members(info["code"], comparator)


def _pct(x) -> float | None:
    return round(2 + 96 * float(x), 2) if np.isfinite(x) else None


def _sparkline(periods: list[str], y: np.ndarray) -> tuple[str | None, str]:
    """A tiny SVG polyline of a metric's values over time (as an image address), and its words."""
    if len(y) < 2:
        return None, ""
    lo, hi = float(y.min()), float(y.max())
    span = hi - lo or 1.0
    xs = np.linspace(2, 78, len(y))
    ys = 18 - (y - lo) / span * 16
    pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys))
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 80 20' width='80' height='20'>"
           f"<polyline points='{pts}' fill='none' stroke='#12436D' stroke-width='1.5'/>"
           f"<circle cx='{xs[-1]:.1f}' cy='{ys[-1]:.1f}' r='2' fill='#12436D'/></svg>")
    return "data:image/svg+xml;charset=utf-8," + quote(svg), f"{periods[0]} to {periods[-1]}"


def with_unit(value, decimals: int, unit: str) -> str:
    """'£601 per week', '12.3%', '79 per 10,000 children', '7.24 (score 0-10)'."""
    unit = unit or ""
    if unit.startswith("£"):
        text = number(value, decimals)
        if text == "no value":
            return text
        rest = unit[1:].strip()
        return f"£{text}" + (f" {rest}" if rest else "")
    if unit.startswith("%"):
        return number(value, decimals, "%")
    return number(value, decimals) + (f" {unit}" if unit and np.isfinite(value) else "")


def _verdict_text(r: dict) -> str:
    if r["is_count"]:
        return "Not compared (a count)"
    return VERDICT_WORDS.get(r["vs_nat"], capitalise(r["vs_nat"]))


def spine_rows(pos: list[dict], trends: dict, spread_words: str) -> list[dict]:
    """One row of the HTML spine chart per metric: its words, its marks (0-100 positions across
    the bar) and the sentence a hover, a focus or a screen reader gets. `pos`: profile rows with
    their spine positions; `trends`: metric -> (periods, values) for the sparklines."""
    out = []
    for r in pos:
        dec = int(r["decimals"])
        unit = r["unit"] or ""
        value_text = with_unit(r["value"], dec, unit)
        ci = interval(r["lower"], r["upper"], dec)
        short_unit = "%" if unit.startswith("%") else ""
        flags = []
        if r["shared"] or r["derived"]:
            flags.append(r["geography_note"])
        if r["stale_note"]:
            flags.append(r["stale_note"])
        if r["nat_gap"] and np.isfinite(r["value"]):
            flags.append(r["nat_gap"])
        has_bar = np.isfinite(r["x_min"]) and np.isfinite(r["x_value"])
        centre_text = f"{r['centre_label']}: {number(r['centre_value'], dec, short_unit)}"
        spread = (f"{spread_words} ({r['dist_n']:,} values): lowest {number(r['dist_min'], dec, short_unit)}, "
                  f"middle half {number(r['dist_q25'], dec, short_unit)} to {number(r['dist_q75'], dec, short_unit)}, "
                  f"highest {number(r['dist_max'], dec, short_unit)}") if np.isfinite(r["dist_min"]) \
            else "no spread of values"
        if r["is_count"]:
            verdict = "Not compared: a count; the national figure is a total, so no benchmark is shown"
        elif r["vs_nat"] == "not compared":
            verdict = f"Not compared with {the(r['nat_name'])}: {r['compare_note'].replace('not compared: ', '')}"
        else:
            word = {"similar": "Similar to"}.get(r["vs_nat"], f"{VERDICT_WORDS.get(r['vs_nat'], r['vs_nat'])} than")
            verdict = f"{word} {the(r['nat_name'])} ({number(r['nat_value'], dec, short_unit)})"
        detail = (f"{r['short_title']} ({r['period']}): {value_text}"
                  + (f" (95% CI {ci})" if np.isfinite(r["lower"]) else " (no confidence interval published)")
                  + f". {verdict}. {capitalise(spread)}."
                  + ("" if r["centre_is_national"] else
                     f" The line marks the {r['centre_label'].lower()} ({number(r['centre_value'], dec, short_unit)}).")
                  + "".join(f" {f}." for f in flags))
        t = trends.get(r["metric_id"])
        spark, spark_words = _sparkline(*t) if t is not None else (None, "")
        out.append({
            "metric_id": r["metric_id"], "label": r["short_title"], "period": r["period"], "value_text": value_text,
            "unit": unit, "verdict": "not compared" if r["is_count"] else r["vs_nat"], "verdict_text": _verdict_text(r),
            "colour": BENCHMARK_COLOURS.get("not compared" if r["is_count"] else r["vs_nat"], "#BFC1C3"),
            "flags": flags, "shared": bool(r["shared"]), "stale": bool(r["stale_note"]), "count": bool(r["is_count"]),
            "bar": {"min": _pct(r["x_min"]), "q25": _pct(r["x_q25"]), "q75": _pct(r["x_q75"]),
                    "max": _pct(r["x_max"]), "centre": 50.0, "value": _pct(r["x_value"])} if has_bar else None,
            "centre_is_national": bool(r["centre_is_national"]), "centre_text": centre_text,
            "flipped": bool(r["flipped"]), "no_direction": r["polarity"] not in ("higher_better", "lower_better"),
            "detail": detail, "spark": spark,
            "spark_alt": f"Trend for {r['short_title']}, {spark_words}" if spark else "",
        })
    return out


def _grouped(rows: list[dict], key: str) -> list[tuple[str, list[str]]]:
    by: dict[str, list[str]] = {}
    for r in rows:
        by.setdefault(r[key], []).append(r["short_title"])
    return list(by.items())


def _spine_uncached(code: str, comparator: str) -> dict:
    info = q.areas.resolve(code)
    codes, label, note = group(info, comparator)
    rows = prof.profile_rows(info, codes, label or "comparator group", kinds=SPINE_KINDS)
    out = {"empty": not rows, "group_label": label, "group_note": note, "group_n": max(len(codes) - 1, 0),
           "name": info.get("name", code)}
    if not rows:
        return out
    judged = [r for r in rows if r["kind"] != "headline_mean"]
    nat_name = rows[0]["nat_name"]
    worse = [r for r in judged if r["vs_nat"] == "worse"]
    worse_both = [r for r in worse if r["vs_reg"] == "worse"]
    n_nc = sum(r["vs_nat"] == "not compared" for r in rows)
    missing = prof.unavailable_metrics(rows, info=info)
    shown = [dict(r, **prof.spine_position(r, prof.median_label(info))) for r in rows if np.isfinite(r["value"])]
    spread_words = capitalise(prof.spread_label(info))
    summary = []
    nat_the = the(nat_name)
    if judged:
        if worse:
            words = [r["short_title"] + (f" ({r['geography_note']})" if r["shared"] else "") for r in worse]
            summary.append(Notice([Strong(f"{plural(len(worse), 'supporting metric')} significantly worse than "
                                          f"{nat_the}"), ": " + "; ".join(words),
                                   f". Worse than both {nat_the} and the region: "
                                   + (", ".join(r["short_title"] for r in worse_both) or "none") + "."]))
        else:
            summary.append(Notice([Strong(f"No supporting metric is significantly worse than {nat_the}"), "."]))
    else:
        summary.append(Notice.of("The supporting (Annex B) metrics are not published for this area in this data; "
                                 "the spine chart shows the headline mean scores."))
    shared_notes = [Notice([Strong(f"{note_}: "), join_words(titles) + "."]) for note_, titles in
                    _grouped([r for r in shown if r["shared"]], "geography_note")]
    stale_by: dict = {}
    for r in shown:
        if r["stale_note"]:
            stale_by.setdefault(r["stale_key"], []).append(r["short_title"])
    stale_notes = [Notice([Strong(f"{join_words(titles)}: "), prof.stale_sentence(*key) + "."], "warning")
                   for key, titles in stale_by.items()]
    counts = [r["short_title"] for r in shown if r["is_count"]]
    count_note = (Notice.of(f"{join_words(counts)}: {'a count' if len(counts) == 1 else 'counts'}, not compared "
                            f"with {nat_the} or the region (their figures are totals over many areas); the line "
                            f"marks the {prof.median_label(info).lower()} instead. Compare the rates.")
                  if counts else None)
    positions = pd.DataFrame(shown)
    out.update({"has_supporting": bool(judged), "nat_name": nat_name, "summary": summary,
                "shared_notes": shared_notes, "stale_notes": stale_notes, "count_note": count_note,
                "worse": [r["short_title"] for r in worse], "worse_both": [r["short_title"] for r in worse_both],
                "n_not_compared": int(n_nc), "missing": missing[~missing["england_only"]].reset_index(drop=True),
                "england_only": missing[missing["england_only"]].reset_index(drop=True), "table": positions,
                "positions": positions, "rows": spine_rows(shown, prof.area_trends(info), spread_words),
                "spread_label": prof.spread_label(info), "median_label": prof.median_label(info),
                "table_rows": table_rows(shown)})
    return out


_spine_cached = q.per_build(maxsize=512)(_spine_uncached)


def spine(info: dict, comparator: str) -> dict:
    """The spine chart section: every headline mean, supporting and context metric against the
    benchmarks (memoised per build for the area and comparator; callers must not modify it)."""
    if info.get("status") in ("current", "retired") and info.get("code"):
        return _spine_cached(info["code"], comparator_of(comparator))
    return {"empty": True}


def table_rows(tab: list[dict]) -> pd.DataFrame:
    rows = []
    for r in tab:
        dec = int(r["decimals"])
        notes = [n for n in (r["geography_note"], r["stale_note"], r["nat_gap"], r["compare_note"]) if n]
        rows.append({
            "Metric": r["short_title"], "Period": r["period"],
            "Value": number(r["value"], dec) if np.isfinite(r["value"]) else f"no value ({r['status']})",
            "95% CI": interval(r["lower"], r["upper"], dec), "Unit": r["unit"],
            f"{r['nat_name']}": "not compared (a count)" if r["is_count"] else number(r["nat_value"], dec),
            f"vs {r['nat_name']}": r["vs_nat"].capitalize(),
            "Region": ("not compared (a count)" if r["is_count"] else
                       f"{r['reg_name']} {number(r['reg_value'], dec)}") if r["reg_code"] else "",
            "vs region": r["vs_reg"].capitalize(),
            "Comparator group": ("not compared (a count)" if r["is_count"] else
                                 number(r["group_value"], dec) + (f" ({r['group_n']} areas)" if r["group_n"] else "")),
            "vs group": r["vs_group"].capitalize(),
            "Notes": "; ".join(notes),
        })
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- mission
def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@prof.per_area
def worst_third(info: dict) -> dict | None:
    """The mission's worst-third section for an LTLA (None when it was never ranked): the
    membership with its probability, exactly what is ranked, and how it squares with the
    headline comparisons."""
    ms = prof.mission_summary(info["code"])
    if ms is None:
        return None
    ms = dict(ms)
    n = ms["n_ranked"]
    name = info.get("name", info["code"])
    first, last = ms.get("worst_measure_rank"), ms.get("worst_measure_rank_last")
    if first and last and last > first:
        on_measure = (f"joint {_ordinal(first)} worst of {n} on that measure alone: {last - first + 1} areas share "
                      f"its published value, places {first} to {last}")
    elif first:
        on_measure = f"{_ordinal(first)} worst of {n} on that measure alone"
    else:
        on_measure = ""
    ms["ranking"] = (f"Worst-performing headline measure in {ms['period']}: {ms['worst_title']}, worse than "
                     f"{ms['worst_percentile']:.0f}% of the {n} ranked local authorities"
                     + (f" ({on_measure})" if on_measure else "") + ". "
                     f"Ordered by each area's worst measure (the ordering that defines the worst third), {name} "
                     f"is {_ordinal(ms['rank'])} of {n}, 1 = worst. Single-area rankings are uncertain: read the "
                     f"probability, not the rank.")
    dp = 2 if ms["basis"] == "means" else 1
    ms["measure_table"] = pd.DataFrame([{
        "Measure": m["title"], "Worse than (% of areas)": f"{m['percentile']:.0f}%",
        "Rank on this measure (1 = worst)": (f"{m['rank']} of {n}" + (f" (joint, to {m['rank_last']})"
                                             if m.get("rank_last") and m["rank_last"] > m["rank"] else ""))
        if m["rank"] else "",
        "Worst measure": "Yes" if m["worst"] else "",
        "Published estimate": number(m.get("value"), dp),
        "Model estimate (95% interval)": (f"{number(m['shrunk'], dp)} ({interval(m['shrunk_lower'], m['shrunk_upper'], dp)})"
                                          if np.isfinite(m.get("shrunk", np.nan)) else "not modelled"),
        "Reliability of the published estimate": (f"{m['reliability']:.2f}" if np.isfinite(m.get("reliability", np.nan))
                                                  else "")} for m in ms["measures"]])
    ms["model_text"] = _model_text(ms, dp)
    ms["explain"] = _worst_third_vs_benchmark(info, ms)
    hist = ms["history"].copy()
    hist["in_worst_third"] = hist["in_worst_third"].map({True: "Yes", False: "No"})
    for col in ("p_worst_third", "p_worst_third_adjusted"):
        hist[col] = hist[col].map(lambda p: f"{p:.0%}" if pd.notna(p) else "")
    hist["worst_percentile"] = hist["worst_percentile"].map(lambda p: f"{p:.0f}")
    ms["history"] = hist.rename(columns={
        "period": "Period", "basis": "Basis", "worst_metric": "Worst measure", "worst_percentile": "Worseness percentile",
        "rank": "Rank by worst measure (1 = worst)", "n_ranked": "Areas ranked", "in_worst_third": "In worst third",
        "p_worst_third_adjusted": "Probability truly in worst third (allowing for noise)",
        "p_worst_third": "Stability of the published ranking", "uses_derived": "Uses derived values"})
    ms["basis_text"] = ("Based on the published mean scores: the low-well-being shares are not published for every "
                        "local authority in this data." if ms["basis"] == "means" else "Based on the published shares.")
    ms["unranked"] = _unranked_notice(info, ms["period"])
    return ms


def _model_text(ms: dict, dp: int) -> str:
    """What the small-area model does to this area's estimates, in one or two sentences."""
    got = [m for m in ms["measures"] if np.isfinite(m.get("shrunk", np.nan)) and np.isfinite(m.get("value", np.nan))]
    if not got:
        return ""
    low = min(got, key=lambda m: m.get("reliability", 1.0))
    return (f"Each published estimate comes from a survey sample, so part of the difference between areas is noise. "
            f"The model estimates pull each published value towards what similar areas in the same region suggest, "
            f"more so where the sample says less: for {low['title'].lower()} the published {number(low['value'], dp)} "
            f"becomes {number(low['shrunk'], dp)} (reliability {low['reliability']:.2f}, where 1 would mean no "
            f"noise). The worst-third probability that allows for noise is computed from these model estimates.")


def _unranked_notice(info: dict, shown: str) -> Notice | None:
    """Said when the area was left out of the latest ranking (e.g. a merged council whose
    predecessor's estimate was not published): which period, why, and which period is shown."""
    latest = _latest_mission_period()
    if not latest or shown == latest:
        return None
    holes = [h for h in prof.headline_holes(info) if h["missing"] == latest]
    why = holes[0]["reason"] if holes else "not all four headline measures are published for it in that period"
    return Notice([Strong(f"Not ranked in {latest}"), f": {why}. The result below is for {shown}, the latest "
                   "period in which it was ranked."], "warning")


def _latest_mission_period() -> str | None:
    p = q.mission.ltla_periods()
    return p[-1] if p else None


def _worst_third_vs_benchmark(info: dict, ms: dict) -> Notice:
    """Why 'in the worst third' and 'similar to England' can both hold, said where both appear."""
    items = prof.headline_summary(info)
    means = [it["mean"] for it in items if it.get("mean") and np.isfinite(it["mean"].get("value", np.nan))]
    nat = the(vocab.place_name(q.areas.national_code(info)))
    similar = [it["label"] for it in items if it.get("mean") and it["mean"].get("vs_nat") == "similar"]
    general = ("The worst third is a ranking: every local authority is placed by its worst measure relative to the "
               "others, so a third of them are in it however small the differences between areas are. The "
               f"comparisons with {nat} beside each measure are significance tests: 'similar' means the area's "
               f"95% confidence interval includes {nat}'s value. Many areas close to {nat}'s value still rank in "
               "the bottom third, because most areas differ from each other by less than their estimates' "
               "uncertainty.")
    if (ms["in_worst_third"] or (np.isfinite(ms["p"]) and ms["p"] >= 0.5)) and similar and means:
        k = len(similar)
        which = (f"all {k} headline measures" if k == len(means) and k > 1 else plural(k, "headline measure"))
        lead = (f"How both hold: {info.get('name')} is in the worst third on the published estimates"
                + (f" (probability {ms['p_adjusted']:.0%} allowing for noise)" if np.isfinite(ms.get("p_adjusted", np.nan))
                   else f" (in {ms['p']:.0%} of re-draws)") + ", yet "
                f"{which} ({join_words(similar)}) {'is' if k == 1 else 'are'} similar to {nat}. ")
        return Notice([Strong(lead), general])
    return Notice([general])


# ----------------------------------------------------------------------------- downloads
DOWNLOAD_DROP = ("stale_key", "sort", "publisher_url", "status_note")


def download_headline(code: str) -> pd.DataFrame:
    info = q.areas.resolve(code)
    df = prof.profile_download(info)
    if df.empty:
        return df
    df = df[df["metric_id"].isin(q.catalogue.headline_ids())].dropna(axis=1, how="all")
    return export.round_to_precision(export.round_to_precision(df), columns=export.BENCHMARK_COLUMNS)


def download_comparisons(code: str, comparator: str | None) -> pd.DataFrame:
    info = q.areas.resolve(code)
    codes, label, _ = group(info, comparator_of(comparator))
    tab = prof.profile_table(info, codes, label or "comparator group")
    tab = tab.drop(columns=[c for c in DOWNLOAD_DROP if c in tab])
    return export.round_to_precision(tab, columns=export.VALUE_COLUMNS + export.COMPARISON_COLUMNS)


def download_profile(info: dict) -> pd.DataFrame:
    """The whole profile as its CSV: every metric and period, then the worst-third result."""
    df = prof.profile_download(info)
    df = export.round_to_precision(df)
    return export.round_to_precision(df, columns=export.BENCHMARK_COLUMNS)
