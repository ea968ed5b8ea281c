"""The app and a Flask test client, built once per test module on the real build."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def app(build_dir):
    from dashboard.app import create_app
    from dashboard.queries import build

    build.reset()
    return create_app()


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()
