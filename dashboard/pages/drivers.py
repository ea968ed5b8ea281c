"""Drivers: /drivers?x=&y=&xp=&yp=&area=&mp= : any driver against any headline measure, and what
distinguishes the mission's worst third."""
from __future__ import annotations

import textwrap
from urllib.parse import urlencode

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html

from dashboard.analysis import drivers_view as dv
from dashboard.components.common import download_button, error_notice, guarded, message, notice, page_header, table
from dashboard.palette import AF_CATEGORICAL

dash.register_page(__name__, path="/drivers", title="Drivers")

SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross"]
def _ctrl(label, cid, comp):
    return html.Div([html.Label(label, htmlFor=cid, className="control-label"), comp], className="control")


@guarded(page="Drivers of well-being")
def layout(x: str | None = None, y: str | None = None, xp: str | None = None, yp: str | None = None,
           area: str | None = None, mp: str | None = None, **_q):
    st, notes = dv.normalise(x, y, area, mp)
    return html.Div([
        page_header("Drivers of well-being", "How each Annex B driver relates to the headline well-being measures "
                                             "across local authorities, and what distinguishes the mission's worst third."),
        *[notice(n) for n in notes],
        html.H2("A driver against a headline measure"),
        html.Div([
            _ctrl("Driver (horizontal axis)", "drv-x", dcc.Dropdown(id="drv-x", options=st["x_options"], value=st["x"],
                                                                    clearable=False)),
            _ctrl("Driver period", "drv-xp", dcc.Dropdown(id="drv-xp", options=[], value=xp, clearable=False)),
        ], className="controls"),
        html.Div([
            _ctrl("Headline measure (vertical axis)", "drv-y", dcc.Dropdown(id="drv-y", options=st["y_options"],
                                                                            value=st["y"], clearable=False)),
            _ctrl("Headline period", "drv-yp", dcc.Dropdown(id="drv-yp", options=[], value=yp, clearable=False)),
            _ctrl("Highlight an area", "drv-area", dcc.Dropdown(id="drv-area", options=dv.q.areas.ltla_choices(),
                                                                 value=st["area"], placeholder="Type an area name")),
        ], className="controls"),
        dcc.Loading(html.Div(id="drv-scatter"), type="default"),
        download_button("drv-scatter-csv", "Download scatter data (CSV)"),
        html.H2("What distinguishes the worst third"),
        html.P("For every supporting and context metric: the standardised difference between the local authorities "
               "in the mission's worst third and the rest (Cohen's d: difference in means divided by the pooled "
               "standard deviation), with its 95% confidence interval. Positive means the worst third does worse "
               "on that metric.", className="hint"),
        _ctrl("Worst third in", "drv-mp", dcc.Dropdown(id="drv-mp", value=st["mp"], clearable=False,
                                                        options=[{"label": p, "value": p}
                                                                 for p in reversed(st["mission_periods"])])),
        dcc.Loading(html.Div(id="drv-diff"), type="default"),
        download_button("drv-diff-csv", "Download differences (CSV)"),
        dcc.Location(id="drv-loc", refresh=False),
    ])


def _scatter_fig(df: pd.DataFrame, xm: dict, ym: dict, xp: str, yp: str, area: str | None) -> dict:
    traces = []
    regions = sorted(df["region_name"].dropna().unique().tolist())
    for i, reg in enumerate(regions):
        d = df[df["region_name"] == reg]
        traces.append(dict(type="scatter", mode="markers", name=reg, x=d["x"].tolist(), y=d["y"].tolist(),
                           text=d["area_name"].tolist(),
                           marker=dict(color=AF_CATEGORICAL[i % 6], symbol=SYMBOLS[(i // 6) % len(SYMBOLS)], size=8,
                                       opacity=0.8, line=dict(color="white", width=0.5)),
                           hovertemplate="%{text}<br>x %{x}<br>y %{y}<extra>" + reg + "</extra>"))
    if area and area in set(df["area_code"]):
        r = df[df["area_code"] == area].iloc[0]
        traces.append(dict(type="scatter", mode="markers+text", name=f"{r['area_name']} (selected)", x=[r["x"]], y=[r["y"]],
                           text=[r["area_name"]], textposition="top center", textfont=dict(size=13, color="#0b0c0c"),
                           marker=dict(color="#FFDD00", symbol="star", size=18, line=dict(color="#0b0c0c", width=2)),
                           hovertemplate="%{text}<br>x %{x}<br>y %{y}<extra>selected</extra>"))
    # the legend sits under the chart, so a phone keeps the whole width for the points
    return {"data": traces, "layout": dict(
        height=600, margin=dict(l=60, r=10, t=20, b=60), plot_bgcolor="white", font=dict(family="Arial", size=12),
        xaxis=dict(title=dict(text=f"{dv.metric_label(xm)}, {xp}"), gridcolor="#e5e5e5", zeroline=False),
        yaxis=dict(title=dict(text=f"{dv.metric_label(ym)}, {yp}"), gridcolor="#e5e5e5", zeroline=False),
        legend=dict(title=dict(text="Region or nation", side="top"), itemsizing="constant", orientation="h", x=0,
                    xanchor="left", y=-0.2, yanchor="top"))}


@dash.callback(
    Output("drv-xp", "options"), Output("drv-xp", "value"), Output("drv-yp", "options"), Output("drv-yp", "value"),
    Output("drv-scatter", "children"), Output("drv-loc", "search"),
    Input("drv-x", "value"), Input("drv-y", "value"), Input("drv-xp", "value"), Input("drv-yp", "value"),
    Input("drv-area", "value"), Input("drv-mp", "value"),
)
@guarded(dash.no_update, dash.no_update, dash.no_update, dash.no_update, error_notice(), dash.no_update)
def update_scatter(x, y, xp, yp, area, mp):
    try:
        trig = dash.ctx.triggered_id
    except Exception:  # noqa: BLE001 - called outside a request (tests)
        trig = None
    v = dv.scatter_view(x, y, xp, yp, area, mp, trig in ("drv-x", "drv-y"))
    xo = [{"label": p, "value": p} for p in reversed(v["x_periods"])]
    yo = [{"label": p, "value": p} for p in reversed(v["y_periods"])]
    period_note = notice(v["period_note"]) if v.get("period_note") else None
    if v.get("message"):
        return xo, v["xp"], yo, v["yp"], [period_note, message(v["message"])], v["search"] or dash.no_update
    df, xm, ym, xp, yp = v["frame"], v["xm"], v["ym"], v["xp"], v["yp"]
    sel = None
    if v["selected_text"] is not None:
        sel = (html.P(v["selected_text"]) if v["selected_text"]
               else message("The highlighted area has no value for both metrics in these periods."))
    tdf = v["table"]
    return xo, xp, yo, yp, [
        period_note,
        html.P(html.Strong(v["r_text"]), className="stat-line", id="drv-r"),
        message(v["inherited_text"]) if v["inherited_text"] else None,
        sel,
        html.Div([
            html.P(v["scatter_summary"], className="visually-hidden", id="drv-scatter-summary"),
            dcc.Graph(id="drv-scatter-graph", figure=_scatter_fig(df, xm, ym, xp, yp, area),
                      config={"displayModeBar": False, "responsive": True}),
            html.Details([html.Summary("Show the data as a table"),
                          table(tdf, "drv-scatter-table", v["table_caption"])], className="chart-table"),
        ], className="chart-block"),
    ], v["search"]


def _diff_fig(t: pd.DataFrame) -> dict:
    t = t[np.isfinite(t["d"].astype(float))].iloc[::-1]
    col = {"worse in the worst third": "#801650", "better in the worst third": "#28A197", "no clear difference": "#3D3D3D",
           "higher in the worst third": "#12436D", "lower in the worst third": "#A285D1"}
    sym = {"worse in the worst third": "square", "better in the worst third": "circle", "no clear difference": "diamond"}
    # labels wrapped onto short lines, so a phone keeps room for the dots
    labels = ["<br>".join(textwrap.wrap(f"{n} ({p})" + (" *" if inh else "") + f": {d.replace(' in the worst third', '')}",
                                        30))
              for n, p, inh, d in zip(t["short_title"], t["period"], t["inherited"], t["direction"])]
    trace = dict(type="scatter", mode="markers", x=t["d"].tolist(), y=labels,
                 marker=dict(color=[col.get(d, "#3D3D3D") for d in t["direction"]],
                             symbol=[sym.get(d, "circle") for d in t["direction"]], size=10, line=dict(color="#0b0c0c", width=1)),
                 error_x=dict(type="data", symmetric=False, array=(t["upper"] - t["d"]).tolist(),
                              arrayminus=(t["d"] - t["lower"]).tolist(), color="#505a5f", thickness=1.5, width=3),
                 hovertemplate="%{y}: d = %{x:.2f}<extra></extra>")
    return {"data": [trace], "layout": dict(
        height=max(260, 40 * len(t) + 100), margin=dict(l=10, r=20, t=20, b=60), plot_bgcolor="white",
        font=dict(family="Arial", size=12), showlegend=False,
        xaxis=dict(title=dict(text="Standardised difference<br>(positive = worst third worse)"),
                   gridcolor="#e5e5e5", zeroline=True, zerolinecolor="#0b0c0c", zerolinewidth=2),
        yaxis=dict(automargin=True, type="category"))}


@dash.callback(Output("drv-diff", "children"), Input("drv-mp", "value"))
@guarded(error_notice())
def update_diff(mp):
    v = dv.differences_view(mp)
    if v["empty"]:
        return message("No supporting or context metrics with local-authority values are in this data, or the "
                       "mission's ranking is missing.")
    t = v["frame"]
    return [
        html.P(v["headline_text"], className="stat-line"),
        html.Div([
            html.P(v["chart_summary"], className="visually-hidden", id="drv-diff-summary"),
            dcc.Graph(id="drv-diff-graph", figure=_diff_fig(t), config={"displayModeBar": False, "responsive": True}),
            html.P("* value published for a larger area (county, ICB or air-quality zone) and shared by its districts: "
                   "the interval is too narrow. Each metric is taken at its latest period ending no later than a year "
                   "after the worst-third year.", className="hint"),
            html.Details([html.Summary("Show the data as a table"),
                          table(v["table"], "drv-diff-table", "Standardised differences between the worst third and "
                                                              "the rest", page_size=40)], className="chart-table"),
        ], className="chart-block"),
    ]


@dash.callback(Output("drv-scatter-csv-download", "data"), Input("drv-scatter-csv", "n_clicks"),
               State("drv-x", "value"), State("drv-y", "value"), State("drv-xp", "value"), State("drv-yp", "value"),
               prevent_initial_call=True)
@guarded(None)
def dl_scatter(n, x, y, xp, yp):
    if not n:
        raise dash.exceptions.PreventUpdate
    return dcc.send_data_frame(dv.scatter_download(x, y, xp, yp).to_csv, f"drivers_{x}_{y}.csv", index=False)


@dash.callback(Output("drv-diff-csv-download", "data"), Input("drv-diff-csv", "n_clicks"), State("drv-mp", "value"),
               prevent_initial_call=True)
@guarded(None)
def dl_diff(n, mp):
    if not n:
        raise dash.exceptions.PreventUpdate
    t, period = dv.differences_download(mp)
    return dcc.send_data_frame(t.to_csv, f"worst_third_differences_{period}.csv", index=False)
