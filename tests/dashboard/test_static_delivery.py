"""Static delivery: the vendored plotly.js partial bundle matches the pinned plotly, is linked
only on demand, and versioned assets are compressed and cached for a year."""
from __future__ import annotations

import hashlib
import re

from dashboard import config

VENDOR = config.ROOT / "assets" / "vendor"


def _bundle_name() -> str:
    text = (config.ROOT / "assets" / "plotly_bundle.js").read_text()
    m = re.search(r'BUNDLE = "vendor/([^"]+)"', text)
    assert m, "assets/plotly_bundle.js must name the vendored bundle"
    return m.group(1)


def test_bundle_matches_the_pinned_plotly():
    from plotly.offline import get_plotlyjs_version

    name = _bundle_name()
    path = VENDOR / name
    assert path.is_file(), f"{path} is missing"
    head = path.read_text(encoding="utf-8", errors="replace")[:300]
    version = get_plotlyjs_version()
    assert f"v{version}" in head and version in name, (
        f"{name} is not plotly.js {version}, the version the pinned plotly package ships")
    # the file is the publisher's, unmodified: its hash is recorded in the vendor README
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest in (VENDOR / "README.md").read_text()
    assert (VENDOR / "plotly.js-LICENSE").is_file()


def test_bundle_is_not_a_page_script_but_is_served(client):
    page = client.get("/map").get_data(as_text=True)
    assert "plotly_bundle.js" in page
    assert "/assets/vendor/" not in page  # fetched by dcc.Graph on first use, not parsed by every page
    r = client.get("/assets/vendor/" + _bundle_name(), headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert r.headers.get("Content-Encoding") in {"zstd", "br", "deflate", "gzip"}


def test_versioned_assets_cached_for_a_year_unversioned_revalidated(client):
    page = client.get("/").get_data(as_text=True)
    m = re.search(r'src="(/assets/map\.js\?m=[^"]+)"', page)
    assert m, "Dash should link assets with an ?m= version"
    assert client.get(m.group(1)).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/assets/map.js").headers["Cache-Control"] == "no-cache"
    assert client.get("/assets/no-such-file.js").status_code == 404


def test_favicon_is_ours_and_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    m = re.search(r'<link rel="icon" type="image/x-icon" href="(/assets/favicon\.ico\?m=[^"]+)"', page)
    assert m, "the page should link assets/favicon.ico (not Dash's uncached /_favicon.ico)"
    assert "/_favicon.ico" not in page
    r = client.get(m.group(1))
    assert r.status_code == 200 and r.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/_favicon.ico?v=1").headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_dash_serialises_json_with_orjson(client, monkeypatch):
    """orjson is installed (pinned in requirements.txt) and Dash, through plotly's JSON engine
    'auto', uses it for layouts and callback responses."""
    import orjson
    import plotly.io.json as pio_json

    req = (config.ROOT / "requirements.txt").read_text()
    assert re.search(r"^orjson==[\d.]+$", req, re.M)
    assert pio_json.config.default_engine == "auto"
    calls = []
    real = orjson.dumps
    monkeypatch.setattr(orjson, "dumps", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert client.get("/_dash-layout").status_code == 200
    assert calls, "Dash did not serialise the layout with orjson"
