"""The OpenAPI 3.1 description of `/api/v1` (served at /api/v1/openapi.json)."""
from __future__ import annotations

from dashboard.queries import vocabulary as vocab


def _param(name, description, schema=None, required=False):
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


FORMAT = _param("format", "Response format: json (default) or csv.", {"type": "string", "enum": ["json", "csv"]})
LIMIT = _param("limit", "Rows per page (JSON default 10,000; CSV is whole unless limited).",
               {"type": "integer", "minimum": 1, "maximum": 100000})
OFFSET = _param("offset", "Rows to skip.", {"type": "integer", "minimum": 0})
ERROR = {"description": "A parameter is not valid: the body names it.",
         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(description, item_ref):
    return {"description": description, "headers": {"ETag": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {
                "type": "object", "properties": {"data": {"type": "array", "items": {"$ref": item_ref}},
                                                 "total": {"type": "integer"}, "next": {"type": "string"},
                                                 "build": {"type": "object"}}}},
                        "text/csv": {"schema": {"type": "string"}}}}


def spec() -> dict:
    geos = list(vocab.geographies())
    statuses = list(vocab.labels().get("status", {}))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Well-being Mission Dashboard data API", "version": "1",
                 "description": "The data behind the dashboard: the metrics catalogue, areas, every published "
                                "observation and the mission's worst-third gap. Values are as published, rounded "
                                "to the publisher's precision; nothing is imputed.",
                 "license": {"name": "Open Government Licence v3.0",
                             "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}},
        "paths": {
            "/api/v1/metrics": {"get": {
                "summary": "The metrics catalogue", "operationId": "listMetrics",
                "parameters": [_param("kind", "headline, headline_mean, supporting or context.",
                                      {"type": "string", "enum": list(vocab.labels().get("kind", {}))}), FORMAT],
                "responses": {"200": _ok("Catalogue entries.", "#/components/schemas/Metric"), "400": ERROR}}},
            "/api/v1/areas": {"get": {
                "summary": "Areas (current and former)", "operationId": "listAreas",
                "parameters": [_param("geography", "Geography.", {"type": "string", "enum": geos}),
                               _param("q", "Name or GSS code to search for."),
                               _param("active", "true: current areas only; false: former areas only.",
                                      {"type": "string", "enum": ["true", "false"]}), FORMAT, LIMIT, OFFSET],
                "responses": {"200": _ok("Areas.", "#/components/schemas/Area"), "400": ERROR}}},
            "/api/v1/observations": {"get": {
                "summary": "Observations", "operationId": "listObservations",
                "parameters": [_param("metric", "Metric id (see /api/v1/metrics)."),
                               _param("geography", "Geography of the values.", {"type": "string", "enum": geos}),
                               _param("period", "Period label, e.g. 2022-23 or 2023."),
                               _param("area", "GSS code of an area."),
                               _param("view", "published (default: each value at the geography it was published "
                                              "for) or local_authority (every metric on current local "
                                              "authorities, with the geography of each value).",
                                      {"type": "string", "enum": ["published", "local_authority"]}),
                               FORMAT, LIMIT, OFFSET],
                "responses": {"200": _ok("Observations.", "#/components/schemas/Observation"), "400": ERROR}}},
            "/api/v1/mission/gap": {"get": {
                "summary": "The mission's gap: worst third of local authorities against the rest",
                "operationId": "missionGap",
                "parameters": [_param("period", "A financial year or '2016-17 to 2018-19' (the baseline)."),
                               _param("metric", "overall, or a headline metric id."), FORMAT],
                "responses": {"200": _ok("Gap rows.", "#/components/schemas/Gap"), "400": ERROR}}},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error", "parameter", "message"],
                      "properties": {"error": {"type": "string"}, "parameter": {"type": "string"},
                                     "message": {"type": "string"}}},
            "Metric": {"type": "object", "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "kind": {"type": "string"},
                "unit": {"type": "string"}, "polarity": {"type": "string"}, "native_geography": {"type": "string"},
                "publisher": {"type": "string"}, "publisher_url": {"type": "string"}, "status": {"type": "string"},
                "first_period": {"type": ["string", "null"]}, "latest_period": {"type": ["string", "null"]}}},
            "Area": {"type": "object", "properties": {
                "code": {"type": "string"}, "name": {"type": "string"},
                "geography": {"type": "string", "enum": geos}, "active": {"type": "boolean"},
                "successor_code": {"type": ["string", "null"]}}},
            "Observation": {"type": "object", "properties": {
                "metric_id": {"type": "string"}, "area_code": {"type": "string"}, "area_name": {"type": ["string", "null"]},
                "geography": {"type": "string", "enum": geos}, "period": {"type": "string"},
                "value": {"type": ["number", "null"]}, "lower": {"type": ["number", "null"]},
                "upper": {"type": ["number", "null"]}, "status": {"type": "string", "enum": statuses},
                "derived": {"type": "boolean"}, "note": {"type": ["string", "null"]}}},
            "Gap": {"type": "object", "properties": {
                "period": {"type": "string"}, "metric_id": {"type": "string"}, "is_baseline": {"type": "boolean"},
                "basis": {"type": "string"}, "gap": {"type": "number"}, "gap_lower": {"type": "number"},
                "gap_upper": {"type": "number"}, "change": {"type": ["number", "null"]},
                "verdict": {"type": "string"}}},
        }},
    }
