"""/ : the mission overview. Has well-being improved significantly in every region and nation since
2019, and is the gap between the worst third of local authorities and the rest closing against the
2017-19 baseline? Numbers and words come from `dashboard.analysis.mission_view`; this module lays
them out. The first view is drawn with the layout (no callback round trip before the first
paint); the callbacks answer the controls only. Figures are plain dicts: plotly.js does the
drawing, and the server does not validate them through `plotly.graph_objects`.
"""
from __future__ import annotations

import dash
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard.analysis import mission_view as mvw
from dashboard.components.common import (download_button, error_notice, guarded, message, notice, page_header,
                                         parts)
from dashboard.components.deferred import deferred, only_seen, seen
from dashboard.formatting import interval, number, signed
from dashboard.palette import AF_CATEGORICAL, BENCHMARK_COLOURS
from dashboard.queries import build, catalogue, mission
from dashboard.queries import vocabulary as vocab

dash.register_page(__name__, path="/", title="Mission overview - Well-being Mission Dashboard",
                   name="Mission overview")

MISSION = ("By 2030, well-being will have improved in every area of the UK, with the gap between top "
           "performing and other areas closing.")
ONS_CAVEAT = ("ONS advises that estimates for a single local authority come from a sample survey and have wide "
              "confidence intervals, so local authorities should not be ranked naively on their point "
              "estimates. This dashboard shows the interval beside every estimate, only calls a change "
              "significant when the 95% intervals say so, and shows the gap adjusted for sampling noise beside "
              "the gap between the published estimates.")
VERDICT_COLOURS = {"significantly improved": BENCHMARK_COLOURS["better"],
                   "significantly worse": BENCHMARK_COLOURS["worse"],
                   "no significant change": "#3D3D3D"}
VERDICT_SYMBOLS = {"significantly improved": "triangle-up", "significantly worse": "x", "no significant change": "circle"}
GAP_STYLE = {"published": {"color": AF_CATEGORICAL[0], "symbol": "circle", "dash": "solid", "offset": -0.2},
             "adjusted": {"color": AF_CATEGORICAL[2], "symbol": "diamond", "dash": "solid", "offset": 0.0},
             "noise": {"color": "#505a5f", "symbol": "triangle-up", "dash": "dot", "offset": 0.2}}
FONT = {"family": "Helvetica Neue, Arial, sans-serif", "size": 13, "color": "#0b0c0c"}
# Fixed margins instead of plotly's automargin: each automatic margin costs plotly.js another layout
# pass (measured: the change chart draws in about half the time without it).
AXIS = {"showline": True, "linecolor": "#0b0c0c", "ticks": "outside", "showgrid": False, "zeroline": False,
        "automargin": False}
CHAR_PX = 7  # about the width of a character of the chart font, for the margin of the area names
# Only the image download in the mode bar: a short bar that leaves the legend readable on a phone.
GAP_HEIGHT = 480
GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtons": [["toImage"]]}


def _label(text: str, for_id: str) -> html.Label:
    return html.Label(text, htmlFor=for_id, className="control-label")


def _paragraphs(notices, cls: str = "") -> list:
    return [html.P(parts(n.parts), className=cls or None) for n in notices if n is not None]


def _table(df: pd.DataFrame, table_id: str, caption: str, kinds: pd.DataFrame | None = None,
           row_header: bool = True) -> html.Div:
    """A plain, accessible HTML table (caption, column headers, the first column as row headers),
    scrolling inside its own box on narrow screens. `kinds` (same shape) adds a class per cell,
    always beside the cell's text."""
    if df is None or df.empty:
        return html.Div(message("Not in this data."), id=table_id)
    cols = list(df.columns)
    head = html.Thead(html.Tr([html.Th(c, scope="col") for c in cols]))
    body = []
    krows = kinds.to_dict("records") if kinds is not None and not kinds.empty else None
    for i, r in enumerate(df.to_dict("records")):
        cells = []
        for j, c in enumerate(cols):
            v = r[c]
            text = "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
            cls = f"ov-cell--{krows[i][c]}" if krows and krows[i].get(c) else None
            cells.append(html.Th(text, scope="row") if (row_header and j == 0) else html.Td(text, className=cls))
        body.append(html.Tr(cells))
    # The caption sits outside the scrolling box so that it stays readable on a phone.
    return html.Div([
        html.P(caption, className="table-caption", id=f"{table_id}-caption"),
        html.Div(html.Table([head, html.Tbody(body)], id=table_id, className="ov-table",
                            **{"aria-labelledby": f"{table_id}-caption"}),
                 className="table-wrap ov-table-wrap", role="region", tabIndex=0,
                 **{"aria-labelledby": f"{table_id}-caption"})])


def _details(summary: str, *children, cls: str = "chart-table", details_id: str | None = None) -> html.Details:
    kw = {"id": details_id, "n_clicks": 0} if details_id else {}
    return html.Details([html.Summary(summary), *children], className=cls, **kw)


def _lazy_table(summary: str, name: str) -> html.Details:
    """A table alternative behind <details>, drawn only when opened: the first paint does not
    build or render tables nobody has asked for yet."""
    return _details(summary, html.Div(id=f"{name}-table-wrap", **{"aria-live": "polite"}), details_id=f"{name}-details")


# ----------------------------------------------------------------------------- static sections
def _basis_box(basis: str) -> html.Section:
    if basis == "shares":
        text = [html.P("These results use ONS's published shares of adults with low life satisfaction, low "
                       "worthwhile, low happiness and high anxiety for every local authority, the mission's own "
                       "headline metrics.")]
    else:
        share_ids = catalogue.share_ids()
        text = [html.P(["These results use ", html.Strong("published mean scores"), " (0 to 10, with 95% "
                        "confidence intervals), because ONS's low-wellbeing shares for every local authority are "
                        "not in this data: the shares here cover London boroughs, regions, nations and the UK up "
                        "to 2018-19 only. ONS publishes the shares for every local authority in its ",
                        html.A("personal well-being dataset", target="_blank", rel="noopener",
                               href=(catalogue.metric(share_ids[0]) or {}).get("publisher_url") if share_ids else None),
                        "."])]
    return html.Section(className="ov-basis", **{"aria-labelledby": "ov-basis-heading"}, children=[
        html.H2("Basis of these results", id="ov-basis-heading"), *text,
        html.P([html.Strong("Ranking local estimates: "), ONS_CAVEAT]),
        html.P(["Baselines: 2019 means the financial year 2018-19 (April 2018 to March 2019) for change in "
                "regions and nations; the gap is compared with the average of 2016-17 to 2018-19 (the "
                "\u201c2017-19\u201d baseline). Method details: ", dcc.Link("data and methods", href="/data#methods"),
                "."]),
    ])


def _headline_section() -> html.Section:
    v = mvw.headline_view()
    hl = v["table"]
    if hl.empty:
        return html.Section([html.H2("Headline measures for the UK"),
                             message("The UK headline measures are not in this data.", "warning")])
    cards = []
    for r in hl.to_dict("records"):
        d = int(r["decimals"])
        verdict = str(r["verdict"])
        vclass = {"significantly worse": "worse", "significantly improved": "better"}.get(verdict, "same")
        extra = []
        if r.get("verdict_holm") and r["verdict_holm"] != verdict:
            extra.append(f"After allowing for the UK's four tests: {r['verdict_holm']}.")
        if r.get("rounding_sensitive"):
            extra.append("The publisher's rounding could flip this call.")
        cards.append(html.Div(className="ov-card", children=[
            html.H3(r["measure"]),
            html.P(number(r["value"], d, r["unit"]), className="ov-card__value"),
            html.P(f"{r['period']}, UK, {r['unit']} ({vocab.label('polarity', r['polarity']).lower()}); 95% CI "
                   f"{interval(r['lower'], r['upper'], d)}", className="ov-card__ci"),
            html.P(f"Baseline {r['baseline_period']}: {number(r['baseline_value'], d, r['unit'])} "
                   f"(95% CI {interval(r['baseline_lower'], r['baseline_upper'], d)})", className="ov-card__base"),
            html.P(f"Change {signed(r['change'], d)} (95% CI {interval(r['change_lower'], r['change_upper'], d, sign=True)})",
                   className="ov-card__base"),
            html.Span(f"{mvw.VERDICT_ARROWS.get(verdict, '')} {verdict.capitalize()}",
                      className=f"ov-verdict ov-verdict--{vclass}"),
            *[html.P(e, className="ov-card__base") for e in extra],
        ]))
    latest = v["shares_latest"]
    share_part = []
    if not latest.empty:
        share_part = [
            html.H3("Published low-wellbeing shares, UK"),
            html.P(f"The mission's own headline metrics are the shares of adults with low well-being. This data "
                   f"has them for the UK up to {latest['period'].iloc[0]}"
                   + ("" if latest["lower"].notna().any() else " (no confidence intervals published in this "
                      "compilation, so no significance test is possible)") + ":"),
            html.Ul([html.Li(f"{r.measure}: {number(r.value_pct, 1, '%')}") for r in latest.itertuples()]),
        ]
    return html.Section(className="ov-section", **{"aria-labelledby": "ov-headline-heading"}, children=[
        html.H2("Headline measures for the UK", id="ov-headline-heading"),
        html.P(f"The latest year against the 2019 baseline (financial year {hl['baseline_period'].iloc[0]}). "
               "A change is called significant only when its 95% confidence interval excludes zero."),
        html.Div(cards, className="ov-headlines"),
        *([notice(v["mode"])] if v["mode"] else []),
        _lazy_table("Show the headline measures as a table", "ov-headline"),
        download_button("ov-headline-csv", "Download headline measures (CSV)"),
        *share_part,
    ])


# ----------------------------------------------------------------------------- the gap
def _gap_figure(chart: dict) -> dict:
    """The three gaps per year, each with its 95% interval as error bars, side by side within each
    year; dotted reference lines at each gap's baseline; the years before the baseline shaded and
    the March 2020 change of interview mode marked."""
    periods = chart.get("periods") or []
    x0 = list(range(len(periods)))
    data, shapes, notes = [], [], []
    for s in chart.get("series", []):
        st = GAP_STYLE[s["key"]]
        x = [i + st["offset"] for i in x0]
        y = s["y"]
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": s["name"], "x": x, "y": y,
            "line": {"color": st["color"], "width": 2.5, "dash": st["dash"]},
            "marker": {"color": st["color"], "size": 8, "symbol": st["symbol"]},
            "error_y": {"type": "data", "symmetric": False, "color": st["color"], "thickness": 1.5, "width": 3,
                        "array": [None if pd.isna(u) or pd.isna(v) else u - v for u, v in zip(s["upper"], y)],
                        "arrayminus": [None if pd.isna(lo) or pd.isna(v) else v - lo for lo, v in zip(s["lower"], y)]},
            "text": s["hover"], "hoverinfo": "text", "hoverlabel": {"align": "left"}, "legendgroup": s["key"]})
        if pd.notna(s.get("baseline")):
            data.append({"type": "scatter", "mode": "lines", "x": [-0.5, len(periods) - 0.5],
                         "y": [s["baseline"], s["baseline"]], "showlegend": False, "legendgroup": s["key"],
                         "line": {"color": st["color"], "width": 1.2, "dash": "dash"},
                         "hoverinfo": "text", "text": [f"{s['name']}: 2017-19 baseline {number(s['baseline'], 2)}"] * 2})
    pre = chart.get("pre_baseline")
    if pre:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": pre[0] - 0.5, "x1": pre[1] + 0.5,
                       "y0": 0, "y1": 1, "fillcolor": "#f3f2f1", "line": {"width": 0}, "layer": "below"})
        notes.append({"x": (pre[0] + pre[1]) / 2, "y": 1, "xref": "x", "yref": "paper", "yanchor": "top",
                      "showarrow": False, "text": "Pre-baseline", "font": {"size": 11}})
    base = chart.get("baseline_years")
    if base:
        notes.append({"x": (base[0] + base[1]) / 2, "y": 1, "xref": "x", "yref": "paper", "yanchor": "top",
                      "showarrow": False, "text": "Baseline", "font": {"size": 11}})
    at = chart.get("mode_change_at")
    if at is not None:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": at, "x1": at, "y0": 0, "y1": 1,
                       "line": {"color": "#0b0c0c", "width": 1.5, "dash": "dot"}})
        src = chart.get("mode_source")
        label = chart.get("mode_label", "")
        notes.append({"x": at, "y": 0.02, "xref": "x", "yref": "paper", "xanchor": "right", "yanchor": "bottom",
                      "showarrow": False, "align": "right", "bgcolor": "rgba(255,255,255,0.85)",
                      "text": (f"<a href=\"{src.href}\" target=\"_blank\">{label} (ONS)</a>" if src else label)
                      .replace(": ", ":<br>", 1), "font": {"size": 12}})
    return {"data": data, "layout": {
        "height": GAP_HEIGHT, "margin": {"l": 64, "r": 12, "t": 10, "b": 64}, "font": FONT,
        "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "hovermode": "closest",
        "showlegend": True, "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "xaxis": {**AXIS, "tickmode": "array", "tickvals": x0,
                  "ticktext": periods, "range": [-0.6, len(periods) - 0.4]},
        "yaxis": {**AXIS, "title": {"text": chart.get("y_title", "")}, "rangemode": "tozero", "showgrid": True,
                  "gridcolor": "#e5e5e5"},
        "shapes": shapes, "annotations": notes}}


def _gap_parts(v: dict) -> tuple:
    """What the gap controls change: the chart, the verdict in words and its tone, the
    sensitivity table."""
    cls = {"worse": "ov-gap-verdict", "better": "ov-gap-verdict ov-gap-verdict--better"}.get(
        v["tone"], "ov-gap-verdict ov-gap-verdict--same")
    sens = []
    if not v["sensitivity"].empty:
        sens = [*(_paragraphs([v["sensitivity_note"]]) if v["sensitivity_note"] else []),
                _table(v["sensitivity"], "ov-sensitivity-table",
                       f"{v['label']}: the adjusted gap in {v['verdict']['period']} under each assumed correlation "
                       "of the four measures' sampling errors")]
    return _paragraphs(v["lines"]), cls, sens


def gap_graph(v: dict) -> dcc.Graph:
    return dcc.Graph(id="ov-gap-graph", figure=_gap_figure(v["chart"]), config=GRAPH_CONFIG, className="ov-graph")


def _gap_section(gap_metric: str) -> html.Section:
    opts = mvw.gap_options()
    if not opts:
        return html.Section([html.H2("Is the gap closing?"), message("The gap is not in this data.", "warning")])
    v = mvw.gap_view(gap_metric)
    lines, cls, sens = _gap_parts(v)
    return html.Section(className="ov-section", **{"aria-labelledby": "ov-gap-heading"}, children=[
        html.H2("Is the gap between the worst third and the rest closing?", id="ov-gap-heading"),
        html.P(["Local authorities are ranked on their worst-performing headline measure (each measure's "
                "percentile rank across authorities); the gap is the difference between the worst third and the "
                "rest, in baseline standard deviations for the overall gap. It is shown three ways: ",
                html.Strong("between the published estimates"), " (",
                dcc.Link("how sure a ranking is", href=mvw.METHODS["published"]), "); ",
                html.Strong("adjusted for sampling noise"), ", the gap between the areas' true values estimated "
                "by a statistical model, which is not published by ONS (", dcc.Link("the adjusted gap",
                                                                                  href=mvw.METHODS["adjusted"]),
                "); and the gap that ", html.Strong("sampling noise alone"), " would produce if every area were "
                "the same (", dcc.Link("the noise-only benchmark", href=mvw.METHODS["noise"]), ")."]),
        html.Div(lines, id="ov-gap-verdict", className=cls, **{"aria-live": "polite"}),
        *([notice(v["mode"])] if v["mode"] else []),
        html.Div(className="ov-controls", children=[
            _label("Show the gap for", "ov-gap-metric"),
            dcc.RadioItems(id="ov-gap-metric", options=opts, value=v["metric"], inline=True, className="radios"),
        ]),
        html.Div(className="chart-block", children=[
            html.P("Chart of the gap between the worst third of local authorities and the rest by year, three ways "
                   "(published estimates, adjusted for sampling noise, noise alone), each with its 95% interval "
                   "and a dashed line at its 2017-19 baseline; the years before the baseline are shaded and the "
                   "March 2020 change of interview mode is marked. The same figures are in the table below.",
                   className="visually-hidden", id="ov-gap-summary"),
            *deferred("ov-gap-chart", GAP_HEIGHT),
            html.P(["Markers: circle, published estimates; diamond, adjusted for sampling noise (",
                    dcc.Link("how", href=mvw.METHODS["adjusted"]), "); triangle and dotted line, noise alone (",
                    dcc.Link("how", href=mvw.METHODS["noise"]), "). Bars are 95% intervals; dashed lines are each "
                    "gap's 2017-19 baseline; the dotted vertical line is the March 2020 change of interview mode (",
                    dcc.Link("what changed", href=mvw.METHODS["mode"]), ")."], className="hint"),
            _lazy_table("Show the data as a table", "ov-gap"),
        ]),
        download_button("ov-gap-csv", "Download the gap tracker (CSV)"),
        html.Div(_paragraphs(v["unranked"]), id="ov-unranked", className="ov-unranked"),
        html.H3("How much does the assumed error correlation matter?", id="ov-sensitivity-heading"),
        html.Div(sens, id="ov-sensitivity"),
        html.P(["How much of the differences between areas the model treats as real, year by year: ",
                dcc.Link("model diagnostics", href="/data#model-diagnostics"), "."], className="hint"),
    ])


# ----------------------------------------------------------------------------- regions and nations
def _scorecard_parts(v: dict) -> tuple:
    view = v["table"].drop(columns=["area_code"]).rename(columns={"area": "Area"})
    kinds = v["kinds"].drop(columns=["area_code"]).rename(columns={"area": "Area"}) if not v["kinds"].empty else None
    tbl = _table(view, "ov-scorecard-table", f"Change since 2018-19 in {v['period']}, by region and nation "
                 "(verdict: change in score points, 95% CI)", kinds=kinds)
    return tbl, _paragraphs(v["lines"]), ([notice(v["mode"])] if v["mode"] else [])


def _change_figure(v: dict) -> dict:
    cf, title = v["frame"], f"{v['title']}, {v['period']}"
    if cf.empty:
        return {"data": [], "layout": {"height": 200, "font": FONT}}
    hover = dict(zip(cf["area_code"], v["hover"]))
    cf = cf.iloc[::-1]  # UK at the top
    data = []
    for verdict, colour in VERDICT_COLOURS.items():
        d = cf[cf["verdict"] == verdict]
        if d.empty:
            continue
        data.append({
            "type": "scatter", "mode": "markers", "name": verdict.capitalize(), "x": d["change"].tolist(),
            "y": d["area_name"].tolist(),
            "marker": {"color": colour, "size": 11, "symbol": VERDICT_SYMBOLS[verdict]},
            "error_x": {"type": "data", "symmetric": False, "color": colour, "thickness": 2,
                        "array": (d["change_upper"] - d["change"]).tolist(),
                        "arrayminus": (d["change"] - d["change_lower"]).tolist()},
            "text": [hover[c] for c in d["area_code"]], "hoverinfo": "text", "hoverlabel": {"align": "left"}})
    other = cf[~cf["verdict"].isin(VERDICT_COLOURS)]
    if not other.empty:
        data.append({"type": "scatter", "mode": "markers", "name": "Not assessed", "x": other["change"].tolist(),
                     "y": other["area_name"].tolist(), "marker": {"color": "#BFC1C3", "size": 10}})
    return {"data": data, "layout": {
        "height": change_height(v),
        "margin": {"l": 16 + CHAR_PX * max(len(str(n)) for n in cf["area_name"]), "r": 12, "t": 10, "b": 90},
        "font": FONT,
        "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "hovermode": "closest",
        "showlegend": True, "legend": {"orientation": "h", "x": 0, "y": 1.01, "yanchor": "bottom"},
        "xaxis": {**AXIS, "title": {"text": f"Change since 2018-19<br>(score points; bars: 95% CI)<br>{title}",
                                     "font": {"size": 12}}},
        "yaxis": {**AXIS, "type": "category", "categoryorder": "array", "categoryarray": cf["area_name"].tolist()},
        "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": 0, "x1": 0, "y0": 0, "y1": 1,
                    "line": {"color": "#0b0c0c", "width": 1}}]}}


def change_height(v: dict) -> int:
    """The change chart's height: a row per area, so the waiting box is the chart's own size."""
    return max(360, 30 * len(v["frame"]) + 150) if not v["frame"].empty else 200


def change_graph(v: dict) -> dcc.Graph:
    return dcc.Graph(id="ov-change-graph", figure=_change_figure(v), config=GRAPH_CONFIG, className="ov-graph")


def _scorecard_section(period: str, metric: str) -> html.Section:
    pers = mvw.year_options()
    if not pers:
        return html.Section([html.H2("Regions and nations"), message("Not in this data.", "warning")])
    sv, cv = mvw.scorecard_view(period), mvw.change_view(metric, period)
    tbl, counts, mode = _scorecard_parts(sv)
    return html.Section(className="ov-section", **{"aria-labelledby": "ov-score-heading"}, children=[
        html.H2("Has well-being improved in every region and nation since 2019?", id="ov-score-heading"),
        html.P("Change in each headline measure since the 2019 baseline (financial year 2018-19), with its 95% "
               "confidence interval. \u2714 significantly improved, \u2716 significantly worse, \u2013 no "
               "significant change; the arrow shows the direction of the change in the score (for anxiety, "
               "up is worse). A cell says so in words when the call changes after allowing for many tests at "
               "once (Holm's correction) or when the publisher's rounding could flip it."),
        html.Div(className="controls", children=[
            html.Div([_label("Year compared with 2018-19", "ov-period"),
                      dcc.Dropdown(id="ov-period", value=sv["period"], clearable=False, searchable=False,
                                   options=[{"label": p, "value": p} for p in reversed(pers)])],
                     className="control"),
        ]),
        html.Div(counts, id="ov-score-counts", className="lead", **{"aria-live": "polite"}),
        html.Div(mode, id="ov-score-mode"),
        html.Div(tbl, id="ov-scorecard"),
        download_button("ov-score-csv", "Download the scorecard (CSV)"),
        html.H3("Change since 2019 with confidence intervals", id="ov-change-heading"),
        html.Div(className="controls", children=[
            html.Div([_label("Measure", "ov-metric"),
                      dcc.Dropdown(id="ov-metric", value=cv["metric"], clearable=False, searchable=False,
                                   options=mvw.metric_options())], className="control"),
        ]),
        html.Div(className="chart-block", children=[
            html.P("Chart of the change since 2019 for each region and nation, each with its 95% confidence "
                   "interval and a marker shape for the significance verdict. The same figures are in the table "
                   "below.", className="visually-hidden", id="ov-change-summary"),
            *deferred("ov-change-chart", change_height(cv)),
            _lazy_table("Show the data as a table", "ov-change"),
        ]),
        download_button("ov-change-csv", "Download the change chart's data (CSV)"),
    ])


@guarded(page="Well-being mission overview")
def layout(gap: str | None = None, period: str | None = None, metric: str | None = None, **_other):
    state, notes = mvw.normalise(gap, period, metric)
    return html.Div(className="ov-page", children=[
        page_header("Well-being mission overview",
                    f"The mission: \u201c{MISSION}\u201d This page tracks it with the Office for National "
                    "Statistics' personal well-being estimates (Annual Population Survey, adults 16+)."),
        *[notice(n) for n in notes],
        dcc.Store(id="ov-url-sync"),
        html.Div(className="ov-links", children=[
            dcc.Link("Explore the map", href="/map", className="button"),
            dcc.Link("Find your local authority", href="/map?geography=ltla", className="button button--secondary"),
            dcc.Link("Data and methods", href="/data", className="button button--secondary"),
        ]),
        _basis_box(mission.basis()),
        _headline_section(),
        _gap_section(state["gap"]),
        _scorecard_section(state["period"], state["metric"]),
        html.P(["Built ", str(build.current().manifest.get("built_at", "(unknown)")), ". Sources and methods: ",
                dcc.Link("data and methods page", href="/data"), "."], className="muted"),
    ])


# ----------------------------------------------------------------------------- callbacks (the controls only)
@callback(Output("ov-gap-chart", "children"), Output("ov-gap-verdict", "children"),
          Output("ov-gap-verdict", "className"), Output("ov-sensitivity", "children"),
          Input("ov-gap-metric", "value"), seen("ov-gap-chart"), prevent_initial_call=True)
@guarded(error_notice(), error_notice(), "ov-gap-verdict", [])
def update_gap(metric, shown=True):
    """The chart (once its box has been seen) and the words for the chosen measure; scrolling the
    chart into view draws the chart only."""
    v = mvw.gap_view(metric)
    chart = gap_graph(v) if shown else dash.no_update
    if only_seen("ov-gap-chart"):
        return chart, dash.no_update, dash.no_update, dash.no_update
    return (chart, *_gap_parts(v))


@callback(Output("ov-scorecard", "children"), Output("ov-score-counts", "children"),
          Output("ov-score-mode", "children"), Input("ov-period", "value"), prevent_initial_call=True)
@guarded(error_notice(), "", [])
def update_scorecard(period):
    return _scorecard_parts(mvw.scorecard_view(period))


@callback(Output("ov-change-chart", "children"), Input("ov-metric", "value"), Input("ov-period", "value"),
          seen("ov-change-chart"), prevent_initial_call=True)
@guarded(error_notice())
def update_change(metric, period, shown=True):
    if not shown:
        raise dash.exceptions.PreventUpdate  # drawn when the box comes into view
    return change_graph(mvw.change_view(metric, period))


# The table alternatives: drawn on the first click that opens them (the details element reports
# clicks, not its open state), then redrawn when a control changes once they have been drawn.
def wanted(triggered: str | None, details_id: str, drawn) -> bool:
    opened = triggered == details_id
    return (opened and not drawn) or (not opened and bool(drawn))


def headline_table_div() -> html.Div:
    return _table(mvw.headline_table_view(), "ov-headline-table", "UK headline measures: latest and baseline with 95% CIs")


def gap_table_div(metric) -> html.Div:
    v = mvw.gap_table_view(metric)
    return html.Div([
        _table(v["table"], "ov-gap-table", f"{v['label']}: the gap by year, three ways, with the 2017-19 baseline"),
        html.P(["Adjusted figures are estimates from a statistical model, not published by ONS (",
                dcc.Link("how the adjusted gap is estimated", href=mvw.METHODS["adjusted"]), "; ",
                dcc.Link("the noise-only benchmark", href=mvw.METHODS["noise"]), ")."], className="hint")])


def change_table_div(metric, period) -> html.Div:
    v = mvw.change_table_view(metric, period)
    return _table(v["table"], "ov-change-table", f"Change since 2019 by region and nation: {v['title']}, {v['period']}, "
                  "with 95% CIs")


@callback(Output("ov-headline-table-wrap", "children"), Input("ov-headline-details", "n_clicks"),
          State("ov-headline-table-wrap", "children"), prevent_initial_call=True)
@guarded(error_notice())
def headline_table(_n, drawn):
    return dash.no_update if drawn else headline_table_div()


@callback(Output("ov-gap-table-wrap", "children"), Input("ov-gap-details", "n_clicks"), Input("ov-gap-metric", "value"),
          State("ov-gap-table-wrap", "children"), prevent_initial_call=True)
@guarded(error_notice())
def gap_table(_n, metric, drawn):
    return gap_table_div(metric) if wanted(dash.ctx.triggered_id, "ov-gap-details", drawn) else dash.no_update


@callback(Output("ov-change-table-wrap", "children"), Input("ov-change-details", "n_clicks"),
          Input("ov-metric", "value"), Input("ov-period", "value"), State("ov-change-table-wrap", "children"),
          prevent_initial_call=True)
@guarded(error_notice())
def change_table(_n, metric, period, drawn):
    if not wanted(dash.ctx.triggered_id, "ov-change-details", drawn):
        return dash.no_update
    return change_table_div(metric, period)


@callback(Output("ov-headline-csv-download", "data"), Input("ov-headline-csv", "n_clicks"), prevent_initial_call=True)
@guarded(None)
def dl_headline(n):
    return dcc.send_data_frame(mvw.headline_view()["table"].round(4).to_csv, "uk_headline_measures.csv", index=False)


@callback(Output("ov-gap-csv-download", "data"), Input("ov-gap-csv", "n_clicks"), State("ov-gap-metric", "value"),
          prevent_initial_call=True)
@guarded(None)
def dl_gap(n, metric):
    metric, frame = mvw.gap_download(metric)
    return dcc.send_data_frame(frame.to_csv, f"mission_gap_{metric}.csv", index=False)


@callback(Output("ov-score-csv-download", "data"), Input("ov-score-csv", "n_clicks"), State("ov-period", "value"),
          prevent_initial_call=True)
@guarded(None)
def dl_score(n, period):
    v = mvw.scorecard_view(period)
    return dcc.send_data_frame(mvw.scorecard_long(mission.regions(), catalogue.metrics(), v["period"]).to_csv,
                               f"regions_change_since_2019_{v['period']}.csv", index=False)


@callback(Output("ov-change-csv-download", "data"), Input("ov-change-csv", "n_clicks"), State("ov-metric", "value"),
          State("ov-period", "value"), prevent_initial_call=True)
@guarded(None)
def dl_change(n, metric, period):
    v = mvw.change_table_view(metric, period)
    return dcc.send_data_frame(v["csv"].to_csv, f"change_since_2019_{v['metric']}_{v['period']}.csv", index=False)


clientside_callback(ClientsideFunction("overview", "syncUrl"), Output("ov-url-sync", "data"),
                    Input("ov-gap-metric", "value"), Input("ov-period", "value"), Input("ov-metric", "value"))
