"""DfE NEET on the real bundled files."""
from __future__ import annotations

import shutil
from pathlib import Path
import pandas as pd
import pytest
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import dfe_absence, dfe_cla, dfe_neet
from tests.etl.sources.support import copy_raw, ctx_on, one, raw_with_cell


def test_neet_periods_and_counts(neet):
    assert sorted(neet["period"].unique()) == [str(y) for y in range(2019, 2026)]
    latest = neet[neet["period"] == "2025"]
    assert latest.groupby("geography").size().to_dict() == {"country": 1, "region": 9, "utla": 151}

def test_neet_spot_values_and_ci(neet):
    # Derby NEET + not known 2021-2025: 7.4, 5.6, 4.3, 4.1, 7.9
    assert [one(neet, "E06000015", str(y))["value"] for y in range(2021, 2026)] == [7.4, 5.6, 4.3, 4.1, 7.9]
    r = one(neet, "E06000015", "2025")
    assert r["lower"] < 7.9 < r["upper"] and r["upper"] - r["lower"] < 2
    assert one(neet, "E92000001", "2025")["value"] == 5.6
    assert pd.isna(one(neet, "E06000015", "2020")["lower"])  # LAIT year: no cohort, no CI

def test_neet_demo_rows_excluded(neet):
    y21 = neet[neet["period"] == "2021"]
    assert not y21["area_name"].isin(["LA demo", "Region demo"]).any()
    assert len(y21[y21["geography"] == "region"]) == 9
    assert not neet["area_code"].isin(["E09000001", "E06000053"]).any()  # reported with Hackney/Cornwall

def test_neet_bad_percent_names_file_and_column(tmp_path, ctx):
    rel = dfe_neet.FILES[1]
    raw = raw_with_cell(tmp_path, rel, 4, "NEET_not_known_percent", "n/a")
    with pytest.raises(InputError) as e:
        dfe_neet.parse(ctx_on(raw, ctx))
    assert rel in str(e.value) and "'NEET_not_known_percent'" in str(e.value) and "row 6" in str(e.value)

def test_neet_renamed_column(tmp_path, ctx):
    rel = dfe_neet.FILES[0]
    raw = copy_raw(tmp_path, [rel])
    df = pd.read_csv(raw / rel, dtype=str, keep_default_na=False).rename(columns={"Cohort_DJFavg": "cohort"})
    df.to_csv(raw / rel, index=False)
    with pytest.raises(InputError) as e:
        dfe_neet.parse(ctx_on(raw, ctx))
    assert rel in str(e.value) and "Cohort_DJFavg" in str(e.value)
