"""/map: any metric, period and geography as a choropleth, with a ranked table and a CSV.

The geometry reaches the browser once (`/geo/<geography>.geojson`); the server callback here sends
only a compact values payload (`dashboard.analysis.map_values.payload`) and `assets/map.js`
draws the figure. Every view state lives in the URL query string.
"""
from __future__ import annotations

import os
import threading
from urllib.parse import urlencode

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dash_table, dcc, html

from dashboard.analysis import map_values as mv
from dashboard.components.common import download_button, error_notice, fmt, fmt_ci, message, page_header, safe

dash.register_page(__name__, path="/map", title="Map - Well-being Mission Dashboard", name="Map")

if not os.environ.get("WELLBEING_SYNC_WARM"):  # gunicorn --preload warms before forking (wsgi.py)
    threading.Thread(target=lambda: safe(None)(mv.warm)(), daemon=True, name="map-warm").start()

ONS_CAVEAT = ("ONS advises that estimates for single local authorities have wide confidence intervals and "
              "should not be ranked naively: read each position with its 95% confidence interval.")


def _map_href(**state) -> str:
    q = {k: v for k, v in state.items() if v}
    if q.get("classes") != "benchmark":
        q.pop("benchmark", None)
    return "/map?" + urlencode(q)


def _label(text: str, for_id: str) -> html.Label:
    return html.Label(text, htmlFor=for_id, className="control-label")


def _controls(state: dict) -> html.Div:
    geos = mv.available_geographies()
    return html.Div(className="controls map-controls", children=[
        html.Div([_label("Measure", "map-metric"),
                  dcc.Dropdown(id="map-metric", options=mv.metric_options(), value=state["metric"],
                               clearable=False, searchable=True)], className="control control--wide"),
        html.Div([_label("Period", "map-period"),
                  dcc.Dropdown(id="map-period", options=mv.period_options(state["metric"], state["period"])
                               if state["metric"] else [], value=state["period"], clearable=False)],
                 className="control"),
        html.Div([_label("Geography", "map-geography"),
                  dcc.Dropdown(id="map-geography", value=state["geography"], clearable=False, searchable=False,
                               options=[{"label": mv.GEOGRAPHIES[g], "value": g} for g in geos])],
                 className="control"),
        html.Div([_label("Colour areas by", "map-classes"),
                  dcc.RadioItems(id="map-classes", value=state["classes"], className="radios",
                                 options=[{"label": v, "value": k} for k, v in mv.CLASSES.items()],
                                 labelStyle={"display": "block"})], className="control"),
        html.Div([_label("Benchmark", "map-benchmark"),
                  dcc.Dropdown(id="map-benchmark", value=state["benchmark"], clearable=False, searchable=False,
                               options=[{"label": v, "value": k} for k, v in mv.BENCHMARKS.items()])],
                 className="control", id="map-benchmark-wrap",
                 style={} if state["classes"] == "benchmark" else {"display": "none"}),
    ])


def layout(metric: str | None = None, period: str | None = None, geography: str | None = None,
           classes: str | None = None, benchmark: str | None = None, **_other):
    try:
        state, notes = mv.normalise(metric, period, geography, classes, benchmark)
    except Exception:  # noqa: BLE001 - a bad build must not break the page
        return html.Div([page_header("Map"), error_notice()])
    if not state["metric"]:
        return html.Div([page_header("Map"), message("No measures are in the build yet. Run `python -m etl build`.", "warning")])
    return html.Div(className="map-page", children=[
        page_header("Map", "Any measure, period and geography. Hover over an area for its value, 95% confidence "
                           "interval and status; select a local authority to open its profile. "
                           "The ranked table below the map has the same values for keyboard and screen-reader users."),
        html.Div([message(n, "warning") for n in notes], id="map-url-notes"),
        _controls(state),
        dcc.Store(id="map-payload"),
        dcc.Store(id="map-version", data=mv.fingerprint()),
        dcc.Store(id="map-prefetch"),
        dcc.Store(id="map-click"),
        html.Div(id="map-notes", className="map-notes", **{"aria-live": "polite"}),
        html.Div(className="map-layout", children=[
            html.Div(className="map-figure", children=[
                html.P(id="map-summary", className="visually-hidden"),
                dcc.Loading(dcc.Graph(id="map-graph", className="map-graph",
                                      config={"displaylogo": False, "scrollZoom": True, "responsive": True,
                                              "modeBarButtonsToRemove": ["select2d", "lasso2d"],
                                              "toImageButtonOptions": {"filename": "wellbeing-map"}},
                                      figure={"data": [], "layout": {}}),
                            type="default"),
            ]),
            html.Aside(className="map-side", children=[
                html.Div(id="map-legend", className="map-legend"),
                html.Div(id="map-details", className="map-details", **{"aria-live": "polite"}),
                html.Div(className="map-share", children=[
                    _label("Link to this view", "map-share-url"),
                    html.Div([
                        dcc.Input(id="map-share-url", type="text", readOnly=True, className="map-share__input",
                                  value=_map_href(**state)),
                        dcc.Clipboard(target_id="map-share-url", title="Copy the link", className="map-share__copy"),
                    ], className="map-share__row"),
                ]),
            ]),
        ]),
        html.Section(id="map-rank-wrap", className="map-rank", style={"display": "none"},
                     **{"aria-labelledby": "map-rank-heading"}, children=[
            html.H2("Ranked chart", id="map-rank-heading"),
            html.P(id="map-rank-caption", className="map-rank__caption"),
            dcc.Graph(id="map-rank-graph", className="map-rank__graph", figure={"data": [], "layout": {}},
                      config={"displaylogo": False, "responsive": True,
                              "modeBarButtonsToRemove": ["select2d", "lasso2d", "zoom2d", "pan2d"],
                              "toImageButtonOptions": {"filename": "wellbeing-ranked"}}),
            html.P(["Table alternative: the ", html.A("ranked table", href="#map-table-heading"),
                    " below lists the same values with their 95% confidence intervals and notes; "
                    "the CSV has them too."], className="hint"),
        ]),
        html.H2("Ranked table", id="map-table-heading"),
        html.P(ONS_CAVEAT, className="notice map-caveat"),
        download_button("map-csv", "Download CSV of the map's values"),
        html.Div(className="table-wrap", role="region", **{"aria-labelledby": "map-table-heading"}, children=[
            dash_table.DataTable(
                id="map-table", data=[], page_size=15, sort_action="native", filter_action="native",
                markdown_options={"link_target": "_self"},
                columns=[{"name": "Rank (value order)", "id": "rank"},
                         {"name": "Area", "id": "area", "presentation": "markdown"},
                         {"name": "Code", "id": "code"}, {"name": "Value", "id": "value"},
                         {"name": "95% CI", "id": "ci"}, {"name": "Status or class", "id": "status"},
                         {"name": "Note", "id": "note"}],
                style_table={"overflowX": "auto"},
                style_cell={"fontFamily": "inherit", "fontSize": "0.95rem", "textAlign": "left",
                            "padding": "6px", "whiteSpace": "normal", "height": "auto"},
                style_header={"fontWeight": "bold", "backgroundColor": "#f3f2f1"},
            ),
        ]),
        html.P(["How the classes, benchmarks and geographies work: see the ",
                dcc.Link("data and methods page", href="/data"), ". Back to the ",
                dcc.Link("mission overview", href="/"), "."]),
    ])


# ----------------------------------------------------------------------------- server callbacks
def _legend(p: dict, state: dict, extra_text: str | None) -> list:
    items = [html.Li([html.Span(className="swatch", style={"backgroundColor": e["colour"]}), e["label"]])
             for e in p.get("legend", [])]
    items.append(html.Li([html.Span(className="swatch swatch--none", style={"backgroundColor": p["nd"]["colour"]}),
                          p["nd"]["label"]]))
    head = f"{p['t']}, {p['p']}"
    children = [html.H2("Legend", className="map-legend__title"), html.P(head, className="map-legend__measure"),
                html.Ul(items, className="legend-list")]
    if extra_text:
        children.append(html.P(extra_text, className="map-legend__direction"))
    return children


def _notes(state: dict, p: dict) -> list:
    metric, period, geography = state["metric"], state["period"], state["geography"]
    s = mv.summary(metric, period, geography)
    url = s.get("publisher_url")
    link = (html.A(url.split("://", 1)[-1].rstrip("/"), href=url, target="_blank", rel="noopener")
            if url else None)
    out = []
    if not mv.metric_periods(metric):
        info = mv.metric_info(metric) or {}
        return [message(f"{s['title']}: no values in this data snapshot ({info.get('status', 'status unknown')}). "
                        f"{info.get('status_note') or ''}", "warning"),
                html.P(["Source: ", link] if link else [])]
    alt = mv.CLOSEST_ALTERNATIVE.get(metric)
    if not s["period_published"]:
        bits = [f"{s['title']} is not published for {period} in the bundled data (latest bundled period: {s['latest']}). "]
        if link:
            bits += [s["publisher"] or "The publisher", " publishes it for every local authority: ", link, ". "]
        bits += [dcc.Link(f"Show {s['latest']}", href=_map_href(**{**state, "period": s["latest"]}))]
        if alt and period in mv.metric_periods(alt):
            bits += [" or ", dcc.Link(f"show {mv.metric_info(alt)['title'].lower()} for {period} (closest alternative)",
                                      href=_map_href(**{**state, "metric": alt}))]
        out.append(html.Div(bits + ["."], className="notice notice--warning", role="status"))
    elif s["n_missing"]:
        parts = "; ".join(f"{n} {r}" for r, n in s["reasons"].items())
        bits = [html.Strong(f"{s['n_missing']} of {s['n_areas']} areas have no value"), f" ({parts}). "
                "They are drawn white with a grey outline. "]
        if "not published for this area/period in the bundled data" in s["reasons"] and s.get("status_note"):
            bits += [s["status_note"], " "]
            if link:
                bits += [s["publisher"] or "The publisher", " publishes it for every area: ", link, ". "]
        if alt and period in mv.metric_periods(alt):
            bits += ["Closest alternative with every area: ",
                     dcc.Link(mv.metric_info(alt)["title"], href=_map_href(**{**state, "metric": alt})), "."]
        if s["n_values"] == 0:
            geos = [g for g in mv.available_geographies() if g != geography and mv.published_at(metric, g)]
            if geos:
                bits += [" This measure is published for: "]
                for j, g in enumerate(geos):
                    bits += [", " if j else "", dcc.Link(mv.GEOGRAPHIES[g].lower(),
                                                         href=_map_href(**{**state, "geography": g}))]
                bits += ["."]
        out.append(html.Div(bits, className="notice", role="status"))
    for text in s["inherited"]:
        names = s.get("shared_from", {}).get(text) or []
        which = ""
        if names:
            noun = {"county": "counties", "ICB": "ICBs", "air": "air-quality zones", "regional": "regions",
                    "national": "nations"}.get(text.split("-", 1)[0].split(" ", 1)[0], "areas")
            which = (f" ({len(names)} {noun}: {', '.join(names)})" if len(names) <= 25
                     else f" ({len(names)} {noun})")
        out.append(message(f"Shown on local authorities: {text}{which}. Hover over an area, or see the table's Note "
                           "column, for the one each district shares.", "info"))
    if metric in mv.METRIC_FACTS:
        out.append(html.Div(mv.METRIC_FACTS[metric], className="notice notice--info map-metric-facts", role="status"))
    if geography == "aq_zone":
        out.append(message("Air-quality zones are drawn as approximate zone shapes built from local authorities "
                           "(labelled approximate on hover); the ranked chart below the map shows every zone.", "info"))
    if state["classes"] == "benchmark":
        bl = p.get("bl") or "benchmark"
        bv = p.get("bv")
        txt = f"Benchmark: {bl}" + (f" ({fmt(bv, p['d'], p['u'])} in {period})" if bv is not None else "") + ". "
        txt += ("An area is better or worse only when its 95% confidence interval excludes the benchmark value; "
                "otherwise similar.")
        if not s["has_ci"]:
            txt += " No confidence intervals are published for this measure here, so no area can be compared."
        if state["benchmark"] in ("region", "nation") and geography == "region":
            txt += " Regions and nations are compared with the United Kingdom."
        out.append(message(txt, "info"))
    return out


@callback(
    Output("map-payload", "data"), Output("map-period", "options"), Output("map-period", "value"),
    Output("map-notes", "children"), Output("map-legend", "children"), Output("map-benchmark-wrap", "style"),
    Output("map-summary", "children"),
    Input("map-metric", "value"), Input("map-period", "value"), Input("map-geography", "value"),
    Input("map-classes", "value"), Input("map-benchmark", "value"),
)
@safe(None, dash.no_update, dash.no_update, error_notice(), [], dash.no_update, "")
def update_map(metric, period, geography, classes, benchmark):
    state, state_notes = mv.normalise(metric, period, geography, classes, benchmark)
    bstyle = {} if state["classes"] == "benchmark" else {"display": "none"}
    if not state["period"]:
        return (None, [], None, _notes(state, {}), [], bstyle, "No values for this measure.")
    p = mv.payload(state["metric"], state["period"], state["geography"], state["classes"], state["benchmark"])
    info = mv.metric_info(state["metric"]) or {}
    direction = None
    if state["classes"] == "quantile":
        pol = info.get("polarity")
        direction = {"higher_better": "Darker = lower value = worse: higher is better for this measure.",
                     "lower_better": "Darker = higher value = worse: lower is better for this measure."}.get(
            pol, "Darker = higher value (no judgement of better or worse for this measure).")
    n_val = sum(v is not None for v in p["v"])
    summary = (f"Map of {p['t']} for {p['p']} by {mv.GEOGRAPHIES[state['geography']].lower()}: {n_val} of "
               f"{len(p['v'])} areas have a value. The ranked table below lists them.")
    notes = [message(n, "info") for n in state_notes] + _notes(state, p)
    return (p, mv.period_options(state["metric"], state["period"]), state["period"], notes,
            _legend(p, state, direction), bstyle, summary)


@callback(Output("map-csv-download", "data"), Input("map-csv", "n_clicks"),
          State("map-metric", "value"), State("map-period", "value"), State("map-geography", "value"),
          State("map-classes", "value"), State("map-benchmark", "value"), prevent_initial_call=True)
@safe(None)
def download_csv(n, metric, period, geography, classes, benchmark):
    if not n:
        raise dash.exceptions.PreventUpdate
    state, _ = mv.normalise(metric, period, geography, classes, benchmark)
    df = mv.map_table(state["metric"], state["period"], state["geography"], state["classes"], state["benchmark"])
    name = f"map_{state['metric']}_{state['period']}_{state['geography']}_{state['classes']}.csv".replace("/", "-")
    return dcc.send_data_frame(df.to_csv, name, index=False)


@callback(Output("map-details", "children"), Input("map-click", "data"),
          State("map-metric", "value"), State("map-period", "value"), State("map-geography", "value"),
          prevent_initial_call=True)
@safe(error_notice())
def show_details(code, metric, period, geography):
    if not code:
        raise dash.exceptions.PreventUpdate
    df = mv.values_frame(metric, period, geography)
    row = df[df["code"] == code]
    if row.empty:
        return message("No details for that area.")
    r = row.iloc[0]
    info = mv.metric_info(metric) or {}
    dec = int(info.get("decimals") or 1)
    body = [html.H2(r["name"], className="map-details__title"), html.P(f"{code} - {mv.GEOGRAPHY_NOUN.get(geography, geography)}")]
    if r["value"] == r["value"]:
        body += [html.P([html.Strong(f"{info.get('short_title', metric)}, {period}: "),
                         fmt(r["value"], dec, info.get("unit", ""))]),
                 html.P(f"95% CI: {fmt_ci(r['lower'], r['upper'], dec)}")]
    else:
        body.append(html.P(f"No value: {r['reason']}."))
    body.append(html.P(dcc.Link("Open this area's page", href=f"/area/{code}")))
    return html.Div(body, className="card")


# ----------------------------------------------------------------------------- clientside callbacks
clientside_callback(ClientsideFunction("map", "prefetch"), Output("map-prefetch", "data"),
                    Input("map-geography", "value"), State("map-version", "data"))
clientside_callback(ClientsideFunction("map", "render"), Output("map-graph", "figure"),
                    Input("map-payload", "data"), State("map-version", "data"))
clientside_callback(ClientsideFunction("map", "table"), Output("map-table", "data"),
                    Input("map-payload", "data"), State("map-version", "data"))
clientside_callback(ClientsideFunction("map", "rankChart"),
                    Output("map-rank-graph", "figure"), Output("map-rank-wrap", "style"),
                    Output("map-rank-caption", "children"),
                    Input("map-payload", "data"), State("map-version", "data"))
clientside_callback(ClientsideFunction("map", "syncUrl"), Output("map-share-url", "value"),
                    Input("map-metric", "value"), Input("map-period", "value"), Input("map-geography", "value"),
                    Input("map-classes", "value"), Input("map-benchmark", "value"))
clientside_callback(ClientsideFunction("map", "click"), Output("map-click", "data"),
                    Input("map-graph", "clickData"), State("map-payload", "data"), prevent_initial_call=True)
