"""Fay-Herriot small-area model for published survey estimates (pure functions, numpy/scipy).

The model, for one measure in one period, over areas i = 1..n:

    y_i = theta_i + e_i,        e_i ~ N(0, psi_i)      psi_i known: the published sampling variance
    theta_i = x_i' beta + u_i,  u_i ~ N(0, A)          x_i: region / nation indicators (fixed effects)

* A (the between-area variance left after the region/nation effects) is estimated by restricted
  maximum likelihood (REML): the root of the REML score equation, found with scipy's Brent
  solver; A = 0 when the score is already negative at zero (no detectable spread).
* beta by generalised least squares given A.
* The shrunk (empirical best linear unbiased) predictor is gamma_i y_i + (1 - gamma_i) x_i' beta,
  gamma_i = A / (A + psi_i) (the estimate's reliability): an area's own estimate pulled towards
  its region's modelled mean, the more so the noisier it is.
* Its mean squared error is Datta and Lahiri's second-order approximation for REML,
  g1 + g2 + 2 g3 (Rao and Molina, Small Area Estimation, 2nd ed., section 6.2).

Several measures of the same areas (e.g. the four ONS4 questions, asked of the same respondents)
are joined for statements that involve all of them at once: their true area effects have a
between-area covariance Omega (diagonal = each measure's A; off-diagonal = a moment estimator,
below) and their sampling errors a correlation matrix R that the publisher does not give, so
it is an assumption. Given Omega, R and the GLS fixed effects, each area's true values have the
Normal posterior

    theta_i | y_i ~ N(mu_i + K_i (y_i - mu_i), Omega - K_i Omega),  K_i = Omega (Omega + S_i)^-1,

with S_i = D_i R D_i, D_i = diag(published SEs). `posterior_draws` samples it, optionally over
plausible values of Omega (`hyperparameter_draws`), because statements about rankings depend
strongly on the estimated variances and correlations, which are uncertain when the estimates
are noisy. The fixed effects are not redrawn: with a flat prior their draws would add the
estimation noise of the regional means to their real spread a second time (tested on simulated
data), inflating a worst-third gap.

The random numbers here (`rng`, always seeded by the caller) are Monte Carlo draws from these
posteriors and from the sampling-error distribution, used only to summarise uncertainty: means,
95% intervals and probabilities of worst-third membership. No drawn value is stored or shown as
an area's figure; every figure shown comes from the published estimates and their CIs.

A variance-stabilising scale (arcsine square root for a percentage) lets the same model serve
shares as well as mean scores: the model works on the transformed estimates, and every draw and
interval is transformed back.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

Z95 = float(stats.norm.ppf(0.975))


# --------------------------------------------------------------------------- scales
@dataclass(frozen=True)
class Scale:
    """A monotone increasing transform of the published values and its inverse."""
    name: str

    def forward(self, x):
        x = np.asarray(x, float)
        if self.name == "identity":
            return x
        return np.arcsin(np.sqrt(np.clip(x / 100.0, 0.0, 1.0)))

    def inverse(self, t):
        t = np.asarray(t)
        if self.name == "identity":
            return t
        return 100.0 * np.sin(np.clip(t, 0.0, np.pi / 2)) ** 2

    def se_from_ci(self, lower, upper, z: float = Z95):
        """The standard error on this scale from a published 95% interval (transformed limits)."""
        return (self.forward(upper) - self.forward(lower)) / (2 * z)


IDENTITY = Scale("identity")
ARCSINE_SQRT = Scale("arcsine_sqrt")  # for percentages (0-100)


# --------------------------------------------------------------------------- one measure
@dataclass
class FayHerriotFit:
    A: float                 # between-area variance on the model scale
    A_se: float              # its asymptotic standard error (REML information)
    beta: np.ndarray         # (p,) fixed effects
    beta_cov: np.ndarray     # (p, p) GLS covariance of beta given A
    synthetic: np.ndarray    # (n,) x_i' beta: the modelled mean of the area's group
    gamma: np.ndarray        # (n,) reliability A / (A + psi)
    shrunk: np.ndarray       # (n,) EBLUP
    mse: np.ndarray          # (n,) g1 + g2 + 2 g3
    boundary: bool           # True when A was set to 0

    def interval(self, z: float = Z95):
        half = z * np.sqrt(self.mse)
        return self.shrunk - half, self.shrunk + half


def indicator_groups(X) -> np.ndarray | None:
    """For a design of group indicators (one 1 per row), each row's group; else None."""
    X = np.asarray(X)
    if X.ndim == 2 and np.all((X == 0) | (X == 1)) and np.all(X.sum(axis=1) == 1):
        return X.argmax(axis=1)
    return None


def _gls(A: float, y, psi, X, group=None):
    """GLS at A: weights w = 1/(A + psi), (X'WX)^-1, beta, residuals, and the two matrices REML
    needs, t2 = M^-1 X'W^2 X and t3 = M^-1 X'W^3 X (M = X'WX); for an indicator design every
    product is a sum within groups and t2, t3 are returned as their diagonals."""
    w = 1.0 / (A + psi)
    if group is not None:
        p = X.shape[1]
        sw = np.bincount(group, w, p)
        beta = np.bincount(group, w * y, p) / sw
        return (w, 1.0 / sw, beta, y - beta[group], np.bincount(group, w * w, p) / sw,
                np.bincount(group, w ** 3, p) / sw)
    Xw = X * w[:, None]
    minv = np.linalg.inv(X.T @ Xw)
    beta = minv @ (Xw.T @ y)
    return w, minv, beta, y - X @ beta, minv @ (Xw.T @ Xw), minv @ (Xw.T @ (Xw * w[:, None]))


def _trace(t) -> float:
    return float(t.sum()) if t.ndim == 1 else float(np.trace(t))


def _trace_sq(t) -> float:
    return float((t * t).sum()) if t.ndim == 1 else float(np.trace(t @ t))


def reml_score(A: float, y, psi, X, group=None) -> float:
    """d/dA of the REML log-likelihood: 0.5 (y'P P y - tr P), P = V^-1 - V^-1 X (X'V^-1X)^-1 X'V^-1,
    with P y = W r and tr P = sum w - tr(M^-1 X'W^2 X)."""
    w, _, _, r, t2, _ = _gls(A, y, psi, X, group)
    return 0.5 * (np.sum((w * r) ** 2) - (w.sum() - _trace(t2)))


def reml_information(A: float, y, psi, X, group=None) -> float:
    """Expected REML information for A: 0.5 tr(P P) = 0.5 (sum w^2 - 2 tr t3 + tr(t2 t2))."""
    w, _, _, _, t2, t3 = _gls(A, y, psi, X, group)
    return 0.5 * (np.sum(w ** 2) - 2 * _trace(t3) + _trace_sq(t2))


def fit_fay_herriot(y, se, X, A: float | None = None) -> FayHerriotFit:
    """REML fit of one measure: y (n,), se (n,) published standard errors, X (n, p) full rank.
    With A given, the model is evaluated at that variance instead of estimating it."""
    y, se, X = np.asarray(y, float), np.asarray(se, float), np.asarray(X, float)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ValueError("every estimate needs a finite value and a positive standard error")
    if np.linalg.matrix_rank(X) < X.shape[1] or len(y) <= X.shape[1]:
        raise ValueError("the design needs full column rank and more areas than effects")
    psi = se ** 2
    group = indicator_groups(X)
    boundary = A is None and reml_score(0.0, y, psi, X, group) <= 0
    if A is not None:
        A = float(A)
    elif boundary:
        A = 0.0
    else:
        hi = max(float(np.var(y)), float(psi.max()), 1e-12)
        while reml_score(hi, y, psi, X, group) > 0:
            hi *= 4.0
        A = optimize.brentq(reml_score, 0.0, hi, args=(y, psi, X, group), xtol=1e-10 * hi, rtol=1e-10)
    w, Minv, beta, _, _, _ = _gls(A, y, psi, X, group)
    Minv = np.diag(Minv) if Minv.ndim == 1 else Minv
    synthetic = X @ beta
    gamma = A * w
    shrunk = gamma * y + (1 - gamma) * synthetic
    var_A = 2.0 / np.sum(w ** 2)             # asymptotic variance of the REML estimator
    g1 = gamma * psi
    g2 = (1 - gamma) ** 2 * np.einsum("ij,jk,ik->i", X, Minv, X)
    g3 = psi ** 2 * w ** 3 * var_A
    info = reml_information(A, y, psi, X, group)
    return FayHerriotFit(A=float(A), A_se=float(np.sqrt(1.0 / info)) if info > 0 else float("nan"),
                         beta=beta, beta_cov=Minv, synthetic=synthetic, gamma=gamma, shrunk=shrunk,
                         mse=g1 + g2 + 2 * g3, boundary=bool(boundary))


def group_design(groups) -> tuple[np.ndarray, list]:
    """One indicator column per group (region or nation): the fixed effects."""
    labels = sorted(set(groups))
    index = {g: j for j, g in enumerate(labels)}
    X = np.zeros((len(groups), len(labels)))
    X[np.arange(len(groups)), [index[g] for g in groups]] = 1.0
    return X, labels


# --------------------------------------------------------------------------- several measures
def sampling_covariance(se: np.ndarray, error_correlation: np.ndarray) -> np.ndarray:
    """(n, m) standard errors and an (m, m) correlation -> (n, m, m) covariances D R D."""
    return se[:, :, None] * error_correlation[None] * se[:, None, :]


def _regularise(cov: np.ndarray, floor: float = 1e-10) -> np.ndarray:
    """A covariance with variances >= floor and a valid correlation matrix (correlations kept
    within (-0.99, 0.99), eigenvalues clipped)."""
    sd = np.sqrt(np.maximum(np.diag(cov), floor))
    corr = np.clip(cov / np.outer(sd, sd), -0.99, 0.99)
    np.fill_diagonal(corr, 1.0)
    vals, vecs = np.linalg.eigh(corr)
    if vals.min() < 1e-6:  # nearest correlation matrix by eigenvalue clipping
        corr = (vecs * np.clip(vals, 1e-6, None)) @ vecs.T
        d = np.sqrt(np.diag(corr))
        corr = corr / np.outer(d, d)
    return corr * np.outer(sd, sd)


def mean_sampling_covariance(se, X, error_correlation) -> np.ndarray:
    """sum_i (1 - h_ii) S_i / (n - p): the sampling part of the residual covariance."""
    n, p = X.shape
    h = np.einsum("ij,jk,ik->i", X, np.linalg.pinv(X.T @ X), X)
    return np.einsum("i,iab->ab", 1 - h, sampling_covariance(se, error_correlation)) / (n - p)


def effect_covariance(Y, se, X, fits: list[FayHerriotFit], error_correlation) -> np.ndarray:
    """Between-area covariance Omega of the true area effects, (m, m).

    Diagonal: each measure's REML A. Off-diagonal: Prasad-Rao style moment estimator from
    ordinary least squares residuals r = (I - H) y, whose expectation is
    E[r_a' r_b] = Omega_ab (n - p) + sum_i (1 - h_ii) S_i,ab; the estimate is turned into a
    correlation, kept within (-1, 1) and made positive semi-definite."""
    n, m = Y.shape
    p = X.shape[1]
    resid = Y - X @ np.linalg.lstsq(X, Y, rcond=None)[0]
    omega = resid.T @ resid / (n - p) - mean_sampling_covariance(se, X, error_correlation)
    sd = np.sqrt(np.array([f.A for f in fits]))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = omega / np.outer(sd, sd)
    corr = np.where(np.isfinite(corr), corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    return _regularise(corr * np.outer(sd, sd), floor=0.0) if sd.min() > 0 else \
        np.diag(sd ** 2)


def hyperparameter_draws(omega, s_bar, df: int, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """(n_draws, m, m) plausible values of Omega around its estimate, so that uncertainty in the
    variance components reaches every interval: the residual covariance Omega + S_bar is drawn
    from its Wishart sampling distribution with df = n - p degrees of freedom, S_bar subtracted,
    and the result regularised."""
    from scipy.stats import wishart

    V = omega + s_bar
    W = wishart.rvs(df=df, scale=V / df, size=n_draws, random_state=rng)
    W = W.reshape(n_draws, *omega.shape)
    return np.stack([_regularise(w - s_bar) for w in W])


@dataclass
class JointPosterior:
    resid_gain: np.ndarray   # (n, m, m) I - K_i
    ky: np.ndarray           # (n, m) K_i y_i
    chol: np.ndarray         # (n, m, m) Cholesky factor of the posterior covariance
    X: np.ndarray            # (n, p)
    beta: np.ndarray         # (m, p) GLS fixed effects at diag(Omega)
    omega: np.ndarray        # (m, m)

    @property
    def mean(self) -> np.ndarray:
        """(n, m) posterior means."""
        mu = self.X @ self.beta.T
        return self.ky + np.einsum("nab,nb->na", self.resid_gain, mu)


def joint_posterior(Y, se, X, omega, error_correlation, S=None, group=None) -> JointPosterior:
    """The four (m) measures' joint posterior given Omega, the error correlation and the GLS
    fixed effects at Omega's variances (S, the sampling covariances, and the design's groups may
    be passed in when several Omegas are tried on the same data)."""
    n, m = Y.shape
    group = indicator_groups(X) if group is None else group
    beta = np.stack([_gls(max(omega[j, j], 0.0), Y[:, j], se[:, j] ** 2, X, group)[2] for j in range(m)])
    S = sampling_covariance(se, error_correlation) if S is None else S
    V = omega[None] + S
    gain = np.swapaxes(np.linalg.solve(V, np.broadcast_to(omega, V.shape)), 1, 2)  # Omega V^-1
    post = omega[None] - gain @ omega[None]
    post = 0.5 * (post + np.swapaxes(post, 1, 2))
    jitter = 1e-12 * max(np.trace(omega) / m, 1e-12)
    chol = np.linalg.cholesky(post + jitter * np.eye(m)[None])
    return JointPosterior(resid_gain=np.eye(m)[None] - gain, ky=np.einsum("nab,nb->na", gain, Y),
                          chol=chol, X=X, beta=beta, omega=omega)


def _draws_given(post: JointPosterior, z: np.ndarray, out: np.ndarray) -> None:
    m = post.beta.shape[0]
    mu = post.X @ post.beta.T                                        # (n, m) modelled means
    base = (post.ky + np.einsum("nab,nb->na", post.resid_gain, mu)).astype(np.float32)
    L = post.chol.astype(np.float32)
    for a in range(m):
        acc = L[:, a, 0] * z[0]
        for b in range(1, a + 1):  # lower-triangular factor
            acc += L[:, a, b] * z[b]
        acc += base[:, a]
        out[a] = acc


def posterior_draws(Y, se, X, omega, error_correlation, n_draws: int, rng: np.random.Generator,
                    n_hyper: int = 0, s_bar=None, df: int | None = None) -> np.ndarray:
    """Draws of the true values on the model scale, float32, measure-major (m, ..., n) so that
    each draw's areas lie contiguous for ranking.

    n_hyper = 0: (m, n_draws, n) with Omega taken as known. n_hyper = K > 0: (m, K + 1, n_draws, n):
    block 0 at the estimated Omega, blocks 1..K at K plausible values of it
    (hyperparameter_draws), every block with the same standard normals, so that differences
    between blocks are due to the variance components alone."""
    n, m = Y.shape
    z = rng.standard_normal((m, n_draws, n), dtype=np.float32)
    if n_hyper <= 0:
        out = np.empty((m, n_draws, n), dtype=np.float32)
        _draws_given(joint_posterior(Y, se, X, omega, error_correlation), z, out)
        return out
    omegas = [omega, *hyperparameter_draws(omega, s_bar, df, n_hyper, rng)]
    out = np.empty((m, len(omegas), n_draws, n), dtype=np.float32)
    S, group = sampling_covariance(se, error_correlation), indicator_groups(X)
    for k, om in enumerate(omegas):
        _draws_given(joint_posterior(Y, se, X, om, error_correlation, S, group), z, out[:, k])
    return out


def noise_draws(se: np.ndarray, error_correlation: np.ndarray, n_draws: int,
                rng: np.random.Generator) -> np.ndarray:
    """(m, n_draws, n) float32 sampling errors alone (se (n, m)): what the estimates would look
    like around every area's true value."""
    n, m = se.shape
    L = np.linalg.cholesky(error_correlation).astype(np.float32)
    z = rng.standard_normal((m, n_draws, n), dtype=np.float32)
    out = np.empty((m, n_draws, n), dtype=np.float32)
    for a in range(m):
        acc = L[a, 0] * z[0]
        for b in range(1, a + 1):
            acc += L[a, b] * z[b]
        out[a] = acc * se[:, a].astype(np.float32)
    return out


def equicorrelation(signs, rho: float) -> np.ndarray:
    """Correlation rho between every pair of measures in the direction given by signs (+1 / -1),
    e.g. 'worse well-being': R_ab = rho s_a s_b."""
    s = np.asarray(signs, float)
    R = rho * np.outer(s, s)
    np.fill_diagonal(R, 1.0)
    return R
