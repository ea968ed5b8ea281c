"""The mission overview's view model, from the build's mission tables.

* Headline measures for the UK: latest period against the 2019 baseline (financial year 2018-19),
  with 95% CIs and the significance call the build made (`mission_regions`).
* The gap tracker: the worst third of local authorities against the rest, per period, against the
  2017-19 baseline (financial years 2016-17 to 2018-19), from `mission_gap`, three ways: between
  the published estimates, adjusted for sampling noise (the small-area model) and the gap noise
  alone would produce; the adjusted change's sensitivity to the assumed correlation of the four
  measures' sampling errors (`mission_gap_sensitivity`); the areas left out of the ranking
  (`mission_unranked`); the March 2020 change of interview mode (`mission_survey_mode`).
* The region and nation scorecard of change since 2019, with Holm's correction beside the raw
  calls and the calls that the publisher's rounding could flip marked, from `mission_regions`.
* The small-area model's diagnostics for the data page (`mission_model`).

The table helpers take frames (unit-tested on small ones); the `*_view` functions are the one call
each overview callback makes. Nothing here invents values: empty inputs give empty outputs.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard import queries as q
from dashboard.formatting import as_float, interval, join_words, number, plural, signed
from dashboard.queries import vocabulary as vocab
from dashboard.viewmodel import Link, Notice, Strong, plain

VERDICT_ARROWS = {"significantly improved": "\u2714", "significantly worse": "\u2716",
                  "no significant change": "\u2013"}
GAP_VERDICTS = {"widened": "the gap widened", "narrowed": "the gap narrowed",
                "no significant change": "no significant change", "pre-baseline": "before the baseline: context only"}
BASELINE_LABEL = "2017-19 baseline"
PRE_BASELINE = "pre-baseline"
# Where each kind of figure is explained on the data page (anchors of the methods text).
METHODS = {"gap": "/data#methods-gap", "adjusted": "/data#methods-adjusted",
           "noise": "/data#methods-noise-only", "correlation": "/data#methods-error-correlation",
           "mode": "/data#methods-mode-change", "holm": "/data#methods-multiple-comparisons",
           "unranked": "/data#methods-unranked", "published": "/data#methods-worst-third"}
MODE_WORDS = {"before": "face to face", "partly": "partly by telephone (from March 2020)", "after": "by telephone"}
GAP_DECIMALS = 2


def _text(x) -> str:
    return x if isinstance(x, str) else ""


def headline_order() -> list[str]:
    """Mean metrics then share metrics, in the catalogue's order."""
    return q.catalogue.mean_ids() + q.catalogue.share_ids()


def latest_period(regions: pd.DataFrame) -> str | None:
    p = periods(regions)
    return p[-1] if p else None


def periods(regions) -> list[str]:
    return sorted({str(r["period"]) for r in _rows(regions)})


def _attr(metrics: pd.DataFrame, col: str) -> dict:
    if metrics is None or metrics.empty or col not in metrics:
        return {}
    return dict(zip(metrics["id"], metrics[col]))


def titles_of(metrics: pd.DataFrame) -> dict:
    if metrics is None or metrics.empty:
        return {}
    return dict(zip(metrics["id"], metrics["short_title"].fillna(metrics["title"])))


def _rows(x) -> list[dict]:
    """Rows as records, from a frame or a list of records (the read layer's split tables)."""
    if x is None:
        return []
    if isinstance(x, pd.DataFrame):
        return x.to_dict("records") if not x.empty else []
    return list(x)


def _rounded(df: pd.DataFrame, decimals: int = 3) -> pd.DataFrame:
    """Computed statistics for a download: no float residue."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(decimals)
    return out


# ----------------------------------------------------------------------------- the survey's mode
def _mode_map(modes) -> dict:
    """{period: row} from the survey-mode table (a frame, or the query's map already)."""
    if isinstance(modes, dict):
        return modes
    if modes is None or modes.empty:
        return {}
    return {str(r["period"]): r for r in modes.to_dict("records")}


def mode_source(modes) -> Link | None:
    """The ONS page documenting the change of interview mode, as a link."""
    for r in _mode_map(modes).values():
        if _text(r.get("source_url")):
            return Link(f"ONS: {r.get('source_title') or 'personal well-being methodology'}", r["source_url"],
                        external=True)
    return None


def mode_of(modes, period: str | None) -> str | None:
    """'before', 'partly' or 'after' the March 2020 change, for one period (None if not known)."""
    r = _mode_map(modes).get(str(period)) if period is not None else None
    return _text(r.get("mode_change")) or None if r else None


def mode_boundary(order: list[str], modes) -> float | None:
    """Where the March 2020 change falls on a year axis listing `order`: between the last year
    collected (at least partly) face to face and the first collected wholly by telephone."""
    kinds = [mode_of(modes, p) for p in order]
    for i in range(1, len(kinds)):
        if kinds[i] == "after" and kinds[i - 1] in ("before", "partly"):
            return i - 0.5
    return None


def mode_notice(modes: pd.DataFrame, period: str | None, compared_with: str) -> Notice | None:
    """Says when a comparison spans the March 2020 change of interview mode, citing ONS."""
    kind = mode_of(modes, period)
    if kind not in ("partly", "after"):
        return None
    how = ("was partly collected after" if kind == "partly" else "was collected after")
    parts = [Strong("Change of survey method. "),
             f"{period} {how} the Annual Population Survey moved from face-to-face to telephone interviews in "
             f"March 2020; {compared_with} was collected face to face. ONS found differences between the two "
             "modes, largest for anxiety, so this comparison mixes real change with a change of method. Source: "]
    src = mode_source(modes)
    parts += [src, ". "] if src else ["ONS. "]
    parts += [Link("More on the change of mode", METHODS["mode"]), "."]
    return Notice(parts, "info")


# ----------------------------------------------------------------------------- headline measures
def headline_uk(regions, metrics: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """One row per headline measure for the UK: baseline and latest value with CIs, the change
    with its CI and the significance verdict (raw and after Holm's correction for the UK's four
    tests), and whether the publisher's rounding could flip the call."""
    cols = ["metric_id", "measure", "unit", "polarity", "decimals", "baseline_period", "baseline_value",
            "baseline_lower", "baseline_upper", "period", "value", "lower", "upper", "change",
            "change_lower", "change_upper", "significant", "verdict", "verdict_holm", "rounding_sensitive",
            "mode_change", "basis"]
    uk = [r for r in _rows(regions) if r.get("geography") == "uk"]
    if not uk:
        return pd.DataFrame(columns=cols)
    period = period or max(str(r["period"]) for r in uk)
    titles, units = titles_of(metrics), _attr(metrics, "unit")
    pol, dec = _attr(metrics, "polarity"), _attr(metrics, "decimals")
    order = {m: i for i, m in enumerate(headline_order())}
    rows = []
    for r in sorted((r for r in uk if str(r["period"]) == period), key=lambda r: order.get(r["metric_id"], 99)):
        m = r["metric_id"]
        d = dec.get(m)
        rows.append({**{c: r.get(c) for c in cols[5:] if c in r}, "metric_id": m, "measure": titles.get(m, m),
                     "unit": units.get(m) or "", "polarity": pol.get(m) or "no_judgement",
                     "decimals": int(d) if d is not None and math.isfinite(as_float(d)) else 2})
    out = pd.DataFrame(rows)
    return out[[c for c in cols if c in out.columns]]


def headline_display(hl: pd.DataFrame) -> pd.DataFrame:
    """The UK headline cards as a table, as shown."""
    rows = []
    for r in hl.to_dict("records"):
        d, unit = int(r["decimals"]), r["unit"]
        rows.append({"Measure": r["measure"],
                     "Baseline": f"{r['baseline_period']}: {number(r['baseline_value'], d, unit)} "
                                  f"({interval(r['baseline_lower'], r['baseline_upper'], d)})",
                     "Latest": f"{r['period']}: {number(r['value'], d, unit)} ({interval(r['lower'], r['upper'], d)})",
                     "Change (95% CI)": f"{signed(r['change'], d)} ({interval(r['change_lower'], r['change_upper'], d, sign=True)})",
                     "Verdict": _text(r.get("verdict")),
                     "After Holm's correction (4 UK tests)": _text(r.get("verdict_holm")),
                     "Rounding could flip the call": "yes" if bool(r.get("rounding_sensitive")) else "no"})
    return pd.DataFrame(rows)


def uk_shares(observations: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Published low-wellbeing shares for the UK (the mission's own headline metrics), by period."""
    if observations is None or observations.empty:
        return pd.DataFrame()
    share_ids = q.catalogue.share_ids()
    o = observations[(observations["geography"] == "uk") & observations["metric_id"].isin(share_ids)]
    if o.empty:
        return pd.DataFrame()
    order = {m: i for i, m in enumerate(share_ids)}
    o = o.assign(_o=o["metric_id"].map(order)).sort_values(["_o", "period"])
    return pd.DataFrame({"metric_id": o["metric_id"], "measure": o["metric_id"].map(titles_of(metrics)).fillna(o["metric_id"]),
                         "period": o["period"].astype(str), "value_pct": o["value"], "lower": o["lower"],
                         "upper": o["upper"], "status": o["status"]}).reset_index(drop=True)


# ----------------------------------------------------------------------------- the gap
def gap_records(gap: pd.DataFrame, metric_id: str = "overall") -> list[dict]:
    """One measure's rows as records: the baseline first, then every year in order."""
    if gap is None or gap.empty:
        return []
    g = gap[gap["metric_id"] == metric_id]
    return g.assign(_o=(~g["is_baseline"].astype(bool)).astype(int)).sort_values(["_o", "period"]).drop(
        columns="_o").to_dict("records")


def _base_of(recs: list[dict]) -> dict | None:
    return next((r for r in recs if bool(r.get("is_baseline"))), None)


def _years_of(recs: list[dict]) -> list[dict]:
    return [r for r in recs if not bool(r.get("is_baseline"))]


def _latest_of(recs: list[dict]) -> dict | None:
    """The latest year compared with the baseline (never a pre-baseline year)."""
    years = [r for r in _years_of(recs) if r.get("verdict") != PRE_BASELINE]
    return years[-1] if years else None


def gap_series(gap: pd.DataFrame, metric_id: str = "overall") -> pd.DataFrame:
    """Per-period rows for one metric (or 'overall'), baseline excluded, oldest first."""
    return pd.DataFrame(_years_of(gap_records(gap, metric_id)))


def gap_baseline(gap: pd.DataFrame, metric_id: str = "overall") -> dict | None:
    return _base_of(gap_records(gap, metric_id))


def latest_row(gap: pd.DataFrame, metric_id: str = "overall") -> dict | None:
    return _latest_of(gap_records(gap, metric_id))


def gap_metrics(gap: pd.DataFrame) -> list[str]:
    if gap is None or gap.empty:
        return []
    ids = gap["metric_id"].unique().tolist()
    return (["overall"] if "overall" in ids else []) + [m for m in ids if m != "overall"]


def gap_unit(row) -> str:
    """'SD' (baseline standard deviations), 'points' (score points) or 'percentage points'."""
    u = _text(row.get("unit") if row is not None else "")
    if u.startswith("baseline SD"):
        return "SD"
    return "percentage points" if u.startswith("percentage") else "points"


def _change_fig(value, lower, upper, unit: str) -> str:
    return f"{signed(value, GAP_DECIMALS)} {unit} (95% interval {interval(lower, upper, GAP_DECIMALS, sign=True)})"


def _cell(value, lower, upper, sign: bool = False) -> str:
    """A table cell: '1.91 (1.72 to 2.13)'."""
    f = signed if sign else number
    return f"{f(value, GAP_DECIMALS)} ({interval(lower, upper, GAP_DECIMALS, sign=sign)})"


def _meaning(pub: str, adj: str, period: str, unit: str, noise_base: float, noise_now: float) -> str:
    """One plain sentence on what the published and adjusted verdicts say together."""
    noun = {"widened": "widening", "narrowed": "narrowing"}
    noisier = math.isfinite(noise_base) and math.isfinite(noise_now) and abs(noise_now) > abs(noise_base)
    noise = (f" Sampling noise alone would produce a larger gap in {period} ({number(noise_now, GAP_DECIMALS)} {unit}) "
             f"than at the baseline ({number(noise_base, GAP_DECIMALS)} {unit}), because {period}'s estimates "
             "are less precise." if noisier else "")
    if pub in noun and adj == pub:
        return (f"Both the published-estimate gap and the adjusted gap {pub}: the {noun[pub]} is larger than "
                f"sampling noise can explain, so the true gap has most likely {pub}.")
    if pub in noun and adj == "no significant change":
        return (f"The gap between the published estimates {pub}, but once sampling noise is allowed for the change "
                "is not significant: these data do not show that the true gap between the worst third and the rest "
                f"has changed since the baseline.{noise}")
    if pub == "no significant change" and adj in noun:
        return (f"The gap between the published estimates shows no significant change, but the adjusted gap {adj}: "
                f"allowing for sampling noise reveals a {noun[adj]} that the noisier published estimates hide.")
    if pub == adj == "no significant change":
        return ("Neither the published-estimate gap nor the adjusted gap changed significantly since the baseline: "
                "these data do not show a change in the gap.")
    if pub in noun and adj in noun:
        return (f"The published-estimate gap {pub} but the adjusted gap {adj}: the two disagree, and the adjusted "
                "figure, which allows for sampling noise, is the better guide to the true gap.")
    return "The change since the baseline could not be judged from this data."


def _summary(recs: list[dict], label: str) -> dict:
    last, base = _latest_of(recs), _base_of(recs)
    if last is None or base is None:
        msg = Notice.of("The gap cannot be computed from this data.", kind="warning")
        return {"verdict": None, "adjusted_verdict": None, "period": None, "lines": [msg], "tone": "same",
                "sentence": plain(msg)}
    u, p = gap_unit(last), str(last["period"])
    pub, adj = _text(last.get("verdict")), _text(last.get("adjusted_verdict"))
    b_pub, n_pub = as_float(base.get("gap")), as_float(last.get("gap"))
    b_adj, n_adj = as_float(base.get("adjusted_gap")), as_float(last.get("adjusted_gap"))
    b_noise, n_noise = as_float(base.get("noise_only_gap")), as_float(last.get("noise_only_gap"))
    published = [Strong(f"{label}, published estimates: "),
                 f"{GAP_VERDICTS.get(pub, pub)} between the 2017-19 baseline and {p}: "
                 f"{_change_fig(last.get('change'), last.get('change_lower'), last.get('change_upper'), u)}, "
                 f"from {number(b_pub, GAP_DECIMALS)} {u} to {number(n_pub, GAP_DECIMALS)} {u}."]
    if u != "SD" and n_pub < 0:
        published.append(" For means where higher is better the gap is negative (the worst third scores lower), "
                         "so a more negative gap is wider.")
    lines = [Notice(published)]
    has_adj = math.isfinite(n_adj)
    if has_adj:
        lines.append(Notice([
            Strong("Adjusted for sampling noise: "),
            f"{GAP_VERDICTS.get(adj, adj)}: "
            f"{_change_fig(last.get('adjusted_change'), last.get('adjusted_change_lower'), last.get('adjusted_change_upper'), u)}, "
            f"from {number(b_adj, GAP_DECIMALS)} {u} to {number(n_adj, GAP_DECIMALS)} {u} (",
            Link("how the adjusted gap is estimated", METHODS["adjusted"]), ")."]))
    if math.isfinite(n_noise):
        lines.append(Notice([
            Strong("Noise alone: "),
            f"with no real differences between areas, sampling noise would produce a gap of "
            f"{number(b_noise, GAP_DECIMALS)} {u} at the baseline and {number(n_noise, GAP_DECIMALS)} {u} in {p} (",
            Link("the noise-only benchmark", METHODS["noise"]), ")."]))
    if has_adj:
        lines.append(Notice([Strong("What this means: "), _meaning(pub, adj, p, u, b_noise, n_noise)]))
    tone = {"widened": "worse", "narrowed": "better"}.get(adj if has_adj else pub, "same")
    return {"verdict": pub, "adjusted_verdict": adj if has_adj else None, "period": p, "lines": lines,
            "tone": tone, "sentence": " ".join(plain(n) for n in lines),
            "change": as_float(last.get("change")), "change_lower": as_float(last.get("change_lower")),
            "change_upper": as_float(last.get("change_upper")), "adjusted_change": as_float(last.get("adjusted_change")),
            "adjusted_change_lower": as_float(last.get("adjusted_change_lower")),
            "adjusted_change_upper": as_float(last.get("adjusted_change_upper")),
            "gap": n_pub, "baseline_gap": b_pub, "adjusted_gap": n_adj, "adjusted_baseline_gap": b_adj,
            "noise_only_gap": n_noise, "noise_only_baseline_gap": b_noise}


def gap_summary(gap: pd.DataFrame, metric_id: str = "overall", label: str = "Overall") -> dict:
    """The latest period against the 2017-19 baseline, three ways (published estimates, adjusted
    for sampling noise, noise alone), with what the difference means. `lines` are paragraphs."""
    return _summary(gap_records(gap, metric_id), label)


def gap_verdict(gap: pd.DataFrame, metric_id: str = "overall") -> dict:
    """The latest period's calls against the 2017-19 baseline, as data and plain sentences."""
    return gap_summary(gap, metric_id)


def _context(r: dict) -> str:
    if bool(r.get("is_baseline")):
        by_year = _text(r.get("n_ranked_by_year"))
        return "Baseline: mean of the three years' gaps" + (f" (areas ranked {by_year})" if by_year else "")
    if r.get("verdict") == PRE_BASELINE:
        return "Before the baseline: context only"
    return ""


def _table_of(recs: list[dict], metric_id: str) -> pd.DataFrame:
    rows = []
    for r in recs:
        u = gap_unit(r)
        base, pre = bool(r.get("is_baseline")), r.get("verdict") == PRE_BASELINE
        row = {"Year": f"{BASELINE_LABEL} ({r['period']})" if base else r["period"], "Context": _context(r),
               "Interview mode": MODE_WORDS.get(_text(r.get("mode_change")), ""),
               "Areas ranked": f"{int(r['n_ranked']):,}" if math.isfinite(as_float(r.get("n_ranked"))) else ""}
        if metric_id != "overall":
            row["Worst third (mean)"] = number(r.get("worst_third_mean"), 2)
            row["The rest (mean)"] = number(r.get("rest_mean"), 2)

        def change(prefix: str) -> str:
            if base:
                return ""
            if pre:
                return "not compared"
            return _cell(r.get(f"{prefix}change"), r.get(f"{prefix}change_lower"), r.get(f"{prefix}change_upper"),
                         sign=True)

        def verdict(col: str) -> str:
            if base:
                return ""
            return "pre-baseline context" if pre else GAP_VERDICTS.get(_text(r.get(col)), _text(r.get(col)))

        row.update({
            f"Published-estimate gap, {u} (95% interval)": _cell(r.get("gap"), r.get("gap_lower"), r.get("gap_upper")),
            "Change since baseline": change(""), "Verdict (published)": verdict("verdict"),
            f"Adjusted gap, {u} (95% interval)": _cell(r.get("adjusted_gap"), r.get("adjusted_gap_lower"),
                                                        r.get("adjusted_gap_upper")),
            "Adjusted change since baseline": change("adjusted_"), "Verdict (adjusted)": verdict("adjusted_verdict"),
            f"Noise-only gap, {u} (95% range)": _cell(r.get("noise_only_gap"), r.get("noise_only_gap_lower"),
                                                      r.get("noise_only_gap_upper")),
        })
        rows.append(row)
    return pd.DataFrame(rows)


def gap_table(gap: pd.DataFrame, metric_id: str, titles: dict | None = None) -> pd.DataFrame:
    """The gap tracker's table alternative, as shown (baseline first, then every year): the
    published-estimate gap, the adjusted gap and the noise-only gap, each with its interval, and
    the two changes since the baseline with their verdicts (none for the years before it)."""
    return _table_of(gap_records(gap, metric_id), metric_id)


GAP_CSV = ["period", "is_baseline", "metric_id", "basis", "unit", "n_ranked", "n_ranked_by_year", "n_worst_third",
           "worst_third_mean", "rest_mean", "gap", "gap_lower", "gap_upper", "baseline_gap", "change", "change_lower",
           "change_upper", "verdict", "adjusted_gap", "adjusted_gap_lower", "adjusted_gap_upper",
           "adjusted_baseline_gap", "adjusted_change", "adjusted_change_lower", "adjusted_change_upper",
           "adjusted_verdict", "noise_only_gap", "noise_only_gap_lower", "noise_only_gap_upper",
           "noise_only_baseline_gap", "mode_change", "crosses_mode_change"]


def gap_csv(gap: pd.DataFrame, metric_id: str) -> pd.DataFrame:
    """The gap tracker for a download: the build's figures for one measure, rounded."""
    g = pd.DataFrame(gap_records(gap, metric_id))
    if g.empty:
        return pd.DataFrame(columns=GAP_CSV)
    return _rounded(g[[c for c in GAP_CSV if c in g.columns]])


def _hover(period: str, what: str, value, lower, upper, unit: str, verdict: str = "") -> str:
    text = f"{period}, {what}: {number(value, GAP_DECIMALS)} {unit}<br>95% interval {interval(lower, upper, GAP_DECIMALS)}"
    return text + (f"<br>{verdict}" if verdict else "")


SERIES = (("published", "Published estimates", "gap", "verdict"),
          ("adjusted", "Adjusted for sampling noise", "adjusted_gap", "adjusted_verdict"),
          ("noise", "Noise alone (no real differences)", "noise_only_gap", None))
HOVER_VERDICTS = {"widened": "widened since the baseline", "narrowed": "narrowed since the baseline",
                  "no significant change": "no significant change since the baseline",
                  PRE_BASELINE: "before the baseline (context)"}


def _chart_of(recs: list[dict], modes, title: str) -> dict:
    years, base = _years_of(recs), _base_of(recs)
    if not years:
        return {"periods": [], "series": []}
    order = [str(r["period"]) for r in years]
    u = gap_unit(years[0])
    series = []
    for key, name, col, vcol in SERIES:
        y = [as_float(r.get(col)) for r in years]
        if not any(math.isfinite(v) for v in y):
            continue
        series.append({
            "key": key, "name": name, "y": y, "lower": [as_float(r.get(f"{col}_lower")) for r in years],
            "upper": [as_float(r.get(f"{col}_upper")) for r in years],
            "baseline": as_float(base.get(col)) if base is not None else float("nan"),
            "hover": [_hover(r["period"], name.lower(), r.get(col), r.get(f"{col}_lower"), r.get(f"{col}_upper"), u,
                             HOVER_VERDICTS.get(_text(r.get(vcol)), "") if vcol else "") for r in years]})
    pre = [i for i, r in enumerate(years) if r.get("verdict") == PRE_BASELINE]
    first = str(base["period"]).split(" to ")[0] if base is not None else None
    base_idx = [i for i, p in enumerate(order) if first and p >= first][:3]
    return {"periods": order, "series": series, "unit": u,
            "y_title": "Gap, worst third vs the rest (baseline SDs)" if u == "SD"
            else f"{title}: worst third minus the rest ({u})",
            "pre_baseline": (min(pre), max(pre)) if pre else None,
            "baseline_years": (min(base_idx), max(base_idx)) if base_idx else None,
            "mode_change_at": mode_boundary(order, modes),
            "mode_label": "March 2020: interviews by telephone", "mode_source": mode_source(modes)}


def gap_chart(gap: pd.DataFrame, metric_id: str, modes, title: str = "") -> dict:
    """What the gap chart shows: the three gaps with their intervals per year, each gap's baseline,
    the years before the baseline and the March 2020 change of interview mode."""
    return _chart_of(gap_records(gap, metric_id), modes, title)


def sensitivity_table(sens, metric_id: str, period: str | None) -> pd.DataFrame:
    """The adjusted gap and its change in `period` under each assumed sampling-error correlation."""
    rows_in = [r for r in _rows(sens) if r.get("metric_id") == metric_id]
    if not rows_in or period is None:
        return pd.DataFrame()
    base_by = {round(float(r["error_correlation"]), 3): r for r in rows_in if bool(r.get("is_baseline"))}
    now = sorted((r for r in rows_in if str(r["period"]) == period and not bool(r.get("is_baseline"))),
                 key=lambda r: float(r["error_correlation"]))
    rows = []
    for r in now:
        rho = float(r["error_correlation"])
        b = base_by.get(round(rho, 3), {})
        u = gap_unit(r)
        note = " (assumed)" if bool(r.get("central")) else (" (lower limit)" if rho == 0 else "")
        rows.append({
            "Assumed correlation of sampling errors": f"{number(rho, 1)}{note}",
            f"Adjusted gap, baseline ({u})": number(b.get("adjusted_gap"), GAP_DECIMALS),
            f"Adjusted gap, {period} ({u}, 95% interval)": _cell(r.get("adjusted_gap"), r.get("adjusted_gap_lower"),
                                                                   r.get("adjusted_gap_upper")),
            "Adjusted change (95% interval)": _cell(r.get("adjusted_change"), r.get("adjusted_change_lower"),
                                                    r.get("adjusted_change_upper"), sign=True),
            "Verdict": GAP_VERDICTS.get(_text(r.get("adjusted_verdict")), _text(r.get("adjusted_verdict"))),
            f"Noise-only gap, baseline to {period} ({u})": f"{number(b.get('noise_only_gap'), GAP_DECIMALS)} to "
                                                            f"{number(r.get('noise_only_gap'), GAP_DECIMALS)}",
        })
    return pd.DataFrame(rows)


def sensitivity_sentence(sens, metric_id: str, period: str | None) -> Notice | None:
    if period is None:
        return None
    now = sorted((r for r in _rows(sens) if r.get("metric_id") == metric_id and str(r["period"]) == period
                  and not bool(r.get("is_baseline"))), key=lambda r: float(r["error_correlation"]))
    if not now:
        return None
    verdicts = list(dict.fromkeys(_text(r.get("adjusted_verdict")) for r in now))
    lo, hi = number(now[0]["error_correlation"], 1), number(now[-1]["error_correlation"], 1)
    if len(verdicts) == 1:
        what = (f"under every correlation tried ({lo} to {hi}) the adjusted change in {period} is the same: "
                f"{GAP_VERDICTS.get(verdicts[0], verdicts[0])}.")
    else:
        calls = "; ".join(f"{number(r['error_correlation'], 1)}: "
                          f"{GAP_VERDICTS.get(r['adjusted_verdict'], r['adjusted_verdict'])}" for r in now)
        what = f"the adjusted verdict for {period} depends on the assumed correlation ({calls})."
    return Notice([Strong("Sensitivity: "), "ONS does not publish how strongly an area's four estimates' sampling "
                   f"errors are correlated; {what} ", Link("Why a correlation is assumed", METHODS["correlation"]),
                   "; ", Link("the adjusted gap", METHODS["adjusted"]), "."])


def _split_reasons(reason: str) -> list[tuple[str, str]]:
    """'m1, m2: why; m3: why2' -> [('m1, m2', 'why'), ('m3', 'why2')]; '; ' inside brackets stays."""
    out = []
    for p in _split_reasons_plain(reason):
        measures, _, why = p.partition(": ")
        out.append((measures.strip(), why.strip()) if why else ("", measures.strip()))
    return out


def _same_each_year(why: str) -> str:
    """'... (2016-17: X; 2017-18: X; 2018-19: X)' -> '... (X, in each year)'."""
    head, sep, rest = why.partition(" (")
    if not sep or not rest.endswith(")"):
        return why
    years = [y.partition(": ") for y in _split_reasons_plain(rest[:-1])]
    texts = {t for _, s, t in years if s}
    if len(years) > 1 and len(texts) == 1 and all(s for _, s, _ in years):
        return f"{head} ({texts.pop()}, in each year)"
    return why


def _split_reasons_plain(text: str) -> list[str]:
    """Split at '; ' outside brackets."""
    parts, depth, cur, i = [], 0, "", 0
    while i < len(text):
        ch = text[i]
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and text.startswith("; ", i):
            parts.append(cur)
            cur, i = "", i + 2
            continue
        cur += ch
        i += 1
    parts.append(cur)
    return parts


def _reason_text(reason: str, n_measures: int) -> str:
    """The build's reason, without the measure list when every measure is missing."""
    out = []
    for measures, why in _split_reasons(_text(reason)):
        why = _same_each_year(why)
        listed = [m for m in measures.split(", ") if m]
        if listed and len(listed) < n_measures:
            out.append(f"{join_words(listed)}: {why}")
        else:
            out.append(why)
    return "; ".join(o for o in out if o)


def unranked_notice(unranked, period: str | None, label: str | None = None,
                    n_measures: int = 4, explain: bool = True) -> Notice | None:
    """'N areas not ranked in <period>: A (why); B, C (why).' with the build's reasons."""
    if period is None:
        return None
    u = sorted((r for r in _rows(unranked) if str(r["period"]) == str(period)), key=lambda r: str(r["area_name"]))
    if not u:
        return None
    groups: dict[str, list[str]] = {}
    for r in u:
        groups.setdefault(_reason_text(r.get("reason"), n_measures) or "reason not recorded", []).append(
            str(r["area_name"]))
    ordered = sorted(groups.items(), key=lambda kv: (len(kv[1]), kv[0]))
    listing = "; ".join(f"{join_words(names)} ({why})" for why, names in ordered)
    head = [Strong(f"{plural(len(u), 'area')} not ranked in {label or period}: "), f"{listing}."]
    if not explain:
        return Notice(head)
    return Notice(head + [" An area is ranked only when all four measures are published for it (",
                          Link("areas left out of a ranking", METHODS["unranked"]), ")."])


# ----------------------------------------------------------------------------- regions and nations
def area_order(regions) -> list[str]:
    """UK, England, England's regions (in code order), then the other nations."""
    geo = {r["area_code"]: r.get("geography") for r in _rows(regions)}
    if not geo:
        return []
    eng = vocab.england_code()
    regs = sorted(c for c, g in geo.items() if g == "region")
    others = [c for c in vocab.nation_codes() if c != eng]
    order = [vocab.uk_code(), eng] + regs + others
    return [c for c in order if c in geo] + [c for c in geo if c not in order]


def cell_text(row, dec: int = 2) -> str:
    """A scorecard cell: the call, the direction and size of the change with its 95% CI, and in
    words when Holm's correction changes the call or the publisher's rounding could flip it."""
    verdict = str(row.get("verdict") or "not assessed")
    mark = VERDICT_ARROWS.get(verdict, "")
    arrow = ""
    ch = as_float(row.get("change"))
    if math.isfinite(ch):
        arrow = "\u2191 " if ch > 0 else ("\u2193 " if ch < 0 else "\u2192 ")
    text = (f"{mark} {verdict[0].upper() + verdict[1:]}: {arrow}{signed(ch, dec)} "
            f"({interval(row.get('change_lower'), row.get('change_upper'), dec, sign=True)})").strip()
    holm = _text(row.get("verdict_holm"))
    if holm and holm != verdict:
        text += f"; after Holm's correction: {holm}"
    if bool(row.get("rounding_sensitive")):
        text += "; rounding could flip this call"
    return text


def cell_kind(row) -> str:
    return {"significantly worse": "worse", "significantly improved": "better"}.get(str(row.get("verdict")), "same")


def _in_period(regions, period: str | None) -> tuple[str | None, list[dict]]:
    rows = _rows(regions)
    period = period or (max(str(r["period"]) for r in rows) if rows else None)
    return period, [r for r in rows if str(r["period"]) == period]


def scorecard(regions, metrics: pd.DataFrame, period: str | None = None, with_kinds: bool = False):
    """Rows = UK, nations and regions; one text column per headline measure (verdict, arrow for
    the direction of the change, change and its 95% CI, Holm and rounding notes). With
    `with_kinds`, also a frame of the same shape saying each cell's call ('better', 'worse',
    'same') for styling."""
    period, r = _in_period(regions, period)
    if not r:
        return (pd.DataFrame(), pd.DataFrame()) if with_kinds else pd.DataFrame()
    titles, dec = titles_of(metrics), _attr(metrics, "decimals")
    names = {x["area_code"]: x["area_name"] for x in r}
    cells = {(x["area_code"], x["metric_id"]): x for x in r}
    have = {x["metric_id"] for x in r}
    metric_ids = [m for m in headline_order() if m in have]
    rows, kinds = [], []
    for code in area_order(r):
        row, kind = {"area_code": code, "area": names.get(code, code)}, {"area_code": code, "area": ""}
        for m in metric_ids:
            c = cells.get((code, m))
            col = titles.get(m, m)
            row[col] = cell_text(c, int(dec.get(m, 2) or 2)) if c else "no value"
            kind[col] = cell_kind(c) if c else "none"
        rows.append(row)
        kinds.append(kind)
    out = pd.DataFrame(rows)
    return (out, pd.DataFrame(kinds)) if with_kinds else out


def scorecard_long(regions: pd.DataFrame, metrics: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """The scorecard as a tidy table for the CSV download."""
    if regions is None or regions.empty:
        return pd.DataFrame()
    period = period or latest_period(regions)
    r = regions[regions["period"].astype(str) == period].copy()
    order = {c: i for i, c in enumerate(area_order(r))}
    r["_o"] = r["area_code"].map(order)
    r["measure"] = r["metric_id"].map(titles_of(metrics)).fillna(r["metric_id"])
    keep = ["area_code", "area_name", "geography", "metric_id", "measure", "basis", "baseline_period",
            "baseline_value", "baseline_lower", "baseline_upper", "period", "value", "lower", "upper",
            "change", "change_lower", "change_upper", "z", "p_value", "significant", "verdict", "holm_family",
            "holm_family_size", "p_holm", "significant_holm", "verdict_holm", "rounding_sensitive",
            "publisher_decimals", "mode_change", "crosses_mode_change"]
    out = r.sort_values(["_o", "metric_id"])[[c for c in keep if c in r.columns]].reset_index(drop=True)
    return _rounded(out, 4)


def change_frame(regions, metric_id: str, period: str | None = None) -> pd.DataFrame:
    """Change since the 2019 baseline with its CI for one measure, by area (for the CI-bar chart)."""
    period, r = _in_period(regions, period)
    r = [x for x in r if x["metric_id"] == metric_id]
    if not r:
        return pd.DataFrame()
    order = {c: i for i, c in enumerate(area_order(r))}
    cols = ["area_code", "area_name", "geography", "baseline_value", "value", "change", "change_lower",
            "change_upper", "significant", "verdict", "verdict_holm", "rounding_sensitive"]
    r = sorted(r, key=lambda x: order.get(x["area_code"], len(order)))
    return pd.DataFrame([{c: x.get(c) for c in cols if c in x} for x in r])


def change_hover(cf: pd.DataFrame, dec: int = 2) -> list[str]:
    """The change chart's hover text per area (the same words as the scorecard)."""
    return [f"{r['area_name']}<br>{cell_text(r, dec)}".replace("; ", "<br>") for r in cf.to_dict("records")]


def change_display(cf: pd.DataFrame, dec: int = 2) -> pd.DataFrame:
    """The change chart's table alternative, as shown."""
    if cf is None or cf.empty:
        return pd.DataFrame()
    rows = []
    for r in cf.to_dict("records"):
        rows.append({"Area": r["area_name"], "2018-19": number(r.get("baseline_value"), dec),
                     "Compared year": number(r.get("value"), dec),
                     "Change (95% CI)": f"{signed(r.get('change'), dec)} "
                                        f"({interval(r.get('change_lower'), r.get('change_upper'), dec, sign=True)})",
                     "Verdict": _text(r.get("verdict")),
                     "After Holm's correction": _text(r.get("verdict_holm")),
                     "Publisher's rounding could flip the call": "yes" if bool(r.get("rounding_sensitive")) else "no"})
    return pd.DataFrame(rows)


def verdict_counts(regions, period: str | None = None, column: str = "verdict") -> dict:
    """How many region/nation x measure cells are significantly improved / worse / unchanged
    (`column` 'verdict_holm' for the calls after Holm's correction); the UK's own tests are not
    counted."""
    period, r = _in_period(regions, period)
    out: dict[str, int] = {}
    for x in r:
        if x.get("geography") != "uk" and column in x and x[column] is not None:
            out[x[column]] = out.get(x[column], 0) + 1
    return out


def _counts_words(c: dict) -> str:
    return (f"{c.get('significantly improved', 0)} significantly improved, "
            f"{c.get('no significant change', 0)} no significant change, "
            f"{c.get('significantly worse', 0)} significantly worse")


def scorecard_counts(regions, metrics: pd.DataFrame, period: str) -> list[Notice]:
    """The count of calls, raw and after Holm's correction, and the calls rounding could flip."""
    period, rows = _in_period(regions, period)
    r = [x for x in rows if x.get("geography") != "uk"]
    raw, holm = verdict_counts(r, period), verdict_counts(r, period, "verdict_holm")
    n, n_areas, n_measures = len(r), len({x["area_code"] for x in r}), len({x["metric_id"] for x in r})
    lines = [Notice([f"{period} against 2018-19, across {n_areas} regions and nations and {n_measures} measures "
                     f"({n} comparisons): {_counts_words(raw)}."])]
    if holm:
        sizes = [int(x["holm_family_size"]) for x in r if math.isfinite(as_float(x.get("holm_family_size")))]
        size = max(sizes) if sizes else n
        lines.append(Notice([Strong(f"Allowing for {size} tests at once"), f" (Holm's correction): {_counts_words(holm)}. "
                             "At the 5% level a few of many tests can be significant by chance; the correction keeps "
                             "the chance of any false call at 5% (", Link("many tests at once", METHODS["holm"]), ")."]))
    if r and "rounding_sensitive" in r[0]:
        flip = [x for x in r if bool(x.get("rounding_sensitive"))]
        titles = titles_of(metrics)
        if not flip:
            lines.append(Notice(["No call could be flipped by the publisher's rounding to two decimal places."]))
        else:
            which = join_words([f"{x['area_name']} ({titles.get(x['metric_id'], x['metric_id']).lower()})" for x in flip])
            lines.append(Notice([f"{plural(len(flip), 'call')} could be flipped by the publisher's rounding to two "
                                 f"decimal places, marked \u201crounding could flip this call\u201d: {which}."]))
    return lines


# ----------------------------------------------------------------------------- model diagnostics (/data)
def model_tables(model: pd.DataFrame, titles: dict) -> dict:
    """The small-area model per measure and year: median reliability (with the 10th to 90th
    percentile across areas) and the between-area variance (with its standard error)."""
    if model is None or model.empty:
        return {"reliability": pd.DataFrame(), "variance": pd.DataFrame(), "correlation": None, "scales": []}
    m = model.assign(_o=(~model["is_baseline"].astype(bool)).astype(int)).sort_values(["_o", "period"])
    ids = [i for i in headline_order() if i in set(m["metric_id"])] or list(dict.fromkeys(m["metric_id"]))
    cells = {(r["period"], r["metric_id"]): r for r in m.to_dict("records")}
    periods_ = list(dict.fromkeys(m["period"].astype(str)))
    rel, var = [], []
    for p in periods_:
        first = next(cells[(p, i)] for i in ids if (p, i) in cells)
        label = f"{BASELINE_LABEL} ({p})" if bool(first["is_baseline"]) else p
        rr, vr = {"Year": label, "Areas": f"{int(first['n_areas']):,}"}, {"Year": label}
        for i in ids:
            c = cells.get((p, i))
            t = titles.get(i, i)
            if c is None:
                rr[t] = vr[t] = "no model"
                continue
            rr[t] = (f"{number(c['median_reliability'], 2)} ({number(c['reliability_p10'], 2)} to "
                     f"{number(c['reliability_p90'], 2)})")
            vr[t] = f"{number(c['between_area_variance'], 4)} ({number(c['between_area_variance_se'], 4)})" + (
                ", at zero" if bool(c.get("at_boundary")) else "")
        if "effect_correlation_mean" in first:
            rr["Mean correlation of true area effects"] = number(first["effect_correlation_mean"], 2)
        rel.append(rr)
        var.append(vr)
    corr = m["error_correlation"].dropna().unique().tolist() if "error_correlation" in m else []
    return {"reliability": pd.DataFrame(rel), "variance": pd.DataFrame(var),
            "correlation": float(corr[0]) if len(corr) == 1 else None,
            "scales": sorted(set(m["scale"].astype(str))) if "scale" in m else []}


def model_view() -> dict:
    return model_tables(q.mission.model(), q.catalogue.titles())


# ----------------------------------------------------------------------------- views (one call per callback)
def normalise(gap: str | None, period: str | None, metric: str | None) -> tuple[dict, list[Notice]]:
    """Check the overview's URL state: gap measure, scorecard year, change-chart measure."""
    notes = []
    gap_ids = list(q.mission.gap_by_metric())
    gap_ids = (["overall"] if "overall" in gap_ids else []) + [m for m in gap_ids if m != "overall"]
    if gap and gap not in gap_ids:
        notes.append(Notice.of(f"'{gap}' is not one of the gap measures; showing the overall gap.", kind="warning"))
        gap = None
    gap = gap or ("overall" if "overall" in gap_ids else (gap_ids[0] if gap_ids else "overall"))
    pers = year_options()
    if period and period not in pers:
        notes.append(Notice.of(f"'{period}' is not a year in the regional comparison; showing the latest year.",
                               kind="warning"))
        period = None
    period = period or (pers[-1] if pers else None)
    mids = [o["value"] for o in metric_options()]
    if metric and metric not in mids:
        notes.append(Notice.of(f"'{metric}' is not a headline measure here; showing {q.catalogue.title(mids[0]) if mids else 'the first measure'}.",
                               kind="warning"))
        metric = None
    metric = metric or (mids[0] if mids else None)
    return {"gap": gap, "period": period, "metric": metric}, notes


def headline_view() -> dict:
    """UK headline cards, the UK's published shares (latest period) and the mode-change note."""
    metrics = q.catalogue.metrics()
    hl = headline_uk(_year(None)[1], metrics)
    uk = vocab.uk_code()
    shares = uk_shares(q.observations.area_rows(uk) if uk else None, metrics)
    latest = shares[shares["period"] == shares["period"].max()] if not shares.empty else shares
    period = str(hl["period"].iloc[0]) if not hl.empty else None
    return {"table": hl, "shares_latest": latest,
            "mode": mode_notice(q.mission.survey_mode_by_period(), period, "the 2018-19 baseline")}


def headline_table_view() -> pd.DataFrame:
    """The UK headline cards as a table (drawn when it is opened)."""
    return headline_display(headline_uk(_year(None)[1], q.catalogue.metrics()))


def gap_options() -> list[dict]:
    titles = q.catalogue.titles()
    ids = list(q.mission.gap_by_metric())
    ids = (["overall"] if "overall" in ids else []) + [m for m in ids if m != "overall"]
    return [{"label": "Overall (worst-performing measure)" if m == "overall" else titles.get(m, m), "value": m}
            for m in ids]


def gap_view(metric: str | None) -> dict:
    """The gap tracker for one measure (or 'overall'): the three gaps per year for the chart, the
    latest comparison with the baseline in words, the sensitivity table, the areas left out and
    the table alternative."""
    by_metric, titles, modes = q.mission.gap_by_metric(), q.catalogue.titles(), q.mission.survey_mode_by_period()
    metric = metric if metric in by_metric else ("overall" if "overall" in by_metric else next(iter(by_metric), "overall"))
    label = "Overall" if metric == "overall" else titles.get(metric, metric)
    recs = by_metric.get(metric, [])
    v = _summary(recs, label)
    sens = q.mission.gap_sensitivity_by_metric().get(metric)
    unr = q.mission.unranked_by_period()
    base = _base_of(recs)
    unranked = [unranked_notice(unr.get(v["period"]), v["period"])]
    if base is not None:
        unranked.append(unranked_notice(unr.get(str(base["period"])), str(base["period"]),
                                        f"the {BASELINE_LABEL} ({base['period']})", explain=False))
    return {"metric": metric, "label": label, "title": titles.get(metric, metric), "verdict": v,
            "sentence": f"{label}: {v['sentence']}", "lines": v["lines"], "tone": v["tone"],
            "chart": _chart_of(recs, modes, titles.get(metric, metric)),
            "mode": mode_notice(modes, v["period"], f"the {BASELINE_LABEL}"),
            "sensitivity": sensitivity_table(sens, metric, v["period"]),
            "sensitivity_note": sensitivity_sentence(sens, metric, v["period"]),
            "unranked": [n for n in unranked if n is not None]}


def gap_table_view(metric: str | None) -> dict:
    """The gap tracker's table alternative for one measure (drawn when it is opened)."""
    by_metric, titles = q.mission.gap_by_metric(), q.catalogue.titles()
    metric = metric if metric in by_metric else "overall"
    label = "Overall" if metric == "overall" else titles.get(metric, metric)
    return {"metric": metric, "label": label, "table": _table_of(by_metric.get(metric, []), metric)}


def gap_download(metric: str | None) -> tuple[str, pd.DataFrame]:
    """(measure, the build's figures for it, rounded) for the gap tracker's CSV."""
    by_metric = q.mission.gap_by_metric()
    metric = metric if metric in by_metric else "overall"
    return metric, gap_csv(q.mission.gap(), metric)


def _year(period: str | None) -> tuple[str | None, list[dict]]:
    """A scorecard year (the latest if not one of them) and its rows."""
    by = q.mission.regions_by_period()
    if period not in by:
        period = max(by) if by else None
    return period, by.get(period, []) if period else []


def scorecard_view(period: str | None) -> dict:
    metrics = q.catalogue.metrics()
    period, regions = _year(period)
    sc, kinds = scorecard(regions, metrics, period, with_kinds=True)
    lines = scorecard_counts(regions, metrics, period) if period else []
    return {"period": period, "table": sc, "kinds": kinds, "lines": lines,
            "text": " ".join(plain(n) for n in lines),
            "mode": mode_notice(q.mission.survey_mode_by_period(), period, "2018-19")}


def change_view(metric: str | None, period: str | None) -> dict:
    period, regions = _year(period)
    have = {r["metric_id"] for r in regions}
    mids = [m for m in headline_order() if m in have]
    metric = metric if metric in mids else (mids[0] if mids else None)
    dec = q.catalogue.decimals(metric) if metric else 2
    cf = change_frame(regions, metric, period)
    return {"period": period, "metric": metric, "title": q.catalogue.title(metric) if metric else "",
            "frame": cf, "hover": change_hover(cf, dec), "decimals": dec}


def change_table_view(metric: str | None, period: str | None) -> dict:
    """The change chart's table alternative (drawn when it is opened) and its download."""
    v = change_view(metric, period)
    return {**v, "table": change_display(v["frame"], v["decimals"]), "csv": _rounded(v["frame"], 4)}


def year_options() -> list[str]:
    """The years compared with 2018-19, oldest first."""
    return list(q.mission.regions_by_period())


def metric_options() -> list[dict]:
    have = {r["metric_id"] for rows in q.mission.regions_by_period().values() for r in rows}
    return [{"label": q.catalogue.title(m), "value": m} for m in headline_order() if m in have]
