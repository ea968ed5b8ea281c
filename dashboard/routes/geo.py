"""/geo/<geography>.geojson: the simplified boundaries of the build, sent once and cached.

Responses carry `Cache-Control: public, max-age=31536000, immutable` and an ETag made from the
build fingerprint (the page asks for `?v=<fingerprint>`, so a rebuild is fetched anew). Clients
that accept gzip get the gzipped bytes. Unknown geographies get a 404.
"""
from __future__ import annotations

from flask import Response, abort, request

from dashboard.queries import geometry

CACHE_CONTROL = "public, max-age=31536000, immutable"


def register(server) -> None:
    @server.route("/geo/<geography>.geojson")
    def geo_geojson(geography: str):
        got = geometry.payload(geography)
        if got is None:
            abort(404)
        raw, gz, etag = got
        headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag, "Vary": "Accept-Encoding",
                   "Content-Type": "application/geo+json"}
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=304, headers=headers)
        if "gzip" in request.headers.get("Accept-Encoding", "").lower():
            headers["Content-Encoding"] = "gzip"
            return Response(gz, headers=headers)
        return Response(raw, headers=headers)
