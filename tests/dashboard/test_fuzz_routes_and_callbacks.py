"""Property-based tests over every route's URL parameters and every server callback's inputs:
never a 500, never a traceback in the response (hypothesis, through Flask's test client)."""
from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CODES = ["E09000002", "E08000038", "E08000016", "E06000063", "E12000007", "E92000001", "K02000001",
         "E54000022", "UK0001", "E10000016", "X", "", "E99999999", "<script>alert(1)</script>"]
METRICS = ["mean_life_satisfaction", "high_anxiety", "no2_zone_max_annual_mean", "neet_or_not_known_16_17",
           "nonsense", ""]
PARAM_NAMES = ["metric", "period", "geography", "classes", "benchmark", "area", "areas", "group", "x", "y",
               "comparator", "code", "xp", "yp", "m", "tab", "foo"]

junk = st.one_of(st.none(), st.text(max_size=40), st.integers(-10**9, 10**9), st.floats(allow_nan=True),
                 st.booleans(), st.lists(st.text(max_size=12), max_size=4), st.sampled_from(CODES + METRICS),
                 st.text(alphabet=string.printable, min_size=200, max_size=3000))
query_value = st.one_of(st.sampled_from(CODES + METRICS + ["2022-23", "2011-12", "ltla", "icb", "aq_zone",
                                                         "region", "quantile", "benchmark", "%00", "1e309"]),
                        st.text(max_size=30))


@pytest.fixture(scope="module")
def client(build_dir):
    from dashboard.app import create_app

    app = create_app()
    app.server.config["TESTING"] = True
    return app.server.test_client()


@pytest.fixture(scope="module")
def deps(client):
    return [d for d in client.get("/_dash-dependencies").get_json()
            if not d.get("clientside_function") and "MATCH" not in d["output"] and "ALL" not in json.dumps(d["inputs"])]


def _outputs(dep):
    out = dep["output"]
    parts = out.strip(".").split("...") if out.startswith("..") else [out]
    # a pattern-matching ALL output matches a list of components: here none
    res = [[] if p.startswith("{") and '["ALL"]' in p.rsplit(".", 1)[0] else
           {"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    return res if out.startswith("..") else res[0]


def _post(client, dep, values):
    body = {"output": dep["output"], "outputs": _outputs(dep),
            "inputs": [{"id": i["id"], "property": i["property"], "value": v} for i, v in zip(dep["inputs"], values)],
            "state": [{"id": s["id"], "property": s["property"], "value": None} for s in dep.get("state", [])],
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in dep["inputs"][:1]]}
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code in (200, 204), (dep["output"], values, r.status_code, r.data[:500])
    assert b"Traceback" not in r.data and b"File \"/" not in r.data
    return r


def _pages(client, deps):
    return next(d for d in deps if "_pages_content" in d["output"])


ROUTES = ["/", "/map", "/compare", "/drivers", "/data", "/maturity", "/area/E09000002", "/area/{code}",
          "/maturity/a/{code}", "/maturity/f/{code}", "/maturity/r/{code}", "/nope/{code}"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), code=st.one_of(st.sampled_from(CODES), st.text(max_size=30)),
       params=st.dictionaries(st.sampled_from(PARAM_NAMES), query_value, max_size=4))
def test_every_route_with_any_query_renders(client, deps, route, code, params):
    from urllib.parse import urlencode

    path = route.replace("{code}", code.replace("/", "")) or "/"
    search = ("?" + urlencode(params)) if params else ""
    r = _post(client, _pages(client, deps), [path, search])
    assert r.status_code == 200


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_server_callback_survives_junk(client, deps, data):
    for dep in deps:
        if "_pages_content" in dep["output"]:
            continue
        values = [data.draw(junk) for _ in dep["inputs"]]
        _post(client, dep, values)


def test_plain_routes_never_500(client):
    for path in ["/healthz", "/geo/ltla.geojson", "/geo/../../etc/passwd", "/geo/zzz.geojson",
                 "/download/observations.csv", "/download/area/XYZ.csv", "/download/area/E09000002.csv",
                 "/maturity/export/nothing.json", "/area/%00", "/map?metric=%ff"]:
        r = client.get(path)
        assert r.status_code < 500, (path, r.status_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.dictionaries(st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds", "x"]),
                                      junk, max_size=5),
                      st.lists(junk, max_size=3), junk))
def test_malformed_callback_requests_are_client_errors(client, body):
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code < 500, (body, r.status_code)
    assert b"Traceback" not in r.data
