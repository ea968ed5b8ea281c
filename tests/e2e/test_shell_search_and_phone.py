"""End-to-end, in headless Chromium: the header search finds every kind of area and navigates at
once, dropdowns with a value still filter, the phone header is compact and keyboard-operable, and
no page is wider than a phone."""
from __future__ import annotations

import re

import pytest

ROUTES = ["/", "/map", "/compare?area=E08000025&group=region", "/compare?areas=E08000025,E09000002", "/drivers",
          "/data", "/maturity", "/area/E08000025", "/area/E47000001", "/nope"]


def settle(page, extra_ms: int = 600):
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(extra_ms)


def header_search(page, typed: str):
    page.locator("#area-search-header .search__dropdown").click()
    page.keyboard.type(typed, delay=40)
    first = typed.split()[0].lower()
    typed_box = "(document.querySelector('input.dash-dropdown-search') || {value: null}).value"
    page.wait_for_function(
        "t => [...document.querySelectorAll('.dash-dropdown-option')].some(o => o.innerText.toLowerCase().includes(t))",
        arg=first, timeout=60000)
    assert page.evaluate(typed_box) == typed  # no letter lost on the way into the menu's search field
    page.wait_for_load_state("networkidle")  # the last typed letter's matches have arrived
    return page.locator(".dash-dropdown-option").all_inner_texts()


@pytest.mark.parametrize("typed, label, code", [
    ("Harrogate", "Harrogate (former council, now part of North Yorkshire)", "E07000165"),
    ("Kent and Medway", "NHS Kent and Medway Integrated Care Board (Integrated care board)", "E54000032"),
    ("Greater Manchester", "Greater Manchester (Combined authority)", "E47000001"),
    ("Yorkshire and The Humber", "Yorkshire and The Humber (Region)", "E12000003"),
])
def test_header_search_finds_every_kind_of_area_and_navigates(live_server, page, typed, label, code):
    page.goto(live_server + "/data")
    settle(page)
    options = header_search(page, typed)
    assert label in options, options
    page.get_by_role("option", name=label).click()
    page.wait_for_url(re.compile(f"/area/{code}$"), timeout=60000)
    settle(page, 800)
    # the box is empty again, ready for the next search
    assert "Find an area" in page.locator("#area-search-header").inner_text()
    assert not page.errors, page.errors


def test_combined_authority_page_lists_its_councils(live_server, page):
    page.goto(live_server + "/area/E47000001")
    settle(page, 1500)
    body = page.inner_text("body")
    assert "Greater Manchester" in body and "Local authorities in Greater Manchester (10)" in body
    page.goto(live_server + "/area/E08000003")  # Manchester names its combined authority
    settle(page, 1500)
    assert page.get_by_role("link", name="Greater Manchester", exact=True).count() >= 1


def test_typing_on_after_the_menu_shrinks_keeps_it_open(live_server, page):
    # "north " -> "north e": Dash 4 used to fail (TypeError) on shrinking lists of component labels
    page.goto(live_server + "/data")
    settle(page)
    header_search(page, "North ")
    page.keyboard.type("East", delay=60)
    page.wait_for_timeout(1200)
    assert page.locator("input.dash-dropdown-search").input_value() == "North East"
    assert "North East (Region)" in page.locator(".dash-dropdown-option").all_inner_texts()
    assert not page.errors, page.errors


def test_keys_typed_on_the_box_of_an_open_menu_go_to_its_search_field(live_server, page):
    """Dash leaves the focus on the box until the menu has options; a key pressed there used to
    be lost when the focus moved to the search field between its keydown and keyup."""
    page.goto(live_server + "/data")
    settle(page)
    page.locator("#area-search-header .search__dropdown").click()
    page.wait_for_selector("input.dash-dropdown-search")
    page.evaluate("document.querySelector('#area-search-header button.dash-dropdown').focus()")
    page.keyboard.down("K")
    assert page.evaluate("document.activeElement.className") == "dash-dropdown-search"
    page.keyboard.up("K")
    page.keyboard.type("ent", delay=40)
    assert page.locator("input.dash-dropdown-search").input_value() == "Kent"
    page.wait_for_function("() => [...document.querySelectorAll('.dash-dropdown-option')].some(o => o.innerText === 'Kent (County)')",
                           timeout=60000)


def test_new_page_loading_state_shows_at_once(live_server, page):
    page.goto(live_server + "/data")
    settle(page)
    header_search(page, "Birmingham")
    # watch the old page: how long after the choice is it replaced by the loading state?
    page.evaluate("""() => {
        window.__gone = null; const t0 = performance.now(); window.__t0 = t0;
        const h1 = [...document.querySelectorAll('h1')].find(h => h.innerText.includes('Data and methods'));
        const tick = () => {
            const pc = document.getElementById('_pages_content');
            const hidden = !h1.isConnected || h1.offsetParent === null;
            if (hidden) { window.__gone = performance.now() - t0;
                          window.__loading = getComputedStyle(pc, '::before').content; return; }
            if (performance.now() - t0 < 10000) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    }""")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__gone !== null", timeout=15000)
    gone = page.evaluate("window.__gone")
    # the server's page takes a second or more; the browser-side switch a few frames
    assert gone < 800, f"the old page stayed {gone:.0f} ms after the choice"
    assert page.evaluate("location.pathname") == "/area/E08000025"
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('Birmingham')",
                           timeout=60000)


def test_a_dropdown_with_a_value_filters_when_typing(live_server, page):
    page.goto(live_server + "/compare?area=E09000002&group=region")
    settle(page, 1000)
    page.locator("#cmp-area").click()
    page.wait_for_timeout(300)
    page.keyboard.type("Leeds", delay=60)
    page.wait_for_timeout(500)
    assert page.locator(".dash-dropdown-option").all_inner_texts() == ["Leeds (E08000035)"]
    page.keyboard.press("Escape")
    page.locator("#cmp-metric").click()
    page.wait_for_timeout(300)
    page.keyboard.type("anxiety", delay=60)
    page.wait_for_timeout(500)
    opts = page.locator(".dash-dropdown-option").all_inner_texts()
    assert opts and all("anxiety" in o.lower() for o in opts), opts


def test_phone_header_is_compact_and_its_menu_works_by_keyboard(live_server, phone):
    phone.goto(live_server + "/drivers")
    settle(phone)
    header = phone.locator(".app-header").bounding_box()
    assert header["height"] <= 0.17 * phone.viewport_size["height"], header  # most of the first screen is the page
    nav = phone.get_by_role("navigation", name="Main")
    assert not nav.get_by_role("link", name="Map").is_visible()
    button = phone.get_by_role("button", name="Menu")
    assert button.get_attribute("aria-expanded") == "false"
    button.focus()
    phone.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="Data and methods").is_visible()
    phone.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert phone.evaluate("document.activeElement.id") == "app-menu-toggle"
    phone.keyboard.press("Enter")
    nav.get_by_role("link", name="Data and methods").click()
    phone.wait_for_url(re.compile(r"/data$"))
    assert button.get_attribute("aria-expanded") == "false"  # following a link folds the menu
    # the search keeps one line and keeps its label for screen readers
    box = phone.locator("#area-search-header .search__dropdown").bounding_box()
    assert box["height"] <= 48
    assert phone.get_by_label("Find an area").count() == 1


def test_no_page_is_wider_than_a_phone(live_server, phone):
    wide = {}
    for route in ROUTES:
        phone.goto(live_server + route)
        settle(phone, 1500)
        phone.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        phone.wait_for_timeout(500)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > phone.viewport_size["width"]:
            wide[route] = width
    assert not wide, wide
    assert not phone.errors, phone.errors
