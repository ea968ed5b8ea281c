"""The public data API, `/api/v1`: the same queries the pages use, as JSON or CSV.

    GET /api/v1/metrics                      the catalogue (and what this data holds per metric)
    GET /api/v1/areas                        every area (filter: geography, q, active)
    GET /api/v1/observations                 values (filter: metric, geography, period, area, view)
    GET /api/v1/mission/gap                  the worst third against the rest, per period and measure
    GET /api/v1/mission/model                the small-area model's diagnostics, per measure and year
    GET /api/v1/openapi.json                 this description, in OpenAPI 3.1

JSON by default, CSV with `format=csv`. A bad parameter gives a 400 with a JSON body naming it.
Responses carry an ETag from the build's fingerprint and the query, and may be cached for an hour.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from flask import Response, jsonify, request

from dashboard import queries as q
from dashboard.analysis import export
from dashboard.queries import vocabulary as vocab

PREFIX = "/api/v1"
MAX_LIMIT = 100_000
DEFAULT_LIMIT = 10_000
CACHE_CONTROL = "public, max-age=3600"
METRIC_FIELDS = ["id", "title", "short_title", "kind", "driver", "component", "annex_b", "publisher", "source",
                 "publisher_url", "native_geography", "unit", "polarity", "decimals", "licence", "status",
                 "status_note", "definition", "caveats", "period_type", "measure", "role", "band", "first_period",
                 "latest_period", "has_ci", "geographies"]
AREA_FIELDS = ["code", "name", "geography", "la_type", "active", "region_code", "country_code", "utla_code",
               "icb_code", "icb_share", "icb_split", "aq_zone_code", "cauth_code", "successor_code", "former_codes",
               "other_names"]
OBS_FIELDS = ["metric_id", "area_code", "area_name", "geography", "period", "period_start", "period_end", "value",
              "lower", "upper", "status", "derived", "native_geography", "native_area_code", "note", "source_file"]


class BadRequest(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


def _params(allowed: set[str]) -> dict:
    args = request.args
    unknown = sorted(set(args) - allowed - {"format", "limit", "offset"})
    if unknown:
        raise BadRequest(unknown[0], f"unknown parameter {unknown[0]!r}; allowed: {sorted(allowed | {'format', 'limit', 'offset'})}")
    for k in args:
        if len(args.getlist(k)) > 1:
            raise BadRequest(k, f"parameter {k!r} given more than once")
    out = {k: args.get(k) for k in allowed if args.get(k) not in (None, "")}
    fmt = args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise BadRequest("format", "format must be 'json' or 'csv'")
    out["format"] = fmt
    return out


def _int(name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        v = int(raw)
    except ValueError:
        raise BadRequest(name, f"{name} must be a whole number") from None
    if not lo <= v <= hi:
        raise BadRequest(name, f"{name} must be between {lo} and {hi}")
    return v


def _clean(v):
    if isinstance(v, (float, np.floating)) and not math.isfinite(float(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    return v


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in r.items()} for r in df.to_dict("records")]


def _etag() -> str:
    key = request.path + "?" + urlencode(sorted(request.args.items(multi=True)))
    return f'"{q.build.fingerprint()[:16]}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"'


def _respond(df: pd.DataFrame, name: str, fmt: str, meta: dict | None = None) -> Response:
    etag = _etag()
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding",
               "Access-Control-Allow-Origin": "*"}
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers=headers)
    if fmt == "csv":
        buf = io.StringIO()
        df.to_csv(buf, index=False, date_format="%Y-%m-%d")
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return Response(buf.getvalue(), mimetype="text/csv", headers=headers)
    body = {"data": _records(df), **(meta or {}), "build": {"fingerprint": q.build.fingerprint()[:16],
                                                            "built_at": q.build.current().manifest.get("built_at")}}
    return Response(json.dumps(body, ensure_ascii=False, allow_nan=False), mimetype="application/json", headers=headers)


def _page(df: pd.DataFrame, fmt: str) -> tuple[pd.DataFrame, dict]:
    """JSON is paged (limit/offset, with a link to the next page); CSV is whole unless limited."""
    limit = _int("limit", DEFAULT_LIMIT if fmt == "json" else None, 1, MAX_LIMIT)
    offset = _int("offset", 0, 0, 10**9)
    total = len(df)
    page = df.iloc[offset: offset + limit] if limit is not None else df.iloc[offset:]
    meta = {"total": total, "offset": offset, "limit": limit, "count": len(page)}
    if limit is not None and offset + limit < total:
        args = {k: v for k, v in request.args.items()}
        args.update(offset=str(offset + limit), limit=str(limit))
        meta["next"] = request.path + "?" + urlencode(args)
    return page, meta


# ----------------------------------------------------------------------------- the tables
def metrics_table(kind: str | None = None) -> pd.DataFrame:
    m = q.catalogue.metrics().copy()
    if m.empty:
        return pd.DataFrame(columns=METRIC_FIELDS)
    if kind:
        m = m[m["kind"] == kind]
    m["geographies"] = [",".join(q.catalogue.geographies_of(i)) for i in m["id"]]
    return m[[c for c in METRIC_FIELDS if c in m.columns]].reset_index(drop=True)


def areas_table(geography: str | None = None, text: str | None = None, active: str | None = None) -> pd.DataFrame:
    a = q.areas.areas()
    if a.empty:
        return pd.DataFrame(columns=AREA_FIELDS)
    if geography:
        a = a[a["geography"] == geography]
    if active is not None:
        a = a[a["active"].astype(bool) == (active == "true")]
    if text:
        hits = [m["code"] for m in q.areas.search(text, limit=200)]
        a = a[a["code"].isin(hits)].assign(_o=lambda d: d["code"].map({c: i for i, c in enumerate(hits)}))
        a = a.sort_values("_o")
    else:
        a = a.sort_values(["geography", "code"])
    return a[[c for c in AREA_FIELDS if c in a.columns]].reset_index(drop=True)


def observations_table(metric=None, geography=None, period=None, area=None, view="published") -> pd.DataFrame:
    name = "la_view" if view == "local_authority" else "observations"
    df = q.observations.select(metric=metric, geography=geography, period=period, area=area, name=name)
    df = df[[c for c in OBS_FIELDS if c in df.columns]]
    return export.round_to_precision(df)


def gap_table(period: str | None = None, metric: str | None = None) -> pd.DataFrame:
    g = q.mission.gap()
    if g.empty:
        return g
    if period:
        g = g[g["period"].astype(str) == period]
    if metric:
        g = g[g["metric_id"] == metric]
    return g.reset_index(drop=True)


def model_table(period: str | None = None, metric: str | None = None) -> pd.DataFrame:
    m = q.mission.model()
    if m.empty:
        return m
    if period:
        m = m[m["period"].astype(str) == period]
    if metric:
        m = m[m["metric_id"] == metric]
    out = m.reset_index(drop=True).copy()
    for c in out.columns:  # computed statistics: no float residue
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(6)
    return out


# ----------------------------------------------------------------------------- validation
def _check_metric(metric):
    if metric is not None and not q.catalogue.exists(metric):
        raise BadRequest("metric", f"unknown metric {metric!r}; see {PREFIX}/metrics")


def _check_geography(geography):
    if geography is not None and geography not in vocab.geographies():
        raise BadRequest("geography", f"geography must be one of {list(vocab.geographies())}")


def _check_period(period, metric):
    if period is None:
        return
    known = q.catalogue.periods(metric) if metric else q.catalogue.all_periods()
    if period not in known:
        where = f"for {metric!r}" if metric else "in this data"
        raise BadRequest("period", f"period {period!r} is not published {where}")


def _check_area(area):
    if area is not None and q.areas.row(area) is None:
        raise BadRequest("area", f"unknown area code {area!r}; see {PREFIX}/areas")


# ----------------------------------------------------------------------------- routes
def register(server) -> None:
    @server.errorhandler(BadRequest)
    def _bad(exc: BadRequest):
        resp = jsonify(error="bad_request", parameter=exc.parameter, message=exc.message)
        resp.status_code = 400
        return resp

    @server.route(f"{PREFIX}/metrics")
    def api_metrics():
        p = _params({"kind"})
        if p.get("kind") and p["kind"] not in vocab.labels().get("kind", {}):
            raise BadRequest("kind", f"kind must be one of {list(vocab.labels().get('kind', {}))}")
        return _respond(metrics_table(p.get("kind")), "metrics", p["format"])

    @server.route(f"{PREFIX}/areas")
    def api_areas():
        p = _params({"geography", "q", "active"})
        _check_geography(p.get("geography"))
        if p.get("active") not in (None, "true", "false"):
            raise BadRequest("active", "active must be 'true' or 'false'")
        df, meta = _page(areas_table(p.get("geography"), p.get("q"), p.get("active")), p["format"])
        return _respond(df, "areas", p["format"], meta)

    @server.route(f"{PREFIX}/observations")
    def api_observations():
        p = _params({"metric", "geography", "period", "area", "view"})
        _check_metric(p.get("metric"))
        _check_geography(p.get("geography"))
        _check_period(p.get("period"), p.get("metric"))
        if p.get("area"):
            p["area"] = p["area"].strip().upper()
        _check_area(p.get("area"))
        view = p.get("view", "published")
        if view not in ("published", "local_authority"):
            raise BadRequest("view", "view must be 'published' (as published) or 'local_authority' (every metric "
                                     "on current local authorities)")
        df = observations_table(p.get("metric"), p.get("geography"), p.get("period"), p.get("area"), view)
        df, meta = _page(df, p["format"])
        name = "observations_" + "_".join(str(p[k]) for k in ("metric", "geography", "period", "area") if p.get(k))
        return _respond(df, name.rstrip("_"), p["format"], meta)

    @server.route(f"{PREFIX}/mission/gap")
    def api_gap():
        p = _params({"period", "metric"})
        g = q.mission.gap()
        if p.get("period") and (g.empty or p["period"] not in set(g["period"].astype(str))):
            raise BadRequest("period", "period must be one of the gap's periods (e.g. '2016-17 to 2018-19', '2022-23')")
        if p.get("metric") and (g.empty or p["metric"] not in set(g["metric_id"])):
            raise BadRequest("metric", "metric must be 'overall' or one of the headline measures of the gap")
        return _respond(gap_table(p.get("period"), p.get("metric")), "mission_gap", p["format"],
                        {"basis": q.mission.basis()})

    @server.route(f"{PREFIX}/mission/model")
    def api_model():
        p = _params({"period", "metric"})
        m = q.mission.model()
        if p.get("period") and (m.empty or p["period"] not in set(m["period"].astype(str))):
            raise BadRequest("period", "period must be one of the model's periods (e.g. '2016-17 to 2018-19', '2022-23')")
        if p.get("metric") and (m.empty or p["metric"] not in set(m["metric_id"])):
            raise BadRequest("metric", "metric must be one of the headline measures the model was fitted for")
        return _respond(model_table(p.get("period"), p.get("metric")), "mission_model", p["format"],
                        {"basis": q.mission.basis()})

    @server.route(f"{PREFIX}/openapi.json")
    def api_openapi():
        from dashboard.routes._openapi import spec

        resp = jsonify(spec())
        resp.headers["Cache-Control"] = CACHE_CONTROL
        return resp
