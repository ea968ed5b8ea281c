"""The NHS referral-to-treatment parser on a fixture in the publisher's layout."""
from __future__ import annotations

import shutil
from pathlib import Path
import pandas as pd
import pytest
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import defra_air_quality as aq
from etl.sources import nhs_rtt

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "nhs_rtt" / "rtt_full.csv"


def test_rtt_fixture_median_and_share(icb_map):
    df = validate_observations(nhs_rtt.parse_rtt(FIXTURE, nhs_rtt.RTT, icb_map))
    assert set(df["period"]) == {"2025-03-31"} and (df["geography"] == "icb").all()
    qe1, qyg = icb_map["QE1"][0], icb_map["QYG"][0]
    med = df[df["metric_id"] == nhs_rtt.MEDIAN_ID].set_index("area_code")["value"]
    share = df[df["metric_id"] == nhs_rtt.WITHIN_ID].set_index("area_code")["value"]
    # QE1: two providers summed (60 pathways; Part_1A and C_100 rows ignored): median 3.0 weeks
    assert med[qe1] == pytest.approx(3.0) and share[qe1] == pytest.approx(50 / 60 * 100)
    assert med[qyg] == pytest.approx(30.5) and share[qyg] == 0

def test_rtt_absent_file_gives_no_rows(ctx_aq):
    assert len(nhs_rtt.parse(ctx_aq)) == 0

def test_rtt_bad_inputs(tmp_path, icb_map):
    df = pd.read_csv(FIXTURE, dtype=str)
    bad = df.copy()
    bad.loc[0, "Commissioner Parent Org Code"] = "ZZZ"
    p = tmp_path / "rtt_full.csv"
    bad.to_csv(p, index=False)
    with pytest.raises(InputError) as e:
        nhs_rtt.parse_rtt(p, nhs_rtt.RTT, icb_map)
    assert nhs_rtt.RTT in str(e.value) and "Commissioner Parent Org Code" in str(e.value) and "row 2" in str(e.value)
    df.drop(columns=["Gt 05 To 06 Weeks SUM 1"]).to_csv(p, index=False)
    with pytest.raises(InputError) as e:
        nhs_rtt.parse_rtt(p, nhs_rtt.RTT, icb_map)
    assert "Gt 06 To 07 Weeks SUM 1" in str(e.value)
