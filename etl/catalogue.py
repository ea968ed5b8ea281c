"""The metrics catalogue: reviewed YAML files under etl/config/metrics/, one per source group."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from etl import vocabulary
from etl.errors import InputError

METRICS_DIR = Path(__file__).parent / "config" / "metrics"

FIELDS = {
    "id": str, "title": str, "short_title": str, "kind": str, "driver": (str, type(None)),
    "component": (str, type(None)), "annex_b": (str, type(None)), "publisher": str, "source": str,
    "publisher_url": str, "native_geography": str, "unit": str, "polarity": str, "licence": str,
    "status": str, "status_note": str, "in_bundle": bool,
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


def load(directory: Path = METRICS_DIR) -> pd.DataFrame:
    rows, seen = [], set()
    for path in sorted(directory.glob("*.yaml")):
        items = yaml.safe_load(path.read_text()) or []
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
            if m["id"] in seen:
                raise InputError(path, where, "a unique metric id", m["id"])
            seen.add(m["id"])
            row = {**OPTIONAL, **m, "catalogue_file": path.name}
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


def polarity_of() -> dict[str, str]:
    """metric id -> polarity for every catalogue metric."""
    c = load()
    return dict(zip(c["id"], c["polarity"]))
