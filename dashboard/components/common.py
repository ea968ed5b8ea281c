"""Shared page pieces: headings, accessible tables, downloads and rendering texts-as-data."""
from __future__ import annotations

import pandas as pd
from dash import dash_table, dcc, html

from dashboard.components.errors import error_notice, guarded  # noqa: F401 - re-exported for pages
from dashboard.viewmodel import Link, Notice, Strong


def page_header(title: str, lead: str | None = None) -> html.Div:
    return html.Div([html.H1(title), html.P(lead, className="lead") if lead else None], className="page-header")


def parts(items) -> list:
    """Render text parts (str, Link, Strong) as components."""
    out = []
    for p in items if isinstance(items, (list, tuple)) else [items]:
        if isinstance(p, Link):
            if p.external:
                out.append(html.A(p.text, href=p.href, target="_blank", rel="noopener"))
            else:
                out.append(dcc.Link(p.text, href=p.href))
        elif isinstance(p, Strong):
            out.append(html.Strong(p.text))
        elif p is not None:
            out.append(p)
    return out


def notice(n: Notice) -> html.Div:
    return html.Div(parts(n.parts), className=f"notice notice--{n.kind}",
                    role="status" if n.kind == "info" else "alert")


def message(text, kind: str = "info") -> html.Div:
    return notice(Notice(list(text) if isinstance(text, (list, tuple)) else [text], kind))


def table(df: pd.DataFrame, table_id: str, caption: str, *, page_size: int = 15,
          columns: list[dict] | None = None, sort: bool = True) -> html.Div:
    """An accessible, sortable table with a caption (every chart's table alternative)."""
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


def download_link(href: str, label: str, filename: str | None = None) -> html.A:
    """A plain link to a download (the public data API or a download route)."""
    return html.A(label, href=href, className="button button--secondary", download=filename or True)


def chart_with_table(graph, table_div: html.Div, summary: str, chart_id: str) -> html.Div:
    """A chart, a text summary for screen readers, and the table alternative behind <details>."""
    return html.Div([
        html.P(summary, className="visually-hidden", id=f"{chart_id}-summary"),
        graph,
        html.Details([html.Summary("Show the data as a table"), table_div], className="chart-table"),
    ], className="chart-block")


def label(text: str, for_id: str) -> html.Label:
    return html.Label(text, htmlFor=for_id, className="control-label")


def control(text: str, cid: str, component, wide: bool = False) -> html.Div:
    return html.Div([label(text, cid), component], className="control control--wide" if wide else "control")
