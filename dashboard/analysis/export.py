"""Tables as users download them: values rounded to the publisher's precision (no float residue
from derived values), dates as ISO dates."""
from __future__ import annotations

import pandas as pd

from dashboard import queries as q

VALUE_COLUMNS = ("value", "lower", "upper")
BENCHMARK_COLUMNS = ("national_value", "national_lower", "national_upper", "region_value", "region_lower",
                     "region_upper")
COMPARISON_COLUMNS = ("nat_value", "nat_lower", "nat_upper", "reg_value", "reg_lower", "reg_upper", "group_value",
                      "dist_min", "dist_q25", "dist_median", "dist_q75", "dist_max")


def precision(metric_id: str) -> int:
    """Decimal places the publisher gives (the catalogue's `precision`, else its display decimals)."""
    m = q.catalogue.metric(metric_id) or {}
    p = m.get("precision")
    try:
        return int(p) if p is not None else q.catalogue.decimals(metric_id)
    except (TypeError, ValueError):
        return q.catalogue.decimals(metric_id)


def _rounded(v: float, d: int):
    if v != v:
        return v
    return int(round(v)) if d == 0 else round(v, d)


def round_to_precision(df: pd.DataFrame, columns=VALUE_COLUMNS, metric_column: str = "metric_id") -> pd.DataFrame:
    """A copy with each metric's value columns rounded to its precision (whole numbers written
    without a decimal point)."""
    if df.empty or metric_column not in df:
        return df
    out = df.copy()
    dec = out[metric_column].map({m: precision(m) for m in out[metric_column].unique()})
    for c in columns:
        if c in out:
            vals = pd.to_numeric(out[c], errors="coerce").astype(float)
            out[c] = pd.Series([_rounded(v, int(d)) for v, d in zip(vals, dec)], index=out.index, dtype=object)
    return out
