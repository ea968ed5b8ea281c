"""The map's view model: one metric, period, geography and colouring, as data.

`view()` is the one call the map's callback makes: it checks the requested state, joins the
build's values to the geometry's features, classes them, and returns the compact payload the
browser draws (`map_payload`), the period choices, the notes, the legend and the summary sentence.

Rules (stated on the page):
* Local-authority map: values from the LA view, so a metric published for a larger area (a
  county, an ICB, an air-quality zone) is shown for every district it covers, and the page says so.
* Other maps: values published at that geography ('region' shows England's regions and the other
  three nations).
* An area with no value keeps its reason: the publisher's status, or "not published for this area
  and period in this data".
* Classes: quantiles (darker = worse) or better / similar / worse than a benchmark (95% CI).
* Default period: the latest in which at least half the areas have a value. With no period asked
  for (a link from another page), a measure with too few areas to map gives way to its closest
  alternative (a headline share to its mean score), and the page says so with a link back.
* A highlighted area (`area=`) is drawn on its own kind of map unless a geography is asked for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from dashboard import queries as q
from dashboard.analysis import map_classes, map_payload, reasons
from dashboard.formatting import join_words, number, plural
from dashboard.queries import vocabulary as vocab
from dashboard.viewmodel import Link, Notice, Strong

CLASSES = {"quantile": "Quantiles (5 classes, equal numbers of areas)",
           "benchmark": "Better, similar or worse than a benchmark (95% CI)"}
BENCHMARKS = ("england", "uk", "region", "nation")
NOT_PUBLISHED_HERE = reasons.NOT_PUBLISHED_HERE
NO_VALUE_LABEL = "No value (reason given on hover and in the table)"
# fewer than half the areas with a value: too few for a map to show how a measure is distributed
SPARSE = 0.5
NAMED_UP_TO = 3  # a reason shared by this many areas or fewer names them in the legend
SELECT_HINT = ("Select an area on the map (tap it on a phone) to see its value here, with a link to its profile. "
               "Its outline stays marked and the link to this view keeps it.")
ONS_CAVEAT = ("ONS advises that estimates for single local authorities have wide confidence intervals and "
              "should not be ranked naively: read each position with its 95% confidence interval.")


def closest_alternative(metric: str) -> str | None:
    """The mean score to offer when a headline share is not published for an area or period."""
    h = q.catalogue.headline_of(metric)
    return h["mean_id"] if h and h["share_id"] == metric else None


def benchmark_options() -> list[dict]:
    eng = vocab.place_name(vocab.england_code()) or "England"
    uk = vocab.uk()["name"]
    return [{"label": eng, "value": "england"}, {"label": uk, "value": "uk"},
            {"label": "The area's region", "value": "region"}, {"label": "The area's nation", "value": "nation"}]


def href(**state) -> str:
    qs = {k: v for k, v in state.items() if v}
    if qs.get("classes") != "benchmark":
        qs.pop("benchmark", None)
    return "/map?" + urlencode(qs)


def metric_options() -> list[dict]:
    """Every metric with values in this build, headline measures first."""
    return [{"label": m["title"], "value": m["id"]} for m in q.catalogue.with_data()]


def metrics_without_data() -> list[dict]:
    return q.catalogue.without_data()


def default_metric() -> str | None:
    ids = [o["value"] for o in metric_options()]
    means = q.catalogue.mean_ids()
    return means[0] if means and means[0] in ids else (ids[0] if ids else None)


def _shape(period: str) -> str:
    """'2022-23' -> '9999-99', '2023' -> '9999': the form of a period label."""
    return "".join("9" if ch.isdigit() else ch for ch in str(period))


def lower_first(title: str) -> str:
    """A title inside a sentence: 'Average life satisfaction' -> 'average life satisfaction';
    initialisms stay as they are ('NO2 ...', 'GDHI ...')."""
    t = str(title or "")
    return t[:1].lower() + t[1:] if len(t) > 1 and t[0].isupper() and not (t[1].isupper() or t[1].isdigit()) else t


def n_areas(geography: str) -> int:
    return len(q.geometry.index(geography))


def covered(metric: str, period: str | None, geography: str) -> int:
    """How many of the geography's areas have a value for the metric and period."""
    return q.observations.coverage(metric, geography).get(str(period), 0) if period else 0


def well_covered(metric: str, period: str | None, geography: str) -> bool:
    n = n_areas(geography)
    return n > 0 and covered(metric, period, geography) >= SPARSE * n


def default_period(metric: str, geography: str) -> str | None:
    """The period shown when none is asked for: the latest in which at least half the
    geography's areas have a value; failing that, the one with the most areas (the latest of
    equals); the metric's latest period when no area has a value."""
    periods = q.catalogue.periods(metric)
    cov = q.observations.coverage(metric, geography)
    good = [p for p in periods if well_covered(metric, p, geography)]
    if good:
        return good[-1]
    if cov:
        best = max(cov.values())
        return [p for p in periods if cov.get(p, 0) == best][-1]
    return q.observations.latest_period_at(metric, geography)


def _sparse_switch(metric: str, period: str, geography: str) -> tuple[str, str, list] | None:
    """When a measure has too few areas with a value to map and its closest alternative (a
    headline share's mean score) has enough: (alternative, its period, the sentence saying so)."""
    alt = closest_alternative(metric)
    if well_covered(metric, period, geography) or not alt or not q.catalogue.has_data(alt):
        return None
    alt_period = default_period(alt, geography)
    if not well_covered(alt, alt_period, geography):
        return None
    info, ainfo = q.catalogue.metric(metric) or {}, q.catalogue.metric(alt) or {}
    g = vocab.geography(geography)
    n, got = n_areas(geography), covered(metric, period, geography)
    where = g.plural if g else "areas"
    words = [f"{info.get('title') or metric}: this data has a value for at most {got} of the {n} areas on this "
             f"map ({where}), in {period}; too few to show how it is distributed. The map shows "
             f"{lower_first(ainfo.get('title') or alt)} instead, which has a value for "
             f"{covered(alt, alt_period, geography)} of them in {alt_period}. "]
    return alt, alt_period, words


# ----------------------------------------------------------------------------- state
def normalise(metric=None, period=None, geography=None, classes=None, benchmark=None,
              area=None) -> tuple[dict, list[Notice]]:
    """Check a view state from the URL or the controls; returns the state used and notes saying
    what was changed and why. With no period asked for (a link from another page), a measure
    with too few areas to map gives way to its closest alternative, and the notes say so."""
    notes: list[Notice] = []
    geos = q.geometry.available()
    if metric is not None and not q.catalogue.has_data(str(metric)):
        known = q.catalogue.metric(str(metric))
        notes.append(Notice.of(f"{known['title']} has no values in this data; showing the default measure instead."
                               if known else f"There is no measure called '{metric}'; showing the default measure "
                               "instead.", kind="warning"))
        metric = None
    metric = metric or default_metric()
    area, area_geo, area_notes = _area(area)
    if geography is None and area_geo in geos:
        geography = area_geo  # a highlighted area is drawn on its own kind of map
    if geography not in geos:
        if geography:
            notes.append(Notice.of(f"The geography '{geography}' is not available; showing "
                                   f"{vocab.geography(geos[0]).plural if geos else 'the default map'}.", kind="warning"))
        geography = "ltla" if "ltla" in geos else (geos[0] if geos else "ltla")
    classes = classes if classes in CLASSES else "quantile"
    benchmark = benchmark if benchmark in BENCHMARKS else "england"
    periods = q.catalogue.periods(metric) if metric else []
    if period is not None and not isinstance(period, str):
        period = str(period)
    if period and period not in periods:
        if period not in q.catalogue.all_periods():
            notes.append(Notice.of(f"'{period}' is not a period in this data; showing the default period instead.",
                                   kind="warning"))
            period = None
        elif _shape(period) not in {_shape(p) for p in periods}:
            notes.append(Notice.of(f"This measure is not published for {period} (its periods look like "
                                   f"{periods[-1]}); showing {default_period(metric, geography)} instead.",
                                   kind="warning"))
            period = None
        # else: a period of the same kind that is not published: kept, and the notes say so
    switched = None
    if not period and metric:
        period = default_period(metric, geography)
        switched = _sparse_switch(metric, period, geography) if period else None
        if switched:
            asked, asked_period = metric, period
            metric, period, words = switched
    state = {"metric": metric, "period": period, "geography": geography, "classes": classes,
             "benchmark": benchmark, "area": area}
    if switched:
        words += [Link(f"Show {lower_first(q.catalogue.metric(asked)['title'])} for {asked_period} anyway",
                       href(**{**state, "metric": asked, "period": asked_period})), "."]
        notes.append(Notice(words, "info"))
    return state, notes + area_notes


def _area(area) -> tuple[str | None, str | None, list[Notice]]:
    """(the code to highlight, its geography, notes) for the URL's area= (a retired code is
    replaced by its successor)."""
    if area is None or area == "":
        return None, None, []
    info = q.areas.resolve(str(area))
    if info["status"] == "retired" and info.get("successor_code"):
        succ = q.areas.resolve(info["successor_code"])
        if succ["status"] == "current":
            return succ["code"], succ.get("geography"), [Notice.of(
                f"{info.get('name') or info['code']} ({info['code']}) has been replaced by "
                f"{succ.get('name') or succ['code']} ({succ['code']}); that area is highlighted.")]
    if info["status"] != "current":
        return None, None, [Notice.of(f"We don't know the area code {str(area)[:20]}; no area is highlighted.",
                                      kind="warning")]
    return info["code"], info.get("geography"), []


def period_options(metric: str, period: str | None) -> list[dict]:
    periods = q.catalogue.periods(metric)
    opts = [{"label": p, "value": p} for p in reversed(periods)]
    if period and period not in periods:
        opts.insert(0, {"label": f"{period} (not published for this measure)", "value": period})
    return opts


# ----------------------------------------------------------------------------- the values frame
def short_status(metric: str, notes: np.ndarray) -> np.ndarray:
    """Per-area status pulled from the publisher's note (e.g. NO2 'Exceeding'), '' otherwise."""
    m = q.catalogue.metric(metric) or {}
    out = np.full(len(notes), "", dtype=object)
    if not m.get("status_pattern"):
        return out
    rx = re.compile(m["status_pattern"], re.IGNORECASE)
    for j, t in enumerate(notes):
        if isinstance(t, str) and t:
            hit = rx.search(t)
            out[j] = hit.group(1).strip().capitalize() if hit else ""
    return out


def named_inheritance(key: str) -> str:
    """'utla|Kent' -> 'County-level value (Kent), shared by all its districts' ('' -> '')."""
    if not key:
        return ""
    gid, _, name = key.partition("|")
    g = vocab.geography(gid)
    return g.inherited_named.format(name=name) if g and g.inherited_named else ""


@q.per_build(maxsize=8192)
def values_frame(metric: str, period: str, geography: str) -> pd.DataFrame:
    """One row per feature of the geography, in the geometry's order: code, name, value, lower,
    upper, status, note, derived, native_geography, native_area_code, reason (why there is no
    value), inherited (generic text), inherited_key ('<geography>|<area name>'), inherited_named,
    note_status. Shared by every request: never modify the result."""
    geo = q.geometry.index(geography)
    codes = geo["code"].to_numpy()
    n = len(codes)
    src = q.observations.at(metric, period, geography)
    # columns gathered as arrays and framed once (inserting them one by one costs more than the rest)
    cols = {"code": codes, "name": geo["name"].to_numpy()}
    empty = np.full(n, None, object)
    if src is not None and len(src):
        got = src.reindex(codes)
        for c in ("value", "lower", "upper"):
            cols[c] = got[c].to_numpy(float)
        status_raw, notes = got["status"].to_numpy(object), got["note"].to_numpy(object)
        cols["derived"] = got["derived"].fillna(False).to_numpy(bool)
        ng = got["native_geography"].to_numpy(object) if "native_geography" in got else empty
        nc = got["native_area_code"].to_numpy(object) if "native_area_code" in got else empty
    else:
        for c in ("value", "lower", "upper"):
            cols[c] = np.full(n, np.nan)
        status_raw, notes, cols["derived"] = empty, empty, np.zeros(n, bool)
        ng, nc = empty, empty
    ng = np.where(pd.isna(ng), geography, ng)
    nc = np.where(pd.isna(nc), codes, nc)

    no_value = ~np.isfinite(cols["value"])
    status = np.where(pd.isna(status_raw), "", status_raw).astype(str)
    here = q.observations.published_at(metric, geography)
    reason = np.full(n, "", dtype=object)
    for i in np.flatnonzero(no_value):
        reason[i] = reasons.why(status[i], notes[i], here, geography)
    # inherited: the value belongs to another area (a county's value shown for its districts); a
    # unitary authority's own value is not, even when the series is published at county level
    inherit = (ng != geography) & (nc != codes) & ~no_value
    if geography == "region":
        inherit &= ng != "country"
    generic = {gid: g.inherited or "" for gid, g in vocab.geographies().items()}
    keys = [f"{g_}|{q.areas.name(c_)}" if inh else "" for g_, c_, inh in zip(ng, nc, inherit)]
    cols.update({
        "status": np.where(no_value & (status == ""), "not published", status).astype(object),
        "note": notes,
        "native_geography": ng, "native_area_code": nc, "reason": reason,
        "inherited": np.where(inherit, pd.Series(ng).map(generic).fillna("").to_numpy(object), ""),
        "inherited_key": np.asarray(keys, dtype=object),
        "inherited_named": np.asarray([named_inheritance(k) for k in keys], dtype=object),
        "note_status": np.where(no_value, "", short_status(metric, notes)),
    })
    order = ["code", "name", "value", "lower", "upper", "status", "note", "derived", "native_geography",
             "native_area_code", "reason", "inherited", "inherited_key", "inherited_named", "note_status"]
    return pd.DataFrame({c: cols[c] for c in order})


# ----------------------------------------------------------------------------- benchmarks and classes
def benchmark_values(metric: str, period: str, geography: str, benchmark: str,
                     codes: np.ndarray) -> tuple[np.ndarray, str]:
    """Per-area benchmark values and a label saying what was used."""
    n = len(codes)
    uk = vocab.uk_code()
    if benchmark in ("region", "nation") and geography == "region":
        benchmark = "uk"
    if benchmark == "uk":
        return np.full(n, q.observations.value_of(metric, period, uk)[0]), vocab.uk()["name"]
    if benchmark in ("region", "nation"):
        keys = []
        for c in codes:
            r = q.areas.row(c) or {}
            nation = r.get("country_code") or (vocab.nation_of(c) or {}).get("code")
            keys.append((r.get("region_code") or nation) if benchmark == "region" else nation)
        label = ("The area's region (nation for areas outside England)" if benchmark == "region"
                 else "The area's nation")
        return np.array([q.observations.value_of(metric, period, k)[0] for k in keys], float), label
    eng = vocab.england_code()
    return np.full(n, q.observations.value_of(metric, period, eng)[0]), vocab.place_name(eng)


def comparison_labels() -> dict[str, str]:
    return {c: f"{vocab.label('comparison', c)} than benchmark" if c in ("better", "worse", "higher", "lower")
            else ("Similar to benchmark" if c == "similar" else "Not compared (no CI or benchmark)")
            for c in map_classes.BENCH_ORDER}


@dataclass
class Classified:
    cls: np.ndarray
    legend: list[dict]
    direction: str | None = None
    comparison: np.ndarray | None = None
    benchmark: np.ndarray | None = None
    benchmark_label: str | None = None
    benchmark_single: float | None = None


def classify(df: pd.DataFrame, metric: str, period: str, geography: str, classes: str,
             benchmark: str) -> Classified:
    info = q.catalogue.metric(metric) or {}
    pol = str(info.get("polarity") or "no_judgement")
    if classes == "benchmark":
        bvals, blabel = benchmark_values(metric, period, geography, benchmark, df["code"].to_numpy())
        cls, legend, comp = map_classes.benchmark(df["value"], df["lower"], df["upper"], bvals, pol,
                                                  comparison_labels())
        finite = bvals[np.isfinite(bvals)]
        single = float(finite[0]) if len(set(finite.tolist())) == 1 else None
        return Classified(cls, legend, comparison=comp, benchmark=bvals, benchmark_label=blabel,
                          benchmark_single=single)
    cls, legend, direction = map_classes.quantiles(df["value"].to_numpy(float), pol, q.catalogue.decimals(metric),
                                                   str(info.get("unit") or ""))
    return Classified(cls, legend, direction=direction)


@q.per_build(maxsize=8192)
def payload(metric: str, period: str, geography: str, classes: str, benchmark: str) -> dict:
    """The compact values payload (see `map_payload.encode`)."""
    df = values_frame(metric, period, geography)
    c = classify(df, metric, period, geography, classes, benchmark)
    info = q.catalogue.metric(metric) or {"id": metric}
    g = vocab.geography(geography)
    return map_payload.encode(df, c, info, metric=metric, period=period, geography=geography, classes=classes,
                              benchmark=benchmark, fingerprint=q.build.fingerprint(), kind=g.short if g else "",
                              inherited_templates={gid: g.inherited_named for gid, g in vocab.geographies().items()
                                                   if g.inherited_named},
                              no_value_label=NO_VALUE_LABEL)


# ----------------------------------------------------------------------------- the view
@dataclass
class MapView:
    state: dict
    payload: dict | None
    period_options: list[dict]
    notes: list[Notice] = field(default_factory=list)
    legend_title: str = ""
    legend: list[dict] = field(default_factory=list)  # the no-value entry carries "reasons"
    direction: str | None = None
    summary: str = ""


def missing_reasons(df: pd.DataFrame) -> list[str]:
    """Why areas have no value, most common first, one sentence per reason with its count; a
    reason shared by a few areas names them ('North Yorkshire: no honest combined value ...')."""
    miss = df[df["value"].isna()]
    out = []
    groups = sorted(miss.groupby("reason", sort=False)["name"], key=lambda kv: (-len(kv[1]), kv[0]))
    for reason, names in groups:
        names = sorted(str(x) for x in names)
        who = join_words(names) if len(names) <= NAMED_UP_TO else plural(len(names), "area")
        out.append(f"{who}: {reason}")
    return out


def no_value_entry(df: pd.DataFrame, colour: str) -> dict | None:
    """The legend's no-value entry: how many areas, and why (None when every area has a value)."""
    n = int(df["value"].isna().sum())
    if not n:
        return None
    return {"label": f"No value: {plural(n, 'area')} (drawn white with a grey outline)", "colour": colour,
            "none": True, "reasons": missing_reasons(df)}


def view(metric=None, period=None, geography=None, classes=None, benchmark=None, area=None) -> MapView:
    """Everything the map page shows for a state (the one call of its callback)."""
    state, state_notes = normalise(metric, period, geography, classes, benchmark, area)
    if not state["period"]:
        return MapView(state, None, [], state_notes + notes(state, None), summary="No values for this measure.")
    p = payload(state["metric"], state["period"], state["geography"], state["classes"], state["benchmark"])
    g = vocab.geography(state["geography"])
    n_val = sum(v is not None for v in p["v"])
    summary = (f"Map of {lower_first(p['t'])} for {p['p']} by {(g.plural if g else state['geography'])}: {n_val} of "
               f"{plural(len(p['v']), 'area')} {'has' if n_val == 1 else 'have'} a value. "
               "The ranked table below lists them.")
    legend = [dict(e) for e in p.get("legend", [])]
    nv = no_value_entry(values_frame(state["metric"], state["period"], state["geography"]), p["nd"]["colour"])
    if nv:
        legend.append(nv)
    direction = None
    if state["classes"] == "quantile":
        direction = map_classes.DIRECTION.get((q.catalogue.metric(state["metric"]) or {}).get("polarity"),
                                              map_classes.DIRECTION["no_judgement"])
    return MapView(state, p, period_options(state["metric"], state["period"]), state_notes + notes(state, p),
                   legend_title=f"{p['t']}, {p['p']}", legend=legend, direction=direction, summary=summary)


def summary(metric: str, period: str, geography: str) -> dict:
    """Counts behind the notes: values, missing values by reason, shared values by source area."""
    df = values_frame(metric, period, geography)
    n_val = int(df["value"].notna().sum())
    shared: dict[str, set] = {}
    for gid, key in zip(df["native_geography"], df["inherited_key"]):
        if key:
            shared.setdefault(gid, set()).add(key.split("|", 1)[1])
    periods = q.catalogue.periods(metric)
    return {"n_areas": len(df), "n_values": n_val, "n_missing": len(df) - n_val,
            "shared": {g: sorted(v) for g, v in shared.items()},
            "reasons": df.loc[df["value"].isna(), "reason"].value_counts().to_dict(),
            "period_published": period in periods, "latest": periods[-1] if periods else None,
            "has_ci": bool(df["lower"].notna().any())}


def _alternative_link(state: dict, alt: str | None, period: str) -> list:
    """'Closest alternative: <link> (a value for N areas).' when the alternative has the period."""
    if not alt or period not in q.catalogue.periods(alt):
        return []
    k = covered(alt, period, state["geography"])
    return ["Closest alternative: ", Link(f"{q.catalogue.metric(alt)['title']}, {period}",
                                           href(**{**state, "metric": alt})),
            f" (a value for {plural(k, 'area')})."]


def notes(state: dict, p: dict | None) -> list[Notice]:
    """What the page says around the map: missing values and why, shared values, benchmark facts."""
    metric, period, geography = state["metric"], state["period"], state["geography"]
    info = q.catalogue.metric(metric) or {}
    url = info.get("publisher_url")
    publisher = info.get("publisher") or "The publisher"
    link = Link(url.split("://", 1)[-1].rstrip("/"), url, external=True) if url else None
    if not q.catalogue.periods(metric):
        return [Notice.of(f"{info.get('title', metric)}: no values in this data "
                          f"({vocab.label('availability', info.get('status'), 'status unknown').lower()}). "
                          f"{info.get('status_note') or ''}", kind="warning")] + ([Notice.of("Source: ", link)] if link else [])
    s = summary(metric, period, geography)
    out: list[Notice] = []
    alt = closest_alternative(metric)
    best = default_period(metric, geography)
    if not s["period_published"]:
        bits = [f"{info.get('title')} is not published for {period} in this data (latest period: {s['latest']}). "]
        if link:
            bits += ["Publisher's data (", publisher, "): ", link, ". "]
        bits += [Link(f"Show {best}", href(**{**state, "period": best}))]
        if alt and period in q.catalogue.periods(alt):
            bits += [" or ", Link(f"show {lower_first(q.catalogue.metric(alt)['title'])} for {period} "
                                  "(closest alternative)", href(**{**state, "metric": alt}))]
        out.append(Notice(bits + ["."], "warning"))
    elif s["n_missing"]:
        n_miss, n = s["n_missing"], s["n_areas"]
        bits = [Strong(f"{n_miss} of {plural(n, 'area')} {'has' if n_miss == 1 else 'have'} no value"),
                "; the legend says why for each. "]
        if s["n_values"] < SPARSE * n and s["n_values"]:
            bits += [f"With values for only {s['n_values']} of them, the map cannot show how this measure is "
                     "distributed. "]
            if best != period and covered(metric, best, geography) > s["n_values"]:
                bits += [Link(f"Show {best} ({covered(metric, best, geography)} areas with a value)",
                              href(**{**state, "period": best})), ". "]
        if NOT_PUBLISHED_HERE in s["reasons"] and link:
            bits += ["Publisher's data (", publisher, "): ", link, ". "]
        bits += _alternative_link(state, alt, period)
        if s["n_values"] == 0:
            geos = [g for g in q.geometry.available() if g != geography and q.observations.published_at(metric, g)]
            if geos:
                bits += [" This measure is published for: "]
                for j, g in enumerate(geos):
                    bits += [", " if j else "", Link(vocab.geography(g).plural, href(**{**state, "geography": g}))]
                bits += ["."]
        out.append(Notice(bits, "info"))
    for gid, names in s["shared"].items():
        g = vocab.geography(gid)
        if not g or not g.inherited:
            continue
        which = (f" ({g.count(len(names))}: {', '.join(names)})" if len(names) <= 25 else f" ({g.count(len(names))})")
        out.append(Notice.of(f"Shown on local authorities: {g.inherited}{which}. Hover over an area, or see the "
                             "table's Note column, for the one each district shares."))
    if info.get("map_fact"):
        out.append(Notice.of(info["map_fact"]))
    if geography == "aq_zone":
        out.append(Notice.of("Air-quality zones are drawn as approximate zone shapes built from local authorities "
                             "(labelled approximate on hover); the ranked chart below the map shows every zone."))
    if state["classes"] == "benchmark" and p is not None:
        bl, bv = p.get("bl") or "benchmark", p.get("bv")
        txt = f"Benchmark: {bl}" + (f" ({number(bv, p['d'], p['u'])} in {period})" if bv is not None else "") + ". "
        txt += ("An area is better or worse only when its 95% confidence interval excludes the benchmark value; "
                "otherwise similar.")
        if not s["has_ci"]:
            txt += " No confidence intervals are published for this measure here, so no area can be compared."
        if state["benchmark"] in ("region", "nation") and geography == "region":
            txt += f" Regions and nations are compared with the {vocab.uk()['name']}."
        out.append(Notice.of(txt))
    return out


def table(metric=None, period=None, geography=None, classes=None, benchmark=None) -> pd.DataFrame:
    """Exactly what the map shows, as a tidy table (for the CSV), best first."""
    state, _ = normalise(metric, period, geography, classes, benchmark)
    metric, period, geography = state["metric"], state["period"], state["geography"]
    info = q.catalogue.metric(metric) or {}
    df = values_frame(metric, period, geography)
    c = classify(df, metric, period, geography, state["classes"], state["benchmark"])
    labels = [e["label"] for e in c.legend]
    dec = q.catalogue.decimals(metric)
    out = pd.DataFrame({
        "area_code": df["code"], "area_name": df["name"], "geography": geography, "metric_id": metric,
        "metric": info.get("title") or metric, "unit": info.get("unit") or "", "period": period,
        "value": df["value"].round(dec), "lower_95": df["lower"].round(dec), "upper_95": df["upper"].round(dec),
        "status": df["status"],
    })
    if state["classes"] == "benchmark":
        cl = comparison_labels()
        out["benchmark"] = c.benchmark_label
        out["benchmark_value"] = np.round(c.benchmark, dec)
        out["comparison"] = [cl.get(x, "") if x else "" for x in c.comparison]
    else:
        out["map_class"] = [labels[k] if 0 <= k < len(labels) else "" for k in c.cls]
    if info.get("status_label"):
        out["publisher_status"] = df["note_status"]
    out["shown_as"] = df["inherited_named"].replace("", None).fillna(
        "value published for this area").where(df["value"].notna(), "no value")
    out["native_geography"] = df["native_geography"]
    out["native_area_code"] = df["native_area_code"]
    out["history_derived"] = df["derived"]
    out["reason_no_value"] = df["reason"]
    asc = info.get("polarity") != "higher_better"
    return out.sort_values("value", ascending=asc, na_position="last", kind="mergesort").reset_index(drop=True)


@q.build.warmer
def warm() -> None:
    """Before serving: every measure indexed for the local-authority map, and the map's first
    views (the headline mean scores, latest period, both colourings) ready; anything else is
    computed on its first request (tens of milliseconds)."""
    if "ltla" not in q.geometry.available():
        return
    for m in q.catalogue.with_data():
        q.observations.period_frames(m["id"], "ltla")
    for mid in q.catalogue.mean_ids():
        p = default_period(mid, "ltla")
        if p:
            for classes in CLASSES:
                payload(mid, p, "ltla", classes, "england")
