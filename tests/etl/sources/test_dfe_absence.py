"""DfE school absence on the real bundled files."""
from __future__ import annotations

import shutil
from pathlib import Path
import pandas as pd
import pytest
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import _lait, dfe_absence, dfe_cla, dfe_neet
from tests.etl.sources.support import ctx_on, one, copy_raw


def test_absence_periods_and_counts(absence):
    labels = sorted(absence["period"].unique())
    assert labels[0] == "2015/16" and labels[-1] == "2024/25" and len(labels) == 10
    latest = absence[absence["period"] == "2024/25"]
    assert latest.groupby("geography").size().to_dict() == {"country": 1, "region": 9, "utla": 153}
    assert (absence.loc[absence["period"] == "2019/20", "status"] == "not available").all()

def test_absence_spot_values(absence):
    # LAIT TotAbs: Derby 2024/25 6.99; England 970 and Yorkshire and the Humber by name
    assert one(absence, "E06000015", "2024/25")["value"] == pytest.approx(6.99)
    assert one(absence, "E92000001", "2024/25")["status"] == "ok"
    assert one(absence, "E12000003", "2024/25")["status"] == "ok"
    assert one(absence, "E06000063", "2021/22")["status"] == "not available"  # Cumberland '-'

def test_absence_unknown_la_number_raises(tmp_path, ctx):
    raw = copy_raw(tmp_path, [dfe_cla.LAIT])
    df = pd.read_parquet(raw / dfe_cla.LAIT)
    i = df.index[(df["Short Desc"] == "TotAbs")][3]
    df.loc[i, "LA Number"] = 999.0
    df.to_parquet(raw / dfe_cla.LAIT)
    _lait.lait_table.cache_clear()
    try:
        with pytest.raises(InputError) as e:
            dfe_absence.parse(ctx_on(raw, ctx))
    finally:
        _lait.lait_table.cache_clear()
    assert dfe_cla.LAIT in str(e.value) and "'LA Number'" in str(e.value) and f"row {i}" in str(e.value)

def test_absence_pre2019_dorset_numbers_are_dropped_not_errors(absence):
    assert not absence["area_code"].isin(["E06000028", "E06000029", "E10000009"]).any()
