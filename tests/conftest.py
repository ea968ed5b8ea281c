"""Shared fixtures: the real build, a live app server, a headless Chromium page, PostgreSQL.

Under CI=true a missing browser or database server is a failure, never a skip.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
BUILD = ROOT / "data" / "build"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Tests never touch a user's data: a DATABASE_URL or REDIS_URL set for production in this shell
# is removed before anything is imported, and the app under test gets a throw-away SQLite file
# unless a test points it elsewhere. PostgreSQL and Redis come only from TEST_DATABASE_URL and
# TEST_REDIS_URL.
for _name in ("DATABASE_URL", "REDIS_URL"):
    os.environ.pop(_name, None)
_SCRATCH = Path(tempfile.mkdtemp(prefix="wellbeing-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_SCRATCH / 'app-under-test.sqlite'}"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def missing(what: str):
    """Fail loudly in CI, skip on a developer machine."""
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available", pytrace=False)
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def build_dir() -> Path:
    """The real build from the bundled data (built once if missing or stale)."""
    from etl.build import build

    build(RAW, BUILD, log=lambda *a: None)
    return BUILD


@pytest.fixture(scope="session")
def ctx():
    from etl.context import Context

    return Context.load(RAW)


@pytest.fixture(scope="session")
def live_server(build_dir, tmp_path_factory):
    """The whole app served by `python -m dashboard` in a subprocess; yields its base URL."""
    from tests.helpers import app_server

    db = tmp_path_factory.mktemp("db") / "assessments.sqlite"
    env = {"DATABASE_URL": f"sqlite:///{db}", "WELLBEING_BUILD_DIR": str(build_dir)}
    with app_server(env, tmp_path_factory.mktemp("log") / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        missing("Debian's chromium (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package")
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture()
def page(browser):
    """A fresh page; console errors and page errors are collected in page.errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    p = context.new_page()
    p.errors = []
    p.on("console", lambda m: p.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    p.on("pageerror", lambda e: p.errors.append(f"pageerror: {e}"))
    p.set_default_timeout(30000)
    yield p
    context.close()


@pytest.fixture(scope="session")
def pg_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        missing("PostgreSQL (TEST_DATABASE_URL)")
    try:
        import sqlalchemy as sa

        eng = sa.create_engine(url)
        with eng.connect() as c:
            c.execute(sa.text("select 1"))
        eng.dispose()
    except Exception as exc:  # noqa: BLE001
        if IN_CI:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return url
