"""ONS Health Index on the real bundled workbook."""
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
from tests.etl.sources.support import RAW, obs_row, english_ltla


def test_health_index_shape(ctx, hi):
    assert sorted(hi["period"].unique()) == [str(y) for y in range(2015, 2022)]
    latest = hi[(hi["period"] == "2021") & (hi["metric_id"] == "health_index_physical")]
    assert latest.groupby("geography")["area_code"].nunique().to_dict() == {
        "country": 1, "region": 9, "utla": 21, "ltla": 294, "icb": 42}
    # Isles of Scilly and City of London are not published separately
    assert english_ltla(ctx) - set(latest["area_code"]) == {"E06000053", "E09000001"}
    assert hi["status"].eq("ok").all()

def test_health_index_spot_values(hi):
    assert obs_row(hi, "health_index_physical", "E92000001", "2015")["value"] == 100.0
    assert obs_row(hi, "health_index_mental", "E92000001", "2021")["value"] == pytest.approx(97.4)
    assert obs_row(hi, "health_index_physical", "E06000015", "2021")["value"] == pytest.approx(92.9)  # Derby
    assert obs_row(hi, "health_index_mental", "E08000009", "2015")["value"] == pytest.approx(109.0)  # Trafford
    assert obs_row(hi, "health_index_physical", "E54000008", "2021", "icb")["value"] == pytest.approx(99.9)
    # Barnsley published under its 2021 code
    assert obs_row(hi, "health_index_physical", "E08000038", "2021")["value"] == pytest.approx(100.5)
    # Cumberland derived from Allerdale 109.9, Carlisle 96.7, Copeland 88.1 (population-weighted)
    cum = obs_row(hi, "health_index_physical", "E06000063", "2021")
    assert cum["derived"] and 88.1 < cum["value"] < 109.9
    assert "E07000026" in cum["note"]
    # retired county dropped
    assert not (hi["area_code"] == "E10000006").any()

def test_health_index_renamed_column(ctx, tmp_path):
    path = RAW / ons_health_index.LA_FILE
    raw = pd.read_excel(path, "Table_3_2021_Index", header=None, nrows=15)
    raw.iloc[4] = raw.iloc[4].replace("Mental health [Pe]", "Mental wellbeing [Pe]")
    out = tmp_path / "hi.xlsx"
    raw.to_excel(out, sheet_name="Table_3_2021_Index", header=False, index=False)
    with pytest.raises(InputError) as e:
        ons_health_index.parse_sheet(readers.read_sheet(out, "Table_3_2021_Index"), ons_health_index.LA_FILE,
                                     "Table_3_2021_Index", 2021, True)
    msg = str(e.value)
    assert "ons-health-index/healthindexscoresengland.xlsx" in msg and "Mental health [Pe]" in msg
