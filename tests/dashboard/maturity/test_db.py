"""Database tests on SQLite and PostgreSQL: repository use cases, privacy, concurrency, migrations."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, inspect, select

from dashboard.config import ROOT
from dashboard.maturity import db
from dashboard.maturity import repository as repo
from dashboard.maturity.model import load_model
from dashboard.user_errors import UserInputError

CRITERIA = sorted(load_model().criteria)


def _new(url, n_participants=2, **kw):
    t = repo.create_assessment(kw.pop("org", "Leeds"), kw.pop("area", "E08000035"), "Strategy", "2025-03-01",
                               "Fay", url=url, **kw)
    parts = [repo.join(t["join_token"], f"P{i}", url=url) for i in range(n_participants)]
    return t, parts


def test_schema_and_idempotent_migrate(db_url):
    db.migrate(db_url)
    db.dispose_all()
    db.migrate(db_url)  # second run in a "new process" state is a no-op
    names = set(inspect(db.get_engine(db_url)).get_table_names())
    assert {"mm_assessment", "mm_participant", "mm_rating", "mm_consensus", "alembic_version"} <= names


def test_create_join_rate_consensus(db_url):
    t, (p1, p2) = _new(db_url)
    assert repo.resolve(t["join_token"], url=db_url)["kind"] == "join"
    assert repo.resolve(t["facilitator_token"], url=db_url)["kind"] == "facilitator"
    assert repo.resolve(p1, url=db_url)["participant"]["name"] == "P0"
    repo.save_rating(p1, "h1.a1", rating="fully", url=db_url)
    repo.save_rating(p1, "h1.a1", evidence="JSNA 2024, p.12", url=db_url)  # only evidence changes
    repo.save_rating(p1, "h1.a1", links="https://example.org/jsna", url=db_url)
    repo.save_rating(p2, "h1.a1", rating="partly", url=db_url)
    repo.save_consensus(t["facilitator_token"], "h1.a1", rating="fully", evidence="agreed", url=db_url)
    snap = repo.facilitator_view(t["facilitator_token"], url=db_url)
    assert snap["participants"][0]["ratings"]["h1.a1"] == {
        "rating": "fully", "evidence": "JSNA 2024, p.12", "links": "https://example.org/jsna"}
    assert snap["participants"][1]["ratings"]["h1.a1"]["rating"] == "partly"
    assert snap["consensus"]["h1.a1"] == {"rating": "fully", "evidence": "agreed", "links": ""}
    assert repo.effective_ratings(snap)["h1.a1"] == "fully"
    # a participant sees only their own ratings
    own = repo.participant_view(p2, url=db_url)
    assert set(own["ratings"]) == {"h1.a1"} and own["ratings"]["h1.a1"]["rating"] == "partly"
    # clearing a rating is allowed
    repo.save_rating(p2, "h1.a1", rating=None, url=db_url)
    assert repo.participant_view(p2, url=db_url)["ratings"]["h1.a1"]["rating"] is None


def test_tokens_and_privacy(db_url):
    t, (p1,) = _new(db_url, 1)
    toks = [t["join_token"], t["facilitator_token"], p1]
    assert len(set(toks)) == 3 and all(len(x) >= 32 for x in toks)  # token_urlsafe(24): 192 bits
    for bad in (None, "", "short", "x" * 200, "../../etc/passwd", "a" * 32, "<script>alert(1)</script>"):
        assert repo.resolve(bad, url=db_url) is None
        assert repo.facilitator_view(bad, url=db_url) is None
        assert repo.participant_view(bad, url=db_url) is None
        assert repo.series_for_facilitator(bad, url=db_url) == []
    # the join and participant tokens never open facilitator views or the series
    for tok in (t["join_token"], p1):
        assert repo.facilitator_view(tok, url=db_url) is None
        assert repo.series_for_facilitator(tok, url=db_url) == []
        with pytest.raises(UserInputError):
            repo.save_consensus(tok, "h1.a1", rating="fully", url=db_url)
    with pytest.raises(UserInputError):
        repo.save_rating(t["facilitator_token"], "h1.a1", rating="fully", url=db_url)


def test_input_validation_and_limits(db_url):
    t, (p1,) = _new(db_url, 1)
    with pytest.raises(UserInputError):
        repo.save_rating(p1, "h9.a1", rating="fully", url=db_url)
    with pytest.raises(UserInputError):
        repo.save_rating(p1, "h1.a1", rating="excellent", url=db_url)
    with pytest.raises(UserInputError):
        repo.create_assessment("   ", None, url=db_url)
    with pytest.raises(UserInputError):
        repo.join(t["join_token"], "  ", url=db_url)
    # control characters are dropped; text at the limit is kept whole
    repo.save_rating(p1, "h1.a1", evidence="x\x00y\x07" + "z" * (db.MAX_NOTE - 2), url=db_url)
    ev = repo.participant_view(p1, url=db_url)["ratings"]["h1.a1"]["evidence"]
    assert ev.startswith("xy") and len(ev) == db.MAX_NOTE
    # oversized text is rejected with a message (never silently cut), and nothing changes
    for field, limit in (("evidence", db.MAX_NOTE), ("links", db.MAX_LINKS)):
        for size in (limit + 1, 10 * limit, 1_000_000):
            with pytest.raises(UserInputError, match="too long"):
                repo.save_rating(p1, "h1.a1", **{field: "z" * size}, url=db_url)
            with pytest.raises(UserInputError, match="too long"):
                repo.save_consensus(t["facilitator_token"], "h1.a1", **{field: "z" * size}, url=db_url)
    assert repo.participant_view(p1, url=db_url)["ratings"]["h1.a1"]["evidence"] == ev
    with pytest.raises(UserInputError, match="too long"):
        repo.join(t["join_token"], "N" * (db.MAX_PERSON + 1), url=db_url)
    for args in (("O" * (db.MAX_NAME + 1),), ("Org", None, "S" * (db.MAX_NAME + 1)),
                 ("Org", None, "", None, "F" * (db.MAX_PERSON + 1))):
        with pytest.raises(UserInputError, match="too long"):
            repo.create_assessment(*args, url=db_url)
    with pytest.raises(UserInputError):
        repo.save_rating(p1, "h1.a1", evidence={"not": "text"}, url=db_url)
    with pytest.raises(UserInputError):
        repo.save_rating(p1, "h1.a1", rating=["fully"], url=db_url)
    ok = repo.create_assessment("O" * db.MAX_NAME, "not-a-code", "S" * db.MAX_NAME, None, "F" * db.MAX_PERSON,
                                url=db_url)
    a = repo.facilitator_view(ok["facilitator_token"], url=db_url)["assessment"]
    assert len(a["organisation"]) == db.MAX_NAME and a["area_code"] is None and len(a["facilitator"]) == db.MAX_PERSON


def test_repeat_assessments_form_a_private_series(db_url):
    t1, _ = _new(db_url, 0)
    other, _ = _new(db_url, 0)  # same organisation, different team: not in the series
    t2 = repo.start_repeat(t1["facilitator_token"], "2026-03-01", url=db_url)
    s1 = repo.series_for_facilitator(t1["facilitator_token"], url=db_url)
    s2 = repo.series_for_facilitator(t2["facilitator_token"], url=db_url)
    assert [s["facilitator_token"] for s in s1] == [t1["facilitator_token"], t2["facilitator_token"]]
    assert [s["assessment"]["date"] for s in s2] == ["2025-03-01", "2026-03-01"]
    assert other["facilitator_token"] not in {s["facilitator_token"] for s in s1}
    assert len(repo.series_for_facilitator(other["facilitator_token"], url=db_url)) == 1


def test_restart_loses_nothing(db_url):
    t, (p1,) = _new(db_url, 1)
    repo.save_rating(p1, "h5.a1", rating="partly", evidence="APS", url=db_url)
    db.dispose_all()  # all connections and caches gone, as after a restart
    code = textwrap.dedent(f"""
        from dashboard.maturity import repository as repo
        v = repo.participant_view({p1!r}, url={db_url!r})
        print(v["ratings"]["h5.a1"]["rating"], v["ratings"]["h5.a1"]["evidence"])
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["partly", "APS"]


def test_concurrent_thread_saves_never_lose_a_rating(db_url):
    t, parts = _new(db_url, 4)
    start = threading.Barrier(8)

    def rate(ptok):
        start.wait()
        for cid in CRITERIA:
            repo.save_rating(ptok, cid, rating="partly", url=db_url)

    def note(ptok):
        start.wait()
        for cid in reversed(CRITERIA):
            repo.save_rating(ptok, cid, evidence=f"ev {cid}", url=db_url)

    with ThreadPoolExecutor(8) as ex:
        futs = [ex.submit(rate, p) for p in parts] + [ex.submit(note, p) for p in parts]
        for f in futs:
            f.result()
    snap = repo.facilitator_view(t["facilitator_token"], url=db_url)
    for p in snap["participants"]:
        assert len(p["ratings"]) == len(CRITERIA)
        for cid, r in p["ratings"].items():
            assert r["rating"] == "partly" and r["evidence"] == f"ev {cid}"
    with db.session_scope(url=db_url) as s:
        n = s.scalar(select(func.count()).select_from(db.Rating).where(db.Rating.assessment_id == snap["assessment"]["id"]))
    assert n == 4 * len(CRITERIA)  # no duplicate rows


_WORKER = """
import sys
from dashboard.maturity import repository as repo
url, mine, other, field = sys.argv[1:5]
import json
crit = json.loads(sys.argv[5])[:30]
for cid in crit:
    repo.save_rating(mine, cid, rating="fully", url=url)
    repo.save_rating(other, cid, **{field: "from " + mine[:6]}, url=url)
"""


def test_two_processes_saving_at_once(db_url):
    import json

    t, (p1, p2) = _new(db_url, 2)
    crit = json.dumps(CRITERIA)
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, db_url, a, b, f, crit], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True)
             for a, b, f in ((p1, p2, "evidence"), (p2, p1, "links"))]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    snap = repo.facilitator_view(t["facilitator_token"], url=db_url)
    r1, r2 = (p["ratings"] for p in snap["participants"])
    assert all(r1[c]["rating"] == "fully" and r1[c]["links"] == "from " + p2[:6] for c in CRITERIA[:30])
    assert all(r2[c]["rating"] == "fully" and r2[c]["evidence"] == "from " + p1[:6] for c in CRITERIA[:30])


_MIGRATOR = """
import sys
from dashboard.maturity import db
db.migrate(sys.argv[1])
print("ok")
"""


def _migrate_twice_at_once(url):
    procs = [subprocess.Popen([sys.executable, "-c", _MIGRATOR, url], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and out.strip() == "ok", err
    from sqlalchemy import text
    with db.get_engine(url).connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0001_initial"]


def test_two_processes_migrating_a_fresh_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'fresh.sqlite'}"  # folder does not exist yet
    _migrate_twice_at_once(url)
    db.dispose_all()


def test_two_processes_migrating_a_fresh_postgres_database(fresh_pg_url):
    _migrate_twice_at_once(fresh_pg_url)


def test_default_url_is_instance_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert db.current_url().endswith("instance/assessments.sqlite")
