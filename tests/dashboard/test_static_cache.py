"""Static answers kept in memory replay exactly what Flask answered, and only for what is safe."""
from __future__ import annotations

from dashboard.static_cache import StaticResponses


def _app(calls: list, status: str = "200 OK", headers=None):
    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response(status, list(headers or [("Content-Type", "text/javascript"), ("Content-Encoding", "zstd")]))
        return [b"body-", environ.get("HTTP_ACCEPT_ENCODING", "").encode()]
    return app


def _get(app, path="/assets/a.js", query="m=1", method="GET", **extra):
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"], got["headers"] = status, headers

    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "wsgi.url_scheme": "http",
           "HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd", **extra}
    body = b"".join(app(env, start_response))
    return got["status"], got["headers"], body


def test_a_second_request_is_answered_from_memory_with_the_same_answer():
    calls = []
    app = StaticResponses(_app(calls), ("/assets/",))
    first, second = _get(app), _get(app)
    assert first == second and calls == ["/assets/a.js"]


def test_each_address_encoding_and_scheme_has_its_own_answer():
    calls = []
    app = StaticResponses(_app(calls), ("/assets/",))
    _get(app), _get(app, query="m=2"), _get(app, HTTP_ACCEPT_ENCODING="gzip"), _get(app, **{"wsgi.url_scheme": "https"})
    assert len(calls) == 4
    assert _get(app, HTTP_ACCEPT_ENCODING="gzip")[2] == b"body-gzip"


def test_what_is_not_kept():
    calls = []
    app = StaticResponses(_app(calls), ("/assets/",))
    for _ in range(2):
        _get(app, path="/_dash-layout")                       # not a static address
        _get(app, method="HEAD")                              # another method
        _get(app, HTTP_IF_NONE_MATCH='"abc"')                  # conditional: Flask decides 304
        _get(app, HTTP_RANGE="bytes=0-10")                     # a range
    assert len(calls) == 8 and len(app) == 0
    missing = StaticResponses(_app(calls, "404 NOT FOUND"), ("/assets/",))
    _get(missing), _get(missing)
    assert len(missing) == 0
    cookie = StaticResponses(_app(calls, headers=[("Set-Cookie", "a=b")]), ("/assets/",))
    _get(cookie)
    assert len(cookie) == 0


def test_the_app_keeps_the_first_visit_files_before_serving(client):
    import re

    from dashboard import compression

    kept = client.application.wsgi_app
    while not isinstance(kept, StaticResponses):
        kept = kept.app  # inside ProxyFix when proxies are trusted
    assert compression.prime(client.application) >= 20  # every script and style sheet, and the lazy ones
    n = len(kept)
    assert n >= 20
    page = client.get("/").get_data(as_text=True)
    url = re.search(r'<script src="(/_dash-component-suites/[^"]+)"', page).group(1)
    r = client.get(url, headers={"Accept-Encoding": compression.PRIMED_ACCEPT})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "zstd" and len(kept) == n  # answered from memory
