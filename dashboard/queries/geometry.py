"""The simplified boundaries in the build: the feature order behind every map payload, and the
bytes (plain and gzipped) that `/geo/<geography>.geojson` sends once to each browser."""
from __future__ import annotations

import gzip
import hashlib
import json

import pandas as pd

from dashboard.queries import vocabulary as vocab
from dashboard.queries.build import current, per_build, warmer


def available() -> list[str]:
    """Map geographies with geometry in this build, in display order."""
    return vocab.map_geographies()


@per_build
def index(geography: str) -> pd.DataFrame:
    """code, name of every feature in the geography's GeoJSON, in file order."""
    path = current().path(f"geo_{geography}.geojson")
    if geography not in available() or not path.exists():
        return pd.DataFrame(columns=["code", "name"])
    with open(path, encoding="utf-8") as fh:
        fc = json.load(fh)
    rows = [(str(f.get("id") or f["properties"].get("code")), f["properties"].get("name", ""))
            for f in fc.get("features", [])]
    return pd.DataFrame(rows, columns=["code", "name"]).astype(object)


@per_build
def payload(geography: str) -> tuple[bytes, bytes, str] | None:
    """(raw bytes, gzipped bytes, ETag) of a geography's GeoJSON; None if it has none."""
    if geography not in available():
        return None
    path = current().path(f"geo_{geography}.geojson")
    if not path.exists():
        return None
    raw = path.read_bytes()
    gz_path = path.with_name(path.name + ".gz")
    gz = gz_path.read_bytes() if gz_path.exists() else gzip.compress(raw, compresslevel=9, mtime=0)
    etag = f'"{current().fingerprint[:16]}-{geography}-{hashlib.sha256(raw).hexdigest()[:12]}"'
    return raw, gz, etag


@warmer
def _warm() -> None:
    for g in available():
        index(g), payload(g)
