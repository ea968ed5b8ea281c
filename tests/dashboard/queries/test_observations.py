"""Observations queries: period frames, selections, benchmark values."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import queries as q
from dashboard.queries.observations import PeriodFrames


def test_period_frames_split_one_period_at_a_time():
    src = pd.DataFrame({"area_code": ["A", "B", "A", "A"], "value": [1.0, 2.0, 3.0, 9.0],
                        "lower": np.nan, "upper": np.nan, "status": "ok",
                        "period": ["2020-21", "2020-21", "2021-22", "2021-22"]})
    frames = PeriodFrames(src)
    got = frames.get("2021-22")
    # only the asked period is materialised; a repeated area keeps its first row
    assert list(frames._frames) == ["2021-22"]
    assert got.loc["A", "value"] == 3.0 and "period" not in got.columns
    assert frames.get("2021-22") is got
    assert frames.get("1999-00") is None
    assert frames.get("2020-21")["value"].to_dict() == {"A": 1.0, "B": 2.0}
    assert frames.periods_with_values() == {"2020-21", "2021-22"}


@pytest.fixture(scope="module")
def built(build_dir):
    q.build.reset()
    return build_dir


def test_select_filters_combine(built):
    obs = q.observations.table()
    got = q.observations.select(metric="mean_life_satisfaction", geography="region", period="2022-23")
    want = obs[(obs.metric_id == "mean_life_satisfaction") & (obs.geography == "region") & (obs.period == "2022-23")]
    assert len(got) == len(want) == 9
    one = q.observations.select(area="E08000025", metric="mean_anxiety")
    assert set(one["area_code"]) == {"E08000025"} and set(one["metric_id"]) == {"mean_anxiety"}


def test_national_values_match_the_table(built):
    v, lo, hi = q.observations.value_of("mean_life_satisfaction", "2022-23", q.vocabulary.uk_code())
    obs = q.observations.table()
    row = obs[(obs.metric_id == "mean_life_satisfaction") & (obs.area_code == "K02000001") & (obs.period == "2022-23")].iloc[0]
    assert (v, lo, hi) == (row["value"], row["lower"], row["upper"])
    assert all(np.isnan(x) for x in q.observations.value_of("mean_life_satisfaction", "2022-23", None))


def test_latest_period_at_a_geography_has_values(built):
    p = q.observations.latest_period_at("high_anxiety", "ltla")
    assert p == "2018-19"  # shares for London boroughs stop at 2018-19 in this data
    assert q.observations.latest_period_at("mean_life_satisfaction", "ltla") == "2022-23"


def test_period_frames_count_areas_with_a_value_among_given_codes():
    src = pd.DataFrame({"area_code": ["A", "B", "C", "A", "B"], "value": [1.0, np.nan, 3.0, 4.0, 5.0],
                        "lower": np.nan, "upper": np.nan, "status": "ok",
                        "period": ["2020-21", "2020-21", "2020-21", "2021-22", "2021-22"]})
    # C is not one of the map's areas; B has no value in 2020-21
    assert PeriodFrames(src).counts(["A", "B"]) == {"2020-21": 1, "2021-22": 2}


def test_coverage_counts_map_areas_per_period(built):
    cov = q.observations.coverage("mean_life_satisfaction", "ltla")
    n = len(q.geometry.index("ltla"))
    assert set(cov) <= set(q.catalogue.periods("mean_life_satisfaction"))
    assert 0 < cov["2022-23"] <= n
    # the region map holds regions and nations: never more than its features
    assert max(q.observations.coverage("mean_life_satisfaction", "region").values()) <= len(q.geometry.index("region"))
