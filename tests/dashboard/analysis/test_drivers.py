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


def test_nearest_period_pairs_calendar_with_financial_years():
    T = pd.Timestamp
    cal = {str(y): (T(f"{y}-01-01"), T(f"{y}-12-31")) for y in range(2019, 2026)}
    fy = (T("2022-04-01"), T("2023-03-31"))
    assert drv.nearest_period(cal, fy) == "2022"  # 9 months shared, not the latest (2025)
    academic = {"2021/22": (T("2021-09-01"), T("2022-08-31")), "2022/23": (T("2022-09-01"), T("2023-08-31"))}
    assert drv.nearest_period(academic, fy) == "2022/23"
    assert drv.nearest_period({}, fy) is None
    # a tie goes to the later period
    tie = {"a": (T("2022-01-01"), T("2022-06-30")), "b": (T("2023-01-01"), T("2023-06-30"))}
    assert drv.nearest_period(tie, (T("2022-07-01"), T("2022-12-31"))) == "b"


def test_period_relation():
    T = pd.Timestamp
    fy = (T("2022-04-01"), T("2023-03-31"))
    assert drv.period_relation(fy, fy) == ("same", 0)
    assert drv.period_relation((T("2022-01-01"), T("2022-12-31")), fy) == ("overlap", 9)
    assert drv.period_relation((T("2023-03-31"), T("2023-03-31")), fy) == ("within", 0)
    assert drv.period_relation((T("2023-04-01"), T("2024-03-31")), fy) == ("adjacent_after", 0)
    assert drv.period_relation((T("2025-01-01"), T("2025-12-31")), fy) == ("after", 21)
    assert drv.period_relation((T("2018-01-01"), T("2018-12-31")), fy) == ("before", 39)


def test_default_periods_on_mixed_period_types(synthetic):
    # the synthetic build has the driver and the measure in the same financial years
    assert drv.default_periods("pay", "mean_life_satisfaction") == ("2022-23", "2022-23")
