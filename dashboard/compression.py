"""Static-file delivery: response compression (gzip/brotli/zstd via Flask-Compress), with each
static file's compressed answer kept in memory (`static_cache`), so Dash's JavaScript bundles are
not compressed again for every new visitor; and year-long browser caching of assets whose
URL names their version (Dash adds `?m=<mtime>` to every asset it links, the favicon included; vendored files
carry the version in their file name), so a returning visitor downloads none of them, and the
browser does not fetch the favicon again each time a page changes its address."""
from __future__ import annotations

STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"


def _versioned_asset(request) -> bool:
    if request.path == "/_favicon.ico":  # Dash's own icon, linked with ?v=<dash version>
        return "v" in request.args
    return request.path.startswith("/assets/") and ("m" in request.args or request.path.startswith("/assets/vendor/"))


def _cache_assets(response):
    from flask import request

    if response.status_code == 200 and _versioned_asset(request):
        response.headers["Cache-Control"] = ASSET_CACHE_CONTROL
    return response


def configure(server) -> None:
    server.after_request(_cache_assets)
    from dashboard.static_cache import StaticResponses

    server.wsgi_app = StaticResponses(server.wsgi_app, STATIC_PREFIXES)  # the answers themselves, kept


# Scripts a page asks for after it has started (the graph's and dropdown's code split off by Dash,
# the table's, and plotly.js itself).
LAZY_SCRIPTS = ("/_dash-component-suites/dash/dcc/async-graph.js", "/_dash-component-suites/dash/dcc/async-dropdown.js",
                "/_dash-component-suites/dash/dash_table/async-table.js",
                "/_dash-component-suites/dash/dash_table/async-highlight.js")
PRIMED_ACCEPT = "gzip, deflate, br, zstd"  # what current Chromium and Firefox send (zstd is chosen)


def prime(server, extra: tuple[str, ...] = ()) -> int:
    """Answer every static file a first visit downloads once, now: run before gunicorn forks, the
    compressed answers (see `static_cache`) are then shared by every worker instead of each worker
    compressing them again for its first visitors. Returns the number of files."""
    import re

    with server.test_client() as client:
        html = client.get("/").get_data(as_text=True)
        urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', html)
        n = 0
        for url in dict.fromkeys([u for u in urls if u.startswith(STATIC_PREFIXES)] + list(LAZY_SCRIPTS) + list(extra)):
            r = client.get(url, headers={"Accept-Encoding": PRIMED_ACCEPT})
            r.get_data()
            r.close()
            n += r.status_code == 200
    return n
