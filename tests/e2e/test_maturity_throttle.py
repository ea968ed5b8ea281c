"""In headless Chromium: the server refuses saves with 429 (too many in a short time); the page
waits as told, sends them again, and every rating is stored. Nothing for the participant to do."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard.maturity import db
from dashboard.maturity import repository as repo

T = 30_000
CRITERIA = ["h1.a1", "h1.a2", "h2.a1", "h2.a2", "h3a.a1", "h4.a1"]


@pytest.fixture
def throttled_server(build_dir, tmp_path):
    """Our own app server allowing 1 save per participant per 3-second window (one save may carry
    several answers, so the limit must be tight for six quick answers to be refused)."""
    from tests.helpers import app_server

    path = tmp_path / "throttle.sqlite"
    env = {"DATABASE_URL": f"sqlite:///{path}", "WELLBEING_BUILD_DIR": str(build_dir),
           "WRITE_LIMIT_PER_MINUTE": "1", "WRITE_LIMIT_WINDOW_S": "3"}
    with app_server(env, tmp_path / "server.log") as url:
        yield url, f"sqlite:///{path}"
    db.dispose_all()


def test_refused_saves_are_sent_again_and_stored(throttled_server, page):
    base, url = throttled_server
    t = repo.create_assessment("Throttle Borough", None, "S", "2025-01-01", "Fay", url=url)
    p = repo.join(t["join_token"], "Ann", url=url)
    db.dispose_all()
    refused = []
    page.on("response", lambda r: refused.append(r.url) if r.status == 429 else None)
    page.goto(f"{base}/maturity/a/{p}")
    expect(page.locator("h1")).to_have_text("Your ratings, Ann", timeout=T)
    # remember whether the notice was ever shown (it may come and go between two checks)
    page.evaluate("""() => { window.mmNoticeSeen = false;
        new MutationObserver(() => { const el = document.getElementById('mm-throttle-notice');
            if (el && !el.hidden && /Saving is paused/.test(el.textContent)) { window.mmNoticeSeen = true; } })
        .observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true}); }""")
    for cid in CRITERIA:  # six answers at once: more saves than a window allows
        page.locator(f"#crit-{cid.replace('.', chr(92) + '.')}").get_by_label("Fully in place", exact=True).check()
    for cid in CRITERIA:
        box = page.locator(f"#crit-{cid.replace('.', chr(92) + '.')}")
        expect(box.locator(".mm-status")).to_have_text(re.compile(r"^Saved at"), timeout=T)
    expect(page.locator("#mm-throttle-notice")).to_be_hidden(timeout=T)
    assert refused, "the server never refused a save: the test did not exercise the retry"
    assert page.evaluate("window.mmNoticeSeen"), "the participant was never told that saving was paused"
    got = repo.participant_view(p, url=url)["ratings"]
    assert {cid: got.get(cid, {}).get("rating") for cid in CRITERIA} == {cid: "fully" for cid in CRITERIA}
    page.reload()
    for cid in CRITERIA:
        expect(page.locator(f"#crit-{cid.replace('.', chr(92) + '.')}").get_by_label("Fully in place", exact=True)
               ).to_be_checked(timeout=T)
    assert not [e for e in page.errors if str(e).startswith("pageerror")]
