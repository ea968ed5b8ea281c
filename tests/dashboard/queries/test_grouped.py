"""The numpy grouped summaries give exactly what pandas gives on the same rows."""
import numpy as np
import pandas as pd
import pytest

from dashboard.queries import grouped
from dashboard.queries.build import Coded


def _coded(values: list) -> Coded:
    cat = pd.Categorical(values)
    return Coded(np.asarray(cat.codes), np.asarray(cat.categories, dtype=object))


@pytest.fixture()
def frame():
    rng = np.random.default_rng(7)
    n = 3000
    df = pd.DataFrame({"metric": rng.choice(["a", "b", "c", "d"], n), "period": rng.choice(["2019", "2020", "2021"], n),
                       "area": rng.choice([f"E{i:02d}" for i in range(40)] + [None], n),
                       # ties and single-value groups on purpose
                       "value": np.round(rng.normal(10, 3, n), 1)})
    df.loc[df.sample(50, random_state=1).index, "metric"] = "lonely"
    df.loc[df["metric"] == "lonely", "period"] = "2019"
    return df


def test_keys_split_back_to_the_codes(frame):
    cols = [_coded(frame[c].tolist()) for c in ("metric", "period", "area")]
    keys = grouped.Keys(*cols)
    for c, back in zip(cols, keys.split(keys.key)):
        assert np.array_equal(back, c.codes)


def test_first_rows_are_what_drop_duplicates_keeps(frame):
    keys = grouped.Keys(_coded(frame["metric"].tolist()), _coded(frame["area"].tolist()))
    expected = frame.drop_duplicates(["metric", "area"]).index.to_numpy()
    assert np.array_equal(grouped.first_rows(keys.key), expected)


def test_last_rows_are_what_tail_keeps(frame):
    keys = grouped.Keys(_coded(frame["metric"].tolist()))
    expected = np.sort(frame.groupby("metric").tail(1).index.to_numpy())
    assert np.array_equal(grouped.last_rows(keys.key), expected)


def test_spreads_equal_pandas_to_the_bit(frame):
    cols = [_coded(frame[c].tolist()) for c in ("metric", "period")]
    keys = grouped.Keys(*cols)
    ks, st = grouped.spreads(keys.key, frame["value"].to_numpy())
    g = frame.groupby(["metric", "period"])["value"]
    q = g.quantile([0.25, 0.5, 0.75]).unstack()
    m, p = keys.split(ks)
    assert len(ks) == g.ngroups
    for i, (mi, pi) in enumerate(zip(m, p)):
        k = (cols[0].values[mi], cols[1].values[pi])
        assert st["n"][i] == g.size()[k]
        assert st["min"][i] == g.min()[k] and st["max"][i] == g.max()[k]
        assert st["q25"][i] == q.loc[k, 0.25] and st["median"][i] == q.loc[k, 0.5] and st["q75"][i] == q.loc[k, 0.75]


def test_spreads_of_nothing_is_empty():
    ks, st = grouped.spreads(np.array([], np.int64), np.array([], float))
    assert len(ks) == 0 and all(len(v) == 0 for v in st.values())


def test_coded_where_never_matches_a_missing_value():
    c = _coded(["E1", None, "W2", "E3"])
    assert c.where(lambda s: s.startswith("E")).tolist() == [True, False, False, True]
