"""Charts drawn only when they scroll into view.

Drawing a plotly chart is the most expensive thing a page does in the browser (plotly.js itself
takes a noticeable moment to start, then each chart to lay out). A chart below the first screen
therefore starts as an empty box of its own height (so nothing on the page moves) with a short
note; `assets/defer.js` watches the box and, when it comes into view, sets the box's "seen"
store, and the page's callback then draws the chart into it.
The chart's figures are always in its table alternative, which needs no chart.
"""
from __future__ import annotations

import uuid

import dash
from dash import Input, dcc, html

WAITING = "Drawing the chart\u2026"


def deferred(slot_id: str, height: int, waiting: str = WAITING, class_name: str = "", **attrs) -> list:
    """The box for a chart drawn once seen, and its "seen" store (False until then). Each render
    carries a fresh token, so a box the browser reuses for a new page is watched again. `attrs`
    go on the box (a role, a label)."""
    box = html.Div(html.P(waiting, className="hint deferred-wait"), id=slot_id,
                   className=f"deferred {class_name}".strip(), style={"minHeight": f"{height}px"},
                   **{"data-seen-store": seen_id(slot_id), "data-defer-token": uuid.uuid4().hex[:12]}, **attrs)
    return [box, dcc.Store(id=seen_id(slot_id), data=False)]


def seen_id(slot_id: str) -> str:
    return f"{slot_id}-seen"


def seen(slot_id: str) -> Input:
    """The callback input that fires when the box has come into view."""
    return Input(seen_id(slot_id), "data")


def only_seen(slot_id: str) -> bool:
    """Whether the running callback was fired by the box coming into view (so only the chart is
    wanted); False outside a callback."""
    try:
        return dash.ctx.triggered_id == seen_id(slot_id)
    except dash.exceptions.MissingCallbackContextException:
        return False
