"""Shared page pieces: headings, accessible tables, downloads, safe callbacks, formatting."""
from __future__ import annotations

import functools
import logging
import math
from typing import Any, Callable

import dash
import pandas as pd
from dash import dash_table, dcc, html

log = logging.getLogger("dashboard")

# Analysis Function accessible categorical palette (dark blue, turquoise, dark pink, orange,
# dark grey, light purple) and a sequential blue scale.
AF_CATEGORICAL = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
AF_SEQUENTIAL = ["#E8F1FA", "#B6D2EA", "#7FA8D4", "#4A7FBF", "#2A5A9A", "#12436D"]
# Compare-with-benchmark colours, always shown together with a text label.
BENCHMARK_COLOURS = {"better": "#28A197", "similar": "#F4B400", "worse": "#801650",
                     "not compared": "#BFC1C3", "higher": "#12436D", "lower": "#A285D1"}
NO_DATA_COLOUR = "#FFFFFF"


def page_header(title: str, lead: str | None = None) -> html.Div:
    return html.Div([html.H1(title), html.P(lead, className="lead") if lead else None], className="page-header")


def fmt(value: Any, decimals: int = 1, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "no value"
    text = f"{value:,.{decimals}f}"
    if unit.startswith("%"):
        return text + "%"
    return text


def fmt_ci(lower: Any, upper: Any, decimals: int = 1) -> str:
    try:
        if math.isfinite(lower) and math.isfinite(upper):
            return f"{lower:,.{decimals}f} to {upper:,.{decimals}f}"
    except TypeError:
        pass
    return "no CI published"


def table(df: pd.DataFrame, table_id: str, caption: str, *, page_size: int = 15,
          columns: list[dict] | None = None, sort: bool = True) -> html.Div:
    """An accessible, sortable table with a caption (used as every chart's table alternative)."""
    cols = columns or [{"name": c, "id": c} for c in df.columns]
    return html.Div([
        html.P(caption, className="table-caption", id=f"{table_id}-caption"),
        dash_table.DataTable(
            id=table_id, data=df.to_dict("records"), columns=cols, page_size=page_size,
            sort_action="native" if sort else "none", style_table={"overflowX": "auto"},
            style_cell={"fontFamily": "inherit", "fontSize": "0.95rem", "textAlign": "left",
                        "padding": "6px", "whiteSpace": "normal", "height": "auto"},
            style_header={"fontWeight": "bold", "backgroundColor": "#f3f2f1"},
        ),
    ], className="table-wrap", role="region", **{"aria-labelledby": f"{table_id}-caption"})


def download_button(button_id: str, label: str = "Download CSV") -> html.Div:
    return html.Div([html.Button(label, id=button_id, className="button button--secondary", n_clicks=0),
                     dcc.Download(id=f"{button_id}-download")], className="download")


def chart_with_table(graph: dcc.Graph, table_div: html.Div, summary: str, chart_id: str) -> html.Div:
    """A chart, a text summary for screen readers, and the table alternative behind <details>."""
    return html.Div([
        html.P(summary, className="visually-hidden", id=f"{chart_id}-summary"),
        graph,
        html.Details([html.Summary("Show the data as a table"), table_div], className="chart-table"),
    ], className="chart-block")


def message(text: str, kind: str = "info") -> html.Div:
    return html.Div(text, className=f"notice notice--{kind}", role="status" if kind == "info" else "alert")


def safe(*fallback: Any) -> Callable:
    """Decorator for callbacks: never let an exception reach the page.

    On error it logs the traceback server-side and returns `fallback` (one value per output;
    a callable fallback receives the exception). PreventUpdate passes through."""
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except dash.exceptions.PreventUpdate:
                raise
            except Exception as exc:  # noqa: BLE001 - the page must keep working
                log.exception("callback %s failed", fn.__name__)
                out = [f(exc) if callable(f) else f for f in fallback]
                return out[0] if len(out) == 1 else tuple(out)
        return wrapper
    return deco


def error_notice(exc: Exception | None = None) -> html.Div:
    return message("Sorry, this view could not be drawn for that choice. Try another option, "
                   "or go back to the mission overview.", "error")
