"""Area profile: /area/<code> (any geography; the full profile for current LTLAs).

Layout and thin callbacks only: every figure, sentence and position comes from
`dashboard.analysis.profile_view`. The spine chart is plain HTML (no plotly): one row per metric
with its words, a bar drawn by CSS and a sentence shown on hover or focus. The headline trend
charts are small plotly figures drawn after the page, by a callback of their own.
"""
from __future__ import annotations

import html as _html
from urllib.parse import urlencode

import dash
import numpy as np
import pandas as pd
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html

from dashboard.analysis import profile_view as pv
from dashboard.analysis.profile import safe_filename
from dashboard.components.common import (download_button, error_notice, guarded, message, notice, page_header,
                                         parts)
from dashboard.components.deferred import deferred, seen
from dashboard.components.search import search_box
from dashboard.formatting import interval, number, signed

dash.register_page(__name__, path_template="/area/<code>", title="Area profile")

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}


def badge(result: str) -> html.Span:
    result = result or "not compared"
    return html.Span(result.capitalize(), className=f"cmp-badge cmp-badge--{result.replace(' ', '-')}")


# Big static blocks (the spine chart's rows, tables, lists) are written as one escaped HTML string
# each, sent in a store and written into an empty box by assets/profile.js: hundreds of small Dash
# components cost the browser seconds to mount, the same HTML costs milliseconds to parse.
def esc(text) -> str:
    return _html.escape("" if text is None else str(text), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def tag(name: str, content="", void: bool = False, **attrs) -> str:
    """<name attrs>content</name> (attribute names: trailing '_' dropped, '_' -> '-')."""
    bits = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items() if v is not None)
    if void:
        return f"<{name}{bits} />"
    body = "".join(content) if isinstance(content, (list, tuple)) else str(content)
    return f"<{name}{bits}>{body}</{name}>"


def raw_html(block: str, markup: str, class_name: str | None = None) -> html.Div:
    """An empty box `area-html-<block>` and the store carrying its HTML (filled in the browser)."""
    return html.Div([html.Div(id=f"area-html-{block}", className=class_name),
                     dcc.Store(id={"type": "area-html", "block": block}, data=markup)])


def data_table(df: pd.DataFrame, table_id: str, caption: str) -> html.Div:
    """A plain, accessible HTML table in its own horizontally scrolling container (its caption
    stays above the box, so it wraps on a phone instead of scrolling away)."""
    if df is None or df.empty:
        return html.P("No rows.", className="hint")
    cap = f"{table_id}-caption"
    head = tag("thead", tag("tr", [tag("th", esc(c), scope="col") for c in df.columns]))
    rows = [tag("tr", [tag("th", esc(r[0]), scope="row")] + [tag("td", esc("" if v is None else v)) for v in r[1:]])
            for r in df.itertuples(index=False)]
    table = tag("table", [head, tag("tbody", rows)], class_="data-table", id=table_id, aria_labelledby=cap)
    return html.Div([
        html.P(caption, className="table-caption", id=cap),
        raw_html(table_id, tag("div", table, class_="table-scroll", tabindex="0", role="region",
                               aria_labelledby=cap)),
    ])


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


def _trend_grid(charts: list[dict], prefix: str) -> html.Div:
    return html.Div([html.Figure([html.Figcaption(c["title"], className="trend-title"),
                                  dcc.Graph(id=f"{prefix}-{c['metric_id']}", figure=c["figure"], config=GRAPH_CONFIG,
                                            className="trend-graph", style={"height": f"{pv.TREND_HEIGHT}px"})],
                                 className="trend-cell")
                     for c in charts], className="trend-grid")


def trend_section(code: str) -> list:
    """The deferred trend charts and their table (the callback's output)."""
    t = pv.trend_charts(code)
    if not t["means"]:
        return [html.P("No trend to draw: no headline mean scores are published for this area.", className="hint")]
    table = html.Details([html.Summary("Show the data as a table"),
                          data_table(t["table"], "area-trend-table", f"Headline measures for {t['name']}, every period")],
                         className="chart-table")
    out = [html.P([html.Span("\u2014 ", className="trend-key trend-key--area"), f"{t['name']} with 95% CI; ",
                   html.Span("- - ", className="trend-key trend-key--bench"), f"{t['nat_name']}."], className="hint"),
           html.Div(_trend_grid(t["means"], "area-trend"), id="area-trend-graph")]
    note = t.get("mode_note")
    if note:
        out.append(html.P([note["text"], " Source: ",
                           html.A(note["source_title"], href=note["source_url"], target="_blank", rel="noopener"),
                           " (ONS)."], className="hint", id="area-trend-mode-note"))
    if t["shares"]:
        out += [html.H3("Published shares of adults with low well-being (%)"),
                html.Div(_trend_grid(t["shares"], "area-share"), id="area-share-graph")]
    return out + [table]


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
    blocks.append(html.H3("Trend since 2011-12 (mean scores with 95% confidence intervals)"))
    blocks.append(html.Div([
        html.P(f"Mean scores for {name} by financial year with 95% confidence intervals (error bars) and the "
               f"{v['nat_name']} value (dashed).", className="visually-hidden", id="area-trend-summary"),
        *deferred("area-trend-charts", 2 * pv.TREND_HEIGHT + 60, "Drawing the trend charts\u2026"),
        download_button("area-trend-csv", "Download headline data (CSV)"),
    ], className="chart-block"))
    return html.Div(blocks)


# ----------------------------------------------------------------------------- spine

def _bar(r: dict) -> str:
    """The spread (light), its middle half (dark), the centre line and the marker, placed in %."""
    b = r["bar"]
    if b is None:
        return tag("div", "no spread", class_="spine-track spine-track--empty")
    verdict = r["verdict"].replace(" ", "-")
    return tag("div", [
        tag("span", class_="spine-range", style=f"left: {b['min']}%; width: {max(b['max'] - b['min'], 0.5)}%"),
        tag("span", class_="spine-iqr", style=f"left: {b['q25']}%; width: {max(b['q75'] - b['q25'], 0.5)}%"),
        tag("span", class_="spine-centre" + ("" if r["centre_is_national"] else " spine-centre--median"),
            style=f"left: {b['centre']}%"),
        tag("span", class_=f"spine-marker spine-marker--{verdict}", style=f"left: {b['value']}%"),
    ], class_="spine-track", aria_hidden="true")


def _spine_row(r: dict, i: int) -> str:
    detail_id = f"area-spine-detail-{i}"
    flags = [tag("span", esc(f), class_="spine-flag" + (" spine-flag--stale" if "older than" in f else ""))
             for f in r["flags"]]
    verdict = r["verdict"].replace(" ", "-")
    spark = tag("img", void=True, src=r["spark"], alt=r["spark_alt"], width="80", height="20") if r["spark"] else ""
    return tag("div", [
        tag("div", [tag("span", esc(r["label"]), class_="spine-name"), f" ({esc(r['period'])})", *flags],
            role="rowheader", class_="spine-label"),
        tag("div", esc(r["value_text"]), role="cell", class_="spine-value"),
        tag("div", [_bar(r), tag("span", esc(r["centre_text"]), class_="spine-centre-text")], role="cell",
            class_="spine-bar-cell"),
        tag("div", esc(r["verdict_text"]), role="cell", class_=f"spine-verdict spine-verdict--{verdict}"),
        tag("div", spark, role="cell", class_="spine-spark"),
        tag("div", esc(r["detail"]), role="cell", class_="spine-detail", id=detail_id),
    ], role="row", tabindex="0", class_="spine-row" + (" spine-row--flagged" if r["flags"] else ""),
        aria_describedby=detail_id)


def spine_chart(v: dict) -> html.Div:
    """The spine chart: an ARIA table of one row per metric, each named by its metric."""
    nat = v["nat_name"]
    head = tag("div", [
        tag("span", "Metric (latest period)", role="columnheader", class_="spine-label"),
        tag("span", "Value", role="columnheader", class_="spine-value"),
        tag("span", [f"\u2190 worse \u00b7 ", tag("span", "|", class_="spine-centre-key"),
                     f" {esc(nat)} \u00b7 better \u2192"], role="columnheader", class_="spine-bar-cell"),
        tag("span", f"Compared with {esc(nat)}", role="columnheader", class_="spine-verdict"),
        tag("span", "Trend", role="columnheader", class_="spine-spark"),
        tag("span", "", role="columnheader", class_="spine-detail"),
    ], role="row", class_="spine-row spine-row--head")
    rows = [_spine_row(r, i) for i, r in enumerate(v["rows"])]
    label = f"Spine chart: {len(v['rows'])} metrics for {v['name']} against {nat}"
    return raw_html("spine-chart", tag("div", [head, *rows], role="table", class_="spine-chart", id="area-spine-chart",
                                       aria_label=label, aria_describedby="area-spine-key"), "spine-wrap")


def _spine_legend(v: dict) -> html.Div:
    items = [("better", "Better: the 95% CI is entirely on the better side of the benchmark"),
             ("similar", "Similar: the 95% CI includes the benchmark"),
             ("worse", "Worse: the 95% CI is entirely on the worse side"),
             ("higher", "Higher or lower: for a metric with no better or worse direction, the 95% CI is entirely "
                        "above or below"),
             ("not compared", "Not compared: no CI published, no benchmark, or a count")]
    return html.Div([
        html.Ul([html.Li(t, className=f"spine-verdict spine-verdict--{k.replace(' ', '-')}") for k, t in items],
                className="spine-legend"),
        html.P(f"Grey bar: the spread of {v['spread_label']} (light: lowest to highest; dark: the middle half, 25th to "
               f"75th percentile). Black line: the {v['nat_name']} value; a dashed line marks the "
               f"{v['median_label'].lower()} instead where {v['nat_name']}'s value is not published, lies outside "
               "the spread, or is a total (a count). Right is better: a metric where lower is better is drawn "
               "flipped; one with no better or worse direction puts higher values on the right. Hover over or "
               "tab to a row for its figures.", className="hint"),
    ], id="area-spine-key")


def _missing_item(r: dict) -> str:
    links = []
    for i, e in enumerate(r.get("equivalents") or []):
        links += (["; "] if i else []) + [tag("a", esc(e["name"]), href=e["url"], rel="noopener", target="_blank")]
    bits = [tag("strong", esc(r["short_title"])), f": {esc(r['reason'])}."]
    if r["status_note"]:
        bits.append(f" {esc(r['status_note'])}")
    if r["publisher_url"]:
        bits += [" ", tag("a", "England's publisher" if r.get("england_only") else "Publisher", href=r["publisher_url"])]
    if links:
        bits += [". Nearest equivalent: ", *links]
    return tag("li", bits)


def _missing_list(block: str, frame: pd.DataFrame) -> html.Div:
    return raw_html(block, tag("ul", [_missing_item(r) for r in frame.to_dict("records")], class_="missing-list"))


def _left_off_chart(block: str, frame: pd.DataFrame, noun: str, why: str) -> html.Details:
    """A collapsed list of the metrics the spine chart cannot show, headed by how many and why."""
    n = len(frame)
    return html.Details([html.Summary(f"{n} {noun}{'s' if n != 1 else ''} {why}"), _missing_list(block, frame)],
                        className="chart-table")


def spine_section(info: dict, comparator: str) -> list:
    v = pv.spine(info, comparator)
    if v["empty"]:
        return [message("No supporting or context metrics are published for this area in this data.")]
    out = [notice(n) for n in v["summary"]]
    out += [html.P(parts(n.parts), className="hint spine-shared") for n in v["shared_notes"]]
    out += [notice(n) for n in v["stale_notes"]]
    if v["count_note"] is not None:
        out.append(html.P(parts(v["count_note"].parts), className="hint"))
    if v["n_not_compared"]:
        k = v["n_not_compared"]
        out.append(html.P(f"{k} metric{'s' if k != 1 else ''} not compared: no confidence interval "
                          f"published, no benchmark for that period, or a count; see the table.", className="hint"))
    label = v["group_label"]
    if label:
        out.append(html.P([html.Strong("Comparator group: "), f"{label} ({v['group_n']} other areas). ",
                           v["group_note"]], className="hint"))
    out.append(html.P("The chart compares each value with the national benchmark; the table adds the region and the "
                      "comparator group.", className="hint"))
    out.append(html.Div([
        spine_chart(v),
        _spine_legend(v),
        html.Details([html.Summary("Show the data as a table"),
                      data_table(v["table_rows"], "area-spine-table",
                                 f"Every metric against {v['nat_name']}, the region and the comparator group (latest "
                                 "period with a value)")], className="chart-table"),
    ], className="chart-block"))
    if not v["england_only"].empty:
        out.append(_left_off_chart("england-only", v["england_only"], "metric",
                                   "published for England only, with the devolved equivalents where there are any"))
    if not v["missing"].empty:
        out.append(_left_off_chart("missing", v["missing"], "supporting or context metric",
                                   "with no value for this area, and why"))
    return out


# ----------------------------------------------------------------------------- mission

def _mission_block(info: dict) -> html.Div:
    ms = pv.worst_third(info)
    if ms is None:
        return html.Div([html.H2("The mission's worst third"),
                         message("This area is not ranked in the mission's worst-third measure (all four headline "
                                 "measures must be published for it).")], className="mission-block")
    return html.Div([
        html.H2("The mission's worst third"),
        notice(ms["unranked"]) if ms["unranked"] else None,
        html.P(html.Strong(ms["sentence"]), className=f"mission-status mission-status--{'in' if ms['in_worst_third'] else 'out'}"),
        html.P(ms["ranking"]),
        notice(ms["explain"]),
        html.P(ms["baseline"]) if ms["baseline"] else None,
        html.P([ms["model_text"], " ", dcc.Link("How the small-area model works", href="/data#methods-adjusted"), "."],
               className="hint") if ms["model_text"] else None,
        html.P([ms["basis_text"], " ", dcc.Link("How the worst third is defined", href="/data#methods-worst-third"), "."],
               className="hint"),
        html.Details([html.Summary("The four headline measures ranked on their own, with the model estimates"),
                      data_table(ms["measure_table"], "area-mission-measures",
                                 f"Each headline measure's worseness percentile and rank in {ms['period']}, its "
                                 "published estimate and the small-area model's estimate")],
                     className="chart-table"),
        html.Details([html.Summary("Worst-third history for this area"),
                      data_table(ms["history"], "area-mission-table", "Worst-third membership by year: the "
                                                                      "probability of true membership allowing for "
                                                                      "noise, and the stability of the published "
                                                                      "ranking (1,000 re-draws over its CIs)")],
                     className="chart-table"),
    ], className="mission-block")


# ----------------------------------------------------------------------------- page

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
        _headline_section(info),
    ]
    if is_ltla:
        children.append(_mission_block(info))
    children.append(html.H2("Supporting and context metrics"))
    children.append(html.Div([
        html.Label("Comparator group", htmlFor="area-comparator", className="control-label"),
        dcc.RadioItems(id="area-comparator", value=comparator, inline=True, className="radios",
                       options=[{"label": lab, "value": k} for k, lab in pv.COMPARATORS.items()]),
    ], className="control", style=None if is_ltla else {"display": "none"}))
    children.append(dcc.Loading(html.Div(spine_section(info, comparator), id="area-spine"), type="default", delay_show=250))
    children.append(download_button("area-spine-csv", "Download metric comparisons (CSV)"))
    ch = _children(info, v)
    if ch:
        children.append(ch)
    children += [dcc.Store(id="area-code", data=info["code"]), dcc.Store(id="area-html-done"),
                 dcc.Location(id="area-loc", refresh=False)]
    return html.Div(children, className="profile")


dash.clientside_callback(ClientsideFunction("profile", "fill"), Output("area-html-done", "data"),
                         Input({"type": "area-html", "block": ALL}, "data"))


@dash.callback(Output("area-trend-charts", "children"), seen("area-trend-charts"), State("area-code", "data"),
               prevent_initial_call=True)
@guarded(error_notice())
def _on_trend(shown, code):
    """The trend charts, drawn when their box comes into view."""
    if not shown or not code:
        raise dash.exceptions.PreventUpdate
    return trend_section(code)


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
