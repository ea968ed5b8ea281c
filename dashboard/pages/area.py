"""Area profile: /area/<code> (any geography; the full profile for current LTLAs)."""
from __future__ import annotations

from urllib.parse import urlencode

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html

from dashboard.analysis import compare as cmp
from dashboard.analysis import profile as prof
from dashboard.components.common import (BENCHMARK_COLOURS, download_button, error_notice, fmt, fmt_ci,
                                         message, page_header, safe, table)
from dashboard.components.search import search_box
from dashboard.data import store

dash.register_page(__name__, path_template="/area/<code>", title="Area profile")

COMPARATORS = {"region": "Same region or nation", "la_type": "Same type of authority",
               "neighbours": "Nearest neighbours (similar areas)"}
SYMBOLS = {"better": "circle", "similar": "diamond", "worse": "square", "not compared": "circle-open",
           "higher": "triangle-up", "lower": "triangle-down"}
GEO_TEXT = {"ltla": "local authority", "utla": "upper-tier authority (county or unitary)", "icb": "integrated care board",
            "aq_zone": "air-quality zone", "region": "region", "country": "nation", "uk": "United Kingdom"}
SPINE_KINDS = ("headline_mean", "supporting", "context")


def badge(result: str) -> html.Span:
    result = result or "not compared"
    return html.Span(result.capitalize(), className=f"cmp-badge cmp-badge--{result.replace(' ', '-')}")


def _d(row, key="decimals"):
    try:
        return int(row.get(key, 1))
    except (TypeError, ValueError):
        return 1


# ----------------------------------------------------------------------------- not found / retired

def _unknown(code: str, invalid: bool = False) -> html.Div:
    return html.Div([
        page_header("Area not found"),
        html.P(f"We don't know the area code {code or '(none)'}." + (
            " Area codes look like E08000025 (nine characters, a letter then digits)." if invalid else
            " It may be mistyped, or an area that is not in this build.")),
        html.P("Search for the area by name instead:"),
        search_box("area-notfound"),
        html.P([dcc.Link("Or browse areas on the map", href="/map"), "."]),
    ], className="profile")


def _retired(info: dict) -> html.Div:
    succ = info.get("successor_code")
    name = info.get("name", info["code"])
    if succ and info.get("successor_name") == name:
        text = (f"{info['code']} is an old code for {name}. The area now uses the code {succ}; "
                f"its history is shown under the new code.")
    elif succ:
        text = (f"{name} ({info['code']}) no longer exists as a council: it was merged into "
                f"{info.get('successor_name', succ)} ({succ}). Where the successor's history is derived "
                f"from its predecessor councils the profile says so.")
    else:
        text = (f"{name} ({info['code']}) is a former council or county that no longer exists in the current "
                f"(May 2025) geography. Search for the area that replaced it:")
    return html.Div([
        page_header(f"{name}: former area"),
        message(text),
        html.P(dcc.Link(f"Go to the profile of {info.get('successor_name', succ)}", href=f"/area/{succ}",
                        className="button")) if succ else search_box("area-retired"),
    ], className="profile")


# ----------------------------------------------------------------------------- headline

def _headline_cards(items: list[dict], info: dict) -> html.Div:
    cards = []
    nat_name = prof.COUNTRY_NAMES.get(prof.national_code(info), "England")
    reg = prof.regional_code(info)
    reg_name = prof.name_of(store().areas, reg) if reg else ""
    for it in items:
        m = it["mean"]
        body = [html.H3(it["label"])]
        if m and np.isfinite(m.get("value", np.nan)):
            body.append(html.P([html.Span("Mean score (0-10), ", className="card__label"), f"{m['period']}: ",
                                html.Strong(fmt(m["value"], 2)),
                                html.Span(f" (95% CI {fmt_ci(m['lower'], m['upper'], 2)})", className="card__ci")]))
            cmp_items = [html.Li([f"{nat_name} {fmt(m['nat_value'], 2)}: ", badge(m["vs_nat"])])]
            if reg:
                cmp_items.append(html.Li([f"{reg_name} {fmt(m['reg_value'], 2)}: ", badge(m["vs_reg"])]))
            body.append(html.Ul(cmp_items, className="card__compare", **{"aria-label": "Compared with benchmarks"}))
            if m.get("derived"):
                body.append(html.P("Derived from predecessor councils.", className="card__note"))
        else:
            status = (m or {}).get("status", "not published")
            body.append(html.P(f"Mean score: no value for this area ({status}).", className="card__missing"))
        ch = it.get("change")
        if ch and ch.get("testable"):
            word = {"improved": "significantly improved", "worsened": "significantly worse",
                    "no significant change": "no significant change"}.get(ch["direction"], ch["direction"])
            body.append(html.P([f"Change {ch['from']} to {ch['to']}: {ch['diff']:+.2f} "
                                f"(95% CI {ch['lower']:+.2f} to {ch['upper']:+.2f}): ", html.Strong(word)],
                               className="card__change"))
        s = it["share"]
        share_name = "high anxiety (6-10)" if it["key"] == "anxiety" else f"low {it['label'].split(' ')[0].lower()} (0-4)"
        if s and np.isfinite(s.get("value", np.nan)):
            ci = (f" (95% CI {fmt_ci(s['lower'], s['upper'])})" if np.isfinite(s.get("lower", np.nan))
                  else " (no confidence interval published)")
            body.append(html.P([html.Span(f"Share of adults with {share_name}, ", className="card__label"),
                                f"{s['period']}: ", html.Strong(fmt(s["value"], 1, "%")), ci,
                                f"; {nat_name} {fmt(s['nat_value'], 1, '%')}."]))
        else:
            body.append(html.P([f"Share of adults with {share_name}: not published for this area in the bundled data. ",
                                html.A("Publisher's dataset", href=it["share_url"] or "#")], className="card__missing"))
        cards.append(html.Div(body, className="card headline-card"))
    return html.Div(cards, className="headline-cards")


def _trend_figure(series: pd.DataFrame, bench: pd.DataFrame, ids: list[str], titles: list[str],
                  area_name: str, bench_name: str, decimals: int = 2) -> dict:
    """2 x 2 small multiples (one per headline measure) with CI error bars and the benchmark line."""
    def clean(v):
        return [None if not np.isfinite(x) else float(x) for x in np.asarray(v, float)]
    traces, lay, notes = [], {}, []
    doms_x = [[0, 0.46], [0.54, 1]]
    doms_y = [[0.58, 0.92], [0.06, 0.40]]
    for i, mid in enumerate(ids):
        r, c = i // 2, i % 2
        k = i + 1
        xa, ya = f"x{k}", f"y{k}"
        s = series[series["metric_id"] == mid].sort_values("period_end") if not series.empty else series
        b = bench[bench["metric_id"] == mid].sort_values("period_end") if not bench.empty else bench
        if not b.empty:
            traces.append(dict(type="scatter", x=b["period"].tolist(), y=clean(b["value"]), name=bench_name, mode="lines",
                               xaxis=xa, yaxis=ya, line=dict(color="#3D3D3D", dash="dash", width=2), showlegend=i == 0,
                               legendgroup="b", hovertemplate=f"{bench_name} %{{x}}: %{{y:.{decimals}f}}<extra></extra>"))
        if not s.empty:
            err = dict(type="data", symmetric=False, array=clean(s["upper"] - s["value"]),
                       arrayminus=clean(s["value"] - s["lower"]), color="#7FA8D4", thickness=1.5, width=3)
            traces.append(dict(type="scatter", x=s["period"].tolist(), y=clean(s["value"]), name=area_name,
                               mode="lines+markers", xaxis=xa, yaxis=ya, line=dict(color="#12436D", width=2),
                               marker=dict(size=6), error_y=err, showlegend=i == 0, legendgroup="a",
                               hovertemplate=f"{area_name} %{{x}}: %{{y:.{decimals}f}}<extra></extra>"))
        sfx = "" if k == 1 else str(k)
        lay[f"xaxis{sfx}"] = dict(domain=doms_x[c], anchor=ya, tickangle=-45, tickfont=dict(size=10), type="category")
        lay[f"yaxis{sfx}"] = dict(domain=doms_y[r], anchor=xa, gridcolor="#e5e5e5")
        notes.append(dict(text=f"<b>{titles[i]}</b>", xref="paper", yref="paper", x=sum(doms_x[c]) / 2,
                          y=doms_y[r][1] + 0.02, xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=13)))
    layout = dict(lay, height=600, margin=dict(l=40, r=10, t=30, b=40), plot_bgcolor="white", annotations=notes,
                  legend=dict(orientation="h", y=-0.12), font=dict(family="Arial", size=12))
    return {"data": traces, "layout": layout}


# ----------------------------------------------------------------------------- spine

def spine_figure(tab: pd.DataFrame, series: pd.DataFrame, median_name: str = "Local-authority median") -> dict:
    """One row per metric: the spine (col 1) and a sparkline (col 2). Axes are laid out by hand
    (one x/y pair per cell) because make_subplots is slow for dozens of rows."""
    pos = prof.spine_positions(tab, median_name)
    n = max(len(pos), 1)
    gap = 0.12 / n
    traces, lay = [], {}
    ser = {m: g.sort_values("period_end") for m, g in series.groupby("metric_id")} if not series.empty else {}
    for i, r in enumerate(pos.to_dict("records")):
        top = 1 - i / n
        dom = [max(0.0, top - 1 / n + gap), top - gap]
        a1, a2 = 2 * i + 1, 2 * i + 2
        x1, y1, x2, y2 = f"x{a1}", f"y{a1}", f"x{a2}", f"y{a2}"
        dec = _d(r)
        if np.isfinite(r["x_min"]):
            traces.append(dict(type="scatter", x=[r["x_min"], r["x_max"]], y=[0, 0], mode="lines", xaxis=x1, yaxis=y1,
                                     line=dict(color="#DDDDDD", width=14), hoverinfo="skip", showlegend=False))
            traces.append(dict(type="scatter", x=[r["x_q25"], r["x_q75"]], y=[0, 0], mode="lines", xaxis=x1, yaxis=y1,
                                     line=dict(color="#A5A5A5", width=14), hoverinfo="skip", showlegend=False))
        traces.append(dict(type="scatter", x=[0.5, 0.5], y=[-0.6, 0.6], mode="lines", xaxis=x1, yaxis=y1,
                                 line=dict(color="#0b0c0c", width=2), hoverinfo="skip", showlegend=False))
        res = r["vs_nat"]
        label = res.capitalize()
        if np.isfinite(r["x_value"]):
            traces.append(dict(type="scatter", 
                x=[r["x_value"]], y=[0], mode="markers+text", text=[label], textposition="middle right",
                textfont=dict(size=11, color="#0b0c0c"), xaxis=x1, yaxis=y1,
                marker=dict(size=13, symbol=SYMBOLS.get(res, "circle"), color=BENCHMARK_COLOURS.get(res, "#BFC1C3"),
                            line=dict(color="#0b0c0c", width=1)),
                hovertemplate=(f"{r['short_title']} ({r['period']}): {fmt(r['value'], dec)} "
                               f"(95% CI {fmt_ci(r['lower'], r['upper'], dec)})<br>{r['centre_label']}: "
                               f"{fmt(r['nat_value'], dec)}; {label}<extra></extra>"),
                showlegend=False))
        s = ser.get(r["metric_id"])
        if s is not None and s["value"].notna().any():
            traces.append(dict(type="scatter", x=s["period"].tolist(), y=s["value"].astype(float).where(s["value"].notna(), None).tolist(), mode="lines+markers", xaxis=x2, yaxis=y2,
                                     line=dict(color="#12436D", width=1.5), marker=dict(size=4), showlegend=False,
                                     hovertemplate=f"{r['short_title']} %{{x}}: %{{y:.{dec}f}}<extra></extra>"))
        k1, k2 = ("" if a1 == 1 else str(a1)), str(a2)
        lay[f"xaxis{k1}"] = dict(domain=[0, 0.68], anchor=y1, range=[-0.02, 1.14], visible=False, fixedrange=True)
        lay[f"yaxis{k1}"] = dict(domain=dom, anchor=x1, range=[-0.8, 0.8], tickvals=[0], showgrid=False, automargin=True,
                                 zeroline=False, ticktext=[f"{r['short_title']} ({r['period']})"], fixedrange=True)
        lay[f"xaxis{k2}"] = dict(domain=[0.72, 1], anchor=y2, visible=False, fixedrange=True, type="category")
        lay[f"yaxis{k2}"] = dict(domain=dom, anchor=x2, visible=False, fixedrange=True)
    layout = dict(lay, height=max(180, 40 * n + 70), margin=dict(l=280, r=10, t=40, b=10), plot_bgcolor="white",
                  font=dict(family="Arial", size=12), annotations=[
                      dict(xref="paper", yref="paper", x=0.0, y=1.0, yanchor="bottom", showarrow=False, xanchor="left",
                           text="\u2190 worse | national value (black line) | better \u2192",
                           font=dict(size=11, color="#505a5f")),
                      dict(xref="paper", yref="paper", x=1.0, y=1.0, yanchor="bottom", xanchor="right",
                           showarrow=False, text="Trend (sparkline)", font=dict(size=11, color="#505a5f"))])
    return {"data": traces, "layout": layout}


def _spine_legend(info: dict | None = None, n: int = 0) -> html.Ul:
    items = [("better", "Better: the 95% CI is entirely on the better side of the benchmark"),
             ("similar", "Similar: the 95% CI includes the benchmark"),
             ("worse", "Worse: the 95% CI is entirely on the worse side"),
             ("not compared", "Not compared: no CI published (or no benchmark)")]
    return html.Ul([html.Li([badge(k), " ", t]) for k, t in items] + [
        html.Li(f"Grey bar: range of {_spread_text(info or {}, n)} (light: lowest to highest; dark: 25th to 75th "
                "percentile). Black line: the England (UK outside England) value; where that lies outside the "
                f"range, the {prof.median_label(info or {}).lower()}.")], className="spine-legend")


def _spread_text(info: dict, n: int = 0) -> str:
    return prof.spread_label(info)


def _table_rows(tab: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in tab.to_dict("records"):
        dec = _d(r)
        rows.append({
            "Metric": r["short_title"], "Period": r["period"],
            "Value": fmt(r["value"], dec) if np.isfinite(r["value"]) else f"no value ({r['status']})",
            "95% CI": fmt_ci(r["lower"], r["upper"], dec), "Unit": r["unit"],
            f"{r['nat_name']}": fmt(r["nat_value"], dec), f"vs {r['nat_name']}": r["vs_nat"].capitalize(),
            "Region": f"{r['reg_name']} {fmt(r['reg_value'], dec)}" if r["reg_code"] else "",
            "vs region": r["vs_reg"].capitalize(),
            "Comparator group": fmt(r["group_value"], dec) + (f" ({r['group_n']} areas)" if r["group_n"] else ""),
            "vs group": r["vs_group"].capitalize(),
            "Geography of the value": r["geography_note"], "Why not compared": r["compare_note"],
        })
    return pd.DataFrame(rows)


def _titles() -> dict:
    m = store().metrics
    return dict(zip(m["id"], m["short_title"].fillna(m["title"]))) if not m.empty else {}


def _group(code: str, comparator: str):
    s = store()
    codes, label, note = cmp.group_members(s.areas, s.la_view, code, comparator, titles=_titles())
    return codes, label, note


def spine_section(info: dict, comparator: str) -> list:
    s = store()
    if prof.is_current_ltla(info):
        codes, label, note = _group(info["code"], comparator)
    else:
        codes, label, note = [], "", ""
    tab = prof.profile_table(s.la_view, s.observations, s.areas, s.metrics, info, codes, label or "comparator group",
                             kinds=SPINE_KINDS)
    series = prof.area_series(s.la_view, s.observations, info)
    if tab.empty:
        return [message("No supporting or context metrics are published for this area in the build.")]
    worse = tab[(tab["vs_nat"] == "worse") & (tab["kind"] != "headline_mean")]
    worse_both = tab[(tab["vs_nat"] == "worse") & (tab["vs_reg"] == "worse") & (tab["kind"] != "headline_mean")]
    nc = tab[tab["vs_nat"] == "not compared"]
    summary = []
    if (tab["kind"] != "headline_mean").any():
        summary.append(html.P([html.Strong(f"{len(worse)} supporting metric{'s' if len(worse) != 1 else ''} "
                                           f"significantly worse than {tab['nat_name'].iloc[0]}"),
                               (": " + ", ".join(worse["short_title"])) if len(worse) else "",
                               f". Worse than both {tab['nat_name'].iloc[0]} and the region: "
                               + (", ".join(worse_both["short_title"]) if len(worse_both) else "none") + "."]))
    else:
        summary.append(message("The supporting (Annex B) metrics are not in this build yet; the spine chart shows the "
                               "headline mean scores. See the data catalogue for each metric's status."))
    if len(nc):
        summary.append(html.P(f"{len(nc)} metric{'s' if len(nc) != 1 else ''} not compared: no confidence interval "
                              f"published (or no benchmark for that period); see the table.", className="hint"))
    missing = prof.unavailable_metrics(s.metrics, tab)
    tab = tab[np.isfinite(tab["value"].astype(float))].reset_index(drop=True)
    fig = spine_figure(tab, series, prof.median_label(info))
    table_df = _table_rows(tab)
    missing_block = None
    if not missing.empty:
        missing_block = html.Details([
            html.Summary(f"{len(missing)} supporting or context metric{'s' if len(missing) != 1 else ''} with no value "
                         f"for this area, and why"),
            html.Ul([html.Li([html.Strong(r["short_title"]), f": {r['reason']}. ", r["status_note"], " ",
                              html.A("Publisher", href=r["publisher_url"]) if r["publisher_url"] else None])
                     for r in missing.to_dict("records")], className="missing-list"),
        ], className="chart-table")
    text = (f"Spine chart of {len(tab)} metrics for {info.get('name')}: " +
            "; ".join(f"{r['short_title']} {r['vs_nat']}" for r in tab.to_dict("records")))
    return [
        *summary,
        html.P([html.Strong("Comparator group: "), f"{label} ({max(len(codes) - 1, 0)} other areas). ", note],
               className="hint") if label else None,
        html.P(html.Span("Chart markers and text compare each value with the national benchmark; the table adds the "
                         "region and the comparator group."), className="hint"),
        html.Div([
            html.P(text, className="visually-hidden", id="area-spine-summary"),
            dcc.Graph(id="area-spine-graph", figure=fig, config={"displayModeBar": False, "responsive": True}),
            _spine_legend(info, int(tab["dist_n"].max()) if len(tab) else 0),
            html.Details([html.Summary("Show the data as a table"),
                          table(table_df, "area-spine-table", "Every metric against England/UK, the region and the "
                                                              "comparator group (latest period with a value)",
                                page_size=40)], className="chart-table", open=False),
        ], className="chart-block"),
        missing_block,
    ]


# ----------------------------------------------------------------------------- mission

def _mission_block(info: dict) -> html.Div:
    s = store()
    ms = prof.mission_summary(s.frame("mission_ltla"), s.metrics, info["code"])
    if ms is None:
        return html.Div([html.H2("The mission's worst third"),
                         message("This area is not ranked in the mission's worst-third measure (all four headline "
                                 "measures must be published for it).")])
    hist = ms["history"].copy()
    hist["in_worst_third"] = hist["in_worst_third"].map({True: "Yes", False: "No"})
    hist["p_worst_third"] = hist["p_worst_third"].map(lambda p: f"{p:.0%}" if pd.notna(p) else "")
    hist["worst_percentile"] = hist["worst_percentile"].map(lambda p: f"{p:.0f}")
    hist = hist.rename(columns={"period": "Period", "basis": "Basis", "worst_metric": "Worst measure",
                                "worst_percentile": "Worseness percentile", "rank": "Rank (1 = worst)",
                                "n_ranked": "Areas ranked", "in_worst_third": "In worst third",
                                "p_worst_third": "Probability in worst third", "uses_derived": "Uses derived values"})
    basis = ("Based on the published mean scores: the low-well-being shares are not published for every local "
             "authority in the bundled data." if ms["basis"] == "means" else "Based on the published shares.")
    return html.Div([
        html.H2("The mission's worst third"),
        html.P(html.Strong(ms["sentence"]), className=f"mission-status mission-status--{'in' if ms['in_worst_third'] else 'out'}"),
        html.P(f"Worst-performing headline measure in {ms['period']}: {ms['worst_title']} (worse than "
               f"{ms['worst_percentile']:.0f}% of the {ms['n_ranked']} ranked local authorities; ranked "
               f"{ms['rank']} of {ms['n_ranked']}, 1 = worst). Single-area rankings are uncertain: read the "
               f"probability, not the rank."),
        html.P(ms["baseline"]) if ms["baseline"] else None,
        html.P([basis, " ", dcc.Link("How the worst third is defined", href="/data#methods-worst-third"), "."],
               className="hint"),
        html.Details([html.Summary("Worst-third history for this area"),
                      table(hist, "area-mission-table", "Worst-third membership by year with its probability "
                                                        "(1,000 simulations over the published CIs)")],
                     className="chart-table"),
    ], className="mission-block")


# ----------------------------------------------------------------------------- page

def _headline_section(info: dict) -> html.Div:
    s = store()
    series = prof.area_series(s.la_view, s.observations, info)
    items = prof.headline_summary(series, s.observations, s.metrics, info)
    nat = prof.national_code(info)
    nat_name = prof.COUNTRY_NAMES.get(nat, nat)
    obs = s.observations
    bench = obs[obs["area_code"] == nat] if not obs.empty else obs
    name = info.get("name", info["code"])
    mean_ids = [p[3] for p in prof.HEADLINE_PAIRS]
    share_ids = [p[2] for p in prof.HEADLINE_PAIRS]
    titles = [p[1] for p in prof.HEADLINE_PAIRS]
    head = series[series["metric_id"].isin(mean_ids + share_ids)] if not series.empty else series
    blocks = [html.H2("Headline well-being measures"),
              html.P("Mean scores (0-10) are published for every local authority with 95% confidence intervals. The "
                     "shares of adults with low well-being are published in the bundled data only for London boroughs, "
                     "regions and nations to 2018-19.", className="hint"),
              _headline_cards(items, info)]
    if head.empty:
        blocks.append(message("No headline well-being estimates are published for this area in the build."))
        return html.Div(blocks)
    fig = _trend_figure(series, bench, mean_ids, [f"{t} (mean, 0-10)" for t in titles], name, nat_name)
    tdf = head.merge(s.metrics[["id", "short_title"]], left_on="metric_id", right_on="id", how="left")
    tdf = tdf.sort_values(["metric_id", "period_end"])
    tdf = pd.DataFrame({"Measure": tdf["short_title"], "Period": tdf["period"],
                        "Value": tdf["value"].map(lambda v: fmt(v, 2)),
                        "95% CI": [fmt_ci(a, b, 2) for a, b in zip(tdf["lower"], tdf["upper"])],
                        "Status": tdf["status"], "Derived": tdf["derived"].map({True: "Yes", False: "No"})})
    blocks.append(html.H3("Trend since 2011-12 (mean scores with 95% confidence intervals)"))
    blocks.append(html.Div([
        html.P(f"Mean scores for {name} by financial year with 95% confidence intervals (error bars) and the "
               f"{nat_name} value (dashed).", className="visually-hidden", id="area-trend-summary"),
        dcc.Graph(id="area-trend-graph", figure=fig, config={"displayModeBar": False, "responsive": True}),
        html.Details([html.Summary("Show the data as a table"),
                      table(tdf, "area-trend-table", f"Headline measures for {name}, every period", page_size=12)],
                     className="chart-table"),
        download_button("area-trend-csv", "Download headline data (CSV)"),
    ], className="chart-block"))
    sh = series[series["metric_id"].isin(share_ids) & series["value"].notna()] if not series.empty else series
    if not sh.empty:
        sfig = _trend_figure(series, bench, share_ids, [f"{t}: share low (%)" if "anxiety" not in t.lower()
                                                        else "High anxiety (%)" for t in titles], name, nat_name, 1)
        blocks.append(html.H3("Published shares of adults with low well-being (%), no confidence intervals in the bundle"))
        blocks.append(dcc.Graph(id="area-share-graph", figure=sfig, config={"displayModeBar": False, "responsive": True}))
    return html.Div(blocks)


def _parents(info: dict) -> html.P | None:
    s = store()
    bits = []
    for key, label in (("utla_code", "County/unitary"), ("icb_code", "ICB"), ("aq_zone_code", "Air-quality zone"),
                       ("region_code", "Region")):
        c = info.get(key)
        if prof._present(c) and c != info["code"]:
            bits += [f"{label}: ", dcc.Link(prof.name_of(s.areas, c), href=f"/area/{c}"), ". "]
    return html.P(bits, className="hint") if bits else None


def _children(info: dict) -> html.Div | None:
    """For an upper-tier area, region or nation: links to its current LTLAs."""
    a = store().areas
    cur = a[(a["geography"] == "ltla") & a["active"].astype(bool)]
    geo = info.get("geography")
    code = info["code"]
    if geo == "utla":
        kids = cur[cur["utla_code"] == code]
    elif geo == "region":
        kids = cur[cur["region_code"] == code]
    elif geo == "icb":
        kids = cur[cur["icb_code"] == code]
    elif geo == "aq_zone" and "aq_zone_code" in cur:
        kids = cur[cur["aq_zone_code"] == code]
    elif geo == "country":
        kids = cur[cur["country_code"] == code] if code != prof.ENGLAND else cur.iloc[0:0]
    else:
        return None
    if kids.empty:
        return None
    return html.Details([html.Summary(f"Local authorities in {info.get('name')} ({len(kids)})"),
                         html.Ul([html.Li(dcc.Link(n, href=f"/area/{c}")) for c, n in
                                  sorted(zip(kids["code"], kids["name"]), key=lambda t: t[1])], className="area-list")],
                        className="chart-table")


def layout(code: str | None = None, comparator: str | None = None, **_query):
    try:
        s = store()
        info = prof.resolve_area(s.areas, code)
        if info["status"] in ("invalid", "unknown"):
            return _unknown(info.get("code") or (code or ""), info["status"] == "invalid")
        if info["status"] == "retired":
            return _retired(info)
        comparator = comparator if comparator in COMPARATORS else "region"
        is_ltla = prof.is_current_ltla(info)
        name = info.get("name", info["code"])
        geo = info.get("geography")
        kind = info.get("la_type") if isinstance(info.get("la_type"), str) else GEO_TEXT.get(geo, geo)
        reg = prof.regional_code(info)
        lead = f"{kind}" + (f" in {prof.name_of(s.areas, reg)}" if reg else "") + f" · {info['code']}"
        notes = []
        if not is_ltla:
            notes.append(message(f"This is a {GEO_TEXT.get(geo, geo)} profile: it shows the headline measures and "
                                 f"the metrics published at this geography. Full profiles (with the mission's "
                                 f"worst third and every metric) are for lower-tier local authorities."))
        former = info.get("former_codes")
        if prof._present(former):
            notes.append(html.P(f"Formerly: {former}. Values before the change may be derived from predecessor "
                                f"councils; such values are marked.", className="hint"))
        children = [
            html.Div([page_header(name, lead), _parents(info)], className="profile-head"),
            html.Div(search_box("area-page", "Find another area"), className="profile-search"),
            *notes,
            html.P([html.A("Download this profile's data (CSV)", href=f"/download/area/{info['code']}.csv",
                           className="button button--secondary", download=f"profile_{info['code']}.csv"),
                    *([dcc.Link("Compare with similar areas", href=f"/compare?{urlencode({'area': info['code'], 'group': 'neighbours'})}"),
                       dcc.Link("Drivers", href=f"/drivers?area={info['code']}")] if is_ltla else [])],
                   className="profile-actions"),
            dcc.Loading(_headline_section(info), type="default"),
        ]
        if is_ltla:
            children.append(_mission_block(info))
        children.append(html.H2("Supporting and context metrics"))
        children.append(html.Div([
            html.Label("Comparator group", htmlFor="area-comparator", className="control-label"),
            dcc.RadioItems(id="area-comparator", value=comparator, inline=True, className="radios",
                           options=[{"label": v, "value": k} for k, v in COMPARATORS.items()]),
        ], className="control", style=None if is_ltla else {"display": "none"}))
        children.append(dcc.Loading(html.Div(spine_section(info, comparator), id="area-spine"), type="default"))
        children.append(download_button("area-spine-csv", "Download metric comparisons (CSV)"))
        ch = _children(info)
        if ch:
            children.append(ch)
        children += [dcc.Store(id="area-code", data=info["code"]), dcc.Location(id="area-loc", refresh=False)]
        return html.Div(children, className="profile")
    except Exception:  # noqa: BLE001
        import logging
        logging.getLogger("dashboard").exception("area layout failed for %s", code)
        return html.Div([page_header("Area profile"), error_notice(), search_box("area-error")])


@dash.callback(Output("area-spine", "children"), Output("area-loc", "search"),
               Input("area-comparator", "value"), State("area-code", "data"), prevent_initial_call=True)
@safe(error_notice(), dash.no_update)
def _on_comparator(comparator, code):
    info = prof.resolve_area(store().areas, code)
    comparator = comparator if comparator in COMPARATORS else "region"
    return spine_section(info, comparator), "?" + urlencode({"comparator": comparator})


@dash.callback(Output("area-trend-csv-download", "data"), Input("area-trend-csv", "n_clicks"),
               State("area-code", "data"), prevent_initial_call=True)
@safe(None)
def _dl_trend(n, code):
    if not n:
        raise dash.exceptions.PreventUpdate
    s = store()
    info = prof.resolve_area(s.areas, code)
    df = prof.profile_download(s.la_view, s.observations, s.areas, s.metrics, info)
    df = df[df["metric_id"].isin(prof.HEADLINE_IDS)]
    return dcc.send_data_frame(df.to_csv, f"headline_{prof.safe_filename(code)}.csv", index=False)


@dash.callback(Output("area-spine-csv-download", "data"), Input("area-spine-csv", "n_clicks"),
               State("area-code", "data"), State("area-comparator", "value"), prevent_initial_call=True)
@safe(None)
def _dl_spine(n, code, comparator):
    if not n:
        raise dash.exceptions.PreventUpdate
    s = store()
    info = prof.resolve_area(s.areas, code)
    codes, label, _ = cmp.group_members(s.areas, s.la_view, code, comparator or "region", titles=_titles()) if prof.is_current_ltla(info) else ([], "", "")
    tab = prof.profile_table(s.la_view, s.observations, s.areas, s.metrics, info, codes, label or "comparator group")
    return dcc.send_data_frame(tab.to_csv, f"comparisons_{prof.safe_filename(code)}.csv", index=False)
