"""Unguessable links, escaped output, and export -> import -> export round trips."""
from __future__ import annotations

import csv
import io
import json
import math
import re

import pytest

from dashboard.maturity import db, export
from dashboard.maturity import repository as repo
from dashboard.maturity.model import load_model
from dashboard.user_errors import UserInputError
from tests.dashboard.support import components, page_module

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_tokens_have_at_least_128_bits():
    toks = [repo.new_token() for _ in range(2000)]
    assert len(set(toks)) == len(toks)
    for t in toks:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", t)  # base64url: 6 bits per character
        assert repo.valid_token(t)
    assert 32 * math.log2(64) >= 192 >= 128
    # every base64url character actually occurs (the alphabet is the full 64 symbols)
    assert len(set("".join(toks))) == 64
    assert db.TOKEN_LEN >= 32


def test_issued_tokens_are_all_distinct_and_long(db_url):
    t = repo.create_assessment("Org", None, url=db_url)
    p = repo.join(t["join_token"], "Ann", url=db_url)
    for tok in (t["join_token"], t["facilitator_token"], t["series_token"], p):
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", tok)
    assert len({t["join_token"], t["facilitator_token"], t["series_token"], p}) == 4


def _walk(node, parent=None):
    """Yield (parent component, child) for every string in a Dash component tree."""
    if isinstance(node, str):
        yield parent, node
        return
    if isinstance(node, (list, tuple)):
        for x in node:
            yield from _walk(x, parent)
        return
    if node is None or not hasattr(node, "to_plotly_json"):
        return
    props = node.to_plotly_json()["props"]
    assert "dangerouslySetInnerHTML" not in props and "dangerously_allow_html" not in props
    yield from _walk(props.get("children"), node)


def test_user_text_is_rendered_as_plain_text(app, sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    t = repo.create_assessment(HOSTILE, None, HOSTILE, "2025-01-01", "F" + HOSTILE[:50])
    p = repo.join(t["join_token"], "Eve" + HOSTILE[:60])
    repo.save_rating(p, "h1.a1", rating="fully", evidence=HOSTILE,
                     links="javascript:alert(3)\n//evil.example/x\nhttps://ok.example/a\n" + HOSTILE)
    repo.save_consensus(t["facilitator_token"], "h1.a1", evidence=HOSTILE, links="data:text/html,<b>x</b>")
    with app.server.test_request_context("/"):
        trees = [page_module("maturity_facilitate").layout(token=t["facilitator_token"]),
                 page_module("maturity_report").layout(token=t["facilitator_token"]),
                 page_module("maturity_assess").layout(token=p)]
    for tree in trees:
        strings = [s for _, s in _walk(tree)]
        # the hostile text arrives as an ordinary string child of an element (Dash/React escape it)
        assert any(HOSTILE in s for s in strings)
        for comp in components(tree):
            if type(comp).__name__ in ("Script", "Iframe", "ObjEct", "Embed"):
                pytest.fail(f"unexpected {type(comp).__name__}")
            href = getattr(comp, "href", None)
            if isinstance(href, str):
                assert href.startswith(("/", "https://", "http://")) and not href.startswith("//"), href
    fac = trees[0]
    cells = [parent for parent, s in _walk(fac) if s == HOSTILE]
    assert cells and all(type(c).__name__ in ("Td", "P", "Li", "Strong", "H1", "Dd", "Span") for c in cells)
    # unsafe links are shown as text only, the safe one becomes a link
    links = [c for c in components(fac) if type(c).__name__ == "A" and "ok.example" in str(getattr(c, "href", ""))]
    assert links
    texts = [s for _, s in _walk(fac)]
    assert "javascript:alert(3)" in texts and "//evil.example/x" in texts


def _strip(snap: dict) -> dict:
    """A facilitator snapshot without what an import legitimately renews: ids, tokens, timestamps."""
    a = {k: v for k, v in snap["assessment"].items() if k not in ("id", "created_at")}
    return {"assessment": a,
            "participants": [{k: v for k, v in p.items() if k != "id"} for p in snap["participants"]],
            "consensus": snap["consensus"]}


def test_export_import_export_round_trip(db_url):
    crit = sorted(load_model().criteria)
    t = repo.create_assessment("Round <Trip> & Co", "E08000035", "Strategy \u00e9\u00e8", "2025-06-30", "Fay",
                               url=db_url)
    parts = [repo.join(t["join_token"], n, url=db_url) for n in ("Ann", "=SUM(A1)", "Zo\u00eb \U0001F600")]
    for i, p in enumerate(parts):
        for j, cid in enumerate(crit[i::3]):
            repo.save_rating(p, cid, rating=["fully", "partly", "not_in_place", None][(i + j) % 4],
                             evidence=f"{HOSTILE} {i}/{j}\nsecond line" if j % 2 else "",
                             links=f"https://example.org/{cid}\n/area/E08000035" if j % 3 == 0 else "", url=db_url)
    for cid in crit[::5]:
        repo.save_consensus(t["facilitator_token"], cid, rating="partly", evidence="agreed \u2014 " + cid,
                            links="https://example.org/c", url=db_url)
    snap1 = repo.facilitator_view(t["facilitator_token"], url=db_url)
    doc1 = export.to_json(snap1)
    new = export.import_json(doc1, url=db_url)
    snap2 = repo.facilitator_view(new["facilitator_token"], url=db_url)
    # what must differ: new private links, new ids and creation time
    assert {new["facilitator_token"], new["join_token"], new["series_token"]}.isdisjoint(
        {t["facilitator_token"], t["join_token"], t["series_token"]})
    assert snap2["assessment"]["id"] != snap1["assessment"]["id"]
    assert {p["id"] for p in snap2["participants"]}.isdisjoint({p["id"] for p in snap1["participants"]})
    # everything else is identical, and so are the exports
    assert _strip(snap2) == _strip(snap1)
    assert export.to_json(snap2) == doc1
    assert export.to_csv(snap2) == export.to_csv(snap1)
    n_saved = sum(len(p["ratings"]) for p in snap1["participants"]) + len(snap1["consensus"])
    assert n_saved == len(crit) + len(crit[::5])


def test_csv_columns_are_complete(db_url):
    t = repo.create_assessment("Org", "E08000035", "S", "2025-01-01", "F", url=db_url)
    p = repo.join(t["join_token"], "Ann", url=db_url)
    repo.save_rating(p, "h1.a1", rating="fully", evidence="e", links="https://x.example", url=db_url)
    repo.save_rating(repo.join(t["join_token"], "Bo", url=db_url), "h1.a1", rating="fully", url=db_url)
    text = export.to_csv(repo.facilitator_view(t["facilitator_token"], url=db_url))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == export.CSV_COLUMNS
    assert set(export.CSV_COLUMNS) >= {"organisation", "area_code", "strategy", "date", "facilitator", "hallmark",
                                       "level", "criterion_id", "criterion", "source", "rating", "rating_label",
                                       "evidence", "links", "agreement"}
    assert all(len(r) == len(export.CSV_COLUMNS) for r in rows)
    d = {(r["criterion_id"], r["source"]): r for r in csv.DictReader(io.StringIO(text))}
    assert d[("h1.a1", "Ann")]["links"] == "https://x.example" and d[("h1.a1", "Effective")]["rating"] == "fully"
    assert len(d) == len(load_model().criteria) * 4


def test_import_rejects_oversized_fields_before_writing(sqlite_url):
    db.migrate(sqlite_url)
    doc = {"format": export.FORMAT, "version": export.VERSION, "assessment": {"organisation": "X"},
           "participants": [{"name": "A", "ratings": {"h1.a1": {"evidence": "e" * (db.MAX_NOTE + 1)}}}]}
    for bad in (doc, {**doc, "participants": [{"name": "N" * (db.MAX_PERSON + 1)}]},
                {**doc, "participants": [], "assessment": {"organisation": "O" * (db.MAX_NAME + 1)}},
                {**doc, "participants": [], "consensus": {"h1.a1": {"links": "l" * (db.MAX_LINKS + 1)}}}):
        with pytest.raises(UserInputError, match="too long"):
            export.import_json(json.dumps(bad), url=sqlite_url)
    from sqlalchemy import func, select

    with db.session_scope(url=sqlite_url) as s:
        assert s.scalar(select(func.count()).select_from(db.Assessment)) == 0
