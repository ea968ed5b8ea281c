"""Unit tests for the area-profile, compare, neighbours and drivers analysis modules
(small synthetic frames: a county with two districts, a unitary, an ICB, a retired code)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import compare as cmp
from dashboard.analysis import drivers as drv
from dashboard.analysis import neighbours as nb
from dashboard.analysis import profile as prof

P = pd.Timestamp


def _areas() -> pd.DataFrame:
    rows = [
        # code, name, geography, la_type, region, country, utla, icb, active, successor, former
        ("E07000001", "Alpha", "ltla", "Non-metropolitan district", "E12000008", "E92000001", "E10000001", "E54000001", True, None, None),
        ("E07000002", "Beta", "ltla", "Non-metropolitan district", "E12000008", "E92000001", "E10000001", "E54000001", True, None, None),
        ("E06000001", "Gamma", "ltla", "Unitary authority", "E12000008", "E92000001", "E06000001", "E54000001", True, None, "E06000099"),
        ("E08000001", "Delta", "ltla", "Metropolitan district", "E12000002", "E92000001", "E08000001", "E54000002", True, None, None),
        ("W06000001", "Epsilon", "ltla", "Welsh unitary authority", None, "W92000004", "W06000001", None, True, None, None),
        ("E06000099", "Old Gamma", "ltla", "Unitary authority", None, None, None, None, False, "E06000001", None),
        ("E10000001", "Kent", "utla", "County", "E12000008", "E92000001", "E10000001", None, True, None, None),
        ("E06000001", "Gamma", "utla", "Unitary authority", "E12000008", "E92000001", "E06000001", None, True, None, None),
        ("E54000001", "NHS Kent ICB", "icb", "Integrated care board", None, None, None, None, True, None, None),
        ("E12000008", "South East", "region", "Region", None, "E92000001", None, None, True, None, None),
        ("E12000002", "North West", "region", "Region", None, "E92000001", None, None, True, None, None),
        ("E92000001", "England", "country", "Nation", None, None, None, None, True, None, None),
        ("K02000001", "United Kingdom", "uk", "United Kingdom", None, None, None, None, True, None, None),
    ]
    df = pd.DataFrame(rows, columns=["code", "name", "geography", "la_type", "region_code", "country_code", "utla_code",
                                     "icb_code", "active", "successor_code", "former_codes"])
    df["icb_share"] = np.where(df["code"] == "E06000001", 0.8, 1.0)
    df["icb_split"] = df["code"] == "E06000001"
    return df


def _metrics() -> pd.DataFrame:
    return pd.DataFrame([
        dict(id="mean_life_satisfaction", title="Life satisfaction", short_title="Life satisfaction (mean)", kind="headline_mean",
             unit="score 0-10", polarity="higher_better", decimals=2, sort=5, publisher_url="https://ons", status="available",
             status_note="", native_geography="ltla"),
        dict(id="low_life_satisfaction", title="Low LS", short_title="Low life satisfaction", kind="headline",
             unit="% of adults", polarity="lower_better", decimals=1, sort=1, publisher_url="https://ons/shares",
             status="available", status_note="", native_geography="ltla"),
        dict(id="absence", title="Absence", short_title="Absence", kind="supporting", unit="%", polarity="lower_better",
             decimals=1, sort=10, publisher_url="https://dfe", status="available", status_note="", native_geography="utla"),
        dict(id="pay", title="Pay", short_title="Pay", kind="supporting", unit="£", polarity="higher_better", decimals=0,
             sort=11, publisher_url="https://ons/pay", status="available", status_note="", native_geography="ltla"),
        dict(id="loneliness", title="Loneliness", short_title="Loneliness", kind="supporting", unit="%",
             polarity="lower_better", decimals=1, sort=12, publisher_url="https://dcms", status="not yet published",
             status_note="From 2025", native_geography="ltla"),
    ])


def _row(metric, code, name, geo, period, value, lower=np.nan, upper=np.nan, status="ok", native=None, ncode=None,
         derived=False):
    y = int(period[:4])
    return dict(metric_id=metric, area_code=code, area_name=name, geography=geo, period=period,
                period_start=P(f"{y}-04-01"), period_end=P(f"{y + 1}-03-31"), value=value, lower=lower, upper=upper,
                status=status, derived=derived, note="", source_file="x", native_geography=native or geo,
                native_area_code=ncode or code)


def _frames():
    lv = [
        _row("mean_life_satisfaction", "E07000001", "Alpha", "ltla", "2021-22", 7.0, 6.8, 7.2),
        _row("mean_life_satisfaction", "E07000001", "Alpha", "ltla", "2022-23", 7.1, 6.9, 7.3),
        _row("mean_life_satisfaction", "E07000002", "Beta", "ltla", "2022-23", 7.6, 7.5, 7.7),
        _row("mean_life_satisfaction", "E06000001", "Gamma", "ltla", "2022-23", 7.4, 7.3, 7.5, derived=True),
        _row("mean_life_satisfaction", "E08000001", "Delta", "ltla", "2022-23", 6.5, 6.3, 6.7),
        _row("mean_life_satisfaction", "W06000001", "Epsilon", "ltla", "2022-23", 7.5, 7.2, 7.8),
        # county value shared by its districts
        _row("absence", "E07000001", "Alpha", "ltla", "2022-23", 8.0, 7.9, 8.1, native="utla", ncode="E10000001"),
        _row("absence", "E07000002", "Beta", "ltla", "2022-23", 8.0, 7.9, 8.1, native="utla", ncode="E10000001"),
        _row("absence", "E06000001", "Gamma", "ltla", "2022-23", 6.0, 5.9, 6.1, native="utla", ncode="E06000001"),
        _row("absence", "E08000001", "Delta", "ltla", "2022-23", 7.0, 6.9, 7.1, native="utla", ncode="E08000001"),
        _row("pay", "E07000001", "Alpha", "ltla", "2022-23", 600),
        _row("pay", "E07000002", "Beta", "ltla", "2022-23", 700),
        _row("pay", "E06000001", "Gamma", "ltla", "2022-23", np.nan, status="suppressed"),
        _row("pay", "E08000001", "Delta", "ltla", "2022-23", 500),
        _row("pay", "W06000001", "Epsilon", "ltla", "2022-23", 800),
    ]
    la_view = pd.DataFrame(lv)
    obs = la_view[la_view["native_geography"] == "ltla"].drop(columns=["native_geography", "native_area_code"])
    bench = pd.DataFrame([
        _row("mean_life_satisfaction", "E92000001", "England", "country", "2022-23", 7.3, 7.29, 7.31),
        _row("mean_life_satisfaction", "E92000001", "England", "country", "2021-22", 7.3, 7.29, 7.31),
        _row("mean_life_satisfaction", "E12000008", "South East", "region", "2022-23", 7.4, 7.35, 7.45),
        _row("mean_life_satisfaction", "K02000001", "United Kingdom", "uk", "2022-23", 7.35, 7.34, 7.36),
        _row("low_life_satisfaction", "E92000001", "England", "country", "2018-19", 4.5),
        _row("absence", "E92000001", "England", "country", "2022-23", 7.5, 7.49, 7.51),
        _row("absence", "E10000001", "Kent", "utla", "2022-23", 8.0, 7.9, 8.1),
        _row("absence", "E06000001", "Gamma", "utla", "2022-23", 6.0, 5.9, 6.1),
        _row("pay", "E92000001", "England", "country", "2022-23", 650),
    ]).drop(columns=["native_geography", "native_area_code"])
    obs = pd.concat([obs, bench], ignore_index=True)
    return la_view, obs, _areas(), _metrics()


# ----------------------------------------------------------------------------- profile

def test_resolve_area_current_retired_unknown_invalid():
    a = _areas()
    assert prof.resolve_area(a, "E07000001")["status"] == "current"
    r = prof.resolve_area(a, "E06000099")
    assert r["status"] == "retired" and r["successor_code"] == "E06000001" and r["successor_name"] == "Gamma"
    assert prof.resolve_area(a, "E07009999")["status"] == "unknown"
    assert prof.resolve_area(a, "<script>")["status"] == "invalid"
    assert prof.resolve_area(a, None)["status"] == "invalid"
    # a unitary is both ltla and utla: the ltla row wins
    assert prof.resolve_area(a, "e06000001")["geography"] == "ltla"


def test_benchmark_codes():
    a = _areas()
    alpha = prof.resolve_area(a, "E07000001")
    assert prof.national_code(alpha) == prof.ENGLAND and prof.regional_code(alpha) == "E12000008"
    wales = prof.resolve_area(a, "W06000001")
    assert prof.national_code(wales) == prof.UK and prof.regional_code(wales) == "W92000004"
    assert prof.regional_code(prof.resolve_area(a, "E12000008")) is None


def test_geography_notes_say_where_values_come_from():
    a = _areas()
    alpha = prof.resolve_area(a, "E07000001")
    n = prof.geography_note({"native_geography": "utla", "native_area_code": "E10000001"}, a, alpha)
    assert n == "County-level value (Kent) shared by all its districts"
    gamma = prof.resolve_area(a, "E06000001")
    assert "ICB-level value (NHS Kent ICB)" in prof.geography_note({"native_geography": "icb", "native_area_code": "E54000001"}, a, gamma)
    assert "80%" in prof.geography_note({"native_geography": "icb", "native_area_code": "E54000001"}, a, gamma)
    assert "highest annual mean in the zone" in prof.geography_note({"native_geography": "aq_zone", "native_area_code": "UK0001"}, a, alpha)
    assert "derived from predecessor councils" in prof.geography_note({"native_geography": "ltla", "native_area_code": "E06000001",
                                                                      "derived": True}, a, gamma)


def test_profile_table_compares_by_ci_and_polarity():
    lv, obs, a, m = _frames()
    alpha = prof.resolve_area(a, "E07000001")
    t = prof.profile_table(lv, obs, a, m, alpha, prof.group_codes_default(a, alpha), "South East").set_index("metric_id")
    ls = t.loc["mean_life_satisfaction"]
    assert ls["period"] == "2022-23" and ls["value"] == 7.1
    assert ls["vs_nat"] == "similar"          # CI 6.9-7.3 touches England 7.3: not significantly below
    ab = t.loc["absence"]
    assert ab["vs_nat"] == "worse"            # lower is better, CI 7.9-8.1 above 7.5
    assert ab["geography_note"].startswith("County-level value (Kent)")
    # distribution counts unique native values (the county once)
    assert ab["dist_n"] == 3
    pay = t.loc["pay"]
    assert pay["vs_nat"] == "not compared" and "no confidence interval" in pay["compare_note"]
    # group mean over region LTLAs with values (Alpha, Beta, Gamma)
    assert math.isclose(ls["group_value"], (7.1 + 7.6 + 7.4) / 3)


def test_profile_table_boundary_equal_is_similar():
    lv, obs, a, m = _frames()
    beta = prof.resolve_area(a, "E07000002")
    t = prof.profile_table(lv, obs, a, m, beta).set_index("metric_id")
    assert t.loc["mean_life_satisfaction", "vs_nat"] == "better"
    assert t.loc["mean_life_satisfaction", "vs_reg"] == "better"


def test_unavailable_metrics_give_reasons():
    lv, obs, a, m = _frames()
    gamma = prof.resolve_area(a, "E06000001")
    t = prof.profile_table(lv, obs, a, m, gamma)
    u = prof.unavailable_metrics(m, t).set_index("metric_id")
    assert "suppressed" in u.loc["pay", "reason"]
    assert u.loc["loneliness", "reason"] == "not yet published"
    assert u.loc["loneliness", "publisher_url"] == "https://dcms"


def test_spine_positions_centre_and_orientation():
    t = pd.DataFrame({"nat_value": [10.0, 10.0, 1000.0], "nat_name": ["England"] * 3, "dist_min": [5.0, 5.0, 1.0],
                      "dist_q25": [8.0, 8.0, 2.0], "dist_median": [10.0, 10.0, 3.0], "dist_q75": [12.0, 12.0, 4.0],
                      "dist_max": [20.0, 20.0, 9.0], "value": [15.0, 15.0, 3.0],
                      "polarity": ["higher_better", "lower_better", "lower_better"]})
    s = prof.spine_positions(t)
    assert s.loc[0, "x_value"] == pytest.approx(0.75) and s.loc[0, "x_max"] == pytest.approx(1.0)
    assert s.loc[1, "x_value"] == pytest.approx(0.25)           # lower is better: high value sits left
    assert s.loc[1, "x_min"] <= s.loc[1, "x_q25"] <= s.loc[1, "x_q75"] <= s.loc[1, "x_max"]
    assert s.loc[2, "centre_label"] == "Local-authority median"  # England total outside the local range
    assert s.loc[2, "x_value"] == pytest.approx(0.5)


def test_headline_summary_change_and_missing_share():
    lv, obs, a, m = _frames()
    alpha = prof.resolve_area(a, "E07000001")
    items = prof.headline_summary(prof.area_series(lv, obs, alpha), obs, m, alpha)
    ls = items[0]
    assert ls["mean"]["value"] == 7.1 and ls["mean"]["vs_nat"] == "similar"
    assert ls["change"]["from"] == "2021-22" and ls["change"]["direction"] == "no significant change"
    assert ls["share"] is None and ls["share_url"] == "https://ons/shares"


def test_non_ltla_profile_uses_observations():
    lv, obs, a, m = _frames()
    kent = prof.resolve_area(a, "E10000001")
    t = prof.profile_table(lv, obs, a, m, kent).set_index("metric_id")
    assert list(t.index) == ["absence"] and t.loc["absence", "vs_nat"] == "worse"


def test_mission_summary_sentence():
    ml = pd.DataFrame([
        dict(period="2022-23", is_baseline=False, basis="means", area_code="E07000001", area_name="Alpha",
             worst_metric="mean_life_satisfaction", worst_percentile=90.0, rank=10, n_ranked=300, in_worst_third=True,
             p_worst_third=0.87, uses_derived=False),
        dict(period="2016-17 to 2018-19", is_baseline=True, basis="means", area_code="E07000001", area_name="Alpha",
             worst_metric="mean_life_satisfaction", worst_percentile=50.0, rank=150, n_ranked=300, in_worst_third=False,
             p_worst_third=0.1, uses_derived=False),
    ])
    s = prof.mission_summary(ml, _metrics(), "E07000001")
    assert s["sentence"] == ("In the worst third in 2022-23 (in 87% of 1,000 simulations drawn from the published "
                             "confidence intervals).")
    assert s["worst_title"] == "Life satisfaction (mean)" and "not in the worst third" in s["baseline"]
    assert prof.mission_summary(ml, _metrics(), "E99999999") is None


def test_profile_download_has_benchmarks_and_geography():
    lv, obs, a, m = _frames()
    d = prof.profile_download(lv, obs, a, m, prof.resolve_area(a, "E07000002"))
    row = d[(d["metric_id"] == "absence")].iloc[0]
    assert row["national_value"] == 7.5 and row["vs_national"] == "worse"
    assert row["geography_note"].startswith("County-level value (Kent)")
    assert set(d["area_code"]) == {"E07000002"}


# ----------------------------------------------------------------------------- compare & neighbours

def test_compare_groups_and_table():
    lv, obs, a, m = _frames()
    codes, label, _ = cmp.group_members(a, lv, "E07000001", "region")
    assert codes[0] == "E07000001" and set(codes) == {"E07000001", "E07000002", "E06000001"}
    codes, label, _ = cmp.group_members(a, lv, "E07000001", "la_type")
    assert set(codes) == {"E07000001", "E07000002"}
    t, info = cmp.compare_table(lv, obs, a, m, ["E07000001", "E07000002", "E08000001"], "mean_life_satisfaction",
                                None, "england")
    assert info["period"] == "2022-23" and info["benchmark_value"] == 7.3
    assert dict(zip(t["area_code"], t["comparison"])) == {"E07000001": "similar", "E07000002": "better",
                                                          "E08000001": "worse"}
    t, _ = cmp.compare_table(lv, obs, a, m, ["E07000001", "E07000002"], "mean_life_satisfaction", "2022-23",
                             "E07000002")
    assert dict(zip(t["area_code"], t["comparison"])) == {"E07000001": "worse", "E07000002": "benchmark"}
    t, _ = cmp.compare_table(lv, obs, a, m, ["E06000001", "E07000001"], "pay", "2022-23", "england")
    assert t.set_index("area_code").loc["E06000001", "reason"].startswith("no value (suppressed")
    ok, bad = cmp.clean_codes(a, "E07000001, e07000002,XX,E06000099")
    assert ok == ["E07000001", "E07000002"] and bad == ["XX", "E06000099"]


def test_nearest_neighbours_distance_and_fallback():
    lv, obs, a, m = _frames()
    extra = []
    for code, name, x, y in [("E07000001", "Alpha", 1.0, 10.0), ("E07000002", "Beta", 1.1, 10.5),
                             ("E06000001", "Gamma", 5.0, 50.0), ("E08000001", "Delta", 9.0, 90.0),
                             ("W06000001", "Epsilon", 1.2, 11.0)]:
        extra.append(_row("gdhi_per_head", code, name, "ltla", "2022-23", x))
        extra.append(_row("claimant_count_rate", code, name, "ltla", "2022-23", y))
    lv2 = pd.concat([lv, pd.DataFrame(extra)], ignore_index=True)
    nn, used, fb = nb.nearest_neighbours(lv2, a, "E07000001", k=2)
    assert not fb and {u["metric_id"] for u in used} == {"gdhi_per_head", "claimant_count_rate"}
    assert nn["area_code"].tolist() == ["E07000002", "W06000001"]
    assert (nn["distance"].diff().dropna() >= 0).all()
    assert "not the CIPFA" in nb.describe(used, fb)
    # without context indicators the ONS4 means are used, and that is said
    nn, used, fb = nb.nearest_neighbours(lv, a, "E07000001", k=2)
    assert fb and "ONS4" in nb.describe(used, fb)


def test_distance_needs_half_of_indicators():
    mat = pd.DataFrame({"a": [0.0, 1.0, np.nan], "b": [0.0, 1.0, np.nan], "c": [0.0, np.nan, 0.5]},
                       index=["X", "Y", "Z"])
    d = nb.distances(mat, "X")
    assert d["Y"] == pytest.approx(math.sqrt(2 * 3 / 2))
    assert np.isnan(d["Z"])


# ----------------------------------------------------------------------------- drivers

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


def test_worst_third_differences_orientation():
    lv, obs, a, m = _frames()
    ml = pd.DataFrame([dict(period="2022-23", is_baseline=False, basis="means", area_code=c, in_worst_third=w)
                       for c, w in [("E07000001", True), ("E08000001", True), ("E07000002", False), ("E06000001", False),
                                    ("W06000001", False)]])
    t, period = drv.worst_third_differences(lv, ml, m, a)
    assert period == "2022-23"
    pay = t.set_index("metric_id").loc["pay"]
    # worst third pay mean 550 vs rest 750 (Gamma suppressed): higher is better -> positive d = worse
    assert pay["mean_worst"] == 550 and pay["mean_rest"] == 750 and pay["d"] > 0 and pay["lower"] < pay["upper"]
    ab = t.set_index("metric_id").loc["absence"]
    assert bool(ab["inherited"])


def test_scatter_frame_and_default_periods():
    lv, obs, a, m = _frames()
    xp, yp = drv.default_periods(lv, a, "pay", "mean_life_satisfaction")
    assert (xp, yp) == ("2022-23", "2022-23")
    df = drv.scatter_frame(lv, a, "pay", "mean_life_satisfaction", xp, yp)
    assert set(df["area_code"]) == {"E07000001", "E07000002", "E08000001", "W06000001"}
    assert set(df["region_name"]) == {"South East", "North West", "Wales"}
