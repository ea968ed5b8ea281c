"""The current build and the one per-build cache.

`current()` returns the `Build` being served. The build's manifest is looked at every few
seconds; when `python -m etl build` has swapped in a new one (its fingerprint changed), a new
`Build` replaces the old one and every cached answer goes with it.

`per_build` memoises a query on the current `Build` (optionally as an LRU of `maxsize` entries),
so nothing keyed on a fingerprint, an `id()` or a file time is needed anywhere else. `warm()`
runs the registered warmers once, before gunicorn forks its workers.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import config

log = logging.getLogger("dashboard")
CHECK_EVERY = 5.0  # seconds between looks at the manifest for a rebuild
_LOCK = threading.Lock()
_CURRENT: "Build | None" = None
_WARMERS: list[Callable[[], None]] = []


def _as_objects(col: pd.Series) -> pd.Series:
    cats = np.asarray(col.cat.categories.astype(object), dtype=object)
    codes = col.cat.codes.to_numpy()
    out = np.empty(len(codes), dtype=object)  # missing entries stay None, as pandas would read them
    have = codes >= 0
    out[have] = cats[codes[have]]
    return pd.Series(out, index=col.index, name=col.name)


def read_frame(path: Path, codes: dict | None = None) -> pd.DataFrame:
    """A parquet file as pandas reads it with pyarrow strings off (object string columns), but
    several times faster: text columns repeat a few values (codes, periods, statuses), so they are
    read as dictionaries and expanded by index rather than converted one string at a time.
    With `codes`, each text column's dictionary encoding is kept there as `Coded`."""
    schema = pq.read_schema(path)
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    df = pq.read_table(path, read_dictionary=text).to_pandas()
    for c in text:
        if codes is not None:
            codes[c] = Coded(df[c].cat.codes.to_numpy(), np.asarray(df[c].cat.categories.astype(object), dtype=object))
        df[c] = _as_objects(df[c])
    return df


class Coded:
    """A text column as integer codes into its distinct values (-1 where missing): grouping and
    de-duplicating on these is many times faster than on the strings themselves."""

    def __init__(self, codes: np.ndarray, values: np.ndarray):
        self.codes = codes.astype(np.int64)
        self.values = values

    def where(self, test: Callable[[str], bool]) -> np.ndarray:
        """Row mask: the row's text passes `test` (missing never does)."""
        ok = np.array([bool(test(v)) for v in self.values] + [False], dtype=bool)
        return ok[self.codes]  # code -1 picks the trailing False


class Build:
    """One build directory: its manifest, its frames (read on first use) and its caches."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)
        path = self.dir / "manifest.json"
        try:
            self.manifest = json.loads(path.read_text())
            self.stamp = path.stat().st_mtime_ns
        except (OSError, ValueError):
            self.manifest, self.stamp = {}, 0
        self.fingerprint = str(self.manifest.get("fingerprint") or self.manifest.get("built_at") or "nobuild")
        self.checked = time.monotonic()
        self._frames: dict[str, pd.DataFrame] = {}
        self._codes: dict[str, dict[str, Coded]] = {}
        self._caches: dict[str, OrderedDict] = {}
        self._lock = threading.RLock()

    def frame(self, name: str) -> pd.DataFrame:
        """An artefact by file stem ('observations', 'mission_gap', ...); empty if absent. Callers
        must not modify it (it is shared by every request)."""
        got = self._frames.get(name)
        if got is None:
            with self._lock:
                got = self._frames.get(name)
                if got is None:
                    path = self.dir / f"{name}.parquet"
                    codes: dict[str, Coded] = {}
                    got = read_frame(path, codes) if path.exists() else pd.DataFrame()
                    self._codes[name] = codes
                    self._frames[name] = got
        return got

    def codes(self, name: str) -> dict[str, Coded]:
        """The text columns of `frame(name)` as integer codes (row for row)."""
        self.frame(name)
        return self._codes[name]

    def has(self, name: str) -> bool:
        return (self.dir / name).exists()

    def path(self, name: str) -> Path:
        return self.dir / name

    def cache(self, name: str) -> OrderedDict:
        c = self._caches.get(name)
        if c is None:
            with self._lock:
                c = self._caches.setdefault(name, OrderedDict())
        return c


def _manifest_stamp(directory: Path) -> int:
    try:
        return os.stat(directory / "manifest.json").st_mtime_ns
    except OSError:
        return 0


def current() -> Build:
    """The build being served (a new one once the manifest on disk has changed)."""
    global _CURRENT
    b = _CURRENT
    now = time.monotonic()
    if b is not None and now - b.checked <= CHECK_EVERY:
        return b
    with _LOCK:
        b = _CURRENT
        directory = config.build_dir()
        if b is not None and b.dir == directory:
            b.checked = now
            if _manifest_stamp(directory) == b.stamp:
                return b
        _CURRENT = Build(directory)
        return _CURRENT


def reset() -> None:
    """Forget the current build (tests that point the app at another build directory)."""
    global _CURRENT
    with _LOCK:
        _CURRENT = None


def fingerprint() -> str:
    return current().fingerprint


_MISSING = object()


def per_build(fn: Callable | None = None, *, maxsize: int | None = None):
    """Memoise `fn(*args)` on the current build. Arguments must be hashable. With `maxsize` the
    cache keeps the most recently used entries only. Concurrent first calls may both compute;
    the answers are equal, so the second simply replaces the first."""
    def deco(f):
        name = f"{f.__module__}.{f.__qualname__}"

        @functools.wraps(f)
        def wrapper(*args):
            cache = current().cache(name)
            hit = cache.get(args, _MISSING)
            if hit is not _MISSING:
                if maxsize:
                    try:
                        cache.move_to_end(args)
                    except KeyError:
                        pass
                return hit
            value = f(*args)
            cache[args] = value
            if maxsize and len(cache) > maxsize:
                try:
                    cache.popitem(last=False)
                except KeyError:
                    pass
            return value

        wrapper.uncached = f
        return wrapper

    return deco(fn) if fn is not None else deco


def warmer(fn: Callable[[], None]) -> Callable[[], None]:
    """Register a function that fills caches; `warm()` runs them all."""
    _WARMERS.append(fn)
    return fn


def warm() -> float:
    """Fill the registered caches now (before forking, or before serving). A failing warmer is
    logged and skipped: a cold cache is slower, never fatal. Returns the seconds taken."""
    t = time.perf_counter()
    for fn in list(_WARMERS):
        try:
            fn()
        except Exception:  # noqa: BLE001
            log.exception("warming %s failed", getattr(fn, "__qualname__", fn))
    return time.perf_counter() - t
