"""DfE children looked after on the real bundled files."""
from __future__ import annotations

import shutil
from pathlib import Path
import pandas as pd
import pytest
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import dfe_absence, dfe_cla, dfe_neet
from tests.etl.sources.support import ctx_on, one, copy_raw


def test_cla_periods_and_counts(cla):
    assert sorted(cla["period"].unique()) == [str(y) for y in range(2016, 2026)]
    latest = cla[cla["period"] == "2025"]
    assert latest.groupby("geography").size().to_dict() == {"country": 1, "region": 9, "utla": 153}
    assert set(cla["metric_id"]) == {"children_looked_after_rate"}

def test_cla_latest_edition_wins_and_old_only_for_2019_2020(cla):
    # Hartlepool 2021-2025 in the 2025 edition: 176, 152, 159, 164, 157
    assert [one(cla, "E06000001", str(y))["value"] for y in range(2021, 2026)] == [176, 152, 159, 164, 157]
    src = cla.groupby("period")["source_file"].first()
    assert src["2021"] == dfe_cla.NEW and src["2020"] == dfe_cla.OLD and src["2018"] == dfe_cla.LAIT
    # Hartlepool 2020 from the 2023 edition is 156 (LAIT prints 157: the EES file wins)
    assert one(cla, "E06000001", "2020")["value"] == 156

def test_cla_ci_byar_from_counts(cla):
    r = one(cla, "E06000001", "2025")  # 157 per 10,000
    assert 140 < r["lower"] < 157 < r["upper"] < 176  # Byar on the published count and population
    assert cla.loc[cla["period"] == "2017", "lower"].isna().all()  # LAIT: no counts, no CI

def test_cla_markings_as_statuses(cla):
    assert one(cla, "E09000001", "2025")["status"] == "suppressed"  # City of London 2025 'c'
    assert one(cla, "E06000053", "2025")["status"] == "not applicable"  # Isles of Scilly 'z'
    assert one(cla, "E06000063", "2023")["status"] == "not applicable"  # Cumberland before it existed
    assert not cla["area_code"].isin(["E10000006", "E10000021", "E08000016", "E08000019"]).any()

def test_cla_recodes(cla):
    r = one(cla, "E08000038", "2025")  # Barnsley, published as E08000016
    assert "E08000016" in r["note"] and not r["derived"]
    ny = one(cla, "E06000065", "2019")  # North Yorkshire county (E10000023) in the 2023 edition
    assert "E10000023" in ny["note"] and ny["value"] > 0

def test_cla_lait_agrees_with_ees(ctx, cla):
    from etl import readers
    lait = dfe_cla.lait_rows(ctx, "LAC")
    v, _ = readers.to_number(lait["Values"], "x", "Values", markers=dfe_cla.DFE_MARKERS)
    m = cla.merge(lait.assign(v=v.to_numpy())[["area_code", "Years", "v"]],
                  left_on=["area_code", "period"], right_on=["area_code", "Years"])
    diff = m[(m["value"] - m["v"]).abs() > 0.01]
    assert len(m) > 1500 and len(diff) <= 1  # only Hartlepool 2020 (a DfE revision)

def test_cla_bad_input_names_file_and_column(tmp_path, ctx):
    raw = copy_raw(tmp_path, [dfe_cla.NEW])
    p = raw / dfe_cla.NEW
    text = p.read_text(encoding="utf-8-sig").splitlines()
    text[5] = text[5].rsplit(",", 1)[0] + ",lots"
    p.write_text("\n".join(text) + "\n")
    with pytest.raises(InputError) as e:
        dfe_cla.parse(ctx_on(raw, ctx))
    assert dfe_cla.NEW in str(e.value) and "rate_per_10000" in str(e.value) and "row 6" in str(e.value)
