"""The store's fast parquet reader gives exactly what pandas would read (object string columns,
None for missing text) on every real build artefact and on awkward small files."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dashboard  # noqa: F401 - sets the pandas string option the app runs with
from dashboard.queries.build import read_frame


def test_identical_to_pandas_on_every_build_artefact(build_dir):
    files = sorted(build_dir.glob("*.parquet"))
    assert len(files) >= 8
    for path in files:
        want = pd.read_parquet(path)
        got = read_frame(path)
        pd.testing.assert_frame_equal(got, want, check_exact=True, obj=path.name)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"code": ["A", None, "B", "A"], "value": [1.0, np.nan, 2.0, 3.0], "flag": [True, False, True, True]}),
    pd.DataFrame({"code": pd.Series([], dtype=object), "value": pd.Series([], dtype=float)}),
    pd.DataFrame({"note": [None, None], "n": [1, 2]}),
    pd.DataFrame({"text": ["é", "ü—x"], "when": pd.to_datetime(["2020-01-01", "2021-06-30"])}),
])
def test_identical_to_pandas_on_edge_cases(tmp_path, frame):
    path = tmp_path / "f.parquet"
    frame.to_parquet(path, index=False)
    pd.testing.assert_frame_equal(read_frame(path), pd.read_parquet(path), check_exact=True)


def test_per_build_cache_is_dropped_when_a_new_build_is_swapped_in(tmp_path, monkeypatch):
    import json
    import os
    import time

    from dashboard.queries import build

    out = tmp_path / "build"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"fingerprint": "one"}))
    pd.DataFrame({"metric_id": ["m"], "value": [1.0]}).to_parquet(out / "observations.parquet")
    monkeypatch.setenv("WELLBEING_BUILD_DIR", str(out))
    build.reset()
    calls = []

    @build.per_build
    def total():
        calls.append(1)
        return float(build.current().frame("observations")["value"].sum())

    assert total() == 1.0 and total() == 1.0 and len(calls) == 1
    # a rebuild: new files and a new manifest; after the check interval the next call recomputes
    pd.DataFrame({"metric_id": ["m"], "value": [5.0]}).to_parquet(out / "observations.parquet")
    (out / "manifest.json").write_text(json.dumps({"fingerprint": "two"}))
    os.utime(out / "manifest.json", ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    monkeypatch.setattr(build, "CHECK_EVERY", 0.0)
    assert total() == 5.0 and len(calls) == 2 and build.fingerprint() == "two"
    build.reset()


def test_per_build_lru_keeps_the_most_recent(tmp_path, monkeypatch):
    from dashboard.queries import build

    monkeypatch.setenv("WELLBEING_BUILD_DIR", str(tmp_path))
    build.reset()

    @build.per_build(maxsize=2)
    def square(x):
        return x * x

    for x in (1, 2, 3):
        square(x)
    cache = build.current().cache(f"{square.__module__}.{square.__qualname__}")
    assert list(cache) == [(2,), (3,)]
    build.reset()
