"""The compact values payload the browser joins with the geometry it already has.

Arrays follow the order of the features in `/geo/<geography>.geojson` (same build: `fp`). Keys:
g, gk, m, p (geography, its type label, metric, period); mode (quantile/benchmark); hb (higher is better); pol
(polarity); t, u, d (title, unit, decimals); fp (build fingerprint prefix); n (features); v, lo, hi
(value and 95% CI per feature, None when missing); c (legend index per feature, -1 = no value);
r/reasons ({feature: index into reasons} for areas with no value); i/inh/inht (the same for values
shared from a larger area: inh holds '<geography>|<area name>', inht the sentence per geography
with {name}); ni/nts/ntl (a per-area status from the publisher's note and its label); ref (a
reference line {x, label}); legend; nd (the no-value legend entry); bl/bv (benchmark label and
its single value).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.palette import NO_DATA_COLOUR


def rounded(a, dec: int) -> list:
    """Rounded floats as a JSON-friendly list (None where missing)."""
    a = np.asarray(a, float)
    return np.where(np.isfinite(a), np.round(a, dec), None).tolist()


def dictionary(a: np.ndarray) -> tuple[list[str], list[int]]:
    """Dictionary-encode strings: ([''] + distinct values, index per row)."""
    uniq = [""] + sorted({x for x in a.tolist() if x})
    pos = {u: i for i, u in enumerate(uniq)}
    return uniq, [pos.get(x, 0) for x in a.tolist()]


def index_map(idx: list[int], n: int) -> dict | list:
    """Per-feature index: a {feature: index} map when few features have one, a plain list when
    most do (smaller JSON either way; `x[i]` reads both in JavaScript)."""
    sparse = {str(i): x for i, x in enumerate(idx) if x}
    return list(idx) if len(sparse) > n / 3 else sparse


def encode(df: pd.DataFrame, c, info: dict, *, metric: str, period: str, geography: str, classes: str,
           benchmark: str, fingerprint: str, kind: str = "", inherited_templates: dict[str, str], no_value_label: str) -> dict:
    """The payload for one classed values frame (see the module docstring for the keys)."""
    dec = int(info.get("decimals") or 1)
    reasons, ridx = dictionary(df["reason"].to_numpy(object))
    inh_list, iidx = dictionary(df["inherited_key"].to_numpy(object))
    nts, nidx = dictionary(df["note_status"].to_numpy(object))
    out = {
        "k": "|".join([metric, period, geography, classes, benchmark]),
        "g": geography, "gk": kind, "m": metric, "p": period, "mode": classes,
        "hb": info.get("polarity") == "higher_better", "pol": info.get("polarity") or "no_judgement",
        "t": info.get("short_title") or info.get("title") or metric, "u": info.get("unit") or "", "d": dec,
        "fp": fingerprint[:16], "n": int(len(df)),
        "v": rounded(df["value"], dec), "c": c.cls.tolist(),
        "r": {str(i): x for i, x in enumerate(ridx) if x}, "reasons": reasons,
        "legend": [{"label": e["label"], "colour": e["colour"]} for e in c.legend],
        "nd": {"label": no_value_label, "colour": NO_DATA_COLOUR},
    }
    if np.isfinite(df["lower"].to_numpy(float)).any():
        out["lo"] = rounded(df["lower"], dec)
        out["hi"] = rounded(df["upper"], dec)
    if len(inh_list) > 1:
        out["i"], out["inh"] = index_map(iidx, len(df)), inh_list
        out["inht"] = {g: inherited_templates[g] for g in sorted({k.split("|", 1)[0] for k in inh_list if k})
                       if g in inherited_templates}
    if len(nts) > 1:
        out["ni"], out["nts"] = index_map(nidx, len(df)), nts
        out["ntl"] = info.get("status_label") or "Status"
    if info.get("reference_value") is not None:
        out["ref"] = {"x": float(info["reference_value"]), "label": info.get("reference_label") or ""}
    if classes == "benchmark":
        out["bl"] = c.benchmark_label
        if c.benchmark_single is not None:
            out["bv"] = round(c.benchmark_single, dec)
    return out
