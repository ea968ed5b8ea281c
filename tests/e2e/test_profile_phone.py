"""The area profile on a phone (390 x 844) in real Chromium: no horizontal page overflow, wide
tables scroll inside their own container, and the spine chart's words are whole and reachable by
keyboard and screen reader (issue 15)."""
from __future__ import annotations

import re

from tests.e2e.support import show_deferred

VERDICTS = {"Better", "Similar", "Worse", "Higher", "Lower", "Not compared", "Not compared (a count)"}
OUTSIDE = """() => Array.from(document.querySelectorAll('.profile *')).filter(e => {
  const r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || e.closest('.table-scroll') || e.closest('.visually-hidden')) return false;
  const s = getComputedStyle(e);
  if (s.position === 'absolute' && s.clip && s.clip.startsWith('rect(0')) return false;
  return r.right > window.innerWidth + 1 || r.left < -1;
}).slice(0, 10).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
CUT = """() => Array.from(document.querySelectorAll(
  '#area-spine-chart .spine-row:not(.spine-row--head) :is(.spine-label, .spine-value, .spine-verdict)'))
  .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.innerText)"""


def test_profile_on_a_phone(live_server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    p = ctx.new_page()
    errors = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    try:
        p.goto(live_server + "/area/E08000025")  # Birmingham: long labels, a count, zone values
        p.wait_for_selector("#area-spine-chart .spine-row:not(.spine-row--head)", timeout=60000)
        show_deferred(p)
        p.wait_for_selector("#area-trend-graph .main-svg", timeout=60000)
        p.wait_for_timeout(500)
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        assert p.evaluate(OUTSIDE) == []
        # the spine: whole words, nothing cut, every verdict one of the legend's words
        assert p.evaluate(CUT) == []
        verdicts = [t.strip() for t in p.locator("#area-spine-chart .spine-row:not(.spine-row--head) .spine-verdict")
                    .all_inner_texts()]
        assert len(verdicts) >= 20 and set(verdicts) <= VERDICTS and "Worse" in verdicts
        # a screen reader meets a table of rows, each named by its metric
        table = p.get_by_role("table", name=re.compile("Spine chart: \\d+ metrics for Birmingham"))
        assert table.get_by_role("rowheader").count() == len(verdicts)
        # keyboard: a row takes focus and shows its sentence
        row = p.locator("#area-spine-chart .spine-row:not(.spine-row--head)").first
        row.focus()
        detail = row.locator(".spine-detail")
        assert detail.is_visible() and "95% CI" in detail.inner_text()
        # wide tables scroll inside their own box, not the page
        p.locator("#area-spine summary", has_text="Show the data as a table").first.click()
        box = p.locator("#area-spine .table-scroll").first
        assert box.evaluate("e => e.scrollWidth > e.clientWidth") and box.evaluate("e => e.clientWidth <= 390")
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        # the small trend charts sit one per line with their titles above, not overlapping
        titles = p.locator("#area-trend-graph .trend-title")
        assert titles.count() == 4
        boxes = [titles.nth(i).bounding_box() for i in range(4)]
        graphs = [p.locator("#area-trend-graph .trend-graph").nth(i).bounding_box() for i in range(4)]
        for i in range(3):
            assert graphs[i]["y"] + graphs[i]["height"] <= boxes[i + 1]["y"] + 1
        p.screenshot(path=str(live_server_shot_dir() / "profile_390.png"), full_page=False)
        assert not errors, errors
    finally:
        ctx.close()


def live_server_shot_dir():
    import tempfile
    from pathlib import Path

    d = Path(tempfile.gettempdir()) / "wellbeing-e2e-shots"
    d.mkdir(exist_ok=True)
    return d
