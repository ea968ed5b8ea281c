"""The contract between ETL and app: column sets and pandera schemas for the artefacts."""
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

OBS_COLUMNS = [
    "metric_id", "area_code", "area_name", "geography", "period", "period_start", "period_end",
    "value", "lower", "upper", "status", "derived", "note", "source_file",
]

OBSERVATIONS = pa.DataFrameSchema(
    {
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
    },
    checks=[
        pa.Check(lambda d: ~((d["status"] == "ok") & d["value"].isna()), element_wise=False,
                 error="status 'ok' needs a value"),
        pa.Check(lambda d: ~(d["lower"].notna() & d["value"].notna() & (d["lower"] > d["value"] + 1e-9)),
                 element_wise=False, error="lower CI above value"),
        pa.Check(lambda d: ~(d["upper"].notna() & d["value"].notna() & (d["upper"] < d["value"] - 1e-9)),
                 element_wise=False, error="upper CI below value"),
    ],
    unique=["metric_id", "area_code", "geography", "period"],
    strict=True,
    ordered=False,
)


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


def validate_observations(df: pd.DataFrame, where: str = "observations") -> pd.DataFrame:
    """Validate with pandera; report the first failure as an InputError naming the source file."""
    try:
        return OBSERVATIONS.validate(df, lazy=False)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:
        failure = getattr(exc, "failure_cases", None)
        src = where
        found = None
        if failure is not None and len(failure) and "index" in failure:
            idx = failure["index"].iloc[0]
            if idx is not None and idx in df.index:
                row = df.loc[idx]
                src = row.get("source_file", where)
                found = row[["metric_id", "area_code", "period", "value", "lower", "upper", "status"]].to_dict()
        raise InputError(src, "parsed rows", f"rows meeting the observations contract ({exc.args[0][:300]})",
                         found) from exc
