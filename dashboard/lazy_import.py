"""A module imported on its first use rather than when the app starts.

The maturity self-assessment's persistence layer pulls in SQLAlchemy, about a third of a second of
imports that no page but the maturity pages needs; its pages name it through `lazy(...)`, so the
app starts (and every other page answers) without waiting for it. The import itself goes through
`importlib`, whose module locks make a first use from several threads at once safe.
"""
from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return self._module

    def __getattr__(self, attr: str):
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def lazy(name: str) -> LazyModule:
    return LazyModule(name)
