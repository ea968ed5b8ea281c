"""Read-only access to the build artefacts, loaded once per process.

The dashboard never parses a publisher's file: everything comes from data/build/.
`store()` is cached; `reset()` clears it (and the registered caches) after a rebuild.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from dashboard import config

_LOCK = threading.Lock()
_STORE: "DataStore | None" = None


@dataclass
class DataStore:
    build_dir: Path
    _frames: dict = field(default_factory=dict)

    def _read(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            path = self.build_dir / f"{name}.parquet"
            self._frames[name] = pd.read_parquet(path) if path.exists() else pd.DataFrame()
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


def store() -> DataStore:
    global _STORE
    with _LOCK:
        if _STORE is None:
            _STORE = DataStore(config.build_dir())
        return _STORE


def reset() -> None:
    global _STORE
    with _LOCK:
        _STORE = None
