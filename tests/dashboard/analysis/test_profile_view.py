"""The area profile's view model on the synthetic build with the profile's extras: each class of
issue 15's wrong or misleading numbers, the headline-hole banner of issue 12, the rounded
downloads, and the per-build memo that makes the comparator switch a look-up."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import profile as prof
from dashboard.analysis import profile_view as pv
from dashboard.queries import areas, observations
from dashboard.viewmodel import plain
from tests.dashboard import synthetic as syn

ALPHA, BETA, GAMMA, DELTA, EPSILON = "E07000001", "E07000002", "E06000001", "E08000001", "W06000001"


def rows_of(code, comparator="region"):
    return {r["metric_id"]: r for r in pv.spine(areas.resolve(code), comparator)["rows"]}


def texts(notices):
    return " ".join(plain(n) for n in notices if n is not None)


# ----------------------------------------------------------------------------- counts and unit types
def test_a_count_is_never_compared_with_a_national_total(profile_build):
    t = prof.profile_table(areas.resolve(ALPHA), areas.ltla_in_region(areas.resolve(ALPHA)), "South East")
    inc = t.set_index("metric_id").loc["incidents"]
    assert inc["is_count"] and inc["vs_nat"] == inc["vs_reg"] == inc["vs_group"] == "not compared"
    assert math.isnan(inc["nat_value"]) and math.isnan(inc["reg_value"]) and math.isnan(inc["group_value"])
    assert inc["compare_note"] == prof.COUNT_REASON
    pos = prof.spine_positions(t, "Median of local authorities").set_index("metric_id").loc["incidents"]
    assert not pos["centre_is_national"] and pos["centre_label"] == "Median of local authorities"
    assert pos["centre_value"] == pytest.approx(np.median([100, 300, 200, 900.4]))
    row = rows_of(ALPHA)["incidents"]
    assert row["verdict_text"] == "Not compared (a count)"
    everything = " ".join(str(v) for v in row.values()) + texts([pv.spine(areas.resolve(ALPHA), "region")["count_note"]])
    assert "50,001" not in everything and "50000" not in everything and "12,000" not in everything
    table = pv.spine(areas.resolve(ALPHA), "region")["table_rows"].set_index("Metric").loc["Incidents (count)"]
    assert table["England"] == "not compared (a count)"


def test_every_unit_type_is_placed_among_the_right_values(profile_build):
    """Scores, rates, shares and money: the centre is the national value when it lies inside the
    spread (else the labelled median), and the spread is that of the distinct values reaching
    local authorities, a county value counted once."""
    lv = observations.table("la_view")
    for code in (ALPHA, BETA, DELTA):
        info = areas.resolve(code)
        t = prof.profile_table(info)
        pos = prof.spine_positions(t, prof.median_label(info))
        for r in pos[np.isfinite(pos["value"].astype(float))].to_dict("records"):
            d = lv[(lv["metric_id"] == r["metric_id"]) & (lv["period"] == r["period"]) & lv["area_code"].str.startswith("E")]
            d = d[np.isfinite(d["value"].astype(float))].drop_duplicates("native_area_code")
            assert r["dist_median"] == pytest.approx(float(np.median(d["value"].astype(float)))), r["metric_id"]
            assert r["dist_n"] == len(d) and r["dist_min"] <= r["value"] <= r["dist_max"]
            if r["is_count"]:
                assert not r["centre_is_national"]
            elif np.isfinite(r["nat_value"]) and r["dist_min"] <= r["nat_value"] <= r["dist_max"]:
                assert r["centre_is_national"] and r["centre_value"] == r["nat_value"]
            else:
                assert not r["centre_is_national"] and r["centre_value"] == r["dist_median"]
            assert 0 <= r["x_value"] <= 1 and 0 <= r["x_min"] <= r["x_max"] <= 1


def test_a_missing_national_value_is_said(profile_build):
    """Child poverty's file has no England row: a missing benchmark is said, with the national
    figures the publisher does give."""
    assert prof.national_gap("mean_life_satisfaction", "2021-22", "E92000001") == ""
    # Epsilon (Wales) is compared with the UK; pay is published for England only
    flags = rows_of(EPSILON)["pay"]["flags"]
    assert ("No value for the United Kingdom is published for 2022-23 in this data: the publisher's figures for "
            "that period cover England") in flags


# ----------------------------------------------------------------------------- what is ranked
def test_the_rank_named_is_the_rank_on_that_measure(profile_build):
    profile_build(syn.mission_rows())
    ms = pv.worst_third(areas.resolve(DELTA))
    # Delta is 2nd on the combined worst-measure ordering but worst on life satisfaction alone
    assert "1st worst of 4 on that measure alone" in ms["ranking"]
    assert "Ordered by each area's worst measure (the ordering that defines the worst third), Delta is 2nd of 4" \
        in ms["ranking"]
    table = ms["measure_table"].set_index("Measure")
    assert table.loc["Life satisfaction (mean)", "Rank on this measure (1 = worst)"] == "1 of 4"
    # ties are said as ties
    beta = pv.worst_third(areas.resolve(BETA))
    assert "joint 2nd worst of 4 on that measure alone: 2 areas share its published value, places 2 to 3" \
        in beta["ranking"]


def test_worst_third_beside_similar_verdicts_is_explained(profile_build):
    profile_build(syn.mission_rows())
    ms = pv.worst_third(areas.resolve(ALPHA))  # in the worst third (91%); its mean is similar to England
    text = plain(ms["explain"])
    assert text.startswith("How both hold: Alpha is in the worst third on the published estimates")
    assert ", yet 1 headline measure" in text
    assert "similar to England" in text and "a ranking" in text and "significance tests" in text
    out = plain(pv.worst_third(areas.resolve(GAMMA))["explain"])  # not in it: the general explanation only
    assert not out.startswith("How both hold") and "a ranking" in out


# ----------------------------------------------------------------------------- county, stale, England only
def test_county_values_are_said_in_the_summary_the_row_and_its_hover(profile_build):
    v = pv.spine(areas.resolve(ALPHA), "region")
    county = "County-level value (Kent), shared by all its districts"
    assert county in texts(v["summary"])            # absence is worse than England, and a county value
    assert county in texts(v["shared_notes"]) and "Looked after" in texts(v["shared_notes"])
    for mid in ("absence", "looked_after"):
        row = rows_of(ALPHA)[mid]
        assert county in row["flags"] and county in row["detail"]
    assert county not in " ".join(rows_of(GAMMA)["absence"]["flags"])  # a unitary's own upper-tier value


def test_an_old_latest_value_is_flagged_everywhere(profile_build):
    v = pv.spine(areas.resolve(GAMMA), "region")
    row = rows_of(GAMMA)["looked_after"]
    words = "Latest value for this area is from 2019, 6 years older than the latest period published (2025"
    assert any(words in f for f in row["flags"]) and words in row["detail"]
    assert words in texts(v["stale_notes"])
    assert words in v["table_rows"].set_index("Metric").loc["Looked after", "Notes"]
    assert not rows_of(ALPHA)["looked_after"]["stale"]


def test_england_only_metrics_outside_england_point_to_the_devolved_equivalent(profile_build):
    v = pv.spine(areas.resolve(EPSILON), "region")
    eng = v["england_only"].set_index("metric_id")
    assert {"incidents", "looked_after"} <= set(eng.index)
    assert eng.loc["looked_after", "reason"].startswith("England only")
    assert eng.loc["looked_after", "equivalents"][0]["url"] == syn.WALES_EQUIVALENT
    assert "not published for this area" not in " ".join(eng["reason"])
    assert "looked_after" not in set(v["missing"]["metric_id"])
    assert pv.spine(areas.resolve(ALPHA), "region")["england_only"].empty


def test_a_split_icb_is_named_with_its_shares(profile_build):
    shares = areas.icb_shares(GAMMA)
    assert [(s["icb_code"], s["share"]) for s in shares] == [("E54000001", 0.8), ("E54000002", 0.2)]
    text = texts(pv.page(areas.resolve(GAMMA))["notes"])
    assert "Gamma is split between 2 integrated care boards: NHS Kent ICB (80% of its neighbourhoods) and NHS " \
           "North ICB (20% of its neighbourhoods)" in text
    assert "split" not in texts(pv.page(areas.resolve(ALPHA))["notes"])
    note = prof.geography_note({"native_geography": "icb", "native_area_code": "E54000001"}, areas.resolve(GAMMA))
    assert "NHS Kent ICB 80%, NHS North ICB 20%" in note


# ----------------------------------------------------------------------------- holes explained
def test_a_missing_latest_headline_period_gets_a_banner(profile_build):
    text = texts(pv.page(areas.resolve(GAMMA))["notes"])
    assert ("No 2023-24 Life satisfaction (mean) for Gamma: no honest combined value exists for this merged council: "
            "the estimate for Old Gamma (E06000099) was not published for this period. The profile shows 2022-23, "
            "the latest period with a value.") in text
    assert "No 2023-24" not in texts(pv.page(areas.resolve(ALPHA))["notes"])


def test_an_area_left_out_of_the_latest_ranking_says_so(profile_build):
    ml = pd.concat([syn.mission_rows("2022-23"), syn.mission_rows("2023-24").query("area_code != @GAMMA")])
    profile_build(ml)
    ms = pv.worst_third(areas.resolve(GAMMA))
    assert plain(ms["unranked"]).startswith("Not ranked in 2023-24: no honest combined value exists")
    assert pv.worst_third(areas.resolve(ALPHA))["unranked"] is None


# ----------------------------------------------------------------------------- downloads
def _decimals(v) -> int:
    s = repr(float(v))
    return len(s.split(".")[1].rstrip("0")) if "." in s else 0


def test_downloads_are_rounded_to_the_publishers_precision(profile_build):
    profile_build(syn.mission_rows())
    d = pv.download_profile(areas.resolve(ALPHA))
    pay = d[d["metric_id"] == "pay"].iloc[0]
    assert pay["value"] == 600.0  # precision 1 (shown with 0 decimals): residue gone, not the decimal
    inc = d[(d["metric_id"] == "incidents")].iloc[0]
    assert inc["value"] == 100 and isinstance(inc["value"], int) and pd.isna(inc["national_value"])
    delta = pv.download_profile(areas.resolve(DELTA))
    assert delta[delta["metric_id"] == "incidents"]["value"].iloc[0] == 900
    for _, r in d.iterrows():
        if isinstance(r["value"], float) and np.isfinite(r["value"]) and r["metric_id"] != prof.MISSION_DOWNLOAD_ID:
            assert _decimals(r["value"]) <= 2, (r["metric_id"], r["value"])
    # the worst-third result is in the profile's CSV
    m = d[d["metric_id"] == prof.MISSION_DOWNLOAD_ID].iloc[0]
    assert m["value"] == 1 and m["p_worst_third"] == 0.91 and m["rank_worst_measure_ordering"] == 1
    comp = pv.download_comparisons(ALPHA, "region")
    for c in ("value", "nat_value", "group_value", "dist_median"):
        for v in comp[c].dropna():
            assert _decimals(v) <= 2, (c, v)
    head = pv.download_headline(ALPHA)
    assert set(head["metric_id"]) <= {"mean_life_satisfaction", "low_life_satisfaction"}


# ----------------------------------------------------------------------------- speed: memoised per build
def test_sections_are_memoised_per_build_and_switch_cheaply(profile_build):
    info = areas.resolve(ALPHA)
    a = pv.spine(info, "region")
    assert pv.spine(info, "region") is a                      # the same answer, not recomputed
    assert pv.spine(info, "neighbours") is not a
    assert pv.spine(areas.resolve(ALPHA), "<junk>") is a      # a bad comparator falls back to the region
    assert prof.area_series(info) is prof.area_series(areas.resolve(ALPHA))
    assert pv.spine({"code": "X", "status": "unknown"}, "region") == {"empty": True}


def test_spine_rows_are_text_first(profile_build):
    for r in pv.spine(areas.resolve(ALPHA), "region")["rows"]:
        assert r["label"] and r["period"] and r["verdict_text"] and r["detail"].startswith(r["label"])
        if r["bar"]:
            assert all(0 <= r["bar"][k] <= 100 for k in ("min", "q25", "q75", "max", "value"))
