"""Security headers, request limits, the write rate limit, proxies and malformed requests."""
from __future__ import annotations

import json
import logging

import pytest
from flask import Flask, request

from dashboard import security
from dashboard.maturity import repository as repo
from tests.dashboard.maturity.dash_requests import autosave_body, saved

CREATE_BODY = {"output": "mm-create-result.children", "outputs": {"id": "mm-create-result", "property": "children"},
               "inputs": [{"id": "mm-create-btn", "property": "n_clicks", "value": None}], "state": [],
               "changedPropIds": []}


def test_security_headers_on_pages(client):
    r = client.get("/map")
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/maturity", "/maturity/a/" + "A" * 32, "/maturity/f/" + "B" * 32,
                                  "/maturity/r/" + "C" * 32])
def test_maturity_pages_send_no_referrer(client, path):
    """Their URLs carry secret tokens: no Referer may leave them, even to this site."""
    r = client.get(path)
    assert r.status_code == 200 and r.headers["Referrer-Policy"] == "no-referrer"


def test_hsts_only_over_https(client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/map").headers
    r = client.get("/map", base_url="https://dashboard.example")
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    monkeypatch.setattr(security, "HSTS_MAX_AGE", 0)
    assert "Strict-Transport-Security" not in client.get("/map", base_url="https://dashboard.example").headers
    monkeypatch.setattr(security, "HSTS_MAX_AGE", 600)
    monkeypatch.setenv("HSTS", "always")  # TLS ends at a proxy that sends no X-Forwarded-Proto
    assert client.get("/map").headers["Strict-Transport-Security"].startswith("max-age=600")


def _echo_app(hops: int) -> Flask:
    server = Flask(__name__)

    @server.route("/who")
    def who():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    security.trust_proxies(server, hops)
    security.trust_proxies(server, hops)  # idempotent: never wrapped twice
    return server


def test_proxy_fix_trusts_exactly_the_configured_hops():
    fwd = {"X-Forwarded-For": "198.51.100.7, 10.0.0.2", "X-Forwarded-Proto": "https",
           "X-Forwarded-Host": "evil.example"}
    env = {"REMOTE_ADDR": "10.0.0.1"}
    direct = _echo_app(0).test_client().get("/who", headers=fwd, environ_base=env).get_json()
    assert direct == {"addr": "10.0.0.1", "scheme": "http", "host": "localhost"}  # nothing trusted
    one = _echo_app(1).test_client().get("/who", headers=fwd, environ_base=env).get_json()
    assert one["addr"] == "10.0.0.2" and one["scheme"] == "https" and one["host"] == "localhost"
    two = _echo_app(2).test_client().get("/who", headers=fwd, environ_base=env).get_json()
    assert two["addr"] == "198.51.100.7"


def test_production_never_debug(client):
    from dashboard.wsgi import app

    assert not app.server.debug
    assert app.server.config["SECRET_KEY"]


def test_request_size_limit(client):
    r = client.post("/_dash-update-component", data=b"x" * 1_100_000, content_type="application/json")
    assert r.status_code == 413


def test_write_rate_limit_for_anonymous_writes(client, monkeypatch):
    """Creating assessments has no token: it is limited per client address."""
    monkeypatch.setattr(security, "WRITE_LIMIT_PER_MINUTE", 3)
    codes = [client.post("/_dash-update-component", json=CREATE_BODY,
                         environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code for _ in range(5)]
    assert codes[-1] == 429 and 429 not in codes[:3]
    assert 1 <= int(client.post("/_dash-update-component", json=CREATE_BODY,
                                environ_base={"REMOTE_ADDR": "10.9.9.9"}).headers["Retry-After"]) <= 61
    # other addresses and reads are unaffected
    assert client.post("/_dash-update-component", json=CREATE_BODY,
                       environ_base={"REMOTE_ADDR": "10.9.9.10"}).status_code != 429
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


def _workshop(n):
    t = repo.create_assessment("NAT Borough", None, "S", "2025-01-01", "Fay")
    return [repo.join(t["join_token"], f"P{i}") for i in range(n)]


def test_a_workshop_behind_one_address_is_not_throttled(client, monkeypatch):
    """20 participants behind one office NAT (one client address) each save up to the limit:
    nobody gets a 429 and every rating is stored. The 21st save of ONE participant is refused,
    the others carry on."""
    limit = 6
    monkeypatch.setattr(security, "WRITE_LIMIT_PER_MINUTE", limit)
    parts = _workshop(20)
    crits = ["h1.a1", "h1.a2", "h2.a1", "h2.a2", "h3a.a1", "h4.a1"]
    codes, lost = [], 0
    for cid in crits[:limit]:
        for p in parts:
            r = client.post("/_dash-update-component", json=autosave_body(p, {cid: "partly"}),
                            environ_base={"REMOTE_ADDR": "203.0.113.5"})
            codes.append(r.status_code)
            lost += r.status_code != 200 or not saved(r.get_json(), cid)
    assert codes.count(429) == 0 and lost == 0 and len(codes) == 120
    for p in parts:
        assert set(repo.participant_view(p)["ratings"]) == set(crits[:limit])
    over = client.post("/_dash-update-component", json=autosave_body(parts[0], {"h6.a1": "fully"}),
                       environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert over.status_code == 429 and int(over.headers["Retry-After"]) >= 1
    assert "h6.a1" not in repo.participant_view(parts[0])["ratings"]
    other = client.post("/_dash-update-component", json=autosave_body(_workshop(1)[0], {"h6.a1": "fully"}),
                        environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert other.status_code == 200


def test_the_address_flood_guard_still_applies(client, monkeypatch):
    monkeypatch.setattr(security, "WRITE_LIMIT_PER_MINUTE", 1000)
    monkeypatch.setattr(security, "WRITE_LIMIT_PER_ADDRESS", 5)
    parts = _workshop(7)
    codes = [client.post("/_dash-update-component", json=autosave_body(p, {"h1.a1": "fully"}),
                         environ_base={"REMOTE_ADDR": "192.0.2.77"}).status_code for p in parts]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]


def _escaped(body: dict) -> bytes:
    """The same callback with every 'mm-' written as JSON escapes (still the same JSON)."""
    return json.dumps(body).replace("mm-", "\\u006d\\u006d\\u002d").encode()


@pytest.mark.parametrize("disguise", ["escaped", "padded", "padded+escaped", "reordered"])
def test_the_limit_cannot_be_dodged_by_rewriting_the_body(client, monkeypatch, disguise):
    monkeypatch.setattr(security, "WRITE_LIMIT_PER_MINUTE", 3)
    (p,) = _workshop(1)
    body = autosave_body(p, {"h1.a1": "fully"})
    if disguise == "escaped":
        data = _escaped(body)
    elif disguise == "padded":
        data = json.dumps({"padding": " " * 6000, **body}).encode()
    elif disguise == "padded+escaped":
        data = b'{"pad": "' + b"x" * 5000 + b'", ' + _escaped(body)[1:]
    else:
        data = json.dumps(dict(reversed(list(body.items()))), indent=4).encode()
    assert json.loads(data)["output"] == body["output"]  # Dash sees the very same callback
    codes = [client.post("/_dash-update-component", data=data, content_type="application/json").status_code
             for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429], codes


def test_unknown_component_files_are_404_with_one_log_line(client, caplog):
    probes = ["/_dash-component-suites/nope/x.js", "/_dash-component-suites/dash/nope.js",
              "/_dash-component-suites/dash/../../etc/passwd", "/_dash-component-suites/dash/dcc/nope.v1_2m3.js",
              "/_dash-component-suites/dash/deps/polyfill@7.v4_4_1m1.min.js",
              "/_dash-component-suites/plotly/%00.js", "/_dash-component-suites/dash/html/" + "a" * 3000 + ".js"]
    for path in probes:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            r = client.get(path)
        assert r.status_code == 404, path
        records = [rec for rec in caplog.records if rec.levelno >= logging.WARNING]
        assert len(records) == 1 and records[0].exc_info is None, [x.getMessage()[:200] for x in records]
        assert "\n" not in records[0].getMessage() and len(records[0].getMessage()) < 300
    # a real file is still served
    import re

    src = re.search(r'src="(/_dash-component-suites/[^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    assert client.get(src).status_code == 200


PROBES = [
    ("GET", "/_dash-component-suites/nope/x.js", None, {}),
    ("GET", "/_dash-component-suites/dash/%2e%2e/%2e%2e/etc/passwd", None, {}),
    ("GET", "/_dash-layout", None, {"Host": "evil.example"}),
    ("GET", "/maturity/a/%00", None, {}),
    ("GET", "/maturity/f/" + "x" * 5000, None, {}),
    ("GET", "/maturity/r/<script>", None, {}),
    ("GET", "/maturity/export/%2e%2e.json", None, {}),
    ("GET", "/maturity/export/" + "A" * 32 + ".exe", None, {}),
    ("POST", "/_dash-update-component", b"", {}),
    ("POST", "/_dash-update-component", b"null", {}),
    ("POST", "/_dash-update-component", b"[]", {}),
    ("POST", "/_dash-update-component", b"{", {}),
    ("POST", "/_dash-update-component", b'{"output": 5}', {}),
    ("POST", "/_dash-update-component", b'{"output": "mm-sync.data"}', {}),
    ("POST", "/_dash-update-component", b'{"output": "nope.children", "inputs": []}', {}),
    ("POST", "/_dash-update-component", b"\xff\xfe\x00", {}),
    ("POST", "/_dash-update-component", json.dumps({**CREATE_BODY, "state": "x"}).encode(), {}),
    ("POST", "/_dash-update-component", json.dumps({**CREATE_BODY, "inputs": [{"id": 1}]}).encode(), {}),
    ("POST", "/maturity", b"x", {}),
    ("POST", "/maturity/a/x", b"x", {}),
]


def test_malformed_probes_never_give_500(client, monkeypatch, capsys, caplog):
    monkeypatch.setattr(security, "WRITE_LIMIT_PER_MINUTE", 10_000)
    (p,) = _workshop(1)
    probes = list(PROBES)
    good = autosave_body(p, {"h1.a1": "fully"})
    for broken in ({**good, "state": good["state"][:-1]}, {**good, "inputs": good["inputs"][:1]},
                   {**good, "outputs": []}, autosave_body("A" * 32, {"h1.a1": "fully"}),
                   autosave_body(p, {"h99.z": "fully"}), autosave_body(p, {"h1.a1": "superb"}),
                   autosave_body(p, {"h1.a1": {"$gt": ""}})):
        probes.append(("POST", "/_dash-update-component", json.dumps(broken).encode(), {}))
    fives, tracebacks = [], []
    for method, path, data, headers in probes:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            r = client.open(path, method=method, data=data, headers=headers,
                            content_type="application/json" if data is not None else None)
        if r.status_code >= 500:
            fives.append((path, r.status_code))
        assert b"Traceback" not in r.data
        # a malformed request is the client's mistake: at most one line in the log, no traceback
        tracebacks += [(path, data[:60] if data else b"") for rec in caplog.records if rec.exc_info]
        assert sum(rec.levelno >= logging.WARNING for rec in caplog.records) <= 1, path
    with capsys.disabled():
        print(f"\nmalformed probes tried: {len(probes)}, 500s: {len(fives)}, tracebacks logged: {len(tracebacks)}")
    assert fives == [] and tracebacks == []


def test_dev_server_sends_no_server_header(live_server):
    import urllib.request

    with urllib.request.urlopen(live_server + "/healthz") as r:
        server = r.headers.get("Server") or ""
    assert "werkzeug" not in server.lower() and "python" not in server.lower()


def test_only_our_own_bugs_keep_their_traceback():
    from dashboard.maturity import links

    try:
        links.absolute(None)  # a TypeError raised inside the project's code
    except TypeError as exc:
        assert security._raised_in_app(exc)
    try:
        json.loads("{")  # what Dash meets in a malformed request
    except ValueError as exc:
        assert not security._raised_in_app(exc)
