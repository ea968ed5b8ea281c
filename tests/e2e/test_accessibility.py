"""Accessibility checked, not asserted: axe-core (WCAG 2.0/2.1/2.2 A and AA rules) in real
Chromium over every route, including the maturity pages and report, an area profile and a bad
URL, on a desktop and a phone viewport. No serious or critical violation is allowed; every
remaining moderate or minor one must be named, with its reason, in the accessibility statement."""
from __future__ import annotations

import pytest

from tests.e2e.support import create_assessment, join_assessment, show_deferred

T = 20_000
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
ROUTES = ["/", "/map", "/map?metric=no2_zone_max_annual_mean&geography=aq_zone&classes=benchmark",
          "/area/E08000025", "/area/E07000105", "/area/E10000016", "/area/W06000015", "/area/E07000027",
          "/compare?area=E08000025&group=neighbours", "/drivers", "/data", "/maturity", "/no-such-page",
          "/area/NOT-A-CODE"]
MATURITY = ["maturity-facilitator", "maturity-join", "maturity-participant", "maturity-report"]
PHONE = {"/", "/map", "/area/E08000025", "/compare?area=E08000025&group=neighbours", "/data",
         "maturity-participant", "maturity-report"}
VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:  # the suite's requirements include it: a missing package is a failure
        pytest.fail("axe-playwright-python is not installed", pytrace=False)
    return Axe()


@pytest.fixture(scope="module")
def maturity_paths(live_server, browser):
    """A real assessment created through the pages: its facilitator, participant and report pages."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_default_timeout(T)
    page.goto(live_server + "/maturity")
    fac, join = create_assessment(page, "Axeshire", "Wellbeing Strategy", "Fay", timeout=T)
    join_assessment(page, live_server + join, "Ann", timeout=T)
    participant = page.url.replace(live_server, "")
    ctx.close()
    return {"maturity-facilitator": fac, "maturity-join": join, "maturity-participant": participant,
            "maturity-report": fac.replace("/maturity/f/", "/maturity/r/")}


def _settle(page):
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=T)
    show_deferred(page, T)  # the charts and tables drawn when scrolled to are checked too
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


@pytest.fixture(scope="module")
def statement(live_server, browser) -> str:
    """The accessibility statement's text (where remaining moderate findings must be named)."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(live_server + "/data#accessibility")
    _settle(page)
    text = page.locator("#accessibility").locator("xpath=..").inner_text()
    ctx.close()
    return text


CASES = [(v, r) for v in VIEWPORTS for r in ROUTES + MATURITY if v == "desktop" or r in PHONE]


@pytest.mark.parametrize("viewport,route", CASES)
def test_no_serious_or_critical_violations_and_the_rest_are_declared(live_server, browser, axe, maturity_paths,
                                                                      statement, viewport, route):
    path = maturity_paths.get(route, route)
    w, h = VIEWPORTS[viewport]
    ctx = browser.new_context(viewport={"width": w, "height": h})
    page = ctx.new_page()
    page.set_default_timeout(T)
    page.goto(live_server + path)
    _settle(page)
    res = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
    ctx.close()
    serious, other = [], set()
    for v in res.response["violations"]:
        if v["impact"] in ("serious", "critical"):
            nodes = [n["target"] for n in v["nodes"]][:3]
            serious.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes) {nodes}: {v['help']}")
        else:
            other.add(v["id"])
    assert not serious, "\n".join(serious)
    undeclared = sorted(rule for rule in other if rule not in statement)
    assert not undeclared, f"moderate/minor axe findings not named in the accessibility statement: {undeclared}"


def test_html_has_a_language_and_the_map_copy_button_is_reachable(live_server, page):
    page.goto(live_server + "/map")
    _settle(page)
    assert page.evaluate("document.documentElement.lang") == "en"
    seen = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("(() => { const a = document.activeElement; return a && a.closest('.map-share') && "
                               "a.tagName === 'BUTTON' && /copy/i.test(a.textContent + (a.getAttribute('aria-label') "
                               "|| '')) ? 'share' : (a ? a.tagName : ''); })()"))
        if "share" in seen:
            break
    assert "share" in seen, "the map's copy-link control is not reachable with the keyboard"
