"""Many participants (threads and processes) and the facilitator saving at the same moment, on
SQLite and PostgreSQL: every single save must be present afterwards and nothing overwritten."""
from __future__ import annotations

import multiprocessing as mp
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from dashboard.maturity import db
from dashboard.maturity import repository as repo
from dashboard.maturity.model import RATINGS, load_model

CRITERIA = sorted(load_model().criteria)
FIELDS = ("rating", "evidence", "links")


def _value(field: str, who: str, cid: str, i: int = 0) -> str:
    """A distinct value for every (field, writer, criterion): a lost or overwritten save shows."""
    if field == "rating":
        return RATINGS[(CRITERIA.index(cid) + i) % len(RATINGS)]
    return f"{field} by {who[:8]} for {cid} <b>&amp;</b>"


def _setup(url, n):
    t = repo.create_assessment("Concurrency Council", None, "S", "2025-01-01", "Fay", url=url)
    return t, [repo.join(t["join_token"], f"P{i}", url=url) for i in range(n)]


def _check_everything(url, t, parts, consensus_fields=FIELDS):
    """Every participant x criterion x field and every consensus field holds its own value."""
    snap = repo.facilitator_view(t["facilitator_token"], url=url)
    by_name = {p["name"]: p for p in snap["participants"]}
    present = 0
    for i, ptok in enumerate(parts):
        got = by_name[f"P{i}"]["ratings"]
        for cid in CRITERIA:
            for f in FIELDS:
                assert got[cid][f] == _value(f, ptok, cid, i), (i, cid, f)
                present += 1
    for cid in CRITERIA:
        for f in consensus_fields:
            assert snap["consensus"][cid][f] == _value(f, "facilitator", cid, 99), (cid, f)
            present += 1
    with db.session_scope(url=url) as s:
        aid = snap["assessment"]["id"]
        n_rows = s.scalar(select(func.count()).select_from(db.Rating).where(db.Rating.assessment_id == aid))
        n_cons = s.scalar(select(func.count()).select_from(db.Consensus).where(db.Consensus.assessment_id == aid))
    assert n_rows == len(parts) * len(CRITERIA) and n_cons == len(CRITERIA)  # no duplicates
    return present


def test_eight_threads_and_the_facilitator_saving_at_once(db_url):
    """2 participants x 3 fields (each field its own thread, so 3 threads write the same rows)
    + 2 facilitator threads writing consensus = 8 writers released together by a barrier."""
    t, parts = _setup(db_url, 2)
    jobs = [("p", ptok, i, f) for i, ptok in enumerate(parts) for f in FIELDS]
    jobs += [("f", t["facilitator_token"], 99, f) for f in ("rating", "evidence")]
    assert len(jobs) == 8
    start = threading.Barrier(len(jobs))
    saves = []

    def run(kind, tok, i, field):
        start.wait()
        n = 0
        order = CRITERIA if i % 2 == 0 else list(reversed(CRITERIA))
        for cid in order:
            if kind == "p":
                repo.save_rating(tok, cid, **{field: _value(field, tok, cid, i)}, url=db_url)
            else:
                repo.save_consensus(tok, cid, **{field: _value(field, "facilitator", cid, 99)}, url=db_url)
            n += 1
        return n

    with ThreadPoolExecutor(len(jobs)) as ex:
        for fut in [ex.submit(run, *j) for j in jobs]:
            saves.append(fut.result())
    assert sum(saves) == 8 * len(CRITERIA)
    # the facilitator's links were never written: they stay empty, the rest all present
    snap = repo.facilitator_view(t["facilitator_token"], url=db_url)
    assert all(c["links"] == "" for c in snap["consensus"].values())
    repo_links = [repo.save_consensus(t["facilitator_token"], cid, links=_value("links", "facilitator", cid, 99),
                                      url=db_url) for cid in CRITERIA]
    assert len(repo_links) == len(CRITERIA)
    assert _check_everything(db_url, t, parts) == (2 * 3 + 3) * len(CRITERIA)


def _proc_worker(url, ptok, idx, fields, barrier, out):
    """Runs in a forked child with its own engine and connection pool (the parent's pooled
    connections are dropped without being closed, as SQLAlchemy recommends after fork)."""
    from dashboard.maturity import db as d
    from dashboard.maturity import repository as r

    for eng in list(d._ENGINES.values()):
        eng.dispose(close=False)
    d._ENGINES.clear()
    barrier.wait()
    n = 0
    order = CRITERIA if idx % 2 == 0 else list(reversed(CRITERIA))
    for cid in order:
        for f in fields:  # one save per field: another process writes the other fields of the same rows
            r.save_rating(ptok, cid, **{f: _value(f, ptok, cid, idx)}, url=url)
            n += 1
    out.put(n)


def test_four_processes_and_the_facilitator_saving_at_once(db_url):
    """4 forked processes (2 per participant, splitting the fields of the same rows) + the
    facilitator in this process writing consensus, all released by one barrier."""
    t, parts = _setup(db_url, 2)
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(5), ctx.Queue()
    plan = [(parts[0], 0, ("rating", "links")), (parts[0], 0, ("evidence",)),
            (parts[1], 1, ("evidence",)), (parts[1], 1, ("rating", "links"))]
    procs = [ctx.Process(target=_proc_worker, args=(db_url, tok, i, f, barrier, out))
             for tok, i, f in plan]
    for p in procs:
        p.start()
    barrier.wait(timeout=60)
    fac = 0
    for cid in CRITERIA:
        for f in FIELDS:
            repo.save_consensus(t["facilitator_token"], cid, **{f: _value(f, "facilitator", cid, 99)}, url=db_url)
            fac += 1
    counts = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert sum(counts) == 2 * 3 * len(CRITERIA) and fac == 3 * len(CRITERIA)
    assert _check_everything(db_url, t, parts) == (2 * 3 + 3) * len(CRITERIA)


def test_same_participant_same_criterion_hammered_by_many_threads(db_url):
    """Eight writers on ONE participant's ONE criterion: 3 fields, last write of each field wins,
    no field ever reverts to a value from another field's writer."""
    t, (p,) = _setup(db_url, 1)
    start = threading.Barrier(8)
    written = {f: [] for f in FIELDS}
    lock = threading.Lock()

    def run(k):
        f = FIELDS[k % 3]
        start.wait()
        for j in range(10):
            v = RATINGS[(k + j) % len(RATINGS)] if f == "rating" else f"{f}-{k}-{j}"
            repo.save_rating(p, "h1.a1", **{f: v}, url=db_url)
            with lock:
                written[f].append(v)

    with ThreadPoolExecutor(8) as ex:
        list(ex.map(run, range(8)))
    assert sum(len(v) for v in written.values()) == 80
    got = repo.participant_view(p, url=db_url)["ratings"]["h1.a1"]
    for f in FIELDS:
        assert got[f] in written[f]  # a value some writer of *this* field saved
    assert got["evidence"].startswith("evidence-") and got["links"].startswith("links-")
