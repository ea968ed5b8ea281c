"""End-to-end: the map (/map) in headless Chromium on the real build, as a visitor from another
page, a phone user and a keyboard user meet it; and a repaint that recolours the one figure.
"""
from __future__ import annotations

import re

from tests.e2e.support import show_deferred

GD = "document.querySelector('#map-graph .js-plotly-plot')"
PATHS = "#map-graph g.choroplethlayer path.choroplethlocation"
FILLS = f"() => Array.from(document.querySelectorAll('{PATHS}')).map(p => p.getAttribute('fill')).join('|')"


def _wait_map(page, at_least: int = 300):
    page.wait_for_function(f"() => document.querySelectorAll('{PATHS}').length >= {at_least}", timeout=60000)
    page.wait_for_function("() => !document.querySelector('#map-graph')?.closest('[data-dash-is-loading=\"true\"]')")


def _choose(page, dropdown_id: str, option_text: str):
    page.click(f"#{dropdown_id}")
    page.locator(".dash-dropdown-content .dash-dropdown-option", has_text=option_text).first.click()


def _no_errors(page):
    body = page.inner_text("body")
    for t in ("Traceback", "Internal Server Error", "Sorry, this view could not be drawn", "Error loading"):
        assert t not in body, t
    assert not page.errors, page.errors


def _point_inside(page, code: str) -> dict:
    """A point on screen where the area `code` is the element under the pointer."""
    page.locator("#map-graph").scroll_into_view_if_needed()
    pt = page.evaluate("""(code) => {
      const p = [...document.querySelectorAll('#map-graph g.choroplethlayer .trace:first-child path.choroplethlocation')]
        .find(x => x.__data__ && x.__data__.loc === code);
      if (!p) return null;
      const r = p.getBoundingClientRect(), inv = p.getScreenCTM().inverse();
      for (let i = 1; i < 12; i++) for (let j = 1; j < 12; j++) {
        const x = r.left + r.width * i / 12, y = r.top + r.height * j / 12;
        const local = new DOMPoint(x, y).matrixTransform(inv);
        if (p.isPointInFill(local) && x > 0 && y > 0 && x < innerWidth && y < innerHeight) return {x, y};
      }
      return null; }""", code)
    assert pt, f"{code} is not drawn where it can be pointed at"
    return pt


def _largest_area(page) -> tuple[str, dict]:
    page.locator("#map-graph").scroll_into_view_if_needed()
    code = page.evaluate("""() => { let best = null, size = 0;
      document.querySelectorAll('#map-graph g.choroplethlayer .trace:first-child path.choroplethlocation').forEach(p => {
        const r = p.getBoundingClientRect();
        if (r.top > 0 && r.bottom < innerHeight && r.width * r.height > size) { size = r.width * r.height; best = p.__data__.loc; } });
      return best; }""")
    return code, _point_inside(page, code)


def test_evidence_link_highlights_the_area_with_a_useful_view(live_server, page):
    # the maturity tool's evidence link: a headline share published for a few areas only
    page.goto(live_server + "/map?metric=low_life_satisfaction&area=E08000025")
    _wait_map(page)
    page.wait_for_selector(".map-details__card")
    notes = page.inner_text("#map-url-notes")
    assert "too few to show how it is distributed" in notes and "average life satisfaction" in notes
    assert page.locator("#map-url-notes a", has_text="anyway").count() == 1
    legend = page.inner_text("#map-legend")
    assert "nan" not in legend and "(0 areas)" not in legend
    assert len(re.findall(r"fifth: \d", legend)) == 5
    # the area is marked by an outline and its name on the map, not by colour alone
    marks = page.evaluate(f"() => {GD}.data.slice(1).map(t => (t.locations || t.text || []).join())")
    assert marks == ["E08000025", "E08000025", "Birmingham"]
    page.wait_for_function("() => [...document.querySelectorAll('#map-graph .trace.scattergeo text')]"
                           ".some(t => t.textContent === 'Birmingham')")
    card = page.inner_text(".map-details__card")
    assert "Birmingham" in card and "E08000025" in card and "95% CI" in card
    assert page.locator(".map-details__card a[href='/area/E08000025']").count() == 1
    share = page.input_value("#map-share-url")
    assert "area=E08000025" in share and "metric=mean_life_satisfaction" in share
    assert "area=E08000025" in page.url
    # the share link reproduces the view, highlight included
    page.goto(share)
    _wait_map(page)
    page.wait_for_selector(".map-details__card")
    assert "Birmingham" in page.inner_text(".map-details__card")
    _no_errors(page)


def test_no_value_reasons_in_legend_and_on_hover(live_server, page):
    page.goto(live_server + "/map?metric=mean_life_satisfaction&period=2022-23&geography=ltla")
    _wait_map(page)
    legend = page.inner_text("#map-legend")
    assert re.search(r"No value: \d+ areas", legend)
    assert "North Yorkshire: no honest combined value" in legend and "Richmondshire" in legend
    pt = _point_inside(page, "E06000065")
    page.mouse.move(pt["x"], pt["y"])
    page.wait_for_selector("#map-graph .hoverlayer .hovertext")
    hover = page.text_content("#map-graph .hoverlayer")
    assert "North Yorkshire" in hover and "Richmondshire" in hover


def test_phone_tap_shows_the_value_before_any_navigation(live_server, phone):
    phone.goto(live_server + "/map?metric=mean_life_satisfaction&period=2022-23&geography=ltla")
    _wait_map(phone)
    show_deferred(phone)
    phone.wait_for_selector("#map-table td")
    width = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways at 390 px: {width}"
    # the ranked table scrolls inside its own box
    inner = phone.evaluate("""() => [...document.querySelectorAll('.map-table-wrap, .map-table-wrap *')].some(e =>
        e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))""")
    assert inner, "the ranked table should scroll horizontally inside its container"
    code, pt = _largest_area(phone)
    phone.touchscreen.tap(pt["x"], pt["y"])
    phone.wait_for_selector(".map-details__card")
    assert phone.url.split("?")[0].endswith("/map"), "a tap must not navigate away"
    # on one column the card comes straight under the map, before the legend
    tops = phone.evaluate("() => ['#map-graph', '.map-details', '#map-legend'].map(s => "
                          "document.querySelector(s).getBoundingClientRect().top)")
    assert tops[0] < tops[1] < tops[2], tops
    card = phone.inner_text(".map-details__card")
    assert code in card and re.search(r"\d\.\d\d", card) and "95% CI" in card
    assert f"area={code}" in phone.input_value("#map-share-url")
    phone.locator(".map-details__card a", has_text="Open the profile").click()
    phone.wait_for_url(re.compile(rf"/area/{code}$"))
    assert not phone.errors, phone.errors


def test_tab_reaches_a_labelled_copy_button(live_server, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server + "/map?metric=mean_anxiety&period=2021-22")
    _wait_map(page)
    page.focus("#map-share-url")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.id, document.activeElement.tagName, "
                            "document.activeElement.innerText]")
    assert focused == ["map-share-copy", "BUTTON", "Copy link"], focused
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#map-share-status').innerText.startsWith('Link copied')")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.input_value("#map-share-url") and "metric=mean_anxiety" in copied
    _no_errors(page)


def test_repaint_recolours_the_same_figure(live_server, page):
    page.goto(live_server + "/map?metric=mean_life_satisfaction&period=2022-23&geography=ltla")
    _wait_map(page)
    page.wait_for_timeout(300)
    page.evaluate(f"() => {{ window.__gd = {GD}; window.__trace = window.__gd.data[0]; window.__layout = window.__gd.layout; }}")
    for kind, option, expect in (("map-period", "2019-20", "2019-20"), ("map-metric", "Average anxiety", "Anxiety")):
        before = page.evaluate(FILLS)
        _choose(page, kind, option)
        page.wait_for_function(f"() => document.querySelector('#map-legend').innerText.includes('{expect}')")
        page.wait_for_function("(b) => (" + FILLS + ")() !== b", arg=before)
        same = page.evaluate(f"() => [{GD} === window.__gd, window.__gd.data[0] === window.__trace, "
                             "window.__gd.layout === window.__layout]")
        assert same == [True, True, True], (kind, same)
    # hover texts and colours follow the new values
    text = page.evaluate("() => window.__gd.data[0].text.join(' ')")
    assert "Anxiety (mean) 2019-20" in text
    pt = _point_inside(page, "E08000025")
    page.mouse.move(pt["x"], pt["y"])
    page.wait_for_selector("#map-graph .hoverlayer .hovertext")
    assert "Anxiety (mean) 2019-20" in page.text_content("#map-graph .hoverlayer")
    legend_colours = page.evaluate("() => [...document.querySelectorAll('#map-legend .swatch')].map(s => "
                                   "getComputedStyle(s).backgroundColor)")
    fill = page.evaluate("""() => { const p = [...document.querySelectorAll('#map-graph g.choroplethlayer .trace:first-child path')]
        .find(x => x.__data__.loc === 'E08000025'); const c = document.createElement('i'); c.style.color = p.getAttribute('fill');
        document.body.appendChild(c); const v = getComputedStyle(c).color; c.remove(); return v; }""")
    assert fill in legend_colours
    # a new geography is a new figure
    _choose(page, "map-geography", "Regions and nations")
    page.wait_for_function(f"() => document.querySelectorAll('{PATHS}').length < 40")
    assert page.evaluate(f"() => {GD}.data[0] !== window.__trace")
    _no_errors(page)
