"""The Well-being mission's own measures, as pure functions.

Definitions (shown on the app's methods page):

* Basis. The mission tracks the shares of adults with low well-being. Where ONS shares are
  published for (nearly) every current LTLA in the periods compared, the LTLA measures use
  them ("shares"); otherwise they use the published mean scores ("means"). Every output row
  carries its basis; a means-based result is never labelled as a share.
* Comparable scale. Each headline metric is turned into a "worseness percentile" among the
  LTLAs ranked in that period: 100 x (rank - 0.5) / n, ranking from best to worst (a higher
  low-well-being share, a lower mean life satisfaction / worthwhile / happiness, or a higher
  mean anxiety is worse; ties share their average rank).
* Worst metric. An LTLA's worst-performing headline metric is the one with the highest
  worseness percentile; the LTLA is ranked only when all four metrics are published for it.
* Worst third. LTLAs are ordered by their worst-metric percentile (ties broken by the mean of
  their four percentiles); the first ceil(n / 3) form the worst third.
* Gap. For each metric: the unweighted mean over the worst third minus the mean over the rest,
  in the metric's own units. Overall: the mean over the four metrics of that gap, oriented so
  that positive = worst third is worse, divided by the metric's standard deviation across LTLAs
  in the baseline (a gap in baseline standard deviations, comparable over time).
* Baseline. Gap: the three financial years 2016-17, 2017-18 and 2018-19 (the mission's
  "2017-2019"). The baseline gap is the mean of the three annual gaps, each computed within its
  own year, so that it is comparable with a single year's gap (a gap computed on pooled 3-year
  values would be smaller by construction, since pooling removes sampling noise). LTLA baseline
  membership of the worst third is shown on each LTLA's 3-year mean (at least two years).
  Region/nation improvement: financial year 2018-19 (the mission's "2019").
* Uncertainty. Each published estimate is treated as Normal(value, se), se = (upper - lower) /
  3.92. 1,000 simulated draws (fixed seed) re-run the whole ranking, giving the probability that
  each LTLA is in the worst third and 95% intervals for each gap and for its change since the
  baseline (independent draws for the two periods). A change is called a narrowing / widening
  only when its 95% interval excludes zero.
* Region and nation change since 2018-19: z-test on the difference of two independent
  estimates, each se recovered from its published 95% CI; significant at the 5% level when
  |z| > 1.96; direction from the metric's polarity.
"""
from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd

from etl import catalogue, stats, vocabulary

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
SEED = 20240125  # the mission update's publication date


def metrics_for(basis: str) -> list[str]:
    return SHARE_METRICS if basis == "shares" else MEAN_METRICS


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


# --------------------------------------------------------------------------- core ranking
def worseness_percentiles(values: np.ndarray, higher_is_worse: list[bool]) -> np.ndarray:
    """values: (n_areas, n_metrics) -> percentiles in (0, 100), 100 = worst. Tied values (e.g.
    rounded published estimates) share their average rank. Areas with any missing metric must
    be removed before calling."""
    v = np.where(np.array(higher_is_worse), values, -values)
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


def simulate(values: np.ndarray, se: np.ndarray, higher_is_worse: list[bool], baseline_sd: np.ndarray,
             n_draws: int = N_DRAWS, seed: int = SEED):
    """Monte Carlo over the published sampling error. Returns (p_worst_third per area,
    metric gap draws (n_draws, m), overall gap draws (n_draws,))."""
    # Seeded draws of sampling error around each *published* estimate (Normal(value, se) with se
    # from its published CI): they measure how sure a ranking is; no drawn value is ever shown.
    rng = np.random.default_rng(seed)
    se = np.where(np.isfinite(se), se, 0.0)
    draws = values[None] + rng.standard_normal((n_draws,) + values.shape) * se[None]
    signed = np.where(np.array(higher_is_worse), draws, -draws)
    n = values.shape[0]
    # rank = the inverse of the sorting permutation (what argsort().argsort() gives, one sort fewer)
    ranks = np.empty(signed.shape)
    np.put_along_axis(ranks, signed.argsort(axis=1), np.arange(1.0, n + 1.0)[None, :, None], axis=1)
    pct = 100.0 * (ranks - 0.5) / n
    worst = np.maximum.reduce([pct[..., j] for j in range(pct.shape[2])])  # = pct.max(axis=2), faster
    tie = pct.mean(axis=2)
    key = worst + tie * 1e-6  # order by worst, then mean percentile
    k = math.ceil(n / 3)
    order = np.argsort(-key, axis=1)
    member = np.zeros((n_draws, n), dtype=bool)
    np.put_along_axis(member, order[:, :k], True, axis=1)
    g = gaps(draws, member)
    return member.mean(axis=0), g, overall_gap(g, higher_is_worse, baseline_sd)


# --------------------------------------------------------------------------- tables
def _wide(obs: pd.DataFrame, metrics: list[str], period_list: list[str], ltla_codes: set[str]):
    sub = obs[(obs["geography"] == "ltla") & obs["metric_id"].isin(metrics) & obs["period"].isin(period_list)
              & obs["area_code"].isin(ltla_codes) & obs["value"].notna()]
    sub = sub.assign(se=stats.se_from_ci(sub["lower"], sub["upper"]))
    return sub


def pooled_baseline(obs: pd.DataFrame, metrics: list[str], ltla_codes: set[str]) -> pd.DataFrame:
    """Each LTLA's baseline value per metric: mean of the baseline years published (>= 2),
    se = sqrt(sum se^2) / k. Returns long rows area_code, metric_id, value, se, n_years, derived."""
    sub = _wide(obs, metrics, BASELINE_GAP_PERIODS, ltla_codes)
    g = sub.groupby(["area_code", "metric_id"])
    out = g.agg(value=("value", "mean"), n_years=("value", "size"),
                se=("se", lambda s: float(np.sqrt((s ** 2).sum())) / len(s)),
                derived=("derived", "any")).reset_index()
    return out[out["n_years"] >= 2]


def _period_frame(long: pd.DataFrame, metrics: list[str]):
    v = long.pivot(index="area_code", columns="metric_id", values="value").reindex(columns=metrics)
    s = long.pivot(index="area_code", columns="metric_id", values="se").reindex(columns=metrics)
    complete = v.notna().all(axis=1)
    return v[complete], s[complete], v.index[~complete]


def compute(obs: pd.DataFrame, areas: pd.DataFrame, n_draws: int = N_DRAWS, pmap=map) -> dict[str, pd.DataFrame]:
    """All mission tables from the observations and areas artefacts. `pmap` runs the periods'
    simulations (independent, each seeded): the build passes a map over two processes."""
    ltla = areas[(areas["geography"] == "ltla") & areas["active"]]
    codes = set(ltla["code"])
    names = dict(zip(ltla["code"], ltla["name"]))
    all_periods = sorted(obs.loc[obs["metric_id"].isin(MEAN_METRICS + SHARE_METRICS), "period"].unique())
    fy_periods = [p for p in all_periods if len(p) == 7 and p[4] == "-"]
    later = [p for p in fy_periods if p >= BASELINE_GAP_PERIODS[0]]
    basis = choose_basis(obs, codes, BASELINE_GAP_PERIODS + later[-1:])
    metrics = metrics_for(basis)
    hiw = [HIGHER_IS_WORSE[m] for m in metrics]

    base_long = pooled_baseline(obs, metrics, codes)
    bv, bs, _ = _period_frame(base_long, metrics)
    baseline_sd = bv.std(axis=0, ddof=1).to_numpy()

    ltla_rows, gap_rows, sims = [], [], {}
    frames = [(BASELINE_GAP_LABEL, True, bv, bs, base_long)]
    # one pass over the observations, then a lookup per period (filtering the whole table once
    # per period made this step grow with periods x rows)
    by_period = dict(tuple(_wide(obs, metrics, fy_periods, codes).groupby("period", sort=False)))
    for p in fy_periods:
        long = by_period.get(p)
        if long is None or long.empty:
            continue
        v, s, _ = _period_frame(long, metrics)
        frames.append((p, False, v, s, long))
    frames = [f for f in frames if len(f[2]) >= 30]
    draws = pmap(partial(simulate, higher_is_worse=hiw, baseline_sd=baseline_sd, n_draws=n_draws),
                 [v.to_numpy() for _, _, v, _, _ in frames], [s.to_numpy() for _, _, _, s, _ in frames])
    for (label, is_base, v, s, long), (p_member, gdraw, odraw) in zip(frames, draws):
        vals = v.to_numpy()
        res = rank_worst_third(vals, hiw)
        derived = long.groupby("area_code")["derived"].any()
        for i, code in enumerate(v.index):
            row = {"period": label, "is_baseline": is_base, "basis": basis, "area_code": code,
                   "area_name": names.get(code), "worst_metric": metrics[res["worst_idx"][i]],
                   "worst_percentile": float(res["worst_score"][i]), "rank": int(res["rank"][i]),
                   "n_ranked": len(v), "in_worst_third": bool(res["in_worst_third"][i]),
                   "p_worst_third": float(p_member[i]), "uses_derived": bool(derived.get(code, False))}
            for j, m in enumerate(metrics):
                row[f"pct_{m}"] = float(res["percentiles"][i, j])
                row[f"value_{m}"] = float(vals[i, j])
            ltla_rows.append(row)
        if is_base:
            continue  # the baseline gap is the mean of the three annual gaps (below)
        g = gaps(vals, res["in_worst_third"])
        wt = v[res["in_worst_third"]].mean(axis=0).to_numpy()
        rest = v[~res["in_worst_third"]].mean(axis=0).to_numpy()
        sims[label] = dict(gap=np.append(g, overall_gap(g, hiw, baseline_sd)), wt=np.append(wt, np.nan),
                           rest=np.append(rest, np.nan), draws=np.column_stack([gdraw, odraw]),
                           n=len(v), k=int(res["in_worst_third"].sum()))
    base_years = [p for p in BASELINE_GAP_PERIODS if p in sims]
    if len(base_years) == len(BASELINE_GAP_PERIODS):
        sims[BASELINE_GAP_LABEL] = dict(
            gap=np.mean([sims[p]["gap"] for p in base_years], axis=0),
            wt=np.mean([sims[p]["wt"] for p in base_years], axis=0),
            rest=np.mean([sims[p]["rest"] for p in base_years], axis=0),
            draws=np.mean([sims[p]["draws"] for p in base_years], axis=0),
            n=int(np.mean([sims[p]["n"] for p in base_years])), k=int(np.mean([sims[p]["k"] for p in base_years])))
    base = sims.get(BASELINE_GAP_LABEL)
    for label, sim in sims.items():
        is_base = label == BASELINE_GAP_LABEL
        for j, m in enumerate(metrics + ["overall"]):
            is_overall = m == "overall"
            draws = sim["draws"][:, j]
            row = {"period": label, "is_baseline": is_base, "basis": basis, "metric_id": m,
                   "n_ranked": sim["n"], "n_worst_third": sim["k"],
                   "worst_third_mean": float(sim["wt"][j]), "rest_mean": float(sim["rest"][j]),
                   "gap": float(sim["gap"][j]),
                   "gap_lower": float(np.percentile(draws, 2.5)), "gap_upper": float(np.percentile(draws, 97.5)),
                   "unit": "baseline SDs" if is_overall else ("percentage points" if basis == "shares" else "score points")}
            if base is not None and not is_base:
                change = draws - base["draws"][:, j]
                row.update(baseline_gap=float(base["gap"][j]), change=float(sim["gap"][j] - base["gap"][j]),
                           change_lower=float(np.percentile(change, 2.5)),
                           change_upper=float(np.percentile(change, 97.5)))
            gap_rows.append(row)
    gap_df = pd.DataFrame(gap_rows)
    if not gap_df.empty:
        sign = gap_df["metric_id"].map(lambda m: 1.0 if m == "overall" or HIGHER_IS_WORSE.get(m, True) else -1.0)
        lo, hi = gap_df["change_lower"] * sign, gap_df["change_upper"] * sign
        lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
        gap_df["verdict"] = np.select([hi < 0, lo > 0, gap_df["change_lower"].notna()],
                                      ["narrowed", "widened", "no significant change"], "baseline")
    return {"mission_ltla": pd.DataFrame(ltla_rows), "mission_gap": gap_df,
            "mission_regions": region_change(obs, areas)}


def region_change(obs: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Change of every headline metric since 2018-19 for regions, nations and the UK."""
    geo = obs[obs["geography"].isin(["region", "country", "uk"])]
    rows = []
    for basis, metrics in (("shares", SHARE_METRICS), ("means", MEAN_METRICS)):
        sub = geo[geo["metric_id"].isin(metrics)]
        base = sub.loc[sub["period"] == BASELINE_REGION_PERIOD, ["area_code", "metric_id", "value", "lower", "upper"]]
        base = base.drop_duplicates(["area_code", "metric_id"])
        # an inner merge keeps the later rows' order and drops those with no baseline value
        later = sub[sub["period"] > BASELINE_REGION_PERIOD].merge(
            base.rename(columns={"value": "baseline_value", "lower": "baseline_lower", "upper": "baseline_upper"}),
            on=["area_code", "metric_id"], how="inner")
        for r in later.itertuples():
            bv, bl, bu = r.baseline_value, r.baseline_lower, r.baseline_upper
            if all(np.isfinite([bv, bl, bu, r.value, r.lower, r.upper])):
                d, lo, hi, z, sig = stats.diff_test(bv, bl, bu, r.value, r.lower, r.upper)
                verdict = str(stats.direction(np.array([d]), np.array([sig]), POLARITY[r.metric_id])[0])
                verdict = {"improved": "significantly improved", "worsened": "significantly worse"}.get(verdict, verdict)
            else:
                d = r.value - bv if np.isfinite(r.value) and np.isfinite(bv) else np.nan
                lo = hi = z = np.nan
                sig = False
                verdict = "not testable (no published CI)"
            rows.append({"area_code": r.area_code, "area_name": r.area_name, "geography": r.geography,
                         "metric_id": r.metric_id, "basis": basis, "baseline_period": BASELINE_REGION_PERIOD,
                         "period": r.period, "baseline_value": bv, "baseline_lower": bl,
                         "baseline_upper": bu, "value": r.value, "lower": r.lower, "upper": r.upper,
                         "change": float(d), "change_lower": float(lo), "change_upper": float(hi),
                         "z": float(z), "significant": bool(sig), "verdict": verdict})
    return pd.DataFrame(rows)
