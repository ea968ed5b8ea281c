"""Every source parser's rows meet the observations contract, one row per key."""
from __future__ import annotations

from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import (defra_flytipping, dluhc_temporary_accommodation, ons_els_indicators,
                         ons_health_index, sport_active_lives)


@pytest.mark.parametrize("name", ["els", "hi", "sport", "ta", "fly"])
def test_contract(name, request):
    obs = request.getfixturevalue(name)
    validate_observations(obs)
    assert not obs.duplicated(["metric_id", "area_code", "geography", "period"]).any()
