"""Area profile computations: an area's values against its benchmarks.

A current LTLA's values come from the LA view (every metric on current LTLAs, with the geography
each value was published for). Other geographies (counties and unitary authorities as upper tier,
ICBs, air-quality zones, regions, nations) use the observations published for that code. Each
value is compared (Fingertips style, `etl.stats.compare_to_benchmark`) with:
* the national benchmark: England for English areas, the UK otherwise;
* the region (English areas) or the nation (elsewhere);
* a comparator group: the unweighted mean of the group's LTLA values in the same period.
An area is 'better'/'worse' only when its 95% CI excludes the benchmark value, oriented by the
metric's polarity; without a published CI it is 'not compared' (the reason is given).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dashboard import queries as q
from dashboard.queries import vocabulary as vocab
from etl import stats

NO_CI_REASON = "not compared: no confidence interval is published for this value"
NAN3 = (np.nan, np.nan, np.nan)


# ----------------------------------------------------------------------------- series
def area_series(info: dict) -> pd.DataFrame:
    """Every row for the area: the LA view for a current LTLA, its own observations otherwise.
    Always has native_geography / native_area_code (an area's own rows are native)."""
    code = info.get("code")
    if q.areas.is_current_ltla(info):
        df = q.observations.area_rows(code, "la_view")
    else:
        df = q.observations.area_rows(code).copy()
        df["native_geography"] = df["geography"]
        df["native_area_code"] = df["area_code"]
    return df.reset_index(drop=True)


def geography_note(row: dict, info: dict | None = None) -> str:
    """Where a value comes from (its native geography), in plain English."""
    native = row.get("native_geography")
    ncode = row.get("native_area_code")
    own = info.get("code") if info else row.get("area_code")
    g = vocab.geography(native) if isinstance(native, str) else None
    nname = q.areas.name(ncode) if q.areas.present(ncode) else ""
    if native == "utla":
        text = (f"{g.short} value for this area" if ncode == own else g.inherited_named.format(name=nname))
    elif native == "icb":
        text = f"{g.value_label} ({nname})" if nname else g.value_label
        if info and info.get("icb_split") and info.get("icb_share") is not None:
            text += (f"; this area is split between {g.plural} and takes the one holding most of its "
                     f"population ({float(info['icb_share']):.0%} of its neighbourhoods)")
    elif native == "aq_zone":
        text = (f"{g.value_label} ({nname}): highest annual mean in the zone" if nname
                else f"{g.value_label} (highest annual mean in the zone)")
        if info and info.get("aq_zone_derived") is True:
            text += "; zone assigned from neighbouring areas (derived)"
    elif native in ("region", "country"):
        text = f"{g.value_label} ({nname})" if ncode != own else g.value_label
    elif g is not None and native != "ltla":
        text = g.value_label
    else:
        text = "Local authority value" if native == "ltla" else "Value for this area"
    if bool(row.get("derived")):
        text += "; derived from predecessor councils"
    return text


def latest_with_value(series: pd.DataFrame) -> pd.DataFrame:
    """Per metric: the latest period with a value; a metric with no value at all keeps its
    latest row (so the reason, e.g. 'suppressed', can be shown)."""
    if series.empty:
        return series
    s = series.sort_values(["metric_id", "period_end", "period"])
    has = s[np.isfinite(s["value"].astype(float))]
    a = has.groupby("metric_id", sort=False).tail(1)
    b = s[~s["metric_id"].isin(a["metric_id"])].groupby("metric_id", sort=False).tail(1)
    return pd.concat([a, b], ignore_index=True)


def compare(value, lower, upper, bench, polarity) -> str:
    return str(stats.compare_to_benchmark([value], [lower], [upper], [bench], polarity)[0])


def why_not(value, lower, upper, bench, status) -> str:
    if not np.isfinite(value):
        return f"no value ({status})" if status and status != "ok" else "no value"
    if not (np.isfinite(lower) and np.isfinite(upper)):
        return NO_CI_REASON
    if not np.isfinite(bench):
        return "not compared: no benchmark value for this period"
    return ""


# ----------------------------------------------------------------------------- the spread
def spread_in_england(info: dict) -> bool:
    return q.areas.national_code(info) == vocab.england_code() and info.get("geography") not in ("country", "uk")


def spread_label(info: dict) -> str:
    """What the spine chart's grey bar shows, in words ('upper-tier authority values in England')."""
    geo = info.get("geography") or "ltla"
    g = vocab.geography(geo)
    if geo == "uk":
        return "UK values"
    if geo == "country":
        return "the UK nations' values"
    eng = spread_in_england(info) if geo != "ltla" else q.areas.national_code(info) == vocab.england_code()
    where = f" in {vocab.place_name(vocab.england_code())}" if eng else " in the UK"
    return f"{g.noun} values{where}"


def median_label(info: dict) -> str:
    g = vocab.geography(info.get("geography") or "ltla")
    return f"Median of {g.plural}" if g else "Median"


def _spread_values(metric: str, period: str, info: dict) -> np.ndarray:
    """The values the area is placed among: distinct LTLA values (English LTLAs for English areas),
    or the values of the area's own geography."""
    geo = info.get("geography")
    if geo in (None, "ltla"):
        d = q.observations.ltla_values(metric, period, q.areas.national_code(info) == vocab.england_code())
        return d.drop_duplicates("native_area_code")["value"].astype(float).to_numpy() if not d.empty else np.array([])
    vals = q.observations.geography_values(metric, period, geo, False)
    if spread_in_england(info):
        d = q.observations.metric_rows(metric)
        d = d[(d["geography"] == geo) & (d["period"].astype(str) == period)]
        eng = vocab.england_code()
        keep = [(q.areas.row(c) or {}).get("country_code") == eng or str(c).startswith("E") for c in d["area_code"]]
        vals = d[keep]["value"].astype(float).to_numpy()
        vals = vals[np.isfinite(vals)]
    return vals


# ----------------------------------------------------------------------------- the table
PROFILE_COLUMNS = ["metric_id", "title", "short_title", "kind", "unit", "polarity", "decimals", "period", "value",
                   "lower", "upper", "status", "derived", "native_geography", "native_area_code", "geography_note",
                   "nat_code", "nat_name", "nat_value", "nat_lower", "nat_upper", "vs_nat", "reg_code", "reg_name",
                   "reg_value", "reg_lower", "reg_upper", "vs_reg", "group_label", "group_value", "group_n",
                   "vs_group", "compare_note", "dist_min", "dist_q25", "dist_median", "dist_q75", "dist_max",
                   "dist_n", "sort", "publisher_url", "status_note", "note"]


def profile_table(info: dict, group_codes: list[str] | None = None, group_label: str = "comparator group",
                  kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per metric (latest period with a value): the value with its CI, its native
    geography, the national, regional and comparator-group benchmarks with the comparison against
    each, and the spread of values (for the spine chart)."""
    series = area_series(info)
    if series.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    latest = latest_with_value(series)
    latest = latest[[q.catalogue.exists(m) for m in latest["metric_id"]]]
    if kinds:
        latest = latest[[(q.catalogue.metric(m) or {}).get("kind") in kinds for m in latest["metric_id"]]]
    nat, reg = q.areas.national_code(info), q.areas.regional_code(info)
    group = list(dict.fromkeys(group_codes or []))
    rows = []
    for r in latest.to_dict("records"):
        m, period = r["metric_id"], str(r["period"])
        mm = q.catalogue.metric(m)
        pol = str(mm.get("polarity") or "no_judgement")
        v, lo, hi = float(r["value"]), float(r["lower"]), float(r["upper"])
        nv = q.observations.value_of(m, period, nat)
        rv = q.observations.value_of(m, period, reg) if reg else NAN3
        dvals = _spread_values(m, period, info)
        gv, gn = np.nan, 0
        if group:
            d = q.observations.ltla_values(m, period, False)
            gvals = d[d["area_code"].isin(group)]["value"].astype(float) if not d.empty else pd.Series(dtype=float)
            gv, gn = (float(gvals.mean()), int(len(gvals))) if len(gvals) else (np.nan, 0)
        status = r.get("status", "")
        finite = len(dvals) > 0
        rows.append({
            "metric_id": m, "title": mm.get("title"), "short_title": mm.get("short_title") or mm.get("title"),
            "kind": mm.get("kind"), "unit": mm.get("unit") or "", "polarity": pol, "decimals": q.catalogue.decimals(m),
            "period": period, "value": v, "lower": lo, "upper": hi, "status": status,
            "derived": bool(r.get("derived", False)), "native_geography": r.get("native_geography"),
            "native_area_code": r.get("native_area_code"), "geography_note": geography_note(r, info),
            "nat_code": nat, "nat_name": vocab.place_name(nat), "nat_value": nv[0], "nat_lower": nv[1],
            "nat_upper": nv[2], "vs_nat": compare(v, lo, hi, nv[0], pol),
            "reg_code": reg, "reg_name": q.areas.name(reg) if reg else "", "reg_value": rv[0], "reg_lower": rv[1],
            "reg_upper": rv[2], "vs_reg": compare(v, lo, hi, rv[0], pol) if reg else "not compared",
            "group_label": group_label, "group_value": gv, "group_n": gn, "vs_group": compare(v, lo, hi, gv, pol),
            "compare_note": why_not(v, lo, hi, nv[0], status),
            "dist_min": float(np.min(dvals)) if finite else np.nan,
            "dist_q25": float(np.quantile(dvals, 0.25)) if finite else np.nan,
            "dist_median": float(np.median(dvals)) if finite else np.nan,
            "dist_q75": float(np.quantile(dvals, 0.75)) if finite else np.nan,
            "dist_max": float(np.max(dvals)) if finite else np.nan, "dist_n": int(len(dvals)),
            "sort": mm.get("sort") or 999, "publisher_url": mm.get("publisher_url") or "",
            "status_note": mm.get("status_note") or "", "note": r.get("note") or "",
        })
    out = pd.DataFrame(rows, columns=PROFILE_COLUMNS)
    return out.sort_values(["sort", "metric_id"]).reset_index(drop=True)


def spine_positions(table: pd.DataFrame, median_name: str = "Median") -> pd.DataFrame:
    """Fingertips-style spine chart coordinates in 0..1 per row: the national value at 0.5, the
    spread scaled so the furthest extreme touches 0 or 1, and oriented so that RIGHT is better
    for lower-is-better metrics too (no flip for 'no judgement'). When the national value is
    missing or outside the spread (e.g. a count: England's total) the spread's median is the
    centre. Returns x_min, x_q25, x_q75, x_max, x_value, x_centre, centre_label, centre_value,
    flipped."""
    out = table.copy()
    nat = out["nat_value"].astype(float)
    usable = np.isfinite(nat) & ~((nat > out["dist_max"].astype(float)) | (nat < out["dist_min"].astype(float)))
    centre = nat.where(usable, out["dist_median"]).astype(float)
    out["centre_label"] = np.where(usable, out["nat_name"], median_name)
    out["centre_value"] = centre
    ext = pd.concat([(out["dist_max"] - centre).abs(), (centre - out["dist_min"]).abs(),
                     (out["value"] - centre).abs()], axis=1).max(axis=1, skipna=True)
    ext = ext.where(ext > 0, 1.0)
    flip = out["polarity"].eq("lower_better")
    sign = np.where(flip, -1.0, 1.0)
    for c in ("min", "q25", "q75", "max"):
        out[f"x_{c}"] = 0.5 + sign * (out[f"dist_{c}"] - centre) / (2 * ext)
    lo, hi = np.minimum(out["x_min"], out["x_max"]), np.maximum(out["x_min"], out["x_max"])
    q1, q3 = np.minimum(out["x_q25"], out["x_q75"]), np.maximum(out["x_q25"], out["x_q75"])
    out["x_min"], out["x_max"], out["x_q25"], out["x_q75"] = lo, hi, q1, q3
    out["x_value"] = 0.5 + sign * (out["value"] - centre) / (2 * ext)
    out["x_centre"] = 0.5
    out["flipped"] = flip
    return out


# ----------------------------------------------------------------------------- headline
def headline_summary(info: dict) -> list[dict]:
    """For each headline measure: the latest mean score (with CI, vs national and regional
    benchmarks, change since the first period with its 95% CI and significance) and the latest
    published low-well-being share (or None with the reason)."""
    series = area_series(info)
    nat, reg = q.areas.national_code(info), q.areas.regional_code(info)
    out = []
    for h in q.catalogue.headline():
        item = {"key": h["measure"], "label": h["label"], "share_id": h["share_id"], "mean_id": h["mean_id"],
                "share_label": q.catalogue.share_label(h), "mean": None, "share": None, "change": None,
                "share_url": (q.catalogue.metric(h["share_id"]) or {}).get("publisher_url") or "",
                "mean_url": (q.catalogue.metric(h["mean_id"]) or {}).get("publisher_url") or ""}
        for kind, mid in (("mean", h["mean_id"]), ("share", h["share_id"])):
            s = series[series["metric_id"] == mid] if not series.empty else series
            if s.empty:
                continue
            s = s.sort_values("period_end")
            ok = s[np.isfinite(s["value"].astype(float))]
            if ok.empty:
                item[kind] = {"period": s["period"].iloc[-1], "value": np.nan, "status": s["status"].iloc[-1]}
                continue
            r = ok.iloc[-1]
            pol = q.catalogue.polarity(mid)
            nv = q.observations.value_of(mid, r["period"], nat)
            rv = q.observations.value_of(mid, r["period"], reg) if reg else NAN3
            item[kind] = {
                "period": r["period"], "value": float(r["value"]), "lower": float(r["lower"]),
                "upper": float(r["upper"]), "status": r["status"], "derived": bool(r.get("derived", False)),
                "polarity": pol, "unit": (q.catalogue.metric(mid) or {}).get("unit") or "",
                "first_period": ok["period"].iloc[0], "latest_period_any": s["period"].iloc[-1],
                "nat_code": nat, "nat_value": nv[0], "vs_nat": compare(r["value"], r["lower"], r["upper"], nv[0], pol),
                "reg_code": reg, "reg_value": rv[0],
                "vs_reg": compare(r["value"], r["lower"], r["upper"], rv[0], pol) if reg else "not compared",
            }
            if kind == "mean" and len(ok) > 1:
                f = ok.iloc[0]
                d, dlo, dhi, _z, sig = stats.diff_test(f["value"], f["lower"], f["upper"], r["value"], r["lower"],
                                                       r["upper"])
                dirn = stats.direction(d, sig, pol)
                item["change"] = {"from": f["period"], "to": r["period"], "diff": float(d), "lower": float(dlo),
                                  "upper": float(dhi), "significant": bool(sig),
                                  "direction": str(dirn.item()) if hasattr(dirn, "item") else str(dirn),
                                  "testable": bool(np.isfinite(dlo))}
        out.append(item)
    return out


# ----------------------------------------------------------------------------- mission
def mission_summary(code: str) -> dict | None:
    """Worst-third membership with its uncertainty for the latest period, and the history."""
    m = q.mission.ltla_rows(code)
    if m.empty:
        return None
    titles = q.catalogue.titles()
    hist = m.copy()
    if "basis" in hist and (hist["basis"] == "shares").any():
        hist = hist[hist["basis"] == "shares"]
    yearly = hist[~hist["is_baseline"].astype(bool)].sort_values("period")
    base = hist[hist["is_baseline"].astype(bool)]
    if yearly.empty:
        return None
    r = yearly.iloc[-1]
    n_sims = 1000
    p = float(r["p_worst_third"]) if pd.notna(r["p_worst_third"]) else np.nan
    basis = str(r.get("basis", "means"))
    worst = titles.get(r["worst_metric"], str(r["worst_metric"]).replace("_", " "))
    if bool(r["in_worst_third"]):
        head = f"In the worst third in {r['period']}"
        sure = f"in {p:.0%} of {n_sims:,} simulations drawn from the published confidence intervals"
    else:
        head = f"Not in the worst third in {r['period']}"
        sure = (f"it falls in the worst third in {p:.0%} of {n_sims:,} simulations drawn from the published "
                "confidence intervals")
    sentence = f"{head} ({sure})." if np.isfinite(p) else f"{head}."
    certainty = ("clearly" if p >= 0.95 or p <= 0.05 else "probably" if p >= 0.75 or p <= 0.25 else "uncertain") \
        if np.isfinite(p) else "unknown"
    table = yearly[["period", "basis", "worst_metric", "worst_percentile", "rank", "n_ranked", "in_worst_third",
                    "p_worst_third", "uses_derived"]].copy()
    table["worst_metric"] = table["worst_metric"].map(lambda x: titles.get(x, x))
    baseline = ""
    if not base.empty:
        b = base.iloc[-1]
        if pd.notna(b["p_worst_third"]):
            baseline = (f"Baseline ({b['period']}): {'in' if bool(b['in_worst_third']) else 'not in'} the worst third "
                        f"(probability {float(b['p_worst_third']):.0%}).")
    return {"period": r["period"], "in_worst_third": bool(r["in_worst_third"]), "p": p, "sentence": sentence,
            "certainty": certainty, "worst_metric": r["worst_metric"], "worst_title": worst,
            "worst_percentile": float(r["worst_percentile"]), "rank": int(r["rank"]), "n_ranked": int(r["n_ranked"]),
            "basis": basis, "baseline": baseline, "uses_derived": bool(r.get("uses_derived", False)),
            "history": table.reset_index(drop=True)}


# ----------------------------------------------------------------------------- download
def profile_download(info: dict) -> pd.DataFrame:
    """Every row of the area's profile (all metrics, all periods) with its native geography, the
    national and regional benchmark values of the same period and the comparisons."""
    series = area_series(info)
    if series.empty:
        return pd.DataFrame(columns=["area_code", "area_name", "metric_id", "period", "value", "lower", "upper"])
    nat, reg = q.areas.national_code(info), q.areas.regional_code(info)
    s = series.copy()
    s["area_name"] = info.get("name", "")
    s["metric_title"] = [(q.catalogue.metric(m) or {}).get("title") for m in s["metric_id"]]
    s["unit"] = [(q.catalogue.metric(m) or {}).get("unit") for m in s["metric_id"]]
    s["polarity"] = [q.catalogue.polarity(m) for m in s["metric_id"]]
    s["geography_note"] = [geography_note(r, info) for r in s.to_dict("records")]
    for tag, c in (("national", nat), ("region", reg)):
        vals = [q.observations.value_of(m, p, c) if c else NAN3 for m, p in zip(s["metric_id"], s["period"])]
        s[f"{tag}_code"] = c
        s[f"{tag}_value"] = [v[0] for v in vals]
        s[f"{tag}_lower"] = [v[1] for v in vals]
        s[f"{tag}_upper"] = [v[2] for v in vals]
        s[f"vs_{tag}"] = [compare(v, lo, hi, b, p) for v, lo, hi, b, p in
                          zip(s["value"], s["lower"], s["upper"], s[f"{tag}_value"], s["polarity"])]
    keep = ["area_code", "area_name", "metric_id", "metric_title", "unit", "polarity", "period", "period_start",
            "period_end", "value", "lower", "upper", "status", "derived", "native_geography", "native_area_code",
            "geography_note", "national_code", "national_value", "national_lower", "national_upper", "vs_national",
            "region_code", "region_value", "region_lower", "region_upper", "vs_region", "note", "source_file"]
    s["area_code"] = info.get("code")
    out = s[[c for c in keep if c in s.columns]].copy()
    for c in ("period_start", "period_end"):
        if c in out:
            out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
    return out


def safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "download"


def unavailable_metrics(table: pd.DataFrame, kinds: tuple[str, ...] = ("supporting", "context")) -> pd.DataFrame:
    """Catalogue metrics of these kinds with no value for the area, with the reason and the
    publisher link: not in this data (the catalogue's status), or present but without a value for
    this area (its row status, e.g. 'suppressed')."""
    cols = ["metric_id", "short_title", "reason", "status_note", "publisher_url"]
    have = set(table[np.isfinite(table["value"].astype(float))]["metric_id"]) if not table.empty else set()
    trow = table.set_index("metric_id") if not table.empty else pd.DataFrame()
    rows = []
    for r in q.catalogue.ordered(kinds):
        if r["id"] in have:
            continue
        if not trow.empty and r["id"] in trow.index:
            reason = (f"no value for this area ({trow.loc[r['id'], 'status']}, latest period "
                      f"{trow.loc[r['id'], 'period']})")
        elif r.get("status") and r.get("status") != "available":
            reason = vocab.label("availability", r.get("status")).lower()
        else:
            reason = "not published for this area in this data"
        rows.append({"metric_id": r["id"], "short_title": r.get("short_title") or r.get("title"), "reason": reason,
                     "status_note": r.get("status_note") or "", "publisher_url": r.get("publisher_url") or ""})
    return pd.DataFrame(rows, columns=cols)
