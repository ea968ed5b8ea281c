"""/map: any metric, period and geography as a choropleth, with a ranked table and a CSV.

The geometry reaches the browser once (`/geo/<geography>.geojson`); the callback sends only the
values payload of `map_view.view()` and `assets/map.js` draws the figure (and, when only the
values change, recolours it in place). Every view state, including the selected area, lives in
the URL query string.
"""
from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dash_table, dcc, html

from dashboard.analysis import map_view as mv
from dashboard.components.common import (control, download_button, error_notice, guarded, label, notice,
                                         page_header)
from dashboard.components.deferred import deferred, seen
from dashboard.queries import build, geometry
from dashboard.queries import vocabulary as vocab

dash.register_page(__name__, path="/map", title="Map - Well-being Mission Dashboard", name="Map")


def _controls(state: dict) -> html.Div:
    geos = geometry.available()
    return html.Div(className="controls map-controls", children=[
        control("Measure", "map-metric", dcc.Dropdown(id="map-metric", options=mv.metric_options(),
                                                       value=state["metric"], clearable=False, searchable=True),
                wide=True),
        control("Period", "map-period", dcc.Dropdown(id="map-period", value=state["period"], clearable=False,
                                                     options=mv.period_options(state["metric"], state["period"])
                                                     if state["metric"] else [])),
        control("Geography", "map-geography", dcc.Dropdown(
            id="map-geography", value=state["geography"], clearable=False, searchable=False,
            options=[{"label": vocab.geography(g).label, "value": g} for g in geos])),
        html.Div([label("Colour areas by", "map-classes"),
                  dcc.RadioItems(id="map-classes", value=state["classes"], className="radios",
                                 options=[{"label": v, "value": k} for k, v in mv.CLASSES.items()],
                                 labelStyle={"display": "block"})], className="control"),
        html.Div([label("Benchmark", "map-benchmark"),
                  dcc.Dropdown(id="map-benchmark", value=state["benchmark"], clearable=False, searchable=False,
                               options=mv.benchmark_options())],
                 className="control", id="map-benchmark-wrap",
                 style={} if state["classes"] == "benchmark" else {"display": "none"}),
    ])


@guarded(page="Map")
def layout(metric: str | None = None, period: str | None = None, geography: str | None = None,
           classes: str | None = None, benchmark: str | None = None, area: str | None = None, **_other):
    state, notes = mv.normalise(metric, period, geography, classes, benchmark, area)
    if not state["metric"]:
        return html.Div([page_header("Map"), notice(mv.Notice.of("No measures are in this data.", kind="warning"))])
    # the first view comes with the page: the browser draws it without a second round trip
    v = mv.view(**state)
    return html.Div(className="map-page", children=[
        page_header("Map", "Any measure, period and geography. Hover over an area, or select it (tap on a phone), "
                           "for its value, 95% confidence interval and status, with a link to its profile. "
                           "The ranked table below the map has the same values for keyboard and screen-reader users."),
        html.Div([notice(n) for n in notes], id="map-url-notes"),
        _controls(state),
        dcc.Store(id="map-payload", data=v.payload),
        dcc.Store(id="map-version", data=build.fingerprint()),
        dcc.Store(id="map-prefetch"),
        dcc.Store(id="map-highlight", data=state["area"]),
        html.Div([notice(n) for n in v.notes], id="map-notes", className="map-notes", **{"aria-live": "polite"}),
        html.Div(className="map-layout", children=[
            html.Div(className="map-figure", children=[
                html.P(v.summary, id="map-summary", className="visually-hidden"),
                # the spinner only when a draw takes long: a quick repaint must not flash it
                dcc.Loading(dcc.Graph(id="map-graph", className="map-graph",
                                      config={"displaylogo": False, "scrollZoom": True, "responsive": True,
                                              "modeBarButtonsToRemove": ["select2d", "lasso2d"],
                                              "toImageButtonOptions": {"filename": "wellbeing-map"}},
                                      figure={"data": [], "layout": {}}),
                            type="default", delay_show=400,
                            overlay_style={"visibility": "visible", "opacity": 0.7}),
            ]),
            html.Aside(className="map-side", **{"aria-label": "Legend and selected area"}, children=[
                html.Div(_legend(v) if v.payload else [], id="map-legend", className="map-legend"),
                html.Section(className="map-details", **{"aria-labelledby": "map-details-heading"}, children=[
                    html.H2("Selected area", id="map-details-heading", className="map-details__heading"),
                    html.P(mv.SELECT_HINT, id="map-details-hint", className="hint",
                           style={"display": "none"} if state["area"] else {}),
                    html.Div(id="map-details", className="map-details__body", **{"aria-live": "polite"}),
                    html.Button("Clear the selection", id="map-clear", type="button", n_clicks=0,
                                className="button button--secondary map-details__clear",
                                style={} if state["area"] else {"display": "none"}),
                ]),
                html.Div(className="map-share", children=[
                    label("Link to this view", "map-share-url"),
                    html.Div([
                        dcc.Input(id="map-share-url", type="text", readOnly=True, className="map-share__input",
                                  value=mv.href(**state)),
                        html.Button("Copy link", id="map-share-copy", type="button", n_clicks=0,
                                    className="button button--secondary map-share__copy",
                                    **{"aria-describedby": "map-share-status"}),
                    ], className="map-share__row"),
                    html.P(id="map-share-status", className="map-share__status", role="status"),
                ]),
            ]),
        ]),
        html.Section(id="map-rank-wrap", className="map-rank", style={"display": "none"},
                     **{"aria-labelledby": "map-rank-heading"}, children=[
            html.H2("Ranked chart", id="map-rank-heading"),
            html.P(id="map-rank-caption", className="map-rank__caption"),
            # the chart is mounted by the browser when a small geography is shown (see _RANK_GRAPH)
            dcc.Store(id="map-rank-spec", data=_RANK_GRAPH.to_plotly_json()),
            html.Div(id="map-rank-slot"),
            html.P(["Table alternative: the ", html.A("ranked table", href="#map-table-heading"),
                    " below lists the same values with their 95% confidence intervals and notes; "
                    "the CSV has them too."], className="hint"),
        ]),
        html.H2("Ranked table", id="map-table-heading"),
        html.P(mv.ONS_CAVEAT, className="notice map-caveat"),
        download_button("map-csv", "Download CSV of the map's values"),
        # the table (and its 600 KB of script) is mounted when it scrolls into view (or gets the
        # keyboard's focus) after the map is drawn: it is below the first screen, and the first
        # view should not wait for it
        dcc.Store(id="map-table-spec", data=_table().to_plotly_json()),
        *deferred("map-table-slot", 120, "The table appears when you scroll to it.", "table-wrap map-table-wrap",
                  role="region", tabIndex="0", **{"aria-labelledby": "map-table-heading"}),
        html.P(["How the classes, benchmarks and geographies work: see the ",
                dcc.Link("data and methods page", href="/data"), ". Back to the ",
                dcc.Link("mission overview", href="/"), "."]),
    ])


# The ranked chart for small geographies (zones, ICBs, regions and nations), drawn in the browser
_RANK_GRAPH = dcc.Graph(id="map-rank-graph", className="map-rank__graph", figure={"data": [], "layout": {}},
                        config={"displaylogo": False, "responsive": True,
                                "modeBarButtonsToRemove": ["select2d", "lasso2d", "zoom2d", "pan2d"],
                                "toImageButtonOptions": {"filename": "wellbeing-ranked"}})


def _table() -> dash_table.DataTable:
    return dash_table.DataTable(
        id="map-table", data=[], page_size=15, sort_action="native", filter_action="native",
        markdown_options={"link_target": "_self"},
        columns=[{"name": "Rank (value order)", "id": "rank"},
                 {"name": "Area", "id": "area", "presentation": "markdown"},
                 {"name": "Code", "id": "code"}, {"name": "Value", "id": "value"},
                 {"name": "95% CI", "id": "ci"}, {"name": "Status or class", "id": "status"},
                 {"name": "Note", "id": "note"}],
        style_table={"overflowX": "auto", "minWidth": "100%"},
        style_cell={"fontFamily": "inherit", "fontSize": "0.95rem", "textAlign": "left",
                    "padding": "6px", "whiteSpace": "normal", "height": "auto", "minWidth": "5.5rem"},
        # wide enough to read on a phone: the table scrolls inside its box instead
        style_cell_conditional=[{"if": {"column_id": c}, "minWidth": w} for c, w in
                                (("area", "9rem"), ("ci", "8rem"), ("status", "12rem"), ("note", "16rem"))],
        style_header={"fontWeight": "bold", "backgroundColor": "#f3f2f1"},
    )


def _legend(v: mv.MapView) -> list:
    items = []
    for e in v.legend:
        row = [html.Span(className="swatch swatch--none" if e.get("none") else "swatch",
                         style={"backgroundColor": e["colour"]}), html.Span(e["label"])]
        if e.get("reasons"):
            row = [html.Div(row, className="legend-list__row"),
                   html.Ul([html.Li(r) for r in e["reasons"]], className="legend-reasons")]
        items.append(html.Li(row, className="legend-list__none" if e.get("none") else None))
    out = [html.H2("Legend", className="map-legend__title"), html.P(v.legend_title, className="map-legend__measure"),
           html.Ul(items, className="legend-list")]
    if v.direction:
        out.append(html.P(v.direction, className="map-legend__direction"))
    return out


@callback(
    Output("map-payload", "data"), Output("map-period", "options"), Output("map-period", "value"),
    Output("map-notes", "children"), Output("map-legend", "children"), Output("map-benchmark-wrap", "style"),
    Output("map-summary", "children"),
    Input("map-metric", "value"), Input("map-period", "value"), Input("map-geography", "value"),
    Input("map-classes", "value"), Input("map-benchmark", "value"), prevent_initial_call=True,
)
@guarded(None, dash.no_update, dash.no_update, error_notice(), [], dash.no_update, "")
def update_map(metric, period, geography, classes, benchmark):
    v = mv.view(metric, period, geography, classes, benchmark)
    bstyle = {} if v.state["classes"] == "benchmark" else {"display": "none"}
    # a period chosen from the list leaves the list and the choice as they are: not re-sending
    # them saves the browser a re-render on every change
    fired = _fired()
    same_period = fired == "map-period" and v.state["period"] == period
    return (v.payload, dash.no_update if same_period else v.period_options,
            dash.no_update if same_period else v.state["period"], [notice(n) for n in v.notes],
            _legend(v) if v.payload else [], bstyle if fired in (None, "map-classes") else dash.no_update,
            v.summary)


def _fired() -> str | None:
    """The control that fired the callback (None on a first load, or when called directly)."""
    try:
        return dash.ctx.triggered_id
    except dash.exceptions.MissingCallbackContextException:
        return None


@callback(Output("map-csv-download", "data"), Input("map-csv", "n_clicks"),
          State("map-metric", "value"), State("map-period", "value"), State("map-geography", "value"),
          State("map-classes", "value"), State("map-benchmark", "value"), prevent_initial_call=True)
@guarded(None)
def download_csv(n, metric, period, geography, classes, benchmark):
    if not n:
        raise dash.exceptions.PreventUpdate
    df = mv.table(metric, period, geography, classes, benchmark)
    name = f"map_{df['metric_id'].iloc[0]}_{df['period'].iloc[0]}_{df['geography'].iloc[0]}.csv".replace("/", "-")
    return dcc.send_data_frame(df.to_csv, name, index=False)


# Drawing, the selected area's card, the ranked table and chart, the address bar and the copy
# button all run in the browser (assets/map.js) from the values payload: no server round trip.
clientside_callback(ClientsideFunction("map", "prefetch"), Output("map-prefetch", "data"),
                    Input("map-geography", "value"), State("map-version", "data"))
clientside_callback(ClientsideFunction("map", "render"), Output("map-graph", "figure"),
                    Input("map-payload", "data"), Input("map-highlight", "data"), State("map-version", "data"))
clientside_callback(ClientsideFunction("map", "details"),
                    Output("map-details", "children"), Output("map-details-hint", "style"),
                    Output("map-clear", "style"),
                    Input("map-highlight", "data"), Input("map-payload", "data"))
clientside_callback(ClientsideFunction("map", "mountTable"), Output("map-table-slot", "children"),
                    Input("map-payload", "data"), seen("map-table-slot"), State("map-table-spec", "data"),
                    State("map-version", "data"))
clientside_callback(ClientsideFunction("map", "table"), Output("map-table", "data"),
                    Input("map-payload", "data"), State("map-version", "data"))
clientside_callback(ClientsideFunction("map", "rankChart"),
                    Output("map-rank-slot", "children"), Output("map-rank-wrap", "style"),
                    Output("map-rank-caption", "children"),
                    Input("map-payload", "data"), State("map-rank-spec", "data"), State("map-version", "data"))
clientside_callback(ClientsideFunction("map", "syncUrl"), Output("map-share-url", "value"),
                    Input("map-metric", "value"), Input("map-period", "value"), Input("map-geography", "value"),
                    Input("map-classes", "value"), Input("map-benchmark", "value"), Input("map-highlight", "data"))
clientside_callback(ClientsideFunction("map", "select"), Output("map-highlight", "data"),
                    Input("map-graph", "clickData"), Input("map-clear", "n_clicks"), prevent_initial_call=True)
clientside_callback(ClientsideFunction("map", "copy"), Output("map-share-status", "children"),
                    Input("map-share-copy", "n_clicks"), State("map-share-url", "value"), prevent_initial_call=True)
