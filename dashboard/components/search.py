"""The area search: one type-ahead box, used in the header and on the area pages alike.

The page carries no list of areas: as the user types, a callback asks `queries.areas.search` for
the best 20 matches (current local authorities, counties, ICBs, air-quality zones, regions,
nations and former councils, by name or GSS code). Choosing one navigates to /area/<code>.
"""
from __future__ import annotations

import json

import dash
from dash import MATCH, Input, Output, State, dcc, html

from dashboard.components.errors import guarded
from dashboard.queries import areas

MAX_MATCHES = 20


def _option(m: dict, typed: str) -> dict:
    # the menu filters options on their `search` text too: include what was typed, so the
    # server's matches (e.g. on a GSS code) are shown in the server's order
    return {"label": html.Span([m["name"], html.Span(f" ({m['kind']})", className="search__kind")]),
            "value": m["code"], "search": f"{m['name']} {m['code']} {typed}"}


def options_for(typed: str | None) -> list[dict]:
    typed = (typed or "")[:80]
    return [_option(m, typed) for m in areas.search(typed, MAX_MATCHES)]


def search_box(id_prefix: str, label: str = "Find an area", value: str | None = None, compact: bool = False) -> html.Div:
    """The labelled type-ahead box; choosing an option navigates to /area/<code>."""
    dd_id = {"type": "area-search", "prefix": id_prefix}
    opts = options_for(areas.name(value)) if value else []
    return html.Div([
        # Dash renders a dict id as sorted compact JSON on the dropdown's button: label that element
        html.Label(label, htmlFor=json.dumps(dd_id, sort_keys=True, separators=(",", ":")), className="search__label"),
        dcc.Dropdown(id=dd_id, options=opts, value=value, searchable=True, clearable=True, search_order="original",
                     placeholder="Type the first letters of an area name or a GSS code",
                     className="search__dropdown" + (" search__dropdown--compact" if compact else ""), optionHeight=40),
        dcc.Location(id={"type": "area-search-nav", "prefix": id_prefix}, refresh="callback-nav"),
    ], className="search", role="search", id=f"area-search-{id_prefix}")


@dash.callback(
    Output({"type": "area-search", "prefix": MATCH}, "options"),
    Input({"type": "area-search", "prefix": MATCH}, "search_value"),
    State({"type": "area-search", "prefix": MATCH}, "value"),
    prevent_initial_call=True,
)
@guarded(dash.no_update)
def _matches(typed, value):
    if not typed:
        raise dash.exceptions.PreventUpdate
    opts = options_for(typed)
    if value and value not in {o["value"] for o in opts}:  # keep the chosen area selectable
        opts += options_for(areas.name(value))[:1]
    return opts


@dash.callback(
    Output({"type": "area-search-nav", "prefix": MATCH}, "href"),
    Input({"type": "area-search", "prefix": MATCH}, "value"),
    State({"type": "area-search-nav", "prefix": MATCH}, "pathname"),
    prevent_initial_call=True,
)
@guarded(dash.no_update)
def _go(code, pathname):
    if not code:
        raise dash.exceptions.PreventUpdate
    target = f"/area/{code}"
    if pathname == target:
        raise dash.exceptions.PreventUpdate
    return target
