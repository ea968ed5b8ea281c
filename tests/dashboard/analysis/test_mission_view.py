"""Unit tests for dashboard.analysis.mission_view (synthetic frames, then the real build)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import mission_view as mvw

METRICS = pd.DataFrame({
    "id": ["mean_life_satisfaction", "mean_anxiety", "high_anxiety"],
    "title": ["Average life satisfaction score (0-10)", "Average anxiety yesterday (0-10)", "High anxiety"],
    "short_title": ["Life satisfaction (mean)", "Anxiety (mean)", "High anxiety"],
    "unit": ["score 0-10", "score 0-10", "% of adults"],
    "polarity": ["higher_better", "lower_better", "lower_better"],
    "decimals": [2, 2, 1],
})


def _regions():
    rows = []
    for code, name, geo in [("K02000001", "United Kingdom", "uk"), ("E12000001", "North East", "region"),
                            ("E92000001", "England", "country"), ("W92000004", "Wales", "country"),
                            ("E12000007", "London", "region")]:
        for m, change, verdict in [("mean_life_satisfaction", -0.2, "significantly worse"),
                                   ("mean_anxiety", 0.05, "no significant change")]:
            for period in ("2021-22", "2022-23"):
                rows.append(dict(area_code=code, area_name=name, geography=geo, metric_id=m, basis="means",
                                 baseline_period="2018-19", period=period, baseline_value=7.7, baseline_lower=7.6,
                                 baseline_upper=7.8, value=7.5, lower=7.4, upper=7.6, change=change,
                                 change_lower=change - 0.1, change_upper=change + 0.1, z=2.5,
                                 significant=verdict != "no significant change", verdict=verdict))
    return pd.DataFrame(rows)


def _gap():
    rows = []
    for period, base, gapv, verdict in [("2016-17 to 2018-19", True, 1.5, "baseline"),
                                        ("2021-22", False, 1.55, "no significant change"),
                                        ("2022-23", False, 1.9, "widened")]:
        rows.append(dict(period=period, is_baseline=base, basis="means", metric_id="overall", n_ranked=350,
                         n_worst_third=117, worst_third_mean=np.nan, rest_mean=np.nan, gap=gapv,
                         gap_lower=gapv - 0.2, gap_upper=gapv + 0.2, unit="baseline SDs",
                         baseline_gap=np.nan if base else 1.5, change=np.nan if base else gapv - 1.5,
                         change_lower=np.nan if base else gapv - 1.7, change_upper=np.nan if base else gapv - 1.3,
                         verdict=verdict))
        rows.append(dict(period=period, is_baseline=base, basis="means", metric_id="mean_life_satisfaction",
                         n_ranked=350, n_worst_third=117, worst_third_mean=7.2, rest_mean=7.5, gap=-0.3,
                         gap_lower=-0.35, gap_upper=-0.25, unit="score points", baseline_gap=-0.25,
                         change=np.nan if base else -0.05, change_lower=np.nan if base else -0.1,
                         change_upper=np.nan if base else 0.01, verdict=verdict if not base else "baseline"))
    return pd.DataFrame(rows)


def test_headline_uk_latest_period_in_metric_order():
    hl = mvw.headline_uk(_regions(), METRICS)
    assert hl["metric_id"].tolist() == ["mean_life_satisfaction", "mean_anxiety"]
    assert set(hl["period"]) == {"2022-23"}
    assert hl.loc[0, "verdict"] == "significantly worse"
    assert hl.loc[0, "measure"] == "Life satisfaction (mean)"
    assert mvw.headline_uk(pd.DataFrame(), METRICS).empty


def test_gap_verdict_sentence_from_latest_period():
    v = mvw.gap_verdict(_gap(), "overall")
    assert v["verdict"] == "widened" and v["period"] == "2022-23"
    assert v["sentence"].startswith("Gap wider than the 2017-19 baseline: +0.40 SD (95% interval +0.20 to +0.60)")
    assert "1.50 SD at the baseline" in v["sentence"]
    per_metric = mvw.gap_verdict(_gap(), "mean_life_satisfaction")
    assert "points" in per_metric["sentence"] and "more negative gap is wider" in per_metric["sentence"]
    assert mvw.gap_verdict(pd.DataFrame())["verdict"] is None


def test_gap_series_excludes_baseline_and_table_puts_it_first():
    s = mvw.gap_series(_gap(), "overall")
    assert s["period"].tolist() == ["2021-22", "2022-23"]
    t = mvw.gap_table(_gap(), "overall")
    assert t.loc[0, "baseline"] == "2017-19 baseline" and len(t) == 3
    assert mvw.gap_metrics(_gap())[0] == "overall"


def test_scorecard_rows_ordered_uk_england_regions_nations():
    sc = mvw.scorecard(_regions(), METRICS, "2022-23")
    assert sc["area_code"].tolist() == ["K02000001", "E92000001", "E12000001", "E12000007", "W92000004"]
    cell = sc.loc[0, "Life satisfaction (mean)"]
    assert "Significantly worse" in cell and "\u2193" in cell and "\u22120.20" in cell and "95%" not in cell
    assert "No significant change" in sc.loc[0, "Anxiety (mean)"]
    long = mvw.scorecard_long(_regions(), METRICS, "2022-23")
    assert len(long) == 10 and long["area_code"].iloc[0] == "K02000001"


def test_change_frame_and_counts():
    cf = mvw.change_frame(_regions(), "mean_anxiety", "2022-23")
    assert len(cf) == 5 and cf["area_code"].iloc[0] == "K02000001"
    counts = mvw.verdict_counts(_regions(), "2022-23")
    assert counts == {"significantly worse": 4, "no significant change": 4}  # UK excluded


# ------------------------------------------------------------------ the real build
@pytest.fixture(scope="module")
def real(build_dir):
    from dashboard.queries import build

    build.reset()
    return build.current()


def test_real_build_headline_and_scorecard(real):
    regions, gap, metrics = real.frame("mission_regions"), real.frame("mission_gap"), real.frame("metrics")
    hl = mvw.headline_uk(regions, metrics)
    assert len(hl) == 4 and hl["baseline_period"].eq("2018-19").all()
    assert hl[["value", "lower", "upper", "change_lower", "change_upper"]].notna().all().all()
    sc = mvw.scorecard(regions, metrics)
    assert len(sc) == 14  # UK + England + 9 regions + Wales, Scotland, Northern Ireland
    v = mvw.gap_verdict(gap)
    assert v["sentence"] and math.isfinite(v["change"])
    # the verdict agrees with the interval
    if v["verdict"] == "widened":
        assert v["change_lower"] > 0


def test_views_normalise_and_explain_bad_parameters(real):
    state, notes = mvw.normalise("nope", "1999-00", "xx")
    assert state == {"gap": "overall", "period": "2022-23", "metric": "mean_life_satisfaction"}
    assert len(notes) == 3
    v = mvw.gap_view("overall")
    assert v["sentence"].startswith("Overall: ") and not v["table"].empty
    s = mvw.scorecard_view(None)
    assert s["period"] == "2022-23" and "(52 comparisons)" in s["text"]
