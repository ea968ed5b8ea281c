"""Area profile: /area/<code> (any geography; the full profile for current LTLAs)."""
from __future__ import annotations

from urllib.parse import urlencode

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html

from dashboard.analysis import profile_view as pv
from dashboard.components.common import (download_button, error_notice, guarded, message, notice, page_header,
                                         table)
from dashboard.components.search import search_box
from dashboard.analysis.profile import safe_filename
from dashboard.formatting import interval, number, signed
from dashboard.palette import BENCHMARK_COLOURS, BENCHMARK_SYMBOLS

dash.register_page(__name__, path_template="/area/<code>", title="Area profile")



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

def _headline_cards(v: dict) -> html.Div:
    cards = []
    nat_name, reg_name = v["nat_name"], v["reg_name"]
    for it in v["items"]:
        m = it["mean"]
        body = [html.H3(it["label"])]
        if m and np.isfinite(m.get("value", np.nan)):
            body.append(html.P([html.Span("Mean score (0-10), ", className="card__label"), f"{m['period']}: ",
                                html.Strong(number(m["value"], 2)),
                                html.Span(f" (95% CI {interval(m['lower'], m['upper'], 2)})", className="card__ci")]))
            cmp_items = [html.Li([f"{nat_name} {number(m['nat_value'], 2)}: ", badge(m["vs_nat"])])]
            if v["has_reg"]:
                cmp_items.append(html.Li([f"{reg_name} {number(m['reg_value'], 2)}: ", badge(m["vs_reg"])]))
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
            body.append(html.P([f"Change {ch['from']} to {ch['to']}: {signed(ch['diff'], 2)} "
                                f"(95% CI {interval(ch['lower'], ch['upper'], 2, sign=True)}): ", html.Strong(word)],
                               className="card__change"))
        s = it["share"]
        if s and np.isfinite(s.get("value", np.nan)):
            ci = (f" (95% CI {interval(s['lower'], s['upper'])})" if np.isfinite(s.get("lower", np.nan))
                  else " (no confidence interval published)")
            body.append(html.P([html.Span(f"{it['share_label']}, ", className="card__label"),
                                f"{s['period']}: ", html.Strong(number(s["value"], 1, "%")), ci,
                                f"; {nat_name} {number(s['nat_value'], 1, '%')}."]))
        else:
            body.append(html.P([f"{it['share_label']}: not published for this area in this data. ",
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

def spine_figure(pos: pd.DataFrame, series: pd.DataFrame) -> dict:
    """One row per metric: the spine (col 1) and a sparkline (col 2). Axes are laid out by hand
    (one x/y pair per cell) because make_subplots is slow for dozens of rows."""
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
                marker=dict(size=13, symbol=BENCHMARK_SYMBOLS.get(res, "circle"), color=BENCHMARK_COLOURS.get(res, "#BFC1C3"),
                            line=dict(color="#0b0c0c", width=1)),
                hovertemplate=(f"{r['short_title']} ({r['period']}): {number(r['value'], dec)} "
                               f"(95% CI {interval(r['lower'], r['upper'], dec)})<br>{r['centre_label']}: "
                               f"{number(r['centre_value'], dec)}; {label}<extra></extra>"),
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


def _spine_legend(v: dict) -> html.Ul:
    items = [("better", "Better: the 95% CI is entirely on the better side of the benchmark"),
             ("similar", "Similar: the 95% CI includes the benchmark"),
             ("worse", "Worse: the 95% CI is entirely on the worse side"),
             ("not compared", "Not compared: no CI published (or no benchmark)")]
    return html.Ul([html.Li([badge(k), " ", t]) for k, t in items] + [
        html.Li(f"Grey bar: range of {v['spread_label']} (light: lowest to highest; dark: 25th to 75th "
                f"percentile). Black line: the {v['nat_name']} value; where that lies outside the range, the "
                f"{v['median_label'].lower()}.")], className="spine-legend")


def spine_section(info: dict, comparator: str) -> list:
    v = pv.spine(info, comparator)
    if v["empty"]:
        return [message("No supporting or context metrics are published for this area in this data.")]
    summary = []
    if v["has_supporting"]:
        n = len(v["worse"])
        summary.append(html.P([html.Strong(f"{n} supporting metric{'s' if n != 1 else ''} significantly worse than "
                                           f"{v['nat_name']}"),
                               (": " + ", ".join(v["worse"])) if n else "",
                               f". Worse than both {v['nat_name']} and the region: "
                               + (", ".join(v["worse_both"]) if v["worse_both"] else "none") + "."]))
    else:
        summary.append(message("The supporting (Annex B) metrics are not published for this area in this data; "
                               "the spine chart shows the headline mean scores."))
    if v["n_not_compared"]:
        k = v["n_not_compared"]
        summary.append(html.P(f"{k} metric{'s' if k != 1 else ''} not compared: no confidence interval "
                              f"published (or no benchmark for that period); see the table.", className="hint"))
    missing = v["missing"]
    missing_block = None
    if not missing.empty:
        missing_block = html.Details([
            html.Summary(f"{len(missing)} supporting or context metric{'s' if len(missing) != 1 else ''} with no value "
                         f"for this area, and why"),
            html.Ul([html.Li([html.Strong(r["short_title"]), f": {r['reason']}. ", r["status_note"], " ",
                              html.A("Publisher", href=r["publisher_url"]) if r["publisher_url"] else None])
                     for r in missing.to_dict("records")], className="missing-list"),
        ], className="chart-table")
    tab = v["table"]
    text = (f"Spine chart of {len(tab)} metrics for {info.get('name')}: " +
            "; ".join(f"{r['short_title']} {r['vs_nat']}" for r in tab.to_dict("records")))
    label = v["group_label"]
    return [
        *summary,
        html.P([html.Strong("Comparator group: "), f"{label} ({v['group_n']} other areas). ", v["group_note"]],
               className="hint") if label else None,
        html.P(html.Span("Chart markers and text compare each value with the national benchmark; the table adds the "
                         "region and the comparator group."), className="hint"),
        html.Div([
            html.P(text, className="visually-hidden", id="area-spine-summary"),
            dcc.Graph(id="area-spine-graph", figure=spine_figure(v["positions"], v["series"]),
                      config={"displayModeBar": False, "responsive": True}),
            _spine_legend(v),
            html.Details([html.Summary("Show the data as a table"),
                          table(v["rows"], "area-spine-table", "Every metric against England/UK, the region and the "
                                                               "comparator group (latest period with a value)",
                                page_size=40)], className="chart-table", open=False),
        ], className="chart-block"),
        missing_block,
    ]


# ----------------------------------------------------------------------------- mission

def _mission_block(info: dict) -> html.Div:
    ms = pv.worst_third(info)
    if ms is None:
        return html.Div([html.H2("The mission's worst third"),
                         message("This area is not ranked in the mission's worst-third measure (all four headline "
                                 "measures must be published for it).")])
    return html.Div([
        html.H2("The mission's worst third"),
        html.P(html.Strong(ms["sentence"]), className=f"mission-status mission-status--{'in' if ms['in_worst_third'] else 'out'}"),
        html.P(f"Worst-performing headline measure in {ms['period']}: {ms['worst_title']} (worse than "
               f"{ms['worst_percentile']:.0f}% of the {ms['n_ranked']} ranked local authorities; ranked "
               f"{ms['rank']} of {ms['n_ranked']}, 1 = worst). Single-area rankings are uncertain: read the "
               f"probability, not the rank."),
        html.P(ms["baseline"]) if ms["baseline"] else None,
        html.P([ms["basis_text"], " ", dcc.Link("How the worst third is defined", href="/data#methods-worst-third"), "."],
               className="hint"),
        html.Details([html.Summary("Worst-third history for this area"),
                      table(ms["history"], "area-mission-table", "Worst-third membership by year with its probability "
                                                                 "(1,000 simulations over the published CIs)")],
                     className="chart-table"),
    ], className="mission-block")


# ----------------------------------------------------------------------------- page

def _headline_section(info: dict) -> html.Div:
    v = pv.headline(info)
    name = info.get("name", info["code"])
    blocks = [html.H2("Headline well-being measures"),
              html.P("Mean scores (0-10) are published for every local authority with 95% confidence intervals. The "
                     "shares of adults with low well-being are shown where ONS's published shares are in this data.",
                     className="hint"),
              _headline_cards(v)]
    if v["empty"]:
        blocks.append(message("No headline well-being estimates are published for this area in this data."))
        return html.Div(blocks)
    fig = _trend_figure(v["series"], v["bench"], v["mean_ids"], [f"{t} (mean, 0-10)" for t in v["titles"]], name,
                        v["nat_name"])
    blocks.append(html.H3("Trend since 2011-12 (mean scores with 95% confidence intervals)"))
    blocks.append(html.Div([
        html.P(f"Mean scores for {name} by financial year with 95% confidence intervals (error bars) and the "
               f"{v['nat_name']} value (dashed).", className="visually-hidden", id="area-trend-summary"),
        dcc.Graph(id="area-trend-graph", figure=fig, config={"displayModeBar": False, "responsive": True}),
        html.Details([html.Summary("Show the data as a table"),
                      table(v["table"], "area-trend-table", f"Headline measures for {name}, every period", page_size=12)],
                     className="chart-table"),
        download_button("area-trend-csv", "Download headline data (CSV)"),
    ], className="chart-block"))
    if v["shares_present"]:
        sfig = _trend_figure(v["series"], v["bench"], v["share_ids"], [f"{t} (%)" for t in v["share_titles"]], name,
                             v["nat_name"], 1)
        blocks.append(html.H3("Published shares of adults with low well-being (%)"))
        blocks.append(dcc.Graph(id="area-share-graph", figure=sfig, config={"displayModeBar": False, "responsive": True}))
    return html.Div(blocks)


def _parents(v: dict) -> html.P | None:
    bits = []
    for label, code, name in v["parents"]:
        bits += [f"{label}: ", dcc.Link(name, href=f"/area/{code}"), ". "]
    return html.P(bits, className="hint") if bits else None


def _children(info: dict, v: dict) -> html.Div | None:
    kids = v["children"]
    if not kids:
        return None
    return html.Details([html.Summary(f"Local authorities in {info.get('name')} ({len(kids)})"),
                         html.Ul([html.Li(dcc.Link(n, href=f"/area/{c}")) for c, n in kids], className="area-list")],
                        className="chart-table")


@guarded(page="Area profile")
def layout(code: str | None = None, comparator: str | None = None, **_query):
    info = pv.resolve(code)
    if info["status"] in ("invalid", "unknown"):
        return _unknown(info.get("code") or (code or ""), info["status"] == "invalid")
    if info["status"] == "retired":
        return _retired(info)
    comparator = pv.comparator_of(comparator)
    v = pv.page(info)
    is_ltla = v["is_ltla"]
    notes = [notice(n) for n in v["notes"]]
    if v["former"]:
        notes.append(html.P(f"Formerly: {v['former']}. Values before the change may be derived from predecessor "
                            f"councils; such values are marked.", className="hint"))
    children = [
        html.Div([page_header(v["name"], v["lead"]), _parents(v)], className="profile-head"),
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
                       options=[{"label": lab, "value": k} for k, lab in pv.COMPARATORS.items()]),
    ], className="control", style=None if is_ltla else {"display": "none"}))
    children.append(dcc.Loading(html.Div(spine_section(info, comparator), id="area-spine"), type="default"))
    children.append(download_button("area-spine-csv", "Download metric comparisons (CSV)"))
    ch = _children(info, v)
    if ch:
        children.append(ch)
    children += [dcc.Store(id="area-code", data=info["code"]), dcc.Location(id="area-loc", refresh=False)]
    return html.Div(children, className="profile")


@dash.callback(Output("area-spine", "children"), Output("area-loc", "search"),
               Input("area-comparator", "value"), State("area-code", "data"), prevent_initial_call=True)
@guarded(error_notice(), dash.no_update)
def _on_comparator(comparator, code):
    comparator = pv.comparator_of(comparator)
    return spine_section(pv.resolve(code), comparator), "?" + urlencode({"comparator": comparator})


@dash.callback(Output("area-trend-csv-download", "data"), Input("area-trend-csv", "n_clicks"),
               State("area-code", "data"), prevent_initial_call=True)
@guarded(None)
def _dl_trend(n, code):
    if not n:
        raise dash.exceptions.PreventUpdate
    return dcc.send_data_frame(pv.download_headline(code).to_csv, f"headline_{safe_filename(code)}.csv", index=False)


@dash.callback(Output("area-spine-csv-download", "data"), Input("area-spine-csv", "n_clicks"),
               State("area-code", "data"), State("area-comparator", "value"), prevent_initial_call=True)
@guarded(None)
def _dl_spine(n, code, comparator):
    if not n:
        raise dash.exceptions.PreventUpdate
    return dcc.send_data_frame(pv.download_comparisons(code, comparator).to_csv,
                               f"comparisons_{safe_filename(code)}.csv", index=False)
