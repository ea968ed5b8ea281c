"""Browser fixtures shared by the journeys (`browser`, `page` and `live_server` are tests/conftest.py's)."""
from __future__ import annotations

import pytest

PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def phone(browser):
    """A fresh phone-sized touch page (390 x 844); page errors are collected in phone.errors."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    p = context.new_page()
    p.errors = []
    p.on("pageerror", lambda e: p.errors.append(f"pageerror: {e}"))
    p.set_default_timeout(30000)
    yield p
    context.close()
