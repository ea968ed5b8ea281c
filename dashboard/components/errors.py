"""The one error-handling decorator for callbacks and page layouts.

Nothing a user does may put a traceback or a 500 on the page: an unexpected fault is logged
server-side with its traceback and the page gets a short apology; a `UserInputError` (a bad name,
an invalid file) is not a fault, and its own message is shown.

    @guarded(dash.no_update, error_notice)      # a callback: one fallback per output; a callable
                                                # fallback is called with (exception, *arguments)
    @guarded(page="Map")                         # a layout: the page heading and the apology
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Callable

import dash
from dash import html

from dashboard.user_errors import UserInputError

log = logging.getLogger("dashboard")
APOLOGY = ("Sorry, this view could not be drawn for that choice. Try another option, or go back to the "
           "mission overview.")


def error_notice(exc: Exception | None = None, *_args, **_kwargs) -> html.Div:
    """The apology (or, for a user's input error, its message) as a page notice."""
    text = str(exc) if isinstance(exc, UserInputError) else APOLOGY
    return html.Div(text, className="notice notice--error", role="alert")


def user_message(apology: str, class_name: str = "notice notice--error") -> Callable:
    """A fallback that shows a user's input error as it is, and `apology` for anything else."""
    def fallback(exc: Exception, *_args, **_kwargs):
        return html.P(str(exc) if isinstance(exc, UserInputError) else apology, className=class_name, role="alert")
    return fallback


def guarded(*fallback: Any, page: str | None = None) -> Callable:
    """On an exception: log it and return `fallback` (one value per output; a callable is called
    with the exception and the callback's arguments), or for a layout (`page=`) the page heading
    with the apology. PreventUpdate passes through."""
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except dash.exceptions.PreventUpdate:
                raise
            except Exception as exc:  # noqa: BLE001 - the page must keep working
                if isinstance(exc, UserInputError):
                    log.info("%s refused input: %s", fn.__qualname__, exc)
                else:
                    log.exception("%s %s failed", "layout" if page else "callback", fn.__qualname__)
                if page is not None:
                    return html.Div([html.Div([html.H1(page)], className="page-header"), error_notice(exc)])
                out = [f(exc, *args, **kwargs) if callable(f) else f for f in fallback]
                return out[0] if len(out) == 1 else tuple(out)
        return wrapper
    return deco
