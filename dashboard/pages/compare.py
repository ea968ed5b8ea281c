"""Compare areas: /compare?area=&group=&areas=&metric=&period=&benchmark= (all state in the URL)."""
from __future__ import annotations

from urllib.parse import urlencode

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html

from dashboard.analysis import compare_view as cv
from dashboard.components.common import download_button, error_notice, guarded, message, notice, page_header, table
from dashboard.formatting import interval, number
from dashboard.palette import BENCHMARK_COLOURS, BENCHMARK_SYMBOLS

dash.register_page(__name__, path="/compare", title="Compare areas")

def _ctrl(label: str, cid: str, comp) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid, className="control-label"), comp], className="control")


@guarded(page="Compare areas")
def layout(area: str | None = None, group: str | None = None, areas: str | None = None, metric: str | None = None,
           period: str | None = None, benchmark: str | None = None, **_q):
    st, notes = cv.normalise(area, group, areas, metric, benchmark)
    ltla = cv.ltla_options()
    return html.Div([
        page_header("Compare areas", "Compare several local authorities, or an area with its comparator group, on "
                                     "any metric: values with 95% confidence intervals and significance against "
                                     "a benchmark of your choice."),
        *[notice(n) for n in notes],
        html.Div([
            _ctrl("Your area", "cmp-area", dcc.Dropdown(id="cmp-area", options=ltla, value=st["area"], searchable=True,
                                                       placeholder="Type an area name")),
            html.Div([html.Label("Compare with", htmlFor="cmp-group", className="control-label"),
                      dcc.RadioItems(id="cmp-group", value=st["group"], className="radios",
                                     options=[{"label": v, "value": k} for k, v in cv.GROUPS.items()])],
                     className="control"),
        ], className="controls"),
        html.Div(_ctrl("Chosen areas (type to add)", "cmp-areas",
                       dcc.Dropdown(id="cmp-areas", options=ltla, value=st["areas"], multi=True, searchable=True,
                                    placeholder="Add local authorities")),
                 id="cmp-areas-wrap", hidden=st["group"] != "areas"),
        html.Div([
            _ctrl("Metric", "cmp-metric", dcc.Dropdown(id="cmp-metric", options=cv.metric_options(), value=st["metric"],
                                                       clearable=False)),
            _ctrl("Period", "cmp-period", dcc.Dropdown(id="cmp-period", options=[], value=period, clearable=False)),
            _ctrl("Benchmark", "cmp-benchmark", dcc.Dropdown(id="cmp-benchmark", options=cv.benchmark_options(),
                                                             value=st["benchmark"], clearable=False)),
        ], className="controls"),
        dcc.Loading(html.Div(id="cmp-content"), type="default"),
        download_button("cmp-csv", "Download this comparison (CSV)"),
        dcc.Location(id="cmp-loc", refresh=False),
    ])


def _figure(tab: pd.DataFrame, info: dict, meta: dict, area: str | None) -> dict:
    """Dot-and-whisker chart (value with 95% CI), best at the top; the comparison is in each label."""
    t = tab[np.isfinite(tab["value"].astype(float))].copy()
    asc = meta.get("polarity") == "lower_better"
    t = t.sort_values("value", ascending=not asc).iloc[::-1]
    dec = int(meta.get("decimals", 1) or 1)
    labels = [c.capitalize() for c in t["comparison"]]
    names = [("\u25B6 " if c == area else "") + f"{n}: {lab}" for c, n, lab in zip(t["area_code"], t["area_name"], labels)]
    colours = [BENCHMARK_COLOURS.get(c, "#0b0c0c") for c in t["comparison"]]
    symbols = [BENCHMARK_SYMBOLS.get(c, "circle-open") for c in t["comparison"]]
    def clean(v):
        return [None if not np.isfinite(x) else float(x) for x in np.asarray(v, float)]
    trace = dict(type="scatter", mode="markers", x=clean(t["value"]), y=names,
                 marker=dict(color=colours, symbol=symbols, size=12, line=dict(color="#0b0c0c", width=1)),
                 customdata=[[interval(a, b, dec)] for a, b in zip(t["lower"], t["upper"])],
                 error_x=dict(type="data", symmetric=False, array=clean(t["upper"] - t["value"]),
                              arrayminus=clean(t["value"] - t["lower"]), color="#505a5f", thickness=1.5, width=4),
                 hovertemplate="%{y}: %{x:." + str(dec) + "f} (95% CI %{customdata[0]})<extra></extra>")
    shapes, ann = [], []
    bv = info.get("benchmark_value")
    if bv is not None and np.isfinite(bv):
        shapes.append(dict(type="line", xref="x", yref="paper", x0=bv, x1=bv, y0=0, y1=1,
                           line=dict(color="#0b0c0c", dash="dash", width=2)))
        ann.append(dict(x=bv, y=1, xref="x", yref="paper", yanchor="bottom", showarrow=False,
                        text=f"{info.get('benchmark_label')}: {number(bv, dec)}", font=dict(size=11)))
    return {"data": [trace], "layout": dict(
        height=max(260, 28 * len(t) + 110), margin=dict(l=10, r=30, t=40, b=50), plot_bgcolor="white",
        xaxis=dict(title=dict(text=f"{meta.get('short_title')} ({meta.get('unit', '')})"), gridcolor="#e5e5e5",
                   zeroline=False),
        yaxis=dict(automargin=True, type="category"), shapes=shapes, annotations=ann,
        font=dict(family="Arial", size=12), showlegend=False)}


@dash.callback(
    Output("cmp-period", "options"), Output("cmp-period", "value"), Output("cmp-areas-wrap", "hidden"),
    Output("cmp-content", "children"), Output("cmp-loc", "search"),
    Input("cmp-area", "value"), Input("cmp-group", "value"), Input("cmp-areas", "value"),
    Input("cmp-metric", "value"), Input("cmp-period", "value"), Input("cmp-benchmark", "value"),
)
@guarded(dash.no_update, dash.no_update, dash.no_update, error_notice(), dash.no_update)
def update(area, group, areas, metric, period, benchmark):
    v = cv.view(area, group, areas, metric, period, benchmark)
    hidden = v["group"] != "areas"
    if v.get("message"):
        return v["period_options"], v["period"], hidden, message(v["message"]), v["search"]
    tab, info, meta = v["table"], v["info"], v["meta"]
    dec = v["decimals"]
    tdf = pd.DataFrame({
        "Area": tab["area_name"], "Code": tab["area_code"],
        "Value": [number(x, dec) for x in tab["value"].astype(float)],
        "95% CI": [interval(a, b, dec) for a, b in zip(tab["lower"], tab["upper"])],
        "Benchmark": [f"{b} {number(x, dec)}" for b, x in zip(tab["benchmark"], tab["benchmark_value"])],
        "Compared with benchmark": [c.capitalize() for c in tab["comparison"]],
        "Geography of the value": tab["geography_note"], "Note": tab["reason"], "Status": tab["status"],
    })
    blocks = [
        html.H2(v["heading"]),
        html.P([html.Strong(v["label"]), v["group_count"], v["note"]],
               className="hint"),
        html.P(v["summary_line"], className="stat-line"),
        html.P("Better/worse means the area's 95% confidence interval excludes the benchmark value; similar means it "
               "includes it; not compared means no interval is published. Areas are ordered best to worst for context "
               "only: read the intervals, not the order.", className="hint"),
        message(v["inherited_text"]) if v["inherited_text"] else None,
        html.Div([
            html.P(v["chart_summary"], className="visually-hidden", id="cmp-chart-summary"),
            dcc.Graph(id="cmp-graph", figure=_figure(tab, info, meta, v["area"]),
                      config={"displayModeBar": False, "responsive": True}),
            html.Details([html.Summary("Show the data as a table"),
                          table(tdf, "cmp-table", f"{meta.get('short_title')}, {v['period']}: values, intervals and "
                                                  f"comparison with {info['benchmark_label']}", page_size=25)],
                         className="chart-table", open=True),
        ], className="chart-block"),
    ]
    if v["missing_line"]:
        blocks.append(html.P(v["missing_line"], className="hint"))
        if meta.get("publisher_url"):
            blocks.append(html.P(html.A("See the publisher's data", href=meta["publisher_url"])))
    return v["period_options"], v["period"], hidden, blocks, v["search"]


@dash.callback(Output("cmp-csv-download", "data"), Input("cmp-csv", "n_clicks"),
               State("cmp-area", "value"), State("cmp-group", "value"), State("cmp-areas", "value"),
               State("cmp-metric", "value"), State("cmp-period", "value"), State("cmp-benchmark", "value"),
               prevent_initial_call=True)
@guarded(None)
def download(n, area, group, areas, metric, period, benchmark):
    if not n or not metric:
        raise dash.exceptions.PreventUpdate
    df, name = cv.download(area, group, areas, metric, period, benchmark)
    return dcc.send_data_frame(df.to_csv, name, index=False)
