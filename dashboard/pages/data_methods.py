"""Data and methods: /data : catalogue, methods in plain English, freshness, downloads, accessibility."""
from __future__ import annotations

import os

import dash
import pandas as pd
from dash import dash_table, html

from dashboard.analysis import neighbours as nb
from dashboard.components.common import error_notice, message, page_header
from dashboard.data import store

dash.register_page(__name__, path="/data", title="Data and methods")

STATUS_TEXT = {"available": "Available", "fetchable": "Fetchable online", "not yet published": "Not yet published",
               "paused": "Paused by the publisher"}
KIND_TEXT = {"headline": "Headline (share)", "headline_mean": "Headline (mean score)", "supporting": "Supporting (Annex B)",
             "context": "Context"}
GEO_TEXT = {"ltla": "Local authority (lower tier)", "utla": "County / unitary (upper tier)", "icb": "Integrated care board",
            "aq_zone": "Air-quality zone", "region": "Region", "country": "Nation", "uk": "UK"}


def catalogue_frame(metrics: pd.DataFrame) -> pd.DataFrame:
    """The catalogue as shown (and the order used): one row per metric."""
    if metrics.empty:
        return pd.DataFrame()
    m = metrics.sort_values("sort")

    def periods(r):
        if isinstance(r.get("first_period"), str) and r["first_period"]:
            return r["first_period"] if r["first_period"] == r.get("latest_period") else f"{r['first_period']} to {r['latest_period']}"
        return "none in the build"

    rows = []
    for r in m.to_dict("records"):
        url = r.get("publisher_url") or ""
        rows.append({
            "Metric": r.get("short_title") or r.get("title"), "Type": KIND_TEXT.get(r.get("kind"), r.get("kind")),
            "Publisher": r.get("publisher"),
            "Geography": GEO_TEXT.get(r.get("native_geography"), r.get("native_geography")),
            "Periods in the build": periods(r), "Unit": r.get("unit"),
            "Polarity": {"higher_better": "Higher is better", "lower_better": "Lower is better"}.get(r.get("polarity"), "No judgement"),
            "CI published": "Yes" if r.get("has_ci") else "No",
            "Status": STATUS_TEXT.get(r.get("status"), r.get("status")),
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


def _section(title: str, anchor: str, *body) -> html.Section:
    return html.Section([html.H3(title, id=anchor), *body], className="methods-section")


def methods() -> html.Div:
    P, Li, Ul = html.P, html.Li, html.Ul
    return html.Div([
        html.H2("Methods", id="methods"),
        _section("The headline measures: shares and mean scores", "methods-basis",
                 P("The mission is about people with low well-being: the share of adults (16+) answering 0 to 4 (out of "
                   "10) on life satisfaction, worthwhile and happiness, and 6 to 10 on anxiety, from the ONS Annual "
                   "Population Survey. ONS also publishes each measure's mean score with a 95% confidence interval."),
                 P("In the bundled data the shares are available only for London boroughs, regions and nations to "
                   "2018-19 (without confidence intervals); the mean scores are available for every local authority "
                   "to 2022-23 with confidence intervals. The mission's local-authority measures therefore use the "
                   "mean scores (basis 'means') unless the full ONS shares are fetched; every result says which basis "
                   "it uses and a means-based result is never labelled as a share.")),
        _section("The gap: the worst third of local authorities", "methods-gap",
                 P("Each headline measure is converted to a 'worseness percentile' among the local authorities ranked "
                   "that year (100 x (rank - 0.5) / n, from best to worst), so that measures on different scales can "
                   "be compared. An area's worst measure is the one with the highest percentile; areas are ranked only "
                   "when all four measures are published."),
                 P("Areas are ordered by their worst-measure percentile (ties broken by the mean of the four "
                   "percentiles) and the first third (rounded up) form the worst third. The gap for each measure is "
                   "the unweighted mean over the worst third minus the mean over the rest, in the measure's own units. "
                   "The overall gap averages the four gaps, each divided by the measure's standard deviation across "
                   "areas in the baseline, so it is in baseline standard deviations and comparable over time."),
                 P("Baselines: the gap is compared with the mission's 2017-2019 baseline, the financial years 2016-17, "
                   "2017-18 and 2018-19 (the mean of the three annual gaps). Region and nation improvement is "
                   "measured against 2018-19 (the mission's '2019').")),
        _section("How sure is a worst-third membership?", "methods-worst-third",
                 P("Local estimates are survey estimates with sampling error, so ranking them naively overstates "
                   "certainty. Each published estimate is treated as Normal(value, se) with se = (upper - lower) / "
                   "3.92. We draw 1,000 simulated sets of values (fixed seed) and re-run the whole ranking each time: "
                   "the share of simulations in which an area falls in the worst third is shown as its probability "
                   "(e.g. 'in 87% of 1,000 simulations'). The same simulations give 95% intervals for each gap and "
                   "for its change since the baseline; a change is called a narrowing or widening only when its "
                   "interval excludes zero.")),
        _section("Significance tests and benchmark comparisons", "methods-significance",
                 P("Change over time (e.g. a region since 2018-19, an area since 2011-12): a z-test on the difference of "
                   "two independent estimates, each standard error recovered from its published 95% interval; "
                   "significant at the 5% level when |z| > 1.96, and labelled improved or worse using the metric's "
                   "polarity."),
                 P("Comparison with a benchmark (England, the UK, the region, a comparator group's average, or another "
                   "area), as in OHID Fingertips: an area is 'better' or 'worse' only when its 95% confidence interval "
                   "lies entirely on one side of the benchmark value (oriented by whether higher is better), and "
                   "'similar' when the interval includes it. Values without a published interval are 'not compared', "
                   "and the page says so; metrics with no judgement of direction are 'higher' or 'lower'."),
                 P("Confidence intervals computed by the pipeline (where a publisher gives counts but no interval): "
                   "the Wilson score interval for proportions; Byar's approximation to the Poisson interval for rates "
                   "from counts of 10 or more, and the exact Poisson (chi-squared) interval below 10. Published "
                   "intervals are used as they are.")),
        _section("Boundary changes: one current geography", "methods-harmonisation",
                 P("Every series is expressed on the current local authorities (December 2023 boundaries with the 2025 "
                   "codes, e.g. Barnsley E08000038, Sheffield E08000039):"),
                 Ul([Li("A pure recode (same area, new code) is relabelled; the value is unchanged."),
                     Li("A merged council (e.g. Buckinghamshire, North Yorkshire, Somerset, Cumberland) uses the "
                        "publisher's own value whenever one is published for it."),
                     Li("Otherwise its value is derived from its predecessor councils, only when every predecessor has "
                        "a value that period: a population-weighted mean for rates, means and shares (standard errors "
                        "combined from the published intervals), or a sum for counts. Such values are marked 'derived "
                        "from predecessor councils'."),
                     Li("If any predecessor is missing, or the change was a split, nothing is derived and the value "
                        "stays missing."),
                     Li("Old codes in a link (e.g. /area/E08000016) lead to the current area.")])),
        _section("Values published for larger areas", "methods-inheritance",
                 P("Some drivers are published only for larger areas. On local-authority pages such a value is the "
                   "value of the area the local authority sits in, and the page always says so:"),
                 Ul([Li("Upper tier: county values (e.g. school absence, children looked after, NEET) are shared by "
                        "every district in the county ('County-level value (Kent) shared by all its districts')."),
                     Li("ICB: each local authority takes the integrated care board holding most of its neighbourhoods "
                        "(LSOAs, which have roughly equal populations, so this approximates the largest population "
                        "share; exact tie: the lower ICB code). Areas split between ICBs are flagged with the share."),
                     Li("Air-quality zone: Defra reports NO2 compliance for 43 zones and agglomerations, as the highest "
                        "annual mean found anywhere in the zone (not an average). Zone boundaries are not bundled, so "
                        "each local authority is given one zone: the zone of most of the NO2 monitoring sites inside it; "
                        "without sites, the most common non-agglomeration zone of its neighbouring authorities in the "
                        "same region or nation (marked derived); failing that, the region's most common zone. Parts of "
                        "an authority can lie in another zone; zone shapes on the map are approximate."),
                     Li("Regional or national values are labelled as such.")]),
                 P("Because shared values repeat across districts, correlations and worst-third differences for such "
                   "metrics treat non-independent points as independent: their intervals are too narrow, and the "
                   "Drivers page flags them.")),
        _section("Comparator groups and nearest neighbours", "methods-neighbours",
                 P("Comparator groups: the same region (or nation), the same type of authority (e.g. metropolitan "
                   "district), or nearest neighbours."),
                 P("Nearest neighbours are found on a fixed set of bundled context indicators, each at its latest "
                   "period covering at least 80% of local authorities: " + ", ".join(nb.CONTEXT_INDICATORS).replace("_", " ")
                   + ". Each is standardised across current local authorities; the distance between two areas is the "
                   "Euclidean distance over the indicators both have (scaled up when some are missing; at least half "
                   "must be shared), and the 10 closest are the neighbours. The Compare page lists the indicators and "
                   "periods used. County-level indicators make districts of one county look alike. If fewer than two "
                   "indicators are in the build, the four mean well-being scores are used instead and the page says "
                   "so. This is a transparent similarity on open data; it is not CIPFA's nearest-neighbours model.")),
        _section("Drivers: correlation and what distinguishes the worst third", "methods-drivers",
                 P("Correlation: Pearson's r across local authorities with a 95% confidence interval from Fisher's z "
                   "transform (z = atanh r, standard error 1 / sqrt(n - 3)). Correlation is not causation, and local "
                   "estimates carry sampling error."),
                 P("Worst third versus the rest: for each supporting metric the standardised difference (Cohen's d: "
                   "difference in means divided by the pooled standard deviation) with a 95% confidence interval from "
                   "the normal approximation se = sqrt((n1 + n2) / (n1 n2) + d^2 / (2 (n1 + n2))). The metric is taken "
                   "at its latest period ending no later than a year after the worst-third year.")),
    ], className="methods")


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


def layout(**_q):
    try:
        s = store()
        man = s.manifest
        cat = catalogue_frame(s.metrics)
        built = str(man.get("built_at", "unknown"))
        n_obs = man.get("observations", len(s.observations))
        counts = cat["Status"].value_counts().to_dict() if not cat.empty else {}
        fresh = cat[["Metric", "Publisher", "Periods in the build", "Status"]] if not cat.empty else pd.DataFrame()
        return html.Div([
            page_header("Data and methods", "Where every number comes from, how the mission's measures are calculated, "
                                            "and the whole dataset to download."),
            html.Nav(html.Ul([html.Li(html.A(t, href=f"#{a}")) for t, a in
                              [("Downloads", "downloads"), ("Data freshness", "freshness"), ("Catalogue", "catalogue"),
                               ("Methods", "methods"), ("Accessibility statement", "accessibility")]]),
                     **{"aria-label": "On this page"}, className="on-this-page"),
            html.H2("Downloads", id="downloads"),
            html.Ul([
                html.Li([html.A("All observations (tidy long table), CSV", href="/download/observations.csv"),
                         f": every metric, area and period as published ({n_obs:,} rows)."]),
                html.Li([html.A("All observations, Parquet", href="/download/observations.parquet"), ": the same table, "
                         "smaller and typed."]),
                html.Li([html.A("Local-authority view, CSV", href="/download/la_view.csv"), ": every metric expressed on "
                         "current local authorities, with the native geography of each value."]),
                html.Li([html.A("Metrics catalogue, CSV", href="/download/metrics.csv")]),
                html.Li("One area's profile: use the download link on its profile page (/download/area/<code>.csv)."),
            ], className="downloads-list"),
            html.P("Columns: metric_id, area_code, area_name, geography, period, period_start, period_end, value, lower "
                   "and upper (95% confidence interval, blank when not published), status (ok, low reliability, "
                   "suppressed, not available, not applicable), derived (true when derived from predecessor councils), "
                   "note and source_file.", className="hint"),
            html.H2("Data freshness", id="freshness"),
            html.P([f"This build was made at {built.replace('T', ' ')[:19]} UTC from the bundled snapshots of published "
                    f"files ({len(man.get('inputs', {}))} input files, each with a SHA-256 checksum in the build "
                    f"manifest). Geography: {man.get('current_vintage', 'current local authorities')}."],
                   className="stat-line"),
            html.P("Metrics by status: " + ", ".join(f"{v} {k.lower()}" for k, v in counts.items()) + "."),
            html.Details([html.Summary("Periods of each source in this build"),
                          dash_table.DataTable(id="data-freshness", data=fresh.to_dict("records"),
                                               columns=[{"name": c, "id": c} for c in fresh.columns], page_size=60,
                                               style_cell={"fontFamily": "inherit", "textAlign": "left",
                                                           "whiteSpace": "normal", "height": "auto", "padding": "6px"},
                                               style_header={"fontWeight": "bold", "backgroundColor": "#f3f2f1"})],
                         className="chart-table"),
            html.H2("Catalogue", id="catalogue"),
            html.P("Status: available (in the bundled data); fetchable (published, downloaded by `python -m etl fetch`); "
                   "not yet published (e.g. Community Life Survey local estimates, the DfT connectivity index); paused "
                   "(e.g. the ONS Health Index). No values are invented for metrics that are not available.",
                   className="hint"),
            _catalogue_table(cat) if not cat.empty else message("The catalogue is missing from the build."),
            html.P(["Definitions, sources, caveats and status notes for every metric are in the ",
                    html.A("catalogue CSV", href="/download/metrics.csv"), "."], className="hint"),
            methods(),
            accessibility(),
        ], className="data-methods")
    except Exception:  # noqa: BLE001
        import logging
        logging.getLogger("dashboard").exception("data layout failed")
        return html.Div([page_header("Data and methods"), error_notice()])
