"""HTTP 404 for addresses that lead to no page.

Dash serves every path through one catch-all route and decides in the browser which page to draw,
so an unknown address would come back "200 OK" with the not-found page inside. After the
response is made, this checks the path against Dash's own page registry (the same matching that
picks the page) and sets 404 when no page matches. A page whose address names a thing (the area
profile's code) also says 404 when that thing does not exist; the page itself still explains and
offers a search, as before. A former area's code is not "not found": its page says what replaced it.
"""
from __future__ import annotations

from typing import Callable

from flask import request

NOT_FOUND_MODULE = "not_found_404"
DASH_PAGE_ENDPOINTS = ("/<path:path>", "/")


def _area_exists(code: str) -> bool:
    from dashboard.queries import areas

    return areas.resolve(code)["status"] not in ("invalid", "unknown")


# path template of a page -> is the thing named in the address there?
RESOURCES: dict[str, Callable[..., bool]] = {"/area/<code>": _area_exists}


def page_for(path: str) -> tuple[dict, dict]:
    """(page registry entry or {}, path variables) for a path, as Dash's router matches it."""
    from dash._pages import _path_to_page  # Dash's own matcher: one rule for the router and the status

    page, variables = _path_to_page(path.strip("/"))
    return page or {}, variables or {}


def status_for(path: str) -> int:
    page, variables = page_for(path)
    if not page or str(page.get("module", "")).split(".")[-1] == NOT_FOUND_MODULE:
        return 404
    exists = RESOURCES.get(page.get("path_template") or "")
    if exists is not None:
        try:
            if not exists(**variables):
                return 404
        except Exception:  # noqa: BLE001 - a bad address is the page's business; never a 500 here
            return 404
    return 200


def _set_status(response):
    if (request.method in ("GET", "HEAD") and response.status_code == 200 and request.endpoint in DASH_PAGE_ENDPOINTS
            and response.mimetype == "text/html"):
        response.status_code = status_for(request.path)
    return response


def install(server) -> None:
    server.after_request(_set_status)
