"""Area profile computations (pure pandas/numpy; no Dash).

Everything here takes the build's frames (la_view, observations, areas, metrics, mission_ltla)
as arguments so it can be unit tested on small synthetic frames.

Benchmarks. A current LTLA's values come from `la_view` (every metric on current LTLAs, with
the native geography of each value). Other geographies (counties, unitary authorities as
upper tier, ICBs, air-quality zones, regions, nations) use `observations` rows published for
that code. Each value is compared (Fingertips style, `etl.stats.compare_to_benchmark`) with:
* the national benchmark: England (E92000001) for English areas, the UK (K02000001) otherwise;
* the region (English areas) or the nation (Welsh, Scottish, Northern Irish areas);
* a comparator group: the unweighted mean of the group's LTLA values in the same period.
An area is 'better'/'worse' only when its 95% CI excludes the benchmark value, oriented by the
metric's polarity; without a published CI it is 'not compared' (the reason is given).
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from etl import stats

ENGLAND = "E92000001"
UK = "K02000001"
COUNTRY_NAMES = {"E92000001": "England", "W92000004": "Wales", "S92000003": "Scotland",
                 "N92000002": "Northern Ireland", UK: "United Kingdom"}

# The four headline measures: (key, label, share metric, mean metric).
HEADLINE_PAIRS = [
    ("life_satisfaction", "Life satisfaction", "low_life_satisfaction", "mean_life_satisfaction"),
    ("worthwhile", "Feeling that things done in life are worthwhile", "low_worthwhile", "mean_worthwhile"),
    ("happiness", "Happiness yesterday", "low_happiness", "mean_happiness"),
    ("anxiety", "Anxiety yesterday", "high_anxiety", "mean_anxiety"),
]
HEADLINE_IDS = {m for p in HEADLINE_PAIRS for m in p[2:]}

CODE_RE = re.compile(r"^[A-Z][0-9A-Z]{1,11}$")

NO_CI_REASON = "not compared: no confidence interval is published for this value"

_CACHE: dict = {}


def _cached(df: pd.DataFrame, tag: str, fn):
    """Memoise a derived view of a (read-only) build frame for this process."""
    key = (tag, id(df), len(df))
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not df:
        if len(_CACHE) > 64:
            _CACHE.clear()
        hit = _CACHE[key] = (df, fn(df))  # holding df keeps its id from being reused
    return hit[1]


def _by_area(df: pd.DataFrame) -> dict:
    return _cached(df, "by_area", lambda d: {k: g for k, g in d.groupby("area_code", sort=False)} if not d.empty else {})


def _by_metric_period(df: pd.DataFrame, english_only: bool) -> dict:
    def build(d):
        if d.empty:
            return {}
        d = d[np.isfinite(d["value"].astype(float))]
        if english_only:
            d = d[d["area_code"].str.startswith("E")]
        return {k: g for k, g in d.groupby(["metric_id", "period"], sort=False)}
    return _cached(df, f"by_mp_{english_only}", build)


# ----------------------------------------------------------------------------- areas

def _first(df: pd.DataFrame) -> dict | None:
    return None if df.empty else df.iloc[0].to_dict()


def area_row(areas: pd.DataFrame, code: str) -> dict | None:
    """The areas row for a code, preferring the current LTLA row when a code has several
    (a unitary authority is both an LTLA and an upper-tier authority)."""
    if areas.empty or not code:
        return None
    rows = areas[areas["code"] == code]
    if rows.empty:
        return None
    order = {"ltla": 0, "utla": 1, "icb": 2, "aq_zone": 3, "region": 4, "country": 5, "uk": 6}
    rows = rows.assign(_a=~rows["active"].astype(bool), _g=rows["geography"].map(order).fillna(9))
    return rows.sort_values(["_a", "_g"]).drop(columns=["_a", "_g"]).iloc[0].to_dict()


def _names(areas: pd.DataFrame) -> dict:
    def build(a):
        if a.empty:
            return {}
        a = a.assign(_a=~a["active"].astype(bool)).sort_values("_a")
        return dict(zip(a["code"][::-1], a["name"][::-1]))
    return _cached(areas, "names", build)


def name_of(areas: pd.DataFrame, code) -> str:
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    if code in COUNTRY_NAMES:
        return COUNTRY_NAMES[code]
    return str(_names(areas).get(code, code))


def _present(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and str(x) not in ("", "nan", "None")


def resolve_area(areas: pd.DataFrame, code: str | None) -> dict:
    """What the URL's code refers to.

    Returns a dict with `status`: 'current' (a current area of any geography), 'retired' (a
    former code; `successor_code`/`successor_name` when known), 'unknown' (well-formed but not
    in the build) or 'invalid' (not a GSS-like code), plus the areas row fields."""
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        return {"status": "invalid", "code": code}
    row = area_row(areas, code)
    if row is None:
        return {"status": "unknown", "code": code}
    out = dict(row, status="current" if bool(row.get("active")) else "retired", code=code)
    if out["status"] == "retired":
        succ = row.get("successor_code")
        if not _present(succ):
            # e.g. an abolished county: the current areas listing it among their former codes.
            fc = areas.get("former_codes")
            if fc is not None:
                hit = areas[fc.fillna("").astype(str).str.contains(code, regex=False) & areas["active"].astype(bool)]
                succ = hit["code"].iloc[0] if len(hit) == 1 else None
        if _present(succ):
            out["successor_code"] = succ
            out["successor_name"] = name_of(areas, succ)
        else:
            out["successor_code"] = None
    return out


def is_current_ltla(info: dict) -> bool:
    return info.get("status") == "current" and info.get("geography") == "ltla"


def national_code(info: dict) -> str:
    """England for English areas, the UK otherwise."""
    code = str(info.get("code", ""))
    country = info.get("country_code")
    if code.startswith("E") or (_present(country) and str(country) == ENGLAND):
        return ENGLAND
    return UK


def regional_code(info: dict) -> str | None:
    """The area's region (England) or nation (elsewhere); None for a region/nation/UK itself."""
    geo = info.get("geography")
    if geo in ("region", "country", "uk"):
        return None
    reg = info.get("region_code")
    if _present(reg):
        return str(reg)
    ctry = info.get("country_code")
    if _present(ctry) and str(ctry) != ENGLAND:
        return str(ctry)
    code = str(info.get("code", ""))
    return {"W": "W92000004", "S": "S92000003", "N": "N92000002"}.get(code[:1])


# ----------------------------------------------------------------------------- series

def area_series(la_view: pd.DataFrame, observations: pd.DataFrame, info: dict) -> pd.DataFrame:
    """Every row for the area: la_view for a current LTLA, observations otherwise.
    Always has native_geography / native_area_code (an area's own rows are native)."""
    code = info.get("code")
    if is_current_ltla(info) and not la_view.empty:
        df = _by_area(la_view).get(code, la_view.iloc[0:0]).copy()
    elif not observations.empty:
        df = _by_area(observations).get(code, observations.iloc[0:0]).copy()
        df["native_geography"] = df["geography"]
        df["native_area_code"] = df["area_code"]
    else:
        df = pd.DataFrame()
    if df.empty:
        return df
    return df.sort_values(["metric_id", "period_end", "period"]).reset_index(drop=True)


def geography_note(row: dict, areas: pd.DataFrame, info: dict | None = None) -> str:
    """Plain-English statement of where a value comes from (the native geography)."""
    native = row.get("native_geography")
    ncode = row.get("native_area_code")
    own = info.get("code") if info else row.get("area_code")
    nname = name_of(areas, ncode) if _present(ncode) else ""
    if native == "utla":
        if ncode == own:
            text = "Upper-tier (county or unitary) value for this area"
        else:
            text = f"County-level value ({nname}) shared by all its districts"
    elif native == "icb":
        text = f"ICB-level value ({nname})" if nname else "ICB-level value"
        if info:
            if bool(info.get("icb_split")) and _present(info.get("icb_share")):
                text += (f"; this area is split between ICBs and takes the ICB holding most of its "
                         f"population ({float(info['icb_share']):.0%} of its neighbourhoods)")
    elif native == "aq_zone":
        text = (f"Air-quality-zone value ({nname}): highest annual mean in the zone" if nname
                else "Air-quality-zone value (highest annual mean in the zone)")
        if info and bool(info.get("aq_zone_derived")) is True:
            text += "; zone assigned from neighbouring areas (derived)"
    elif native == "region":
        text = f"Regional value ({nname})" if ncode != own else "Regional value"
    elif native == "country":
        text = f"National value ({nname})" if ncode != own else "National value"
    elif native == "uk":
        text = "UK value"
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


def _lookup(observations: pd.DataFrame, codes: set[str]) -> dict:
    """(metric_id, period, area_code) -> (value, lower, upper) for the benchmark codes."""
    if observations.empty:
        return {}
    by = _by_area(observations)
    parts = [by[c] for c in codes if c in by]
    if not parts:
        return {}
    b = pd.concat(parts)
    return {(m, p, c): (v, lo, hi) for m, p, c, v, lo, hi in
            zip(b["metric_id"], b["period"], b["area_code"], b["value"], b["lower"], b["upper"])}


def _nan3():
    return (np.nan, np.nan, np.nan)


def group_codes_default(areas: pd.DataFrame, info: dict) -> list[str]:
    """Default comparator group: current LTLAs in the same region (or nation)."""
    reg = regional_code(info)
    a = areas[(areas["geography"] == "ltla") & areas["active"].astype(bool)]
    if reg is None:
        return []
    if reg.startswith("E12"):
        return a[a["region_code"] == reg]["code"].tolist()
    return a[a["code"].str[:1] == reg[:1]]["code"].tolist()


def _compare(value, lower, upper, bench, polarity) -> str:
    return str(stats.compare_to_benchmark([value], [lower], [upper], [bench], polarity)[0])


def _why_not(value, lower, upper, bench, status) -> str:
    if not np.isfinite(value):
        return f"no value ({status})" if status and status != "ok" else "no value"
    if not (np.isfinite(lower) and np.isfinite(upper)):
        return NO_CI_REASON
    if not np.isfinite(bench):
        return "not compared: no benchmark value for this period"
    return ""


SPREAD_NOUNS = {"ltla": "local-authority", "utla": "county and unitary authority", "icb": "integrated care board (ICB)",
                "aq_zone": "air-quality zone", "region": "regional", "country": "UK nations'", "uk": "UK"}
MEDIAN_NOUNS = {"ltla": "Local-authority median", "utla": "County and unitary authority median",
                "icb": "ICB median", "aq_zone": "Air-quality zone median", "region": "Regional median",
                "country": "Median of the UK nations", "uk": "UK value"}


def _english_codes(areas: pd.DataFrame) -> set:
    if areas.empty or "country_code" not in areas:
        return set()
    return set(areas.loc[areas["country_code"].astype(object) == ENGLAND, "code"].astype(str))


def spread_in_england(info: dict) -> bool:
    """Whether the spine's spread is of English areas only (English areas other than nations)."""
    return national_code(info) == ENGLAND and info.get("geography") not in ("country", "uk")


def spread_label(info: dict) -> str:
    """What the spine chart's grey bar shows, in words: the areas of the profiled area's own type
    ('county and unitary authority values in England'), matching `profile_table`'s dist_* columns."""
    geo = info.get("geography") or "ltla"
    if geo == "uk":
        return "UK values"
    if geo == "country":
        return "the UK nations' values"
    where = " in England" if (spread_in_england(info) if geo != "ltla" else national_code(info) == ENGLAND) \
        else " in the UK"
    return f"{SPREAD_NOUNS.get(geo, 'local-authority')} values{where}"


def median_label(info: dict) -> str:
    return MEDIAN_NOUNS.get(info.get("geography") or "ltla", "Local-authority median")


def profile_table(la_view: pd.DataFrame, observations: pd.DataFrame, areas: pd.DataFrame,
                  metrics: pd.DataFrame, info: dict, group_codes: list[str] | None = None,
                  group_label: str = "comparator group", kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per metric (latest period with a value): the value with its CI, its native
    geography, the national, regional and comparator-group benchmarks with the Fingertips-style
    comparison against each, and the LTLA distribution (for the spine chart)."""
    series = area_series(la_view, observations, info)
    cols = ["metric_id", "title", "short_title", "kind", "unit", "polarity", "decimals", "period", "value",
            "lower", "upper", "status", "derived", "native_geography", "native_area_code", "geography_note",
            "nat_code", "nat_name", "nat_value", "nat_lower", "nat_upper", "vs_nat", "reg_code", "reg_name",
            "reg_value", "reg_lower", "reg_upper", "vs_reg", "group_label", "group_value", "group_n", "vs_group",
            "compare_note", "dist_min", "dist_q25", "dist_median", "dist_q75", "dist_max", "dist_n", "sort",
            "publisher_url", "status_note", "note"]
    if series.empty or metrics.empty:
        return pd.DataFrame(columns=cols)
    latest = latest_with_value(series)
    meta = metrics.set_index("id")
    latest = latest[latest["metric_id"].isin(meta.index)]
    if kinds:
        latest = latest[latest["metric_id"].map(meta["kind"]).isin(kinds)]
    nat = national_code(info)
    reg = regional_code(info)
    look = _lookup(observations, {c for c in (nat, reg) if c})
    geo = info.get("geography")
    # LTLA distribution for the spine chart (unique native values, English LTLAs for English areas)
    lv_groups = _by_metric_period(la_view, nat == ENGLAND)
    od_groups = {}
    if geo not in (None, "ltla") and not observations.empty:
        eng = spread_in_england(info)
        eng_codes = _english_codes(areas) if eng else set()

        def build(o):
            o = o[(o["geography"] == geo) & np.isfinite(o["value"].astype(float))]
            if eng:  # by country, not by code letter: air-quality zones are coded UK0001...
                o = o[o["area_code"].str.startswith("E") | o["area_code"].isin(eng_codes)]
            return {k: g for k, g in o.groupby(["metric_id", "period"], sort=False)}
        od_groups = _cached(observations, f"geo_{geo}_{eng}_{len(eng_codes)}", build)
    group = set(group_codes or [])
    empty = pd.DataFrame({"area_code": [], "value": [], "native_area_code": []})
    rows = []
    for r in latest.to_dict("records"):
        m = r["metric_id"]
        mm = meta.loc[m]
        pol = str(mm.get("polarity", "no_judgement"))
        v, lo, hi = float(r["value"]), float(r["lower"]), float(r["upper"])
        nv = look.get((m, r["period"], nat), _nan3())
        rv = look.get((m, r["period"], reg), _nan3()) if reg else _nan3()
        d = lv_groups.get((m, r["period"]), empty)
        # the distribution of the geography being profiled: LTLAs for LTLAs, else that geography
        if geo not in (None, "ltla"):
            dvals = od_groups.get((m, r["period"]), pd.DataFrame({"value": []}))["value"].astype(float)
        elif not d.empty:
            dvals = d.drop_duplicates("native_area_code")["value"].astype(float)
        else:
            dvals = pd.Series(dtype=float)
        gvals = d[d["area_code"].isin(group)]["value"].astype(float) if (group and not d.empty) else pd.Series(dtype=float)
        gv = float(gvals.mean()) if len(gvals) else np.nan
        status = r.get("status", "")
        notes = []
        why = _why_not(v, lo, hi, nv[0], status)
        if why:
            notes.append(why)
        row = {
            "metric_id": m, "title": mm.get("title"), "short_title": mm.get("short_title") or mm.get("title"),
            "kind": mm.get("kind"), "unit": mm.get("unit") or "", "polarity": pol,
            "decimals": int(mm.get("decimals")) if pd.notna(mm.get("decimals")) else 1,
            "period": r["period"], "value": v, "lower": lo, "upper": hi, "status": status,
            "derived": bool(r.get("derived", False)), "native_geography": r.get("native_geography"),
            "native_area_code": r.get("native_area_code"), "geography_note": geography_note(r, areas, info),
            "nat_code": nat, "nat_name": COUNTRY_NAMES.get(nat, nat), "nat_value": float(nv[0]),
            "nat_lower": float(nv[1]), "nat_upper": float(nv[2]),
            "vs_nat": _compare(v, lo, hi, nv[0], pol),
            "reg_code": reg, "reg_name": name_of(areas, reg) if reg else "", "reg_value": float(rv[0]),
            "reg_lower": float(rv[1]), "reg_upper": float(rv[2]),
            "vs_reg": _compare(v, lo, hi, rv[0], pol) if reg else "not compared",
            "group_label": group_label, "group_value": gv, "group_n": int(len(gvals)),
            "vs_group": _compare(v, lo, hi, gv, pol),
            "compare_note": "; ".join(notes),
            "dist_min": float(dvals.min()) if len(dvals) else np.nan,
            "dist_q25": float(dvals.quantile(0.25)) if len(dvals) else np.nan,
            "dist_median": float(dvals.median()) if len(dvals) else np.nan,
            "dist_q75": float(dvals.quantile(0.75)) if len(dvals) else np.nan,
            "dist_max": float(dvals.max()) if len(dvals) else np.nan,
            "dist_n": int(len(dvals)),
            "sort": mm.get("sort", 999), "publisher_url": mm.get("publisher_url", ""),
            "status_note": mm.get("status_note", ""), "note": r.get("note", ""),
        }
        rows.append(row)
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["sort", "metric_id"]).reset_index(drop=True)


def spine_positions(table: pd.DataFrame, median_name: str = "Local-authority median") -> pd.DataFrame:
    """Fingertips-style spine chart coordinates in 0..1 per row: the national value at 0.5,
    the LTLA range scaled so the furthest extreme touches 0 or 1, and oriented so that RIGHT
    is better for lower-is-better metrics too (no flip for 'no judgement'). When the national
    value is missing the LTLA median is the centre. Returns x_min, x_q25, x_q75, x_max,
    x_value, x_centre, centre_label, flipped."""
    out = table.copy()
    nat = out["nat_value"].astype(float)
    # a national value outside the local range (e.g. a count: England's total) cannot anchor the spine
    usable = np.isfinite(nat) & ~((nat > out["dist_max"].astype(float)) | (nat < out["dist_min"].astype(float)))
    centre = nat.where(usable, out["dist_median"]).astype(float)
    out["centre_label"] = np.where(usable, out["nat_name"], median_name)
    ext = pd.concat([(out["dist_max"] - centre).abs(), (centre - out["dist_min"]).abs(),
                     (out["value"] - centre).abs()], axis=1).max(axis=1, skipna=True)
    ext = ext.where(ext > 0, 1.0)
    flip = out["polarity"].eq("lower_better")
    sign = np.where(flip, -1.0, 1.0)
    for c in ("min", "q25", "q75", "max"):
        out[f"x_{c}"] = 0.5 + sign * (out[f"dist_{c}"] - centre) / (2 * ext)
    # after a flip min/max swap sides; keep x_lo <= x_hi
    lo = np.minimum(out["x_min"], out["x_max"]); hi = np.maximum(out["x_min"], out["x_max"])
    q1 = np.minimum(out["x_q25"], out["x_q75"]); q3 = np.maximum(out["x_q25"], out["x_q75"])
    out["x_min"], out["x_max"], out["x_q25"], out["x_q75"] = lo, hi, q1, q3
    out["x_value"] = 0.5 + sign * (out["value"] - centre) / (2 * ext)
    out["x_centre"] = 0.5
    out["flipped"] = flip
    return out


# ----------------------------------------------------------------------------- headline

def headline_summary(series: pd.DataFrame, observations: pd.DataFrame, metrics: pd.DataFrame,
                     info: dict) -> list[dict]:
    """For each of the four headline measures: the latest mean score (with CI, vs national and
    regional benchmarks, change since the first period with its 95% CI and significance) and
    the latest published low-well-being share (or None with the reason)."""
    meta = metrics.set_index("id") if not metrics.empty else pd.DataFrame()
    nat = national_code(info)
    reg = regional_code(info)
    look = _lookup(observations, {c for c in (nat, reg) if c})
    out = []
    for key, label, share_id, mean_id in HEADLINE_PAIRS:
        item = {"key": key, "label": label, "share_id": share_id, "mean_id": mean_id, "mean": None, "share": None,
                "change": None, "share_url": meta.loc[share_id, "publisher_url"] if share_id in meta.index else "",
                "mean_url": meta.loc[mean_id, "publisher_url"] if mean_id in meta.index else ""}
        for kind, mid in (("mean", mean_id), ("share", share_id)):
            s = series[series["metric_id"] == mid] if not series.empty else series
            if s.empty:
                continue
            s = s.sort_values("period_end")
            ok = s[np.isfinite(s["value"].astype(float))]
            if ok.empty:
                item[kind] = {"period": s["period"].iloc[-1], "value": np.nan, "status": s["status"].iloc[-1]}
                continue
            r = ok.iloc[-1]
            pol = str(meta.loc[mid, "polarity"]) if mid in meta.index else "no_judgement"
            nv = look.get((mid, r["period"], nat), _nan3())
            rv = look.get((mid, r["period"], reg), _nan3()) if reg else _nan3()
            item[kind] = {
                "period": r["period"], "value": float(r["value"]), "lower": float(r["lower"]),
                "upper": float(r["upper"]), "status": r["status"], "derived": bool(r.get("derived", False)),
                "polarity": pol, "unit": str(meta.loc[mid, "unit"]) if mid in meta.index else "",
                "first_period": ok["period"].iloc[0],
                "nat_code": nat, "nat_value": float(nv[0]), "vs_nat": _compare(r["value"], r["lower"], r["upper"], nv[0], pol),
                "reg_code": reg, "reg_value": float(rv[0]),
                "vs_reg": _compare(r["value"], r["lower"], r["upper"], rv[0], pol) if reg else "not compared",
            }
            if kind == "mean" and len(ok) > 1:
                f = ok.iloc[0]
                d, dlo, dhi, z, sig = stats.diff_test(f["value"], f["lower"], f["upper"], r["value"], r["lower"], r["upper"])
                dirn = stats.direction(d, sig, pol)
                item["change"] = {"from": f["period"], "to": r["period"], "diff": float(d), "lower": float(dlo),
                                  "upper": float(dhi), "significant": bool(sig), "direction": str(dirn.item()) if hasattr(dirn, "item") else str(dirn),
                                  "testable": bool(np.isfinite(dlo))}
        out.append(item)
    return out


# ----------------------------------------------------------------------------- mission

def mission_summary(mission_ltla: pd.DataFrame, metrics: pd.DataFrame, code: str) -> dict | None:
    """Worst-third membership with its uncertainty for the latest period, and the history."""
    if mission_ltla.empty:
        return None
    m = mission_ltla[mission_ltla["area_code"] == code]
    if m.empty:
        return None
    titles = metrics.set_index("id")["short_title"].to_dict() if not metrics.empty else {}
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
        sure = f"it falls in the worst third in {p:.0%} of {n_sims:,} simulations drawn from the published confidence intervals"
    sentence = f"{head} ({sure})." if np.isfinite(p) else f"{head}."
    if np.isfinite(p):
        certainty = ("clearly" if p >= 0.95 or p <= 0.05 else "probably" if p >= 0.75 or p <= 0.25 else "uncertain")
    else:
        certainty = "unknown"
    table = yearly[["period", "basis", "worst_metric", "worst_percentile", "rank", "n_ranked", "in_worst_third",
                    "p_worst_third", "uses_derived"]].copy()
    table["worst_metric"] = table["worst_metric"].map(lambda x: titles.get(x, x))
    if not base.empty:
        b = base.iloc[-1]
        baseline = (f"Baseline ({b['period']}): {'in' if bool(b['in_worst_third']) else 'not in'} the worst third "
                    f"(probability {float(b['p_worst_third']):.0%}).") if pd.notna(b["p_worst_third"]) else ""
    else:
        baseline = ""
    return {"period": r["period"], "in_worst_third": bool(r["in_worst_third"]), "p": p, "sentence": sentence,
            "certainty": certainty, "worst_metric": r["worst_metric"], "worst_title": worst,
            "worst_percentile": float(r["worst_percentile"]), "rank": int(r["rank"]), "n_ranked": int(r["n_ranked"]),
            "basis": basis, "baseline": baseline, "uses_derived": bool(r.get("uses_derived", False)),
            "history": table.reset_index(drop=True)}


# ----------------------------------------------------------------------------- download

def profile_download(la_view: pd.DataFrame, observations: pd.DataFrame, areas: pd.DataFrame,
                     metrics: pd.DataFrame, info: dict) -> pd.DataFrame:
    """Every row of the area's profile (all metrics, all periods) with its native geography,
    the national and regional benchmark values of the same period and the comparisons."""
    series = area_series(la_view, observations, info)
    if series.empty:
        return pd.DataFrame(columns=["area_code", "area_name", "metric_id", "period", "value", "lower", "upper"])
    meta = metrics.set_index("id") if not metrics.empty else pd.DataFrame()
    nat = national_code(info)
    reg = regional_code(info)
    look = _lookup(observations, {c for c in (nat, reg) if c})
    s = series.copy()
    s["area_name"] = info.get("name", s["area_name"].iloc[0] if "area_name" in s else "")
    s["metric_title"] = s["metric_id"].map(meta["title"]) if "title" in meta else ""
    s["unit"] = s["metric_id"].map(meta["unit"]) if "unit" in meta else ""
    pol = s["metric_id"].map(meta["polarity"]).fillna("no_judgement") if "polarity" in meta else "no_judgement"
    s["polarity"] = pol
    s["geography_note"] = [geography_note(r, areas, info) for r in s.to_dict("records")]
    for tag, c in (("national", nat), ("region", reg)):
        vals = [look.get((m, p, c), _nan3()) if c else _nan3() for m, p in zip(s["metric_id"], s["period"])]
        s[f"{tag}_code"] = c
        s[f"{tag}_value"] = [v[0] for v in vals]
        s[f"{tag}_lower"] = [v[1] for v in vals]
        s[f"{tag}_upper"] = [v[2] for v in vals]
        s[f"vs_{tag}"] = [_compare(v, lo, hi, b, p) for v, lo, hi, b, p in
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


def unavailable_metrics(metrics: pd.DataFrame, table: pd.DataFrame,
                        kinds: tuple[str, ...] = ("supporting", "context")) -> pd.DataFrame:
    """Catalogue metrics of these kinds with no value for the area, with the reason and the
    publisher link: not in the build (catalogue status, e.g. 'not yet published', 'paused'),
    or present but without a value for this area (its row status, e.g. 'suppressed')."""
    cols = ["metric_id", "short_title", "reason", "status_note", "publisher_url"]
    if metrics.empty:
        return pd.DataFrame(columns=cols)
    m = metrics[metrics["kind"].isin(kinds)]
    have = table[np.isfinite(table["value"].astype(float))]["metric_id"] if not table.empty else pd.Series(dtype=str)
    rows = []
    trow = table.set_index("metric_id") if not table.empty else pd.DataFrame()
    for r in m.sort_values("sort").to_dict("records"):
        if r["id"] in set(have):
            continue
        if not trow.empty and r["id"] in trow.index:
            reason = f"no value for this area ({trow.loc[r['id'], 'status']}, latest period {trow.loc[r['id'], 'period']})"
        elif r.get("status") and r.get("status") != "available":
            reason = str(r.get("status"))
        else:
            reason = "not published for this area in the bundled data"
        rows.append({"metric_id": r["id"], "short_title": r.get("short_title") or r.get("title"), "reason": reason,
                     "status_note": r.get("status_note") or "", "publisher_url": r.get("publisher_url") or ""})
    return pd.DataFrame(rows, columns=cols)
