"""Tables as users download them: values rounded to the publisher's precision (no float residue
from derived values), dates as ISO dates."""
from __future__ import annotations

import pandas as pd

from dashboard import queries as q

VALUE_COLUMNS = ("value", "lower", "upper")


def precision(metric_id: str) -> int:
    """Decimal places the publisher gives (the catalogue's `precision`, else its display decimals)."""
    m = q.catalogue.metric(metric_id) or {}
    p = m.get("precision")
    try:
        return int(p) if p is not None else q.catalogue.decimals(metric_id)
    except (TypeError, ValueError):
        return q.catalogue.decimals(metric_id)


def round_to_precision(df: pd.DataFrame, columns=VALUE_COLUMNS, metric_column: str = "metric_id") -> pd.DataFrame:
    """A copy with each metric's value columns rounded to its precision."""
    if df.empty or metric_column not in df:
        return df
    out = df.copy()
    dec = out[metric_column].map({m: precision(m) for m in out[metric_column].unique()})
    for c in columns:
        if c in out:
            vals = pd.to_numeric(out[c], errors="coerce").astype(float)
            out[c] = [round(v, int(d)) if v == v else v for v, d in zip(vals, dec)]
    return out
