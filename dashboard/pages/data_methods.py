"""Data and methods: /data : catalogue, methods in plain English, freshness, downloads, accessibility."""
from __future__ import annotations

import os

import dash
import pandas as pd
from dash import dash_table, dcc, html

from dashboard.analysis import methods_text
from dashboard.analysis import mission_view
from dashboard.components.common import guarded, message, page_header
from dashboard.queries import build, catalogue, observations
from dashboard.queries import vocabulary as vocab

dash.register_page(__name__, path="/data", title="Data and methods")

def catalogue_frame(metrics: pd.DataFrame) -> pd.DataFrame:
    """The catalogue as shown (and the order used): one row per metric."""
    if metrics.empty:
        return pd.DataFrame()
    m = metrics.sort_values("sort")

    def periods(r):
        if isinstance(r.get("first_period"), str) and r["first_period"]:
            return r["first_period"] if r["first_period"] == r.get("latest_period") else f"{r['first_period']} to {r['latest_period']}"
        return "none in this data"

    rows = []
    for r in m.to_dict("records"):
        url = r.get("publisher_url") or ""
        rows.append({
            "Metric": r.get("short_title") or r.get("title"), "Type": vocab.label("kind", r.get("kind")),
            "Publisher": r.get("publisher"),
            "Geography": (vocab.geography(r.get("native_geography")) or vocab.geography("ltla")).short,
            "Periods in this data": periods(r), "Unit": r.get("unit"),
            "Polarity": vocab.label("polarity", r.get("polarity")),
            "CI published": "Yes" if r.get("has_ci") else "No",
            "Status": vocab.label("availability", r.get("status")),
            "Licence": r.get("licence"), "Link": f"[Publisher]({url})" if url else "",
        })
    return pd.DataFrame(rows)


def _catalogue_table(df: pd.DataFrame) -> html.Div:
    cols = [{"name": c, "id": c, "presentation": "markdown"} if c == "Link" else {"name": c, "id": c} for c in df.columns]
    return html.Div([
        html.P(f"The metrics catalogue: {len(df)} metrics", className="table-caption", id="data-catalogue-caption"),
        dash_table.DataTable(
            id="data-catalogue", data=df.to_dict("records"), columns=cols, page_size=50, sort_action="native",
            filter_action="native", markdown_options={"link_target": "_blank"}, style_table={"overflowX": "auto"},
            style_cell={"fontFamily": "inherit", "fontSize": "0.9rem", "textAlign": "left", "padding": "6px",
                        "whiteSpace": "normal", "height": "auto", "minWidth": "90px", "maxWidth": "320px"},
            style_header={"fontWeight": "bold", "backgroundColor": "#f3f2f1"},
            style_data_conditional=[
                {"if": {"filter_query": '{Status} = "Paused by the publisher"', "column_id": "Status"}, "fontWeight": "bold"},
                {"if": {"filter_query": '{Status} = "Not yet published"', "column_id": "Status"}, "fontStyle": "italic"},
            ],
        ),
    ], className="table-wrap", role="region", **{"aria-labelledby": "data-catalogue-caption"})


def methods() -> html.Div:
    """The methods text, one section per heading of the methods file."""
    return html.Div([html.H2("Methods", id="methods")] + [
        html.Section([html.H3(s["title"], id=s["anchor"]), dcc.Markdown(s["body"], link_target="_self")],
                     className="methods-section") for s in methods_text.sections()], className="methods")


def _small_table(df: pd.DataFrame, table_id: str, caption: str) -> html.Div:
    return html.Div([
        html.P(caption, className="table-caption", id=f"{table_id}-caption"),
        dash_table.DataTable(id=table_id, data=df.to_dict("records"), columns=[{"name": c, "id": c} for c in df.columns],
                             page_size=20, style_table={"overflowX": "auto"},
                             style_cell={"fontFamily": "inherit", "fontSize": "0.9rem", "textAlign": "left",
                                         "padding": "6px", "whiteSpace": "normal", "height": "auto", "minWidth": "90px"},
                             style_header={"fontWeight": "bold", "backgroundColor": "#f3f2f1"}),
    ], className="table-wrap", role="region", **{"aria-labelledby": f"{table_id}-caption"})


def model_diagnostics() -> html.Div:
    """The small-area model behind the adjusted figures, per measure and year."""
    v = mission_view.model_view()
    if v["reliability"].empty:
        return html.Div([html.H3("Model diagnostics", id="model-diagnostics"),
                         message("The small-area model is not in this data.")])
    corr = (f" The four measures' sampling errors are assumed to be correlated {v['correlation']:.1f} "
            "(see “Correlated sampling errors” above).") if v["correlation"] is not None else ""
    return html.Div([
        html.H3("Model diagnostics", id="model-diagnostics"),
        html.P("How much of the differences between local authorities' published estimates the small-area model "
               "treats as real. An area's reliability is the between-area variance divided by that variance plus "
               "the area's sampling variance: near 1, its estimate is kept almost as published; near 0, it is "
               "pulled almost all the way to its region's mean. Reliabilities are lower when the estimates are "
               "noisier." + corr),
        _small_table(v["reliability"], "data-model-reliability",
                     "Median reliability of the local authorities' estimates (10th to 90th percentile across areas), "
                     "by measure and year"),
        _small_table(v["variance"], "data-model-variance",
                     "Between-area variance of the true values (its standard error in brackets), by measure and year, "
                     + ("in score points squared" if v["scales"] == ["identity"] else
                        "on the scale each measure was modelled on (the arcsine square root of a share)")),
        html.P(["The same figures, with the median standard error of the published estimates: ",
                html.A("model diagnostics, CSV", href="/api/v1/mission/model?format=csv"), " (or ",
                html.A("JSON", href="/api/v1/mission/model"), ")."], className="hint"),
    ], className="methods-section")


def accessibility() -> html.Div:
    url = os.environ.get("WELLBEING_ISSUES_URL", "").strip()
    contact = (html.A("the project's issue tracker", href=url) if url else
               "the project's issue tracker (the Issues page of the repository this service is published from)")
    return html.Div([
        html.H2("Accessibility statement", id="accessibility"),
        html.P("We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. In particular:"),
        html.Ul([html.Li("every chart has a text summary, a table alternative and a CSV download;"),
                 html.Li("colour is never the only way meaning is shown: comparisons carry text labels (Better, "
                         "Similar, Worse, Not compared) and marker shapes; palettes are the Analysis Function's "
                         "accessible palettes;"),
                 html.Li("every control has a visible label and can be used with a keyboard; pages have a skip link "
                         "and headings in order;"),
                 html.Li("every view can be shared or bookmarked: the choices are kept in the address.")]),
        html.H3("Known limitations"),
        html.Ul([html.Li("Interactive charts (zoom, hover) rely on a pointer; the same information is in the tables."),
                 html.Li("Maps are hard to use with a screen reader; use the area search and tables instead."),
                 html.Li("Some data tables are wide and scroll horizontally on small screens.")]),
        html.P(["If you find a problem or need the information in another format, please tell us through ", contact,
                ". We aim to respond within 10 working days."]),
    ])


@guarded(page="Data and methods")
def layout(**_q):
    man = build.current().manifest
    cat = catalogue_frame(catalogue.metrics())
    built = str(man.get("built_at", "unknown"))
    n_obs = man.get("observations", len(observations.table()))
    counts = cat["Status"].value_counts().to_dict() if not cat.empty else {}
    fresh = cat[["Metric", "Publisher", "Periods in this data", "Status"]] if not cat.empty else pd.DataFrame()
    return html.Div([
        page_header("Data and methods", "Where every number comes from, how the mission's measures are calculated, "
                                        "and the whole dataset to download."),
        html.Nav(html.Ul([html.Li(html.A(t, href=f"#{a}")) for t, a in
                          [("Downloads and data API", "downloads"), ("Data freshness", "freshness"),
                           ("Catalogue", "catalogue"), ("Methods", "methods"),
                           ("Accessibility statement", "accessibility")]]),
                 **{"aria-label": "On this page"}, className="on-this-page"),
        html.H2("Downloads and data API", id="downloads"),
        html.Ul([
            html.Li([html.A("All observations (tidy long table), CSV", href="/download/observations.csv"),
                     f": every metric, area and period as published ({n_obs:,} rows)."]),
            html.Li([html.A("All observations, Parquet", href="/download/observations.parquet"), ": the same table, "
                     "smaller and typed."]),
            html.Li([html.A("Local-authority view, CSV", href="/download/la_view.csv"), ": every metric expressed on "
                     "current local authorities, with the geography each value was published for."]),
            html.Li([html.A("Metrics catalogue, CSV", href="/download/metrics.csv")]),
            html.Li("One area's profile: use the download link on its profile page."),
        ], className="downloads-list"),
        html.P(["The same data are served by a public data API, as JSON or CSV: ",
                html.A("metrics", href="/api/v1/metrics"), ", ", html.A("areas", href="/api/v1/areas"), ", ",
                html.A("observations", href="/api/v1/observations?metric=mean_life_satisfaction&geography=region"),
                " (filter by metric, geography, period and area) and ",
                html.A("the mission's gap", href="/api/v1/mission/gap"), "; add format=csv for CSV. Its description "
                "(OpenAPI) is at ", html.A("/api/v1/openapi.json", href="/api/v1/openapi.json"), "."]),
        html.P("Columns: metric_id, area_code, area_name, geography, period, period_start, period_end, value, lower "
               "and upper (95% confidence interval, blank when not published), status (" +
               ", ".join(vocab.labels().get("status", {})) + "), derived (true when derived from predecessor "
               "councils), note and source_file.", className="hint"),
        html.H2("Data freshness", id="freshness"),
        html.P([f"This data was built at {built.replace('T', ' ')[:19]} UTC from snapshots of published files "
                f"({len(man.get('inputs', {}))} input files, each with a SHA-256 checksum). Geography: "
                f"{man.get('current_vintage', 'current local authorities')}."], className="stat-line"),
        html.P("Metrics by status: " + ", ".join(f"{v} {k.lower()}" for k, v in counts.items()) + "."),
        html.Details([html.Summary("Periods of each source in this data"),
                      dash_table.DataTable(id="data-freshness", data=fresh.to_dict("records"),
                                           columns=[{"name": c, "id": c} for c in fresh.columns], page_size=60,
                                           style_table={"overflowX": "auto"},
                                           style_cell={"fontFamily": "inherit", "textAlign": "left",
                                                       "whiteSpace": "normal", "height": "auto", "padding": "6px"},
                                           style_header={"fontWeight": "bold", "backgroundColor": "#f3f2f1"})],
                     className="chart-table"),
        html.H2("Catalogue", id="catalogue"),
        html.P("Status: " + "; ".join(dict.fromkeys(f"{s['label'].lower()}: {s['text']}" for s in
                                                    vocab.labels().get("availability", {}).values())) +
               ". No values are invented for metrics that are not available.", className="hint"),
        _catalogue_table(cat) if not cat.empty else message("The catalogue is missing from this data."),
        html.P(["Definitions, sources, caveats and status notes for every metric are in the ",
                html.A("catalogue CSV", href="/download/metrics.csv"), "."], className="hint"),
        methods(),
        model_diagnostics(),
        accessibility(),
    ], className="data-methods")
