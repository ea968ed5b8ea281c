"""Source parsers, discovered automatically: every module in this package is one source, except
those starting with "_" (helpers the sources share: _els, _lait, _counts; sources never import
one another).

Each module defines:

    INPUTS: list[str]          files (relative to the raw dir) it reads; hashed in the manifest.
                                A trailing '?' marks an optional file (used when present).
    parse(ctx) -> DataFrame    rows in the observations contract (etl.schema.OBS_COLUMNS;
                                `etl.schema.finalise` fills optional columns), LTLA rows already
                                harmonised with ctx.harmonise(...).

Optionally:
    ORDER: int                 run order (default 50); extend_areas hooks run first anyway.
    extend_areas(ctx) -> None  add area rows / parent columns to ctx.areas (e.g. air-quality
                                zones and the LTLA -> zone lookup) before any parse() runs.
    FETCH: list[dict]          one small dict per file that `python -m etl fetch` brings in: how
                                its latest release is discovered ("kind" and its keys, see
                                etl.fetch_discover), "dest" (relative to the raw dir; may hold
                                "{filename}"), optional "header" (CSV columns it must have),
                                "fallback" and "note". An empty list means "not fetched
                                automatically"; the folder's SOURCE.md says why.
    Tables placed in ctx.extra_tables[name] are written as <name>.parquet in the build.
"""
import os
import pkgutil
from importlib import import_module


def load_all():
    """All source modules in run order. ETL_SOURCES=a,b limits the set (tests, development)."""
    only = [s for s in os.environ.get("ETL_SOURCES", "").split(",") if s]
    mods = [import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)
            if not m.name.startswith("_") and (not only or m.name in only)]
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))
