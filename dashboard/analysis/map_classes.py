"""Colour classes for a choropleth (pure numpy; no Dash, no data access).

* Quantiles: up to five classes with equal numbers of areas; darker = worse (by polarity), or
  darker = higher for measures with no judgement. Each class is named in words.
* Benchmark: Fingertips-style better / similar / worse / not compared, judged on each area's 95%
  CI against its benchmark value (`etl.stats.compare_to_benchmark`).
"""
from __future__ import annotations

import numpy as np

from dashboard.formatting import number, plural
from dashboard.palette import AF_SEQUENTIAL, BENCHMARK_COLOURS
from etl.stats import compare_to_benchmark

QUANTILE_COLOURS = AF_SEQUENTIAL[1:]  # five steps, light to dark
BENCH_ORDER = ["better", "similar", "worse", "higher", "lower", "not compared"]
DIRECTION = {
    "higher_better": "Darker = lower value = worse (higher is better for this measure).",
    "lower_better": "Darker = higher value = worse (lower is better for this measure).",
    "no_judgement": "Darker = higher value (no judgement of better or worse for this measure).",
}
FIFTHS_JUDGED = ["Best fifth", "Second fifth", "Middle fifth", "Fourth fifth", "Worst fifth"]
FIFTHS_PLAIN = ["Lowest fifth", "Second fifth", "Middle fifth", "Fourth fifth", "Highest fifth"]


def class_name(step: int, k: int, polarity: str) -> str:
    """The words for a colour step (0 = lightest): they carry the meaning, not the colour."""
    judged = polarity in ("higher_better", "lower_better")
    if k == 5:
        return (FIFTHS_JUDGED if judged else FIFTHS_PLAIN)[step]
    if k == 1:
        return "All areas with a value"
    first, last = ("best", "worst") if judged else ("lowest", "highest")
    end = f" ({first})" if step == 0 else (f" ({last})" if step == k - 1 else "")
    return f"Class {step + 1} of {k}{end}"


def value_range(lo: float, hi: float, decimals: int, unit: str) -> str:
    """'7.1 to 7.4', or one value when the class holds one (after rounding)."""
    a, b = number(lo, decimals, unit), number(hi, decimals, unit)
    return a if a == b else f"{a} to {b}"


def quantiles(values: np.ndarray, polarity: str, decimals: int, unit: str = "") -> tuple[np.ndarray, list[dict], str]:
    """(class per area, -1 = no value; legend entries light to dark; direction sentence)."""
    vals = np.asarray(values, float)
    ok = np.isfinite(vals)
    cls = np.full(len(vals), -1, dtype=int)
    v = vals[ok]
    direction = DIRECTION.get(polarity, DIRECTION["no_judgement"])
    if len(v) == 0:
        return cls, [], direction
    qs = np.unique(np.quantile(v, [0.2, 0.4, 0.6, 0.8]))
    qs = qs[(qs > v.min()) & (qs <= v.max())] if len(np.unique(v)) > 1 else np.array([])
    raw = np.searchsorted(qs, v, side="right")  # 0 = lowest values
    # only classes that hold areas (few or tied values leave some breaks empty): never "0 areas"
    occupied = np.unique(raw)
    raw = np.searchsorted(occupied, raw)
    k = len(occupied)
    colours = (QUANTILE_COLOURS if k == 5 else
               [QUANTILE_COLOURS[int(round(i * 4 / max(k - 1, 1)))] for i in range(k)])
    ranks = (k - 1 - raw) if polarity == "higher_better" else raw  # low values are worse: darkest
    cls[ok] = ranks
    legend = []
    for step in range(k):
        members = v[ranks == step]
        lo, hi = (members.min(), members.max()) if len(members) else (np.nan, np.nan)
        legend.append({"key": str(step), "colour": colours[step],
                       "label": f"{class_name(step, k, polarity)}: {value_range(lo, hi, decimals, unit)} "
                                f"({plural(len(members), 'area')})"})
    return cls, legend, direction


def benchmark(values, lower, upper, bench, polarity: str, labels: dict[str, str]) -> tuple[np.ndarray, list[dict], np.ndarray]:
    """(class per area, -1 = no value; legend entries; comparison word per area, '' without a value).
    `labels` maps each comparison code to its legend text."""
    vals = np.asarray(values, float)
    ok = np.isfinite(vals)
    comp = compare_to_benchmark(vals, np.asarray(lower, float), np.asarray(upper, float),
                                np.asarray(bench, float), polarity)
    cats = [c for c in BENCH_ORDER if c in set(comp[ok])] or ["not compared"]
    idx = {c: i for i, c in enumerate(cats)}
    cls = np.full(len(vals), -1, dtype=int)
    cls[ok] = [idx[c] for c in comp[ok]]
    legend = [{"key": c, "colour": BENCHMARK_COLOURS[c], "label": labels.get(c, c)} for c in cats]
    return cls, legend, np.where(ok, comp, "")
