"""Security headers, request limits and the write rate limit."""
from __future__ import annotations


def test_security_headers_on_pages(client):
    r = client.get("/map")
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_production_never_debug(client):
    from dashboard.wsgi import app

    assert not app.server.debug
    assert app.server.config["SECRET_KEY"]


def test_request_size_limit(client):
    r = client.post("/_dash-update-component", data=b"x" * 1_100_000, content_type="application/json")
    assert r.status_code == 413


def test_write_rate_limit(client, monkeypatch):
    from dashboard import security

    monkeypatch.setattr(security, "WRITE_LIMIT_PER_MINUTE", 3)
    body = {"output": "mm-create-result.children", "outputs": {"id": "mm-create-result", "property": "children"},
            "inputs": [{"id": "mm-create-btn", "property": "n_clicks", "value": None}], "state": [],
            "changedPropIds": []}
    codes = [client.post("/_dash-update-component", json=body, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code
             for _ in range(5)]
    assert codes[-1] == 429 and 429 not in codes[:3]
    # other addresses and reads are unaffected
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200
