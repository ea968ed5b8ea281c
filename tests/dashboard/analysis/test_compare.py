"""Comparator groups and the comparison table on the synthetic build."""
from __future__ import annotations

from dashboard.analysis import compare as cmp


def test_compare_groups(synthetic):
    codes, label, _ = cmp.group_members("E07000001", "region")
    assert codes[0] == "E07000001" and set(codes) == {"E07000001", "E07000002", "E06000001"}
    assert label == "Local authorities in South East"
    codes, label, _ = cmp.group_members("E07000001", "la_type")
    assert set(codes) == {"E07000001", "E07000002"}
    assert cmp.group_members("E10000001", "region")[0] == []  # not a local authority


def test_compare_table(synthetic):
    t, info = cmp.compare_table(["E07000001", "E07000002", "E08000001"], "mean_life_satisfaction", None, "england")
    assert info["period"] == "2022-23" and info["benchmark_value"] == 7.3
    assert dict(zip(t["area_code"], t["comparison"])) == {"E07000001": "similar", "E07000002": "better",
                                                          "E08000001": "worse"}
    t, _ = cmp.compare_table(["E07000001", "E07000002"], "mean_life_satisfaction", "2022-23", "E07000002")
    assert dict(zip(t["area_code"], t["comparison"])) == {"E07000001": "worse", "E07000002": "benchmark"}
    t, _ = cmp.compare_table(["E06000001", "E07000001"], "pay", "2022-23", "england")
    assert t.set_index("area_code").loc["E06000001", "reason"].startswith("no value (suppressed")
    t, info = cmp.compare_table(["E07000001", "W06000001"], "mean_life_satisfaction", "2022-23", "region")
    assert t.set_index("area_code").loc["W06000001", "benchmark"] == "Wales"


def test_clean_codes(synthetic):
    ok, bad = cmp.clean_codes("E07000001, e07000002,XX,E06000099")
    assert ok == ["E07000001", "E07000002"] and bad == ["XX", "E06000099"]
