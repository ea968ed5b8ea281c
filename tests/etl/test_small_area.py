"""The Fay-Herriot model: the REML maths against an independent likelihood, shrinkage, the
boundary, interval coverage on simulated areas, scales and the joint posterior."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from etl import small_area as sa
from etl import stats


def _areas(rng, n=360, groups=12, A=0.03, se_range=(0.08, 0.25)):
    g = rng.integers(0, groups, n)
    X, _ = sa.group_design(g)
    se = rng.uniform(*se_range, n)
    theta = X @ rng.normal(7.5, 0.1, groups) + rng.normal(0, np.sqrt(A), n)
    return X, se, theta, theta + rng.normal(0, se)


def _reml_loglik(A, y, se, X):
    """The REML log-likelihood written out directly (n x n matrices), for checking."""
    V = np.diag(A + se ** 2)
    Vi = np.linalg.inv(V)
    M = X.T @ Vi @ X
    P = Vi - Vi @ X @ np.linalg.solve(M, X.T @ Vi)
    return -0.5 * (np.linalg.slogdet(V)[1] + np.linalg.slogdet(M)[1] + y @ P @ y)


def test_reml_score_and_estimate_match_the_likelihood():
    rng = np.random.default_rng(3)
    X, se, _, y = _areas(rng, n=60, groups=4)
    for A in (0.005, 0.03, 0.1):
        h = 1e-6
        numeric = (_reml_loglik(A + h, y, se, X) - _reml_loglik(A - h, y, se, X)) / (2 * h)
        assert sa.reml_score(A, y, se ** 2, X) == pytest.approx(numeric, rel=1e-5)
    fit = sa.fit_fay_herriot(y, se, X)
    best = optimize.minimize_scalar(lambda a: -_reml_loglik(a, y, se, X), bounds=(0, 1), method="bounded",
                                    options={"xatol": 1e-10}).x
    assert fit.A == pytest.approx(best, rel=1e-4)
    # the expected information is close to the observed curvature at the estimate
    d = 1e-4
    curv = -(_reml_loglik(fit.A + d, y, se, X) - 2 * _reml_loglik(fit.A, y, se, X)
             + _reml_loglik(fit.A - d, y, se, X)) / d ** 2
    assert 1 / fit.A_se ** 2 == pytest.approx(curv, rel=0.15)


def test_indicator_design_and_general_design_agree():
    rng = np.random.default_rng(4)
    X, se, _, y = _areas(rng)
    X2 = np.column_stack([np.ones(len(y)), X[:, 1:]])  # the same model with an intercept
    assert sa.indicator_groups(X) is not None and sa.indicator_groups(X2) is None
    f1, f2 = sa.fit_fay_herriot(y, se, X), sa.fit_fay_herriot(y, se, X2)
    assert f1.A == pytest.approx(f2.A, rel=1e-8)
    assert np.allclose(f1.shrunk, f2.shrunk) and np.allclose(f1.mse, f2.mse)


def test_shrunk_estimates_lie_between_estimate_and_group_mean():
    rng = np.random.default_rng(5)
    X, se, _, y = _areas(rng)
    f = sa.fit_fay_herriot(y, se, X)
    assert np.all((f.gamma > 0) & (f.gamma < 1))
    assert np.all(f.shrunk >= np.minimum(y, f.synthetic) - 1e-12)
    assert np.all(f.shrunk <= np.maximum(y, f.synthetic) + 1e-12)
    # the noisier the estimate, the lower its reliability
    assert np.corrcoef(se, f.gamma)[0, 1] < -0.9


def test_no_spread_beyond_noise_gives_the_boundary():
    rng = np.random.default_rng(6)
    n = 200
    X, _ = sa.group_design(np.zeros(n, int))
    se = np.full(n, 0.2)
    y = 7.5 + rng.normal(0, 0.1, n)  # less spread than the stated noise
    f = sa.fit_fay_herriot(y, se, X)
    assert f.boundary and f.A == 0.0
    assert np.allclose(f.shrunk, y.mean()) and np.allclose(f.gamma, 0)


def test_bad_input_is_refused():
    X, _ = sa.group_design([0, 0, 1, 1])
    with pytest.raises(ValueError):
        sa.fit_fay_herriot([1.0, 2.0, np.nan, 3.0], [0.1] * 4, X)
    with pytest.raises(ValueError):
        sa.fit_fay_herriot([1.0, 2.0, 2.5, 3.0], [0.1, 0.0, 0.1, 0.1], X)


def test_variance_recovered_and_area_intervals_cover_on_simulated_areas():
    rng = np.random.default_rng(7)
    A, reps = 0.03, 200
    est, cover, mse_ratio = [], [], []
    for _ in range(reps):
        X, se, theta, y = _areas(rng, A=A)
        f = sa.fit_fay_herriot(y, se, X)
        lo, hi = f.interval()
        est.append(f.A)
        cover.append(np.mean((lo <= theta) & (theta <= hi)))
        mse_ratio.append(np.mean((f.shrunk - theta) ** 2) / np.mean((y - theta) ** 2))
    assert np.mean(est) == pytest.approx(A, rel=0.05)           # REML nearly unbiased
    assert 0.93 <= np.mean(cover) <= 0.97                        # intervals cover ~95%
    assert np.mean(mse_ratio) < 0.75                             # shrinkage beats the raw estimates


def test_scales():
    x = np.array([0.0, 3.5, 50.0, 99.0, 100.0])
    assert np.allclose(sa.ARCSINE_SQRT.inverse(sa.ARCSINE_SQRT.forward(x)), x)
    assert np.all(sa.ARCSINE_SQRT.inverse(np.array([-1.0, 3.0])) <= 100)  # clipped to 0-100
    lo, hi = np.array([7.2, 4.0]), np.array([7.6, 6.0])
    assert np.allclose(sa.IDENTITY.se_from_ci(lo, hi), stats.se_from_ci(lo, hi))
    # for a share the arcsine-scale se ~ se / (2 sqrt(p (1 - p))) (delta method), p as a fraction
    p, se = 20.0, 1.0
    s = sa.ARCSINE_SQRT.se_from_ci(p - 1.96 * se, p + 1.96 * se)
    assert s == pytest.approx(se / 100 / (2 * np.sqrt(0.2 * 0.8)), rel=5e-3)


def test_noise_draws_have_the_stated_covariance():
    rng = np.random.default_rng(8)
    R = sa.equicorrelation([-1, -1, -1, 1], 0.3)
    assert R[0, 1] == pytest.approx(0.3) and R[0, 3] == pytest.approx(-0.3) and np.all(np.diag(R) == 1)
    se = np.array([[0.1, 0.2, 0.3, 0.4]])
    e = sa.noise_draws(se, R, 40000, rng)[:, :, 0]  # (m, D)
    assert np.allclose(np.cov(e), se[0][:, None] * R * se[0][None, :], atol=2e-3)


def test_joint_posterior_reduces_to_the_univariate_model_without_correlations():
    rng = np.random.default_rng(9)
    fits, ys, ses = [], [], []
    X = None
    for _ in range(3):
        X, se, _, y = _areas(rng, n=150, groups=5)
        ys.append(y)
        ses.append(se)
    Y, S = np.column_stack(ys), np.column_stack(ses)
    fits = [sa.fit_fay_herriot(Y[:, j], S[:, j], X) for j in range(3)]
    omega = np.diag([f.A for f in fits])
    post = sa.joint_posterior(Y, S, X, omega, np.eye(3))
    assert np.allclose(post.mean, np.column_stack([f.shrunk for f in fits]))
    draws = sa.posterior_draws(Y, S, X, omega, np.eye(3), 4000, rng)  # (m, D, n)
    assert np.allclose(draws.var(axis=1).T, np.column_stack([f.gamma * S[:, j] ** 2 for j, f in enumerate(fits)]),
                       rtol=0.15)


def test_effect_covariance_and_its_plausible_values():
    rng = np.random.default_rng(10)
    n, m = 400, 4
    X, _ = sa.group_design(rng.integers(0, 8, n))
    C = np.full((m, m), 0.7)
    np.fill_diagonal(C, 1)
    true = 0.02 * C
    se = rng.uniform(0.05, 0.12, (n, m))
    R = sa.equicorrelation([1, 1, 1, 1], 0.3)
    Y = X @ rng.normal(0, 0.1, (8, m)) + rng.multivariate_normal(np.zeros(m), true, n) \
        + sa.noise_draws(se, R, 1, rng)[:, 0, :].T
    fits = [sa.fit_fay_herriot(Y[:, j], se[:, j], X) for j in range(m)]
    omega = sa.effect_covariance(Y, se, X, fits, R)
    assert np.allclose(omega, true, atol=0.006)
    assert np.linalg.eigvalsh(omega).min() > 0
    s_bar = sa.mean_sampling_covariance(se, X, R)
    draws = sa.hyperparameter_draws(omega, s_bar, n - X.shape[1], 300, rng)
    assert draws.shape == (300, m, m) and all(np.linalg.eigvalsh(d).min() > 0 for d in draws)
    assert np.allclose(draws.mean(axis=0), omega, atol=0.003)
