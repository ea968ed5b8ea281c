"""The area search: one box everywhere, served by a callback with at most 20 matches."""
from __future__ import annotations

import json

from dashboard.components import search
from dashboard.queries import areas


def test_options_come_from_the_query_and_stay_few(app):
    opts = search.options_for("Don")
    assert 0 < len(opts) <= search.MAX_MATCHES
    assert opts[0]["value"] == "E08000017" and "Don" in opts[0]["search"]
    harrogate = search.options_for("Harrogate")[0]
    assert harrogate["value"] == "E07000165"
    assert search.options_for("") == []


def test_labels_are_plain_text(app):
    # Dash 4's renderer breaks when a list of component labels shrinks while the menu is open
    # ("north " -> "north e" closed the menu with a TypeError in the browser)
    for typed in ("north ", "north e", "E54", "Harrogate"):
        for o in search.options_for(typed):
            assert isinstance(o["label"], str) and o["label"].startswith(areas.name(o["value"]))


def test_every_kind_of_area_is_found(app):
    def first(typed):
        return search.options_for(typed)[0]

    assert first("Harrogate")["label"] == "Harrogate (former council, now part of North Yorkshire)"
    assert first("NHS Kent and Medway")["value"].startswith("E54")  # an ICB
    assert first("North West")["value"] == "E12000002"  # a region
    assert first("Greater Manchester")["value"] == "E47000001"  # a combined authority
    assert first("Greater Manchester")["label"] == "Greater Manchester (Combined authority)"
    # by another official name, saying why it matched
    south = first("South Yorkshire Mayoral")
    assert south["value"] == "E47000002" and "South Yorkshire Mayoral Combined Authority" in south["label"]
    former = {o["value"]: o["label"] for o in search.options_for("North of Tyne")}
    assert former["E47000011"] == "North of Tyne (former combined authority, now part of North East)"
    assert first("E47000015")["label"] == "Devon and Torbay (Combined authority)"  # by GSS code


def test_the_layout_carries_no_option_lists(app, client):
    r = client.get("/_dash-layout")
    assert r.status_code == 200 and len(r.data) < 30_000  # no hundreds of pre-rendered options


def test_callbacks(app):
    assert search.target("E09000002") == "/area/E09000002"
    assert search.target(None) is None
    opts = search._matches.__wrapped__("E08000025", None)
    assert opts[0]["value"] == "E08000025"
    keep = search._matches.__wrapped__("Leeds", "E08000025")
    assert "E08000025" in {o["value"] for o in keep}


def test_choosing_navigates_in_the_browser(app, client):
    """The choice -> address step is a browser-side callback (no round trip before the new page's
    loading state can show), and it empties the box again."""
    deps = json.loads(client.get("/_dash-dependencies").data)
    nav = [d for d in deps if "area-search-nav" in d["output"]]
    assert len(nav) == 1
    assert nav[0].get("clientside_function", {}).get("namespace") == "areaSearch"
    assert '"type":"area-search"}.value' in nav[0]["output"]  # and clears the box
