"""The Well-being mission's own measures, as pure functions.

What the measures mean (basis, worseness percentiles, worst third, gaps, baselines, the
published-estimate, adjusted and noise-only gaps, the region and nation tests) is written once,
for users, in docs/methods.md (shown on the app's /data page). Implementation notes:

* Values are compared at RANK_DECIMALS decimal places before ranking, so values equal in exact
  arithmetic tie despite floating-point residue.
* Each period is simulated with its own seed (independent periods); the four measures' sampling
  errors are correlated by ERROR_CORRELATION, with a sensitivity over SENSITIVITY_CORRELATIONS.
* The adjusted gap's draws are spread over N_HYPER plausible sets of the small-area model's
  variance components (`etl.small_area`), centred on the gap at the estimated components.
* Region and nation tests use the z-test of `etl.stats.diff_test`, Holm's step-down correction
  per period, and a flag where the publisher's rounding could flip the call.
"""
from __future__ import annotations

import math
from functools import partial
import re

import numpy as np
import pandas as pd
from scipy.stats import norm

from etl import catalogue, small_area, stats, vocabulary

# The headline pairs and their polarity come from the metrics catalogue (00_headline.yaml).
_HEADLINE = catalogue.headline()
SHARE_METRICS = _HEADLINE["share_id"].tolist()
MEAN_METRICS = _HEADLINE["mean_id"].tolist()
POLARITY = {**dict(zip(_HEADLINE["share_id"], _HEADLINE["share_polarity"])),
            **dict(zip(_HEADLINE["mean_id"], _HEADLINE["mean_polarity"]))}
HIGHER_IS_WORSE = {m: vocabulary.higher_is_worse(p) for m, p in POLARITY.items()}
BASELINE_GAP_PERIODS = ["2016-17", "2017-18", "2018-19"]
BASELINE_GAP_LABEL = "2016-17 to 2018-19"
BASELINE_REGION_PERIOD = "2018-19"
N_DRAWS = 1000
N_NOISE_DRAWS = 200          # the noise-only benchmark is a mean: fewer draws suffice
# per alternative error correlation, for the baseline years and later (a sensitivity, so fewer)
N_SENSITIVITY_DRAWS, N_SENSITIVITY_NOISE, N_SENSITIVITY_HYPER = 200, 100, 10
MIN_RANKED = 30
N_HYPER = 20  # plausible values of the variance components, each with N_DRAWS / N_HYPER draws
RANK_DECIMALS = 6
SEED = 20240125  # the mission update's publication date
# Correlation of the sampling errors of an area's four estimates, in the direction of worse
# well-being (they come from the same respondents). ONS does not publish it.
ERROR_CORRELATION = 0.3
SENSITIVITY_CORRELATIONS = (0.0, 0.3, 0.6)
# The published-estimate gap's interval and p_worst_third keep their first definition
# (independent errors): correlated errors would push that resampled interval further above its
# own point estimate, since noise around noisy estimates inflates a worst-third gap.
PUBLISHED_ERROR_CORRELATION = 0.0

# The APS switched from face-to-face to telephone interviewing in March 2020.
MODE_CHANGE_SOURCE_TITLE = ("Data collection changes due to the pandemic and their impact on "
                            "estimating personal well-being")
MODE_CHANGE_SOURCE_URL = ("https://www.ons.gov.uk/peoplepopulationandcommunity/wellbeing/methodologies/"
                          "datacollectionchangesduetothepandemicandtheirimpactonestimatingpersonalwellbeing")
MODE_NOTES = {
    "before": "Collected before the March 2020 change of interview mode (mostly face to face).",
    "partly": ("Partly affected: the survey switched from face-to-face to telephone interviews in "
               "March 2020, the last weeks of this year."),
    "after": ("Collected by telephone after the March 2020 change of interview mode; ONS found "
              "differences between face-to-face and telephone answers, largest for anxiety, so "
              "comparisons with earlier years mix real change with a change of method."),
}


def metrics_for(basis: str) -> list[str]:
    return SHARE_METRICS if basis == "shares" else MEAN_METRICS


def scale_for(basis: str) -> small_area.Scale:
    """The model's scale: arcsine square root for shares (variance-stabilising), identity for means."""
    return small_area.ARCSINE_SQRT if basis == "shares" else small_area.IDENTITY


def choose_basis(obs: pd.DataFrame, ltla_codes: set[str], periods: list[str],
                 min_coverage: float = 0.9) -> str:
    """'shares' when every share metric is published with a value for >= 90% of current LTLAs
    in each of the given periods, else 'means'."""
    sub = obs[(obs["geography"] == "ltla") & obs["metric_id"].isin(SHARE_METRICS)
              & obs["value"].notna() & obs["area_code"].isin(ltla_codes)]
    for p in periods:
        for m in SHARE_METRICS:
            n = sub[(sub["period"] == p) & (sub["metric_id"] == m)]["area_code"].nunique()
            if n < min_coverage * len(ltla_codes):
                return "means"
    return "shares"


def mode_change(period: str) -> str | None:
    """Where a period stands against the March 2020 change of interview mode."""
    if period == BASELINE_GAP_LABEL:
        return "before"
    m = re.fullmatch(r"(\d{4})-\d{2}", str(period))
    if not m:
        return None
    y = int(m.group(1))
    return "before" if y <= 2018 else ("partly" if y == 2019 else "after")


def survey_mode_table(periods) -> pd.DataFrame:
    rows = []
    for p in periods:
        mc = mode_change(p)
        if mc is None:
            continue
        rows.append({"period": p, "mode_change": mc, "note": MODE_NOTES[mc],
                     "source_title": MODE_CHANGE_SOURCE_TITLE, "source_url": MODE_CHANGE_SOURCE_URL})
    return pd.DataFrame(rows, columns=["period", "mode_change", "note", "source_title", "source_url"])


def _crosses(baseline_mode: str | None, mode: str | None) -> bool:
    return baseline_mode == "before" and mode in ("partly", "after")


# --------------------------------------------------------------------------- core ranking
def worseness_percentiles(values: np.ndarray, higher_is_worse: list[bool]) -> np.ndarray:
    """values: (n_areas, n_metrics) -> percentiles in (0, 100), 100 = worst. Tied values share
    their average rank; values are compared at RANK_DECIMALS places (see the module text). Areas
    with any missing metric must be removed before calling."""
    v = np.where(np.array(higher_is_worse), values, -values)
    v = np.round(v, RANK_DECIMALS)
    ranks = pd.DataFrame(v).rank(axis=0, method="average").to_numpy()
    return 100.0 * (ranks - 0.5) / v.shape[0]


def rank_worst_third(values: np.ndarray, higher_is_worse: list[bool]):
    """values (n_areas, n_metrics), all finite. Returns dict of arrays:
    percentiles, worst_idx, worst_score, order_rank (1 = worst), in_worst_third."""
    pct = worseness_percentiles(values, higher_is_worse)
    worst_idx = np.argmax(pct, axis=1)
    worst = pct.max(axis=1)
    tie = pct.mean(axis=1)
    order = np.lexsort((tie * -1, worst * -1))  # by worst desc, then mean desc
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(1, len(order) + 1)
    k = math.ceil(len(order) / 3)
    return {"percentiles": pct, "worst_idx": worst_idx, "worst_score": worst, "rank": rank,
            "in_worst_third": rank <= k, "k": k}


def gaps(values: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Per metric: mean over the worst third minus mean over the rest. values (..., n, m);
    member (..., n) boolean."""
    mem = member[..., None]
    wt = np.where(mem, values, 0).sum(axis=-2) / mem.sum(axis=-2)
    rest = np.where(~mem, values, 0).sum(axis=-2) / (~mem).sum(axis=-2)
    return wt - rest


def overall_gap(metric_gaps: np.ndarray, higher_is_worse: list[bool], baseline_sd: np.ndarray) -> np.ndarray:
    sign = np.where(np.array(higher_is_worse), 1.0, -1.0)
    return (metric_gaps * sign / baseline_sd).mean(axis=-1)


def draw_membership(draws: np.ndarray, higher_is_worse: list[bool]) -> np.ndarray:
    """Worst third in every draw: draws (m, D, n) (measure-major) -> member (D, n) boolean. The
    same rule as rank_worst_third (worst metric's rank, then the sum of ranks) on continuous
    draws."""
    m, d, n = draws.shape
    sign = np.where(np.array(higher_is_worse), 1.0, -1.0).astype(np.float32)
    x = draws * sign[:, None, None]  # a float32 copy, oriented so that higher is worse
    order = np.argsort(x, axis=-1).reshape(m * d, n)
    # invert each row's permutation with one flat scatter (faster than put_along_axis)
    order += (np.arange(m * d) * n)[:, None]
    ranks = np.empty(m * d * n, dtype=np.int32)
    ranks[order.ravel()] = np.tile(np.arange(n, dtype=np.int32), m * d)
    ranks = ranks.reshape(m, d, n)
    key = ranks.max(axis=0).astype(np.int64) * (m * n) + ranks.sum(axis=0)
    k = math.ceil(n / 3)
    top = np.argpartition(-key, k - 1, axis=1)[:, :k]
    member = np.zeros((d, n), dtype=bool)
    np.put_along_axis(member, top, True, axis=1)
    return member


def draw_gaps(draws: np.ndarray, member: np.ndarray, higher_is_worse: list[bool],
              baseline_sd: np.ndarray) -> np.ndarray:
    """(m, D, n) draws and (D, n) membership -> (D, m + 1): each metric's gap, then overall."""
    n = draws.shape[2]
    mf = member.astype(draws.dtype)
    k = mf.sum(axis=1, dtype=np.float64)
    g = np.empty((draws.shape[1], draws.shape[0]))
    for a in range(draws.shape[0]):
        wt = np.einsum("dn,dn->d", mf, draws[a]).astype(np.float64)
        g[:, a] = wt / k - (draws[a].sum(axis=1, dtype=np.float64) - wt) / (n - k)
    return np.column_stack([g, overall_gap(g, higher_is_worse, baseline_sd)])


def error_correlation_matrix(higher_is_worse: list[bool], rho: float) -> np.ndarray:
    return small_area.equicorrelation(np.where(np.array(higher_is_worse), 1.0, -1.0), rho)


def simulate(values: np.ndarray, se: np.ndarray, higher_is_worse: list[bool], baseline_sd: np.ndarray,
             n_draws: int = N_DRAWS, seed=SEED, error_correlation: float = PUBLISHED_ERROR_CORRELATION):
    """Monte Carlo over the published sampling error. Returns (p_worst_third per area,
    metric gap draws (n_draws, m), overall gap draws (n_draws,))."""
    # Seeded draws of sampling error around each *published* estimate (Normal(value, se) with se
    # from its published CI): they measure how stable a ranking is; no drawn value is ever shown.
    rng = np.random.default_rng(seed)
    se = np.where(np.isfinite(se), se, 0.0)
    R = error_correlation_matrix(higher_is_worse, error_correlation)
    draws = small_area.noise_draws(se, R, n_draws, rng)
    draws += values.T[:, None, :].astype(np.float32)
    member = draw_membership(draws, higher_is_worse)
    g = draw_gaps(draws, member, higher_is_worse, baseline_sd)
    return member.mean(axis=0), g[:, :-1], g[:, -1]


# --------------------------------------------------------------------------- the model
def adjusted(values: np.ndarray, se_model: np.ndarray, groups, higher_is_worse: list[bool],
             scale: small_area.Scale, baseline_sd: np.ndarray, rho: float, seed,
             n_draws: int = N_DRAWS, n_noise: int = N_NOISE_DRAWS, with_fits: bool = True,
             n_hyper: int = N_HYPER) -> dict:
    """The small-area model for one period: per-measure Fay-Herriot fits on the model scale, and
    the adjusted and noise-only gap draws under error correlation rho.

    Returns dict: fits, shrunk / lower / upper / model_mean / reliability (n, m) on the published
    scale, p_adjusted (n,), draws (D, m + 1), noise (D_noise, m + 1)."""
    rng = np.random.default_rng(seed)
    Y = scale.forward(values)
    X, _ = small_area.group_design(list(groups))
    fits = [small_area.fit_fay_herriot(Y[:, j], se_model[:, j], X) for j in range(Y.shape[1])]
    R = error_correlation_matrix(higher_is_worse, rho)
    omega = small_area.effect_covariance(Y, se_model, X, fits, R)
    s_bar = small_area.mean_sampling_covariance(se_model, X, R)
    # n_hyper plausible sets of variance components with n_draws / n_hyper draws each, and a
    # block at the estimated ones (same normals in every block); n_hyper = 0 takes them as known
    per = max(n_draws // max(n_hyper, 1), 1)
    theta = scale.inverse(small_area.posterior_draws(Y, se_model, X, omega, R, per, rng, n_hyper,
                                                     s_bar, X.shape[0] - X.shape[1]))
    if theta.ndim == 3:
        theta = np.stack([theta, theta], axis=1)  # the single block serves as both
    m, blocks, _, n = theta.shape
    member = draw_membership(theta.reshape(m, blocks * per, n), higher_is_worse)
    g = draw_gaps(theta.reshape(m, blocks * per, n), member, higher_is_worse, baseline_sd)
    g = g.reshape(blocks, per, -1)
    # keep the spread the variance components add, centred where the estimated components put
    # it: averaging over them would bias the gap (it depends on them non-linearly)
    hyper = g[1:].reshape(-1, g.shape[-1])
    hyper = hyper + (g[0].mean(axis=0) - hyper.mean(axis=0))
    out = {"fits": fits, "p_adjusted": member.reshape(blocks, per, n)[1:].mean(axis=(0, 1)), "omega": omega,
           "draws": hyper}
    if n_noise:
        centre = Y.mean(axis=0)  # every area at the same true value
        noisy = scale.inverse(centre[:, None, None] + small_area.noise_draws(se_model, R, n_noise, rng))
        out["noise"] = draw_gaps(noisy, draw_membership(noisy, higher_is_worse), higher_is_worse, baseline_sd)
    if with_fits:
        lo, hi = zip(*(f.interval() for f in fits))
        out.update(shrunk=scale.inverse(np.column_stack([f.shrunk for f in fits])),
                   lower=scale.inverse(np.column_stack(lo)), upper=scale.inverse(np.column_stack(hi)),
                   model_mean=scale.inverse(np.column_stack([f.synthetic for f in fits])),
                   reliability=np.column_stack([f.gamma for f in fits]))
    return out


# --------------------------------------------------------------------------- tables
def _wide(obs: pd.DataFrame, metrics: list[str], period_list: list[str], ltla_codes: set[str],
          scale: small_area.Scale):
    sub = obs[(obs["geography"] == "ltla") & obs["metric_id"].isin(metrics) & obs["period"].isin(period_list)
              & obs["area_code"].isin(ltla_codes) & obs["value"].notna()]
    return sub.assign(se=stats.se_from_ci(sub["lower"], sub["upper"]),
                      se_model=scale.se_from_ci(sub["lower"], sub["upper"]))


def pooled_baseline(obs: pd.DataFrame, metrics: list[str], ltla_codes: set[str],
                    scale: small_area.Scale = small_area.IDENTITY) -> pd.DataFrame:
    """Each LTLA's baseline value per metric: mean of the baseline years published with an
    interval (>= 2), se = sqrt(sum se^2) / k (also on the model scale). Returns long rows
    area_code, metric_id, value, se, se_model, n_years, derived."""
    sub = _wide(obs, metrics, BASELINE_GAP_PERIODS, ltla_codes, scale)
    sub = sub[sub["se_model"] > 0]
    sub = sub.assign(se2=sub["se"] ** 2, sm2=sub["se_model"] ** 2)
    g = sub.groupby(["area_code", "metric_id"])
    out = g.agg(value=("value", "mean"), n_years=("value", "size"), se2=("se2", "sum"), sm2=("sm2", "sum"),
                derived=("derived", "any")).reset_index()
    out["se"] = np.sqrt(out.pop("se2")) / out["n_years"]
    out["se_model"] = np.sqrt(out.pop("sm2")) / out["n_years"]
    return out[out["n_years"] >= 2]


def _period_frame(long: pd.DataFrame, metrics: list[str]):
    piv = long.pivot(index="area_code", columns="metric_id", values=["value", "se", "se_model"])
    v = piv["value"].reindex(columns=metrics)
    # ranked only with all four estimates and their intervals (the model needs every error)
    sm = piv["se_model"].reindex(columns=metrics)
    complete = v.notna().all(axis=1) & (sm > 0).all(axis=1)
    return (v[complete], piv["se"].reindex(columns=metrics)[complete],
            piv["se_model"].reindex(columns=metrics)[complete], v.index[~complete])


def _summary(draws: np.ndarray) -> tuple[float, float, float]:
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return float(draws.mean()), float(lo), float(hi)


def _verdict(change_lower, change_upper, metric_ids, periods) -> np.ndarray:
    sign = np.array([1.0 if m == "overall" or HIGHER_IS_WORSE.get(m, True) else -1.0 for m in metric_ids])
    lo, hi = np.asarray(change_lower, float) * sign, np.asarray(change_upper, float) * sign
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    pre = np.array([p != BASELINE_GAP_LABEL and p < BASELINE_GAP_PERIODS[0] for p in periods])
    return np.select([pre, hi < 0, lo > 0, np.isfinite(lo)],
                     ["pre-baseline", "narrowed", "widened", "no significant change"], "baseline")


def compute(obs: pd.DataFrame, areas: pd.DataFrame, n_draws: int = N_DRAWS,
            error_correlation: float = ERROR_CORRELATION,
            sensitivity: tuple[float, ...] = SENSITIVITY_CORRELATIONS, pmap=map) -> dict[str, pd.DataFrame]:
    """All mission tables from the observations and areas artefacts. `pmap` maps the periods'
    models (independent, each seeded): the build passes one over two processes."""
    ltla = areas[(areas["geography"] == "ltla") & areas["active"]]
    codes = set(ltla["code"])
    names = dict(zip(ltla["code"], ltla["name"]))
    # the model's fixed effects: English region, or nation elsewhere
    group_of = dict(zip(ltla["code"], ltla["region_code"].fillna(ltla["country_code"])))
    all_periods = sorted(obs.loc[obs["metric_id"].isin(MEAN_METRICS + SHARE_METRICS), "period"].unique())
    fy_periods = [p for p in all_periods if len(p) == 7 and p[4] == "-"]
    later = [p for p in fy_periods if p >= BASELINE_GAP_PERIODS[0]]
    basis = choose_basis(obs, codes, BASELINE_GAP_PERIODS + later[-1:])
    metrics = metrics_for(basis)
    scale = scale_for(basis)
    hiw = [HIGHER_IS_WORSE[m] for m in metrics]
    unit = "percentage points" if basis == "shares" else "score points"

    base_long = pooled_baseline(obs, metrics, codes, scale)
    bv, bs, bsm, _ = _period_frame(base_long, metrics)
    baseline_sd = bv.std(axis=0, ddof=1).to_numpy()

    frames = [(BASELINE_GAP_LABEL, True, bv, bs, bsm, base_long)]
    # one pass over the observations, then a lookup per period (filtering the whole table once
    # per period made this step grow with periods x rows)
    by_period = dict(tuple(_wide(obs, metrics, fy_periods, codes, scale).groupby("period", sort=False)))
    for p in fy_periods:
        long = by_period.get(p)
        if long is None or long.empty:
            continue
        v, s, sm, _ = _period_frame(long, metrics)
        frames.append((p, False, v, s, sm, long))

    jobs = [(label, is_base, v, s, sm, long, 0 if is_base else fy_periods.index(label) + 1)
            for label, is_base, v, s, sm, long in frames if len(v) >= MIN_RANKED]
    common = dict(metrics=metrics, hiw=hiw, scale=scale, basis=basis, baseline_sd=baseline_sd, names=names,
                  group_of=group_of, n_draws=n_draws, error_correlation=error_correlation, sensitivity=sensitivity)
    # each period is modelled on its own (own seed), so the periods can run on several processes
    ltla_parts, model_rows, sims, ranked = [], [], {}, {}
    for (label, is_base, v, *_), (part, rows, sim) in zip(jobs, pmap(partial(_model_period, **common), jobs)):
        ranked[label] = set(v.index)
        ltla_parts.append(part)
        model_rows.extend(rows)
        if sim is not None:
            sims[label] = sim
    base_years = [p for p in BASELINE_GAP_PERIODS if p in sims]
    if len(base_years) == len(BASELINE_GAP_PERIODS):
        one = [sims[p] for p in base_years]
        mean = lambda key: np.mean([x[key] for x in one], axis=0)  # noqa: E731
        n_base = len(ranked.get(BASELINE_GAP_LABEL, ()))
        sims[BASELINE_GAP_LABEL] = dict(
            gap=mean("gap"), wt=mean("wt"), rest=mean("rest"), draws=mean("draws"), adj=mean("adj"),
            noise=mean("noise"),
            sens={r: (np.mean([x["sens"][r][0] for x in one], axis=0), np.mean([x["sens"][r][1] for x in one], axis=0))
                  for r in one[0]["sens"] if all(r in x["sens"] for x in one)},
            # the counts of the baseline LTLA rows (areas with a 3-year baseline); the annual
            # rankings behind the gap are listed beside them
            n=n_base, k=math.ceil(n_base / 3),
            n_by_year=" / ".join(f"{p}: {sims[p]['n']}" for p in base_years))
    gap_df, sens_df = _gap_tables(sims, metrics, basis, unit)
    return {"mission_ltla": pd.concat(ltla_parts, ignore_index=True) if ltla_parts else pd.DataFrame(),
            "mission_gap": gap_df, "mission_gap_sensitivity": sens_df,
            "mission_model": pd.DataFrame(model_rows),
            "mission_unranked": unranked(obs, areas, metrics, ranked),
            "mission_regions": region_change(obs, areas),
            "mission_survey_mode": survey_mode_table(fy_periods + [BASELINE_GAP_LABEL])}


def _model_period(job, *, metrics, hiw, scale, basis, baseline_sd, names, group_of, n_draws,
                  error_correlation, sensitivity):
    """One period's ranking, published-error simulation and small-area model: (the LTLA rows,
    the model rows, the gap draws or None for the baseline)."""
    label, is_base, v, s, sm, long, key = job
    rows = []
    vals = v.to_numpy()
    res = rank_worst_third(vals, hiw)
    p_member, gdraw, odraw = simulate(vals, s.to_numpy(), hiw, baseline_sd, n_draws, [SEED, key, 0],
                                      PUBLISHED_ERROR_CORRELATION)
    groups = [group_of[c] for c in v.index]
    se_model = sm.to_numpy()
    adj = adjusted(vals, se_model, groups, hiw, scale, baseline_sd, error_correlation,
                   [SEED, key, 1], n_draws, 0 if is_base else N_NOISE_DRAWS)
    derived = long.groupby("area_code")["derived"].any().reindex(v.index, fill_value=False)
    part = pd.DataFrame({
        "period": label, "is_baseline": is_base, "basis": basis, "area_code": v.index,
        "area_name": [names.get(c) for c in v.index],
        "worst_metric": [metrics[i] for i in res["worst_idx"]], "worst_percentile": res["worst_score"],
        "rank": res["rank"], "n_ranked": len(v), "in_worst_third": res["in_worst_third"],
        "p_worst_third": p_member, "uses_derived": derived.to_numpy(bool),
        "p_worst_third_adjusted": adj["p_adjusted"], "model_group": groups,
        "error_correlation": error_correlation, "mode_change": mode_change(label)})
    for j, m in enumerate(metrics):
        part[f"pct_{m}"] = res["percentiles"][:, j]
        part[f"value_{m}"] = vals[:, j]
        part[f"shrunk_{m}"] = adj["shrunk"][:, j]
        part[f"shrunk_{m}_lower"] = adj["lower"][:, j]
        part[f"shrunk_{m}_upper"] = adj["upper"][:, j]
        part[f"reliability_{m}"] = adj["reliability"][:, j]
        part[f"model_mean_{m}"] = adj["model_mean"][:, j]
    for j, (m, f) in enumerate(zip(metrics, adj["fits"])):
        rows.append({
            "period": label, "is_baseline": is_base, "basis": basis, "metric_id": m, "scale": scale.name,
            "n_areas": len(v), "n_groups": len(set(groups)), "between_area_variance": f.A,
            "between_area_variance_se": f.A_se, "at_boundary": f.boundary,
            "median_se": float(np.median(s.to_numpy()[:, j])),
            "median_reliability": float(np.median(f.gamma)),
            "reliability_p10": float(np.percentile(f.gamma, 10)),
            "reliability_p90": float(np.percentile(f.gamma, 90)),
            "error_correlation": error_correlation,
            "effect_correlation_mean": float(_mean_offdiag_corr(adj["omega"], hiw))})
    if is_base:
        return part, rows, None  # the baseline gap is the mean of the three annual gaps
    g = gaps(vals, res["in_worst_third"])
    wt = v[res["in_worst_third"]].mean(axis=0).to_numpy()
    rest = v[~res["in_worst_third"]].mean(axis=0).to_numpy()
    sens = {}  # the baseline years and later, under each error correlation (in order)
    for k, rho in enumerate(sorted(set(sensitivity) | {error_correlation})):
        if rho == error_correlation:
            sens[rho] = (adj["draws"], adj["noise"])
        elif label >= BASELINE_GAP_PERIODS[0]:
            alt = adjusted(vals, se_model, groups, hiw, scale, baseline_sd, rho, [SEED, key, 2 + k],
                           N_SENSITIVITY_DRAWS, N_SENSITIVITY_NOISE, with_fits=False,
                           n_hyper=N_SENSITIVITY_HYPER)
            sens[rho] = (alt["draws"], alt["noise"])
    return part, rows, dict(gap=np.append(g, overall_gap(g, hiw, baseline_sd)), wt=np.append(wt, np.nan),
                            rest=np.append(rest, np.nan), draws=np.column_stack([gdraw, odraw]),
                            adj=adj["draws"], noise=adj["noise"], sens=sens,
                            n=len(v), k=int(res["in_worst_third"].sum()))


def _mean_offdiag_corr(omega: np.ndarray, hiw) -> float:
    """Mean correlation of the true area effects between measures, in the direction of worse."""
    s = np.where(np.array(hiw), 1.0, -1.0)
    d = np.sqrt(np.diag(omega))
    with np.errstate(divide="ignore", invalid="ignore"):
        c = omega / np.outer(d, d) * np.outer(s, s)
    m = len(d)
    off = c[~np.eye(m, dtype=bool)]
    return float(np.nanmean(off)) if m > 1 else float("nan")


def _gap_tables(sims: dict, metrics: list[str], basis: str, unit: str):
    base = sims.get(BASELINE_GAP_LABEL)
    rows, sens_rows = [], []
    for label, sim in sims.items():
        is_base = label == BASELINE_GAP_LABEL
        mc = mode_change(label)
        for j, m in enumerate(metrics + ["overall"]):
            draws = sim["draws"][:, j]
            adj_mean, adj_lo, adj_hi = _summary(sim["adj"][:, j])
            noise_mean, noise_lo, noise_hi = _summary(sim["noise"][:, j])
            row = {"period": label, "is_baseline": is_base, "basis": basis, "metric_id": m,
                   "n_ranked": sim["n"], "n_worst_third": sim["k"],
                   "worst_third_mean": float(sim["wt"][j]), "rest_mean": float(sim["rest"][j]),
                   "gap": float(sim["gap"][j]),
                   "gap_lower": float(np.percentile(draws, 2.5)), "gap_upper": float(np.percentile(draws, 97.5)),
                   "unit": "baseline SDs" if m == "overall" else unit,
                   "adjusted_gap": adj_mean, "adjusted_gap_lower": adj_lo, "adjusted_gap_upper": adj_hi,
                   "noise_only_gap": noise_mean, "noise_only_gap_lower": noise_lo, "noise_only_gap_upper": noise_hi,
                   "n_ranked_by_year": sim.get("n_by_year"), "mode_change": mc,
                   "crosses_mode_change": _crosses("before", mc) and not is_base}
            if base is not None and not is_base:
                change = draws - base["draws"][:, j]
                adj_change = sim["adj"][:, j] - base["adj"][:, j]
                row.update(baseline_gap=float(base["gap"][j]), change=float(sim["gap"][j] - base["gap"][j]),
                           change_lower=float(np.percentile(change, 2.5)),
                           change_upper=float(np.percentile(change, 97.5)),
                           adjusted_baseline_gap=float(base["adj"][:, j].mean()),
                           adjusted_change=float(adj_change.mean()),
                           adjusted_change_lower=float(np.percentile(adj_change, 2.5)),
                           adjusted_change_upper=float(np.percentile(adj_change, 97.5)),
                           noise_only_baseline_gap=float(base["noise"][:, j].mean()))
            rows.append(row)
            for rho, (adraws, ndraws) in sim["sens"].items():
                srow = {"period": label, "is_baseline": is_base, "basis": basis, "metric_id": m,
                        "error_correlation": rho, "central": rho == ERROR_CORRELATION,
                        "unit": row["unit"]}
                srow["adjusted_gap"], srow["adjusted_gap_lower"], srow["adjusted_gap_upper"] = _summary(adraws[:, j])
                srow["noise_only_gap"] = float(ndraws[:, j].mean())
                if base is not None and not is_base and rho in base["sens"]:
                    ch = adraws[:, j] - base["sens"][rho][0][:, j]
                    srow["adjusted_change"], srow["adjusted_change_lower"], srow["adjusted_change_upper"] = _summary(ch)
                sens_rows.append(srow)
    gap_df, sens_df = pd.DataFrame(rows), pd.DataFrame(sens_rows)
    for df, pairs in ((gap_df, (("verdict", "change"), ("adjusted_verdict", "adjusted_change"))),
                      (sens_df, (("adjusted_verdict", "adjusted_change"),))):
        if df.empty:
            continue
        for col, ch in pairs:
            if f"{ch}_lower" not in df.columns:
                df[f"{ch}_lower"] = df[f"{ch}_upper"] = df[ch] = np.nan
            df[col] = _verdict(df[f"{ch}_lower"], df[f"{ch}_upper"], df["metric_id"], df["period"])
    return gap_df, sens_df


# --------------------------------------------------------------------------- unranked areas
_CODE = re.compile(r"\b[A-Z]\d{8}\b")
_STATUS_REASON = {
    "low reliability": "not published by ONS: the estimate is too unreliable",
    "suppressed": "suppressed by ONS",
    "not available": "not published by ONS (not available)",
    "not applicable": "not applicable for this area",
}


def _row_reason(status, note, all_names: dict) -> str:
    note = note if isinstance(note, str) else ""
    if note.startswith("not derivable from predecessors"):
        detail = note[note.find("(") + 1:note.rfind(")")] if "(" in note else ""
        detail = _CODE.sub(lambda mt: f"{all_names.get(mt.group(0), mt.group(0))} ({mt.group(0)})", detail)
        detail = detail.replace("predecessor(s) without a published value: ",
                                "no estimate was published for ")
        return f"no combined value for the merged council: {detail}" if detail else \
            "no combined value for the merged council"
    return _STATUS_REASON.get(status, "no estimate in the publication for this period")


def _join_reasons(per_metric: dict, titles: dict) -> str:
    by_reason: dict[str, list[str]] = {}
    for m, r in per_metric.items():
        by_reason.setdefault(r, []).append(titles.get(m, m))
    return "; ".join(f"{', '.join(ms)}: {r}" for r, ms in by_reason.items())


def unranked(obs: pd.DataFrame, areas: pd.DataFrame, metrics: list[str], ranked: dict[str, set]) -> pd.DataFrame:
    """Current LTLAs left out of each period's ranking, which measures are missing and why (from
    the observation's status and harmonisation note)."""
    cols = ["period", "is_baseline", "area_code", "area_name", "missing_metrics", "reason"]
    ltla = areas[(areas["geography"] == "ltla") & areas["active"]]
    names = dict(zip(ltla["code"], ltla["name"]))
    all_names = dict(zip(areas["code"], areas["name"]))
    titles = {**dict(zip(_HEADLINE["share_id"], _HEADLINE["measure"].str.replace("_", " "))),
              **dict(zip(_HEADLINE["mean_id"], _HEADLINE["measure"].str.replace("_", " ")))}
    sub = obs[(obs["geography"] == "ltla") & obs["metric_id"].isin(metrics) & obs["area_code"].isin(set(names))]
    has_ci = sub["value"].notna() & (sub["upper"] - sub["lower"] > 0)
    published = set(zip(sub.loc[has_ci, "period"], sub.loc[has_ci, "area_code"], sub.loc[has_ci, "metric_id"]))
    no_ci = sub["value"].notna() & ~has_ci
    no_ci = set(zip(sub.loc[no_ci, "period"], sub.loc[no_ci, "area_code"], sub.loc[no_ci, "metric_id"]))
    marked = sub[sub["value"].isna()]
    info = {(p, c, m): (st, nt) for p, c, m, st, nt in zip(marked["period"], marked["area_code"],
                                                           marked["metric_id"], marked["status"], marked["note"])}

    def reason(period, code, metric):
        if (period, code, metric) in published:
            return None
        if (period, code, metric) in no_ci:
            return "published without a confidence interval, so its uncertainty is unknown"
        return _row_reason(*info.get((period, code, metric), (None, None)), all_names)

    rows = []
    for label, done in ranked.items():
        for code in sorted(set(names) - done):
            per_metric = {}
            if label == BASELINE_GAP_LABEL:
                for m in metrics:
                    yearly = {p: reason(p, code, m) for p in BASELINE_GAP_PERIODS}
                    missing = {p: r for p, r in yearly.items() if r is not None}
                    if len(missing) > len(BASELINE_GAP_PERIODS) - 2:
                        per_metric[m] = ("fewer than two of the three baseline years published ("
                                         + "; ".join(f"{p}: {r}" for p, r in missing.items()) + ")")
            else:
                for m in metrics:
                    r = reason(label, code, m)
                    if r is not None:
                        per_metric[m] = r
            rows.append({"period": label, "is_baseline": label == BASELINE_GAP_LABEL, "area_code": code,
                         "area_name": names[code], "missing_metrics": ", ".join(per_metric),
                         "reason": _join_reasons(per_metric, titles)})
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- regions and nations
def _decimals(values) -> int:
    """The publisher's number of decimal places (the fewest that reproduce every value)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    for d in range(7):
        if np.all(np.abs(v - np.round(v, d)) < 1e-9):
            return d
    return 7


def rounding_sensitive(bv, bl, bu, v, lo, hi, decimals: int, z: float = stats.Z95) -> np.ndarray:
    """True where the significance call could flip for unrounded numbers within half a unit of
    the published last decimal of each of the six (both values and both pairs of limits)."""
    h = 0.5 * 10.0 ** -decimals
    d = np.abs(np.asarray(v, float) - np.asarray(bv, float))
    w1, w2 = np.asarray(bu, float) - np.asarray(bl, float), np.asarray(hi, float) - np.asarray(lo, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_min = np.maximum(d - 2 * h, 0) / (np.sqrt((w1 + 2 * h) ** 2 + (w2 + 2 * h) ** 2) / (2 * z))
        z_max = (d + 2 * h) / (np.sqrt(np.maximum(w1 - 2 * h, 0) ** 2 + np.maximum(w2 - 2 * h, 0) ** 2) / (2 * z))
    return (z_min <= z) & (z_max > z)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN)."""
    p = np.asarray(p_values, float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    q = p[ok]
    if q.size:
        order = np.argsort(q)
        m = q.size
        adj = np.maximum.accumulate((m - np.arange(m)) * q[order])
        res = np.empty(m)
        res[order] = np.minimum(adj, 1.0)
        out[ok] = res
    return out


def region_change(obs: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Change of every headline metric since 2018-19 for regions, nations and the UK."""
    geo = obs[obs["geography"].isin(["region", "country", "uk"])]
    rows = []
    for basis, metrics in (("shares", SHARE_METRICS), ("means", MEAN_METRICS)):
        sub = geo[geo["metric_id"].isin(metrics)]
        decimals = _decimals(pd.concat([sub["value"], sub["lower"], sub["upper"]]))
        base = sub.loc[sub["period"] == BASELINE_REGION_PERIOD, ["area_code", "metric_id", "value", "lower", "upper"]]
        base = base.drop_duplicates(["area_code", "metric_id"])
        # an inner merge keeps the later rows' order and drops those with no baseline value
        later = sub[sub["period"] > BASELINE_REGION_PERIOD].merge(
            base.rename(columns={"value": "baseline_value", "lower": "baseline_lower", "upper": "baseline_upper"}),
            on=["area_code", "metric_id"], how="inner")
        for r in later.itertuples():
            bv, bl, bu = r.baseline_value, r.baseline_lower, r.baseline_upper
            testable = bool(all(np.isfinite([bv, bl, bu, r.value, r.lower, r.upper])))
            if testable:
                d, lo, hi, z, sig = stats.diff_test(bv, bl, bu, r.value, r.lower, r.upper)
                verdict = str(stats.direction(np.array([d]), np.array([sig]), POLARITY[r.metric_id])[0])
                verdict = {"improved": "significantly improved", "worsened": "significantly worse"}.get(verdict, verdict)
                flip = bool(rounding_sensitive(bv, bl, bu, r.value, r.lower, r.upper, decimals))
            else:
                d = r.value - bv if np.isfinite(r.value) and np.isfinite(bv) else np.nan
                lo = hi = z = np.nan
                sig = flip = False
                verdict = "not testable (no published CI)"
            mc = mode_change(r.period)
            rows.append({"area_code": r.area_code, "area_name": r.area_name, "geography": r.geography,
                         "metric_id": r.metric_id, "basis": basis, "baseline_period": BASELINE_REGION_PERIOD,
                         "period": r.period, "baseline_value": bv, "baseline_lower": bl,
                         "baseline_upper": bu, "value": r.value, "lower": r.lower, "upper": r.upper,
                         "change": float(d), "change_lower": float(lo), "change_upper": float(hi),
                         "z": float(z), "significant": bool(sig), "verdict": verdict,
                         "p_value": float(2 * norm.sf(abs(z))) if testable else np.nan,
                         "rounding_sensitive": flip, "publisher_decimals": decimals,
                         "mode_change": mc, "crosses_mode_change": _crosses(mode_change(BASELINE_REGION_PERIOD), mc)})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    # Holm within a family: the region and nation tests of one period and basis (the scorecard's
    # 13 areas x 4 measures), and separately the UK's own four
    out["holm_family"] = np.where(out["geography"] == "uk", "uk", "regions and nations")
    out["p_holm"] = np.nan
    out["holm_family_size"] = 0
    for _, idx in out.groupby(["period", "basis", "holm_family"]).groups.items():
        p = out.loc[idx, "p_value"]
        out.loc[idx, "p_holm"] = holm(p)
        out.loc[idx, "holm_family_size"] = int(p.notna().sum())
    out["significant_holm"] = out["p_holm"] < 0.05
    out["verdict_holm"] = np.where(out["significant_holm"] | out["p_value"].isna(), out["verdict"],
                                   "no significant change")
    return out
