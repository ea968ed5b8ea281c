"""The store's fast parquet reader gives exactly what pandas would read (object string columns,
None for missing text) on every real build artefact and on awkward small files."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dashboard  # noqa: F401 - sets the pandas string option the app runs with
from dashboard.data import read_frame


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
