"""What every source parser gets: the raw dir, the areas and the harmonisation rule."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from etl import geography


@dataclass
class Context:
    raw: Path
    areas: pd.DataFrame
    changes: pd.DataFrame
    weights: pd.Series
    extra_tables: dict = field(default_factory=dict)  # name -> DataFrame written as <name>.parquet
    # rows a parser left out on purpose, counted and named in the manifest (never dropped silently)
    dropped: list = field(default_factory=list)

    @classmethod
    def load(cls, raw: Path) -> "Context":
        changes = geography.code_changes(raw)
        return cls(raw=raw, areas=geography.build_areas(raw, changes), changes=changes,
                   weights=geography.populations(raw))

    @cached_property
    def successors(self) -> dict[str, str]:
        """Retired LTLA code -> current code (chains followed), computed once."""
        return geography.successor_map(self.changes)

    def path(self, rel: str) -> Path:
        return self.raw / rel

    def rel(self, path: Path) -> str:
        try:
            return str(Path(path).relative_to(self.raw))
        except ValueError:
            return str(path)

    @property
    def current_ltla(self) -> set[str]:
        a = self.areas
        return set(a.loc[(a["geography"] == "ltla") & a["active"], "code"])

    def codes(self, geography_name: str, active_only: bool = True) -> set[str]:
        a = self.areas[self.areas["geography"] == geography_name]
        if active_only:
            a = a[a["active"]]
        return set(a["code"])

    def harmonise(self, obs: pd.DataFrame, method: str = "weighted_mean") -> pd.DataFrame:
        """Apply the one LTLA harmonisation rule to the 'ltla' rows; other rows pass through."""
        is_ltla = obs["geography"] == "ltla"
        done = geography.harmonise_ltla(obs[is_ltla], self.changes, self.weights, self.current_ltla,
                                        method=method)
        return pd.concat([obs[~is_ltla], done], ignore_index=True)

    def drop(self, source_file: str, reason: str, keys) -> None:
        """Record rows left out of the build: `keys` are the codes (or labels) of those rows; the
        manifest lists the count and the first few distinct ones, per file and reason."""
        keys = [str(k) for k in keys]
        if keys:
            examples = list(dict.fromkeys(keys))[:10]
            self.dropped.append({"file": str(source_file), "reason": reason, "rows": len(keys),
                                 "examples": examples})

    def successor(self, code: str) -> str:
        return self.successors.get(code, code)
