"""Downloads: profile CSV (rounded to the publisher's precision), whole tables, 404s and redirects."""
from __future__ import annotations

import io

import pandas as pd


def test_download_routes(client):
    r = client.get("/download/area/E09000002.csv")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    df = pd.read_csv(io.BytesIO(r.data))
    assert {"metric_id", "period", "value", "lower", "upper", "geography_note", "vs_national"} <= set(df.columns)
    means = df[df["metric_id"] == "mean_life_satisfaction"]
    assert (means["value"] == means["value"].round(2)).all()
    assert client.get("/download/area/E99999999.csv").status_code == 404
    assert client.get("/download/area/E08000016.csv").status_code == 302
    r = client.get("/download/metrics.csv")
    assert r.status_code == 200 and b"publisher_url" in r.data
    r = client.get("/download/observations.parquet")
    assert r.status_code == 200 and r.data[:4] == b"PAR1"
    r = client.get("/download/observations.csv")
    assert r.status_code == 200 and r.data.splitlines()[0].startswith(b"metric_id,area_code")


def test_derived_values_carry_no_float_residue(client):
    df = pd.read_csv(io.BytesIO(client.get("/download/la_view.csv").data))
    derived = df[df["derived"].astype(str) == "True"]
    assert len(derived) and all(len(str(v).split(".")[-1]) <= 3 for v in derived["value"].dropna())
