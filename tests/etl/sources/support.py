"""Helpers for the source-parser tests: row lookups and editable copies of data/raw."""
from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import pandas as pd

from etl.context import Context

RAW = Path(__file__).resolve().parents[3] / "data" / "raw"


@lru_cache(maxsize=1)
def load_ctx() -> Context:
    return Context.load(RAW)


def ctx_on(raw: Path, base: Context) -> Context:
    """The same areas and harmonisation rule as `base`, reading publisher files from `raw`."""
    return Context(raw=raw, areas=base.areas, changes=base.changes, weights=base.weights)


def obs_row(obs, metric, code, period, geography=None):
    """The single observation for metric/area/period (optionally geography)."""
    m = (obs["metric_id"] == metric) & (obs["area_code"] == code) & (obs["period"] == period)
    if geography:
        m &= obs["geography"] == geography
    rows = obs[m]
    assert len(rows) == 1, (metric, code, period, len(rows))
    return rows.iloc[0]


def one(df, code, period):
    """The single row of a one-metric frame for area/period."""
    r = df[(df["area_code"] == code) & (df["period"] == period)]
    assert len(r) == 1, (code, period, len(r))
    return r.iloc[0]


def english_ltla(ctx):
    return {c for c in ctx.current_ltla if c.startswith("E")}


def latest_coverage(ctx, obs, metric, period):
    """English LTLAs with an 'ok' value in `period`, after the app's inheritance
    (ltla native, else its utla's value)."""
    rows = obs[(obs["metric_id"] == metric) & (obs["period"] == period) & (obs["status"] == "ok")]
    ltla_ok = set(rows.loc[rows["geography"] == "ltla", "area_code"])
    utla_ok = set(rows.loc[rows["geography"] == "utla", "area_code"])
    a = ctx.areas[(ctx.areas["geography"] == "ltla") & ctx.areas["active"] & ctx.areas["code"].str.startswith("E")]
    return {c for c, u in zip(a["code"], a["utla_code"]) if c in ltla_ok or u in utla_ok}


def copy_raw(tmp_path: Path, rels: list[str]) -> Path:
    """A raw dir in tmp_path with symlinks to everything and real copies of `rels` (editable)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for child in RAW.iterdir():
        if child.is_dir():
            (raw / child.name).mkdir()
            for f in child.rglob("*"):
                target = raw / child.name / f.relative_to(child)
                if f.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                elif str(f.relative_to(RAW)) in rels:
                    shutil.copy(f, target)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.symlink_to(f)
    return raw


def raw_with_cell(tmp_path: Path, rel: str, row: int, column: str, value: str, encoding: str | None = None) -> Path:
    """A raw dir (see `copy_raw`) in which one cell of the CSV `rel`, read as text, holds `value`."""
    raw = copy_raw(tmp_path, [rel])
    df = pd.read_csv(raw / rel, dtype=str, keep_default_na=False, encoding=encoding)
    df.loc[row, column] = value
    df.to_csv(raw / rel, index=False)
    return raw
