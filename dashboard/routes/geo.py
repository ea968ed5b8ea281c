"""/geo/<geography>.geojson: the simplified boundaries from the build, sent once and cached.

The map's geometry reaches the browser once: responses carry `Cache-Control: public,
max-age=31536000, immutable` and an ETag made from the build fingerprint (a rebuild changes the
ETag, and the page asks for `?v=<fingerprint>` so browsers fetch the new file). A gzip copy (the
build's own `.geojson.gz` when present, otherwise compressed once in memory) is sent to clients
that accept gzip. Unknown geographies get a 404.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from pathlib import Path

from flask import Response, abort, request

from dashboard import config
from dashboard.data import store

GEOGRAPHIES = ("ltla", "utla", "icb", "aq_zone", "region")
CACHE_CONTROL = "public, max-age=31536000, immutable"
_LOCK = threading.Lock()
_CACHE: dict[tuple, tuple[bytes, bytes]] = {}


def build_fingerprint() -> str:
    return str(store().manifest.get("fingerprint") or store().manifest.get("built_at") or "dev")


def _load(path: Path) -> tuple[bytes, bytes]:
    """(raw, gzipped) bytes of a geometry file, cached per (path, mtime, size)."""
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit:
        return hit
    raw = path.read_bytes()
    gz_path = path.with_name(path.name + ".gz")
    if gz_path.exists() and gz_path.stat().st_mtime_ns >= st.st_mtime_ns:
        gz = gz_path.read_bytes()
    else:
        gz = gzip.compress(raw, compresslevel=9, mtime=0)
    with _LOCK:
        for k in [k for k in _CACHE if k[0] == key[0]]:
            del _CACHE[k]
        _CACHE[key] = (raw, gz)
    return raw, gz


def etag_for(geography: str, raw: bytes) -> str:
    digest = hashlib.sha256(raw).hexdigest()[:12]
    return f'"{build_fingerprint()[:16]}-{geography}-{digest}"'


def register(server) -> None:
    @server.route("/geo/<geography>.geojson")
    def geo_geojson(geography: str):
        if geography not in GEOGRAPHIES:
            abort(404)
        path = config.build_dir() / f"geo_{geography}.geojson"
        if not path.exists():
            abort(404)
        raw, gz = _load(path)
        etag = etag_for(geography, raw)
        headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag, "Vary": "Accept-Encoding",
                   "Content-Type": "application/geo+json"}
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=304, headers=headers)
        if "gzip" in request.headers.get("Accept-Encoding", "").lower():
            headers["Content-Encoding"] = "gzip"
            return Response(gz, headers=headers)
        return Response(raw, headers=headers)
