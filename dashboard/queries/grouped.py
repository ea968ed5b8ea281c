"""Grouped summaries on integer keys (numpy only).

The read layer's per-build summaries (spreads, latest periods, one value per area) group about
200k rows by a few text columns. Done on the columns' integer codes (`build.Coded`) rather than on
the strings, they take milliseconds instead of most of a second at start-up.
"""
from __future__ import annotations

import numpy as np


class Keys:
    """Several code columns (each with codes -1 .. size-2) combined into one int64 key per row,
    and split back again."""

    def __init__(self, *columns):
        self.sizes = [len(c.values) + 1 for c in columns]  # +1: missing (-1) gets its own slot
        k = np.zeros(len(columns[0].codes), dtype=np.int64)
        for c, size in zip(columns, self.sizes):
            k = k * size + (c.codes + 1)
        self.key = k

    def split(self, keys: np.ndarray) -> list[np.ndarray]:
        """The code of each column for each of `keys`."""
        parts = []
        for size in reversed(self.sizes):
            keys, c = np.divmod(keys, size)
            parts.append(c - 1)
        return parts[::-1]


def first_rows(key: np.ndarray) -> np.ndarray:
    """Positions of the first row of each distinct key, in row order (what drop_duplicates keeps)."""
    _, first = np.unique(key, return_index=True)
    return np.sort(first)


def last_rows(key: np.ndarray) -> np.ndarray:
    """Position of the last row of each distinct key."""
    rev = len(key) - 1 - np.unique(key[::-1], return_index=True)[1]
    return np.sort(rev)


def spreads(key: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per distinct key: min, q25, median, q75, max and n of `values` (all finite).

    Quantiles are linear between order statistics, computed as pandas' grouped `quantile` does
    (value + (next - value) * fraction), so the figures equal pandas' to the bit.
    Returns (the distinct keys, {statistic: array aligned with them})."""
    order = np.lexsort((values, key))
    ks, vs = key[order], values[order]
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]]) if len(ks) else np.array([], np.int64)
    n = np.diff(np.r_[starts, len(ks)])
    out = {"min": vs[starts], "max": vs[starts + n - 1], "n": n}
    for name, q in (("q25", 0.25), ("median", 0.5), ("q75", 0.75)):
        pos = q * (n - 1)
        lo = pos.astype(np.int64)
        frac = pos % 1
        below = vs[starts + lo]
        above = vs[np.minimum(starts + lo + 1, starts + n - 1)]
        out[name] = np.where(frac == 0.0, below, below + (above - below) * frac)
    return ks[starts], out
