"""The read layer's per-build tables behind the area profile: spreads, benchmarks, group means,
latest periods, ICB shares and per-measure ranks (checked against the frames they summarise)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import queries as q


@pytest.fixture(scope="module")
def built(build_dir):
    q.build.reset()
    return build_dir


@pytest.mark.parametrize("metric,period", [("mean_life_satisfaction", "2022-23"), ("school_absence_rate", "2024/25"),
                                           ("fly_tipping_incidents", "2022-23"), ("gdhi_per_head", "2023")])
def test_ltla_spread_counts_each_published_value_once(built, metric, period):
    lv = q.observations.table("la_view")
    d = lv[(lv.metric_id == metric) & (lv.period == period) & lv.area_code.str.startswith("E")]
    d = d[np.isfinite(d.value.astype(float))].drop_duplicates("native_area_code")["value"].astype(float)
    s = q.observations.spread(metric, period, "ltla", True)
    assert s["n"] == len(d) and s["median"] == pytest.approx(float(np.median(d)))
    assert s["q25"] == pytest.approx(float(np.quantile(d, 0.25))) and s["max"] == d.max()
    assert q.observations.spread(metric, period, "ltla", False)["n"] >= s["n"]
    assert q.observations.spread(metric, "1900", "ltla", True) is None


def test_geography_spread_and_benchmarks(built):
    o = q.observations.table()
    d = o[(o.metric_id == "school_absence_rate") & (o.period == "2024/25") & (o.geography == "utla")
          & o.area_code.str.startswith("E")]["value"].astype(float).dropna()
    s = q.observations.spread("school_absence_rate", "2024/25", "utla", True)
    assert s["n"] == len(d) and s["median"] == pytest.approx(float(d.median()))
    eng = o[(o.metric_id == "mean_anxiety") & (o.period == "2022-23") & (o.area_code == "E92000001")].iloc[0]
    assert q.observations.value_of("mean_anxiety", "2022-23", "E92000001")[0] == float(eng.value)
    assert np.isnan(q.observations.value_of("child_poverty_bhc", "2024-25", "E92000001")[0])  # not in the file


def test_group_mean_and_latest_period(built):
    lv = q.observations.table("la_view")
    codes = ["E08000025", "E08000026", "E99999999"]
    d = lv[(lv.metric_id == "claimant_count_rate") & (lv.period == "2025") & lv.area_code.isin(codes)]
    mean, n = q.observations.group_mean("claimant_count_rate", "2025", codes)
    assert n == 2 and mean == pytest.approx(d.value.astype(float).mean())
    assert q.observations.latest_with_value("children_looked_after_rate", "ltla")[0] == "2025"
    assert q.observations.latest_with_value("mean_life_satisfaction", "ltla")[0] == "2022-23"


def test_icb_shares_and_measure_ranks(built):
    es = q.areas.icb_shares("E07000244")
    assert [s["share"] for s in es] == [0.5, 0.5] and es[0]["assigned"] and not es[1]["assigned"]
    assert len(q.areas.icb_shares("E08000025")) == 1 and q.areas.icb_shares("W06000015") == []
    ranks = q.mission.measure_ranks("2022-23")
    assert ranks.loc["E08000032", "rank_mean_life_satisfaction"] == 31
    assert ranks.loc["E08000032", "rankmax_mean_life_satisfaction"] == 34  # four areas share 7.20
    assert q.catalogue.decimals("gdhi_per_head") == 0  # whole pounds, not one decimal
