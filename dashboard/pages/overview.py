"""/ : the mission overview. Has well-being improved significantly in every region and nation since
2019, and is the gap between the worst third of local authorities and the rest closing against the
2017-19 baseline? Numbers come from the build's mission tables via `dashboard.analysis.mission_view`.
"""
from __future__ import annotations

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard.analysis import mission_view as mvw
from dashboard.components.common import (chart_with_table, download_button, error_notice, guarded, message, notice,
                                         page_header, table)
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
              "estimates. This dashboard shows the interval beside every estimate and only calls a change "
              "significant when the 95% confidence intervals say so.")
VERDICT_COLOURS = {"significantly improved": BENCHMARK_COLOURS["better"],
                   "significantly worse": BENCHMARK_COLOURS["worse"],
                   "no significant change": "#3D3D3D"}


def _label(text: str, for_id: str) -> html.Label:
    return html.Label(text, htmlFor=for_id, className="control-label")


# ----------------------------------------------------------------------------- static sections
def _basis_box(basis: str) -> html.Section:
    if basis == "shares":
        text = [html.P("These results use ONS's published shares of adults with low life satisfaction, low "
                       "worthwhile, low happiness and high anxiety for every local authority, the mission's own "
                       "headline metrics.")]
    else:
        text = [html.P(["These results use ", html.Strong("published mean scores"), " (0 to 10, with 95% "
                        "confidence intervals), because ONS's low-wellbeing shares for every local authority are "
                        "not in this data: the shares here cover London boroughs, regions, nations and the UK up "
                        "to 2018-19 only. ONS publishes the shares for every local authority in its ",
                        html.A("personal well-being dataset", target="_blank", rel="noopener",
                               href=(catalogue.metric(catalogue.share_ids()[0]) or {}).get("publisher_url")
                               if catalogue.share_ids() else None),
                        "."])]
    return html.Section(className="ov-basis", **{"aria-labelledby": "ov-basis-heading"}, children=[
        html.H2("Basis of these results", id="ov-basis-heading"), *text,
        html.P([html.Strong("Ranking local estimates: "), ONS_CAVEAT]),
        html.P(["Baselines: 2019 means the financial year 2018-19 (April 2018 to March 2019) for change in "
                "regions and nations; the gap is compared with the average of 2016-17 to 2018-19 (the "
                "\u201c2017-19\u201d baseline). Method details: ", dcc.Link("data and methods", href="/data"), "."]),
    ])


def _headline_section() -> html.Section:
    v = mvw.headline_view()
    hl = v["table"]
    if hl.empty:
        return html.Section([html.H2("Headline measures for the UK"),
                             message("The UK headline measures are not in this data.", "warning")])
    cards = []
    for r in hl.itertuples():
        d = int(r.decimals)
        vclass = {"significantly worse": "worse", "significantly improved": "better"}.get(r.verdict, "same")
        cards.append(html.Div(className="ov-card", children=[
            html.H3(r.measure),
            html.P(number(r.value, d, r.unit), className="ov-card__value"),
            html.P(f"{r.period}, UK, {r.unit} ({vocab.label('polarity', r.polarity).lower()}); 95% CI "
                   f"{interval(r.lower, r.upper, d)}", className="ov-card__ci"),
            html.P(f"Baseline {r.baseline_period}: {number(r.baseline_value, d, r.unit)} "
                   f"(95% CI {interval(r.baseline_lower, r.baseline_upper, d)})", className="ov-card__base"),
            html.P(f"Change {signed(r.change, d)} (95% CI {interval(r.change_lower, r.change_upper, d, sign=True)})",
                   className="ov-card__base"),
            html.Span(f"{mvw.VERDICT_ARROWS.get(r.verdict, '')} {str(r.verdict).capitalize()}",
                      className=f"ov-verdict ov-verdict--{vclass}"),
        ]))
    tbl = hl.drop(columns=["polarity", "decimals"]).round(3)
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
        html.Details([html.Summary("Show the headline measures as a table"),
                      table(tbl, "ov-headline-table", "UK headline measures: latest and baseline with 95% CIs",
                            sort=False)], className="chart-table"),
        download_button("ov-headline-csv", "Download headline measures (CSV)"),
        *share_part,
    ])


def _gap_section(gap_metric: str) -> html.Section:
    opts = mvw.gap_options()
    if not opts:
        return html.Section([html.H2("Is the gap closing?"), message("The gap is not in this data.", "warning")])
    return html.Section(className="ov-section", **{"aria-labelledby": "ov-gap-heading"}, children=[
        html.H2("Is the gap between the worst third and the rest closing?", id="ov-gap-heading"),
        html.P("Local authorities are ranked on their worst-performing headline measure (each measure's "
               "percentile rank across authorities); the gap is the difference between the worst third and the "
               "rest. The overall gap is in baseline standard deviations so the four measures share one scale; "
               "its 95% interval comes from 1,000 simulations over the published confidence intervals."),
        html.Div(id="ov-gap-verdict", className="ov-gap-verdict", **{"aria-live": "polite"}),
        html.Div(className="ov-controls", children=[
            _label("Show the gap for", "ov-gap-metric"),
            dcc.RadioItems(id="ov-gap-metric", options=opts, value=gap_metric, inline=True, className="radios"),
        ]),
        chart_with_table(
            dcc.Loading(dcc.Graph(id="ov-gap-graph", config={"displaylogo": False}), type="default"),
            table(pd.DataFrame(), "ov-gap-table", "Gap tracker by period, with the 2017-19 baseline"),
            "Line chart of the gap between the worst third of local authorities and the rest, by year, "
            "with its 95% interval and the 2017-19 baseline as a reference line.", "ov-gap"),
        download_button("ov-gap-csv", "Download the gap tracker (CSV)"),
    ])


def _scorecard_section(period: str, metric: str) -> html.Section:
    pers = mvw.periods(mission.regions())
    if not pers:
        return html.Section([html.H2("Regions and nations"), message("Not in this data.", "warning")])
    return html.Section(className="ov-section", **{"aria-labelledby": "ov-score-heading"}, children=[
        html.H2("Has well-being improved in every region and nation since 2019?", id="ov-score-heading"),
        html.P("Change in each headline measure since the 2019 baseline (financial year 2018-19), with its 95% "
               "confidence interval. \u2714 significantly improved, \u2716 significantly worse, \u2013 no "
               "significant change; the arrow shows the direction of the change in the score (for anxiety, "
               "up is worse)."),
        html.Div(className="controls", children=[
            html.Div([_label("Year compared with 2018-19", "ov-period"),
                      dcc.Dropdown(id="ov-period", value=period, clearable=False, searchable=False,
                                   options=[{"label": p, "value": p} for p in reversed(pers)])],
                     className="control"),
        ]),
        html.P(id="ov-score-counts", className="lead", **{"aria-live": "polite"}),
        html.Div(id="ov-scorecard"),
        download_button("ov-score-csv", "Download the scorecard (CSV)"),
        html.H3("Change since 2019 with confidence intervals", id="ov-change-heading"),
        html.Div(className="controls", children=[
            html.Div([_label("Measure", "ov-metric"),
                      dcc.Dropdown(id="ov-metric", value=metric, clearable=False, searchable=False,
                                   options=mvw.metric_options())], className="control"),
        ]),
        chart_with_table(
            dcc.Loading(dcc.Graph(id="ov-change-graph", config={"displaylogo": False}), type="default"),
            table(pd.DataFrame(), "ov-change-table", "Change since 2019 by region and nation, with 95% CIs"),
            "Chart of the change since 2019 for each region and nation, each with its 95% confidence interval "
            "and a text label of the significance verdict.", "ov-change"),
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


# ----------------------------------------------------------------------------- figures
def _gap_figure(v: dict) -> go.Figure:
    s, base, metric = v["series"], v["baseline"], v["metric"]
    fig = go.Figure()
    x = s["period"].tolist()
    if metric == "overall":
        fig.add_trace(go.Scatter(x=x + x[::-1], y=s["gap_upper"].tolist() + s["gap_lower"].tolist()[::-1],
                                 fill="toself", fillcolor="rgba(18,67,109,0.18)", line={"width": 0},
                                 hoverinfo="skip", name="95% interval"))
        fig.add_trace(go.Scatter(x=x, y=s["gap"], mode="lines+markers", name="Gap (baseline SDs)",
                                 line={"color": AF_CATEGORICAL[0], "width": 3},
                                 customdata=s[["gap_lower", "gap_upper", "verdict"]].to_numpy(),
                                 hovertemplate="%{x}: gap %{y:.2f} SD<br>95% interval %{customdata[0]:.2f} to "
                                               "%{customdata[1]:.2f}<br>%{customdata[2]}<extra></extra>"))
        if base is not None:
            fig.add_hline(y=float(base["gap"]), line={"color": AF_CATEGORICAL[3], "dash": "dash", "width": 2},
                          annotation_text=f"2017-19 baseline {base['gap']:.2f} SD", annotation_position="top left")
        fig.update_yaxes(title="Gap, worst third vs rest (baseline SDs)")
    else:
        fig.add_trace(go.Scatter(x=x, y=s["worst_third_mean"], mode="lines+markers", name="Worst third (mean)",
                                 line={"color": AF_CATEGORICAL[2], "width": 3}, marker={"symbol": "square"},
                                 hovertemplate="%{x}: worst third %{y:.2f}<extra></extra>"))
        fig.add_trace(go.Scatter(x=x, y=s["rest_mean"], mode="lines+markers", name="The rest (mean)",
                                 line={"color": AF_CATEGORICAL[0], "width": 3},
                                 hovertemplate="%{x}: the rest %{y:.2f}<extra></extra>"))
        if base is not None:
            for col, colour, lab in (("worst_third_mean", AF_CATEGORICAL[2], "worst third"),
                                     ("rest_mean", AF_CATEGORICAL[0], "the rest")):
                fig.add_hline(y=float(base[col]), line={"color": colour, "dash": "dot", "width": 1.5},
                              annotation_text=f"2017-19 baseline, {lab}: {base[col]:.2f}",
                              annotation_position="bottom right" if lab == "worst third" else "top right")
        fig.update_yaxes(title=v["title"])
    fig.update_layout(height=420, margin={"l": 60, "r": 20, "t": 30, "b": 40}, template="simple_white",
                      legend={"orientation": "h", "y": -0.15}, hovermode="x unified",
                      font={"family": "Helvetica Neue, Arial, sans-serif", "size": 14})
    fig.update_xaxes(title="Financial year", type="category")
    return fig


def _change_figure(cf: pd.DataFrame, title: str) -> go.Figure:
    fig = go.Figure()
    cf = cf.iloc[::-1]  # UK at the top
    for verdict, colour in VERDICT_COLOURS.items():
        d = cf[cf["verdict"] == verdict]
        if d.empty:
            continue
        fig.add_trace(go.Scatter(
            x=d["change"], y=d["area_name"], mode="markers", name=verdict.capitalize(),
            marker={"color": colour, "size": 11, "symbol": {"significantly improved": "triangle-up",
                                                               "significantly worse": "x",
                                                               "no significant change": "circle"}[verdict]},
            error_x={"type": "data", "symmetric": False, "array": d["change_upper"] - d["change"],
                     "arrayminus": d["change"] - d["change_lower"], "color": colour, "thickness": 2},
            customdata=d[["change_lower", "change_upper", "verdict"]].to_numpy(),
            hovertemplate="%{y}: change %{x:+.2f}<br>95% CI %{customdata[0]:+.2f} to %{customdata[1]:+.2f}"
                          "<br>%{customdata[2]}<extra></extra>"))
    other = cf[~cf["verdict"].isin(VERDICT_COLOURS)]
    if not other.empty:
        fig.add_trace(go.Scatter(x=other["change"], y=other["area_name"], mode="markers", name="Not assessed",
                                 marker={"color": "#BFC1C3", "size": 10}))
    fig.add_vline(x=0, line={"color": "#0b0c0c", "width": 1})
    fig.update_layout(height=max(360, 34 * len(cf) + 80), margin={"l": 190, "r": 20, "t": 30, "b": 40},
                      template="simple_white", legend={"orientation": "h", "y": -0.08},
                      font={"family": "Helvetica Neue, Arial, sans-serif", "size": 14})
    fig.update_xaxes(title=f"Change in {title.lower()} since 2018-19 (score points, 95% CI)", zeroline=False)
    fig.update_yaxes(categoryorder="array", categoryarray=cf["area_name"].tolist())
    return fig


def _columns(df: pd.DataFrame) -> list[dict]:
    return [{"name": c.replace("_", " "), "id": c} for c in df.columns]


# ----------------------------------------------------------------------------- callbacks
@callback(Output("ov-gap-graph", "figure"), Output("ov-gap-table", "data"), Output("ov-gap-table", "columns"),
          Output("ov-gap-verdict", "children"), Output("ov-gap-verdict", "className"),
          Input("ov-gap-metric", "value"))
@guarded({}, [], [], error_notice(), "ov-gap-verdict")
def update_gap(metric):
    v = mvw.gap_view(metric)
    cls = {"widened": "ov-gap-verdict", "narrowed": "ov-gap-verdict ov-gap-verdict--better"}.get(
        v["verdict"]["verdict"], "ov-gap-verdict ov-gap-verdict--same")
    return _gap_figure(v), v["table"].to_dict("records"), _columns(v["table"]), v["sentence"], cls


@callback(Output("ov-scorecard", "children"), Output("ov-score-counts", "children"), Input("ov-period", "value"))
@guarded(error_notice(), "")
def update_scorecard(period):
    v = mvw.scorecard_view(period)
    view = v["table"].drop(columns=["area_code"]).rename(columns={"area": "Area"})
    tbl = table(view, "ov-scorecard-table", f"Change since 2018-19 in {v['period']}, by region and nation "
                "(verdict: change in score points, 95% CI)", page_size=20, sort=False)
    dt = tbl.children[1]
    styles = []
    for col in view.columns[1:]:
        styles += [
            {"if": {"column_id": col, "filter_query": f'{{{col}}} contains "worse"'},
             "backgroundColor": "#f6e8ef", "color": "#5c0f3a"},
            {"if": {"column_id": col, "filter_query": f'{{{col}}} contains "improved"'},
             "backgroundColor": "#e5f4f2", "color": "#0b4f49"},
        ]
    styles.append({"if": {"filter_query": f'{{Area}} = "{vocab.uk()["name"]}"'}, "fontWeight": "bold"})
    dt.style_data_conditional = styles
    dt.style_cell_conditional = [{"if": {"column_id": "Area"}, "minWidth": "160px", "fontWeight": "bold"}]
    return tbl, v["text"]


@callback(Output("ov-change-graph", "figure"), Output("ov-change-table", "data"),
          Output("ov-change-table", "columns"), Input("ov-metric", "value"), Input("ov-period", "value"))
@guarded({}, [], [])
def update_change(metric, period):
    v = mvw.change_view(metric, period)
    t = v["frame"].round(3)
    return _change_figure(v["frame"], f"{v['title']}, {v['period']}"), t.to_dict("records"), _columns(t)


@callback(Output("ov-headline-csv-download", "data"), Input("ov-headline-csv", "n_clicks"), prevent_initial_call=True)
@guarded(None)
def dl_headline(n):
    return dcc.send_data_frame(mvw.headline_view()["table"].to_csv, "uk_headline_measures.csv", index=False)


@callback(Output("ov-gap-csv-download", "data"), Input("ov-gap-csv", "n_clicks"), State("ov-gap-metric", "value"),
          prevent_initial_call=True)
@guarded(None)
def dl_gap(n, metric):
    v = mvw.gap_view(metric)
    return dcc.send_data_frame(v["table"].to_csv, f"mission_gap_{v['metric']}.csv", index=False)


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
    v = mvw.change_view(metric, period)
    return dcc.send_data_frame(v["frame"].to_csv, f"change_since_2019_{metric}_{v['period']}.csv", index=False)


clientside_callback(ClientsideFunction("overview", "syncUrl"), Output("ov-url-sync", "data"),
                    Input("ov-gap-metric", "value"), Input("ov-period", "value"), Input("ov-metric", "value"))
