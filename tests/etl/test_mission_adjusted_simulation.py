"""The adjusted (small-area model) gap on simulated areas with a known truth: bias and coverage.

Each replication draws a fresh set of true area values (regions, correlated measures), then two
survey periods with known sampling errors, the second noisier (as 2022-23 is against the
baseline), and a known true widening between them. The raw estimator is the gap of the noisy
estimates; the adjusted one is the posterior mean from the model, with its 95% interval.
"""
from __future__ import annotations

import numpy as np
import pytest

from etl import mission, small_area

HIW = [False, False, False, True]          # three higher-is-better measures and anxiety
SIGN = np.where(HIW, 1.0, -1.0)            # +1 = higher is worse
SCALE_SD = np.array([0.17, 0.15, 0.17, 0.24])
N_AREAS, N_GROUPS = 300, 12
REPS = 200


def _true_values(rng, A=0.017, effect_corr=0.7, region_sd=0.08):
    groups = np.arange(N_AREAS) % N_GROUPS
    C = np.full((4, 4), effect_corr)
    np.fill_diagonal(C, 1.0)
    C *= np.outer(SIGN, SIGN)  # correlated in the direction of worse well-being
    region = rng.normal(0, region_sd, (N_GROUPS, 4)) * SIGN
    u = rng.multivariate_normal(np.zeros(4), A * C, size=N_AREAS)
    return np.array([7.6, 7.8, 7.4, 3.0]) + region[groups], u, groups


def _gap(values):
    res = mission.rank_worst_third(values, HIW)
    return float(mission.overall_gap(mission.gaps(values, res["in_worst_third"]), HIW, SCALE_SD))


def simulate_replications(reps: int = REPS):
    rng = np.random.default_rng(2024)
    se0 = rng.uniform(0.07, 0.2, (N_AREAS, 1)) * np.array([1.0, 1.0, 1.2, 1.6])
    noise_factor = (1.0, 1.4)   # the second period ~40% noisier
    spread = 1.15               # the true area differences grow by 15% (a known widening)
    R = mission.error_correlation_matrix(HIW, mission.ERROR_CORRELATION)
    L = np.linalg.cholesky(R)
    out = []
    for r in range(reps):
        regional, u, groups = _true_values(rng)
        theta0, theta1 = regional + u, regional + spread * u
        row = []
        for p, (theta, f) in enumerate(((theta0, noise_factor[0]), (theta1, noise_factor[1]))):
            se = se0 * f
            y = theta + (rng.standard_normal((N_AREAS, 4)) @ L.T) * se
            adj = mission.adjusted(y, se, groups, HIW, small_area.IDENTITY, SCALE_SD, mission.ERROR_CORRELATION,
                                   [r, p], n_draws=200, n_noise=0, with_fits=False, n_hyper=10)
            row.append((_gap(theta), _gap(y), adj["draws"][:, -1]))
        out.append(row)
    return out


@pytest.fixture(scope="module")
def replications():
    return simulate_replications()


def _summaries(replications, period):
    truth = np.array([r[period][0] for r in replications])
    raw = np.array([r[period][1] for r in replications])
    draws = [r[period][2] for r in replications]
    return truth, raw, draws


def test_adjusted_gap_has_small_bias_and_honest_coverage(replications):
    for period in (0, 1):
        truth, raw, draws = _summaries(replications, period)
        adj = np.array([d.mean() for d in draws])
        lo = np.array([np.percentile(d, 2.5) for d in draws])
        hi = np.array([np.percentile(d, 97.5) for d in draws])
        raw_bias, adj_bias = np.mean(raw - truth), np.mean(adj - truth)
        assert raw_bias > 0.2  # noise builds into a worst third chosen on noisy estimates
        assert abs(adj_bias) < 0.25 * abs(raw_bias), (period, raw_bias, adj_bias)
        coverage = np.mean((lo <= truth) & (truth <= hi))
        assert 0.90 <= coverage <= 0.98, (period, coverage)


def test_adjusted_change_has_small_bias_and_honest_coverage(replications):
    t0, r0, d0 = _summaries(replications, 0)
    t1, r1, d1 = _summaries(replications, 1)
    true_change = t1 - t0
    assert true_change.mean() > 0.05  # the simulated widening is real
    raw_bias = np.mean((r1 - r0) - true_change)
    change = [b - a for a, b in zip(d0, d1)]  # independent periods
    adj_bias = np.mean(np.array([c.mean() for c in change]) - true_change)
    assert raw_bias > 0.1  # more noise in the second period alone "widens" the raw gap
    assert abs(adj_bias) < 0.25 * abs(raw_bias), (raw_bias, adj_bias)
    lo = np.array([np.percentile(c, 2.5) for c in change])
    hi = np.array([np.percentile(c, 97.5) for c in change])
    coverage = np.mean((lo <= true_change) & (true_change <= hi))
    assert 0.90 <= coverage <= 0.98, coverage
