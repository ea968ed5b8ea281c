"""Compare areas: /compare?area=&group=&areas=&metric=&period=&benchmark= (all state in the URL)."""
from __future__ import annotations

from urllib.parse import urlencode

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html

from dashboard.analysis import compare as cmp
from dashboard.analysis import profile as prof
from dashboard.components.common import (BENCHMARK_COLOURS, download_button, error_notice, fmt, fmt_ci, message,
                                         page_header, safe, table)
from dashboard.data import store

dash.register_page(__name__, path="/compare", title="Compare areas")

DEFAULT_METRIC = "mean_life_satisfaction"
MAX_AREAS = 60


def metric_options() -> list[dict]:
    s = store()
    m = s.metrics
    if m.empty:
        return []
    have = set(s.la_view["metric_id"].unique()) if not s.la_view.empty else set()
    m = m[m["id"].isin(have)].sort_values("sort")
    kinds = {"headline": "Headline", "headline_mean": "Headline (mean)", "supporting": "Supporting", "context": "Context"}
    return [{"label": f"{r.short_title or r.title} ({kinds.get(r.kind, r.kind)}; {r.unit})", "value": r.id}
            for r in m.itertuples()]


def _titles() -> dict:
    m = store().metrics
    return dict(zip(m["id"], m["short_title"].fillna(m["title"]))) if not m.empty else {}


def _ctrl(label: str, cid: str, comp) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid, className="control-label"), comp], className="control")


def layout(area: str | None = None, group: str | None = None, areas: str | None = None, metric: str | None = None,
           period: str | None = None, benchmark: str | None = None, **_q):
    try:
        s = store()
        notes = []
        ltla = s.ltla_choices()
        valid = {o["value"] for o in ltla}
        ok_areas, bad = cmp.clean_codes(s.areas, areas or "")
        if area and area not in valid:
            info = prof.resolve_area(s.areas, area)
            if info["status"] == "retired" and info.get("successor_code") in valid:
                notes.append(message(f"{area} is a former code; showing {info.get('successor_name')} instead."))
                area = info["successor_code"]
            else:
                notes.append(message(f"We don't know the local authority code {area}; choose an area below.", "warning"))
                area = None
        if bad:
            notes.append(message("Ignored unknown or non-current area codes: " + ", ".join(bad[:10]) + ".", "warning"))
        area = area or (ok_areas[0] if ok_areas else None)
        group = group if group in cmp.GROUPS else ("areas" if ok_areas or not area else "region")
        if group == "areas" and not ok_areas and area:
            ok_areas = [area]
        mopts = metric_options()
        mids = {o["value"] for o in mopts}
        if metric and metric not in mids:
            notes.append(message(f"Unknown metric '{metric}'; showing life satisfaction instead.", "warning"))
        metric = metric if metric in mids else (DEFAULT_METRIC if DEFAULT_METRIC in mids else (mopts[0]["value"] if mopts else None))
        bopts = [{"label": v, "value": k} for k, v in cmp.BENCHMARKS.items()] + [{"label": "The selected area", "value": "area"}]
        benchmark = benchmark if benchmark in {o["value"] for o in bopts} else "england"
        return html.Div([
            page_header("Compare areas", "Compare several local authorities, or an area with its comparator group, on "
                                         "any metric: values with 95% confidence intervals and significance against "
                                         "a benchmark of your choice."),
            *notes,
            html.Div([
                _ctrl("Your area", "cmp-area", dcc.Dropdown(id="cmp-area", options=ltla, value=area, searchable=True,
                                                           placeholder="Type an area name")),
                html.Div([html.Label("Compare with", htmlFor="cmp-group", className="control-label"),
                          dcc.RadioItems(id="cmp-group", value=group, className="radios",
                                         options=[{"label": v, "value": k} for k, v in cmp.GROUPS.items()])],
                         className="control"),
            ], className="controls"),
            html.Div(_ctrl("Chosen areas (type to add)", "cmp-areas",
                           dcc.Dropdown(id="cmp-areas", options=ltla, value=ok_areas, multi=True, searchable=True,
                                        placeholder="Add local authorities")),
                     id="cmp-areas-wrap", hidden=group != "areas"),
            html.Div([
                _ctrl("Metric", "cmp-metric", dcc.Dropdown(id="cmp-metric", options=mopts, value=metric, clearable=False)),
                _ctrl("Period", "cmp-period", dcc.Dropdown(id="cmp-period", options=[], value=period, clearable=False)),
                _ctrl("Benchmark", "cmp-benchmark", dcc.Dropdown(id="cmp-benchmark", options=bopts, value=benchmark,
                                                                 clearable=False)),
            ], className="controls"),
            dcc.Loading(html.Div(id="cmp-content"), type="default"),
            download_button("cmp-csv", "Download this comparison (CSV)"),
            dcc.Location(id="cmp-loc", refresh=False),
        ])
    except Exception:  # noqa: BLE001
        import logging
        logging.getLogger("dashboard").exception("compare layout failed")
        return html.Div([page_header("Compare areas"), error_notice()])


def _resolve(area, group, areas, metric, period, benchmark):
    s = store()
    note = ""
    label = ""
    if group == "areas" or not area:
        codes, _ = cmp.clean_codes(s.areas, areas or ([area] if area else []))
        if area and area not in codes:
            codes = [area] + codes
        label = "Chosen areas"
    else:
        codes, label, note = cmp.group_members(s.areas, s.la_view, area, group, titles=_titles())
    codes = codes[:MAX_AREAS]
    bench = area if benchmark == "area" and area else benchmark
    if benchmark == "area" and not area:
        bench = "england"
    tab, info = cmp.compare_table(s.la_view, s.observations, s.areas, s.metrics, codes, metric, period, bench)
    return tab, info, codes, label, note


def _figure(tab: pd.DataFrame, info: dict, meta: dict, area: str | None) -> dict:
    """Dot-and-whisker chart (value with 95% CI), best at the top; the comparison is in each label."""
    t = tab[np.isfinite(tab["value"].astype(float))].copy()
    asc = meta.get("polarity") == "lower_better"
    t = t.sort_values("value", ascending=not asc).iloc[::-1]
    dec = int(meta.get("decimals", 1) or 1)
    labels = [c.capitalize() for c in t["comparison"]]
    names = [("\u25B6 " if c == area else "") + f"{n}: {lab}" for c, n, lab in zip(t["area_code"], t["area_name"], labels)]
    colours = [BENCHMARK_COLOURS.get(c, "#0b0c0c") for c in t["comparison"]]
    symbols = [{"better": "circle", "similar": "diamond", "worse": "square", "benchmark": "star"}.get(c, "circle-open")
               for c in t["comparison"]]
    def clean(v):
        return [None if not np.isfinite(x) else float(x) for x in np.asarray(v, float)]
    trace = dict(type="scatter", mode="markers", x=clean(t["value"]), y=names,
                 marker=dict(color=colours, symbol=symbols, size=12, line=dict(color="#0b0c0c", width=1)),
                 customdata=[[fmt_ci(a, b, dec)] for a, b in zip(t["lower"], t["upper"])],
                 error_x=dict(type="data", symmetric=False, array=clean(t["upper"] - t["value"]),
                              arrayminus=clean(t["value"] - t["lower"]), color="#505a5f", thickness=1.5, width=4),
                 hovertemplate="%{y}: %{x:." + str(dec) + "f} (95% CI %{customdata[0]})<extra></extra>")
    shapes, ann = [], []
    bv = info.get("benchmark_value")
    if bv is not None and np.isfinite(bv):
        shapes.append(dict(type="line", xref="x", yref="paper", x0=bv, x1=bv, y0=0, y1=1,
                           line=dict(color="#0b0c0c", dash="dash", width=2)))
        ann.append(dict(x=bv, y=1, xref="x", yref="paper", yanchor="bottom", showarrow=False,
                        text=f"{info.get('benchmark_label')}: {fmt(bv, dec)}", font=dict(size=11)))
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
@safe(dash.no_update, dash.no_update, dash.no_update, error_notice(), dash.no_update)
def update(area, group, areas, metric, period, benchmark):
    s = store()
    group = group if group in cmp.GROUPS else "areas"
    if not metric:
        return [], None, group != "areas", message("Choose a metric."), dash.no_update
    tab, info, codes, label, note = _resolve(area, group, areas, metric, period, benchmark)
    popts = [{"label": p, "value": p} for p in reversed(info["periods"])]
    period = info["period"]
    q = {"metric": metric, "period": period or "", "benchmark": benchmark or "england", "group": group}
    if area:
        q["area"] = area
    if group == "areas" and areas:
        q["areas"] = ",".join(areas)
    search = "?" + urlencode(q)
    if not codes:
        return popts, period, group != "areas", message(
            "Choose your area (for a comparator group) or add areas to compare."), search
    if tab.empty or period is None:
        return popts, period, group != "areas", message(
            "This metric has no local-authority values in the build."), search
    meta = s.metrics.set_index("id").loc[metric].to_dict()
    dec = int(meta.get("decimals", 1) or 1)
    shown = tab[np.isfinite(tab["value"].astype(float))]
    missing = tab[~np.isfinite(tab["value"].astype(float))]
    counts = shown["comparison"].value_counts()
    summ = ", ".join(f"{counts[k]} {k}" for k in ("better", "similar", "worse", "higher", "lower", "not compared") if k in counts)
    fig = _figure(tab, info, meta, area)
    tdf = pd.DataFrame({
        "Area": tab["area_name"], "Code": tab["area_code"],
        "Value": [fmt(v, dec) if np.isfinite(v) else "no value" for v in tab["value"].astype(float)],
        "95% CI": [fmt_ci(a, b, dec) for a, b in zip(tab["lower"], tab["upper"])],
        "Benchmark": [f"{b} {fmt(v, dec)}" for b, v in zip(tab["benchmark"], tab["benchmark_value"])],
        "Compared with benchmark": [c.capitalize() for c in tab["comparison"]],
        "Geography of the value": tab["geography_note"], "Note": tab["reason"], "Status": tab["status"],
    })
    inherited = shown["native_geography"].isin(["utla", "icb", "aq_zone", "region", "country"]).any()
    blocks = [
        html.H2(f"{meta.get('title')} ({period})"),
        html.P([html.Strong(label), f": {len(codes)} areas. " if label else "", note], className="hint"),
        html.P(f"Against {info['benchmark_label']}: {summ}." if summ else "", className="stat-line"),
        html.P("Better/worse means the area's 95% confidence interval excludes the benchmark value; similar means it "
               "includes it; not compared means no interval is published. Areas are ordered best to worst for context "
               "only: read the intervals, not the order.", className="hint"),
        message("Some values are published for a larger area (county, ICB or air-quality zone) and shared by its "
                "districts; see the table.") if inherited else None,
        html.Div([
            html.P(f"Chart of {meta.get('short_title')} for {len(shown)} areas with 95% confidence intervals; "
                   f"{summ}.", className="visually-hidden", id="cmp-chart-summary"),
            dcc.Graph(id="cmp-graph", figure=fig, config={"displayModeBar": False, "responsive": True}),
            html.Details([html.Summary("Show the data as a table"),
                          table(tdf, "cmp-table", f"{meta.get('short_title')}, {period}: values, intervals and "
                                                  f"comparison with {info['benchmark_label']}", page_size=25)],
                         className="chart-table", open=True),
        ], className="chart-block"),
    ]
    if not missing.empty:
        blocks.append(html.P("No value for: " + "; ".join(f"{n} ({st})" for n, st in zip(missing["area_name"], missing["status"]))
                             + ". ", className="hint"))
        if meta.get("publisher_url"):
            blocks.append(html.P(html.A("See the publisher's data", href=meta["publisher_url"])))
    return popts, period, group != "areas", blocks, search


@dash.callback(Output("cmp-csv-download", "data"), Input("cmp-csv", "n_clicks"),
               State("cmp-area", "value"), State("cmp-group", "value"), State("cmp-areas", "value"),
               State("cmp-metric", "value"), State("cmp-period", "value"), State("cmp-benchmark", "value"),
               prevent_initial_call=True)
@safe(None)
def download(n, area, group, areas, metric, period, benchmark):
    if not n or not metric:
        raise dash.exceptions.PreventUpdate
    tab, info, *_ = _resolve(area, group or "areas", areas, metric, period, benchmark)
    tab = tab.assign(metric_id=metric, period=info["period"])
    return dcc.send_data_frame(tab.to_csv, f"compare_{metric}_{info['period']}.csv", index=False)
