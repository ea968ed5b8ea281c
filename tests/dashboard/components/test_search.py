"""The area search: one box everywhere, served by a callback with at most 20 matches."""
from __future__ import annotations

from dashboard.components import search


def test_options_come_from_the_query_and_stay_few(app):
    opts = search.options_for("Don")
    assert 0 < len(opts) <= search.MAX_MATCHES
    assert opts[0]["value"] == "E08000017" and "Don" in opts[0]["search"]
    harrogate = search.options_for("Harrogate")[0]
    assert harrogate["value"] == "E07000165"
    assert search.options_for("") == []


def test_the_layout_carries_no_option_lists(app, client):
    r = client.get("/_dash-layout")
    assert r.status_code == 200 and len(r.data) < 30_000  # no hundreds of pre-rendered options


def test_callbacks(app):
    assert search._go.__wrapped__("E09000002", "/") == "/area/E09000002"
    opts = search._matches.__wrapped__("E08000025", None)
    assert opts[0]["value"] == "E08000025"
    keep = search._matches.__wrapped__("Leeds", "E08000025")
    assert "E08000025" in {o["value"] for o in keep}
