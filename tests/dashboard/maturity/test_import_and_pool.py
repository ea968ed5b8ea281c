"""A maximal JSON import is one transaction of a few statements (all or nothing, even when the
process is killed mid-import), and the PostgreSQL pool serves 20+ participants saving at once."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select

from dashboard.config import ROOT
from dashboard.maturity import db, export
from dashboard.maturity import repository as repo
from dashboard.maturity.model import RATINGS, load_model

CRITERIA = sorted(load_model().criteria)


def maximal_document(org: str = "Import Max") -> dict:
    """The largest assessment the tool holds: 200 participants x every criterion, plus consensus."""
    return {"format": export.FORMAT, "version": export.VERSION,
            "assessment": {"organisation": org, "date": "2025-03-01", "facilitator": "Fay"},
            "participants": [{"name": f"P{i}", "ratings": {
                c: {"rating": RATINGS[(i + j) % 3], "evidence": f"note {i}/{c}", "links": "https://example.org/x"}
                for j, c in enumerate(CRITERIA)}} for i in range(db.MAX_PARTICIPANTS)],
            "consensus": {c: {"rating": "partly", "evidence": "agreed", "links": ""} for c in CRITERIA}}


def _left(url, org) -> tuple[int, int]:
    """Assessments named ``org`` and their participants (the PostgreSQL test database is shared)."""
    with db.session_scope(url=url) as s:
        ids = list(s.scalars(select(db.Assessment.id).where(db.Assessment.organisation == org)))
        n = s.scalar(select(func.count()).select_from(db.Participant).where(db.Participant.assessment_id.in_(ids)))
        return len(ids), n


def test_maximal_import_is_one_transaction_of_a_few_statements(db_url):
    doc = maximal_document()
    engine = db.get_engine(db_url, write=True)
    commits, statements = [], []
    on_commit = lambda conn: commits.append(1)  # noqa: E731
    on_exec = lambda *a, **k: statements.append(a[2][:40])  # noqa: E731
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "before_cursor_execute", on_exec)
    try:
        tokens = export.import_json(json.dumps(doc), url=db_url)
    finally:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "before_cursor_execute", on_exec)
    n_ratings = db.MAX_PARTICIPANTS * len(CRITERIA)
    assert n_ratings == 11_200
    assert len(commits) == 1, f"{len(commits)} transactions"
    # executemany batches: the statement count does not grow with the 11,200 ratings
    assert len(statements) <= 40, statements[:50]
    snap = repo.facilitator_view(tokens["facilitator_token"], url=db_url)
    assert len(snap["participants"]) == db.MAX_PARTICIPANTS
    assert sum(len(p["ratings"]) for p in snap["participants"]) == n_ratings
    assert snap["participants"][7]["ratings"][CRITERIA[3]] == {"rating": RATINGS[(7 + 3) % 3],
                                                               "evidence": f"note 7/{CRITERIA[3]}",
                                                               "links": "https://example.org/x"}
    assert len({p["name"] for p in snap["participants"]}) == db.MAX_PARTICIPANTS
    # the round trip still holds
    assert export.to_dict(snap)["participants"] == doc["participants"]


def test_a_failure_half_way_leaves_nothing(db_url, monkeypatch):
    engine = db.get_engine(db_url, write=True)

    def fail_on_ratings(conn, cursor, statement, *_a):
        if "INSERT INTO mm_rating" in statement:
            raise RuntimeError("disk full")

    org = f"Half Way {uuid.uuid4().hex}"
    event.listen(engine, "before_cursor_execute", fail_on_ratings)
    try:
        with pytest.raises(RuntimeError):
            export.import_json(maximal_document(org), url=db_url)
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_ratings)
    assert _left(db_url, org) == (0, 0)


_KILLED_IMPORT = textwrap.dedent("""
    import json, os, signal, sys
    from sqlalchemy import event
    from dashboard.maturity import db, export
    url = sys.argv[1]
    db.migrate(url)
    seen = []

    def kill_mid_import(conn, cursor, statement, *a):
        if "INSERT INTO mm_rating" in statement:   # the assessment and participants are written by now
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(db.get_engine(url, write=True), "before_cursor_execute", kill_mid_import)
    export.import_json(sys.stdin.read(), url=url)
    print("not killed")
""")


def test_a_kill_mid_import_leaves_no_orphan_assessment(db_url):
    org = f"Killed {uuid.uuid4().hex}"
    doc = maximal_document(org)
    doc["participants"] = doc["participants"][:5]
    out = subprocess.run([sys.executable, "-c", _KILLED_IMPORT, db_url], input=json.dumps(doc), cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == -9, (out.returncode, out.stdout, out.stderr[-2000:])
    db.dispose_all()
    assert _left(db_url, org) == (0, 0)


def test_pool_settings(monkeypatch):
    for name in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT", "DB_POOL_RECYCLE"):
        monkeypatch.delenv(name, raising=False)
    got = db.pool_settings()
    assert got["pool_pre_ping"] is True and got["pool_size"] + got["max_overflow"] >= 24
    assert got["pool_timeout"] >= 10
    monkeypatch.setenv("DB_POOL_SIZE", "7")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "3")
    monkeypatch.setenv("DB_POOL_TIMEOUT", "2.5")
    monkeypatch.setenv("DB_POOL_RECYCLE", "nonsense")
    got = db.pool_settings()
    assert (got["pool_size"], got["max_overflow"], got["pool_timeout"], got["pool_recycle"]) == (7, 3, 2.5, 1800)
    monkeypatch.setenv("DB_POOL_SIZE", "-4")
    assert db.pool_settings()["pool_size"] == db.POOL_DEFAULTS["pool_size"]


N_AT_ONCE = 24


def test_24_participants_saving_at_the_same_instant_on_postgresql(pg_url):
    """24 saves in flight at the same moment on one process (each holds its connection until all
    24 have one): the pool must hand out 24 connections, not time out."""
    db.migrate(pg_url)
    t = repo.create_assessment("Pool Borough", None, "S", "2025-01-01", "Fay", url=pg_url)
    parts = [repo.join(t["join_token"], f"P{i}", url=pg_url) for i in range(N_AT_ONCE)]
    engine = db.get_engine(pg_url, write=True)
    barrier = threading.Barrier(N_AT_ONCE, timeout=40)
    armed = threading.Event()
    armed.set()

    def hold(conn, cursor, statement, *_a):
        if armed.is_set() and "INSERT INTO mm_rating" in statement:
            barrier.wait()

    event.listen(engine, "before_cursor_execute", hold)
    try:
        with ThreadPoolExecutor(N_AT_ONCE) as ex:
            results = list(ex.map(lambda p: repo.save_rating(p, "h1.a1", rating="fully", url=pg_url), parts))
    finally:
        armed.clear()
        event.remove(engine, "before_cursor_execute", hold)
        db.dispose_all()
    assert len(results) == N_AT_ONCE
    snap = repo.facilitator_view(t["facilitator_token"], url=pg_url)
    assert all(p["ratings"]["h1.a1"]["rating"] == "fully" for p in snap["participants"])


def test_24_participants_rating_everything_concurrently(db_url, capsys):
    """24 threads, each one participant saving every criterion (3 fields each) at once."""
    t = repo.create_assessment("Crowd Borough", None, "S", "2025-01-01", "Fay", url=db_url)
    parts = [repo.join(t["join_token"], f"P{i}", url=db_url) for i in range(N_AT_ONCE)]
    start = threading.Barrier(N_AT_ONCE)

    def run(i):
        start.wait()
        n = 0
        for j, cid in enumerate(CRITERIA):
            repo.save_rating(parts[i], cid, rating=RATINGS[(i + j) % 3], evidence=f"e{i}{cid}", links="",
                             url=db_url)
            n += 1
        return n

    with ThreadPoolExecutor(N_AT_ONCE) as ex:
        written = sum(ex.map(run, range(N_AT_ONCE)))
    snap = repo.facilitator_view(t["facilitator_token"], url=db_url)
    lost = sum(1 for i, p in enumerate(snap["participants"]) for j, cid in enumerate(CRITERIA)
               if (p["ratings"].get(cid) or {}).get("rating") != RATINGS[(i + j) % 3]
               or p["ratings"][cid]["evidence"] != f"e{i}{cid}")
    with capsys.disabled():
        print(f"\n{db_url.split(':')[0]}: {written} concurrent saves by {N_AT_ONCE} participants, {lost} lost")
    assert written == N_AT_ONCE * len(CRITERIA) and lost == 0
