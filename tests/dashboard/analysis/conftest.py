"""`synthetic`: point the app's queries at the small synthetic build for one test."""
from __future__ import annotations

import pytest

from tests.dashboard import synthetic as syn


@pytest.fixture
def synthetic(tmp_path, monkeypatch):
    from dashboard.queries import build

    def use(mission_ltla=None, **tables):
        d = syn.write_build(tmp_path / f"build{len(list(tmp_path.iterdir()))}", mission_ltla, tables)
        monkeypatch.setenv("WELLBEING_BUILD_DIR", str(d))
        build.reset()
        return d

    use()
    yield use
    build.reset()


@pytest.fixture
def profile_build(tmp_path, monkeypatch):
    """The synthetic build with the area profile's extras (counts, county and England-only values,
    an old latest value, a split ICB, a headline hole) and, when given, a worst-third ranking."""
    from dashboard.queries import build

    def use(mission_ltla=None):
        d = syn.write_build(tmp_path / f"pbuild{len(list(tmp_path.iterdir()))}", mission_ltla)
        syn.write_profile_extras(d)
        monkeypatch.setenv("WELLBEING_BUILD_DIR", str(d))
        build.reset()
        return d

    use()
    yield use
    build.reset()
