"""/geo/<geography>.geojson: year-long caching, gzip, ETag revalidation, 404s."""
from __future__ import annotations

import gzip
import json

from dashboard import queries as q


def test_geo_route_caching_gzip_etag_404(client):
    geo = q.geometry.available()[0]
    r = client.get(f"/geo/{geo}.geojson", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert r.headers["Content-Encoding"] == "gzip" and r.headers["ETag"]
    fc = json.loads(gzip.decompress(r.data))
    assert fc["type"] == "FeatureCollection" and fc["features"][0]["id"]
    plain = client.get(f"/geo/{geo}.geojson")
    assert "Content-Encoding" not in plain.headers and json.loads(plain.data) == fc
    assert client.get(f"/geo/{geo}.geojson", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    assert client.get("/geo/mars.geojson").status_code == 404
    assert client.get("/geo/country.geojson").status_code == 404  # not a map geography
    sneaky = client.get("/geo/..%2Fmanifest.geojson")
    assert sneaky.status_code == 404 or "geo+json" not in sneaky.headers.get("Content-Type", "")


def test_the_build_ships_each_geography_compressed_and_the_route_sends_that_copy(client):
    # the build writes geo_<g>.geojson.gz beside each file (compressed once, not at every start)
    from dashboard.queries.build import current

    for geo in q.geometry.available():
        path = current().path(f"geo_{geo}.geojson")
        gz = path.with_name(path.name + ".gz").read_bytes()
        assert gzip.decompress(gz) == path.read_bytes()
        r = client.get(f"/geo/{geo}.geojson", headers={"Accept-Encoding": "gzip"})
        assert r.data == gz
