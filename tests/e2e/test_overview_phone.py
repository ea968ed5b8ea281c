"""The mission overview on a phone (390 x 844) in headless Chromium on the real build: no
horizontal page overflow, wide tables scroll inside their own box, both charts drawn within the
screen with the March 2020 mode change marked, and a table alternative drawn when opened."""
from __future__ import annotations

from tests.e2e.support import show_deferred

WIDTH = 390
# Measured against the phone's width, not innerWidth: a mobile browser widens its layout viewport
# (zooming out) when content overflows, so innerWidth alone would hide the overflow.
OVERFLOW = """(width) => {
  const out = [];
  document.querySelectorAll('body *').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) return;
    for (let a = e.parentElement; a; a = a.parentElement) {   // inside a box that scrolls: fine (clipped is not)
      const s = getComputedStyle(a).overflowX;
      if ((s === 'auto' || s === 'scroll') && a.getBoundingClientRect().right <= width + 1) return;
    }
    out.push(e.tagName + '#' + e.id + '.' + e.className);
  });
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth, width: width,
          outside: out.slice(0, 10)};
}"""


def _no_overflow(page):
    got = page.evaluate(OVERFLOW, WIDTH)
    assert got["scrollWidth"] <= WIDTH and got["innerWidth"] == WIDTH, got
    assert not got["outside"], got


def test_overview_at_390px(live_server, browser):
    ctx = browser.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(live_server + "/")
        page.wait_for_selector("#ov-gap-chart", timeout=60000)
        show_deferred(page)
        page.wait_for_selector("#ov-gap-graph .main-svg g.scatterlayer .trace", timeout=60000)
        page.wait_for_selector("#ov-change-graph .main-svg g.scatterlayer .trace", timeout=60000)
        page.wait_for_selector("#ov-scorecard-table td")
        _no_overflow(page)
        # the scorecard is wider than the screen: it scrolls inside its own box
        wrap = page.evaluate("""() => { const w = document.querySelector('#ov-scorecard-table').parentElement;
            return {scroll: w.scrollWidth, client: w.clientWidth, overflow: getComputedStyle(w).overflowX,
                    right: w.getBoundingClientRect().right}; }""")
        assert wrap["scroll"] > wrap["client"] and wrap["overflow"] == "auto" and wrap["right"] <= WIDTH, wrap
        for gid in ("ov-gap-graph", "ov-change-graph"):
            box = page.locator(f"#{gid} .main-svg").first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 1 and box["height"] > 300, (gid, box)
        assert page.locator("#ov-gap-graph text", has_text="March 2020").count() >= 1
        assert page.locator("#ov-gap-graph .legendtext").count() == 3
        verdict = page.inner_text("#ov-gap-verdict")
        assert "Adjusted for sampling noise:" in verdict and "What this means:" in verdict
        assert "not ranked in" in page.inner_text("#ov-unranked")
        # a table alternative is drawn when opened, and still scrolls inside its box
        page.locator("#ov-gap-details > summary").click()
        page.wait_for_selector("#ov-gap-table td")
        _no_overflow(page)
        assert not errors, errors
    finally:
        ctx.close()
