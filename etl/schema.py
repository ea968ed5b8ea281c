"""The contract between ETL and app: one pandera schema per artefact the app reads.

`observations` (and `la_view`, the same rows on current LTLAs) are checked against the metrics
catalogue: every value and CI is finite and inside the metric's plausible range (`range` in the
catalogue YAML), and lower <= value <= upper. The other tables get their column sets, types and
vocabularies. The build validates every artefact before writing it; a failure becomes an
InputError naming the source file (for observations) or the artefact, the row and what was
expected.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pandera.pandas as pa

from etl import periods, vocabulary
from etl.errors import InputError

GEOGRAPHIES = vocabulary.geography_ids()
STATUSES = vocabulary.codes("status")
GSS = r"^[A-Z][A-Z0-9]\d{7}$|^UK0\d{3}$"  # GSS codes, and the Defra air-quality zones UK0001..

OBS_COLUMNS = [
    "metric_id", "area_code", "area_name", "geography", "period", "period_start", "period_end",
    "value", "lower", "upper", "status", "derived", "note", "source_file",
]


def _obs_columns() -> dict:
    return {
        "metric_id": pa.Column(str, nullable=False),
        "area_code": pa.Column(str, pa.Check.str_length(min_value=3), nullable=False),
        "area_name": pa.Column(str, nullable=True),
        "geography": pa.Column(str, pa.Check.isin(GEOGRAPHIES)),
        "period": pa.Column(str, nullable=False),
        "period_start": pa.Column("datetime64[ns]"),
        "period_end": pa.Column("datetime64[ns]"),
        "value": pa.Column(float, nullable=True),
        "lower": pa.Column(float, nullable=True),
        "upper": pa.Column(float, nullable=True),
        "status": pa.Column(str, pa.Check.isin(STATUSES)),
        "derived": pa.Column(bool),
        "note": pa.Column(str, nullable=True),
        "source_file": pa.Column(str, nullable=False),
    }


def _row_check(fn, name: str, error: str) -> pa.Check:
    # A frame-wide check returning one boolean per row, so a failure names the row.
    return pa.Check(fn, element_wise=False, name=name, error=error)


def _value_checks(ranges: dict[str, tuple[float, float, str]]) -> list[pa.Check]:
    lo = {m: r[0] for m, r in ranges.items()}
    hi = {m: r[1] for m, r in ranges.items()}

    def within(col):
        def check(d):
            v = d[col]
            return v.isna() | v.between(d["metric_id"].map(lo), d["metric_id"].map(hi))
        return check

    def finite(col):
        return lambda d: ~np.isinf(d[col].astype(float))

    checks = [_row_check(lambda d: d["metric_id"].isin(list(ranges)), "metric_id",
                         "a metric id listed in the catalogue (etl/config/metrics/)")]
    for col in ("value", "lower", "upper"):
        checks.append(_row_check(finite(col), col, f"a finite {col} (not infinity)"))
    for col in ("value", "lower", "upper"):
        checks.append(_row_check(within(col), col, f"{col} within the metric's catalogue range"))
    checks += [
        _row_check(lambda d: ~((d["status"] == "ok") & d["value"].isna()), "value", "a value where status is 'ok'"),
        _row_check(lambda d: ~(d["lower"].notna() & d["upper"].notna() & (d["lower"] > d["upper"] + 1e-9)),
                   "lower", "lower CI <= upper CI"),
        _row_check(lambda d: ~(d["lower"].notna() & d["value"].notna() & (d["lower"] > d["value"] + 1e-9)),
                   "lower", "lower CI <= value"),
        _row_check(lambda d: ~(d["upper"].notna() & d["value"].notna() & (d["upper"] < d["value"] - 1e-9)),
                   "upper", "upper CI >= value"),
    ]
    return checks


def observations_schema(ranges: dict | None = None, *, extra_columns: dict | None = None,
                        extra_checks: list | None = None) -> pa.DataFrameSchema:
    """The observations contract, with the value checks for `ranges` (metric id -> (low, high,
    unit); default: the catalogue's)."""
    if ranges is None:
        from etl import catalogue

        ranges = catalogue.ranges()
    return pa.DataFrameSchema({**_obs_columns(), **(extra_columns or {})},
                              checks=_value_checks(ranges) + list(extra_checks or []),
                              unique=["metric_id", "area_code", "geography", "period"], strict=True, ordered=False)


# Structure only (no catalogue needed), kept for callers that check column types alone.
OBSERVATIONS = pa.DataFrameSchema(_obs_columns(), unique=["metric_id", "area_code", "geography", "period"],
                                  strict=True, ordered=False)


def finalise(df: pd.DataFrame, *, source_file: str | None = None) -> pd.DataFrame:
    """Fill optional columns, derive period bounds and put columns in contract order."""
    df = df.copy()
    for col, default in (("area_name", None), ("lower", np.nan), ("upper", np.nan),
                         ("status", "ok"), ("derived", False), ("note", None)):
        if col not in df.columns:
            df[col] = default
    if source_file is not None:
        df["source_file"] = source_file
    labels = df["period"].astype(str)
    uniq = {p: periods.bounds(p) for p in labels.unique()}
    df["period_start"] = pd.to_datetime(labels.map(lambda p: uniq[p][0])).astype("datetime64[ns]")
    df["period_end"] = pd.to_datetime(labels.map(lambda p: uniq[p][1])).astype("datetime64[ns]")
    for col in ("value", "lower", "upper"):
        df[col] = pd.to_numeric(df[col]).astype(float)
    df["derived"] = df["derived"].astype(bool)
    for col in ("metric_id", "area_code", "geography", "period", "status", "source_file"):
        df[col] = df[col].astype(str)
    for col in ("area_name", "note"):
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df[OBS_COLUMNS].reset_index(drop=True)


def prime() -> None:
    """Validate an empty observations table: pandera imports its checking machinery (hypothesis
    among it, about 0.1 s) on the first validation, so the build does this while its workers parse."""
    empty = finalise(pd.DataFrame({c: [] for c in ("metric_id", "area_code", "geography", "period", "value",
                                                   "source_file")}))
    for col in empty.columns:
        if empty[col].dtype == object:
            empty[col] = empty[col].astype("str")
    try:
        OBSERVATIONS.validate(empty)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors, TypeError, ValueError):
        pass  # only a head start (pandas' string option may differ here): the real tables are validated later


def _plain(v):
    """numpy scalars as plain Python values, so messages read 25000.0 rather than np.float64(...)."""
    return v.item() if isinstance(v, np.generic) else v


def _first_failure(exc, df: pd.DataFrame):
    failure = getattr(exc, "failure_cases", None)
    if failure is not None and len(failure) and "index" in failure:
        idx = failure["index"].dropna()
        if len(idx) and idx.iloc[0] in df.index:
            return idx.iloc[0]
    return None


def validate_observations(df: pd.DataFrame, where: str = "observations", *, ranges: dict | None = None,
                          schema: pa.DataFrameSchema | None = None) -> pd.DataFrame:
    """Validate with pandera; report the first failure as an InputError naming the source file,
    the row (metric, area, period), the column and the metric's range."""
    if ranges is None:
        from etl import catalogue

        ranges = catalogue.ranges()
    schema = schema or observations_schema(ranges)
    try:
        return schema.validate(df, lazy=False)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:
        check = getattr(exc, "check", None)
        idx = _first_failure(exc, df)
        if idx is None or not isinstance(check, pa.Check) or check.name not in df.columns:
            raise InputError(where, "parsed rows", f"rows meeting the observations contract ({str(exc)[:300]})",
                             None) from exc
        row = df.loc[idx]
        col = check.name
        expected = check.error
        metric = row.get("metric_id")
        if metric in ranges and "range" in expected:
            lo, hi, unit = ranges[metric]
            expected += f" [{lo:g}, {hi:g}] ({unit})"
        found = {k: _plain(row[k]) for k in ("value", "lower", "upper", "status") if k in row}
        raise InputError(row.get("source_file", where),
                         f"{row.get('metric_id')} for area code {row.get('area_code')!r}, period {row.get('period')}, "
                         f"column {col!r}", expected, found) from exc


# --------------------------------------------------------------------------- other artefacts
def _codes(nullable: bool = False, **kw) -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(GSS), nullable=nullable, **kw)


def _text(nullable: bool = False, **kw) -> pa.Column:
    return pa.Column(str, nullable=nullable, **kw)


def _share(nullable: bool = False, **kw) -> pa.Column:
    return pa.Column(float, pa.Check.in_range(0, 1), nullable=nullable, **kw)


def _finite(nullable: bool = True, **kw) -> pa.Column:
    return pa.Column(float, pa.Check(lambda s: ~np.isinf(s.astype(float)), error="finite (not infinity)"),
                     nullable=nullable, **kw)


def la_view_schema(ranges: dict | None = None) -> pa.DataFrameSchema:
    """Observations on current LTLAs, with the native geography of each value kept."""
    extra = {"native_geography": pa.Column(str, pa.Check.isin(GEOGRAPHIES)), "native_area_code": _codes()}
    only_ltla = pa.Check(lambda d: d["geography"] == "ltla", element_wise=False, name="geography",
                         error="geography 'ltla' on every row")
    return observations_schema(ranges, extra_columns=extra, extra_checks=[only_ltla])


AREAS = pa.DataFrameSchema(
    {
        "code": _codes(), "name": _text(), "geography": pa.Column(str, pa.Check.isin(GEOGRAPHIES)),
        "la_type": _text(), "region_code": _codes(nullable=True), "country_code": _codes(nullable=True),
        "utla_code": _codes(nullable=True), "icb_code": _codes(nullable=True), "icb_share": _share(nullable=True),
        "icb_split": pa.Column(bool), "active": pa.Column(bool), "successor_code": _codes(nullable=True),
        "former_codes": _text(nullable=True), "vintage": pa.Column(str, pa.Check.isin(["current", "retired"])),
        # present when the air-quality source ran (it adds the zones and the LTLA -> zone link)
        "aq_zone_code": _codes(nullable=True, required=False), "aq_zone_rule": _text(nullable=True, required=False),
        "aq_zone_derived": pa.Column(object, pa.Check.isin([True, False]), nullable=True, required=False),
        # the combined authority a council belongs to, and other names an area is searched by
        "cauth_code": _codes(nullable=True, required=False), "other_names": _text(nullable=True, required=False),
    },
    checks=[pa.Check(lambda d: d["active"] == (d["vintage"] == "current"), element_wise=False,
                     name="vintage", error="vintage 'current' exactly for active areas")],
    unique=["code", "geography"], strict=True, ordered=False,
)

METRICS = pa.DataFrameSchema(
    {
        "id": pa.Column(str, unique=True), "title": _text(), "short_title": _text(),
        "kind": pa.Column(str, pa.Check.isin(["headline", "headline_mean", "supporting", "context"])),
        "unit": _text(), "unit_kind": _text(), "range_min": pa.Column(float), "range_max": pa.Column(float),
        "polarity": pa.Column(str, pa.Check.isin(["higher_better", "lower_better", "no_judgement"])),
        "native_geography": pa.Column(str, pa.Check.isin(GEOGRAPHIES)), "status": _text(), "status_note": _text(),
        "in_bundle": pa.Column(bool), "decimals": pa.Column(int, pa.Check.in_range(0, 6)),
        "measure": _text(nullable=True), "role": pa.Column(str, pa.Check.isin(["share", "mean"]), nullable=True),
        "periods": _text(), "first_period": _text(nullable=True), "latest_period": _text(nullable=True),
        "n_rows": pa.Column(int, pa.Check.ge(0)), "ltla_coverage_latest": pa.Column(int, pa.Check.ge(0)),
        "ltla_total": pa.Column(int, pa.Check.gt(0)), "has_ci": pa.Column(bool), "geographies": _text(),
    },
    checks=[pa.Check(lambda d: d["range_min"] < d["range_max"], element_wise=False, name="range_min",
                     error="range_min below range_max"),
            pa.Check(lambda d: d["ltla_coverage_latest"] <= d["ltla_total"], element_wise=False,
                     name="ltla_coverage_latest", error="coverage at most the number of LTLAs")],
    # the catalogue's descriptive fields (title, source, definition, ...) are free text
    strict=False, ordered=False,
)

_PERIOD_BASIS = {
    "period": _text(), "is_baseline": pa.Column(bool), "basis": pa.Column(str, pa.Check.isin(["shares", "means"])),
}
# The mission tables: the columns that exist today are checked strictly; columns added later
# (adjusted gaps, shrunk estimates, ...) are allowed, so the contract grows with the method.
MISSION_LTLA = pa.DataFrameSchema(
    {
        **_PERIOD_BASIS, "area_code": _codes(), "area_name": _text(), "worst_metric": _text(),
        "worst_percentile": pa.Column(float, pa.Check.in_range(0, 100)), "rank": pa.Column(int, pa.Check.ge(1)),
        "n_ranked": pa.Column(int, pa.Check.ge(1)), "in_worst_third": pa.Column(bool),
        "p_worst_third": _share(), "uses_derived": pa.Column(bool),
        r"^pct_.+$": pa.Column(float, pa.Check.in_range(0, 100), regex=True),
        r"^value_.+$": _finite(nullable=False, regex=True),
    },
    checks=[pa.Check(lambda d: d["rank"] <= d["n_ranked"], element_wise=False, name="rank",
                     error="rank at most n_ranked")],
    unique=["period", "area_code"], strict=False, ordered=False,
)

MISSION_GAP = pa.DataFrameSchema(
    {
        **_PERIOD_BASIS, "metric_id": _text(), "n_ranked": pa.Column(int, pa.Check.ge(1)),
        "n_worst_third": pa.Column(int, pa.Check.ge(1)), "worst_third_mean": _finite(), "rest_mean": _finite(),
        "gap": _finite(nullable=False), "gap_lower": _finite(nullable=False), "gap_upper": _finite(nullable=False),
        "unit": _text(), "baseline_gap": _finite(), "change": _finite(), "change_lower": _finite(),
        "change_upper": _finite(),
        "verdict": pa.Column(str, pa.Check.isin(["narrowed", "widened", "no significant change", "baseline",
                                                 "pre-baseline"])),
    },
    checks=[pa.Check(lambda d: d["gap_lower"] <= d["gap_upper"], element_wise=False, name="gap_lower",
                     error="gap_lower <= gap_upper"),
            pa.Check(lambda d: d["n_worst_third"] <= d["n_ranked"], element_wise=False, name="n_worst_third",
                     error="n_worst_third at most n_ranked")],
    unique=["period", "metric_id"], strict=False, ordered=False,
)

MISSION_REGIONS = pa.DataFrameSchema(
    {
        "area_code": _codes(), "area_name": _text(), "geography": pa.Column(str, pa.Check.isin(["region", "country", "uk"])),
        "metric_id": _text(), "basis": pa.Column(str, pa.Check.isin(["shares", "means"])), "baseline_period": _text(),
        "period": _text(), "baseline_value": _finite(), "baseline_lower": _finite(), "baseline_upper": _finite(),
        "value": _finite(), "lower": _finite(), "upper": _finite(), "change": _finite(), "change_lower": _finite(),
        "change_upper": _finite(), "z": _finite(), "significant": pa.Column(bool), "verdict": _text(),
    },
    unique=["area_code", "metric_id", "period"], strict=False, ordered=False,
)

GEOGRAPHIES_TABLE = pa.DataFrameSchema(
    {
        "id": pa.Column(str, pa.Check.isin(GEOGRAPHIES), unique=True), "order": pa.Column(int, unique=True),
        "label": _text(), "short": _text(), "noun": _text(), "plural": _text(),
        "article": pa.Column(str, pa.Check.isin(["a", "an", "the"])), "map": pa.Column(bool),
        "prefixes": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3}(,[A-Z0-9]{3})*$")), "value_label": _text(),
        "inherited": _text(nullable=True), "inherited_named": _text(nullable=True),
    },
    strict=True, ordered=False,
)

NATIONS = pa.DataFrameSchema(
    {
        "code": _codes(unique=True), "name": _text(), "letter": pa.Column(str, pa.Check.str_matches(r"^[A-Z]$")),
        "benchmark": _codes(), "has_regions": pa.Column(bool), "order": pa.Column(int, unique=True),
        "is_uk": pa.Column(bool),
    },
    checks=[pa.Check(lambda d: d["benchmark"].isin(d["code"]), element_wise=False, name="benchmark",
                     error="a benchmark that is one of the codes listed"),
            pa.Check(lambda d: d["code"].str[0] == d["letter"], element_wise=False, name="letter",
                     error="the code's first letter")],
    strict=True, ordered=False,
)

LTLA_AQ_ZONE = pa.DataFrameSchema(
    {
        "ltla_code": _codes(unique=True), "aq_zone_code": pa.Column(str, pa.Check.str_matches(r"^UK0\d{3}$")),
        "rule": _text(), "derived": pa.Column(bool), "n_sites": pa.Column(int, pa.Check.ge(0)),
        "n_sites_in_zone": pa.Column(int, pa.Check.ge(0)),
    },
    checks=[pa.Check(lambda d: d["n_sites_in_zone"] <= d["n_sites"], element_wise=False, name="n_sites_in_zone",
                     error="n_sites_in_zone at most n_sites")],
    strict=True, ordered=False,
)

AQ_ZONES = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^UK0\d{3}$")), "name": _text(),
        "type": pa.Column(str, pa.Check.isin(["Agglomeration", "Zone"])), "year": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "max_annual_mean_no2": pa.Column(float, pa.Check.in_range(0, 200)),
        "compliance_status": pa.Column(str, pa.Check.isin(["Compliant", "Exceeding"])),
    },
    unique=["code", "year"], strict=True, ordered=False,
)

LABELS = pa.DataFrameSchema(
    {"group": pa.Column(str, pa.Check.isin(list(vocabulary.LABEL_GROUPS))), "code": _text(), "label": _text(),
     "text": _text()},
    unique=["group", "code"], strict=True, ordered=False,
)

LTLA_ICB = pa.DataFrameSchema(
    {"ltla": _codes(), "icb_code": _codes(), "icb_name": _text(), "n_lsoa": pa.Column(int, pa.Check.ge(1)),
     "share": pa.Column(float, pa.Check.in_range(0, 1, include_min=False)), "assigned": pa.Column(bool)},
    checks=[pa.Check(lambda d: (d.groupby("ltla")["share"].transform("sum") - 1).abs() < 1e-6, element_wise=False,
                     name="share", error="the shares of each local authority add up to 1"),
            pa.Check(lambda d: d.groupby("ltla")["assigned"].transform("sum") == 1, element_wise=False,
                     name="assigned", error="exactly one assigned ICB per local authority")],
    unique=["ltla", "icb_code"], strict=True, ordered=False,
)

MISSION_UNRANKED = pa.DataFrameSchema(
    {"period": _text(), "is_baseline": pa.Column(bool), "area_code": _codes(), "area_name": _text(),
     "missing_metrics": _text(), "reason": _text()},
    unique=["period", "area_code"], strict=False, ordered=False,
)

MISSION_GAP_SENSITIVITY = pa.DataFrameSchema(
    {**_PERIOD_BASIS, "metric_id": _text(), "error_correlation": pa.Column(float, pa.Check.in_range(-1, 1)),
     "central": pa.Column(bool), "unit": _text(), "adjusted_gap": _finite(), "adjusted_gap_lower": _finite(),
     "adjusted_gap_upper": _finite(), "noise_only_gap": _finite(), "adjusted_change": _finite(),
     "adjusted_change_lower": _finite(), "adjusted_change_upper": _finite(), "adjusted_verdict": _text(nullable=True)},
    unique=["period", "metric_id", "error_correlation"], strict=False, ordered=False,
)

MISSION_MODEL = pa.DataFrameSchema(
    {**_PERIOD_BASIS, "metric_id": _text(), "scale": _text(), "n_areas": pa.Column(int, pa.Check.ge(1)),
     "n_groups": pa.Column(int, pa.Check.ge(1)), "between_area_variance": pa.Column(float, pa.Check.ge(0)),
     "between_area_variance_se": _finite(), "at_boundary": pa.Column(bool), "median_se": pa.Column(float, pa.Check.ge(0)),
     "median_reliability": _share(), "reliability_p10": _share(), "reliability_p90": _share(),
     "error_correlation": pa.Column(float, pa.Check.in_range(-1, 1)), "effect_correlation_mean": _finite()},
    unique=["period", "metric_id"], strict=False, ordered=False,
)

MISSION_SURVEY_MODE = pa.DataFrameSchema(
    {"period": pa.Column(str, unique=True), "mode_change": _text(), "note": _text(nullable=True),
     "source_title": _text(), "source_url": pa.Column(str, pa.Check.str_startswith("https://"))},
    strict=False, ordered=False,
)

# artefact name (without .parquet) -> its schema; observations and la_view are built per call
# because their checks depend on the catalogue's ranges
SCHEMAS = {
    "observations": observations_schema, "la_view": la_view_schema, "areas": AREAS, "metrics": METRICS,
    "mission_ltla": MISSION_LTLA, "mission_gap": MISSION_GAP, "mission_regions": MISSION_REGIONS,
    "geographies": GEOGRAPHIES_TABLE, "nations": NATIONS, "ltla_aq_zone": LTLA_AQ_ZONE, "aq_zones": AQ_ZONES,
    "labels": LABELS, "ltla_icb": LTLA_ICB, "mission_unranked": MISSION_UNRANKED,
    "mission_gap_sensitivity": MISSION_GAP_SENSITIVITY, "mission_model": MISSION_MODEL,
    "mission_survey_mode": MISSION_SURVEY_MODE,
}


def schema_for(name: str, ranges: dict | None = None) -> pa.DataFrameSchema | None:
    s = SCHEMAS.get(name)
    return s(ranges) if callable(s) and not isinstance(s, pa.DataFrameSchema) else s


def validate_artefact(name: str, df: pd.DataFrame, ranges: dict | None = None) -> pd.DataFrame:
    """Validate one build table against its schema; the error names the artefact, row and column.
    A table with no rows and no columns (a step that produced nothing) has nothing to check."""
    schema = schema_for(name, ranges)
    if schema is None:
        raise KeyError(f"no schema for artefact {name!r} in etl/schema.py")
    if name in ("observations", "la_view"):
        return validate_observations(df, f"{name}.parquet", ranges=ranges, schema=schema)
    if df.empty and len(df.columns) == 0:
        return df
    try:
        return schema.validate(df, lazy=False)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:
        idx = _first_failure(exc, df)
        check = getattr(exc, "check", None)
        col = getattr(exc, "column_name", None) or getattr(check, "name", None)
        where = f"row {idx}" if idx is not None else "table"
        if col:
            where += f", column {col!r}"
        found = {k: _plain(v) for k, v in df.loc[idx].to_dict().items()} if idx is not None else None
        raise InputError(f"{name}.parquet", where, f"the {name} contract ({str(exc)[:300]})", found) from exc
