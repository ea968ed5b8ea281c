"""In headless Chromium: the database is locked while a participant answers; the page says so
clearly, keeps the answer, and saves it by itself once the database is available again."""
from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from dashboard.maturity import autosave, db
from dashboard.maturity import repository as repo

T = 20_000


@pytest.fixture
def outage_server(build_dir, tmp_path):
    """Our own app server on a private SQLite file with a 1 s busy timeout (so a held lock looks
    like an unavailable database quickly)."""
    from tests.helpers import app_server

    path = tmp_path / "outage.sqlite"
    env = {"DATABASE_URL": f"sqlite:///{path}", "WELLBEING_BUILD_DIR": str(build_dir),
           "MATURITY_SQLITE_BUSY_TIMEOUT": "1"}
    with app_server(env, tmp_path / "server.log") as url:
        yield url, path
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
