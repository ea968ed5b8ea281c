"""ONS Explore Local Statistics indicator files on the real bundled data: claimant count, ASHE pay, persistent absence and the context indicators."""
from __future__ import annotations

from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import (defra_flytipping, dluhc_temporary_accommodation, ons_els_indicators,
                         ons_health_index, sport_active_lives)
from tests.etl.sources.support import RAW, ctx_on, obs_row, english_ltla, latest_coverage


def test_claimant_periods_and_geographies(ctx, els):
    cc = els[els["metric_id"] == "claimant_count_rate"]
    assert sorted(cc["period"].unique()) == [str(y) for y in range(2001, 2026)]
    last = cc[cc["period"] == "2025"]
    assert last.groupby("geography")["area_code"].nunique().to_dict() == {
        "uk": 1, "country": 4, "region": 9, "utla": 21, "ltla": 361}
    assert set(last.loc[last["geography"] == "ltla", "area_code"]) == ctx.current_ltla
    assert last["status"].eq("ok").all()

def test_claimant_spot_values_and_recode(els):
    assert obs_row(els, "claimant_count_rate", "E08000025", "2025")["value"] == pytest.approx(10.1)  # Birmingham
    assert obs_row(els, "claimant_count_rate", "K02000001", "2001")["value"] == pytest.approx(2.6)
    b = obs_row(els, "claimant_count_rate", "E08000038", "2025")  # published as E08000016 Barnsley 3.2
    assert b["value"] == pytest.approx(3.2) and "E08000016" in b["note"]
    assert not (els["area_code"] == "E08000016").any()

def test_claimant_x_is_not_available(els):
    ni = obs_row(els, "claimant_count_rate", "N09000001", "2005")
    assert ni["status"] == "not available" and np.isnan(ni["value"])
    cc = els[els["metric_id"] == "claimant_count_rate"]
    assert (cc["status"] == "not available").sum() == 132

def test_ashe_values_cis_and_markings(els):
    uk = obs_row(els, "median_weekly_pay_all", "K02000001", "2025")
    assert (uk["value"], uk["lower"], uk["upper"]) == pytest.approx((642.5, 641.2407, 643.7593))
    leeds = obs_row(els, "median_weekly_pay_all", "E08000035", "2025")
    assert leeds["value"] == pytest.approx(610.7) and leeds["lower"] == pytest.approx(583.169644)
    col = obs_row(els, "median_weekly_pay_all", "E09000001", "2025")  # City of London 'u'
    assert col["status"] == "low reliability" and np.isnan(col["value"])
    cumb = obs_row(els, "median_weekly_pay_all", "E06000063", "2021")  # Cumberland 'x' before it existed
    assert cumb["status"] == "not available"
    ashe = els[els["metric_id"] == "median_weekly_pay_all"]
    assert sorted(ashe["period"].unique()) == [str(y) for y in range(2008, 2026)]
    assert ashe["status"].value_counts().to_dict() == {"ok": 6911, "not available": 94, "low reliability": 35}

def test_persistent_absence(ctx, els):
    pa = els[els["metric_id"] == "persistent_absence"]
    assert sorted(pa["period"].unique()) == [f"{y}/{(y + 1) % 100:02d}" for y in range(2006, 2025) if y != 2019]
    assert set(pa["geography"]) == {"utla", "region", "country"}
    latest = pa[pa["period"] == "2024/25"]
    assert set(latest.loc[latest["geography"] == "utla", "area_code"]) == {
        c for c in ctx.codes("utla") if c.startswith("E")}
    assert obs_row(els, "persistent_absence", "E06000015", "2024/25")["value"] == pytest.approx(19.53079)  # Derby
    assert obs_row(els, "persistent_absence", "E10000014", "2024/25")["value"] == pytest.approx(15.76948)  # Hampshire
    assert obs_row(els, "persistent_absence", "E92000001", "2023/24")["value"] == pytest.approx(19.95004)
    # retired upper-tier codes are not emitted
    assert not pa["area_code"].isin(["E10000006", "E10000023", "E10000027", "E06000028", "E10000021"]).any()
    # every English LTLA reaches a value through its upper tier
    assert latest_coverage(ctx, els, "persistent_absence", "2024/25") == english_ltla(ctx)

def test_context_metrics(ctx, els):
    hle = obs_row(els, "healthy_life_expectancy_male", "K02000001", "2011-2013")
    assert (hle["value"], hle["lower"], hle["upper"]) == pytest.approx((62.7, 62.6, 62.9))
    corn = obs_row(els, "healthy_life_expectancy_female", "E06000052", "2022-2024", "utla")
    assert (corn["value"], corn["lower"], corn["upper"]) == pytest.approx((60.0, 56.5, 63.5))
    assert set(els.loc[els["metric_id"].str.startswith("healthy_life"), "geography"]) == {"uk", "country", "region", "utla"}
    arts = obs_row(els, "culture_engaged_arts", "E08000009", "2023-24")  # Trafford 93 (90-96)
    assert (arts["value"], arts["lower"], arts["upper"]) == pytest.approx((93, 90, 96))
    cult = els[(els["metric_id"] == "culture_visited_heritage") & (els["geography"] == "ltla")]
    assert set(cult["area_code"]) == english_ltla(ctx)
    pov = els[els["metric_id"] == "child_poverty_ahc"]
    assert sorted(pov["period"].unique()) == ["2023-24", "2024-25"]
    # both the old and new Barnsley codes are published: the new-code row wins, no duplicate
    assert len(els[(els["metric_id"] == "child_poverty_bhc") & (els["area_code"] == "E08000038")]) == 4
    gd = els[els["metric_id"] == "gdhi_per_head"]
    assert sorted(gd["period"].unique())[0] == "1997" and sorted(gd["period"].unique())[-1] == "2023"

def _parse_edited(ctx, tmp_path, spec, old: str, new: str) -> str:
    """Parse one ELS file from a copy in which the first `old` reads `new`: the InputError's message."""
    dest = tmp_path / spec.path
    dest.parent.mkdir(parents=True)
    dest.write_text((RAW / spec.path).read_text(encoding="utf-8-sig").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as e:
        ons_els_indicators.parse_file(ctx_on(tmp_path, ctx), spec)
    return str(e.value)

def test_els_renamed_column(ctx, tmp_path):
    msg = _parse_edited(ctx, tmp_path, ons_els_indicators.FILES[0], "observation", "value")
    assert "ons-claimant-count/claimant-count.csv" in msg and "'observation'" in msg

def test_els_non_numeric_cell(ctx, tmp_path):
    msg = _parse_edited(ctx, tmp_path, ons_els_indicators.FILES[1], ",642.5,", ",six hundred,")
    assert "ons-ashe/gross-median-weekly-pay.csv" in msg and "row 2, column 'observation'" in msg
