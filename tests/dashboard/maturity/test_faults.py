"""Faults: the database going away while people save (SQLite locked, PostgreSQL unreachable), a
restart of the app, and the autosave/consensus callbacks' server-side checks."""
from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading

import pytest
from sqlalchemy.exc import OperationalError

from dashboard.config import ROOT
from dashboard.maturity import autosave, db
from dashboard.maturity import export
from dashboard.maturity import repository as repo
from dashboard.user_errors import UserInputError
from tests.dashboard.support import page_module


def _setup(url, n=1):
    t = repo.create_assessment("Outage Borough", None, "S", "2025-01-01", "Fay", url=url)
    return t, [repo.join(t["join_token"], f"P{i}", url=url) for i in range(n)]


def _saver(token, url):
    return lambda cid, fields: repo.save_rating(token, cid, **fields, url=url)


def _down(*_a, **_k):
    raise OperationalError("INSERT ...", {}, ConnectionRefusedError("connection refused"))


# --------------------------------------------------------------------------- autosave queue


def test_pending_answers_survive_an_outage_and_are_saved_when_it_ends(sqlite_url):
    t, (p,) = _setup(sqlite_url)
    state = autosave.initial_state(repo.participant_view(p, url=sqlite_url)["ratings"])
    form = {"h1.a1": {"rating": "fully", "evidence": "", "links": ""}}
    statuses, state, retry, banner = autosave.sync(form, state, _saver(p, sqlite_url))
    assert statuses["h1.a1"].startswith("Saved at") and not retry and banner == ""

    # the database goes away: three more answers are typed; none is saved, none is dropped
    form["h1.a1"]["evidence"] = "JSNA p.4"
    form["h1.a2"] = {"rating": "partly", "evidence": "", "links": "https://example.org/a"}
    form["h2.a1"] = {"rating": "not_in_place", "evidence": "", "links": ""}
    for _ in range(3):  # the page's timer retries; still down
        statuses, state, retry, banner = autosave.sync(form, state, _down)
        assert retry and set(statuses) == {"h1.a1", "h1.a2", "h2.a1"}
        assert all(s == autosave.UNAVAILABLE for s in statuses.values())
        assert "3 answers are not saved yet because the database is unavailable" in banner
        assert "Traceback" not in banner and "INSERT" not in json.dumps(statuses)
    assert autosave.pending(form, state) == {"h1.a1": {"evidence": "JSNA p.4"},
                                             "h1.a2": {"rating": "partly", "links": "https://example.org/a"},
                                             "h2.a1": {"rating": "not_in_place"}}
    # a change made during the outage is merged into the queue (the newest value wins)
    form["h2.a1"]["rating"] = "fully"
    # the database returns: the next attempt writes everything
    statuses, state, retry, banner = autosave.sync(form, state, _saver(p, sqlite_url))
    assert not retry and banner == "" and all(s.startswith("Saved at") for s in statuses.values())
    got = repo.participant_view(p, url=sqlite_url)["ratings"]
    assert got["h1.a1"] == {"rating": "fully", "evidence": "JSNA p.4", "links": ""}
    assert got["h1.a2"] == {"rating": "partly", "evidence": "", "links": "https://example.org/a"}
    assert got["h2.a1"]["rating"] == "fully"
    assert autosave.pending(form, state) == {}
    # nothing pending: a timer tick writes nothing
    calls = []
    assert autosave.sync(form, state, lambda *a: calls.append(a))[2:] == (False, "") and calls == []


def test_invalid_input_is_reported_and_not_retried(sqlite_url):
    t, (p,) = _setup(sqlite_url)
    form = {"h1.a1": {"rating": None, "evidence": "x" * (db.MAX_NOTE + 1), "links": ""}}
    statuses, state, retry, _ = autosave.sync(form, autosave.initial_state({}), _saver(p, sqlite_url))
    assert statuses["h1.a1"].startswith("Not saved: Evidence notes: too long") and not retry
    assert autosave.pending(form, state) == {}  # rejected: not sent again until it is edited
    form["h1.a1"]["evidence"] = "short"
    statuses, state, retry, _ = autosave.sync(form, state, _saver(p, sqlite_url))
    assert statuses["h1.a1"].startswith("Saved at")
    assert repo.participant_view(p, url=sqlite_url)["ratings"]["h1.a1"]["evidence"] == "short"


def test_unexpected_errors_keep_the_answer_too(sqlite_url):
    form = {"h1.a1": {"rating": "fully", "evidence": "", "links": ""}}

    def boom(*_a):
        raise RuntimeError("bug")

    statuses, state, retry, banner = autosave.sync(form, autosave.initial_state({}), boom)
    assert statuses["h1.a1"] == autosave.FAILED and retry and "not saved yet" in banner
    assert autosave.pending(form, state) == {"h1.a1": {"rating": "fully"}}


def test_sqlite_locked_beyond_the_busy_timeout(tmp_path, monkeypatch):
    """Another process holds an exclusive lock longer than the busy timeout: the save fails with
    the clear message, the answer stays queued, and is written once the lock is released."""
    monkeypatch.setenv("MATURITY_SQLITE_BUSY_TIMEOUT", "0.3")
    path = tmp_path / "locked.sqlite"
    url = f"sqlite:///{path}"
    try:
        t, (p,) = _setup(url)
        blocker = sqlite3.connect(path, isolation_level=None, timeout=5)
        blocker.execute("BEGIN EXCLUSIVE")
        form = {"h3a.a1": {"rating": "fully", "evidence": "APS 2023", "links": ""}}
        statuses, state, retry, banner = autosave.sync(form, autosave.initial_state({}), _saver(p, url))
        assert statuses == {"h3a.a1": autosave.UNAVAILABLE} and retry and banner
        blocker.execute("ROLLBACK")
        blocker.close()
        statuses, state, retry, banner = autosave.sync(form, state, _saver(p, url))
        assert statuses["h3a.a1"].startswith("Saved at") and not retry
        assert repo.participant_view(p, url=url)["ratings"]["h3a.a1"]["evidence"] == "APS 2023"
    finally:
        db.dispose_all()


class _Proxy:
    """A TCP relay on a fixed local port to the PostgreSQL server; stop() makes the database
    unreachable (connections cut, port closed), start() brings it back on the same port."""

    def __init__(self, target):
        self.target, self.port, self.socks, self.listener = target, None, [], None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.socks += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() thread; the port closes
        except OSError:
            pass
        self.listener.close()
        for s in self.socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.socks.clear()


def test_postgresql_unreachable_then_back(pg_url):
    from sqlalchemy.engine import make_url

    base = make_url(pg_url)
    db.migrate(pg_url)
    proxy = _Proxy((base.host or "127.0.0.1", base.port or 5432))
    proxy.start()
    url = base.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        t, (p,) = _setup(url)
        state = autosave.initial_state({})
        form = {"h1.a1": {"rating": "partly", "evidence": "", "links": ""}}
        statuses, state, _, _ = autosave.sync(form, state, _saver(p, url))
        assert statuses["h1.a1"].startswith("Saved at")
        proxy.stop()  # the database goes away (pooled connections are cut, new ones refused)
        form["h1.a1"]["evidence"] = "typed while the database was down"
        form["h4.a1"] = {"rating": "fully", "evidence": "", "links": "https://example.org/x"}
        statuses, state, retry, banner = autosave.sync(form, state, _saver(p, url))
        assert set(statuses.values()) == {autosave.UNAVAILABLE} and retry
        assert "2 answers are not saved yet" in banner
        proxy.start()  # back on the same port
        statuses, state, retry, banner = autosave.sync(form, state, _saver(p, url))
        assert all(s.startswith("Saved at") for s in statuses.values()) and not retry and banner == ""
        got = repo.participant_view(p, url=pg_url)["ratings"]  # read directly, not via the proxy
        assert got["h1.a1"] == {"rating": "partly", "evidence": "typed while the database was down", "links": ""}
        assert got["h4.a1"] == {"rating": "fully", "evidence": "", "links": "https://example.org/x"}
    finally:
        proxy.stop()
        db.dispose_all()


# --------------------------------------------------------------------------- page callbacks


def test_page_autosave_keeps_input_while_the_database_is_down(app, sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    t, (p,) = _setup(None)
    page = page_module("maturity_assess")
    form = page.form_values([{"type": "mm-rate", "crit": "h1.a1"}, {"type": "mm-rate", "crit": "h1.a2"}],
                            ["fully", None], ["notes <script>x</script>", None], [None, "/area/E08000035"])
    real = repo.save_rating
    monkeypatch.setattr(repo, "save_rating", _down)
    statuses, state, retry, banner = page.autosave_step(p, form, None)
    assert statuses == {"h1.a1": autosave.UNAVAILABLE, "h1.a2": autosave.UNAVAILABLE} and retry
    assert repo.participant_view(p)["ratings"] == {}
    monkeypatch.setattr(repo, "save_rating", real)  # the database is back; the timer fires
    statuses, state, retry, banner = page.autosave_step(p, form, state)
    assert not retry and banner == ""
    got = repo.participant_view(p)["ratings"]
    assert got["h1.a1"]["evidence"] == "notes <script>x</script>" and got["h1.a2"]["links"] == "/area/E08000035"


def test_facilitator_rights_are_checked_server_side(app, sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    t, (p,) = _setup(None)
    fac = page_module("maturity_facilitate")
    form = {"h1.a1": {"rating": "fully", "evidence": "", "links": ""}}
    for wrong in (p, t["join_token"], "A" * 32, None, ""):
        statuses, state, retry, _ = fac.consensus_step(wrong, form, None)
        assert statuses == {"h1.a1": "Not saved: Assessment not found."} and not retry
        with pytest.raises(UserInputError):
            repo.save_consensus(wrong, "h1.a1", rating="fully")
    assert repo.facilitator_view(t["facilitator_token"])["consensus"] == {}
    with app.server.test_request_context("/"):
        for wrong in (p, t["join_token"]):
            for name in ("maturity_facilitate", "maturity_report"):
                out = json.dumps(page_module(name).layout(token=wrong).to_plotly_json(),
                                 default=lambda o: o.to_plotly_json())
                assert "Assessment not found" in out and "Consensus rating" not in out
    statuses, _, _, _ = fac.consensus_step(t["facilitator_token"], form, None)
    assert statuses["h1.a1"].startswith("Consensus saved at")
    # the participant autosave with a facilitator token saves nothing either
    statuses, _, _, _ = page_module("maturity_assess").autosave_step(t["facilitator_token"], form, None)
    assert statuses == {"h1.a1": "Not saved: Assessment not found."}


# --------------------------------------------------------------------------- restart


_WRITER = textwrap.dedent("""
    import json, sys
    from dashboard.maturity import repository as repo
    url = sys.argv[1]
    t = repo.create_assessment("Restart <City>", "E08000035", "Plan", "2025-02-03", "Fay", url=url)
    ps = [repo.join(t["join_token"], n, url=url) for n in ("Ann", "Bo <b>", "Cy")]
    for i, p in enumerate(ps):
        for j, cid in enumerate(["h1.a1", "h2.a1", "h3a.a2", "h6.a3"]):
            repo.save_rating(p, cid, rating=["fully", "partly", "not_in_place"][(i + j) % 3], url=url)
            repo.save_rating(p, cid, evidence=f"note {i} {cid}\\nline 2", url=url)
            repo.save_rating(p, cid, links=f"https://example.org/{i}/{cid}", url=url)
    for cid in ("h1.a1", "h6.a3"):
        repo.save_consensus(t["facilitator_token"], cid, rating="partly", evidence="agreed " + cid,
                            links="/area/E08000035", url=url)
    print(json.dumps({"tokens": t, "participants": ps}))
""")


def test_restart_keeps_everything(db_url):
    """One process writes everything and exits; after disposing every engine a fresh one (in this
    process and in another new process) finds every participant, rating, note, link, consensus."""
    out = subprocess.run([sys.executable, "-c", _WRITER, db_url], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    db.dispose_all()
    snap = repo.facilitator_view(info["tokens"]["facilitator_token"], url=db_url)
    assert [p["name"] for p in snap["participants"]] == ["Ann", "Bo <b>", "Cy"]
    n = 0
    for i, p in enumerate(snap["participants"]):
        assert set(p["ratings"]) == {"h1.a1", "h2.a1", "h3a.a2", "h6.a3"}
        for j, cid in enumerate(["h1.a1", "h2.a1", "h3a.a2", "h6.a3"]):
            assert p["ratings"][cid] == {"rating": ["fully", "partly", "not_in_place"][(i + j) % 3],
                                         "evidence": f"note {i} {cid}\nline 2",
                                         "links": f"https://example.org/{i}/{cid}"}
            n += 3
    assert snap["consensus"] == {cid: {"rating": "partly", "evidence": "agreed " + cid, "links": "/area/E08000035"}
                                 for cid in ("h1.a1", "h6.a3")}
    assert snap["assessment"]["organisation"] == "Restart <City>" and snap["assessment"]["date"] == "2025-02-03"
    for tok in info["participants"]:
        assert repo.resolve(tok, url=db_url)["kind"] == "participant"
    assert n == 36
    # and a second fresh process sees exactly the same export
    code = ("import sys; from dashboard.maturity import export, repository as r; "
            "print(export.to_json(r.facilitator_view(sys.argv[2], url=sys.argv[1])))")
    out2 = subprocess.run([sys.executable, "-c", code, db_url, info["tokens"]["facilitator_token"]], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert out2.returncode == 0, out2.stderr
    assert json.loads(out2.stdout) == export.to_dict(snap)
