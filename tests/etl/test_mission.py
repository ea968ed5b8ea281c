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


# --------------------------------------------------------------------------- known defects (issue 16, item 5)
def _obs_rows(rows):
    """Minimal observation rows: (metric, area, period, value, lower, upper)."""
    return pd.DataFrame([{"metric_id": m, "area_code": a, "geography": "ltla", "period": p, "value": v,
                          "lower": lo, "upper": hi, "derived": False, "status": "ok", "note": None}
                         for m, a, p, v, lo, hi in rows])


def test_baseline_means_equal_in_exact_arithmetic_tie():
    # (7.87 + 7.63 + 6.01) / 3 and (6.01 + 7.63 + 7.87) / 3 differ in floating point
    rows = [("mean_life_satisfaction", "X", p, v, v - 0.1, v + 0.1)
            for p, v in zip(mission.BASELINE_GAP_PERIODS, (7.87, 7.63, 6.01))]
    rows += [("mean_life_satisfaction", "Y", p, v, v - 0.1, v + 0.1)
             for p, v in zip(mission.BASELINE_GAP_PERIODS, (6.01, 7.63, 7.87))]
    rows += [("mean_life_satisfaction", "Z", p, 7.0, 6.9, 7.1) for p in mission.BASELINE_GAP_PERIODS]
    base = mission.pooled_baseline(_obs_rows(rows), ["mean_life_satisfaction"], {"X", "Y", "Z"})
    v = base.set_index("area_code")["value"]
    pct = mission.worseness_percentiles(v.loc[["X", "Y", "Z"]].to_numpy()[:, None], [False])
    assert pct[0, 0] == pct[1, 0]  # a tie shares its average rank


def test_gap_table_counts_and_verdicts(build_dir):
    gap = pd.read_parquet(build_dir / "mission_gap.parquet")
    lt = pd.read_parquet(build_dir / "mission_ltla.parquet")
    base_rows = lt[lt.is_baseline]
    base_gap = gap[gap.is_baseline & (gap.metric_id == "overall")].iloc[0]
    # the baseline gap row counts the same areas as the baseline LTLA rows
    assert base_gap.n_ranked == len(base_rows) == base_rows.n_ranked.iloc[0]
    assert base_gap.n_worst_third == int(base_rows.in_worst_third.sum())
    assert base_gap.n_ranked_by_year.count(":") == 3
    # years before the baseline are context, never a widening or narrowing against it
    pre = gap[~gap.is_baseline & (gap.period < mission.BASELINE_GAP_PERIODS[0])]
    assert len(pre) and set(pre.verdict) == {"pre-baseline"} and set(pre.adjusted_verdict) == {"pre-baseline"}
    later = gap[~gap.is_baseline & (gap.period >= mission.BASELINE_GAP_PERIODS[0])]
    assert set(later.verdict) <= {"widened", "narrowed", "no significant change"}


# --------------------------------------------------------------------------- regions and nations (item 6)
def test_rounding_sensitivity_flags_calls_the_last_decimal_could_flip():
    # z = 0.10 / sqrt(2 x (0.10 / 3.92)^2) = 2.77: no rounding of the inputs can flip it
    assert not mission.rounding_sensitive(7.50, 7.45, 7.55, 7.40, 7.35, 7.45, 2)
    # z = 0.07 / sqrt(2 x (0.10 / 3.92)^2) = 1.94: just not significant, and 0.005 moves could flip it
    assert mission.rounding_sensitive(7.50, 7.45, 7.55, 7.43, 7.38, 7.48, 2)
    # the same numbers published to 4 decimals are no longer ambiguous
    assert not mission.rounding_sensitive(7.50, 7.45, 7.55, 7.43, 7.38, 7.48, 4)


def test_holm_adjustment():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    # sorted 0.005, 0.01, 0.03, 0.04 -> 4 x 0.005, 3 x 0.01, 2 x 0.03, 1 x 0.04, made monotone
    assert mission.holm(p)[:4].tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert np.isnan(mission.holm(p)[4])


def test_region_table_multiple_comparisons_rounding_and_mode(build_dir):
    reg = pd.read_parquet(build_dir / "mission_regions.parquet")
    latest = reg[(reg.period == "2022-23") & (reg.basis == "means")]
    fam = latest[latest.holm_family == "regions and nations"]
    assert len(fam) == 52 and set(fam.holm_family_size) == {52}   # the scorecard's 13 areas x 4
    assert not (latest.significant_holm & ~latest.significant).any()  # Holm never adds a call
    assert fam.significant_holm.sum() < fam.significant.sum()
    assert (latest.p_holm >= latest.p_value - 1e-15).all()
    # Northern Ireland happiness: 7.69 (7.61-7.76) -> 7.57 (7.49-7.65), z = -2.14, flippable by rounding
    ni = latest[(latest.area_code == "N92000002") & (latest.metric_id == "mean_happiness")].iloc[0]
    assert ni.significant and ni.rounding_sensitive
    assert set(reg.loc[reg.period == "2019-20", "mode_change"]) == {"partly"}
    assert set(reg.loc[reg.period >= "2020-21", "mode_change"]) == {"after"}
    assert reg.crosses_mode_change.all()  # every later period is compared with 2018-19
    mode = pd.read_parquet(build_dir / "mission_survey_mode.parquet").set_index("period")
    assert mode.loc["2018-19", "mode_change"] == "before" and mode.loc["2020-21", "mode_change"] == "after"
    assert mode.source_url.str.startswith("https://www.ons.gov.uk/").all()


# --------------------------------------------------------------------------- unranked areas (issue 12, item 5)
def test_every_current_ltla_is_ranked_or_explained(build_dir):
    lt = pd.read_parquet(build_dir / "mission_ltla.parquet")
    un = pd.read_parquet(build_dir / "mission_unranked.parquet")
    areas = pd.read_parquet(build_dir / "areas.parquet")
    current = set(areas[(areas.geography == "ltla") & areas.active].code)
    for period, ranked in lt.groupby("period")["area_code"]:
        left = set(un.loc[un.period == period, "area_code"])
        assert not (left & set(ranked)) and left | set(ranked) == current, period
    assert (un.reason.str.len() > 10).all() and (un.missing_metrics.str.len() > 0).all()
    ny = un[(un.period == "2022-23") & (un.area_code == "E06000065")].iloc[0]
    assert "Richmondshire" in ny.reason and "E07000166" in ny.reason
    scilly = un[(un.period == mission.BASELINE_GAP_LABEL) & (un.area_code == "E06000053")].iloc[0]
    assert "baseline years" in scilly.reason


# --------------------------------------------------------------------------- the small-area model on the bundle
def test_shrunk_estimates_lie_between_estimate_and_region_mean(build_dir):
    lt = pd.read_parquet(build_dir / "mission_ltla.parquet")
    areas = pd.read_parquet(build_dir / "areas.parquet")
    areas = areas[(areas.geography == "ltla") & areas.active].set_index("code")
    group = areas["region_code"].fillna(areas["country_code"])
    assert (lt.model_group == lt.area_code.map(group)).all()
    for m in mission.MEAN_METRICS:
        v, s, mean = lt[f"value_{m}"], lt[f"shrunk_{m}"], lt[f"model_mean_{m}"]
        assert ((s >= np.minimum(v, mean) - 1e-9) & (s <= np.maximum(v, mean) + 1e-9)).all(), m
        assert (s != v).mean() > 0.99                                   # everything is shrunk a little
        assert ((lt[f"shrunk_{m}_lower"] < s) & (s < lt[f"shrunk_{m}_upper"])).all()
        assert lt[f"reliability_{m}"].between(0, 1).all()
        # one model mean per region and period
        assert (lt.groupby(["period", "model_group"])[f"model_mean_{m}"].nunique() == 1).all()
    assert lt.p_worst_third_adjusted.between(0, 1).all()
    latest = lt[lt.period == "2022-23"]
    assert latest.p_worst_third_adjusted.sum() == pytest.approx(np.ceil(len(latest) / 3), abs=0.5)


def test_noise_only_gap_is_larger_in_2022_23_than_in_the_baseline_years(build_dir):
    gap = pd.read_parquet(build_dir / "mission_gap.parquet").set_index(["period", "metric_id"])
    latest = gap.loc[("2022-23", "overall")]
    for p in mission.BASELINE_GAP_PERIODS + [mission.BASELINE_GAP_LABEL]:
        assert latest.noise_only_gap > gap.loc[(p, "overall"), "noise_only_gap"] + 0.1, p
    # adjusted gaps sit below the published-estimate gaps; their change since the baseline is smaller
    overall = gap.xs("overall", level="metric_id")
    assert (overall.adjusted_gap < overall.gap).all()
    assert latest.adjusted_change < latest.change
    for col in ("adjusted_gap", "adjusted_gap_lower", "adjusted_gap_upper", "adjusted_change",
                "adjusted_change_lower", "adjusted_change_upper", "noise_only_gap"):
        assert col in gap.columns
    assert latest.adjusted_gap_lower < latest.adjusted_gap < latest.adjusted_gap_upper
    sens = pd.read_parquet(build_dir / "mission_gap_sensitivity.parquet")
    s = sens[(sens.period == "2022-23") & (sens.metric_id == "overall")].set_index("error_correlation")
    assert list(s.index) == list(mission.SENSITIVITY_CORRELATIONS)
    assert s.noise_only_gap.is_monotonic_increasing  # correlated errors spill into every measure's gap
    assert s.loc[mission.ERROR_CORRELATION, "adjusted_change"] == pytest.approx(latest.adjusted_change)


def test_model_table_on_the_bundle(build_dir):
    model = pd.read_parquet(build_dir / "mission_model.parquet").set_index(["period", "metric_id"])
    ls = model.xs("mean_life_satisfaction", level="metric_id")
    # 2022-23's estimates are noisier than the baseline years' (median SE 0.156 against ~0.115)
    assert ls.loc["2022-23", "median_se"] == pytest.approx(0.156, abs=0.002)
    assert all(ls.loc[p, "median_se"] < 0.12 for p in mission.BASELINE_GAP_PERIODS)
    annual = model[~model.is_baseline]
    assert annual.median_reliability.between(0.2, 0.7).all() and not annual.at_boundary.any()
    assert set(model.scale) == {"identity"}


# --------------------------------------------------------------------------- the shares basis (synthetic)
def _synthetic_share_bundle(n=90, seed=1):
    rng = np.random.default_rng(seed)
    regions = ["E12000001", "E12000002", "E12000003"]
    areas = pd.DataFrame({"code": [f"E0700{i:04d}" for i in range(n)], "name": [f"Area {i}" for i in range(n)],
                          "geography": "ltla", "active": True, "region_code": [regions[i % 3] for i in range(n)],
                          "country_code": "E92000001"})
    rows = []
    level = {m: rng.uniform(4, 20) for m in mission.SHARE_METRICS}
    area_effect = rng.normal(0, 1, n)
    for p in mission.BASELINE_GAP_PERIODS + ["2022-23"]:
        for m in mission.SHARE_METRICS:
            for i, code in enumerate(areas.code):
                true = level[m] * np.exp(0.25 * area_effect[i])
                se = rng.uniform(0.8, 2.0)
                v = round(float(np.clip(true + rng.normal(0, se), 0.3, 99)), 1)
                rows.append((m, code, p, v, max(v - 1.96 * se, 0.0), v + 1.96 * se))
    return _obs_rows(rows), areas


def test_shares_basis_uses_the_arcsine_scale_and_stays_in_range():
    obs, areas = _synthetic_share_bundle()
    out = mission.compute(obs, areas, n_draws=200)
    lt, gap, model = out["mission_ltla"], out["mission_gap"], out["mission_model"]
    assert set(lt.basis) == {"shares"} and set(model.scale) == {"arcsine_sqrt"}
    for m in mission.SHARE_METRICS:
        s, v, mean = lt[f"shrunk_{m}"], lt[f"value_{m}"], lt[f"model_mean_{m}"]
        assert s.between(0, 100).all() and lt[f"shrunk_{m}_lower"].ge(0).all()
        assert ((s >= np.minimum(v, mean) - 1e-9) & (s <= np.maximum(v, mean) + 1e-9)).all()
    o = gap[gap.metric_id != "overall"]
    assert set(o.unit) == {"percentage points"}
    assert gap.adjusted_gap.notna().all() and gap.noise_only_gap.notna().all()
    assert out["mission_unranked"].empty and out["mission_regions"].empty


def test_an_estimate_without_an_interval_is_left_out_and_explained():
    obs, areas = _synthetic_share_bundle()
    hit = (obs.area_code == "E07000005") & (obs.period == "2022-23") & (obs.metric_id == "high_anxiety")
    obs.loc[hit, ["lower", "upper"]] = np.nan
    out = mission.compute(obs, areas, n_draws=200)
    lt, un = out["mission_ltla"], out["mission_unranked"]
    assert "E07000005" not in set(lt.loc[lt.period == "2022-23", "area_code"])
    assert "E07000005" in set(lt.loc[lt.is_baseline, "area_code"])
    row = un[(un.period == "2022-23") & (un.area_code == "E07000005")].iloc[0]
    assert row.missing_metrics == "high_anxiety" and "confidence interval" in row.reason
