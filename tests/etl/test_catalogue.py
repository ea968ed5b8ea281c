"""The metrics catalogue's optional fields for the area profile: `precision` (what downloads are
rounded to), `coverage` and `devolved_equivalents` (England-only metrics outside England)."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml

from etl import catalogue
from etl.errors import InputError

DEVOLVED = {"W92000004", "S92000003", "N92000002"}


def test_the_catalogue_states_coverage_precision_and_equivalents():
    c = catalogue.load().set_index("id")
    england = set(c.index[c["coverage"] == "england"])
    assert {"children_looked_after_rate", "school_absence_rate", "persistent_absence", "neet_or_not_known_16_17",
            "temporary_accommodation_rate", "fly_tipping_rate", "fly_tipping_incidents", "physically_active_adults",
            "culture_engaged_arts", "health_index_physical", "cls_loneliness"} <= england
    assert not {"mean_life_satisfaction", "claimant_count_rate", "median_weekly_pay_all", "gdhi_per_head",
                "child_poverty_bhc", "healthy_life_expectancy_male"} & england
    assert c.loc["median_weekly_pay_all", "precision"] == 1 and c.loc["median_weekly_pay_all", "decimals"] == 0
    assert c.loc["persistent_absence", "precision"] == 5
    for mid, eq in c["devolved_equivalents"].dropna().items():
        assert mid in england
        for e in json.loads(eq):
            assert e["nation"] in DEVOLVED and e["url"].startswith("https://") and e["name"]


def _with(tmp_path, change):
    d = tmp_path / "metrics"
    shutil.copytree(catalogue.METRICS_DIR, d)
    path = d / "11_supporting_dfe.yaml"
    items = yaml.safe_load(path.read_text())
    change(items[0])
    path.write_text(yaml.safe_dump(items, sort_keys=False))
    return d


@pytest.mark.parametrize("field,value,expected", [
    ("precision", -1, "a whole number of decimal places"),
    ("precision", "2", "a whole number of decimal places"),
    ("precision", True, "a whole number of decimal places"),
    ("coverage", "englund", "one of"),
    ("devolved_equivalents", [{"nation": "E92000001", "name": "x", "url": "https://x"}], "a devolved nation's code"),
    ("devolved_equivalents", [{"nation": "W92000004", "name": "x", "url": "http://x"}], "https://"),
    ("devolved_equivalents", [{"nation": "W92000004", "name": "x"}], "exactly the keys"),
    ("devolved_equivalents", [], "a list of"),
])
def test_bad_optional_fields_name_the_file_entry_and_field(tmp_path, field, value, expected):
    d = _with(tmp_path, lambda m: m.__setitem__(field, value))
    with pytest.raises(InputError) as e:
        catalogue.load(d)
    msg = str(e.value)
    assert "11_supporting_dfe.yaml" in msg and "children_looked_after_rate" in msg and field in msg and expected in msg


def test_equivalents_only_on_an_england_only_metric(tmp_path):
    def change(m):
        m["coverage"] = "uk"
    d = _with(tmp_path, change)
    with pytest.raises(InputError, match="only on a metric with coverage: england"):
        catalogue.load(d)
