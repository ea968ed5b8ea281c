"""Defra fly-tipping on the real bundled files."""
from __future__ import annotations

from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from etl import readers
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import (defra_flytipping, dluhc_temporary_accommodation, ons_els_indicators,
                         ons_health_index, sport_active_lives)
from tests.etl.sources.support import RAW, ctx_on, obs_row, english_ltla


def test_flytipping_periods_and_coverage(ctx, fly):
    counts = fly[fly["metric_id"] == "fly_tipping_incidents"]
    rates = fly[fly["metric_id"] == "fly_tipping_rate"]
    assert sorted(counts["period"].unique()) == [f"{y}-{(y + 1) % 100:02d}" for y in range(2012, 2023)]
    assert sorted(rates["period"].unique()) == ["2019-20", "2020-21", "2021-22", "2022-23"]
    latest = rates[rates["period"] == "2022-23"]
    assert latest.groupby("geography")["area_code"].nunique().to_dict() == {"country": 1, "region": 9, "ltla": 296}
    assert set(latest.loc[(latest["geography"] == "ltla") & (latest["status"] == "ok"), "area_code"]) == english_ltla(ctx)

def test_flytipping_spot_values(fly):
    assert obs_row(fly, "fly_tipping_incidents", "E92000001", "2012-13")["value"] == 714637
    assert obs_row(fly, "fly_tipping_incidents", "E92000001", "2018-19")["value"] == 957157  # comparable total
    eng = obs_row(fly, "fly_tipping_rate", "E92000001", "2022-23")
    assert eng["value"] == pytest.approx(18.958874) and eng["lower"] < eng["value"] < eng["upper"]
    assert obs_row(fly, "fly_tipping_rate", "E12000007", "2019-20")["value"] == pytest.approx(40.178581)  # London
    traf = obs_row(fly, "fly_tipping_rate", "E08000009", "2022-23")
    assert traf["value"] == pytest.approx(8.586506) and traf["note"] == "Reporting basis: All incidents"
    hack = obs_row(fly, "fly_tipping_rate", "E09000012", "2021-22")  # ':' in the file
    assert hack["status"] == "not available" and np.isnan(hack["value"])
    cum = obs_row(fly, "fly_tipping_rate", "E06000063", "2022-23")  # Allerdale + Carlisle + Copeland
    assert cum["derived"] and cum["value"] == pytest.approx((1756 + 1485 + 306) / (96555 + 111418 + 67417) * 1000)
    cumc = obs_row(fly, "fly_tipping_incidents", "E06000063", "2022-23")
    assert cumc["value"] == 1756 + 1485 + 306 and cumc["derived"]

def test_flytipping_bad_cell(ctx, tmp_path):
    real = readers.read_sheet(RAW / defra_flytipping.SOURCE, "LA_incidents")
    small = real.iloc[:30].copy()
    small.iat[5, 4] = "lots"  # Total Incidents of the 3rd data row
    dest = tmp_path / defra_flytipping.SOURCE
    dest.parent.mkdir(parents=True)
    with pd.ExcelWriter(dest, engine="odf") as w:
        small.to_excel(w, sheet_name="LA_incidents", header=False, index=False)
    with pytest.raises(InputError) as e:
        defra_flytipping.parse_incidents(ctx_on(tmp_path, ctx))
    msg = str(e.value)
    assert "Flytipping_incidents" in msg and "'Total Incidents'" in msg and "row 6" in msg
