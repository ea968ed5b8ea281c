"""The area profile (/area/<code>): any geography, journeys 1 and 2, unknown and retired codes,
the comparator callback, the spread labels."""
from __future__ import annotations

import dash
import pytest

from dashboard.analysis import profile as prof
from dashboard.queries import areas
from tests.dashboard.support import page, text

ERROR = "could not be drawn"


@pytest.fixture(scope="module")
def area(app):
    return page("/area/<code>")


@pytest.mark.parametrize("code", ["E09000002", "E07000105", "E10000016", "E12000007", "E92000001", "W06000015",
                                  "E54000050", "UK0031"])
def test_area_layout_any_geography(area, code):
    out = text(area.layout(code=code))
    assert ERROR not in out and "Headline well-being measures" in out
    assert f"/download/area/{code}.csv" in str(area.layout(code=code))


def test_area_journey_one_london_borough(area):
    out = text(area.layout(code="E09000002"))
    assert "worst third in 2022-23 on the published estimates" in out
    assert "the probability that it is truly in the worst third is" in out  # the small-area model's
    assert "1,000 re-draws from the published confidence intervals (how stable that ranking is)" in out
    assert "How the small-area model works" in out
    assert "Model estimate (95% interval)" in str(area.layout(code="E09000002"))
    assert "95% CI" in out and "Change 2011-12 to 2022-23" in out
    assert "Supporting and context metrics" in out
    assert "Share of adults with low life satisfaction (score 0-4)" in out
    assert "Share of adults with low feeling that things done in life are worthwhile (score 0-4)" in out  # the catalogue's words, not guessed ones


def test_area_journey_two_county_values_are_labelled(area):
    out = str(area.layout(code="E07000105"))  # Ashford, a Kent district
    assert "County-level value (Kent), shared by all its districts" in out


def test_area_unknown_and_retired(area):
    assert "We don't know the area code E99999999" in text(area.layout(code="E99999999"))
    assert "We don't know the area code" in text(area.layout(code="<b>"))
    out = str(area.layout(code="E08000016"))
    assert "/area/E08000038" in out and "Barnsley" in out


def test_area_comparator_callback(area):
    spine, search = area._on_comparator.__wrapped__("neighbours", "E09000002")
    assert search == "?comparator=neighbours"
    assert "nearest neighbours" in text(spine).lower() and "CIPFA" in text(spine)
    spine, search = area._on_comparator.__wrapped__("<junk>", "E09000002")
    assert search == "?comparator=region" and ERROR not in text(spine)


def test_area_downloads(area):
    out = area._dl_trend.__wrapped__(1, "E09000002")
    assert out["filename"] == "headline_E09000002.csv" and "mean_life_satisfaction" in out["content"]
    out = area._dl_spine.__wrapped__(1, "E09000002", "la_type")
    assert "vs_nat" in out["content"]


@pytest.mark.parametrize("geography,words", [("utla", "upper-tier authority (county or unitary) values"),
                                             ("icb", "integrated care board values"),
                                             ("aq_zone", "air-quality zone values"),
                                             ("region", "region values"), ("country", "UK nations")])
def test_spread_label_matches_geography(geography, words):
    info = {"code": "E99999999", "geography": geography, "country_code": "E92000001"}
    assert words in prof.spread_label(info)
    assert prof.spread_label({"code": "E07000105", "geography": "ltla", "status": "current"}) == \
        "local authority values in England"


def test_county_profile_legend_and_zone_spread(area):
    t = text(area.spine_section(areas.resolve("E10000016"), "region"))
    assert "upper-tier authority (county or unitary) values in England" in t
    zone = text(area.spine_section(areas.resolve("UK0031"), "region"))
    assert "air-quality zone values" in zone and ERROR not in zone


# ----------------------------------------------------------------------------- issue 15: every number right
from dashboard.analysis import profile_view as pv  # noqa: E402
from tests.dashboard.support import flat  # noqa: E402


def words(component) -> str:
    """The text of a component tree with runs of spaces folded (parts render as separate strings)."""
    return " ".join(text(component).split())

SAMPLE = ["E08000025", "E08000032", "W06000015", "E07000105", "E07000244", "E06000065", "E06000053", "S12000036",
          "E09000002", "E10000016"]


@pytest.mark.parametrize("code", SAMPLE)
def test_counts_are_never_benchmarked_on_any_profile(area, code):
    """A count's national or regional total is never shown as a benchmark, a median or a verdict."""
    v = pv.spine(areas.resolve(code), "region")
    if v["empty"]:
        return
    t = v["positions"]
    counts = t[t["is_count"]]
    for r in counts.to_dict("records"):
        assert r["vs_nat"] == r["vs_reg"] == r["vs_group"] == "not compared"
        assert not r["centre_is_national"] and r["centre_label"].startswith("Median of")
    page_text = text(area.layout(code=code))
    assert "1,082,673" not in page_text  # England's fly-tipping total for 2022-23
    for r in t[~t["is_count"]].to_dict("records"):  # rates, shares, scores, money: the national value when inside
        if r["centre_is_national"]:
            assert r["centre_value"] == r["nat_value"] and r["dist_min"] <= r["nat_value"] <= r["dist_max"]


def test_birmingham_fly_tipping_count_centres_on_the_median(area):
    t = pv.spine(areas.resolve("E08000025"), "region")["positions"].set_index("metric_id")
    inc = t.loc["fly_tipping_incidents"]
    assert inc["centre_label"] == "Median of local authorities" and 1000 < inc["centre_value"] < 3000
    row = next(r for r in pv.spine(areas.resolve("E08000025"), "region")["rows"]
               if r["metric_id"] == "fly_tipping_incidents")
    assert row["verdict_text"] == "Not compared (a count)" and "median of local authorities (1,602)" in row["detail"]


def test_bradford_says_exactly_what_is_ranked(area):
    out = words(area.layout(code="E08000032"))
    assert "Life satisfaction (mean), worse than 91% of the 350 ranked local authorities (joint 31st worst of 350 " \
           "on that measure alone" in out
    assert "Ordered by each area's worst measure (the ordering that defines the worst third), Bradford is 71st of 350" \
        in out
    assert "ranked 71 of 350" not in out


def test_cardiff_explains_worst_third_beside_similar(area):
    out = words(area.layout(code="W06000015"))
    assert "In the worst third in 2022-23 on the published estimates: allowing for sampling noise, the probability " \
        "that it is truly in the worst third is 87%" in out
    assert "How both hold: Cardiff is in the worst third on the published estimates (probability 87% allowing for " \
        "noise), yet all 4 headline measures" in out
    assert "similar to the United Kingdom" in out


def test_county_values_said_outside_the_table(area):
    spine = area.spine_section(areas.resolve("E07000105"), "region")
    county = "County-level value (Kent), shared by all its districts"
    outside = " ".join(text(c) for c in spine if not (hasattr(c, "className") and "chart-block" in str(c.className)))
    assert county in outside  # the summary, not only a collapsed table
    rows = flat(area.spine_chart(pv.spine(areas.resolve("E07000105"), "region")))
    assert rows.count(county) >= 8  # on each county row: its flag and its hover/focus sentence


def test_scilly_old_value_is_flagged(area):
    out = words(area.layout(code="E06000053"))
    assert "Children looked after: Latest value for this area is from 2019, 6 years older than the latest period " \
           "published (2025" in out


@pytest.mark.parametrize("code,nation", [("W06000015", "Wales"), ("S12000036", "Scotland"),
                                         ("N09000003", "Northern Ireland")])
def test_devolved_profiles_say_england_only(area, code, nation):
    v = pv.spine(areas.resolve(code), "region")
    eng = v["england_only"]
    assert len(eng) >= 20 and all(r.startswith(f"England only: published for areas in England, not {nation}")
                                  for r in eng["reason"])
    assert not set(eng["metric_id"]) & set(v["missing"]["metric_id"])
    out = str(area.spine_section(areas.resolve(code), "region"))
    if nation == "Wales":
        assert "https://statswales.gov.wales/" in out and "Nearest equivalent" in out
    assert "England only" in text(area.spine_section(areas.resolve(code), "region"))


def test_east_suffolk_split_icb_with_shares(area):
    out = words(area.layout(code="E07000244"))
    assert "East Suffolk is split between 2 integrated care boards" in out
    assert "NHS Norfolk and Waveney Integrated Care Board (50% of its neighbourhoods)" in out
    assert "NHS Suffolk and North East Essex Integrated Care Board (50% of its neighbourhoods)" in out


def test_north_yorkshire_banner_says_which_period_is_missing_and_why(area):
    out = words(area.layout(code="E06000065"))
    assert "No 2022-23 headline values for North Yorkshire" in out
    assert "Richmondshire (E07000166) was not published for this period. The profile shows 2021-22" in out
    assert "Not ranked in 2022-23" in out


def test_child_poverty_missing_england_value_is_said(area):
    row = next(r for r in pv.spine(areas.resolve("E08000025"), "region")["rows"]
               if r["metric_id"] == "child_poverty_bhc")
    assert any(f.startswith("No value for England is published for") and "Wales, Scotland and Northern Ireland" in f
               for f in row["flags"])


# ----------------------------------------------------------------------------- issue 13: a light page
def test_spine_is_html_and_trend_is_deferred(area):
    page_json = flat(area.layout(code="E08000025"))
    assert "area-spine-graph" not in page_json
    assert 'role=\\"table\\" class=\\"spine-chart\\"' in page_json  # an ARIA table of HTML rows
    assert page_json.count('"type": "Graph"') == 0  # no plotly figure in the first response
    # few components to mount: big static blocks are one component each (the old page had 183)
    assert page_json.count('"namespace"') < 200
    with pytest.raises(dash.exceptions.PreventUpdate):  # drawn when scrolled to, not with the page
        area._on_trend.__wrapped__(False, "E08000025")
    charts = area._on_trend.__wrapped__(True, "E08000025")
    assert flat(charts).count('"type": "Graph"') == 4
    # titles are page headings, not figure annotations: the only one is the interview-mode label
    assert flat(charts).count('"annotations"') == 4 and flat(charts).count('"text": "phone"') == 4


def test_trend_charts_mark_the_2020_change_of_interview_mode(area):
    from dashboard.analysis import profile_view as pv

    t = pv.trend_charts("E08000025")
    fig = t["means"][0]["figure"]
    cats = fig["layout"]["xaxis"]["categoryarray"]
    (line,) = fig["layout"]["shapes"]
    # the dotted line falls between 2019-20 (partly face to face) and 2020-21 (all by telephone)
    assert cats[int(line["x0"] - 0.5)] == "2019-20" and cats[int(line["x0"] + 0.5)] == "2020-21"
    assert fig["layout"]["annotations"][0]["text"] == "phone"
    out = text(area.trend_section("E08000025"))
    assert "March 2020" in out and "telephone" in out and "most for anxiety" in out
    assert pv.mode_change_position(["2021-22", "2022-23"]) is None  # all after: nothing to mark
    assert pv.mode_change_position(["2018-19", "2019-20"]) is None  # all before
