"""`python -m etl fetch`: downloads to a temp name, moves into place, records provenance, keeps
the old copy on failure. Served from a loopback HTTP server (tests never use the network)."""
from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from etl import fetch as fetch_mod
from etl.sources import ons_wellbeing

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cmd_wellbeing-local-authority_excerpt.csv"


@pytest.fixture()
def server():
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(FIXTURE.parent), **kw)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_fetch_downloads_the_ons_file_with_provenance(tmp_path, server, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "ons-wellbeing").mkdir(parents=True)
    (raw / "ons-wellbeing" / "SOURCE.md").write_text("# ONS\n")
    monkeypatch.setattr(ons_wellbeing, "FETCH", [{**ons_wellbeing.FETCH[0], "url": f"{server}/{FIXTURE.name}"}])
    assert fetch_mod.fetch(raw, only=["ons_wellbeing"]) == 0
    dest = raw / ons_wellbeing.CMD
    assert dest.read_bytes() == FIXTURE.read_bytes()
    assert "python -m etl fetch" in (raw / "ons-wellbeing" / "SOURCE.md").read_text()
    # the same parser reads what was fetched
    assert len(ons_wellbeing.parse_cmd(dest, ons_wellbeing.CMD)) > 0


def test_fetch_failure_keeps_the_previous_copy(tmp_path, server, monkeypatch):
    raw = tmp_path / "raw"
    dest = raw / ons_wellbeing.CMD
    dest.parent.mkdir(parents=True)
    dest.write_text("previous copy")
    monkeypatch.setattr(ons_wellbeing, "FETCH", [{**ons_wellbeing.FETCH[0], "url": f"{server}/missing.csv"}])
    assert fetch_mod.fetch(raw, only=["ons_wellbeing"]) == 1
    assert dest.read_text() == "previous copy"
    assert not list(dest.parent.glob("*.part-*"))


def test_fetch_urls_point_at_publishers():
    from etl import sources

    for mod in sources.load_all():
        for item in getattr(mod, "FETCH", []):
            assert item["url"].startswith("https://"), item
            assert not Path(item["dest"]).is_absolute() and ".." not in item["dest"]
