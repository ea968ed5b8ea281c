"""End-to-end: area profile (journeys 1 and 2), compare, drivers, data pages in headless Chromium."""
from __future__ import annotations

import re

from tests.e2e.support import show_deferred

BAD = re.compile(r"Traceback|Internal Server Error|could not be drawn|Error loading layout", re.I)


def settle(page, extra_ms: int = 600):
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(extra_ms)


def assert_clean(page):
    body = page.inner_text("body")
    assert not BAD.search(body), BAD.search(body).group(0)
    assert not page.errors, page.errors


def test_journey_one_search_to_profile_and_download(live_server, page):
    page.goto(live_server + "/data")
    settle(page)
    # the search box of the not-found page doubles as the entry point
    response = page.goto(live_server + "/area/E99999999")
    settle(page)
    assert response.status == 404  # an unknown code is not found, and the page says so with a search box
    page.errors[:] = [e for e in page.errors if "status of 404" not in e]
    assert "We don't know the area code E99999999" in page.inner_text("body")
    page.locator(".search__dropdown").first.click()
    page.keyboard.type("Barking")
    page.wait_for_timeout(400)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/area/E09000002"), timeout=20000)
    settle(page, 1500)
    body = page.inner_text("body")
    assert "Barking and Dagenham" in body
    assert "Headline well-being measures" in body and "95% CI" in body
    assert "1,000 re-draws" in body and "truly in the worst third" in body
    assert "Supporting and context metrics" in body
    with page.expect_download() as dl:
        page.get_by_role("link", name=re.compile("Download this profile")).click()
    assert dl.value.suggested_filename.startswith("profile_E09000002")
    # comparator change updates the URL without a reload
    page.get_by_label("Nearest neighbours (similar areas)").check()
    page.wait_for_url(re.compile(r"comparator=neighbours"), timeout=20000)
    page.wait_for_function("() => (document.querySelector('#area-spine') || {innerText: ''}).innerText"
                           ".toLowerCase().includes('nearest neighbours')", timeout=30000)
    assert_clean(page)


def test_journey_two_county_district(live_server, page):
    page.goto(live_server + "/area/E07000105")
    settle(page, 1500)
    show_deferred(page)
    page.get_by_text("Show the data as a table").nth(1).click()
    body = page.inner_text("body")
    assert "Ashford" in body
    assert "County-level value (Kent), shared by all its districts" in body
    assert_clean(page)


def test_retired_code_and_other_geographies(live_server, page):
    page.goto(live_server + "/area/E08000016")
    settle(page)
    assert "Barnsley" in page.inner_text("body")
    for code in ("E10000016", "E12000007", "E92000001"):
        page.goto(live_server + f"/area/{code}")
        settle(page, 1000)
        assert "Headline well-being measures" in page.inner_text("body")
    assert_clean(page)


def test_compare_controls_write_url(live_server, page):
    page.goto(live_server + "/compare?area=E09000002&group=region&metric=mean_anxiety")
    page.wait_for_function("() => (document.querySelector('#cmp-content') || {innerText: ''}).innerText"
                           ".includes('Average anxiety')", timeout=30000)
    page.get_by_label("Same type of authority").check()
    page.wait_for_url(re.compile(r"group=la_type"), timeout=20000)
    page.wait_for_function("() => document.querySelector('#cmp-content').innerText.includes('London borough')",
                           timeout=30000)
    assert_clean(page)


def test_drivers_page(live_server, page):
    page.goto(live_server + "/drivers?area=E09000002&y=mean_anxiety")
    settle(page, 500)
    page.wait_for_function("() => (document.querySelector('#drv-scatter') || {innerText: ''}).innerText.includes('Pearson r')",
                           timeout=30000)
    page.wait_for_function("() => (document.querySelector('#drv-diff') || {innerText: ''}).innerText.includes('Worst third in')",
                           timeout=30000)
    assert re.search(r"area=E09000002", page.url)
    assert_clean(page)


def test_data_page_and_downloads(live_server, page):
    page.goto(live_server + "/data")
    settle(page)
    body = page.inner_text("body")
    for s in ("Downloads", "Data freshness", "Catalogue", "Methods", "Accessibility statement"):
        assert s in body
    with page.expect_download() as dl:
        page.get_by_role("link", name="All observations, Parquet").click()
    assert dl.value.suggested_filename.endswith(".parquet")
    assert_clean(page)
