"""Map colour classes (pure): quantiles named in words, benchmark classes from CIs and polarity."""
from __future__ import annotations

import numpy as np

from dashboard.analysis import map_classes as mc

LABELS = {"better": "Better", "similar": "Similar", "worse": "Worse", "not compared": "Not compared"}


def test_quantiles_five_classes_darker_is_worse_for_higher_better():
    cls, legend, direction = mc.quantiles(np.array(list(range(1, 11)) + [np.nan], float), "higher_better", 0)
    assert len(legend) == 5 and cls[-1] == -1
    # lowest values are the worst: darkest step (4); highest values the lightest (0)
    assert cls[0] == 4 and cls[9] == 0
    assert legend[0]["label"].startswith("Best fifth") and legend[4]["label"].startswith("Worst fifth")
    assert legend[4]["colour"] == mc.QUANTILE_COLOURS[-1]
    assert sum(int(e["label"].split("(")[1].split()[0]) for e in legend) == 10
    assert "higher is better" in direction


def test_quantiles_lower_better_and_no_judgement():
    v = np.arange(1, 11, dtype=float)
    cls, _, _ = mc.quantiles(v, "lower_better", 0)
    assert cls[0] == 0 and cls[9] == 4
    _, legend, direction = mc.quantiles(v, "no_judgement", 0)
    assert legend[0]["label"].startswith("Lowest fifth") and "no judgement" in direction


def test_quantiles_degenerate_inputs_and_singular_counts():
    cls, legend, _ = mc.quantiles(np.array([np.nan, np.nan]), "higher_better", 1)
    assert legend == [] and (cls == -1).all()
    cls, legend, _ = mc.quantiles(np.array([3.0, 3.0, 3.0]), "higher_better", 1)
    assert len(legend) == 1 and (cls == 0).all()
    _, legend, _ = mc.quantiles(np.array([1.0, 2.0]), "higher_better", 1)
    assert all("(1 area)" in e["label"] for e in legend)  # never "1 areas"


def test_benchmark_classes_use_ci_and_polarity():
    v = np.array([8.0, 7.0, 7.5, 7.5, np.nan])
    lo = np.array([7.8, 6.8, 7.2, np.nan, np.nan])
    hi = np.array([8.2, 7.2, 7.8, np.nan, np.nan])
    cls, legend, comp = mc.benchmark(v, lo, hi, np.full(5, 7.5), "higher_better", LABELS)
    labels = [legend[c]["label"] if c >= 0 else None for c in cls]
    assert labels == ["Better", "Worse", "Similar", "Not compared", None]
    assert list(comp) == ["better", "worse", "similar", "not compared", ""]
    cls, legend, comp = mc.benchmark(v, lo, hi, np.full(5, 7.5), "lower_better", LABELS)
    assert list(comp[:2]) == ["worse", "better"]


def test_small_class_counts_are_named_and_single_values_not_ranges():
    _, legend, _ = mc.quantiles(np.array([7.0, 7.1, np.nan]), "lower_better", 1, "% of adults")
    labels = [e["label"] for e in legend]
    # two areas: two classes, each one value (never "7.0% to 7.0%"), ends named in words
    assert labels == ["Class 1 of 2 (best): 7.0% (1 area)", "Class 2 of 2 (worst): 7.1% (1 area)"]
    _, legend, _ = mc.quantiles(np.array([1.0, 2.0, 3.0]), "no_judgement", 0)
    assert legend[0]["label"].startswith("Class 1 of 3 (lowest)") and "(highest)" in legend[-1]["label"]
    assert mc.class_name(1, 3, "higher_better") == "Class 2 of 3"
    _, legend, _ = mc.quantiles(np.array([5.0, 5.0]), "higher_better", 1)
    assert legend[0]["label"] == "All areas with a value: 5.0 (2 areas)"
    for e in legend:
        assert "nan" not in e["label"] and "(0 areas)" not in e["label"]
