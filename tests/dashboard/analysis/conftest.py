"""`synthetic`: point the app's queries at the small synthetic build for one test."""
from __future__ import annotations

import pytest

from tests.dashboard import synthetic as syn


def _build_switcher(tmp_path, monkeypatch, prefix: str, write):
    """Yields `use(...)`, which writes a fresh build with `write(folder, ...)` and points the app's
    queries at it; one such build is in place before the test, the query caches are reset after."""
    from dashboard.queries import build

    def use(*args, **kwargs):
        d = write(tmp_path / f"{prefix}{len(list(tmp_path.iterdir()))}", *args, **kwargs)
        monkeypatch.setenv("WELLBEING_BUILD_DIR", str(d))
        build.reset()
        return d

    use()
    yield use
    build.reset()


@pytest.fixture
def synthetic(tmp_path, monkeypatch):
    def write(folder, mission_ltla=None, **tables):
        return syn.write_build(folder, mission_ltla, tables)

    yield from _build_switcher(tmp_path, monkeypatch, "build", write)


@pytest.fixture
def profile_build(tmp_path, monkeypatch):
    """The synthetic build with the area profile's extras (counts, county and England-only values,
    an old latest value, a split ICB, a headline hole) and, when given, a worst-third ranking."""
    def write(folder, mission_ltla=None):
        d = syn.write_build(folder, mission_ltla)
        syn.write_profile_extras(d)
        return d

    yield from _build_switcher(tmp_path, monkeypatch, "pbuild", write)
