"""CSV/JSON export, JSON re-import (round trip) and the optional Flask download routes."""
from __future__ import annotations

import csv
import io
import json

import pytest

from dashboard.maturity import export, register_routes
from dashboard.maturity import repository as repo
from dashboard.maturity.model import load_model
from dashboard.user_errors import UserInputError


@pytest.fixture
def filled(db_url):
    t = repo.create_assessment("Leeds", "E08000035", "HWB strategy", "2025-03-01", "Fay", url=db_url)
    p1 = repo.join(t["join_token"], "Ann", url=db_url)
    p2 = repo.join(t["join_token"], "=HYPERLINK(\"x\")", url=db_url)
    repo.save_rating(p1, "h3a.a2", rating="fully", evidence="ONS APS 2023", links="/area/E08000035", url=db_url)
    repo.save_rating(p2, "h3a.a2", rating="not_in_place", evidence="+cmd", url=db_url)
    repo.save_rating(p1, "h1.a1", rating="partly", url=db_url)
    repo.save_consensus(t["facilitator_token"], "h3a.a2", rating="partly", evidence="moderated", url=db_url)
    return db_url, t


def test_csv_contains_everything(filled):
    url, t = filled
    snap = repo.facilitator_view(t["facilitator_token"], url=url)
    rows = list(csv.DictReader(io.StringIO(export.to_csv(snap))))
    assert list(rows[0]) == export.CSV_COLUMNS
    assert len(rows) == len(load_model().criteria) * (2 + 2)  # 2 participants + consensus + effective
    r = {(x["criterion_id"], x["source"]): x for x in rows}
    assert r[("h3a.a2", "Ann")]["rating_label"] == "Fully in place"
    assert r[("h3a.a2", "Ann")]["links"] == "/area/E08000035"
    assert r[("h3a.a2", "Consensus")]["evidence"] == "moderated"
    assert r[("h3a.a2", "Effective")]["rating"] == "partly"
    assert r[("h3a.a2", "Ann")]["agreement"] == "Differ widely"
    # spreadsheet formula injection is neutralised
    assert r[("h3a.a2", "'=HYPERLINK(\"x\")")]["evidence"] == "'+cmd"
    assert all(x["organisation"] == "Leeds" and x["date"] == "2025-03-01" for x in rows)


def test_json_round_trip(filled):
    url, t = filled
    snap = repo.facilitator_view(t["facilitator_token"], url=url)
    doc = export.to_dict(snap)
    assert doc["citation"].startswith("Smithson, J. (2022)")
    assert doc["summary"]["3a"]["level_reached"] is None
    assert "token" not in json.dumps(doc).lower()  # tokens never leave via exports
    new = export.import_json(export.to_json(snap), url=url)
    assert new["facilitator_token"] != t["facilitator_token"]
    again = export.to_dict(repo.facilitator_view(new["facilitator_token"], url=url))
    assert again == doc


@pytest.mark.parametrize("bad", [
    "not json", "[]", json.dumps({"format": "other"}),
    json.dumps({"format": export.FORMAT, "version": 99}),
    json.dumps({"format": export.FORMAT, "version": 1, "assessment": {"organisation": "X"},
                "participants": [{"name": "A", "ratings": {"h99.x": {"rating": "fully"}}}]}),
    json.dumps({"format": export.FORMAT, "version": 1, "assessment": {"organisation": "X"},
                "consensus": {"h1.a1": {"rating": "superb"}}}),
    json.dumps({"format": export.FORMAT, "version": 1, "assessment": {"organisation": "X"},
                "participants": [{"ratings": {}}]}),
    "x" * (export.MAX_IMPORT_BYTES + 1),
])
def test_import_rejects_bad_documents(sqlite_url, bad):
    with pytest.raises(UserInputError):
        export.import_json(bad, url=sqlite_url)


def test_download_routes(sqlite_url, monkeypatch):
    from flask import Flask

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    t = repo.create_assessment("Leeds", None, "S", "2025-01-01", "F")
    app = Flask(__name__)
    register_routes(app)
    register_routes(app)  # idempotent
    client = app.test_client()
    r = client.get(f"/maturity/export/{t['facilitator_token']}.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv" and b"criterion_id" in r.data
    assert "attachment" in r.headers["Content-Disposition"]
    r = client.get(f"/maturity/export/{t['facilitator_token']}.json")
    assert r.status_code == 200 and r.get_json()["assessment"]["organisation"] == "Leeds"
    assert r.headers["X-Robots-Tag"] == "noindex, nofollow"
    for path in (f"/maturity/export/{t['join_token']}.csv", "/maturity/export/nope.json",
                 f"/maturity/export/{t['facilitator_token']}.xml"):
        assert client.get(path).status_code == 404
