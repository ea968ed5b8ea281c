"""Confidence intervals and significance tests (pure functions, vectorised with numpy).

Methods (named on the app's methods page):
* proportions: Wilson score interval;
* rates from counts (events / population): Byar's approximation to the exact Poisson interval
  for counts of 10 or more, the exact Poisson (chi-squared) interval below 10;
* difference of two independent estimates with 95% CIs: z-test on the difference, with each
  standard error recovered as (upper - lower) / (2 x 1.96);
* benchmark comparison (Fingertips style): an area is 'better'/'worse' than a benchmark when
  its 95% CI excludes the benchmark value, oriented by the metric's polarity; 'similar' when it
  includes it; 'not compared' without a CI or polarity.
"""
from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054


def wilson(successes, n, z: float = Z95):
    """Wilson score interval for a proportion, returned as (p, lower, upper) in 0-1."""
    k = np.asarray(successes, float)
    n = np.asarray(n, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return p, np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def poisson_count_ci(count, z: float = Z95):
    """95% interval for a Poisson count: Byar for counts >= 10, exact below."""
    o = np.asarray(count, float)
    from scipy import stats as _st  # only here: importing scipy.stats costs the app's start ~1 s

    alpha = 2 * (1 - _st.norm.cdf(z))
    with np.errstate(divide="ignore", invalid="ignore"):
        byar_lo = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        byar_hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
        exact_lo = np.where(o > 0, _st.chi2.ppf(alpha / 2, 2 * o) / 2, 0.0)
        exact_hi = _st.chi2.ppf(1 - alpha / 2, 2 * (o + 1)) / 2
    small = o < 10
    lo = np.where(small, exact_lo, byar_lo)
    hi = np.where(small, exact_hi, byar_hi)
    return np.maximum(lo, 0), hi


def rate_ci(count, population, per: float = 1.0):
    """Rate per `per` population with its 95% CI (Byar / exact Poisson)."""
    pop = np.asarray(population, float)
    lo, hi = poisson_count_ci(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(count, float) / pop * per, lo / pop * per, hi / pop * per


def se_from_ci(lower, upper, z: float = Z95):
    return (np.asarray(upper, float) - np.asarray(lower, float)) / (2 * z)


def diff_test(v1, lo1, hi1, v2, lo2, hi2, z: float = Z95):
    """Difference v2 - v1 of two independent estimates: (diff, lower, upper, z, significant)."""
    se = np.sqrt(se_from_ci(lo1, hi1) ** 2 + se_from_ci(lo2, hi2) ** 2)
    d = np.asarray(v2, float) - np.asarray(v1, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        zscore = d / se
    sig = np.abs(zscore) > z
    return d, d - z * se, d + z * se, zscore, sig


def direction(diff, significant, polarity: str) -> np.ndarray:
    """'improved' / 'worsened' / 'no significant change' / 'not assessed' for a change."""
    diff = np.asarray(diff, float)
    significant = np.asarray(significant, bool)
    out = np.full(diff.shape, "no significant change", dtype=object)
    if polarity not in ("higher_better", "lower_better"):
        out[:] = "not assessed"
        return out
    good = diff > 0 if polarity == "higher_better" else diff < 0
    out[significant & good] = "improved"
    out[significant & ~good] = "worsened"
    out[~np.isfinite(diff)] = "not assessed"
    return out


def compare_to_benchmark(value, lower, upper, benchmark, polarity: str) -> np.ndarray:
    """Fingertips-style: 'better' / 'similar' / 'worse' / 'not compared' (CI vs benchmark value)."""
    v = np.asarray(value, float)
    lo = np.asarray(lower, float)
    hi = np.asarray(upper, float)
    b = np.asarray(benchmark, float) * np.ones_like(v)
    out = np.full(v.shape, "not compared", dtype=object)
    ok = np.isfinite(v) & np.isfinite(lo) & np.isfinite(hi) & np.isfinite(b)
    if polarity not in ("higher_better", "lower_better"):
        above, below = ok & (lo > b), ok & (hi < b)
        out[ok] = "similar"
        out[above] = "higher"
        out[below] = "lower"
        return out
    above, below = ok & (lo > b), ok & (hi < b)
    out[ok] = "similar"
    out[above] = "better" if polarity == "higher_better" else "worse"
    out[below] = "worse" if polarity == "higher_better" else "better"
    return out
