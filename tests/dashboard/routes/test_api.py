"""The public data API: the four routes answer with figures equal to the build, JSON and CSV,
400 JSON for bad parameters, ETags keyed on the build, and an OpenAPI description."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def built(build_dir):
    return {n: pd.read_parquet(build_dir / f"{n}.parquet") for n in ("observations", "areas", "metrics", "mission_gap")}


def test_observations_equal_the_build(client, built):
    r = client.get("/api/v1/observations?metric=mean_life_satisfaction&geography=ltla&period=2022-23")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    body = r.get_json()
    obs = built["observations"]
    want = obs[(obs.metric_id == "mean_life_satisfaction") & (obs.geography == "ltla") & (obs.period == "2022-23")]
    assert body["total"] == len(want) == 361
    got = pd.DataFrame(body["data"]).set_index("area_code")
    w = want.set_index("area_code")
    assert np.allclose(got.loc[w.index, "value"].astype(float), w["value"].round(2), equal_nan=True)
    assert got.loc["E08000025", "lower"] == round(w.loc["E08000025", "lower"], 2)
    assert body["build"]["fingerprint"]


def test_observations_csv_and_paging(client):
    r = client.get("/api/v1/observations?metric=mean_anxiety&area=E08000025&geography=ltla&format=csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    df = pd.read_csv(io.BytesIO(r.data))
    assert set(df["area_code"]) == {"E08000025"} and len(df) == 12
    page1 = client.get("/api/v1/observations?metric=mean_anxiety&limit=100").get_json()
    assert page1["count"] == 100 and page1["next"].endswith("offset=100&limit=100") or "offset=100" in page1["next"]
    page2 = client.get(page1["next"]).get_json()
    assert page2["offset"] == 100 and page2["data"][0] != page1["data"][0]
    la = client.get("/api/v1/observations?metric=persistent_absence&area=E07000105&view=local_authority").get_json()
    assert la["data"] and {d["native_geography"] for d in la["data"]} == {"utla"}


def test_metrics_areas_and_gap_equal_the_build(client, built):
    m = client.get("/api/v1/metrics").get_json()["data"]
    assert {x["id"] for x in m} == set(built["metrics"]["id"])
    ls = next(x for x in m if x["id"] == "mean_life_satisfaction")
    assert ls["latest_period"] == "2022-23" and "ltla" in ls["geographies"]
    a = client.get("/api/v1/areas?geography=region").get_json()
    assert a["total"] == 9 and {x["code"] for x in a["data"]} == set(
        built["areas"].query("geography == 'region'")["code"])
    assert client.get("/api/v1/areas?q=Harrogate").get_json()["data"][0]["code"] == "E07000165"
    # a council says which combined authority it is in; the combined authority its legal name
    bolton = client.get("/api/v1/areas?q=E08000001").get_json()["data"][0]
    assert bolton["cauth_code"] == "E47000001"
    gm = client.get("/api/v1/areas?geography=cauth&q=E47000001").get_json()["data"][0]
    assert gm["other_names"] == "Greater Manchester Combined Authority"
    g = client.get("/api/v1/mission/gap?metric=overall").get_json()
    gap = built["mission_gap"].query("metric_id == 'overall'")
    assert len(g["data"]) == len(gap) and g["basis"] in ("means", "shares")
    latest = next(x for x in g["data"] if x["period"] == "2022-23")
    assert latest["gap"] == pytest.approx(gap.set_index("period").loc["2022-23", "gap"])


@pytest.mark.parametrize("url,param", [
    ("/api/v1/observations?metric=nope", "metric"),
    ("/api/v1/observations?metric=mean_anxiety&period=1066-67", "period"),
    ("/api/v1/observations?geography=mars", "geography"),
    ("/api/v1/observations?area=E99999999", "area"),
    ("/api/v1/observations?metric=mean_anxiety&format=xml", "format"),
    ("/api/v1/observations?metric=mean_anxiety&limit=-1", "limit"),
    ("/api/v1/observations?metric=mean_anxiety&limit=abc", "limit"),
    ("/api/v1/observations?metirc=mean_anxiety", "metirc"),
    ("/api/v1/observations?metric=mean_anxiety&metric=x", "metric"),
    ("/api/v1/areas?active=maybe", "active"),
    ("/api/v1/metrics?kind=secret", "kind"),
    ("/api/v1/mission/gap?period=1999-00", "period"),
    ("/api/v1/mission/model?period=1999-00", "period"),
    ("/api/v1/mission/model?metric=high_anxiety_x", "metric"),
    ("/api/v1/mission/model?format=xlsx", "format"),
    ("/api/v1/mission/model?area=E09000002", "area"),
])
def test_bad_parameters_are_400_json_naming_them(client, url, param):
    r = client.get(url)
    assert r.status_code == 400 and r.get_json()["parameter"] == param and r.get_json()["message"]


def test_etag_is_keyed_on_the_build_and_the_query(client):
    r = client.get("/api/v1/mission/gap")
    etag = r.headers["ETag"]
    assert r.headers["Cache-Control"].startswith("public")
    assert client.get("/api/v1/mission/gap", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/api/v1/mission/gap?metric=overall").headers["ETag"] != etag


def test_openapi_describes_every_route(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/api/v1/metrics", "/api/v1/areas", "/api/v1/observations", "/api/v1/mission/gap",
                                  "/api/v1/mission/model"}
    params = {p["name"] for p in spec["paths"]["/api/v1/observations"]["get"]["parameters"]}
    assert {"metric", "geography", "period", "area", "format", "limit", "offset", "view"} <= params


def test_gap_returns_the_adjusted_and_noise_only_columns_and_the_schema_lists_them(client, built):
    g = client.get("/api/v1/mission/gap?metric=overall&period=2022-23").get_json()["data"]
    assert len(g) == 1
    row = built["mission_gap"].query("metric_id == 'overall' and period == '2022-23'").iloc[0]
    for col in ("adjusted_gap", "adjusted_gap_lower", "adjusted_gap_upper", "adjusted_change", "adjusted_change_lower",
                "adjusted_change_upper", "noise_only_gap", "noise_only_baseline_gap", "adjusted_baseline_gap"):
        assert g[0][col] == pytest.approx(row[col]), col
    assert g[0]["adjusted_verdict"] == row["adjusted_verdict"] and g[0]["mode_change"] == row["mode_change"]
    assert g[0]["crosses_mode_change"] is bool(row["crosses_mode_change"])
    base = client.get("/api/v1/mission/gap?metric=overall&period=2016-17 to 2018-19").get_json()["data"][0]
    assert base["n_ranked_by_year"] and base["change"] is None  # NaN is null in JSON
    csv = client.get("/api/v1/mission/gap?format=csv").get_data(as_text=True).splitlines()[0].split(",")
    assert {"adjusted_change", "noise_only_gap", "adjusted_verdict"} <= set(csv)
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Gap"]["properties"]
    assert set(built["mission_gap"].columns) <= set(schema), set(built["mission_gap"].columns) - set(schema)
    assert "pre-baseline" in schema["verdict"]["description"]


def test_model_diagnostics_route(client, build_dir):
    model = pd.read_parquet(build_dir / "mission_model.parquet")
    m = client.get("/api/v1/mission/model").get_json()
    assert len(m["data"]) == len(model) and m["basis"] in ("means", "shares")
    one = client.get("/api/v1/mission/model?metric=mean_anxiety&period=2022-23").get_json()["data"]
    want = model.query("metric_id == 'mean_anxiety' and period == '2022-23'").iloc[0]
    assert len(one) == 1 and one[0]["median_reliability"] == pytest.approx(want["median_reliability"], abs=1e-6)
    r = client.get("/api/v1/mission/model?format=csv")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    assert r.get_data(as_text=True).splitlines()[0].startswith("period,is_baseline")
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Model"]["properties"]
    assert set(model.columns) <= set(schema)
    etag = r.headers["ETag"]
    assert client.get("/api/v1/mission/model?format=csv", headers={"If-None-Match": etag}).status_code == 304
