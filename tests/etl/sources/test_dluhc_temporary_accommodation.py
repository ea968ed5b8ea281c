"""MHCLG temporary accommodation on the real bundled workbooks."""
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


def test_ta_periods_and_coverage(ctx, ta):
    assert sorted(ta["period"].unique()) == [f"{y}-03-31" for y in range(2019, 2026)] + ["2025-12-31"]
    for p, g in ta.groupby("period"):
        assert g.groupby("geography")["area_code"].nunique().to_dict() == {"country": 1, "region": 9, "ltla": 296}, p
        assert set(g.loc[g["geography"] == "ltla", "area_code"]) == english_ltla(ctx)
    latest = ta[ta["period"] == "2025-12-31"]
    assert latest["status"].value_counts().to_dict() == {"ok": 299, "not available": 7}

def test_ta_spot_values_and_ci(ta):
    eng = obs_row(ta, "temporary_accommodation_rate", "E92000001", "2025-12-31")  # 134,210 / 24,440.28
    assert eng["value"] == pytest.approx(5.491345)
    assert eng["lower"] < eng["value"] < eng["upper"] and eng["upper"] - eng["lower"] < 0.1
    assert obs_row(ta, "temporary_accommodation_rate", "E92000001", "2019-03-31")["value"] == pytest.approx(3.636372)
    hack = obs_row(ta, "temporary_accommodation_rate", "E09000012", "2025-12-31")  # Hackney 3,682 / 111.401
    assert hack["value"] == pytest.approx(33.051768)
    p = 3682 / 111401
    assert hack["lower"] == pytest.approx(1000 * (p - 1.96 * np.sqrt(p * (1 - p) / 111401)), rel=2e-3)
    assert obs_row(ta, "temporary_accommodation_rate", "E08000009", "2025-12-31")["value"] == pytest.approx(2.804166)
    # '..' is not available, never 0
    na = ta[ta["status"] == "not available"]
    assert na["value"].isna().all() and len(na) > 0

def test_ta_harmonised_from_counts(ta):
    # Cumberland at 31 March 2019 = Allerdale 8 + Carlisle 4 + Copeland 9 over 43.54 + 49.311 + 29.759
    cum = obs_row(ta, "temporary_accommodation_rate", "E06000063", "2019-03-31")
    assert cum["derived"] and cum["value"] == pytest.approx(21 / (43.54 + 49.311 + 29.759))
    assert cum["lower"] < cum["value"] < cum["upper"]
    # North Yorkshire 2021: a predecessor did not report -> not available, not a partial sum
    ny = obs_row(ta, "temporary_accommodation_rate", "E06000065", "2021-03-31")
    assert ny["status"] == "not available" and np.isnan(ny["value"])
    assert not ta["area_code"].isin(["E07000026", "E06000028", "E08000016"]).any()

def test_ods_sheet_reader_matches_odfpy(tmp_path):
    # calamine (readers.read_sheet) against odfpy, pandas' reference ODS reader, cell by cell
    df = pd.DataFrame({"a": ["E92000001", "x  y", None, "E12000001"], "b": [1.5, None, 3, 4],
                       "c": ["..", "z", None, "0"]})
    path = tmp_path / "t.ods"
    with pd.ExcelWriter(path, engine="odf") as w:
        pd.DataFrame({"q": [1]}).to_excel(w, sheet_name="Other", index=False)
        df.to_excel(w, sheet_name="TA1", index=False)
    ours = readers.read_sheet(path, "TA1")
    theirs = pd.read_excel(path, "TA1", header=None, engine="odf", dtype=object)
    assert ours.shape == theirs.shape
    for i in range(ours.shape[0]):
        for j in range(ours.shape[1]):
            a, b = ours.iat[i, j], theirs.iat[i, j]
            assert (pd.isna(a) and pd.isna(b)) or a == b, (i, j, a, b)
    with pytest.raises(InputError) as e:
        readers.read_sheet(path, "TA2")
    assert "t.ods" in str(e.value) and "TA2" in str(e.value)

def test_ta_non_numeric_cell(tmp_path):
    src = RAW / dluhc_temporary_accommodation.FILES["2024-03-31"][0]
    raw = pd.read_excel(src, "TA1", header=None, nrows=20)
    raw.iat[8, 6] = "abc"  # London's rate
    out = tmp_path / "ta.xlsx"
    raw.to_excel(out, sheet_name="TA1", header=False, index=False)
    with pytest.raises(InputError) as e:
        dluhc_temporary_accommodation.parse_ta1(out, "dluhc-temporary-accommodation/Detailed_LA_202403.xlsx",
                                                "TA1", "2024-03-31")
    msg = str(e.value)
    assert "Detailed_LA_202403.xlsx" in msg and "row 9" in msg and "per 1,000" in msg
