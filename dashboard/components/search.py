"""The area search: one type-ahead box, used in the header and on the area pages alike.

The page carries no list of areas: as the user types, a callback asks `queries.areas.search` for
the best 20 matches (current local authorities, counties, combined authorities, ICBs, air-quality
zones, regions, nations and former councils, by name, another official name or GSS code).
Choosing one navigates to /area/<code> in the browser at once (no round trip), and the box empties
again, ready for the next search.
"""
from __future__ import annotations

import json

import dash
from dash import MATCH, ClientsideFunction, Input, Output, State, dcc, html

from dashboard.components.errors import guarded
from dashboard.queries import areas

MAX_MATCHES = 20


def _option(m: dict, typed: str) -> dict:
    # Plain-text labels: Dash 4's renderer fails when a list of component labels shrinks while
    # the menu is open, and text labels are searched by the menu too. The menu also filters on
    # the `search` text: it includes what was typed, so matches the server found another way
    # (a GSS code, an accent-free spelling, an authority's other name) stay shown.
    return {"label": m["label"], "value": m["code"], "search": f"{m['name']} {m['code']} {typed}"}


def options_for(typed: str | None) -> list[dict]:
    typed = (typed or "")[:80]
    return [_option(m, typed) for m in areas.search(typed, MAX_MATCHES)]


def target(code: str | None) -> str | None:
    """The page a chosen search result leads to (the same rule as the browser-side callback)."""
    return f"/area/{code}" if code else None


def search_box(id_prefix: str, label: str = "Find an area", value: str | None = None, compact: bool = False) -> html.Div:
    """The labelled type-ahead box; choosing an option navigates to /area/<code>."""
    dd_id = {"type": "area-search", "prefix": id_prefix}
    opts = options_for(areas.name(value)) if value else []
    return html.Div([
        # Dash renders a dict id as sorted compact JSON on the dropdown's button: label that element
        html.Label(label, htmlFor=json.dumps(dd_id, sort_keys=True, separators=(",", ":")), className="search__label"),
        dcc.Dropdown(id=dd_id, options=opts, value=value, searchable=True, clearable=True, search_order="original",
                     placeholder="Find an area by name or GSS code",
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


# In the browser: the new address at once (the page's loading state shows while its layout comes),
# and the box cleared. See assets/search.js.
dash.clientside_callback(
    ClientsideFunction(namespace="areaSearch", function_name="go"),
    Output({"type": "area-search-nav", "prefix": MATCH}, "href"),
    Output({"type": "area-search", "prefix": MATCH}, "value"),
    Input({"type": "area-search", "prefix": MATCH}, "value"),
    State({"type": "area-search-nav", "prefix": MATCH}, "pathname"),
    prevent_initial_call=True,
)
