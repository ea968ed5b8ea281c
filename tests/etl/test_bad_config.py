"""Bad configuration: the metrics catalogue and geographies.yaml.

Every metric has a plausible range that fits its unit (checked when the catalogue loads, then
enforced on the observations). A mistake in geographies.yaml (a mistyped nation or UK code, a
wrong prefix, a misspelt key, broken YAML) is reported against geographies.yaml and the key,
never against the data file that happens to use the code first.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from etl import build as build_mod
from etl import catalogue, geography, vocabulary
from etl.context import Context
from etl.errors import InputError
from tests.helpers import RAW

METRICS = catalogue.METRICS_DIR


# --------------------------------------------------------------------------- catalogue
def test_every_metric_has_a_range_that_fits_its_unit():
    c = catalogue.load()
    assert c["range_min"].notna().all() and (c["range_min"] < c["range_max"]).all()
    for r in c.itertuples():
        kind, lo, hi = catalogue.unit_bounds(r.unit)
        assert kind == r.unit_kind and lo <= r.range_min and r.range_max <= hi, r.id
        assert math.isfinite(r.range_max)
    rng = catalogue.ranges()
    assert rng["children_looked_after_rate"][:2] == (0.0, 10_000.0)
    assert rng["low_life_satisfaction"][:2] == (0.0, 100.0)
    assert rng["mean_anxiety"][:2] == (0.0, 10.0)
    assert rng["temporary_accommodation_rate"][:2] == (0.0, 1000.0)
    assert rng["fly_tipping_incidents"][0] == 0.0


def _one_metric_dir(tmp_path: Path, change) -> Path:
    """A catalogue directory holding one real entry, changed by `change(entry)`."""
    entries = yaml.safe_load((METRICS / "11_supporting_dfe.yaml").read_text())
    entry = next(e for e in entries if e["id"] == "children_looked_after_rate")
    change(entry)
    d = tmp_path / "metrics"
    d.mkdir()
    (d / "11_supporting_dfe.yaml").write_text(yaml.safe_dump([entry], allow_unicode=True))
    return d


def _set(key, value):
    return lambda e: e.__setitem__(key, value)


CATALOGUE_CASES = [
    ("range missing", lambda e: e.pop("range"), "field 'range'"),
    ("range beyond the unit", _set("range", [0, 25_000]), "within 0 to 10000"),
    ("percent range on a rate", _set("unit", "% of children"), "within 0 to 100"),
    ("range reversed", _set("range", [100, 0]), "low < high"),
    ("range of text", _set("range", ["0", "100"]), "two finite numbers"),
    ("range with infinity", _set("range", [0, float("inf")]), "two finite numbers"),
    ("unit no rule knows", _set("unit", "furlongs"), "unit the catalogue knows"),
    ("misspelt range key", lambda e: e.__setitem__("rnage", e.pop("range")), "rnage"),
]


@pytest.mark.parametrize("what,change,says", CATALOGUE_CASES, ids=[c[0] for c in CATALOGUE_CASES])
def test_bad_catalogue_entry_is_named(tmp_path, what, change, says):
    d = _one_metric_dir(tmp_path, change)
    with pytest.raises(InputError) as e:
        catalogue.load(d)
    msg = str(e.value)
    assert "11_supporting_dfe.yaml" in msg and "children_looked_after_rate" in msg and says in msg, msg


def test_broken_catalogue_yaml_is_named(tmp_path):
    d = tmp_path / "metrics"
    d.mkdir()
    (d / "99_bad.yaml").write_text("- id: x\n  title: [unclosed\n")
    with pytest.raises(InputError, match=r"99_bad\.yaml: line \d+"):
        catalogue.load(d)


# --------------------------------------------------------------------------- geographies.yaml
ORIGINAL = geography.CONFIG_PATH.read_text()
GEO_CASES = [
    # (what, edit, the key the message must name)
    ("mistyped nation code", lambda t: t.replace("  W92000004: {", "  W92000040: {"), "countries.W92000040"),
    ("mistyped England code", lambda t: t.replace("E92000001: {name: England, letter: E, benchmark: E92000001",
                                                  "E92000011: {name: England, letter: E, benchmark: E92000011"),
     "countries.E92000011"),
    ("mistyped UK code", lambda t: t.replace("uk: {K02000001", "uk: {K02000011").replace("benchmark: K02000001",
                                                                                         "benchmark: K02000011"),
     "key 'uk'"),
    ("mistyped benchmark", lambda t: t.replace("benchmark: K02000001", "benchmark: K02000010", 1),
     "countries.W92000004.benchmark"),
    ("mistyped LTLA prefix", lambda t: t.replace("prefixes: [E06, E07, E08, E09, W06, S12, N09]",
                                                 "prefixes: [E06, E07, E08, E90, W06, S12, N09]"),
     "geographies.ltla.prefixes"),
    ("mistyped region prefix", lambda t: t.replace("prefixes: [E12]", "prefixes: [E21]"), "geographies.region.prefixes"),
    ("wrong nation letter", lambda t: t.replace("letter: W,", "letter: V,"), "countries.W92000004.letter"),
    ("misspelt top-level key", lambda t: t.replace("icb_rule:", "icb_rules:"), "key 'icb_rules'"),
    ("misspelt file key", lambda t: t.replace("  populations:", "  population:"), "files.population"),
    ("broken YAML", lambda t: t.replace("countries:\n", "countries:\n  bad: [\n", 1), "line "),
]


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    """Point the geography vocabulary at an edited copy of geographies.yaml (caches reset)."""
    def caches():
        for f in (geography.config, vocabulary.geographies, vocabulary.nations):
            f.cache_clear()

    def use(text: str) -> None:
        p = tmp_path / "geographies.yaml"
        p.write_text(text)
        monkeypatch.setattr(geography, "CONFIG_PATH", p)
        caches()
    yield use
    monkeypatch.undo()
    caches()


@pytest.mark.parametrize("what,edit,key", GEO_CASES, ids=[c[0] for c in GEO_CASES])
def test_geographies_yaml_mistakes_name_the_file_and_key(config_file, tmp_path, monkeypatch, what, edit, key):
    text = edit(ORIGINAL)
    assert text != ORIGINAL
    config_file(text)
    monkeypatch.setenv("ETL_SOURCES", "ons_wellbeing")
    with pytest.raises(InputError) as e:
        # the areas (and the vocabulary) catch most mistakes; the UK code only meets a data
        # file in the build's area check
        Context.load(RAW)
        vocabulary.nations()
        build_mod.build(RAW, tmp_path / "out", check_only=True, log=lambda *a: None)
    msg = str(e.value)
    assert msg.startswith("geographies.yaml: ") and key in msg, msg
