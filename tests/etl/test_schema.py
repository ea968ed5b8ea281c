"""One pandera schema per artefact: every table the app reads meets its contract, and a bad
value in any of them stops the build with a message naming the table (or, for observations,
the publisher's file), the row and the column."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl import catalogue, schema
from etl.errors import InputError


def _table(build_dir, name):
    df = pd.read_parquet(build_dir / f"{name}.parquet")
    if name == "metrics":  # the build adds these from the catalogue; older builds lack them
        cat = catalogue.load()[["id", "range_min", "range_max", "unit_kind"]]
        df = df.drop(columns=[c for c in ("range_min", "range_max", "unit_kind") if c in df]).merge(cat, on="id")
    return df


def test_every_artefact_has_a_schema_and_meets_it(build_dir):
    names = sorted(p.name[: -len(".parquet")] for p in build_dir.glob("*.parquet"))
    assert {"observations", "la_view", "areas", "metrics", "mission_ltla", "mission_gap", "mission_regions",
            "geographies", "nations", "ltla_aq_zone", "aq_zones"} <= set(names)
    no_schema = [n for n in names if schema.schema_for(n) is None]
    assert no_schema == [], f"artefacts without a schema in etl/schema.py: {no_schema}"
    for name in names:
        schema.validate_artefact(name, _table(build_dir, name))


# --------------------------------------------------------------------------- observations
@pytest.fixture(scope="module")
def obs(build_dir):
    return pd.read_parquet(build_dir / "observations.parquet")


def _one(obs, metric, need_ci=False):
    rows = obs[(obs["metric_id"] == metric) & obs["value"].notna()]
    if need_ci:
        rows = rows[rows["lower"].notna() & rows["upper"].notna()]
    return rows.index[0]


BAD_VALUES = [
    # (metric, column, new value, text the message must contain)
    ("children_looked_after_rate", "value", 25_000.0, "[0, 10000]"),        # a rate above its possible maximum
    ("children_looked_after_rate", "upper", 643_873.0, "[0, 10000]"),       # swapped count / population CI
    ("temporary_accommodation_rate", "value", -1.81, "[0, 1000]"),          # a negative count became a rate
    ("mean_life_satisfaction", "upper", np.inf, "finite"),
    ("mean_life_satisfaction", "value", -np.inf, "finite"),
    ("low_life_satisfaction", "value", 101.0, "[0, 100]"),
    ("median_weekly_pay_all", "lower", -5.0, "[0, 5000]"),
    ("mean_anxiety", "lower", 9.99, "lower CI"),                              # lower above value
]


@pytest.mark.parametrize("metric,column,value,says", BAD_VALUES, ids=[f"{m}-{c}-{v}" for m, c, v, _ in BAD_VALUES])
def test_observations_reject_implausible_values(obs, metric, column, value, says):
    df = obs.copy()
    i = _one(df, metric, need_ci=column in ("lower", "upper"))
    df.loc[i, column] = value
    with pytest.raises(InputError) as e:
        schema.validate_observations(df)
    msg = str(e.value)
    assert df.loc[i, "source_file"] in msg and metric in msg and f"column {column!r}" in msg, msg
    assert df.loc[i, "area_code"] in msg and says in msg, msg


def test_observations_reject_unknown_metric(obs):
    df = obs.head(50).copy()
    df.loc[df.index[3], "metric_id"] = "low_life_satisfation"
    with pytest.raises(InputError, match="catalogue"):
        schema.validate_observations(df)


# --------------------------------------------------------------------------- other artefacts
def _set(col, value, row=0):
    def f(df):
        df = df.copy()
        df.loc[df.index[row], col] = value
        return df
    return f


def _drop(col):
    return lambda df: df.drop(columns=[col])


def _headline_beyond_scale(df):
    """A mean score or a share of 250 on the LA view (beyond 0-10 and 0-100)."""
    df = df.copy()
    i = df.index[df["metric_id"].str.startswith(("mean_", "low_", "high_")) & df["value"].notna()][0]
    df.loc[i, "value"] = 250.0
    return df


BAD_TABLES = [
    ("areas", _set("geography", "county"), "geography"),
    ("areas", _set("icb_share", 1.5, row=0), "icb_share"),
    ("areas", _set("code", "not a code"), "code"),
    ("la_view", _headline_beyond_scale, "value"),
    ("metrics", _set("range_max", -1.0), "range_min"),
    ("metrics", _drop("unit_kind"), "unit_kind"),
    ("mission_ltla", _set("p_worst_third", 1.2), "p_worst_third"),
    ("mission_ltla", _set("rank", 0), "rank"),
    ("mission_ltla", _drop("in_worst_third"), "in_worst_third"),
    ("mission_gap", _set("gap_lower", np.inf), "gap_lower"),
    ("mission_gap", _set("verdict", "better"), "verdict"),
    ("mission_gap", _drop("change_upper"), "change_upper"),
    ("mission_regions", _set("geography", "ltla"), "geography"),
    ("mission_regions", _set("upper", np.inf), "upper"),
    ("geographies", _set("article", "some"), "article"),
    ("nations", _set("benchmark", "E92000011"), "benchmark"),
    ("nations", _set("letter", "X", row=1), "letter"),
    ("ltla_aq_zone", _set("aq_zone_code", "UK0O01"), "aq_zone_code"),
    ("ltla_aq_zone", _set("n_sites", -1), "n_sites"),
    ("aq_zones", _set("max_annual_mean_no2", 5000.0), "max_annual_mean_no2"),
    ("aq_zones", _set("compliance_status", "Fine"), "compliance_status"),
]


@pytest.mark.parametrize("name,corrupt,column", BAD_TABLES, ids=[f"{n}-{c}" for n, _, c in BAD_TABLES])
def test_each_artefact_rejects_a_bad_table(build_dir, name, corrupt, column):
    df = corrupt(_table(build_dir, name))
    with pytest.raises(InputError) as e:
        schema.validate_artefact(name, df)
    msg = str(e.value)
    # observation-like tables name the publisher's file of the row; the others the artefact
    assert (f"{name}.parquet" in msg or "source_file" in df.columns) and column in msg, msg


def test_mission_schemas_allow_new_columns(build_dir):
    """Columns the mission method adds later (adjusted gaps, shrunk estimates) pass; the
    columns of today are still required and checked."""
    gap = _table(build_dir, "mission_gap")
    more = gap.assign(adjusted_gap=gap["gap"], adjusted_gap_lower=gap["gap_lower"], adjusted_gap_upper=gap["gap_upper"],
                      adjusted_change=gap["change"], noise_only_gap=0.1)
    schema.validate_artefact("mission_gap", more)
    ltla = _table(build_dir, "mission_ltla")
    metric = ltla["worst_metric"].iloc[0]
    schema.validate_artefact("mission_ltla", ltla.assign(**{f"shrunk_{metric}": 1.0, "p_worst_third_adjusted": 0.5}))
    with pytest.raises(InputError):
        schema.validate_artefact("mission_ltla", ltla.drop(columns=["p_worst_third"]))


def test_empty_step_output_has_nothing_to_check():
    assert schema.validate_artefact("mission_gap", pd.DataFrame()).empty
