"""The ONS Explore Local Statistics (ELS) CSV layout, read the same way for every ELS file.

Columns used: areacd, areanm, geography, indicator, period, observation, lci_95, uci_95,
status, notes (ELS files also carry measure and unit, not used). `status` is blank for a
published value, 'x' (not available) or 'u' (low reliability); a marked row has no value.
Used by the personal well-being means (ons_wellbeing) and the other ELS indicators
(ons_els_indicators); what each does with the periods, codes and CIs stays there.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from etl import readers
from etl.errors import InputError

COLUMNS = ["areacd", "areanm", "geography", "indicator", "period", "observation",
           "lci_95", "uci_95", "status", "notes"]
STATUS = {"": "ok", "x": "not available", "u": "low reliability"}
_MISSING = {"": "missing"}  # to_number marker: an empty cell is no number (status says why)


def _first(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0])


def read_els(path: Path, source: str, indicators: Iterable[str]) -> pd.DataFrame:
    """Every row of an ELS file, checked: a known indicator, a known status, numeric
    observation / lci_95 / uci_95, a value exactly where the status is blank.

    Returns the file's columns as text (areacd and indicator stripped; observation, lci_95,
    uci_95 kept for messages) plus floats `value`, `lower`, `upper`; `status` holds our status
    ('ok', 'not available', 'low reliability'). The index is the data row (file row = index + 2).
    """
    df = readers.read_csv(path, required=COLUMNS)
    allowed = list(indicators)
    df["indicator"] = df["indicator"].str.strip()
    bad = ~df["indicator"].isin(allowed)
    if bad.any():
        i = _first(bad)
        raise InputError(source, f"row {i + 2}, column 'indicator'", f"one of {allowed}", df["indicator"].iloc[i])
    marks = df["status"].str.strip().str.lower()
    bad = ~marks.isin(STATUS)
    if bad.any():
        i = _first(bad)
        raise InputError(source, f"row {i + 2}, column 'status'", "blank, 'x' or 'u'", df["status"].iloc[i])
    df["value"], _ = readers.to_number(df["observation"], source, "observation", markers=_MISSING)
    df["lower"], _ = readers.to_number(df["lci_95"], source, "lci_95", markers=_MISSING)
    df["upper"], _ = readers.to_number(df["uci_95"], source, "uci_95", markers=_MISSING)
    df["status"] = marks.map(STATUS)
    blank = (df["status"] == "ok") & df["value"].isna()
    if blank.any():
        raise InputError(source, f"row {_first(blank) + 2}, column 'observation'", "a value where status is blank", "")
    marked = (df["status"] != "ok") & df["value"].notna()
    if marked.any():
        i = _first(marked)
        raise InputError(source, f"row {i + 2}, column 'observation'", "no value where status is 'x' or 'u'",
                         df["observation"].iloc[i])
    df["areacd"] = df["areacd"].str.strip()
    return df
