"""The metrics catalogue: reviewed YAML files under etl/config/metrics/, one per source group."""
from __future__ import annotations

import json
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
            "measure": None, "measure_label": None, "role": None, "band": None,
            # a per-area status the publisher writes in each value's note (a regex whose first group
            # is the status) and its label; a reference line (e.g. a legal limit); a fact stated
            # beside the map when the metric is shown
            "status_pattern": None, "status_label": None, "reference_value": None, "reference_label": None,
            "map_fact": None,
            # the decimal places of the publisher's own values when they differ from `decimals`
            # (what downloads are rounded to); where the publisher and the metric cover (a
            # nation-wide publication: 'uk', 'great_britain', 'england_and_wales' or 'england'); the
            # devolved governments' nearest equivalents of an England-only metric, each
            # {nation: <nation code>, name, url}
            "precision": None, "coverage": None, "devolved_equivalents": None}
ROLES = {"share", "mean", None}
COVERAGES = {"uk", "great_britain", "england_and_wales", "england", None}
EQUIVALENT_KEYS = {"nation", "name", "url"}
# The allowed kinds, polarities and availability statuses are the codes of etl/config/labels.yaml
# (available: in the bundle; fetchable: the online refresh gets it; not in this snapshot: published
# or due but not fetched automatically; not yet published; paused).
KINDS = set(vocabulary.codes("kind"))
POLARITIES = set(vocabulary.codes("polarity"))
STATUSES = set(vocabulary.codes("availability"))
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
            _check_optional(path, where, m)
            lo, hi = _check_range(path, where, m)
            if m["id"] in seen:
                raise InputError(path, where, "a unique metric id", m["id"])
            seen.add(m["id"])
            rest = {k: v for k, v in m.items() if k != "range"}
            row = {**OPTIONAL, **rest, "range_min": lo, "range_max": hi, "unit_kind": unit_bounds(m["unit"])[0],
                   "catalogue_file": path.name}
            # a list of mappings does not fit a table column: kept as JSON text
            row["devolved_equivalents"] = (json.dumps(m["devolved_equivalents"], ensure_ascii=False)
                                           if m.get("devolved_equivalents") else None)
            rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values(["sort", "id"]).reset_index(drop=True)


def _check_optional(path: Path, where: str, m: dict) -> None:
    """The optional fields that have a shape of their own: precision, coverage, equivalents."""
    p = m.get("precision")
    if p is not None and (isinstance(p, bool) or not isinstance(p, int) or not 0 <= p <= 10):
        raise InputError(path, f"{where}, field 'precision'", "a whole number of decimal places from 0 to 10", p)
    if m.get("coverage") not in COVERAGES:
        raise InputError(path, f"{where}, field 'coverage'", f"one of {sorted(map(str, COVERAGES))}", m.get("coverage"))
    eq = m.get("devolved_equivalents")
    if eq is None:
        return
    if m.get("coverage") != "england":
        raise InputError(path, f"{where}, field 'devolved_equivalents'", "only on a metric with coverage: england",
                         m.get("coverage"))
    nations = set(vocabulary.nations()) - {c for c, n in vocabulary.nations().items() if n.get("has_regions")}
    if not isinstance(eq, list) or not eq:
        raise InputError(path, f"{where}, field 'devolved_equivalents'", "a list of {nation, name, url}", eq)
    for i, e in enumerate(eq):
        at = f"{where}, field 'devolved_equivalents' item {i + 1}"
        if not isinstance(e, dict) or set(e) != EQUIVALENT_KEYS:
            raise InputError(path, at, f"exactly the keys {sorted(EQUIVALENT_KEYS)}", e)
        if e["nation"] not in nations:
            raise InputError(path, at, f"a devolved nation's code, one of {sorted(nations)}", e["nation"])
        if not (isinstance(e["name"], str) and e["name"].strip()):
            raise InputError(path, at, "a name for the publication", e["name"])
        if not (isinstance(e["url"], str) and e["url"].startswith("https://")):
            raise InputError(path, at, "the publisher's page as an https:// address", e["url"])


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
