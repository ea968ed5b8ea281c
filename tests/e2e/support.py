"""Steps the browser journeys share: creating and joining a maturity assessment through its pages."""
from __future__ import annotations

from playwright.sync_api import expect


def create_assessment(page, organisation: str, strategy: str, facilitator: str, timeout: float) -> tuple[str, str]:
    """Fill in and submit the form of /maturity (already open in `page`); returns the new
    assessment's facilitator and joining paths as the confirmation links them."""
    page.get_by_label("Organisation or area name").fill(organisation)
    page.get_by_label("Strategy or policy name").fill(strategy)
    page.get_by_label("Facilitator name").fill(facilitator)
    page.get_by_role("button", name="Create assessment").click()
    fac_path = page.locator("#mm-created-facilitator").get_attribute("href", timeout=timeout)
    join_path = page.locator("#mm-created-join").get_attribute("href")
    return fac_path, join_path


def join_assessment(page, join_url: str, name: str, timeout: float) -> None:
    """Join through the joining link as `name`; waits for that participant's rating form."""
    page.goto(join_url)
    page.get_by_label("Your name or initials").fill(name)
    page.get_by_role("button", name="Join assessment").click()
    expect(page.locator("h1")).to_have_text(f"Your ratings, {name}", timeout=timeout)


def show_deferred(page, timeout: float = 60000) -> None:
    """Scroll each chart or table drawn only when seen (a "deferred" box) into view, in turn, and
    wait until none is still waiting: what a reader scrolling down the page gets."""
    boxes = page.locator("[data-seen-store]")
    for i in range(boxes.count()):
        boxes.nth(i).scroll_into_view_if_needed(timeout=timeout)
        page.wait_for_function("(el) => !el.querySelector('.deferred-wait')", arg=boxes.nth(i).element_handle(),
                               timeout=timeout)
    page.evaluate("window.scrollTo(0, 0)")
