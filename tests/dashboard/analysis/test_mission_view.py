"""Unit tests for dashboard.analysis.mission_view (small frames, the synthetic build, then the real build)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import mission_view as mvw
from dashboard.viewmodel import Link, plain

METRICS = pd.DataFrame({
    "id": ["mean_life_satisfaction", "mean_anxiety", "high_anxiety"],
    "title": ["Average life satisfaction score (0-10)", "Average anxiety yesterday (0-10)", "High anxiety"],
    "short_title": ["Life satisfaction (mean)", "Anxiety (mean)", "High anxiety"],
    "unit": ["score 0-10", "score 0-10", "% of adults"],
    "polarity": ["higher_better", "lower_better", "lower_better"],
    "decimals": [2, 2, 1],
})
ONS_URL = "https://www.ons.gov.uk/peoplepopulationandcommunity/wellbeing/methodologies/datacollection"
BASELINE = "2016-17 to 2018-19"


def _regions():
    rows = []
    for code, name, geo in [("K02000001", "United Kingdom", "uk"), ("E12000001", "North East", "region"),
                            ("E92000001", "England", "country"), ("W92000004", "Wales", "country"),
                            ("E12000007", "London", "region")]:
        for m, change, verdict in [("mean_life_satisfaction", -0.2, "significantly worse"),
                                   ("mean_anxiety", 0.05, "no significant change")]:
            for period in ("2021-22", "2022-23"):
                # Holm turns London's life-satisfaction call into no significant change; Wales's
                # anxiety call could be flipped by the publisher's rounding.
                holm = "no significant change" if (name == "London" and m == "mean_life_satisfaction") else verdict
                rows.append(dict(area_code=code, area_name=name, geography=geo, metric_id=m, basis="means",
                                 baseline_period="2018-19", period=period, baseline_value=7.7, baseline_lower=7.6,
                                 baseline_upper=7.8, value=7.5, lower=7.4, upper=7.6, change=change,
                                 change_lower=change - 0.1, change_upper=change + 0.1, z=2.5, p_value=0.01,
                                 significant=verdict != "no significant change", verdict=verdict,
                                 holm_family="uk" if geo == "uk" else "regions and nations",
                                 holm_family_size=2 if geo == "uk" else 8, p_holm=0.04,
                                 significant_holm=holm != "no significant change", verdict_holm=holm,
                                 rounding_sensitive=(name == "Wales" and m == "mean_anxiety"), publisher_decimals=2,
                                 mode_change="after", crosses_mode_change=True))
    return pd.DataFrame(rows)


def _row(period, metric, *, base=False, gap=1.5, adj=1.3, noise=0.8, verdict="no significant change",
         adj_verdict="no significant change", change=0.0, adj_change=0.0, mode="before"):
    unit = "baseline SDs" if metric == "overall" else "score points"
    nan = np.nan
    return dict(period=period, is_baseline=base, basis="means", metric_id=metric, n_ranked=350, n_worst_third=117,
                worst_third_mean=nan if metric == "overall" else 7.2, rest_mean=nan if metric == "overall" else 7.5,
                gap=gap, gap_lower=gap - 0.2, gap_upper=gap + 0.2, unit=unit, adjusted_gap=adj,
                adjusted_gap_lower=adj - 0.3, adjusted_gap_upper=adj + 0.3, noise_only_gap=noise,
                noise_only_gap_lower=noise - 0.1, noise_only_gap_upper=noise + 0.1,
                n_ranked_by_year="2016-17: 350 / 2017-18: 351 / 2018-19: 350" if base else None,
                mode_change=mode, crosses_mode_change=mode != "before",
                baseline_gap=nan if base else 1.5, change=nan if base else change,
                change_lower=nan if base else change - 0.15, change_upper=nan if base else change + 0.15,
                adjusted_baseline_gap=nan if base else 1.3, adjusted_change=nan if base else adj_change,
                adjusted_change_lower=nan if base else adj_change - 0.3,
                adjusted_change_upper=nan if base else adj_change + 0.3,
                noise_only_baseline_gap=nan if base else 0.8,
                verdict="baseline" if base else verdict, adjusted_verdict="baseline" if base else adj_verdict)


def _gap():
    """A published gap that widens in 2022-23 while the adjusted change is not significant, and a
    year before the baseline whose published change would have been called a widening."""
    rows = []
    for metric in ("overall", "mean_life_satisfaction"):
        rows += [
            _row(BASELINE, metric, base=True),
            _row("2014-15", metric, gap=1.8, change=0.3, verdict="pre-baseline", adj_verdict="pre-baseline"),
            _row("2019-20", metric, gap=1.55, change=0.05, mode="partly"),
            _row("2022-23", metric, gap=1.9, adj=1.4, noise=1.1, change=0.4, adj_change=0.1, verdict="widened",
                 mode="after"),
        ]
    g = pd.DataFrame(rows)
    ls = g["metric_id"] == "mean_life_satisfaction"
    for c in ("gap", "gap_lower", "gap_upper", "adjusted_gap", "adjusted_gap_lower", "adjusted_gap_upper",
              "noise_only_gap", "change", "change_lower", "change_upper"):
        g.loc[ls, c] = -g.loc[ls, c] / 5  # higher is better: the worst third scores lower, the gap is negative
    return g


def _modes():
    rows = [(p, "before") for p in ("2014-15", "2015-16", "2016-17", "2017-18", "2018-19", BASELINE)]
    rows += [("2019-20", "partly"), ("2020-21", "after"), ("2021-22", "after"), ("2022-23", "after")]
    return pd.DataFrame([{"period": p, "mode_change": m, "note": f"{m} note",
                          "source_title": "Data collection changes due to the pandemic", "source_url": ONS_URL}
                         for p, m in rows])


def _sensitivity(verdicts=("no significant change",) * 3):
    rows = []
    for rho, v in zip((0.0, 0.3, 0.6), verdicts):
        for period, base in ((BASELINE, True), ("2022-23", False)):
            rows.append(dict(period=period, is_baseline=base, basis="means", metric_id="overall",
                             error_correlation=rho, central=rho == 0.3, unit="baseline SDs",
                             adjusted_gap=1.4 - rho / 2 + (0 if base else 0.15), adjusted_gap_lower=1.0,
                             adjusted_gap_upper=1.7, noise_only_gap=0.45 + rho + (0 if base else 0.3),
                             adjusted_change=np.nan if base else 0.15, adjusted_change_lower=np.nan if base else -0.1,
                             adjusted_change_upper=np.nan if base else 0.35, adjusted_verdict="baseline" if base else v))
    return pd.DataFrame(rows)


def _unranked():
    four = "mean_life_satisfaction, mean_worthwhile, mean_happiness, mean_anxiety"
    allm = "life satisfaction, worthwhile, happiness, anxiety"
    return pd.DataFrame([
        dict(period="2022-23", is_baseline=False, area_code="E06000065", area_name="North Yorkshire",
             missing_metrics=four, reason=f"{allm}: no combined value for the merged council: no estimate was "
                                           "published for Richmondshire (E07000166)"),
        dict(period="2022-23", is_baseline=False, area_code="E07000073", area_name="Harlow", missing_metrics=four,
             reason=f"{allm}: not published by ONS: the estimate is too unreliable"),
        dict(period="2022-23", is_baseline=False, area_code="E07000074", area_name="Maldon", missing_metrics=four,
             reason=f"{allm}: not published by ONS: the estimate is too unreliable"),
        dict(period="2022-23", is_baseline=False, area_code="E07000047", area_name="West Devon",
             missing_metrics="mean_anxiety", reason="anxiety: not published by ONS: the estimate is too unreliable"),
        dict(period=BASELINE, is_baseline=True, area_code="E09000001", area_name="City of London",
             missing_metrics=four, reason=f"{allm}: fewer than two of the three baseline years published "
                                          "(2016-17: not published by ONS; 2017-18: not published by ONS; 2018-19: not "
                                          "published by ONS)"),
    ])


def _links(notice) -> list[str]:
    return [p.href for p in notice.parts if isinstance(p, Link)]


# ------------------------------------------------------------------ headline and scorecard
def test_headline_uk_latest_period_in_metric_order():
    hl = mvw.headline_uk(_regions(), METRICS)
    assert hl["metric_id"].tolist() == ["mean_life_satisfaction", "mean_anxiety"]
    assert set(hl["period"]) == {"2022-23"}
    assert hl.loc[0, "verdict"] == "significantly worse" and hl.loc[0, "measure"] == "Life satisfaction (mean)"
    assert "verdict_holm" in hl and "rounding_sensitive" in hl
    assert mvw.headline_uk(pd.DataFrame(), METRICS).empty


def test_scorecard_rows_ordered_uk_england_regions_nations():
    sc = mvw.scorecard(_regions(), METRICS, "2022-23")
    assert sc["area_code"].tolist() == ["K02000001", "E92000001", "E12000001", "E12000007", "W92000004"]
    cell = sc.loc[0, "Life satisfaction (mean)"]
    assert "Significantly worse" in cell and "\u2193" in cell and "\u22120.20" in cell and "95%" not in cell
    long = mvw.scorecard_long(_regions(), METRICS, "2022-23")
    assert len(long) == 10 and long["area_code"].iloc[0] == "K02000001"
    assert {"verdict_holm", "p_holm", "rounding_sensitive", "mode_change"} <= set(long.columns)


def test_scorecard_says_in_words_when_holm_or_rounding_changes_a_call():
    sc, kinds = mvw.scorecard(_regions(), METRICS, "2022-23", with_kinds=True)
    london = sc.set_index("area").loc["London", "Life satisfaction (mean)"]
    assert "after Holm's correction: no significant change" in london
    wales = sc.set_index("area").loc["Wales", "Anxiety (mean)"]
    assert "rounding could flip this call" in wales
    england = sc.set_index("area").loc["England", "Life satisfaction (mean)"]
    assert "Holm" not in england and "rounding" not in england
    # the style class always sits beside a text that says the same
    assert kinds.set_index("area_code").loc["E12000007", "Life satisfaction (mean)"] == "worse"


def test_scorecard_counts_raw_beside_holm_and_flips_listed():
    lines = [plain(n) for n in mvw.scorecard_counts(_regions(), METRICS, "2022-23")]
    assert "(8 comparisons): 0 significantly improved, 4 no significant change, 4 significantly worse" in lines[0]
    assert lines[1].startswith("Allowing for 8 tests at once (Holm's correction): 0 significantly improved, "
                               "5 no significant change, 3 significantly worse")
    assert "Wales (anxiety (mean))" in lines[2]
    assert mvw.verdict_counts(_regions(), "2022-23") == {"significantly worse": 4, "no significant change": 4}


def test_change_frame_and_display_carry_holm_and_rounding():
    cf = mvw.change_frame(_regions(), "mean_anxiety", "2022-23")
    assert len(cf) == 5 and cf["area_code"].iloc[0] == "K02000001"
    t = mvw.change_display(cf)
    assert t.set_index("Area").loc["Wales", "Publisher's rounding could flip the call"] == "yes"
    assert "rounding could flip this call" in mvw.change_hover(cf)[-1]


# ------------------------------------------------------------------ the gap, three ways
def test_gap_summary_puts_published_adjusted_and_noise_only_side_by_side():
    v = mvw.gap_summary(_gap(), "overall")
    assert v["verdict"] == "widened" and v["adjusted_verdict"] == "no significant change"
    assert v["period"] == "2022-23" and v["tone"] == "same"
    published, adjusted, noise, meaning = (plain(n) for n in v["lines"])
    assert published.startswith("Overall, published estimates: the gap widened between the 2017-19 baseline and "
                                "2022-23: +0.40 SD (95% interval +0.25 to +0.55), from 1.50 SD to 1.90 SD.")
    assert adjusted.startswith("Adjusted for sampling noise: no significant change: +0.10 SD (95% interval "
                               "\u22120.20 to +0.40), from 1.30 SD to 1.40 SD")
    assert "0.80 SD at the baseline and 1.10 SD in 2022-23" in noise
    assert "once sampling noise is allowed for the change is not significant" in meaning
    assert "larger gap in 2022-23 (1.10 SD) than at the baseline (0.80 SD)" in meaning
    # every adjusted figure links to the methods
    assert "/data#methods-adjusted" in _links(v["lines"][1]) and "/data#methods-noise-only" in _links(v["lines"][2])


def test_gap_meaning_follows_both_verdicts():
    both = mvw._meaning("widened", "widened", "2022-23", "SD", 0.8, 1.1)
    assert "Both the published-estimate gap and the adjusted gap widened" in both
    hidden = mvw._meaning("no significant change", "narrowed", "2022-23", "SD", 0.8, 1.1)
    assert "adjusted gap narrowed" in hidden and "hide" in hidden
    neither = mvw._meaning("no significant change", "no significant change", "2022-23", "SD", 0.8, 0.8)
    assert neither.startswith("Neither")


def test_gap_summary_per_measure_explains_negative_gaps():
    v = mvw.gap_summary(_gap(), "mean_life_satisfaction", "Life satisfaction (mean)")
    assert "points" in v["sentence"] and "more negative gap is wider" in v["sentence"]
    assert mvw.gap_summary(pd.DataFrame())["verdict"] is None


def test_pre_baseline_years_are_context_never_widened_or_narrowed():
    g = _gap()
    assert mvw.latest_row(g, "overall")["period"] == "2022-23"
    t = mvw.gap_table(g, "overall")
    assert t.loc[0, "Year"] == "2017-19 baseline (2016-17 to 2018-19)" and len(t) == 4
    pre = t.set_index("Year").loc["2014-15"]
    assert pre["Context"] == "Before the baseline: context only"
    assert pre["Verdict (published)"] == "pre-baseline context" and pre["Change since baseline"] == "not compared"
    assert pre["Verdict (adjusted)"] == "pre-baseline context"
    assert not t["Verdict (published)"].str.contains("widened|narrowed").iloc[:2].any()
    chart = mvw.gap_chart(g, "overall", _modes())
    assert chart["periods"] == ["2014-15", "2019-20", "2022-23"] and chart["pre_baseline"] == (0, 0)
    assert "before the baseline" in chart["series"][0]["hover"][0]


def test_gap_chart_has_three_series_with_intervals_and_the_mode_change():
    chart = mvw.gap_chart(_gap(), "overall", _modes())
    assert [s["key"] for s in chart["series"]] == ["published", "adjusted", "noise"]
    pub = chart["series"][0]
    assert pub["y"][-1] == pytest.approx(1.9) and pub["lower"][-1] == pytest.approx(1.7)
    assert pub["baseline"] == pytest.approx(1.5)
    # between 2019-20 (partly by telephone) and 2022-23 (by telephone), cited to ONS
    assert chart["mode_change_at"] == 1.5 and chart["mode_source"].href == ONS_URL
    assert mvw.mode_boundary(["2018-19", "2019-20"], _modes()) is None


def test_mode_notice_cites_ons_only_when_a_comparison_spans_the_change():
    n = mvw.mode_notice(_modes(), "2022-23", "the 2017-19 baseline")
    assert ONS_URL in _links(n) and "/data#methods-mode-change" in _links(n)
    assert "face-to-face to telephone interviews in March 2020" in plain(n)
    assert mvw.mode_notice(_modes(), "2018-19", "x") is None
    assert "partly" in plain(mvw.mode_notice(_modes(), "2019-20", "2018-19"))


def test_sensitivity_table_and_sentence():
    t = mvw.sensitivity_table(_sensitivity(), "overall", "2022-23")
    assert t["Assumed correlation of sampling errors"].tolist() == ["0.0 (lower limit)", "0.3 (assumed)", "0.6"]
    assert t.iloc[1]["Adjusted change (95% interval)"] == "+0.15 (\u22120.10 to +0.35)"
    assert t.iloc[2]["Noise-only gap, baseline to 2022-23 (SD)"] == "1.05 to 1.35"
    same = plain(mvw.sensitivity_sentence(_sensitivity(), "overall", "2022-23"))
    assert "under every correlation tried (0.0 to 0.6)" in same
    mixed = mvw.sensitivity_sentence(_sensitivity(("widened", "widened", "no significant change")), "overall",
                                     "2022-23")
    assert "depends on the assumed correlation" in plain(mixed)
    assert "/data#methods-error-correlation" in _links(mixed)
    assert mvw.sensitivity_table(_sensitivity(), "overall", None).empty


def test_unranked_notice_counts_areas_and_gives_reasons():
    n = mvw.unranked_notice(_unranked(), "2022-23")
    text = plain(n)
    assert text.startswith("4 areas not ranked in 2022-23: ")
    assert "North Yorkshire (no combined value for the merged council: no estimate was published for " \
           "Richmondshire (E07000166))" in text
    assert "Harlow and Maldon (not published by ONS: the estimate is too unreliable)" in text
    assert "West Devon (anxiety: not published by ONS: the estimate is too unreliable)" in text
    assert "/data#methods-unranked" in _links(n)
    base = plain(mvw.unranked_notice(_unranked(), BASELINE, "the 2017-19 baseline"))
    assert base.startswith("1 area not ranked in the 2017-19 baseline: City of London (fewer than two of the "
                           "three baseline years published (not published by ONS, in each year))")
    assert mvw.unranked_notice(_unranked(), "1999-00") is None


def test_gap_csv_carries_every_figure():
    c = mvw.gap_csv(_gap(), "overall")
    for col in ("gap", "adjusted_gap", "adjusted_change_lower", "adjusted_verdict", "noise_only_gap",
                "noise_only_baseline_gap", "mode_change", "verdict"):
        assert col in c.columns
    assert c["is_baseline"].iloc[0] and len(c) == 4


def test_model_tables():
    model = pd.DataFrame([dict(period=p, is_baseline=p == BASELINE, basis="means", metric_id=m, scale="identity",
                               n_areas=350, n_groups=12, between_area_variance=0.0163, between_area_variance_se=0.0016,
                               at_boundary=False, median_se=0.07, median_reliability=0.78, reliability_p10=0.54,
                               reliability_p90=0.91, error_correlation=0.3, effect_correlation_mean=0.77)
                          for p in ("2022-23", BASELINE) for m in ("mean_anxiety", "mean_life_satisfaction")])
    t = mvw.model_tables(model, {"mean_anxiety": "Anxiety (mean)", "mean_life_satisfaction": "Life satisfaction (mean)"})
    rel, var = t["reliability"], t["variance"]
    assert rel["Year"].tolist() == ["2017-19 baseline (2016-17 to 2018-19)", "2022-23"]
    assert rel.loc[0, "Anxiety (mean)"] == "0.78 (0.54 to 0.91)" and var.loc[0, "Anxiety (mean)"] == "0.0163 (0.0016)"
    assert t["correlation"] == 0.3
    assert mvw.model_tables(pd.DataFrame(), {})["reliability"].empty


# ------------------------------------------------------------------ the views, through the read layer
def test_gap_view_reads_the_new_tables_through_the_queries(synthetic):
    synthetic(mission_gap=_gap(), mission_gap_sensitivity=_sensitivity(), mission_unranked=_unranked(),
              mission_survey_mode=_modes())
    v = mvw.gap_view("overall")
    assert v["verdict"]["adjusted_verdict"] == "no significant change"
    assert v["chart"]["mode_change_at"] == 1.5 and len(v["chart"]["series"]) == 3
    assert len(v["sensitivity"]) == 3 and v["sensitivity_note"] is not None
    assert [plain(n).split(":")[0] for n in v["unranked"]] == ["4 areas not ranked in 2022-23",
                                                              "1 area not ranked in the 2017-19 baseline (2016-17 to 2018-19)"]
    assert ONS_URL in _links(v["mode"])
    assert mvw.gap_view("nonsense")["metric"] == "overall"
    assert len(mvw.gap_table_view("mean_life_satisfaction")["table"]) == 4


def test_views_without_the_new_tables_still_work(synthetic):
    synthetic(mission_gap=_gap()[["period", "is_baseline", "basis", "metric_id", "n_ranked", "gap", "gap_lower",
                                  "gap_upper", "unit", "change", "change_lower", "change_upper", "verdict"]])
    v = mvw.gap_view("overall")
    assert v["verdict"]["verdict"] == "widened" and v["verdict"]["adjusted_verdict"] is None
    assert [s["key"] for s in v["chart"]["series"]] == ["published"]
    assert v["unranked"] == [] and v["mode"] is None and v["sensitivity"].empty


# ------------------------------------------------------------------ the real build
@pytest.fixture(scope="module")
def real(build_dir):
    from dashboard.queries import build

    build.reset()
    return build.current()


def test_real_build_headline_and_scorecard(real):
    regions, metrics = real.frame("mission_regions"), real.frame("metrics")
    hl = mvw.headline_uk(regions, metrics)
    assert len(hl) == 4 and hl["baseline_period"].eq("2018-19").all()
    assert hl[["value", "lower", "upper", "change_lower", "change_upper"]].notna().all().all()
    sc = mvw.scorecard(regions, metrics)
    assert len(sc) == 14  # UK + England + 9 regions + Wales, Scotland, Northern Ireland


def test_real_build_gap_three_ways_agree_with_the_build(real):
    gap = real.frame("mission_gap")
    v = mvw.gap_view("overall")
    last = gap[(gap["metric_id"] == "overall") & (gap["period"] == v["verdict"]["period"])].iloc[0]
    assert v["verdict"]["adjusted_change"] == pytest.approx(last["adjusted_change"])
    # the verdicts agree with their intervals
    for kind in ("", "adjusted_"):
        lo, hi = v["verdict"][f"{kind}change_lower"], v["verdict"][f"{kind}change_upper"]
        call = v["verdict"]["adjusted_verdict" if kind else "verdict"]
        assert call == ("widened" if lo > 0 else "narrowed" if hi < 0 else "no significant change")
    assert len(v["lines"]) == 4 and math.isfinite(v["verdict"]["noise_only_gap"])
    # noisier estimates after the baseline: the noise-only gap is larger in the latest year
    assert v["verdict"]["noise_only_gap"] > v["verdict"]["noise_only_baseline_gap"]
    assert v["chart"]["mode_change_at"] is not None and v["chart"]["pre_baseline"] is not None
    t = mvw.gap_table(gap, "overall")
    pre = t[t["Context"] == "Before the baseline: context only"]
    assert len(pre) and not pre["Verdict (published)"].str.contains("widened|narrowed").any()


def test_real_build_unranked_and_scorecard_counts(real):
    v = mvw.gap_view("overall")
    unr = real.frame("mission_unranked")
    n = int((unr["period"] == v["verdict"]["period"]).sum())
    assert plain(v["unranked"][0]).startswith(f"{n} areas not ranked in {v['verdict']['period']}: ")
    s = mvw.scorecard_view(None)
    regions = real.frame("mission_regions")
    r = regions[(regions["period"] == s["period"]) & (regions["geography"] != "uk")]
    holm = int((r["verdict_holm"] == "significantly worse").sum())
    assert f"(Holm's correction): {int((r['verdict_holm'] == 'significantly improved').sum())} significantly " \
           f"improved" in s["text"] and f"{holm} significantly worse" in s["text"]
    assert f"({len(r)} comparisons)" in s["text"]


def test_views_normalise_and_explain_bad_parameters(real):
    state, notes = mvw.normalise("nope", "1999-00", "xx")
    assert state == {"gap": "overall", "period": "2022-23", "metric": "mean_life_satisfaction"}
    assert len(notes) == 3
    v = mvw.gap_view("overall")
    assert v["sentence"].startswith("Overall: ") and not mvw.gap_table_view("overall")["table"].empty
    s = mvw.scorecard_view(None)
    assert s["period"] == "2022-23" and "(52 comparisons)" in s["text"]
