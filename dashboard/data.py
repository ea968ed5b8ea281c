"""Read-only access to the build artefacts, loaded once per process.

The dashboard never parses a publisher's file: everything comes from data/build/.
`store()` is cached; `reset()` clears it (and the registered caches) after a rebuild.
"""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import config

_LOCK = threading.Lock()
_STORE: "DataStore | None" = None
_RESET_HOOKS: list = []
_CHECK_EVERY = 5.0  # seconds between checks of the build's manifest for a rebuild


def _as_objects(col: pd.Series) -> pd.Series:
    cats = np.asarray(col.cat.categories.astype(object), dtype=object)
    codes = col.cat.codes.to_numpy()
    out = np.empty(len(codes), dtype=object)  # missing entries stay None, as pandas would read them
    have = codes >= 0
    out[have] = cats[codes[have]]
    return pd.Series(out, index=col.index, name=col.name)


def read_frame(path: Path) -> pd.DataFrame:
    """The parquet file as pandas reads it with pyarrow strings turned off (plain object string
    columns; see dashboard/__init__.py), but several times faster: the text columns repeat a few
    values (codes, periods, statuses), so they are read as dictionaries and expanded by index
    instead of converting every string one at a time."""
    schema = pq.read_schema(path)
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    df = pq.read_table(path, read_dictionary=text).to_pandas()
    for c in text:
        df[c] = _as_objects(df[c])
    return df


@dataclass
class DataStore:
    build_dir: Path
    _frames: dict = field(default_factory=dict)
    _stamp: float = 0.0
    _checked: float = 0.0

    def _read(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            path = self.build_dir / f"{name}.parquet"
            self._frames[name] = read_frame(path) if path.exists() else pd.DataFrame()
        return self._frames[name]

    @cached_property
    def manifest(self) -> dict:
        path = self.build_dir / "manifest.json"
        return json.loads(path.read_text()) if path.exists() else {}

    @property
    def areas(self) -> pd.DataFrame:
        return self._read("areas")

    @property
    def metrics(self) -> pd.DataFrame:
        return self._read("metrics")

    @property
    def observations(self) -> pd.DataFrame:
        return self._read("observations")

    @property
    def la_view(self) -> pd.DataFrame:
        return self._read("la_view")

    def frame(self, name: str) -> pd.DataFrame:
        """Any other artefact by file stem, e.g. 'mission_gap'."""
        return self._read(name)

    def ltla_choices(self) -> list[dict]:
        """Dropdown options for current lower-tier local authorities, sorted by name."""
        a = self.areas
        if a.empty:
            return []
        a = a[(a["geography"] == "ltla") & (a["active"])].sort_values("name")
        return [{"label": f"{n} ({c})", "value": c} for c, n in zip(a["code"], a["name"])]


def _manifest_stamp(build_dir: Path) -> float:
    try:
        return os.stat(build_dir / "manifest.json").st_mtime
    except OSError:
        return 0.0


def store() -> DataStore:
    """The process-wide data store. Data are read once; if a new build has been swapped in
    (manifest changed), the store and every registered cache are dropped and reloaded."""
    global _STORE
    with _LOCK:
        now = time.monotonic()
        if _STORE is not None and now - _STORE._checked > _CHECK_EVERY:
            _STORE._checked = now
            if _manifest_stamp(_STORE.build_dir) != _STORE._stamp:
                _reset_locked()
        if _STORE is None:
            bd = config.build_dir()
            _STORE = DataStore(bd)
            _STORE._stamp = _manifest_stamp(bd)
            _STORE._checked = now
        return _STORE


def on_reset(fn) -> None:
    """Register a cache-clearing function (e.g. an lru_cache's cache_clear) to run after a rebuild."""
    _RESET_HOOKS.append(fn)


def _reset_locked() -> None:
    global _STORE
    _STORE = None
    for fn in _RESET_HOOKS:
        try:
            fn()
        except Exception:  # noqa: BLE001
            pass


def reset() -> None:
    with _LOCK:
        _reset_locked()
