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

A count (catalogue `aggregation: sum`, e.g. fly-tipping incidents) is never compared: the national
and regional figures are totals over many areas, so neither they nor a group's average count say
anything about one area's count; its spread (the local authorities' counts) is shown, centred on
their median, and the rate is the metric to compare.

Every distribution, benchmark lookup and latest period comes from the read layer's per-build
tables (`queries.observations.spread`, `national_values`, `group_mean`, `latest_with_value`), so
a profile costs dictionary look-ups, not a pass over the data.
"""
from __future__ import annotations

import functools
import json
import re

import numpy as np
import pandas as pd

from dashboard import queries as q
from dashboard.analysis import reasons
from dashboard.formatting import as_float, join_words
from dashboard.queries import vocabulary as vocab
from etl import stats

NO_CI_REASON = "not compared: no confidence interval is published for this value"
COUNT_REASON = ("not compared: this is a count, and the national and regional figures are totals over many areas; "
                "compare the rate instead")
NAN3 = (np.nan, np.nan, np.nan)
STALE_DAYS = 300  # a latest value at least this much older than the metric's latest period is flagged


# ----------------------------------------------------------------------------- series
def per_area(fn):
    """Memoise `fn(info)` per build on the area's code when `info` is a resolved area (what the
    pages pass); any other dict is computed afresh. The answer is shared: never modify it."""
    def by_code(code: str):
        return fn(q.areas.resolve(code))
    by_code.__module__, by_code.__qualname__ = fn.__module__, f"{fn.__qualname__}.by_code"
    cached = q.per_build(maxsize=1024)(by_code)

    @functools.wraps(fn)
    def wrapper(info: dict):
        code = info.get("code")
        if code and info.get("status") in ("current", "retired"):
            return cached(code)
        return fn(info)
    wrapper.uncached = fn
    return wrapper


def by_metric(series: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {m: g for m, g in series.groupby("metric_id", sort=False)} if not series.empty else {}


@per_area
def area_groups(info: dict) -> dict[str, pd.DataFrame]:
    """The area's rows split by metric (oldest period first)."""
    return by_metric(area_series(info))


@per_area
def area_trends(info: dict) -> dict[str, tuple[list[str], np.ndarray]]:
    """metric -> (periods, values) of the periods with a value, oldest first (for sparklines)."""
    s = area_series(info)
    if s.empty:
        return {}
    order = np.lexsort((s["period_end"].to_numpy(), s["metric_id"].to_numpy()))
    metric = s["metric_id"].to_numpy()[order]
    value = s["value"].astype(float).to_numpy()[order]
    period = s["period"].astype(str).to_numpy()[order]
    out = {}
    for m, idx in pd.Series(metric).groupby(metric, sort=False).indices.items():
        v, ok = value[idx], np.isfinite(value[idx])
        out[m] = (period[idx][ok].tolist(), v[ok])
    return out


@per_area
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


def the(place: str) -> str:
    """A place as a sentence names it: 'the United Kingdom', 'England'."""
    uk = vocab.uk().get("name")
    g = vocab.geography("uk")
    return f"{g.article if g else 'the'} {place}" if place and place == uk else place


def national_gap(metric_id: str, period: str, nat: str | None) -> str:
    """'' when the national benchmark is published for the period; otherwise which national
    figures the publisher does give (e.g. the UK and the other nations but not England)."""
    if not nat or not {"country", "uk"} & set(q.catalogue.geographies_of(metric_id)):
        return ""  # never published nationally (e.g. a zone statistic): nothing is missing
    have = q.observations.national_values(metric_id, period)
    if nat in have and np.isfinite(have[nat][0]):
        return ""
    codes = [vocab.uk_code(), *vocab.nation_codes()]
    places = [the(vocab.place_name(c)) for c in codes if c in have and np.isfinite(have[c][0])]
    text = f"No value for {the(vocab.place_name(nat))} is published for {period} in this data"
    if places:
        text += f": the publisher's figures for that period cover {join_words(places)}"
    return text


def is_count(metric: dict | None) -> bool:
    """A count of events (summed over areas), not a rate, share, score or amount per head."""
    return (metric or {}).get("aggregation") == "sum"


def icb_split_text(code: str) -> str:
    """'' unless the area's neighbourhoods fall in more than one ICB; then the shares, largest first."""
    shares = q.areas.icb_shares(code)
    g = vocab.geography("icb")
    if len(shares) < 2:
        r = q.areas.row(code) or {}
        if r.get("icb_split") and shares:  # a build without the shares artefact: the row's own share
            return (f"split between {g.plural if g else 'ICBs'}; ICB values shown are for the one holding most "
                    f"of its neighbourhoods ({shares[0]['share']:.0%})")
        return ""
    parts = ", ".join(f"{s['icb_name']} {s['share']:.0%}" for s in shares)
    return (f"split between {len(shares)} {g.plural if g else 'ICBs'} by its neighbourhoods ({parts}); "
            "ICB values shown are for the first")


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
        split = icb_split_text(own) if info else ""
        if split:
            text += f"; this area is {split}"
    elif native == "aq_zone":
        # the metric's own title says which zone statistic it is (highest, median of sites, ...)
        text = f"{g.value_label} ({nname})" if nname else g.value_label
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


def is_shared(row: dict, info: dict) -> bool:
    """A value published for a larger area (a county, ICB, zone, region) and shared by this one."""
    ncode = row.get("native_area_code")
    return q.areas.present(ncode) and ncode != info.get("code") and row.get("native_geography") != info.get("geography")


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


def age_text(days: float) -> str:
    """'9 months', '6 years': how much older one period is than another."""
    months = int(round(days / 30.44))
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''}"
    years = int(round(days / 365.25))
    return f"{years} years"


def staleness(metric_id: str, period: str, period_end, info: dict, series: pd.DataFrame | None = None) -> dict:
    """How much older an area's latest value is than the metric's latest period (at the area's
    geography): latest_period, days, note ('' when it is recent), and why the newer value is missing
    (`series`: the area's rows of this metric)."""
    geo = "ltla" if q.areas.is_current_ltla(info) else (info.get("geography") or "ltla")
    got = q.observations.latest_with_value(metric_id, geo)
    if got is None or period_end is None or pd.isna(period_end):
        return {"latest_period": None, "days": 0, "note": ""}
    latest, latest_end = got
    days = float((pd.Timestamp(latest_end) - pd.Timestamp(period_end)).days)
    if days < STALE_DAYS:
        return {"latest_period": latest, "days": max(days, 0.0), "note": ""}
    why = ""
    if series is not None and not series.empty:
        r = series[series["period"].astype(str) == latest]
        if not r.empty:
            why = reasons.why(r["status"].iloc[0], r["note"].iloc[0] if "note" in r else None)
    why = why or reasons.NOT_PUBLISHED_HERE.replace(" and period", "")
    return {"latest_period": latest, "days": days, "note": stale_sentence(period, latest, days, why), "why": why}


def stale_sentence(period: str, latest: str, days: float, why: str) -> str:
    return (f"Latest value for this area is from {period}, {age_text(days)} older than the latest period "
            f"published ({latest}: {why})")


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


def spread_of(metric: str, period: str, info: dict) -> dict | None:
    """The distribution the area is placed among: distinct LTLA values (English LTLAs for English
    areas), or the values of the area's own geography (English ones for English areas)."""
    geo = info.get("geography")
    if geo in (None, "ltla"):
        return q.observations.spread(metric, period, "ltla", q.areas.national_code(info) == vocab.england_code())
    return q.observations.spread(metric, period, geo, spread_in_england(info))


# ----------------------------------------------------------------------------- the table
PROFILE_COLUMNS = ["metric_id", "title", "short_title", "kind", "unit", "polarity", "decimals", "period", "value",
                   "lower", "upper", "status", "derived", "is_count", "native_geography", "native_area_code",
                   "geography_note", "shared", "nat_code", "nat_name", "nat_value", "nat_lower", "nat_upper", "vs_nat",
                   "reg_code", "reg_name", "reg_value", "reg_lower", "reg_upper", "vs_reg", "group_label",
                   "group_value", "group_n", "vs_group", "compare_note", "dist_min", "dist_q25", "dist_median",
                   "dist_q75", "dist_max", "dist_n", "nat_gap", "latest_period", "stale_note", "stale_key", "sort",
                   "publisher_url", "status_note", "note"]


@per_area
def latest_rows(info: dict) -> list[dict]:
    """The area's latest row per metric (see `latest_with_value`), as records."""
    series = area_series(info)
    return latest_with_value(series).to_dict("records") if not series.empty else []


@per_area
def base_rows(info: dict) -> list[dict]:
    """Every catalogue metric's latest value for the area with everything that does not depend on
    a comparator group: benchmarks, comparisons, spread, geography and age. Sorted for display."""
    groups = area_groups(info)
    nat, reg = q.areas.national_code(info), q.areas.regional_code(info)
    nat_name, reg_name = vocab.place_name(nat), (q.areas.name(reg) if reg else "")
    rows = []
    for r in latest_rows(info):
        m, period = r["metric_id"], str(r["period"])
        mm = q.catalogue.metric(m)
        if mm is None:
            continue
        pol = str(mm.get("polarity") or "no_judgement")
        count = is_count(mm)
        v, lo, hi = float(r["value"]), float(r["lower"]), float(r["upper"])
        nv = NAN3 if count else q.observations.value_of(m, period, nat)
        rv = NAN3 if (count or not reg) else q.observations.value_of(m, period, reg)
        sp = spread_of(m, period, info) or {}
        status = r.get("status", "")
        stale = (staleness(m, period, r.get("period_end"), info, groups.get(m)) if np.isfinite(v)
                 else {"latest_period": None, "note": ""})
        rows.append({
            "metric_id": m, "title": mm.get("title"), "short_title": mm.get("short_title") or mm.get("title"),
            "kind": mm.get("kind"), "unit": mm.get("unit") or "", "polarity": pol, "decimals": q.catalogue.decimals(m),
            "period": period, "value": v, "lower": lo, "upper": hi, "status": status,
            "derived": bool(r.get("derived", False)), "is_count": count, "native_geography": r.get("native_geography"),
            "native_area_code": r.get("native_area_code"), "geography_note": geography_note(r, info),
            "shared": is_shared(r, info),
            "nat_code": nat, "nat_name": nat_name, "nat_value": nv[0], "nat_lower": nv[1], "nat_upper": nv[2],
            "vs_nat": "not compared" if count else compare(v, lo, hi, nv[0], pol),
            "reg_code": reg, "reg_name": reg_name, "reg_value": rv[0], "reg_lower": rv[1], "reg_upper": rv[2],
            "vs_reg": "not compared" if (count or not reg) else compare(v, lo, hi, rv[0], pol),
            "group_label": "", "group_value": np.nan, "group_n": 0, "vs_group": "not compared",
            "compare_note": (COUNT_REASON if count and np.isfinite(v) else why_not(v, lo, hi, nv[0], status)),
            "dist_min": sp.get("min", np.nan), "dist_q25": sp.get("q25", np.nan),
            "dist_median": sp.get("median", np.nan), "dist_q75": sp.get("q75", np.nan),
            "dist_max": sp.get("max", np.nan), "dist_n": int(sp.get("n", 0)),
            "nat_gap": "" if count else national_gap(m, period, nat),
            "latest_period": stale["latest_period"], "stale_note": stale["note"],
            "stale_key": (period, stale["latest_period"], round(stale.get("days", 0)), stale.get("why", ""))
            if stale["note"] else None,
            "sort": mm.get("sort") or 999, "publisher_url": mm.get("publisher_url") or "",
            "status_note": mm.get("status_note") or "", "note": r.get("note") or "",
        })
    return sorted(rows, key=lambda x: (x["sort"], x["metric_id"]))


def profile_rows(info: dict, group_codes: list[str] | None = None, group_label: str = "comparator group",
                 kinds: tuple[str, ...] | None = None) -> list[dict]:
    """One record per metric (latest period with a value): the value with its CI, its native
    geography, the national, regional and comparator-group benchmarks with the comparison against
    each, the spread of values (for the spine chart), and how old the value is."""
    group = list(dict.fromkeys(group_codes or []))
    out = []
    for b in base_rows(info):
        if kinds and b["kind"] not in kinds:
            continue
        r = dict(b, group_label=group_label)
        if group and not r["is_count"]:
            gv, gn = q.observations.group_mean(r["metric_id"], r["period"], group)
            r.update(group_value=gv, group_n=gn, vs_group=compare(r["value"], r["lower"], r["upper"], gv, r["polarity"]))
        out.append(r)
    return out


def profile_table(info: dict, group_codes: list[str] | None = None, group_label: str = "comparator group",
                  kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """`profile_rows` as a table."""
    return pd.DataFrame(profile_rows(info, group_codes, group_label, kinds), columns=PROFILE_COLUMNS)


POSITION_KEYS = ("x_min", "x_q25", "x_q75", "x_max", "x_value", "x_centre", "centre_label", "centre_value",
                 "centre_is_national", "flipped")


def spine_position(r: dict, median_name: str = "Median") -> dict:
    """Fingertips-style spine chart coordinates in 0..1 of one row: the national value at 0.5, the
    spread scaled so the furthest extreme touches 0 or 1, and oriented so that RIGHT is better
    for lower-is-better metrics too (no flip for 'no judgement'). When the national value is
    missing, outside the spread, or a total (a count), the spread's median is the centre and is
    labelled so."""
    nat = float(r["nat_value"])
    lo_d, hi_d = float(r["dist_min"]), float(r["dist_max"])
    usable = bool(np.isfinite(nat) and not (nat > hi_d or nat < lo_d) and not r.get("is_count", False))
    centre = nat if usable else float(r["dist_median"])
    dists = [abs(x - centre) for x in (hi_d, lo_d, float(r["value"])) if np.isfinite(x) and np.isfinite(centre)]
    ext = max(dists) if dists else np.nan
    ext = ext if np.isfinite(ext) and ext > 0 else 1.0
    flip = r["polarity"] == "lower_better"
    sign = -1.0 if flip else 1.0

    def x(v):
        return 0.5 + sign * (float(v) - centre) / (2 * ext)
    xs = {k: x(r[f"dist_{k}"]) for k in ("min", "q25", "q75", "max")}
    return {"x_min": min(xs["min"], xs["max"]), "x_max": max(xs["min"], xs["max"]),
            "x_q25": min(xs["q25"], xs["q75"]), "x_q75": max(xs["q25"], xs["q75"]), "x_value": x(r["value"]),
            "x_centre": 0.5, "centre_label": r["nat_name"] if usable else median_name, "centre_value": centre,
            "centre_is_national": usable, "flipped": flip}


def spine_positions(table: pd.DataFrame, median_name: str = "Median") -> pd.DataFrame:
    """`spine_position` for every row of a table (the table's columns plus the coordinates)."""
    out = table.copy()
    recs = [spine_position(r, median_name) for r in table.to_dict("records")]
    for k in POSITION_KEYS:
        out[k] = [p[k] for p in recs] if recs else pd.Series(dtype=object)
    return out


# ----------------------------------------------------------------------------- headline
@per_area
def headline_summary(info: dict) -> list[dict]:
    """For each headline measure: the latest mean score (with CI, vs national and regional
    benchmarks, change since the first period with its 95% CI and significance) and the latest
    published low-well-being share (or None with the reason)."""
    groups = area_groups(info)
    nat, reg = q.areas.national_code(info), q.areas.regional_code(info)
    out = []
    for h in q.catalogue.headline():
        item = {"key": h["measure"], "label": h["label"], "share_id": h["share_id"], "mean_id": h["mean_id"],
                "share_label": q.catalogue.share_label(h), "mean": None, "share": None, "change": None,
                "share_url": (q.catalogue.metric(h["share_id"]) or {}).get("publisher_url") or "",
                "mean_url": (q.catalogue.metric(h["mean_id"]) or {}).get("publisher_url") or ""}
        for kind, mid in (("mean", h["mean_id"]), ("share", h["share_id"])):
            s = groups.get(mid)
            if s is None or s.empty:
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


@per_area
def headline_holes(info: dict) -> list[dict]:
    """Headline metrics whose latest period (the latest any area of this kind has) has no value
    for this area: metric_id, missing (the period), shown (the latest period with a value, or
    None) and reason (in words, from the row's status and note)."""
    groups = area_groups(info)
    geo = "ltla" if q.areas.is_current_ltla(info) else (info.get("geography") or "ltla")
    out = []
    for mid in q.catalogue.mean_ids() + q.catalogue.share_ids():
        got = q.observations.latest_with_value(mid, geo)
        if got is None:
            continue
        latest, _end = got
        s = groups.get(mid, pd.DataFrame(columns=["period", "value", "status", "note", "period_end"]))
        have = s[np.isfinite(s["value"].astype(float))] if not s.empty else s
        if not have.empty and (have["period"].astype(str) == latest).any():
            continue
        if have.empty and s.empty:
            continue  # never published for this area (e.g. shares outside London): said on the cards
        row = s[s["period"].astype(str) == latest] if not s.empty else s
        why = (reasons.why(row["status"].iloc[0], row["note"].iloc[0] if "note" in row else None) if not row.empty
               else reasons.NOT_PUBLISHED_HERE)
        shown = str(have.sort_values("period_end")["period"].iloc[-1]) if not have.empty else None
        out.append({"metric_id": mid, "missing": latest, "shown": shown, "reason": why})
    return out


# ----------------------------------------------------------------------------- mission
def mission_summary(code: str) -> dict | None:
    """Worst-third membership with its uncertainty for the latest period, what exactly is ranked
    (the combined worst-measure ordering and each measure on its own), and the history."""
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
    p_adj = float(r["p_worst_third_adjusted"]) if pd.notna(r.get("p_worst_third_adjusted", np.nan)) else np.nan
    basis = str(r.get("basis", "means"))
    worst = titles.get(r["worst_metric"], str(r["worst_metric"]).replace("_", " "))
    head = f"{'In' if bool(r['in_worst_third']) else 'Not in'} the worst third in {r['period']} on the published estimates"
    bits = []
    if np.isfinite(p_adj):
        bits.append(f"allowing for sampling noise, the probability that it is truly in the worst third is {p_adj:.0%}")
    if np.isfinite(p):
        # the published-estimate simulation re-draws noise around already-noisy estimates: it says
        # how stable the published ranking is, not how likely true membership is
        bits.append(f"the published ranking puts it there in {p:.0%} of {n_sims:,} re-draws from the published "
                    "confidence intervals (how stable that ranking is)")
    sentence = f"{head}: {'; '.join(bits)}." if bits else f"{head}."
    sure = p_adj if np.isfinite(p_adj) else p
    certainty = ("clearly" if sure >= 0.95 or sure <= 0.05 else "probably" if sure >= 0.75 or sure <= 0.25
                 else "uncertain") if np.isfinite(sure) else "unknown"
    ranks = q.mission.measure_ranks(str(r["period"]))
    measures = []
    for c in [c for c in r.index if str(c).startswith("pct_")]:
        mid = c[4:]
        have = not ranks.empty and code in ranks.index and f"rank_{mid}" in ranks
        rk = ranks.loc[code, f"rank_{mid}"] if have else pd.NA
        rkmax = ranks.loc[code, f"rankmax_{mid}"] if have else pd.NA
        # the published estimate and the small-area model's (shrunk) estimate with its interval
        model = {"value": as_float(r.get(f"value_{mid}")), "shrunk": as_float(r.get(f"shrunk_{mid}")),
                 "shrunk_lower": as_float(r.get(f"shrunk_{mid}_lower")),
                 "shrunk_upper": as_float(r.get(f"shrunk_{mid}_upper")),
                 "reliability": as_float(r.get(f"reliability_{mid}"))}
        measures.append({"metric_id": mid, "title": titles.get(mid, mid), "percentile": float(r[c]),
                         "rank": int(rk) if pd.notna(rk) else None,
                         "rank_last": int(rkmax) if pd.notna(rkmax) else None, "worst": mid == r["worst_metric"],
                         **model})
    on_worst = next((x for x in measures if x["worst"]), None)
    worst_rank = on_worst["rank"] if on_worst else None
    cols = ["period", "basis", "worst_metric", "worst_percentile", "rank", "n_ranked", "in_worst_third",
            "p_worst_third_adjusted", "p_worst_third", "uses_derived"]
    table = yearly.reindex(columns=cols).copy()
    table["worst_metric"] = table["worst_metric"].map(lambda x: titles.get(x, x))
    baseline = ""
    if not base.empty:
        b = base.iloc[-1]
        pb = b.get("p_worst_third_adjusted", np.nan)
        pb = b["p_worst_third"] if pd.isna(pb) else pb
        if pd.notna(pb):
            what = "probability of truly being in it" if pd.notna(b.get("p_worst_third_adjusted", np.nan)) \
                else "stability of the published ranking"
            baseline = (f"Baseline ({b['period']}): {'in' if bool(b['in_worst_third']) else 'not in'} the worst third "
                        f"on the published estimates ({what} {float(pb):.0%}).")
    return {"period": r["period"], "in_worst_third": bool(r["in_worst_third"]), "p": p, "p_adjusted": p_adj,
            "sentence": sentence,
            "certainty": certainty, "worst_metric": r["worst_metric"], "worst_title": worst,
            "worst_percentile": float(r["worst_percentile"]), "rank": int(r["rank"]), "n_ranked": int(r["n_ranked"]),
            "worst_measure_rank": worst_rank, "worst_measure_rank_last": on_worst["rank_last"] if on_worst else None,
            "measures": measures,
            "basis": basis, "baseline": baseline, "uses_derived": bool(r.get("uses_derived", False)),
            "history": table.reset_index(drop=True)}


MISSION_DOWNLOAD_ID = "mission_worst_third"


def mission_download(info: dict) -> pd.DataFrame:
    """The area's worst-third result for every ranked period, as download rows: value 1 (in the
    worst third) or 0, with the small-area model's probability of true membership, the stability
    of the published ranking (p_worst_third), the worst measure, its percentile and both ranks."""
    m = q.mission.ltla_rows(info.get("code"))
    if m.empty:
        return pd.DataFrame()
    if "basis" in m and (m["basis"] == "shares").any():
        m = m[m["basis"] == "shares"]
    rows = []
    for r in m.sort_values("period").to_dict("records"):
        period = str(r["period"])
        ranks = q.mission.measure_ranks(period) if not bool(r["is_baseline"]) else pd.DataFrame()
        wm = r["worst_metric"]
        rk = (ranks.loc[info["code"], f"rank_{wm}"] if not ranks.empty and info["code"] in ranks.index
              and f"rank_{wm}" in ranks else pd.NA)
        rows.append({"area_code": info.get("code"), "area_name": info.get("name", ""), "metric_id": MISSION_DOWNLOAD_ID,
                     "metric_title": "In the mission's worst third of local authorities (1 = yes, 0 = no)",
                     "unit": "1 = in the worst third", "period": period, "value": int(bool(r["in_worst_third"])),
                     "mission_basis": r.get("basis"), "mission_is_baseline": bool(r["is_baseline"]),
                     "p_worst_third_adjusted": round(as_float(r.get("p_worst_third_adjusted")), 3),
                     "p_worst_third": round(float(r["p_worst_third"]), 3) if pd.notna(r["p_worst_third"]) else np.nan,
                     "worst_measure": wm, "worst_percentile": round(float(r["worst_percentile"]), 1),
                     "rank_worst_measure_ordering": int(r["rank"]),
                     "rank_on_worst_measure": int(rk) if pd.notna(rk) else pd.NA, "n_ranked": int(r["n_ranked"])})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- download
def profile_download(info: dict) -> pd.DataFrame:
    """Every row of the area's profile (all metrics, all periods) with its native geography, the
    national and regional benchmark values of the same period and the comparisons (none for
    counts, see COUNT_REASON), then the mission's worst-third result for a local authority."""
    series = area_series(info)
    if series.empty:
        return pd.DataFrame(columns=["area_code", "area_name", "metric_id", "period", "value", "lower", "upper"])
    nat, reg = q.areas.national_code(info), q.areas.regional_code(info)
    s = series.copy()
    metas = {m: (q.catalogue.metric(m) or {}) for m in s["metric_id"].unique()}
    s["area_name"] = info.get("name", "")
    s["metric_title"] = s["metric_id"].map(lambda m: metas[m].get("title"))
    s["unit"] = s["metric_id"].map(lambda m: metas[m].get("unit"))
    s["polarity"] = s["metric_id"].map(q.catalogue.polarity)
    count = s["metric_id"].map(lambda m: is_count(metas[m])).astype(bool)
    s["geography_note"] = [geography_note(r, info) for r in s.to_dict("records")]
    for tag, c in (("national", nat), ("region", reg)):
        vals = [q.observations.value_of(m, p, c) if (c and not k) else NAN3
                for m, p, k in zip(s["metric_id"], s["period"], count)]
        s[f"{tag}_code"] = c
        s[f"{tag}_value"] = [v[0] for v in vals]
        s[f"{tag}_lower"] = [v[1] for v in vals]
        s[f"{tag}_upper"] = [v[2] for v in vals]
        s[f"vs_{tag}"] = [compare(v, lo, hi, b, p) for v, lo, hi, b, p in
                          zip(s["value"], s["lower"], s["upper"], s[f"{tag}_value"], s["polarity"])]
    s["compare_note"] = np.where(count, COUNT_REASON, "")
    keep = ["area_code", "area_name", "metric_id", "metric_title", "unit", "polarity", "period", "period_start",
            "period_end", "value", "lower", "upper", "status", "derived", "native_geography", "native_area_code",
            "geography_note", "national_code", "national_value", "national_lower", "national_upper", "vs_national",
            "region_code", "region_value", "region_lower", "region_upper", "vs_region", "compare_note", "note",
            "source_file"]
    s["area_code"] = info.get("code")
    out = s[[c for c in keep if c in s.columns]].copy()
    for c in ("period_start", "period_end"):
        if c in out:
            out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
    if q.areas.is_current_ltla(info):
        mission = mission_download(info)
        if not mission.empty:
            out = pd.concat([out, mission], ignore_index=True)
    return out


def safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "download"


def _equivalents(metric: dict, nation: str | None) -> list[dict]:
    try:
        eq = json.loads(metric.get("devolved_equivalents") or "[]")
    except (TypeError, ValueError):
        return []
    return [e for e in eq if e.get("nation") == nation]


def unavailable_metrics(table, kinds: tuple[str, ...] = ("supporting", "context"),
                        info: dict | None = None) -> pd.DataFrame:
    """Catalogue metrics of these kinds with no value for the area, with the reason and the
    publisher link: England only (for an area outside England, with the devolved government's
    nearest equivalent where the catalogue names one), not in this data (the catalogue's status),
    or present but without a value for this area (its row status, e.g. 'suppressed')."""
    cols = ["metric_id", "short_title", "reason", "status_note", "publisher_url", "england_only", "equivalents"]
    recs = table.to_dict("records") if isinstance(table, pd.DataFrame) else list(table)
    have = {r["metric_id"] for r in recs if np.isfinite(float(r["value"]))}
    trow = {r["metric_id"]: r for r in recs}
    nation = vocab.nation_of((info or {}).get("code"))
    outside_england = bool(nation) and nation["code"] != vocab.england_code()
    rows = []
    for r in q.catalogue.ordered(kinds):
        if r["id"] in have:
            continue
        england_only = outside_england and r.get("coverage") == "england"
        if england_only:
            reason = f"England only: published for areas in {vocab.place_name(vocab.england_code())}, not {nation['name']}"
        elif r["id"] in trow:
            reason = (f"no value for this area ({trow[r['id']]['status']}, latest period "
                      f"{trow[r['id']]['period']})")
        elif r.get("status") and r.get("status") != "available":
            reason = vocab.label("availability", r.get("status")).lower()
        else:
            reason = "not published for this area in this data"
        rows.append({"metric_id": r["id"], "short_title": r.get("short_title") or r.get("title"), "reason": reason,
                     "status_note": "" if england_only else (r.get("status_note") or ""),
                     "publisher_url": r.get("publisher_url") or "", "england_only": england_only,
                     "equivalents": _equivalents(r, nation["code"]) if england_only else []})
    return pd.DataFrame(rows, columns=cols)
