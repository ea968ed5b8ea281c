"""Sport England Active Lives on the real bundled file."""
from __future__ import annotations

from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import (defra_flytipping, dluhc_temporary_accommodation, ons_els_indicators,
                         ons_health_index, sport_active_lives)
from tests.etl.sources.support import RAW, ctx_on, obs_row, english_ltla


def test_active_lives(ctx, sport):
    act = sport[sport["metric_id"] == "physically_active_adults"]
    assert sorted(act["period"].unique()) == [f"{y}/{(y + 1) % 100:02d}" for y in range(2015, 2025)]
    eng = act[act["area_code"] == "E92000001"].sort_values("period")["value"].tolist()
    assert eng == pytest.approx([66.1, 66.0, 66.3, 67.2, 66.4, 65.9, 67.3, 67.1, 67.4, 68.0])
    assert obs_row(sport, "physically_active_adults", "E08000009", "2024/25")["value"] == pytest.approx(70.2)
    # overlap years: the published Cumberland value (66.1), never a mix with Allerdale (66.4)
    cum = obs_row(sport, "physically_active_adults", "E06000063", "2021/22")
    assert cum["value"] == pytest.approx(66.1) and not cum["derived"]
    for p in act["period"].unique():
        rows = act[(act["period"] == p) & (act["geography"] == "ltla")]
        assert set(rows["area_code"]) == english_ltla(ctx), p
    assert not sport["area_code"].isin(["E07000026", "E08000016"]).any()
    assert obs_row(sport, "physically_inactive_adults", "E92000001", "2024/25")["value"] == pytest.approx(21.8)
    assert sport["lower"].isna().all()

def test_active_lives_bad_value(ctx, tmp_path):
    src = RAW / sport_active_lives.ACTIVE
    dest = tmp_path / sport_active_lives.ACTIVE
    dest.parent.mkdir(parents=True)
    lines = src.read_text().splitlines()
    lines[1] = lines[1].replace(",66.1,", ",high,")
    dest.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        sport_active_lives.parse_file(ctx_on(tmp_path, ctx), sport_active_lives.ACTIVE)
    assert "ohid_fingertips_93014" in str(e.value) and "row 2, column 'value'" in str(e.value)
