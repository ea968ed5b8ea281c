"""Values behind the map: one metric, one period, one geography, classed for colouring.

The map's geometry reaches the browser once (`/geo/<geography>.geojson`); changing the metric,
period, geography or classes sends only the compact payload built here. Everything is read from
the build (via `dashboard.data.store()`) and cached per process, keyed by the build fingerprint
so a rebuild never serves stale values.

Rules (stated on the page):
* LTLA map: values come from the LA view, so a metric published at a coarser geography (a county,
  an ICB, an air-quality zone) is shown for every district it covers, and the page says so.
* Other maps: values published natively at that geography (regions and nations: region rows for
  England's nine regions and country rows for Wales, Scotland and Northern Ireland).
* Areas with no value keep a reason: the publisher's status (suppressed, not available), or
  "not published for this area/period in the bundled data".
* Quantile classes: up to five classes with equal numbers of areas; darker = worse (by polarity).
* Benchmark classes: Fingertips-style better / similar / worse / not compared, judged on the
  area's 95% CI against the benchmark value (`etl.stats.compare_to_benchmark`).
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import config
from dashboard.components.common import AF_SEQUENTIAL, BENCHMARK_COLOURS, NO_DATA_COLOUR
from dashboard.data import store
from etl.stats import compare_to_benchmark

GEOGRAPHIES: dict[str, str] = {
    "ltla": "Local authority districts (LTLA)",
    "utla": "Counties and unitary authorities (UTLA)",
    "icb": "Integrated care boards (ICB)",
    "aq_zone": "Air-quality zones (approximate zone shapes built from local authorities)",
    "region": "Regions and nations",
}
GEOGRAPHY_NOUN = {"ltla": "local authority district", "utla": "county or unitary authority",
                  "icb": "integrated care board", "aq_zone": "air-quality zone",
                  "region": "region or nation", "country": "nation", "uk": "UK"}
INHERITED_TEXT = {
    "utla": "county-level value shown for each district",
    "icb": "ICB-level value shown for each local authority in the ICB",
    "aq_zone": "air-quality-zone value shown for each local authority in the zone",
    "region": "regional value shown for each local authority in the region",
    "country": "national value shown for each local authority",
    "uk": "UK value shown for each local authority",
}
# The same, naming the area whose value is shown ("County-level value (Kent), shared by its districts").
INHERITED_NAMED = {
    "utla": "County-level value ({name}), shared by its districts",
    "icb": "ICB-level value ({name}), shared by the local authorities in the ICB",
    "aq_zone": "Air-quality-zone value ({name}), shared by the local authorities in the zone",
    "region": "Regional value ({name}), shared by the local authorities in the region",
    "country": "National value ({name}), shared by its local authorities",
    "uk": "UK value, shared by every local authority",
}
# Metrics whose observation `note` carries a per-area status worth showing on the map (hover, table,
# ranked chart): a pattern pulling the short status out of the note, and the reference line drawn.
NOTE_STATUS = {
    "no2_zone_max_annual_mean": {
        "pattern": r"compliance assessment:\s*([A-Za-z ]+?)\s*(?:\(|$)",
        "label": "Compliance with the 40 µg/m³ limit value",
        "ref": {"x": 40.0, "label": "Limit value 40 µg/m³"},
    },
}
# Facts stated next to the map when the metric is selected.
METRIC_FACTS = {
    "no2_zone_max_annual_mean": (
        "Each air-quality zone's value is the HIGHEST annual mean NO2 concentration in the zone (the worst "
        "measured or modelled location), not an average across the zone. The legal limit value is an annual "
        "mean of 40 µg/m³: a zone is 'Exceeding' when any location is above it, otherwise 'Compliant'. "
        "On the local-authority map every authority shows its zone's value and status."),
}
BENCHMARKS: dict[str, str] = {"england": "England", "uk": "United Kingdom",
                              "region": "The area's region", "nation": "The area's nation"}
CLASSES = {"quantile": "Quantiles (5 classes, equal numbers of areas)",
           "benchmark": "Better, similar or worse than a benchmark (95% CI)"}
ENGLAND, UK = "E92000001", "K02000001"
QUANTILE_COLOURS = AF_SEQUENTIAL[1:]  # five steps, light to dark
NO_VALUE_LABEL = "No value (reason given on hover and in the table)"
STATUS_REASONS = {
    "suppressed": "suppressed by the publisher (too few survey responses or disclosure control)",
    "not available": "not available from the publisher for this area and period",
    "not applicable": "not applicable to this area",
}
BENCH_ORDER = ["better", "similar", "worse", "higher", "lower", "not compared"]
BENCH_LABELS = {"better": "Better than benchmark", "similar": "Similar to benchmark",
                "worse": "Worse than benchmark", "higher": "Higher than benchmark",
                "lower": "Lower than benchmark", "not compared": "Not compared (no CI or benchmark)"}


# ---------------------------------------------------------------- loading (cached per build)
def fingerprint() -> str:
    st = store()
    return str(st.manifest.get("fingerprint") or st.manifest.get("built_at") or id(st))


def geo_path(geography: str, build_dir: Path | None = None) -> Path:
    return (build_dir or config.build_dir()) / f"geo_{geography}.geojson"


def available_geographies(build_dir: Path | None = None) -> list[str]:
    """Map geographies whose geometry exists in the build, in display order."""
    return [g for g in GEOGRAPHIES if geo_path(g, build_dir).exists()]


@lru_cache(maxsize=16)
def _geometry_index(path: str, mtime: float) -> pd.DataFrame:
    with open(path, encoding="utf-8") as fh:
        fc = json.load(fh)
    rows = [(str(f.get("id") or f["properties"].get("code")), f["properties"].get("name", ""))
            for f in fc.get("features", [])]
    return pd.DataFrame(rows, columns=["code", "name"]).astype(object)


def geometry_index(geography: str) -> pd.DataFrame:
    """code, name of every feature in the geography's GeoJSON, in file order."""
    path = geo_path(geography)
    if not path.exists():
        return pd.DataFrame(columns=["code", "name"])
    return _geometry_index(str(path), path.stat().st_mtime)


def metrics() -> pd.DataFrame:
    return store().metrics


def metric_info(metric_id: str) -> dict | None:
    return _metric_info(fingerprint(), metric_id)


@lru_cache(maxsize=256)
def _metric_info(fp: str, metric_id: str) -> dict | None:
    m = metrics()
    if m.empty or metric_id not in set(m["id"]):
        return None
    info = m[m["id"] == metric_id].iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in info.items()}


def metric_options() -> list[dict]:
    """Dropdown options: every metric with data in the bundle, headline measures first."""
    m = metrics()
    if m.empty:
        return []
    kinds = {"headline": 0, "headline_mean": 1, "supporting": 2, "context": 3}
    m = m.assign(kind_order=m["kind"].map(kinds).fillna(9), n_data=pd.to_numeric(m.get("n_rows"), errors="coerce").fillna(0))
    m = m.sort_values(["kind_order", "sort", "title"])
    out = []
    for r in m.itertuples():
        label = r.title if r.n_data > 0 else f"{r.title} (no data in the bundle)"
        out.append({"label": label, "value": r.id, "disabled": bool(r.n_data <= 0)})
    return out


def default_metric() -> str | None:
    opts = [o for o in metric_options() if not o.get("disabled")]
    for o in opts:
        if o["value"] == "mean_life_satisfaction":
            return o["value"]
    return opts[0]["value"] if opts else None


@lru_cache(maxsize=8)
def _by_metric(fp: str, table: str) -> dict[str, pd.DataFrame]:
    st = store()
    df = st.la_view if table == "la_view" else st.observations
    if df.empty:
        return {}
    return {k: g.reset_index(drop=True) for k, g in df.groupby("metric_id", sort=False)}


def _rows(table: str, metric_id: str) -> pd.DataFrame:
    return _by_metric(fingerprint(), table).get(metric_id, pd.DataFrame())


def metric_periods(metric_id: str) -> list[str]:
    """Every period the metric is published for (any geography), oldest first."""
    return list(_metric_periods(fingerprint(), metric_id))


@lru_cache(maxsize=256)
def _metric_periods(fp: str, metric_id: str) -> tuple[str, ...]:
    obs = _rows("observations", metric_id)
    if obs.empty:
        return []
    p = obs[["period", "period_start"]].drop_duplicates("period").sort_values(["period_start", "period"])
    return tuple(p["period"].astype(str).tolist())


def metric_geographies(metric_id: str) -> list[str]:
    return _metric_geographies(fingerprint(), metric_id)


@lru_cache(maxsize=256)
def _metric_geographies(fp: str, metric_id: str) -> list[str]:
    obs = _rows("observations", metric_id)
    return sorted(obs["geography"].dropna().unique().tolist()) if not obs.empty else []


def all_periods() -> set[str]:
    return _all_periods(fingerprint())


@lru_cache(maxsize=4)
def _all_periods(fp: str) -> frozenset:
    obs = store().observations
    return frozenset(obs["period"].astype(str).unique()) if not obs.empty else frozenset()


def latest_period(metric_id: str, geography: str) -> str | None:
    """Latest period with at least one value at the map geography (else the metric's latest)."""
    periods = metric_periods(metric_id)
    if not periods:
        return None
    df = _source_rows(metric_id, geography)
    if not df.empty:
        have = df.loc[df["value"].notna(), "period"].astype(str)
        if not have.empty:
            order = {p: i for i, p in enumerate(periods)}
            return max(have.unique(), key=lambda p: order.get(p, -1))
    return periods[-1]


def _source_rows(metric_id: str, geography: str) -> pd.DataFrame:
    """All rows (every period) that can colour the geography's features."""
    if geography == "ltla":
        df = _rows("la_view", metric_id)
        if df.empty:
            df = _rows("observations", metric_id)
            df = df[df["geography"] == "ltla"] if not df.empty else df
        return df
    obs = _rows("observations", metric_id)
    if obs.empty:
        return obs
    if geography == "region":
        return obs[obs["geography"].isin(["region", "country"])]
    return obs[obs["geography"] == geography]


# ---------------------------------------------------------------- the values frame
class _PeriodFrames:
    """One metric's rows at one geography, indexed by area code for one period at a time: the
    split is made when a period is first asked for, so the first view of a metric costs the
    same however many periods it has."""

    def __init__(self, src: pd.DataFrame):
        self._src = src
        self._pos = src.groupby(src["period"].astype(str), sort=False).indices
        self._frames: dict[str, pd.DataFrame] = {}

    def get(self, period: str) -> pd.DataFrame | None:
        got = self._frames.get(period)
        if got is None and period in self._pos:
            # two threads may both build it; the results are equal, so no lock is needed
            got = (self._src.iloc[self._pos[period]].drop(columns="period")
                   .drop_duplicates("area_code").set_index("area_code"))
            self._frames[period] = got
        return got


@lru_cache(maxsize=2048)
def _source_by_period(fp: str, metric_id: str, geography: str) -> _PeriodFrames | dict:
    src = _source_rows(metric_id, geography)
    if src.empty:
        return {}
    cols = ["area_code", "value", "lower", "upper", "status", "note", "derived"]
    cols += [c for c in ("native_geography", "native_area_code") if c in src.columns]
    src = src[cols + ["period"]].copy()
    for c in ("value", "lower", "upper"):
        src[c] = pd.to_numeric(src[c], errors="coerce").astype(float)
    # plain numpy object columns: reindexing pyarrow-backed strings per request is slow
    for c in ("area_code", "status", "note", "native_geography", "native_area_code"):
        if c in src:
            src[c] = src[c].astype(object)
    return _PeriodFrames(src)


@lru_cache(maxsize=2)
def _area_names(fp: str) -> dict[str, str]:
    a = store().areas
    if a.empty:
        return {}
    a = a.drop_duplicates("code")
    return dict(zip(a["code"].astype(str), a["name"].astype(str)))


def short_status(metric_id: str, notes: np.ndarray) -> np.ndarray:
    """Per-row short status pulled from the observation note (e.g. 'Exceeding'), '' otherwise."""
    spec = NOTE_STATUS.get(metric_id)
    out = np.full(len(notes), "", dtype=object)
    if not spec:
        return out
    rx = re.compile(spec["pattern"], re.IGNORECASE)
    for j, t in enumerate(notes):
        if isinstance(t, str) and t:
            m = rx.search(t)
            out[j] = m.group(1).strip().capitalize() if m else ""
    return out


@lru_cache(maxsize=2048)
def _published_here(fp: str, metric_id: str, geography: str) -> bool:
    geos = set(metric_geographies(metric_id))
    if geography == "region":
        return bool({"region", "country"} & geos)
    if geography == "ltla":
        return "ltla" in geos or not _rows("la_view", metric_id).empty
    return geography in geos


def published_at(metric_id: str, geography: str) -> bool:
    """Whether the map can show any value of the metric at this geography."""
    return _published_here(fingerprint(), metric_id, geography)


@lru_cache(maxsize=8192)
def _values(fp: str, metric_id: str, period: str, geography: str) -> pd.DataFrame:
    geo = geometry_index(geography)
    codes = geo["code"].to_numpy()
    n = len(codes)
    src = _source_by_period(fp, metric_id, geography).get(period)
    df = pd.DataFrame({"code": codes, "name": geo["name"].to_numpy()})
    if src is not None and len(src):
        got = src.reindex(codes)
        for c in ("value", "lower", "upper"):
            df[c] = got[c].to_numpy(float)
        df["status"] = got["status"].to_numpy(object)
        df["note"] = got["note"].to_numpy(object)
        df["derived"] = got["derived"].fillna(False).to_numpy(bool)
        ng = got["native_geography"].to_numpy(object) if "native_geography" in got else np.full(n, None, object)
        nc = got["native_area_code"].to_numpy(object) if "native_area_code" in got else np.full(n, None, object)
    else:
        for c in ("value", "lower", "upper"):
            df[c] = np.full(n, np.nan)
        df["status"] = np.full(n, None, object)
        df["note"] = np.full(n, None, object)
        df["derived"] = np.zeros(n, bool)
        ng = np.full(n, None, object)
        nc = np.full(n, None, object)
    ng = np.where(pd.isna(ng), geography, ng)
    nc = np.where(pd.isna(nc), codes, nc)
    df["native_geography"] = ng
    df["native_area_code"] = nc

    published_here = _published_here(fp, metric_id, geography)
    no_value = ~np.isfinite(df["value"].to_numpy(float))
    status = np.where(pd.isna(df["status"].to_numpy(object)), "", df["status"].to_numpy(object)).astype(str)
    reason = np.full(n, "", dtype=object)
    for st_, text in STATUS_REASONS.items():
        reason[no_value & (status == st_)] = text
    rest = no_value & (reason == "")
    if published_here:
        reason[rest] = "not published for this area/period in the bundled data"
    else:
        reason[rest] = f"not published for any {GEOGRAPHY_NOUN.get(geography, geography)} in the bundled data"
    df["reason"] = reason
    df["status"] = np.where(no_value & (status == ""), "not published", status)
    # a value is inherited when it belongs to another area (a county's value shown for its districts);
    # a unitary authority's own value is not, even when the series is published at county level
    inherit = (ng != geography) & (nc != codes) & ~no_value
    if geography == "region":
        inherit &= ng != "country"
    df["inherited"] = np.where(inherit, pd.Series(ng).map(INHERITED_TEXT).fillna("").to_numpy(object), "")
    names = _area_names(fp)
    # "<native geography>|<area name>": compact in the payload (the template is sent once per geography)
    keys = [f"{g_}|{names.get(str(c_), str(c_))}" if inh_ and g_ in INHERITED_NAMED else ""
            for g_, c_, inh_ in zip(ng, nc, inherit)]
    df["inherited_key"] = np.asarray(keys, dtype=object)
    df["inherited_named"] = np.asarray([named_inheritance(k) for k in keys], dtype=object)
    df["note_status"] = np.where(no_value, "", short_status(metric_id, df["note"].to_numpy(object)))
    return df


def named_inheritance(key: str) -> str:
    """'utla|Kent' -> 'County-level value (Kent), shared by its districts' ('' -> '')."""
    if not key:
        return ""
    geo, _, name = key.partition("|")
    return INHERITED_NAMED.get(geo, "").format(name=name)


def _index_map(idx: list[int], n: int) -> dict | list:
    """Per-feature index into a dictionary: a {feature: index} map when few features have one,
    a plain list when most do (smaller JSON either way; `x[i]` reads both in JavaScript)."""
    sparse = {str(i): x for i, x in enumerate(idx) if x}
    return list(idx) if len(sparse) > n / 3 else sparse


def values_frame(metric_id: str, period: str, geography: str) -> pd.DataFrame:
    """One row per feature of the geography: code, name, value, lower, upper, status, note,
    derived, native_geography, native_area_code, reason (why no value), inherited (generic text),
    inherited_named (the same naming the county/ICB/zone), note_status (e.g. NO2 compliance)."""
    return _values(fingerprint(), metric_id, str(period), geography).copy()


# ---------------------------------------------------------------- benchmarks and classes
def _benchmark_table(metric_id: str, period: str) -> dict[str, float]:
    return _bench_table(fingerprint(), metric_id, period)


@lru_cache(maxsize=8192)
def _bench_table(fp: str, metric_id: str, period: str) -> dict[str, float]:
    obs = _rows("observations", metric_id)
    if obs.empty:
        return {}
    o = obs[(obs["period"].astype(str) == period) & obs["geography"].isin(["country", "uk", "region"])]
    return dict(zip(o["area_code"], pd.to_numeric(o["value"], errors="coerce")))


@lru_cache(maxsize=1)
def _parents(fp: str) -> pd.DataFrame:
    a = store().areas
    if a.empty:
        return pd.DataFrame(columns=["code", "region_code", "country_code"])
    a = a.drop_duplicates("code").set_index("code")
    return a[["region_code", "country_code"]]


def benchmark_values(metric_id: str, period: str, geography: str, benchmark: str,
                     codes: pd.Series) -> tuple[np.ndarray, str]:
    """Per-area benchmark values and a label saying what was used."""
    table = _benchmark_table(metric_id, period)
    n = len(codes)
    if benchmark in ("region", "nation") and geography == "region":
        benchmark = "uk"
    if benchmark == "uk":
        return np.full(n, table.get(UK, np.nan)), "United Kingdom"
    if benchmark in ("region", "nation"):
        par = _parents(fingerprint())
        parents = par.reindex(codes.tolist())
        nation = parents["country_code"].to_numpy()
        if benchmark == "region":
            reg = parents["region_code"].to_numpy()
            # Wales, Scotland and Northern Ireland have no regions: their nation is the benchmark
            key = np.where(pd.isna(reg), nation, reg)
            label = "The area's region (nation for Wales, Scotland and Northern Ireland)"
        else:
            key = nation
            label = "The area's nation"
        return np.array([table.get(k, np.nan) if isinstance(k, str) else np.nan for k in key], float), label
    return np.full(n, table.get(ENGLAND, np.nan)), "England"


def _fmt(v: float, dec: int) -> str:
    return f"{v:,.{dec}f}"


def _class_name(step: int, k: int, polarity: str) -> str:
    """Text name of a colour step (0 = lightest): it carries the meaning, not the colour."""
    if k == 5:
        if polarity in ("higher_better", "lower_better"):
            return ["Best fifth", "Second fifth", "Middle fifth", "Fourth fifth", "Worst fifth"][step]
        return ["Lowest fifth", "Second fifth", "Middle fifth", "Fourth fifth", "Highest fifth"][step]
    return f"Class {step + 1} of {k}"


def classify(df: pd.DataFrame, info: dict, classes: str, benchmark: str, geography: str,
             period: str) -> tuple[np.ndarray, list[dict], dict]:
    """Class index per row (-1 = no value), legend entries (label, colour) and extra facts."""
    polarity = info.get("polarity") or "no_judgement"
    dec = int(info.get("decimals") or 1)
    vals = df["value"].to_numpy(float)
    ok = np.isfinite(vals)
    cls = np.full(len(df), -1, dtype=int)
    extra: dict = {}
    if classes == "benchmark":
        bvals, blabel = benchmark_values(info["id"], period, geography, benchmark, df["code"])
        comp = compare_to_benchmark(vals, df["lower"].to_numpy(float), df["upper"].to_numpy(float),
                                    bvals, polarity)
        cats = [c for c in BENCH_ORDER if c in set(comp[ok])] or ["not compared"]
        idx = {c: i for i, c in enumerate(cats)}
        cls[ok] = [idx[c] for c in comp[ok]]
        legend = [{"label": BENCH_LABELS[c], "colour": BENCHMARK_COLOURS[c], "key": c} for c in cats]
        finite_b = bvals[np.isfinite(bvals)]
        extra = {"benchmark_label": blabel, "benchmark": bvals, "comparison": np.where(ok, comp, ""),
                 "benchmark_single": float(finite_b[0]) if len(set(finite_b.tolist())) == 1 else None}
        if not np.isfinite(df["lower"].to_numpy(float)[ok]).any():
            extra["no_ci"] = True
        return cls, legend, extra
    v = vals[ok]
    if len(v) == 0:
        return cls, [], extra
    qs = np.unique(np.quantile(v, [0.2, 0.4, 0.6, 0.8]))
    qs = qs[(qs > v.min()) & (qs <= v.max())] if len(np.unique(v)) > 1 else np.array([])
    edges = np.concatenate([[v.min()], qs, [v.max()]])
    k = len(edges) - 1 if len(edges) > 1 else 1
    raw = np.clip(np.searchsorted(qs, v, side="right"), 0, max(k - 1, 0))  # 0 = lowest values
    colours = QUANTILE_COLOURS if k == 5 else [QUANTILE_COLOURS[int(round(i * 4 / max(k - 1, 1)))] for i in range(k)]
    reverse = polarity == "higher_better"  # low values are worse: darkest
    ranks = (k - 1 - raw) if reverse else raw
    cls[ok] = ranks
    legend = []
    for step in range(k):  # step = colour index, light to dark
        members = v[ranks == step]
        n = int(len(members))
        lo, hi = (members.min(), members.max()) if n else (np.nan, np.nan)
        legend.append({"label": f"{_class_name(step, k, polarity)}: {_fmt(lo, dec)} to {_fmt(hi, dec)} ({n} areas)",
                       "colour": colours[step], "key": str(step)})
    if polarity == "higher_better":
        extra["direction"] = "Darker = lower value = worse (higher is better for this measure)."
    elif polarity == "lower_better":
        extra["direction"] = "Darker = higher value = worse (lower is better for this measure)."
    else:
        extra["direction"] = "Darker = higher value (no judgement of better or worse for this measure)."
    return cls, legend, extra


# ---------------------------------------------------------------- public API
def normalise(metric: str | None, period: str | None, geography: str | None, classes: str | None,
              benchmark: str | None) -> tuple[dict, list[str]]:
    """Validate view state from the URL or controls; returns the state used and messages."""
    notes: list[str] = []
    geos = available_geographies()
    if metric and metric_info(metric) is None:
        notes.append(f"There is no metric called '{metric}'; showing the default measure instead.")
        metric = None
    metric = metric or default_metric()
    if geography not in geos:
        if geography:
            notes.append(f"The geography '{geography}' is not available; showing local authority districts.")
        geography = "ltla" if "ltla" in geos else (geos[0] if geos else "ltla")
    if classes not in CLASSES:
        classes = "quantile"
    if benchmark not in BENCHMARKS:
        benchmark = "england"
    periods = metric_periods(metric) if metric else []
    if period and period not in periods:
        if period not in all_periods():
            notes.append(f"'{period}' is not a period in this data; showing the latest period instead.")
            period = None
        elif _shape(period) not in {_shape(p) for p in periods}:
            # a different kind of period (e.g. a financial year for a calendar-year measure)
            latest = latest_period(metric, geography)
            notes.append(f"This measure is not published for {period} (its periods look like "
                         f"{periods[-1]}); showing {latest}, the latest with values.")
            period = None
        # else: same kind of period but not published: kept, and the page says so
    if not period and metric:
        period = latest_period(metric, geography)
    return {"metric": metric, "period": period, "geography": geography, "classes": classes,
            "benchmark": benchmark}, notes


def _shape(period: str) -> str:
    """'2022-23' -> '9999-99', '2023' -> '9999': the form of a period label."""
    return "".join("9" if ch.isdigit() else ch for ch in str(period))


def period_options(metric_id: str, period: str | None) -> list[dict]:
    periods = metric_periods(metric_id)
    opts = [{"label": p, "value": p} for p in reversed(periods)]
    if period and period not in periods:
        opts.insert(0, {"label": f"{period} (not published for this measure)", "value": period})
    return opts


def _rl(a: np.ndarray, dec: int) -> list:
    """Rounded floats as a JSON-friendly list (None where missing)."""
    a = np.asarray(a, float)
    return np.where(np.isfinite(a), np.round(a, dec), None).tolist()


def _codes(a: np.ndarray) -> tuple[list[str], list[int]]:
    """Dictionary-encode strings: ([''] + distinct values, index per row)."""
    uniq = [""] + sorted({x for x in a.tolist() if x})
    pos = {u: i for i, u in enumerate(uniq)}
    return uniq, [pos.get(x, 0) for x in a.tolist()]


@lru_cache(maxsize=8192)
def _payload(fp: str, metric: str, period: str, geography: str, classes: str, benchmark: str) -> dict:
    info = metric_info(metric) or {"id": metric, "decimals": 1, "polarity": "no_judgement"}
    dec = int(info.get("decimals") or 1)
    df = values_frame(metric, period, geography)
    cls, legend, extra = classify(df, info, classes, benchmark, geography, period)
    reasons, ridx = _codes(df["reason"].to_numpy(object))
    inh_list, iidx = _codes(df["inherited_key"].to_numpy(object))
    nts, nidx = _codes(df["note_status"].to_numpy(object))
    has_ci = bool(np.isfinite(df["lower"].to_numpy(float)).any())
    out = {
        "k": "|".join([metric, period, geography, classes, benchmark]),
        "g": geography, "m": metric, "p": period, "mode": classes,
        "hb": info.get("polarity") == "higher_better",
        "pol": info.get("polarity") or "no_judgement",
        "t": info.get("short_title") or info.get("title") or metric,
        "u": info.get("unit") or "", "d": dec,
        # arrays follow the order of the features in /geo/<geography>.geojson (same build: "fp")
        "fp": fp[:16], "n": int(len(df)),
        "v": _rl(df["value"].to_numpy(float), dec),
        "c": cls.tolist(),
        "r": {str(i): x for i, x in enumerate(ridx) if x}, "reasons": reasons,
        "legend": [{"label": e["label"], "colour": e["colour"]} for e in legend],
        "nd": {"label": NO_VALUE_LABEL, "colour": NO_DATA_COLOUR},
    }
    if has_ci:
        out["lo"] = _rl(df["lower"].to_numpy(float), dec)
        out["hi"] = _rl(df["upper"].to_numpy(float), dec)
    if len(inh_list) > 1:
        out["i"], out["inh"] = _index_map(iidx, len(df)), inh_list
        out["inht"] = {g: INHERITED_NAMED[g] for g in sorted({k.split("|", 1)[0] for k in inh_list if k})}
    if len(nts) > 1:
        spec = NOTE_STATUS.get(metric, {})
        out["ni"], out["nts"] = _index_map(nidx, len(df)), nts
        out["ntl"] = spec.get("label") or "Status"
    if NOTE_STATUS.get(metric, {}).get("ref"):
        out["ref"] = NOTE_STATUS[metric]["ref"]
    if classes == "benchmark":
        out["bl"] = extra.get("benchmark_label")
        if extra.get("benchmark_single") is not None:
            out["bv"] = round(extra["benchmark_single"], dec)
    return out


def payload(metric: str, period: str, geography: str, classes: str, benchmark: str) -> dict:
    """The compact values payload the browser combines with the cached geometry.

    Keys: g, m, p (geography, metric, period), mode (quantile/benchmark), hb (higher is better),
    pol (polarity),
    t, u, d (title, unit, decimals), fp (build fingerprint prefix), n (number of features), v, lo, hi
    (value and 95% CI per feature, in the geometry file's feature order, None when missing), c (legend
    index per feature, -1 = no value), r ({feature index: index into reasons} for areas with no
    value), i/inh/inht (the same for values inherited from a coarser geography: inh holds
    '<native geography>|<area name>' and inht the sentence per native geography, with {name}), ni/nts/ntl (the same for a per-area status from the publisher's note, e.g. NO2
    compliance, and its label), ref (a reference line: {x, label}, e.g. the NO2 limit value), legend,
    nd (the no-value legend entry), bl/bv (benchmark label and single value)."""
    return _payload(fingerprint(), metric, str(period), geography, classes, benchmark)


def map_table(metric: str, period: str, geography: str, classes: str, benchmark: str) -> pd.DataFrame:
    """Exactly what the map shows, as a tidy table (for the ranked table and the CSV)."""
    info = metric_info(metric) or {"id": metric, "decimals": 1, "polarity": "no_judgement", "unit": ""}
    df = values_frame(metric, period, geography)
    cls, legend, extra = classify(df, info, classes, benchmark, geography, period)
    labels = [e["label"] for e in legend]
    out = pd.DataFrame({
        "area_code": df["code"], "area_name": df["name"], "geography": geography,
        "metric_id": metric, "metric": info.get("title") or metric, "unit": info.get("unit") or "",
        "period": period, "value": df["value"], "lower_95": df["lower"], "upper_95": df["upper"],
        "status": df["status"],
    })
    if classes == "benchmark":
        out["benchmark"] = extra.get("benchmark_label")
        out["benchmark_value"] = extra.get("benchmark")
        out["comparison"] = [BENCH_LABELS.get(c, "") if c else "" for c in extra.get("comparison")]
    else:
        out["map_class"] = [labels[c] if 0 <= c < len(labels) else "" for c in cls]
    if metric in NOTE_STATUS:
        out["compliance" if "compliance" in NOTE_STATUS[metric]["label"].lower() else "note_status"] = df["note_status"]
    out["shown_as"] = df["inherited_named"].replace("", None).fillna(
        "value published for this area").where(df["value"].notna(), "no value")
    out["native_geography"] = df["native_geography"]
    out["native_area_code"] = df["native_area_code"]
    out["history_derived"] = df["derived"]
    out["reason_no_value"] = df["reason"]
    asc = info.get("polarity") != "higher_better"  # best first, as in the ranked table
    out = out.sort_values("value", ascending=asc, na_position="last", kind="mergesort").reset_index(drop=True)
    return out


def summary(metric: str, period: str, geography: str) -> dict:
    """Counts and notes for the text around the map."""
    info = metric_info(metric) or {}
    df = values_frame(metric, period, geography)
    n_val = int(df["value"].notna().sum())
    inherited = sorted({t for t in df["inherited"] if t})
    # the areas whose values are shared, per generic text: {"county-level value ...": ["Kent", ...]}
    shared_from: dict[str, list[str]] = {}
    for t, k in zip(df["inherited"], df["inherited_key"]):
        if t and k:
            shared_from.setdefault(t, set()).add(k.split("|", 1)[1])
    shared_from = {t: sorted(v) for t, v in shared_from.items()}
    reasons = df.loc[df["value"].isna(), "reason"].value_counts()
    periods = metric_periods(metric)
    return {
        "n_areas": len(df), "n_values": n_val, "n_missing": len(df) - n_val,
        "inherited": inherited, "shared_from": shared_from, "reasons": reasons.to_dict(),
        "period_published": period in periods, "latest": periods[-1] if periods else None,
        "publisher": info.get("publisher"), "publisher_url": info.get("publisher_url"),
        "status_note": info.get("status_note"), "title": info.get("title"),
        "has_ci": bool(df["lower"].notna().any()),
    }


CLOSEST_ALTERNATIVE = {"high_anxiety": "mean_anxiety", "low_life_satisfaction": "mean_life_satisfaction",
                       "low_worthwhile": "mean_worthwhile", "low_happiness": "mean_happiness"}


def clear_caches() -> None:
    for f in (_geometry_index, _by_metric, _values, _parents, _area_names, _payload, _metric_info, _metric_geographies,
              _metric_periods, _bench_table, _all_periods, _source_by_period, _published_here):
        f.cache_clear()


def warm(metric_ids: list[str] | None = None) -> None:
    """Pre-index every metric for every map geography (run once per process, in the background),
    so that the first change of metric or period is as quick as the next."""
    fp = fingerprint()
    geos = available_geographies()
    for g in geos:
        geometry_index(g)
    _parents(fp)
    ids = metric_ids or [o["value"] for o in metric_options() if not o.get("disabled")]
    for m in ids:
        metric_periods(m)
        metric_info(m)
        for g in geos:
            _source_by_period(fp, m, g)
            _published_here(fp, m, g)
        for p in metric_periods(m)[-3:]:
            _bench_table(fp, m, p)
    # the first view of each measure (its latest period on the LTLA map) is ready before anyone asks
    for m in ids:
        if "ltla" in geos:
            p = latest_period(m, "ltla")
            if p:
                for classes in CLASSES:
                    _payload(fp, m, p, "ltla", classes, "england")
