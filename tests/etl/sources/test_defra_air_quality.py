"""Defra air quality by air-quality zone and the LTLA -> zone lookup, on the real bundled files."""
from __future__ import annotations

import shutil
from pathlib import Path
import pandas as pd
import pytest
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import defra_air_quality as aq
from etl.sources import nhs_rtt
from tests.etl.sources.support import copy_raw, ctx_on, one, raw_with_cell


def test_zone_areas_added(ctx_aq):
    z = ctx_aq.areas[ctx_aq.areas["geography"] == "aq_zone"]
    assert len(z) == 43 and set(z["code"]) == {f"UK{i:04d}" for i in range(1, 44)}
    assert (z.loc[z["code"] <= "UK0028", "la_type"] == "Agglomeration").all()
    assert (z.loc[z["code"] > "UK0028", "la_type"] == "Zone").all()
    assert z.set_index("code").loc["UK0043", "country_code"] == "N92000002"

def test_every_current_ltla_has_one_zone(ctx_aq):
    a = ctx_aq.areas
    lt = a[(a["geography"] == "ltla") & a["active"]]
    assert len(lt) == 361 and lt["aq_zone_code"].notna().all()
    look = ctx_aq.extra_tables["ltla_aq_zone"]
    assert len(look) == 361 and look["ltla_code"].is_unique
    site_based = look[~look["derived"]]
    assert (site_based["rule"] == aq.RULE_SITES).all() and (site_based["n_sites"] > 0).all()
    assert (look.loc[look["derived"], "n_sites"] == 0).all()
    assert len(site_based) == 135

def test_zone_lookup_spot_checks(ctx_aq):
    look = ctx_aq.extra_tables["ltla_aq_zone"].set_index("ltla_code")
    assert look.loc["E09000033", "aq_zone_code"] == "UK0001"  # Westminster: sites, Greater London
    assert look.loc["E08000035", "aq_zone_code"] == "UK0004"  # Leeds: West Yorkshire Urban Area
    assert look.loc["E08000039", "aq_zone_code"] == "UK0007"  # Sheffield (2025 code)
    assert look.loc["S12000023", "aq_zone_code"] == "UK0039" and look.loc["S12000023", "derived"]  # Orkney
    assert look.loc["E06000017", "aq_zone_code"] == "UK0032"  # Rutland -> East Midlands zone, derived
    assert look.loc["E06000017", "rule"] == aq.RULE_NEIGHBOURS

def test_no2_max_values_and_status(air, ctx_aq):
    mx = air[air["metric_id"] == aq.MAX_ID]
    assert sorted(mx["period"].unique()) == ["2021", "2022", "2023"]
    assert mx.groupby("period").size().tolist() == [43, 43, 43]
    r = one(mx, "UK0003", "2023")  # Greater Manchester Urban Area 2023: 55, Exceeding
    assert r["value"] == 55 and "Exceeding" in r["note"]
    assert "Compliant" in one(mx, "UK0043", "2023")["note"]
    exceeding = set(mx.loc[(mx["period"] == "2021") & mx["note"].str.contains("Exceeding"), "area_code"])
    assert exceeding == {"UK0001", "UK0002", "UK0003", "UK0004", "UK0006", "UK0007", "UK0008", "UK0009",
                         "UK0024", "UK0041"}
    t = ctx_aq.extra_tables["aq_zones"]
    assert len(t) == 129 and set(t.columns) >= {"code", "name", "type", "year", "compliance_status"}

def test_site_median_context(air):
    md = air[air["metric_id"] == aq.MEDIAN_ID]
    assert sorted(md["period"].unique()) == [str(y) for y in range(2013, 2019)]  # 2019 excluded
    assert len(md[md["period"] == "2018"]) == 43
    assert (md.loc[md["status"] == "ok", "note"].str.startswith("median of ")).all()

def test_air_bad_input_names_file_and_column(tmp_path, ctx_aq):
    rel = aq.ZONE_FILES[2022]
    raw = raw_with_cell(tmp_path, rel, 2, "maximum_value", "high", encoding="utf-8-sig")
    with pytest.raises(InputError) as e:
        aq.parse(ctx_on(raw, ctx_aq))
    assert rel in str(e.value) and "'maximum_value'" in str(e.value) and "row 4" in str(e.value)

def test_air_unknown_zone_name(tmp_path, ctx_aq):
    raw = copy_raw(tmp_path, [aq.META])
    df = pd.read_csv(raw / aq.META, dtype=str, keep_default_na=False)
    i = df.index[(df["parameter"] == "NO2") & (df["agglomeration"] == "")][0]
    df.loc[i, "zone"] = "Atlantis"
    df.to_csv(raw / aq.META, index=False)
    with pytest.raises(InputError) as e:
        aq.extend_areas(ctx_on(raw, ctx_aq))
    assert aq.META in str(e.value) and "Atlantis" in str(e.value) and f"row {i + 2}" in str(e.value)
