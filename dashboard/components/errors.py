"""The one error-handling decorator for callbacks and page layouts.

Nothing a user does may put a traceback or a 500 on the page: the traceback is logged
server-side and the page gets a short apology instead.

    @guarded(dash.no_update, error_notice())   # a callback: one fallback per output
    @guarded(page="Map")                         # a layout: the page heading and the apology
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Callable

import dash
from dash import html

log = logging.getLogger("dashboard")
APOLOGY = ("Sorry, this view could not be drawn for that choice. Try another option, or go back to the "
           "mission overview.")


def error_notice(_exc: Exception | None = None) -> html.Div:
    return html.Div(APOLOGY, className="notice notice--error", role="alert")


def guarded(*fallback: Any, page: str | None = None) -> Callable:
    """On an exception: log it and return `fallback` (one value per output; a callable receives
    the exception), or for a layout (`page=`) the page heading with the apology. PreventUpdate
    passes through."""
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except dash.exceptions.PreventUpdate:
                raise
            except Exception as exc:  # noqa: BLE001 - the page must keep working
                log.exception("%s %s failed", "layout" if page else "callback", fn.__qualname__)
                if page is not None:
                    return html.Div([html.Div([html.H1(page)], className="page-header"), error_notice(exc)])
                out = [f(exc) if callable(f) else f for f in fallback]
                return out[0] if len(out) == 1 else tuple(out)
        return wrapper
    return deco
