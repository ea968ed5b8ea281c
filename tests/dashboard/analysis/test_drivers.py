"""Drivers: Pearson's r with Fisher's interval, Cohen's d, worst-third differences, the scatter."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import drivers as drv


def test_pearson_ci_fisher():
    rng = np.random.default_rng(1)
    x = rng.normal(size=200)
    y = 0.5 * x + rng.normal(size=200)
    r = drv.pearson_ci(x, y)
    assert r["lower"] < r["r"] < r["upper"] and r["n"] == 200
    z = np.arctanh(r["r"])
    assert r["upper"] == pytest.approx(np.tanh(z + 1.959963984540054 / math.sqrt(197)))
    assert np.isnan(drv.pearson_ci([1, 2, 3], [1, 2, 3])["r"])
    assert "Correlation is not causation" in drv.describe_r(r)


def test_cohen_d_normal_approximation():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = np.array([3.0, 4.0, 5.0, 6.0])
    res = drv.cohen_d(a, b)
    sp = math.sqrt((3 * a.var(ddof=1) + 3 * b.var(ddof=1)) / 6)
    assert res["d"] == pytest.approx(-2 / sp)
    se = math.sqrt(8 / 16 + res["d"] ** 2 / 16)
    assert res["upper"] - res["lower"] == pytest.approx(2 * 1.959963984540054 * se)


def test_worst_third_differences_orientation(synthetic):
    synthetic(pd.DataFrame([dict(period="2022-23", is_baseline=False, basis="means", area_code=c, in_worst_third=w)
                            for c, w in [("E07000001", True), ("E08000001", True), ("E07000002", False),
                                         ("E06000001", False), ("W06000001", False)]]))
    t, period = drv.worst_third_differences()
    assert period == "2022-23"
    pay = t.set_index("metric_id").loc["pay"]
    # worst third pay mean 550 vs rest 750 (Gamma suppressed): higher is better -> positive d = worse
    assert pay["mean_worst"] == 550 and pay["mean_rest"] == 750 and pay["d"] > 0 and pay["lower"] < pay["upper"]
    assert bool(t.set_index("metric_id").loc["absence", "inherited"])


def test_scatter_frame_and_default_periods(synthetic):
    xp, yp = drv.default_periods("pay", "mean_life_satisfaction")
    assert (xp, yp) == ("2022-23", "2022-23")
    df = drv.scatter_frame("pay", "mean_life_satisfaction", xp, yp)
    assert set(df["area_code"]) == {"E07000001", "E07000002", "E08000001", "W06000001"}
    assert set(df["region_name"]) == {"South East", "North West", "Wales"}
