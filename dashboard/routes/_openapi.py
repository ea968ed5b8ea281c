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


def _props(fields: list[tuple[str, object, str]]) -> dict:
    """Schema properties from (name, JSON type, description) triples."""
    return {name: {"type": typ, "description": desc} for name, typ, desc in fields}


NUM, NUM_OR_NULL, STR_OR_NULL = "number", ["number", "null"], ["string", "null"]
GAP_FIELDS = [
    ("period", "string", "A financial year, or '2016-17 to 2018-19' for the 2017-19 baseline."),
    ("is_baseline", "boolean", "True for the 2017-19 baseline row."),
    ("basis", "string", "'shares' or 'means': what the local-authority measures were computed from."),
    ("metric_id", "string", "'overall' (the worst-performing measure) or a headline metric id."),
    ("n_ranked", "integer", "Local authorities ranked."),
    ("n_ranked_by_year", STR_OR_NULL, "Baseline only: local authorities ranked in each baseline year."),
    ("n_worst_third", "integer", "Local authorities in the worst third."),
    ("worst_third_mean", NUM_OR_NULL, "Mean of the worst third (a headline measure, in its units)."),
    ("rest_mean", NUM_OR_NULL, "Mean of the rest."),
    ("unit", "string", "'baseline SDs' for the overall gap, otherwise the measure's points."),
    ("gap", NUM, "The gap between the published estimates of the worst third and the rest."),
    ("gap_lower", NUM, "Its 95% interval, lower end (simulations over the published intervals)."),
    ("gap_upper", NUM, "Its 95% interval, upper end."),
    ("baseline_gap", NUM_OR_NULL, "The published-estimate gap at the 2017-19 baseline."),
    ("change", NUM_OR_NULL, "The published-estimate gap's change since the baseline."),
    ("change_lower", NUM_OR_NULL, "Its 95% interval, lower end."),
    ("change_upper", NUM_OR_NULL, "Its 95% interval, upper end."),
    ("verdict", "string", "'widened', 'narrowed', 'no significant change', 'pre-baseline' (a year before the "
                          "baseline: context, not compared) or 'baseline'."),
    ("adjusted_gap", NUM_OR_NULL, "The gap between the true values, adjusted for sampling noise (small-area "
                                  "model, empirical Bayes); an estimate, not published by ONS."),
    ("adjusted_gap_lower", NUM_OR_NULL, "Its 95% interval, lower end."),
    ("adjusted_gap_upper", NUM_OR_NULL, "Its 95% interval, upper end."),
    ("adjusted_baseline_gap", NUM_OR_NULL, "The adjusted gap at the 2017-19 baseline."),
    ("adjusted_change", NUM_OR_NULL, "The adjusted gap's change since the baseline."),
    ("adjusted_change_lower", NUM_OR_NULL, "Its 95% interval, lower end."),
    ("adjusted_change_upper", NUM_OR_NULL, "Its 95% interval, upper end."),
    ("adjusted_verdict", "string", "The call on the adjusted change, with the same values as verdict."),
    ("noise_only_gap", NUM_OR_NULL, "The gap sampling noise alone would produce if every area were the same."),
    ("noise_only_gap_lower", NUM_OR_NULL, "2.5th percentile over the noise-only simulations."),
    ("noise_only_gap_upper", NUM_OR_NULL, "97.5th percentile over the noise-only simulations."),
    ("noise_only_baseline_gap", NUM_OR_NULL, "The noise-only gap at the 2017-19 baseline."),
    ("mode_change", "string", "'before', 'partly' or 'after' the March 2020 change from face-to-face to "
                              "telephone interviews (ONS)."),
    ("crosses_mode_change", "boolean", "True when the comparison with the baseline spans that change."),
]
MODEL_FIELDS = [
    ("period", "string", "A financial year, or '2016-17 to 2018-19' for the baseline."),
    ("is_baseline", "boolean", "True for the baseline."),
    ("basis", "string", "'shares' or 'means'."),
    ("metric_id", "string", "The headline measure modelled."),
    ("scale", "string", "The scale the model was fitted on ('identity', or the arcsine square root for shares)."),
    ("n_areas", "integer", "Local authorities in the model."),
    ("n_groups", "integer", "Regions and nations whose means the model estimates."),
    ("between_area_variance", NUM, "Variance of the true area effects (restricted maximum likelihood)."),
    ("between_area_variance_se", NUM_OR_NULL, "Its standard error."),
    ("at_boundary", "boolean", "True when the estimated variance is zero."),
    ("median_se", NUM, "Median standard error of the published estimates."),
    ("median_reliability", NUM, "Median reliability: between-area variance over itself plus the sampling variance."),
    ("reliability_p10", NUM, "10th percentile of the areas' reliabilities."),
    ("reliability_p90", NUM, "90th percentile of the areas' reliabilities."),
    ("error_correlation", NUM, "Assumed correlation between the four measures' sampling errors."),
    ("effect_correlation_mean", NUM_OR_NULL, "Mean estimated correlation between the measures' true area effects."),
]


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
            "/api/v1/mission/model": {"get": {
                "summary": "The small-area model behind the adjusted gap: variance components and reliabilities",
                "operationId": "missionModel",
                "parameters": [_param("period", "A financial year or '2016-17 to 2018-19' (the baseline)."),
                               _param("metric", "A headline metric id."), FORMAT],
                "responses": {"200": _ok("Model rows, one per measure and year.", "#/components/schemas/Model"),
                              "400": ERROR}}},
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
                "cauth_code": {"type": ["string", "null"],
                               "description": "The combined authority a local authority belongs to, if any."},
                "successor_code": {"type": ["string", "null"]},
                "other_names": {"type": ["string", "null"],
                                "description": "Other names the area is known by (e.g. a combined authority's "
                                               "full legal name)."}}},
            "Observation": {"type": "object", "properties": {
                "metric_id": {"type": "string"}, "area_code": {"type": "string"}, "area_name": {"type": ["string", "null"]},
                "geography": {"type": "string", "enum": geos}, "period": {"type": "string"},
                "value": {"type": ["number", "null"]}, "lower": {"type": ["number", "null"]},
                "upper": {"type": ["number", "null"]}, "status": {"type": "string", "enum": statuses},
                "derived": {"type": "boolean"}, "note": {"type": ["string", "null"]}}},
            "Gap": {"type": "object", "properties": _props(GAP_FIELDS)},
            "Model": {"type": "object", "properties": _props(MODEL_FIELDS)},
        }},
    }
