"""The metrics catalogue: reviewed YAML files under etl/config/metrics/, one per source group."""
from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from etl import readers, vocabulary
from etl.errors import InputError

METRICS_DIR = Path(__file__).parent / "config" / "metrics"

FIELDS = {
    "id": str, "title": str, "short_title": str, "kind": str, "driver": (str, type(None)),
    "component": (str, type(None)), "annex_b": (str, type(None)), "publisher": str, "source": str,
    "publisher_url": str, "native_geography": str, "unit": str, "range": list, "polarity": str,
    "licence": str, "status": str, "status_note": str, "in_bundle": bool,
}
OPTIONAL = {"decimals": 1, "aggregation": "weighted_mean", "definition": "", "caveats": "",
            "ci_method": "", "period_type": "", "sort": 999,
            # headline measures only: which of the four ONS4 questions, its label, share or mean,
            # and the score band of the share (e.g. "0-4")
            "measure": None, "measure_label": None, "role": None, "band": None}
ROLES = {"share", "mean", None}
KINDS = {"headline", "headline_mean", "supporting", "context"}
POLARITIES = {"higher_better", "lower_better", "no_judgement"}
# available: in the bundle; fetchable: `python -m etl fetch` gets it; not in this snapshot:
# published (or due) but neither bundled nor fetched automatically; not yet published; paused.
STATUSES = {"available", "fetchable", "not in this snapshot", "not yet published", "paused"}
COMPONENTS = {"Self-reported life assessments and emotions", "What matters to individuals",
              "What matters to communities", None}

# `range: [low, high]` is the plausible span of a metric's values and CIs; the observations
# schema rejects anything outside it. It must fit the unit: a percentage within 0-100, a rate per
# N within 0-N, a score "0-10" within its scale, and counts, money, durations, concentrations and
# indices never below zero. A unit that matches none of these patterns is rejected, so a new kind
# of unit gets a rule here rather than no check.
UNIT_RULES = [
    (re.compile(r"^%"), "percentage", lambda m: (0.0, 100.0)),
    (re.compile(r"\bper ([\d,]+)\b"), "rate", lambda m: (0.0, float(m.group(1).replace(",", "")))),
    (re.compile(r"^(?:score|rating) (\d+)-(\d+)$"), "score", lambda m: (float(m.group(1)), float(m.group(2)))),
    (re.compile(r"^incidents$"), "count", lambda m: (0.0, math.inf)),
    (re.compile(r"^£ "), "money", lambda m: (0.0, math.inf)),
    (re.compile(r"^(?:years|weeks)$"), "duration", lambda m: (0.0, math.inf)),
    (re.compile(r"^µg/m³$"), "concentration", lambda m: (0.0, math.inf)),
    (re.compile(r"^index\b"), "index", lambda m: (0.0, math.inf)),
]


def unit_bounds(unit: str) -> tuple[str, float, float] | None:
    """(kind, lowest, highest) that a unit allows, or None for a unit no rule knows."""
    for pattern, kind, bounds in UNIT_RULES:
        if m := pattern.search(unit):
            return (kind, *bounds(m))
    return None


def _check_range(path: Path, where: str, m: dict) -> tuple[float, float]:
    rng = m["range"]
    if not (len(rng) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)
            and all(math.isfinite(v) for v in rng) and rng[0] < rng[1]):
        raise InputError(path, f"{where}, field 'range'", "two finite numbers [low, high] with low < high", rng)
    rule = unit_bounds(m["unit"])
    if rule is None:
        raise InputError(path, f"{where}, field 'unit'",
                         "a unit the catalogue knows how to bound (%, per N, score a-b, incidents, £, years, "
                         "weeks, µg/m³, index)", m["unit"])
    kind, lo, hi = rule
    if rng[0] < lo or rng[1] > hi:
        raise InputError(path, f"{where}, field 'range'",
                         f"a range within {lo:g} to {hi:g} for a {kind} ({m['unit']!r})", rng)
    return float(rng[0]), float(rng[1])


def load(directory: Path = METRICS_DIR) -> pd.DataFrame:
    rows, seen = [], set()
    for path in sorted(directory.glob("*.yaml")):
        items = readers.read_yaml(path) or []
        if not isinstance(items, list):
            raise InputError(path, "top level", "a list of metric entries", type(items).__name__)
        for i, m in enumerate(items):
            if not isinstance(m, dict):
                raise InputError(path, f"entry {i + 1}", "a mapping of metric fields", m)
            where = f"entry {i + 1} ({m.get('id', '?')})"
            unknown = sorted(set(m) - set(FIELDS) - set(OPTIONAL))
            if unknown:
                raise InputError(path, f"{where}, field {unknown[0]!r}",
                                 "only the catalogue's fields (is it a misspelt optional field?)",
                                 f"unknown field; known optional fields: {sorted(OPTIONAL)}")
            for key, typ in FIELDS.items():
                if key not in m:
                    raise InputError(path, where, f"field {key!r}", "missing")
                if not isinstance(m[key], typ):
                    raise InputError(path, f"{where}, field {key!r}", f"type {typ}", m[key])
            for key, allowed in (("kind", KINDS), ("polarity", POLARITIES), ("status", STATUSES),
                                 ("native_geography", set(vocabulary.geography_ids())),
                                 ("component", COMPONENTS)):
                if m[key] not in allowed:
                    raise InputError(path, f"{where}, field {key!r}", f"one of {sorted(map(str, allowed))}", m[key])
            if m.get("role") not in ROLES or (m.get("role") is None) != (m.get("measure") is None):
                raise InputError(path, f"{where}, field 'role'", "'share' or 'mean' together with 'measure'",
                                 m.get("role"))
            lo, hi = _check_range(path, where, m)
            if m["id"] in seen:
                raise InputError(path, where, "a unique metric id", m["id"])
            seen.add(m["id"])
            rest = {k: v for k, v in m.items() if k != "range"}
            rows.append({**OPTIONAL, **rest, "range_min": lo, "range_max": hi,
                         "unit_kind": unit_bounds(m["unit"])[0], "catalogue_file": path.name})
    df = pd.DataFrame(rows)
    return df.sort_values(["sort", "id"]).reset_index(drop=True)


@lru_cache(maxsize=1)
def _headline() -> pd.DataFrame:
    return vocabulary.headline(load())


def headline() -> pd.DataFrame:
    """The four headline measures (share and mean metric ids, polarities, bands), from the catalogue."""
    return _headline().copy()


@lru_cache(maxsize=1)
def _ranges() -> dict[str, tuple[float, float, str]]:
    c = load()
    return {i: (lo, hi, u) for i, lo, hi, u in zip(c["id"], c["range_min"], c["range_max"], c["unit"])}


def ranges() -> dict[str, tuple[float, float, str]]:
    """metric id -> (lowest, highest, unit): the plausible range the observations schema enforces."""
    return dict(_ranges())


def polarity_of() -> dict[str, str]:
    """metric id -> polarity for every catalogue metric."""
    c = load()
    return dict(zip(c["id"], c["polarity"]))
