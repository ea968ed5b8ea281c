"""Area profile computations on the synthetic build: where values come from, comparisons by CI
and polarity, the spread, the headline summary, the worst third, the download."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.analysis import profile as prof
from dashboard.queries import areas


def test_geography_notes_say_where_values_come_from(synthetic):
    alpha, gamma = areas.resolve("E07000001"), areas.resolve("E06000001")
    n = prof.geography_note({"native_geography": "utla", "native_area_code": "E10000001"}, alpha)
    assert n == "County-level value (Kent), shared by all its districts"
    icb = {"native_geography": "icb", "native_area_code": "E54000001"}
    assert "ICB-level value (NHS Kent ICB)" in prof.geography_note(icb, gamma)
    assert "80%" in prof.geography_note(icb, gamma) and "integrated care boards" in prof.geography_note(icb, gamma)
    assert "Air-quality-zone value" in prof.geography_note({"native_geography": "aq_zone",
                                                                     "native_area_code": "UK0001"}, alpha)
    assert "derived from predecessor councils" in prof.geography_note(
        {"native_geography": "ltla", "native_area_code": "E06000001", "derived": True}, gamma)


def test_profile_table_compares_by_ci_and_polarity(synthetic):
    alpha = areas.resolve("E07000001")
    t = prof.profile_table(alpha, areas.ltla_in_region(alpha), "South East").set_index("metric_id")
    ls = t.loc["mean_life_satisfaction"]
    assert ls["period"] == "2022-23" and ls["value"] == 7.1
    assert ls["vs_nat"] == "similar"          # CI 6.9-7.3 touches England 7.3: not significantly below
    ab = t.loc["absence"]
    assert ab["vs_nat"] == "worse"            # lower is better, CI 7.9-8.1 above 7.5
    assert ab["geography_note"].startswith("County-level value (Kent)")
    assert ab["dist_n"] == 3                  # the spread counts the county once
    pay = t.loc["pay"]
    assert pay["vs_nat"] == "not compared" and "no confidence interval" in pay["compare_note"]
    assert math.isclose(ls["group_value"], (7.1 + 7.6 + 7.4) / 3)  # region LTLAs with values


def test_profile_table_boundary_equal_is_similar(synthetic):
    t = prof.profile_table(areas.resolve("E07000002")).set_index("metric_id")
    assert t.loc["mean_life_satisfaction", "vs_nat"] == "better"
    assert t.loc["mean_life_satisfaction", "vs_reg"] == "better"


def test_unavailable_metrics_give_reasons(synthetic):
    t = prof.profile_table(areas.resolve("E06000001"))
    u = prof.unavailable_metrics(t).set_index("metric_id")
    assert "suppressed" in u.loc["pay", "reason"]
    assert u.loc["loneliness", "reason"] == "not yet published"
    assert u.loc["loneliness", "publisher_url"] == "https://dcms"


def test_spine_positions_centre_and_orientation():
    t = pd.DataFrame({"nat_value": [10.0, 10.0, 1000.0], "nat_name": ["England"] * 3, "dist_min": [5.0, 5.0, 1.0],
                      "dist_q25": [8.0, 8.0, 2.0], "dist_median": [10.0, 10.0, 3.0], "dist_q75": [12.0, 12.0, 4.0],
                      "dist_max": [20.0, 20.0, 9.0], "value": [15.0, 15.0, 3.0],
                      "polarity": ["higher_better", "lower_better", "lower_better"]})
    s = prof.spine_positions(t, "Median of local authorities")
    assert s.loc[0, "x_value"] == pytest.approx(0.75) and s.loc[0, "x_max"] == pytest.approx(1.0)
    assert s.loc[1, "x_value"] == pytest.approx(0.25)           # lower is better: high value sits left
    assert s.loc[1, "x_min"] <= s.loc[1, "x_q25"] <= s.loc[1, "x_q75"] <= s.loc[1, "x_max"]
    # England's total is outside the local range: the median is the centre, and is what is labelled
    assert s.loc[2, "centre_label"] == "Median of local authorities" and s.loc[2, "centre_value"] == 3.0
    assert s.loc[2, "x_value"] == pytest.approx(0.5)


def test_headline_summary_change_and_missing_share(synthetic):
    items = prof.headline_summary(areas.resolve("E07000001"))
    ls = items[0]
    assert ls["mean"]["value"] == 7.1 and ls["mean"]["vs_nat"] == "similar"
    assert ls["change"]["from"] == "2021-22" and ls["change"]["direction"] == "no significant change"
    assert ls["share"] is None and ls["share_url"] == "https://ons/shares"
    assert ls["share_label"] == "Share of low LS"


def test_non_ltla_profile_uses_observations(synthetic):
    t = prof.profile_table(areas.resolve("E10000001")).set_index("metric_id")
    assert list(t.index) == ["absence"] and t.loc["absence", "vs_nat"] == "worse"


def test_mission_summary_sentence(synthetic):
    ml = pd.DataFrame([
        dict(period="2022-23", is_baseline=False, basis="means", area_code="E07000001", area_name="Alpha",
             worst_metric="mean_life_satisfaction", worst_percentile=90.0, rank=10, n_ranked=300, in_worst_third=True,
             p_worst_third=0.87, uses_derived=False),
        dict(period="2016-17 to 2018-19", is_baseline=True, basis="means", area_code="E07000001", area_name="Alpha",
             worst_metric="mean_life_satisfaction", worst_percentile=50.0, rank=150, n_ranked=300, in_worst_third=False,
             p_worst_third=0.1, uses_derived=False),
    ])
    synthetic(ml)
    s = prof.mission_summary("E07000001")
    # without the small-area model's column only the ranking's stability can be said, and it is
    # called that, never the probability of true membership
    assert s["sentence"] == ("In the worst third in 2022-23 on the published estimates: the published ranking puts it "
                             "there in 87% of 1,000 re-draws from the published confidence intervals (how stable that "
                             "ranking is).")
    assert "truly" not in s["sentence"]
    assert s["worst_title"] == "Life satisfaction (mean)" and "not in the worst third" in s["baseline"]
    assert prof.mission_summary("E99999999") is None


def test_profile_download_has_benchmarks_and_geography(synthetic):
    d = prof.profile_download(areas.resolve("E07000002"))
    row = d[(d["metric_id"] == "absence")].iloc[0]
    assert row["national_value"] == 7.5 and row["vs_national"] == "worse"
    assert row["geography_note"].startswith("County-level value (Kent)")
    assert set(d["area_code"]) == {"E07000002"}
