"""Local fixtures for the maturity tests (`live_server`, `page`, `pg_url` come from tests/conftest.py)."""
from __future__ import annotations

import uuid

import pytest

from dashboard.maturity import db


@pytest.fixture(scope="module")
def app():
    """The Dash app for page-callback tests (the maturity pages need no built data, unlike the
    `app` of tests/dashboard/conftest.py)."""
    from dashboard.app import create_app

    return create_app()


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'mm.sqlite'}"
    yield url
    db.dispose_all()


@pytest.fixture
def env_db(sqlite_url, monkeypatch):
    """A SQLite database the pages find through DATABASE_URL, as in production."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    return sqlite_url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A migrated database URL on each engine (PostgreSQL via the shared `pg_url` fixture)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'mm.sqlite'}"
    else:
        url = request.getfixturevalue("pg_url")
    db.migrate(url)
    yield url
    db.dispose_all()


@pytest.fixture
def fresh_pg_url(request):
    """An empty, throw-away PostgreSQL database on the `pg_url` server (for migration tests)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(request.getfixturevalue("pg_url"))
    name = f"mm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no CREATEDB right: nothing to test against
        admin.dispose()
        from tests.conftest import missing

        missing(f"a PostgreSQL role that may create scratch databases ({exc})")
    url = base.set(database=name).render_as_string(hide_password=False)
    yield url
    db.dispose_all()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
