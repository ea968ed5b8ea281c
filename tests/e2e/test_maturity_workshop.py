"""End to end in headless Chromium: create, rate as two participants, moderate, reload, export, report."""
from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.support import create_assessment, join_assessment

T = 15_000  # ms


def _crit(page, prefix, cid):
    return page.locator(f"#{prefix}-{cid.replace('.', chr(92) + '.')}")


def _shot(page, name):
    folder = os.environ.get("MATURITY_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def _join_and_rate(page, base, join_path, name, ratings, note):
    join_assessment(page, base + join_path, name, timeout=T)
    assert re.search(r"/maturity/a/[A-Za-z0-9_-]{32}$", page.url)
    for cid, label in ratings.items():
        box = _crit(page, "crit", cid)
        box.get_by_label(label, exact=True).check()
        expect(box.locator(".mm-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d:\d\d$"), timeout=T)
    box = _crit(page, "crit", "h1.a1")
    box.get_by_label("Evidence notes").fill(note)
    box.get_by_label("Evidence links (one per line)").click()  # leaving the notes box saves them
    box.get_by_label("Evidence links (one per line)").fill("https://example.org/strategy.pdf")
    box.get_by_label("Evidence notes").click()
    expect(box.locator(".mm-status")).to_have_text(re.compile("^Saved at"), timeout=T)
    return page.url


def test_workshop_end_to_end(live_server, page):
    base = live_server.rstrip("/")
    page.goto(base + "/maturity")
    expect(page.get_by_text("Smithson, J. (2022) Maturity Model for Wellbeing Policy Making [PDF]")).to_be_visible()
    fac_path, join_path = create_assessment(page, "Testshire <b>Council</b>", "Wellbeing Strategy 2025", "Fay",
                                            timeout=T)
    assert fac_path.startswith("/maturity/f/") and join_path.startswith("/maturity/a/")
    # copy buttons: reached with Tab from the link, pressed with Enter, the link lands on the clipboard
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.locator("#mm-created-facilitator").focus()
    page.keyboard.press("Tab")
    copy = page.get_by_role("button", name="Copy facilitator link")
    expect(copy).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#mm-copy-status-created-facilitator")).to_have_text("Link copied.", timeout=T)
    assert page.evaluate("navigator.clipboard.readText()").endswith(fac_path)
    expect(page.get_by_role("button", name="Copy joining link")).to_be_visible()

    _join_and_rate(page, base, join_path, "Ann", {"h1.a1": "Fully in place", "h1.a2": "Fully in place"},
                         "Definition on p.4")
    # the facilitator watches in another window: Bob's ratings appear there without a reload
    watcher = page.context.browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    watcher.goto(base + fac_path)
    expect(_crit(watcher, "mod", "h1.a1").locator(".mm-agree")).to_have_text("Only one rating", timeout=T)
    expect(watcher.locator("#mm-participants")).to_have_text("Participants (1): Ann")
    _join_and_rate(page, base, join_path, "Bob", {"h1.a1": "Partly in place", "h1.a2": "Fully in place"},
                   "Only implied")
    watcher.bring_to_front()  # a background window's timers may be throttled by the browser
    expect(watcher.locator("#mm-participants")).to_have_text("Participants (2): Ann, Bob", timeout=2 * T)
    expect(_crit(watcher, "mod", "h1.a1").locator(".mm-agree")).to_have_text("Differ", timeout=T)
    expect(_crit(watcher, "mod", "h1.a1")).to_contain_text("Only implied", timeout=2 * T)  # saved last
    expect(watcher.locator("#mm-live-status")).to_contain_text("Latest ratings shown")
    watcher.context.close()
    # keyboard: a radio can be focused and chosen with the space bar
    radio = _crit(page, "crit", "h2.a1").get_by_label("Not in place", exact=True)
    radio.focus()
    page.keyboard.press("Space")
    expect(radio).to_be_checked()
    expect(_crit(page, "crit", "h2.a1").locator(".mm-status")).to_have_text(re.compile("^Saved at"), timeout=T)

    # facilitator: agreement per criterion, then consensus
    page.goto(base + fac_path)
    mod1 = _crit(page, "mod", "h1.a1")
    expect(mod1.locator(".mm-agree")).to_have_text("Differ", timeout=T)
    expect(mod1).to_contain_text("1 of 2 (50%)")
    expect(mod1).to_contain_text("Definition on p.4")
    expect(_crit(page, "mod", "h1.a2").locator(".mm-agree")).to_have_text("Agree")
    # rated by Bob alone: not an agreement
    expect(_crit(page, "mod", "h2.a1").locator(".mm-agree")).to_have_text("Only one rating")
    expect(_crit(page, "mod", "h2.a1")).to_contain_text("agreement needs at least two")
    row1 = page.locator("tr[data-hallmark='1']")
    expect(row1.locator("td").nth(0)).to_contain_text("Partly")
    mod1.get_by_label("Fully in place", exact=True).check()
    expect(mod1.locator(".mm-status")).to_have_text(re.compile("^Consensus saved at"), timeout=T)
    expect(row1.locator("td").nth(0)).to_contain_text("Reached", timeout=T)
    mod1.get_by_label("Consensus notes and evidence").fill("Agreed: definition is explicit")
    mod1.get_by_label("Consensus evidence links (one per line)").click()
    expect(mod1.locator(".mm-status")).to_have_text(re.compile("^Consensus saved at"), timeout=T)
    page.get_by_label("Only where participants differ").check()
    expect(_crit(page, "mod", "h1.a2")).to_be_hidden()
    expect(mod1).to_be_visible()
    # no empty headings: only hallmark 1's assuring level has a difference
    expect(page.locator("#mm-filter-summary")).to_contain_text("Showing the 1 criterion where participants differ")
    expect(page.locator("#hallmark-2")).to_be_hidden()
    visible_levels = page.locator("#mm-mod .mm-level:visible h4")
    expect(visible_levels).to_have_count(1)
    expect(visible_levels).to_have_text("Assuring")
    page.get_by_label("All", exact=True).check()
    expect(page.locator("#hallmark-2")).to_be_visible()

    # reload: nothing lost
    page.reload()
    mod1 = _crit(page, "mod", "h1.a1")
    expect(mod1.get_by_label("Fully in place", exact=True)).to_be_checked(timeout=T)
    expect(mod1.get_by_label("Consensus notes and evidence")).to_have_value("Agreed: definition is explicit")
    expect(page.locator("tr[data-hallmark='1'] td").nth(0)).to_contain_text("Reached")
    expect(page.locator("#mm-participants")).to_contain_text("Ann, Bob")
    _shot(page, "facilitator-overview.png")

    # exports
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8"))))
    got = {(r["criterion_id"], r["source"]): r for r in rows}
    assert got[("h1.a1", "Ann")]["rating"] == "fully" and got[("h1.a1", "Bob")]["rating"] == "partly"
    assert got[("h1.a1", "Consensus")]["evidence"] == "Agreed: definition is explicit"
    assert got[("h1.a1", "Bob")]["links"] == "https://example.org/strategy.pdf"
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download JSON").click()
    doc = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert doc["consensus"]["h1.a1"]["rating"] == "fully"
    assert [p["name"] for p in doc["participants"]] == ["Ann", "Bob"]
    assert doc["summary"]["1"]["level_reached"] == "assuring"
    json_path = dl.value.path()

    # printable report
    page.get_by_role("link", name="Printable report").click()
    expect(page.locator("h1")).to_contain_text("Testshire <b>Council</b>", timeout=T)
    expect(page.locator(".mm-report tr[data-hallmark='1'] td").nth(0)).to_contain_text("Reached")
    page.emulate_media(media="print")
    expect(page.locator(".app-header")).to_be_hidden()
    _shot(page, "report-print.png")
    page.emulate_media(media="screen")

    # a repeat assessment: its participant link has a copy button; the comparison says what changed
    page.goto(base + fac_path)
    page.get_by_role("button", name="Start repeat assessment").click()
    copy_repeat = page.get_by_role("button", name="Copy the repeat's participant link")
    expect(copy_repeat).to_be_visible(timeout=T)
    copy_repeat.focus()
    page.keyboard.press("Space")
    expect(page.locator("#mm-copy-status-repeat-join")).to_have_text("Link copied.", timeout=T)
    repeat_join = page.evaluate("navigator.clipboard.readText()")
    assert re.search(r"/maturity/a/[A-Za-z0-9_-]{32}$", repeat_join) and repeat_join.startswith("http")
    page.locator("#mm-repeat-facilitator").click()
    row = page.locator("#mm-progress tr[data-hallmark='1']")
    expect(row.locator("td").nth(1)).to_contain_text("Changed: down from Assuring", timeout=T)
    expect(row.locator("td").nth(0)).not_to_contain_text("Changed")
    expect(page.locator("#mm-progress-summary")).to_contain_text("1 hallmark level and")
    _shot(page, "progress.png")

    # JSON re-import creates a new assessment with new links
    page.goto(base + "/maturity")
    page.locator("#mm-import-upload input[type=file]").set_input_files(str(json_path))
    expect(page.locator("#mm-import-result")).to_contain_text("Assessment imported", timeout=T)
    new_fac = page.locator("#mm-import-result a").first.get_attribute("href")
    assert new_fac.startswith("/maturity/f/") and new_fac != fac_path
    page.goto(base + new_fac)
    expect(_crit(page, "mod", "h1.a1").get_by_label("Fully in place", exact=True)).to_be_checked(timeout=T)

    # bad links are friendly
    page.goto(base + "/maturity/f/" + "A" * 32)
    expect(page.locator("h1")).to_have_text("Assessment not found", timeout=T)
    assert not [e for e in getattr(page, "errors", []) if str(e).startswith("pageerror")]
