"""The mission's measures: hand-checked example, simulation behaviour, and real-data outputs."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl import mission


def test_worst_third_and_gap_on_a_hand_checked_example():
    # six areas, two metrics, higher is worse for both
    v = np.array([[10, 1], [20, 2], [30, 3], [40, 4], [50, 60], [5, 100]], float)
    res = mission.rank_worst_third(v, [True, True])
    # percentiles: 100 * (rank - 0.5) / 6
    assert res["percentiles"][0].tolist() == pytest.approx([100 * 1.5 / 6, 100 * 0.5 / 6])
    assert res["worst_idx"].tolist() == [0, 0, 0, 0, 0, 1]
    assert res["worst_score"][4] == res["worst_score"][5] == pytest.approx(100 * 5.5 / 6)
    # E and F tie on their worst metric; E has the higher mean percentile so ranks first
    assert res["rank"][4] == 1 and res["rank"][5] == 2
    assert res["in_worst_third"].tolist() == [False, False, False, False, True, True]
    g = mission.gaps(v, res["in_worst_third"])
    assert g.tolist() == pytest.approx([27.5 - 25.0, 80.0 - 2.5])
    # overall gap: oriented gaps over baseline SDs, averaged
    sd = np.array([5.0, 10.0])
    assert mission.overall_gap(g, [True, True], sd) == pytest.approx((2.5 / 5 + 77.5 / 10) / 2)


def test_orientation_for_means():
    # lower life satisfaction is worse; higher anxiety is worse
    v = np.array([[8.0, 2.0], [7.0, 2.5], [6.0, 3.0]])
    res = mission.rank_worst_third(v, [False, True])
    assert res["in_worst_third"].tolist() == [False, False, True]
    g = mission.gaps(v, res["in_worst_third"])
    assert g.tolist() == pytest.approx([6.0 - 7.5, 3.0 - 2.25])
    assert mission.overall_gap(g, [False, True], np.array([1.0, 0.5])) == pytest.approx((1.5 + 1.5) / 2)


def test_simulation_without_uncertainty_reproduces_the_ranking():
    v = np.array([[10, 1], [20, 2], [30, 3], [40, 4], [50, 60], [5, 100]], float)
    p, gd, od = mission.simulate(v, np.zeros_like(v), [True, True], np.array([5.0, 10.0]), n_draws=50)
    assert p.tolist() == [0, 0, 0, 0, 1, 1]
    assert np.allclose(gd, [2.5, 77.5])


def test_simulation_membership_probability_reflects_overlap():
    rng = np.random.default_rng(1)
    v = rng.normal(size=(30, 4))
    se = np.full_like(v, 5.0)  # huge uncertainty: membership close to a coin toss at 1/3
    p, _, _ = mission.simulate(v, se, [True] * 4, np.ones(4), n_draws=400)
    assert 0.2 < p.mean() < 0.45 and p.max() < 0.8


def test_choose_basis_means_when_shares_cover_only_london(build_dir):
    obs = pd.read_parquet(build_dir / "observations.parquet")
    areas = pd.read_parquet(build_dir / "areas.parquet")
    codes = set(areas[(areas.geography == "ltla") & areas.active].code)
    assert mission.choose_basis(obs, codes, mission.BASELINE_GAP_PERIODS) == "means"


def test_real_mission_tables(build_dir):
    gap = pd.read_parquet(build_dir / "mission_gap.parquet")
    lt = pd.read_parquet(build_dir / "mission_ltla.parquet")
    reg = pd.read_parquet(build_dir / "mission_regions.parquet")
    assert set(gap.basis) == {"means"} and set(lt.basis) == {"means"}
    base = gap[gap.is_baseline]
    assert base.period.unique().tolist() == [mission.BASELINE_GAP_LABEL]
    # the baseline gap is the mean of the three annual gaps
    annual = gap[gap.period.isin(mission.BASELINE_GAP_PERIODS) & (gap.metric_id == "overall")].gap.mean()
    assert base[base.metric_id == "overall"].gap.iloc[0] == pytest.approx(annual)
    latest = lt[lt.period == "2022-23"]
    assert latest.in_worst_third.sum() == int(np.ceil(len(latest) / 3))
    assert latest.p_worst_third.between(0, 1).all()
    assert set(latest.worst_metric) <= set(mission.MEAN_METRICS)
    # UK life satisfaction 2018-19 7.71 (7.70-7.72) vs 2022-23 7.45 (7.43-7.46): significantly worse
    uk = reg[(reg.area_code == "K02000001") & (reg.metric_id == "mean_life_satisfaction") & (reg.period == "2022-23")].iloc[0]
    assert (uk.baseline_value, uk.value) == (7.71, 7.45)
    assert uk.significant and uk.verdict == "significantly worse"
    assert set(reg.geography) == {"region", "country", "uk"}
    # GLA shares have no CI: no significance call is made on them
    sh = reg[reg.basis == "shares"]
    assert (sh.verdict == "not testable (no published CI)").all() or sh.empty
