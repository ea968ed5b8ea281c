"""Areas: resolving codes (current, retired, unknown, invalid), parents, children, the search."""
from __future__ import annotations

import pytest

from dashboard.queries import areas, build


@pytest.fixture(scope="module", autouse=True)
def built(build_dir):
    build.reset()


def test_resolve_current_retired_unknown_invalid():
    assert areas.resolve("E08000025")["status"] == "current"
    r = areas.resolve("e07000027 ")  # Barrow-in-Furness, merged in 2023
    assert r["status"] == "retired" and r["successor_code"] == "E06000064"
    recode = areas.resolve("E08000016")  # Barnsley's old code
    assert recode["successor_code"] == "E08000038" and recode["successor_name"] == "Barnsley"
    assert areas.resolve("E08999999")["status"] == "unknown"
    assert areas.resolve("<script>")["status"] == "invalid"


def test_unitary_authority_prefers_its_lower_tier_row():
    r = areas.resolve("E06000047")  # County Durham: a unitary, both tiers
    assert r["geography"] == "ltla" and areas.is_current_ltla(r)


def test_benchmarks_parents_and_children():
    ashford = areas.resolve("E07000105")
    assert areas.national_code(ashford) == "E92000001" and areas.regional_code(ashford) == "E12000008"
    assert [(g, c) for g, c, _ in areas.parents(ashford)][0] == ("utla", "E10000016")
    assert areas.regional_code(areas.resolve("W06000015")) == "W92000004"
    kent = dict(areas.children(areas.resolve("E10000016")))
    assert "E07000105" in kent and len(kent) == 12
    assert areas.children(areas.resolve("E92000001")) == []  # too many to list


def test_search_finds_every_kind_of_area_and_stays_short():
    def first(q):
        return areas.search(q)[0]
    assert first("Donc")["code"] == "E08000017"
    assert first("E08000025")["name"] == "Birmingham"
    harrogate = first("Harrogate")
    assert harrogate["code"] == "E07000165" and "former council" in harrogate["kind"]
    assert any(m["code"].startswith("E54") for m in areas.search("Kent and Medway"))  # an ICB
    assert first("North West")["code"] == "E12000002"  # a region
    assert first("wales")["code"] == "W92000004"
    assert len(areas.search("a")) <= 20 and areas.search("") == []
    assert first("bristol")["name"].startswith("Bristol")
