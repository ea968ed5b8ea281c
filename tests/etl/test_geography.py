"""Geography: the areas table, the LTLA -> ICB rule and the simplified geometry."""
from __future__ import annotations

import gzip
import json
import pandas as pd
import pytest
from etl import build as build_mod
from etl.errors import InputError
from tests.helpers import raw_copy


def test_ltla_geometry_is_small_and_complete(build_dir):
    gj = json.loads((build_dir / "geo_ltla.geojson").read_text())
    assert len(gj["features"]) == 361
    assert {f["id"] for f in gj["features"]} >= {"E08000038", "E08000039", "E06000063"}
    assert len(gzip.compress((build_dir / "geo_ltla.geojson").read_bytes())) <= 150_000
    x, y = gj["features"][0]["geometry"]["coordinates"][0][0][0] if gj["features"][0]["geometry"]["type"] == "MultiPolygon" \
        else gj["features"][0]["geometry"]["coordinates"][0][0]
    assert -9 < x < 2 and 49 < y < 61  # WGS84 lon/lat

def test_areas_and_icb_rule(build_dir):
    a = pd.read_parquet(build_dir / "areas.parquet")
    lt = a[(a.geography == "ltla") & a.active].set_index("code")
    assert len(lt) == 361
    assert lt.loc["E07000244", "icb_code"] == "E54000022"  # East Suffolk: 50/50 tie -> lower ICB code
    assert lt.loc["E07000244", "icb_share"] == pytest.approx(0.5) and lt.loc["E07000244", "icb_split"]
    assert lt.loc["E07000216", "icb_split"]  # Waverley
    assert lt.loc["E07000008", "utla_code"] == "E10000003"  # Cambridge -> Cambridgeshire
    assert lt.loc["E08000038", "region_code"] == "E12000003"
    assert lt.icb_code[lt.country_code == "E92000001"].notna().all()
    old = a[a.code == "E07000026"].iloc[0]
    assert not old.active and old.successor_code == "E06000063"


def test_every_icb_share_of_a_split_area_is_kept(build_dir):
    """Areas keep the ICB the stated rule assigns; ltla_icb.parquet keeps every share."""
    s = pd.read_parquet(build_dir / "ltla_icb.parquet")
    assert set(s.columns) >= {"ltla", "icb_code", "icb_name", "n_lsoa", "share", "assigned"}
    assert s.groupby("ltla")["share"].sum().round(9).eq(1).all()
    assert s.groupby("ltla")["assigned"].sum().eq(1).all()
    es = s[s.ltla == "E07000244"].set_index("icb_code")
    assert set(es.index) == {"E54000022", "E54000023"} and es["share"].tolist() == [0.5, 0.5]
    assert es.loc["E54000022", "assigned"]  # the tie goes to the lower code, as in areas.parquet
    a = pd.read_parquet(build_dir / "areas.parquet")
    lt = a[(a.geography == "ltla") & a.active].set_index("code")
    best = s[s["assigned"]].set_index("ltla")
    assert (lt.loc[best.index, "icb_code"] == best["icb_code"]).all()
    assert (lt.loc[best.index, "icb_split"] == best.index.map(s.groupby("ltla").size() > 1)).all()
