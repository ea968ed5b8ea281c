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
from dashboard.components.common import (AF_CATEGORICAL, BENCHMARK_COLOURS, chart_with_table, download_button,
                                         error_notice, message, page_header, safe, table)
from dashboard.data import store

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


def _data():
    st = store()
    return st.frame("mission_regions"), st.frame("mission_gap"), st.metrics, st.observations, st.manifest


def _titles(metrics: pd.DataFrame) -> dict:
    return mvw._titles(metrics)


def _label(text: str, for_id: str) -> html.Label:
    return html.Label(text, htmlFor=for_id, className="control-label")


# ----------------------------------------------------------------------------- static sections
def _basis_box(basis: str) -> html.Section:
    if basis == "shares":
        text = [html.P("These results use ONS's published shares of adults with low life satisfaction, low "
                       "worthwhile, low happiness and high anxiety for every local authority, the mission's own "
                       "headline metrics.")]
    else:
        text = [
            html.P(["These results use ", html.Strong("published mean scores"), " (0 to 10, with 95% confidence "
                    "intervals), because ONS's low-wellbeing shares for every local authority are not in this "
                    "data snapshot. The bundled shares cover London boroughs, regions, nations and the UK up to "
                    "2018-19 only."]),
            html.P(["Run ", html.Code("python -m etl fetch"), " and then ", html.Code("python -m etl build"),
                    " on a machine with internet access to download ONS's full local-authority shares; the "
                    "mission measures are then recomputed on shares automatically."]),
        ]
    return html.Section(className="ov-basis", **{"aria-labelledby": "ov-basis-heading"}, children=[
        html.H2("Basis of these results", id="ov-basis-heading"), *text,
        html.P([html.Strong("Ranking local estimates: "), ONS_CAVEAT]),
        html.P(["Baselines: 2019 means the financial year 2018-19 (April 2018 to March 2019) for change in "
                "regions and nations; the gap is compared with the average of 2016-17 to 2018-19 (the "
                "\u201c2017-19\u201d baseline). Method details: ", dcc.Link("data and methods", href="/data"), "."]),
    ])


def _headline_section(regions, metrics, observations) -> html.Section:
    hl = mvw.headline_uk(regions, metrics)
    if hl.empty:
        return html.Section([html.H2("Headline measures for the UK"),
                             message("The UK headline measures are not in this build.", "warning")])
    cards = []
    for r in hl.itertuples():
        d = int(r.decimals)
        vclass = {"significantly worse": "worse", "significantly improved": "better"}.get(r.verdict, "same")
        better = "higher is better" if r.polarity == "higher_better" else "lower is better"
        cards.append(html.Div(className="ov-card", children=[
            html.H3(r.measure),
            html.P(f"{mvw.plain(r.value, d)}", className="ov-card__value"),
            html.P(f"{r.period}, UK, score 0-10 ({better}); 95% CI {mvw.interval(r.lower, r.upper, d)}",
                   className="ov-card__ci"),
            html.P(f"Baseline {r.baseline_period}: {mvw.plain(r.baseline_value, d)} "
                   f"(95% CI {mvw.interval(r.baseline_lower, r.baseline_upper, d)})", className="ov-card__base"),
            html.P(f"Change {mvw.signed(r.change, d)} (95% CI {mvw.interval(r.change_lower, r.change_upper, d, True)})",
                   className="ov-card__base"),
            html.Span(f"{mvw.VERDICT_ARROWS.get(r.verdict, '')} {str(r.verdict).capitalize()}",
                      className=f"ov-verdict ov-verdict--{vclass}"),
        ]))
    tbl = hl.drop(columns=["polarity", "decimals"]).round(3)
    shares = mvw.uk_shares(observations, metrics)
    share_part = []
    if not shares.empty:
        latest = shares[shares["period"] == shares["period"].max()]
        items = [html.Li(f"{r.measure}: {mvw.plain(r.value_pct, 1)}%") for r in latest.itertuples()]
        share_part = [
            html.H3("Published low-wellbeing shares, UK"),
            html.P(f"The mission's own headline metrics are the shares of adults with low well-being. This data "
                   f"snapshot has them for the UK up to {latest['period'].iloc[0]} (no confidence intervals "
                   f"published in the bundled compilation, so no significance test is possible):"),
            html.Ul(items),
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


def _gap_section(gap, metrics, gap_metric: str) -> html.Section:
    titles = _titles(metrics)
    opts = [{"label": "Overall (worst-performing measure)" if m == "overall" else titles.get(m, m), "value": m}
            for m in mvw.gap_metrics(gap)]
    if not opts:
        return html.Section([html.H2("Is the gap closing?"), message("The gap is not in this build.", "warning")])
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


def _scorecard_section(regions, metrics, period: str, metric: str) -> html.Section:
    if regions is None or regions.empty:
        return html.Section([html.H2("Regions and nations"), message("Not in this build.", "warning")])
    titles = _titles(metrics)
    metric_opts = [{"label": titles.get(m, m), "value": m} for m in mvw.HEADLINE_MEANS + mvw.HEADLINE_SHARES
                   if m in set(regions["metric_id"])]
    return html.Section(className="ov-section", **{"aria-labelledby": "ov-score-heading"}, children=[
        html.H2("Has well-being improved in every region and nation since 2019?", id="ov-score-heading"),
        html.P("Change in each headline measure since the 2019 baseline (financial year 2018-19), with its 95% "
               "confidence interval. \u2714 significantly improved, \u2716 significantly worse, \u2013 no "
               "significant change; the arrow shows the direction of the change in the score (for anxiety, "
               "up is worse)."),
        html.Div(className="controls", children=[
            html.Div([_label("Year compared with 2018-19", "ov-period"),
                      dcc.Dropdown(id="ov-period", value=period, clearable=False, searchable=False,
                                   options=[{"label": p, "value": p} for p in reversed(mvw.periods(regions))])],
                     className="control"),
        ]),
        html.P(id="ov-score-counts", className="lead", **{"aria-live": "polite"}),
        html.Div(id="ov-scorecard"),
        download_button("ov-score-csv", "Download the scorecard (CSV)"),
        html.H3("Change since 2019 with confidence intervals", id="ov-change-heading"),
        html.Div(className="controls", children=[
            html.Div([_label("Measure", "ov-metric"),
                      dcc.Dropdown(id="ov-metric", value=metric, clearable=False, searchable=False,
                                   options=metric_opts)], className="control"),
        ]),
        chart_with_table(
            dcc.Loading(dcc.Graph(id="ov-change-graph", config={"displaylogo": False}), type="default"),
            table(pd.DataFrame(), "ov-change-table", "Change since 2019 by region and nation, with 95% CIs"),
            "Chart of the change since 2019 for each region and nation, each with its 95% confidence interval "
            "and a text label of the significance verdict.", "ov-change"),
        download_button("ov-change-csv", "Download the change chart's data (CSV)"),
    ])


def layout(gap: str | None = None, period: str | None = None, metric: str | None = None, **_other):
    try:
        regions, gapdf, metrics, observations, manifest = _data()
        notes = []
        gap_ids = mvw.gap_metrics(gapdf)
        if gap and gap not in gap_ids:
            notes.append(message(f"'{gap}' is not one of the gap measures; showing the overall gap.", "warning"))
            gap = None
        gap = gap or ("overall" if "overall" in gap_ids else (gap_ids[0] if gap_ids else "overall"))
        pers = mvw.periods(regions)
        if period and period not in pers:
            notes.append(message(f"'{period}' is not a year in the regional comparison; showing the latest year.",
                                 "warning"))
            period = None
        period = period or (pers[-1] if pers else None)
        mids = set(regions["metric_id"]) if not regions.empty else set()
        if metric and metric not in mids:
            notes.append(message(f"'{metric}' is not a headline measure here; showing life satisfaction.", "warning"))
            metric = None
        metric = metric or ("mean_life_satisfaction" if "mean_life_satisfaction" in mids
                            else (sorted(mids)[0] if mids else None))
        basis = mvw.basis(gapdf, manifest)
        return html.Div(className="ov-page", children=[
            page_header("Well-being mission overview",
                        f"The mission: \u201c{MISSION}\u201d This page tracks it with the Office for National "
                        "Statistics' personal well-being estimates (Annual Population Survey, adults 16+)."),
            *notes,
            dcc.Store(id="ov-url-sync"),
            html.Div(className="ov-links", children=[
                dcc.Link("Explore the map", href="/map", className="button"),
                dcc.Link("Find your local authority", href="/map?geography=ltla", className="button button--secondary"),
                dcc.Link("Data and methods", href="/data", className="button button--secondary"),
            ]),
            _basis_box(basis),
            _headline_section(regions, metrics, observations),
            _gap_section(gapdf, metrics, gap),
            _scorecard_section(regions, metrics, period, metric),
            html.P(["Built ", manifest.get("built_at", "(unknown)"), ". Sources and methods: ",
                    dcc.Link("data and methods page", href="/data"), "."], className="muted"),
        ])
    except Exception:  # noqa: BLE001
        import logging
        logging.getLogger("dashboard").exception("overview layout failed")
        return html.Div([page_header("Well-being mission overview"), error_notice()])


# ----------------------------------------------------------------------------- figures
def _gap_figure(gapdf: pd.DataFrame, metric: str, titles: dict) -> go.Figure:
    s = mvw.gap_series(gapdf, metric)
    base = mvw.gap_baseline(gapdf, metric)
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
        fig.update_yaxes(title=f"{titles.get(metric, metric)} (mean score 0-10)")
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
@safe({}, [], [], error_notice(), "ov-gap-verdict")
def update_gap(metric):
    _, gapdf, metrics, _, _ = _data()
    titles = _titles(metrics)
    metric = metric if metric in mvw.gap_metrics(gapdf) else "overall"
    v = mvw.gap_verdict(gapdf, metric)
    cls = {"widened": "ov-gap-verdict", "narrowed": "ov-gap-verdict ov-gap-verdict--better"}.get(
        v["verdict"], "ov-gap-verdict ov-gap-verdict--same")
    label = "Overall" if metric == "overall" else titles.get(metric, metric)
    t = mvw.gap_table(gapdf, metric, titles)
    return _gap_figure(gapdf, metric, titles), t.to_dict("records"), _columns(t), f"{label}: {v['sentence']}", cls


@callback(Output("ov-scorecard", "children"), Output("ov-score-counts", "children"), Input("ov-period", "value"))
@safe(error_notice(), "")
def update_scorecard(period):
    regions, _, metrics, _, _ = _data()
    period = period if period in mvw.periods(regions) else mvw.latest_period(regions)
    sc = mvw.scorecard(regions, metrics, period)
    counts = mvw.verdict_counts(regions, period)
    n = sum(counts.values())
    text = (f"{period} against 2018-19, across {len(sc) - 1} regions and nations and {len(sc.columns) - 2} "
            f"measures ({n} comparisons): {counts.get('significantly improved', 0)} significantly improved, "
            f"{counts.get('no significant change', 0)} no significant change, "
            f"{counts.get('significantly worse', 0)} significantly worse.")
    view = sc.drop(columns=["area_code"]).rename(columns={"area": "Area"})
    tbl = table(view, "ov-scorecard-table", f"Change since 2018-19 in {period}, by region and nation "
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
    styles.append({"if": {"filter_query": '{Area} = "United Kingdom"'}, "fontWeight": "bold"})
    dt.style_data_conditional = styles
    dt.style_cell_conditional = [{"if": {"column_id": "Area"}, "minWidth": "160px", "fontWeight": "bold"}]
    return tbl, text


@callback(Output("ov-change-graph", "figure"), Output("ov-change-table", "data"),
          Output("ov-change-table", "columns"), Input("ov-metric", "value"), Input("ov-period", "value"))
@safe({}, [], [])
def update_change(metric, period):
    regions, _, metrics, _, _ = _data()
    period = period if period in mvw.periods(regions) else mvw.latest_period(regions)
    cf = mvw.change_frame(regions, metric, period)
    title = _titles(metrics).get(metric, metric)
    t = cf.round(3)
    return _change_figure(cf, f"{title}, {period}"), t.to_dict("records"), _columns(t)


@callback(Output("ov-headline-csv-download", "data"), Input("ov-headline-csv", "n_clicks"), prevent_initial_call=True)
@safe(None)
def dl_headline(n):
    regions, _, metrics, _, _ = _data()
    return dcc.send_data_frame(mvw.headline_uk(regions, metrics).to_csv, "uk_headline_measures.csv", index=False)


@callback(Output("ov-gap-csv-download", "data"), Input("ov-gap-csv", "n_clicks"), State("ov-gap-metric", "value"),
          prevent_initial_call=True)
@safe(None)
def dl_gap(n, metric):
    _, gapdf, metrics, _, _ = _data()
    return dcc.send_data_frame(mvw.gap_table(gapdf, metric, _titles(metrics)).to_csv, f"mission_gap_{metric}.csv",
                               index=False)


@callback(Output("ov-score-csv-download", "data"), Input("ov-score-csv", "n_clicks"), State("ov-period", "value"),
          prevent_initial_call=True)
@safe(None)
def dl_score(n, period):
    regions, _, metrics, _, _ = _data()
    return dcc.send_data_frame(mvw.scorecard_long(regions, metrics, period).to_csv,
                               f"regions_change_since_2019_{period}.csv", index=False)


@callback(Output("ov-change-csv-download", "data"), Input("ov-change-csv", "n_clicks"), State("ov-metric", "value"),
          State("ov-period", "value"), prevent_initial_call=True)
@safe(None)
def dl_change(n, metric, period):
    regions, _, _, _, _ = _data()
    return dcc.send_data_frame(mvw.change_frame(regions, metric, period).to_csv,
                               f"change_since_2019_{metric}_{period}.csv", index=False)


clientside_callback(ClientsideFunction("overview", "syncUrl"), Output("ov-url-sync", "data"),
                    Input("ov-gap-metric", "value"), Input("ov-period", "value"), Input("ov-metric", "value"))
