"""The vocabulary the build wrote: geographies, nations, labels; and the texts made from it."""
from __future__ import annotations

import pytest

from dashboard.queries import build
from dashboard.queries import vocabulary as vocab
from etl import vocabulary as etl_vocab


@pytest.fixture(scope="module", autouse=True)
def built(build_dir):
    build.reset()


def test_geographies_match_the_config():
    assert list(vocab.geographies()) == list(etl_vocab.geographies())
    g = vocab.geography("icb")
    assert g.a() == "an integrated care board" and g.count(1) == "1 integrated care board"
    assert g.count(3) == "3 integrated care boards"
    assert vocab.geography("utla").a().startswith("an ") and vocab.geography("ltla").a() == "a local authority"
    assert set(vocab.map_geographies()) == {"ltla", "utla", "icb", "aq_zone", "region"}


def test_nations_and_benchmarks():
    assert vocab.uk_code() == "K02000001" and vocab.england_code() == "E92000001"
    assert vocab.benchmark_code("E08000025") == "E92000001"
    assert vocab.benchmark_code("W06000015") == "K02000001"  # Welsh areas are compared with the UK
    assert vocab.benchmark_code("K02000001") == "K02000001"
    assert vocab.place_name("S92000003") == "Scotland" and vocab.nation_of("N09000001")["name"] == "Northern Ireland"


def test_every_status_and_availability_has_a_label():
    from etl import catalogue, schema

    for s in schema.STATUSES:
        assert vocab.label("status", s) and vocab.label_text("status", s)
    for s in catalogue.STATUSES:  # including "not in this snapshot"
        assert vocab.label("availability", s) != s or s == "available"
    assert vocab.label("availability", "not in this snapshot") == "Published; not in this data"
