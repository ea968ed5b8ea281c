"""`python -m etl build`: raw -> validated tidy tables -> data/build, atomically.

The build writes everything into a temporary sibling directory and swaps it in only when every
step succeeded, so a bad input leaves the previous good build untouched (and a running app
keeps serving it). When the inputs and the ETL code are unchanged (manifest fingerprint), the
build is skipped.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from etl import boundaries, catalogue, la_view, manifest, mission, sources
from etl.context import Context
from etl.errors import InputError
from etl.schema import OBS_COLUMNS, finalise, validate_observations

ARTEFACTS = ["observations.parquet", "areas.parquet", "metrics.parquet", "la_view.parquet",
             "mission_ltla.parquet", "mission_gap.parquet", "mission_regions.parquet",
             "geo_ltla.geojson", "manifest.json"]


def declared_inputs(mods) -> list[str]:
    return [f for m in mods for f in getattr(m, "INPUTS", [])]


def check_inputs_exist(raw: Path, declared: list[str]) -> None:
    if not raw.is_dir():
        raise InputError(raw, "raw data directory", "an existing directory of publisher files", "missing")
    for rel in declared:
        if not rel.endswith("?") and not (raw / rel).exists():
            raise InputError(rel, "file", "this bundled input file to exist", "missing file")


def _check_codes(obs: pd.DataFrame, areas: pd.DataFrame) -> None:
    known = set(zip(areas["geography"], areas["code"]))
    bad = [(g, c) not in known for g, c in zip(obs["geography"], obs["area_code"])]
    if any(bad):
        r = obs[bad].iloc[0]
        raise InputError(r["source_file"], f"area code {r['area_code']!r} ({r['metric_id']}, {r['period']})",
                         f"a known {r['geography']} GSS code", r["area_code"])


def _add_unitary_utla_rows(obs: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Unitary authorities are both tiers: give LTLA-published metrics their UTLA rows too
    (same value), so maps and comparisons at upper tier are complete."""
    utla_codes = set(areas.loc[(areas["geography"] == "utla") & areas["active"], "code"])
    lt = obs[(obs["geography"] == "ltla") & obs["area_code"].isin(utla_codes)]
    have = set(zip(obs.loc[obs["geography"] == "utla", "metric_id"], obs.loc[obs["geography"] == "utla", "area_code"]))
    metrics_with_utla = {m for m, _ in have}
    # only for metrics with no upper-tier publication of their own for that code
    add = lt[[(m, c) not in have for m, c in zip(lt["metric_id"], lt["area_code"])]]
    add = add[~add["metric_id"].isin(metrics_with_utla) | True]
    return pd.concat([obs, add.assign(geography="utla")], ignore_index=True)


def _metric_table(cat: pd.DataFrame, obs: pd.DataFrame, view: pd.DataFrame, n_ltla: int) -> pd.DataFrame:
    cat = cat.copy()
    rows = []
    for mid in cat["id"]:
        o = obs[(obs["metric_id"] == mid) & obs["value"].notna()]
        v = view[(view["metric_id"] == mid) & view["value"].notna()] if not view.empty else view
        periods = sorted(o["period"].unique(), key=lambda p: o.loc[o["period"] == p, "period_start"].iloc[0]) if len(o) else []
        latest = periods[-1] if periods else None
        cov = v[v["period"] == latest]["area_code"].nunique() if latest is not None and len(v) else 0
        rows.append({"id": mid, "periods": ", ".join(periods), "first_period": periods[0] if periods else None,
                     "latest_period": latest, "n_rows": int((obs["metric_id"] == mid).sum()),
                     "ltla_coverage_latest": int(cov), "ltla_total": n_ltla,
                     "has_ci": bool(o["lower"].notna().any()),
                     "geographies": ", ".join(sorted(o["geography"].unique()))})
    return cat.merge(pd.DataFrame(rows), on="id", how="left")


def build(raw: Path, out: Path, *, check_only: bool = False, force: bool = False, log=print) -> dict:
    """Run the whole build. Returns the manifest. Raises InputError on bad input."""
    t0 = time.perf_counter()
    raw, out = Path(raw).resolve(), Path(out).resolve()
    mods = sources.load_all()
    declared = declared_inputs(mods)
    check_inputs_exist(raw, declared)
    fp, inputs = manifest.fingerprint(raw, declared)
    old = out / "manifest.json"
    if not force and not check_only and old.exists():
        try:
            prev = json.loads(old.read_text())
            if prev.get("fingerprint") == fp and all((out / a).exists() for a in ARTEFACTS):
                log(f"build: inputs and code unchanged; {out} is up to date ({time.perf_counter() - t0:.2f} s)")
                return prev
        except (ValueError, OSError):
            pass

    cat = catalogue.load()
    ctx = Context.load(raw)
    for m in mods:
        if hasattr(m, "extend_areas"):
            m.extend_areas(ctx)
    frames, timings = [], {}
    for m in mods:
        t = time.perf_counter()
        df = m.parse(ctx)
        if "period_start" not in df.columns:
            df = finalise(df)
        frames.append(df[OBS_COLUMNS])
        timings[m.__name__.rsplit(".", 1)[-1]] = round(time.perf_counter() - t, 2)
    obs = pd.concat(frames, ignore_index=True)
    unknown = sorted(set(obs["metric_id"]) - set(cat["id"]))
    if unknown:
        raise InputError("etl/config/metrics/", f"metric id {unknown[0]!r}", "a catalogue entry for every metric", unknown)
    areas = ctx.areas
    _check_codes(obs, areas)
    names = dict(zip(zip(areas["geography"], areas["code"]), areas["name"]))
    obs["area_name"] = [names.get((g, c), n) for g, c, n in zip(obs["geography"], obs["area_code"], obs["area_name"])]
    obs = _add_unitary_utla_rows(obs, areas)
    obs = finalise(obs.drop(columns=["period_start", "period_end"]))
    obs = validate_observations(obs)
    obs = obs.sort_values(["metric_id", "geography", "area_code", "period_start"]).reset_index(drop=True)
    view = la_view.build(obs, areas, cat)
    n_ltla = int(((areas["geography"] == "ltla") & areas["active"]).sum())
    metrics_df = _metric_table(cat, obs, view, n_ltla)
    mission_tables = mission.compute(obs, areas)
    if check_only:
        log(f"check: {len(obs)} observations valid; nothing written ({time.perf_counter() - t0:.1f} s)")
        return {"rows": len(obs)}

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out.name + ".tmp-", dir=out.parent))
    try:
        obs.to_parquet(tmp / "observations.parquet", index=False)
        areas.to_parquet(tmp / "areas.parquet", index=False)
        metrics_df.to_parquet(tmp / "metrics.parquet", index=False)
        view.to_parquet(tmp / "la_view.parquet", index=False)
        for name, df in mission_tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        for name, df in ctx.extra_tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        geo_sizes = boundaries.write_all(raw, areas, tmp)
        rows_per_metric = obs.groupby("metric_id").size().astype(int).to_dict()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        man = {
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "fingerprint": fp,
            "build_seconds": round(time.perf_counter() - t0, 2),
            "peak_memory_mb": round(peak_mb, 1),
            "parse_seconds": timings,
            "inputs": inputs,
            "rows_per_metric": rows_per_metric,
            "observations": len(obs),
            "geometry_bytes": geo_sizes,
            "mission_basis": sorted(mission_tables["mission_gap"]["basis"].unique().tolist())
            if not mission_tables["mission_gap"].empty else [],
            "current_vintage": "LAD May 2025 codes (December 2023 boundaries)",
        }
        (tmp / "manifest.json").write_text(json.dumps(man, indent=2, default=str))
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log(f"build: wrote {out} ({len(obs)} observations, {man['build_seconds']} s, peak {man['peak_memory_mb']} MB)")
    return man


def _swap(tmp: Path, out: Path) -> None:
    """Replace `out` with `tmp` with two renames; the old build is removed only afterwards."""
    old = None
    if out.exists():
        old = out.with_name(f"{out.name}.old-{os.getpid()}-{time.time_ns()}")
        os.rename(out, old)
    os.rename(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def ensure_build(raw: Path, out: Path) -> None:
    """Build data/build/ if it is missing (first run of the app)."""
    if (Path(out) / "manifest.json").exists():
        return
    try:
        build(raw, out)
    except InputError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        raise SystemExit(1)
