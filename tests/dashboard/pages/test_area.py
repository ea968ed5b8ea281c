"""The area profile (/area/<code>): any geography, journeys 1 and 2, unknown and retired codes,
the comparator callback, the spread labels."""
from __future__ import annotations

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
    assert "worst third in 2022-23" in out and "1,000 simulations drawn from the published confidence intervals" in out
    assert "95% CI" in out and "Change 2011-12 to 2022-23" in out
    assert "Supporting and context metrics" in out
    assert "Share of adults with low life satisfaction (0-4)" in out  # the catalogue's words, not guessed ones


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
