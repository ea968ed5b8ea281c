"""In headless Chromium: the database is locked while a participant answers; the page says so
clearly, keeps the answer, and saves it by itself once the database is available again."""
from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from dashboard.maturity import autosave, db
from dashboard.maturity import repository as repo
from tests.conftest import ROOT

T = 20_000


@pytest.fixture
def outage_server(build_dir, tmp_path):
    """Our own app server on a private SQLite file with a 1 s busy timeout (so a held lock looks
    like an unavailable database quickly)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "outage.sqlite"
    env = dict(os.environ, PORT=str(port), DATABASE_URL=f"sqlite:///{path}", WELLBEING_BUILD_DIR=str(build_dir),
               SECRET_KEY="test-secret", MATURITY_SQLITE_BUSY_TIMEOUT="1")
    log = open(tmp_path / "server.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "dashboard"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"app server exited early:\n{log.read()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("app server did not start within 90 s")
    yield url, path
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    db.dispose_all()


def test_answer_kept_and_saved_after_the_database_returns(outage_server, page):
    base, path = outage_server
    url = f"sqlite:///{path}"
    t = repo.create_assessment("Outage Borough", None, "S", "2025-01-01", "Fay", url=url)
    p = repo.join(t["join_token"], "Ann", url=url)
    db.dispose_all()
    page.goto(f"{base}/maturity/a/{p}")
    box = page.locator("#crit-h1\\.a1")
    box.get_by_label("Partly in place", exact=True).check()
    expect(box.locator(".mm-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d:\d\d$"), timeout=T)

    blocker = sqlite3.connect(path, isolation_level=None, timeout=5)
    blocker.execute("BEGIN EXCLUSIVE")  # the database is now unavailable for writing
    try:
        box.get_by_label("Fully in place", exact=True).check()
        box.get_by_label("Evidence notes").fill("Typed during the outage")
        box.get_by_label("Evidence links (one per line)").click()
        expect(box.locator(".mm-status")).to_have_text(autosave.UNAVAILABLE, timeout=T)
        expect(page.locator("#mm-save-banner")).to_contain_text("not saved yet because the database is unavailable")
        expect(page.locator("#mm-save-banner")).to_be_visible()
        assert "Traceback" not in page.content()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    # nothing else to do for the user: the page retries by itself
    expect(box.locator(".mm-status")).to_have_text(re.compile(r"^Saved at"), timeout=T)
    expect(page.locator("#mm-save-banner")).to_be_hidden()
    got = repo.participant_view(p, url=url)["ratings"]["h1.a1"]
    assert got["rating"] == "fully" and got["evidence"] == "Typed during the outage"
    page.reload()
    expect(page.locator("#crit-h1\\.a1").get_by_label("Fully in place", exact=True)).to_be_checked(timeout=T)
    assert not [e for e in page.errors if str(e).startswith("pageerror")]
