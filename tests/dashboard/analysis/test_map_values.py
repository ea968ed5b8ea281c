"""Unit tests for dashboard.analysis.map_values: classes, benchmarks, reasons, the payload."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import map_values as mv


def _frame(values, lower=None, upper=None, codes=None):
    n = len(values)
    return pd.DataFrame({"code": codes or [f"E0700{i:04d}" for i in range(n)], "name": [f"A{i}" for i in range(n)],
                         "value": np.asarray(values, float),
                         "lower": np.asarray(lower if lower is not None else [np.nan] * n, float),
                         "upper": np.asarray(upper if upper is not None else [np.nan] * n, float)})


def test_quantiles_five_classes_darker_is_worse_for_higher_better():
    df = _frame(list(range(1, 11)) + [np.nan])
    info = {"id": "x", "polarity": "higher_better", "decimals": 0}
    cls, legend, extra = mv.classify(df, info, "quantile", "england", "ltla", "2022-23")
    assert len(legend) == 5 and cls[-1] == -1
    # lowest values are the worst: darkest step (4); highest values the lightest (0)
    assert cls[0] == 4 and cls[9] == 0
    assert legend[0]["label"].startswith("Best fifth") and legend[4]["label"].startswith("Worst fifth")
    assert legend[4]["colour"] == mv.QUANTILE_COLOURS[-1]
    assert sum(int(e["label"].split("(")[1].split()[0]) for e in legend) == 10


def test_quantiles_lower_better_and_no_judgement():
    df = _frame(list(range(1, 11)))
    cls, legend, _ = mv.classify(df, {"id": "x", "polarity": "lower_better", "decimals": 0},
                                 "quantile", "england", "ltla", "p")
    assert cls[0] == 0 and cls[9] == 4
    _, legend, _ = mv.classify(df, {"id": "x", "polarity": "no_judgement", "decimals": 0},
                               "quantile", "england", "ltla", "p")
    assert legend[0]["label"].startswith("Lowest fifth")


def test_quantiles_degenerate_inputs():
    cls, legend, _ = mv.classify(_frame([np.nan, np.nan]), {"id": "x", "polarity": "higher_better"},
                                 "quantile", "england", "ltla", "p")
    assert legend == [] and (cls == -1).all()
    cls, legend, _ = mv.classify(_frame([3.0, 3.0, 3.0]), {"id": "x", "polarity": "higher_better"},
                                 "quantile", "england", "ltla", "p")
    assert len(legend) == 1 and (cls == 0).all()


def test_benchmark_classes_use_ci_and_polarity(monkeypatch):
    df = _frame([8.0, 7.0, 7.5, 7.5, np.nan], [7.8, 6.8, 7.2, np.nan, np.nan], [8.2, 7.2, 7.8, np.nan, np.nan])
    monkeypatch.setattr(mv, "benchmark_values", lambda *a, **k: (np.full(5, 7.5), "England"))
    cls, legend, extra = mv.classify(df, {"id": "x", "polarity": "higher_better", "decimals": 1},
                                     "benchmark", "england", "ltla", "p")
    labels = [legend[c]["label"] if c >= 0 else None for c in cls]
    assert labels == ["Better than benchmark", "Worse than benchmark", "Similar to benchmark",
                      "Not compared (no CI or benchmark)", None]
    assert extra["benchmark_single"] == 7.5


# ------------------------------------------------------------------ the real build
@pytest.fixture(scope="module")
def built():
    if not mv.available_geographies():
        pytest.skip("no geometry in the build")
    if mv.metric_info("mean_life_satisfaction") is None:
        pytest.skip("headline means not in the build")
    return True


def test_payload_aligned_with_geometry_and_small(built):
    p = mv.payload("mean_life_satisfaction", "2022-23", "ltla", "quantile", "england")
    geo = mv.geometry_index("ltla")
    assert p["n"] == len(geo) == len(p["v"]) == len(p["c"]) == len(p["lo"])
    assert len(json.dumps(p, separators=(",", ":"))) < 13_000
    df = mv.values_frame("mean_life_satisfaction", "2022-23", "ltla")
    i = int(np.flatnonzero(df["value"].notna().to_numpy())[0])
    assert p["v"][i] == round(df["value"].iloc[i], 2)
    # every area with no value has a reason; every area with a value has a class
    for j, v in enumerate(p["v"]):
        if v is None:
            assert p["c"][j] == -1 and p["reasons"][p["r"][str(j)]]
        else:
            assert p["c"][j] >= 0


def test_high_anxiety_2022_23_has_honest_reasons(built):
    state, notes = mv.normalise("high_anxiety", "2022-23", "ltla", "quantile", None)
    assert state["period"] == "2022-23" and not notes  # kept: the page explains, it does not switch silently
    s = mv.summary("high_anxiety", "2022-23", "ltla")
    assert s["n_values"] == 0 and not s["period_published"]
    assert "not published for this area/period in the bundled data" in s["reasons"]
    assert "wellbeing-local-authority" in (s["publisher_url"] or "")
    assert mv.CLOSEST_ALTERNATIVE["high_anxiety"] == "mean_anxiety"
    opts = mv.period_options("high_anxiety", "2022-23")
    assert opts[0]["value"] == "2022-23" and "not published" in opts[0]["label"]


def test_normalise_bad_params(built):
    state, notes = mv.normalise("nope", "1850-51", "mars", "weird", "moon")
    assert state["metric"] == "mean_life_satisfaction"
    assert state["geography"] == "ltla" and state["classes"] == "quantile" and state["benchmark"] == "england"
    assert state["period"] in mv.metric_periods(state["metric"])
    assert len(notes) == 3


def test_map_table_matches_payload(built):
    p = mv.payload("mean_anxiety", "2022-23", "ltla", "benchmark", "region")
    t = mv.map_table("mean_anxiety", "2022-23", "ltla", "benchmark", "region")
    assert len(t) == p["n"]
    assert t["value"].notna().sum() == sum(v is not None for v in p["v"])
    assert {"area_code", "value", "lower_95", "upper_95", "comparison", "benchmark_value",
            "reason_no_value"} <= set(t.columns)
    assert set(t["comparison"].dropna()) <= set(mv.BENCH_LABELS.values()) | {""}
    # lower is better for anxiety: the table starts with the lowest value
    vals = t["value"].dropna().to_numpy()
    assert (np.diff(vals) >= 0).all()


def test_region_geography_has_regions_and_nations(built):
    df = mv.values_frame("mean_life_satisfaction", "2022-23", "region")
    assert len(df) == 12 and df["value"].notna().all()
    assert {"W92000004", "S92000003", "N92000002"} <= set(df["code"])
    assert (df["inherited"] == "").all()


def test_region_benchmark_falls_back_to_nation_outside_england(built):
    codes = pd.Series(["E06000001", "W06000001"])
    vals, label = mv.benchmark_values("mean_life_satisfaction", "2022-23", "ltla", "region", codes)
    assert np.isfinite(vals).all() and "nation" in label


def test_geography_without_values_says_so(built):
    if "icb" not in mv.available_geographies() or mv.published_at("mean_life_satisfaction", "icb"):
        pytest.skip("ICB values present")
    df = mv.values_frame("mean_life_satisfaction", "2022-23", "icb")
    assert df["value"].isna().all()
    assert df["reason"].str.contains("not published for any integrated care board").all()


def test_period_frames_split_one_period_at_a_time():
    src = pd.DataFrame({"area_code": ["A", "B", "A", "A"], "value": [1.0, 2.0, 3.0, 9.0],
                        "period": ["2020-21", "2020-21", "2021-22", "2021-22"]})
    frames = mv._PeriodFrames(src)
    got = frames.get("2021-22")
    # only the asked period is materialised; a repeated area keeps its first row
    assert list(frames._frames) == ["2021-22"]
    assert got.loc["A", "value"] == 3.0 and "period" not in got.columns
    assert frames.get("2021-22") is got
    assert frames.get("1999-00") is None
    assert frames.get("2020-21")["value"].to_dict() == {"A": 1.0, "B": 2.0}
