"""Nearest neighbours: distances on standardised indicators, the half-shared rule, the fallback."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import neighbours as nb
from tests.dashboard import synthetic as syn


def test_nearest_neighbours_distance_and_fallback():
    lv, _obs, a, _m = syn._frames()
    extra = []
    for code, name, x, y in [("E07000001", "Alpha", 1.0, 10.0), ("E07000002", "Beta", 1.1, 10.5),
                             ("E06000001", "Gamma", 5.0, 50.0), ("E08000001", "Delta", 9.0, 90.0),
                             ("W06000001", "Epsilon", 1.2, 11.0)]:
        extra.append(syn._row("gdhi_per_head", code, name, "ltla", "2022-23", x))
        extra.append(syn._row("claimant_count_rate", code, name, "ltla", "2022-23", y))
    lv2 = pd.concat([lv, pd.DataFrame(extra)], ignore_index=True)
    nn, used, fb = nb.nearest_neighbours(lv2, a, "E07000001", k=2)
    assert not fb and {u["metric_id"] for u in used} == {"gdhi_per_head", "claimant_count_rate"}
    assert nn["area_code"].tolist() == ["E07000002", "W06000001"]
    assert (nn["distance"].diff().dropna() >= 0).all()
    assert "not the CIPFA" in nb.describe(used, fb)
    nn, used, fb = nb.nearest_neighbours(lv, a, "E07000001", k=2)  # no context indicators: the ONS4 means
    assert fb and "ONS4" in nb.describe(used, fb)


def test_distance_needs_half_of_indicators():
    mat = pd.DataFrame({"a": [0.0, 1.0, np.nan], "b": [0.0, 1.0, np.nan], "c": [0.0, np.nan, 0.5]},
                       index=["X", "Y", "Z"])
    d = nb.distances(mat, "X")
    assert d["Y"] == pytest.approx(math.sqrt(2 * 3 / 2))
    assert np.isnan(d["Z"])


def test_neighbours_of_the_real_build_are_cached_per_build(build_dir):
    from dashboard.queries import build

    build.reset()
    a, used, fb = nb.neighbours_of("E08000025", k=10)
    b, _, _ = nb.neighbours_of("E08000025", k=10)
    assert len(a) == 10 and a.equals(b) and not fb and "E08000025" not in set(a["area_code"])
    assert a["area_name"].notna().all()
