"""`python -m etl build`: raw -> validated tidy tables -> data/build, atomically.

The build writes everything into a temporary sibling directory and swaps it in only when every
step succeeded, so a bad input leaves the previous good build untouched (and a running app
keeps serving it). When the inputs and the ETL code are unchanged (manifest fingerprint), the
build is skipped.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from etl import manifest
from etl.errors import InputError

# Heavy modules (pandas, pandera, scipy, geopandas) are imported inside the functions that need
# them, so the "nothing changed" check stays well under a second.

ARTEFACTS = ["observations.parquet", "areas.parquet", "metrics.parquet", "la_view.parquet",
             "mission_ltla.parquet", "mission_gap.parquet", "mission_regions.parquet",
             "mission_gap_sensitivity.parquet", "mission_model.parquet", "mission_unranked.parquet",
             "mission_survey_mode.parquet", "geographies.parquet", "nations.parquet", "labels.parquet",
             "ltla_icb.parquet", "geo_ltla.geojson", "manifest.json"]


def declared_inputs(mods) -> list[str]:
    return [f for m in mods for f in getattr(m, "INPUTS", [])]


def check_inputs_exist(raw: Path, declared: list[str]) -> None:
    if not raw.is_dir():
        raise InputError(raw, "raw data directory", "an existing directory of publisher files", "missing")
    for rel in declared:
        if not rel.endswith("?") and not (raw / rel).exists():
            raise InputError(rel, "file", "this bundled input file to exist", "missing file")


def _check_codes(obs, areas) -> None:
    known = set(zip(areas["geography"], areas["code"]))
    bad = [(g, c) not in known for g, c in zip(obs["geography"], obs["area_code"])]
    if any(bad):
        r = obs[bad].iloc[0]
        raise InputError(r["source_file"], f"area code {r['area_code']!r} ({r['metric_id']}, {r['period']})",
                         f"a known {r['geography']} GSS code", r["area_code"])


def _add_unitary_utla_rows(obs, areas):
    """Unitary authorities are both tiers: give LTLA-published metrics their UTLA rows too
    (same value), so maps and comparisons at upper tier are complete."""
    utla_codes = set(areas.loc[(areas["geography"] == "utla") & areas["active"], "code"])
    lt = obs[(obs["geography"] == "ltla") & obs["area_code"].isin(utla_codes)]
    have = set(zip(obs.loc[obs["geography"] == "utla", "metric_id"], obs.loc[obs["geography"] == "utla", "area_code"]))
    # only for metrics with no upper-tier publication of their own for that code
    add = lt[[(m, c) not in have for m, c in zip(lt["metric_id"], lt["area_code"])]]
    import pandas as pd

    return pd.concat([obs, add.assign(geography="utla")], ignore_index=True)


def _metric_table(cat, obs, view, n_ltla: int):
    import pandas as pd

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
    """Run the whole build. Returns the manifest. Raises InputError on bad input, naming the
    file relative to the raw directory."""
    rawp = Path(raw).resolve()
    try:
        return _build(raw, out, check_only=check_only, force=force, log=log)
    except InputError as exc:
        name = str(exc.file)
        for prefix in (str(rawp) + os.sep, str(Path(raw)) + os.sep):
            if name.startswith(prefix):
                raise type(exc)(name[len(prefix):], exc.where, exc.expected, exc.found) from exc
        raise


def _build(raw: Path, out: Path, *, check_only: bool = False, force: bool = False, log=print) -> dict:
    t0 = time.perf_counter()
    raw, out = Path(raw).resolve(), Path(out).resolve()
    if not raw.is_dir():
        raise InputError(raw, "raw data directory", "an existing directory of publisher files", "missing")
    fp = manifest.raw_fingerprint(raw)
    old = out / "manifest.json"
    if not force and not check_only and old.exists():
        try:
            prev = json.loads(old.read_text())
            if prev.get("fingerprint") == fp and all((out / a).exists() for a in ARTEFACTS):
                log(f"build: inputs and code unchanged; {out} is up to date ({time.perf_counter() - t0:.2f} s)")
                return prev
        except (ValueError, OSError):
            pass

    import pandas as pd

    from etl import boundaries, catalogue, geography, la_view, mission, sources, vocabulary
    from etl.context import Context
    from etl.schema import OBS_COLUMNS, finalise, validate_observations

    mods = sources.load_all()
    declared = declared_inputs(mods)
    check_inputs_exist(raw, declared)
    _, inputs = manifest.fingerprint(raw, declared)
    cat = catalogue.load()
    ctx = Context.load(raw)
    for m in mods:
        if hasattr(m, "extend_areas"):
            m.extend_areas(ctx)
    out.parent.mkdir(parents=True, exist_ok=True)
    geo_tmp = Path(tempfile.mkdtemp(prefix=out.name + ".geo-", dir=out.parent))
    try:
        results, geo_sizes = _run_parallel(ctx, mods, raw, geo_tmp, check_only)
    except BaseException:
        shutil.rmtree(geo_tmp, ignore_errors=True)
        raise
    frames, timings = [], {}
    for name, (df, seconds, (extra, dropped)) in results.items():
        ctx.extra_tables.update(extra)
        ctx.dropped.extend(dropped)
        if "period_start" not in df.columns:
            df = finalise(df)
        frames.append(df[OBS_COLUMNS])
        timings[name] = round(seconds, 2)
    # every ICB a local authority's neighbourhoods fall in, with its share (areas keep only the largest)
    ctx.extra_tables["ltla_icb"] = geography.ltla_icb_shares(raw, ctx.successors)
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
    t_mission = time.perf_counter()
    mission_tables = mission.compute(obs, areas)
    mission_seconds = round(time.perf_counter() - t_mission, 2)
    if check_only:
        shutil.rmtree(geo_tmp, ignore_errors=True)
        log(f"check: {len(obs)} observations valid; nothing written ({time.perf_counter() - t0:.1f} s)")
        return {"rows": len(obs)}

    tmp = geo_tmp  # already holds the geometry written in parallel with the parsers
    try:
        obs.to_parquet(tmp / "observations.parquet", index=False)
        areas.to_parquet(tmp / "areas.parquet", index=False)
        metrics_df.to_parquet(tmp / "metrics.parquet", index=False)
        view.to_parquet(tmp / "la_view.parquet", index=False)
        vocabulary.write_tables(tmp)
        for name, df in mission_tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        for name, df in ctx.extra_tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        rows_per_metric = obs.groupby("metric_id").size().astype(int).to_dict()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        man = {
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "fingerprint": fp,
            "build_seconds": round(time.perf_counter() - t0, 2),
            "peak_memory_mb": round(peak_mb, 1),
            "parse_seconds": timings,
            "mission_seconds": mission_seconds,
            "inputs": inputs,
            "rows_per_metric": rows_per_metric,
            "observations": len(obs),
            "dropped_rows": ctx.dropped,
            "geometry_bytes": geo_sizes,
            "mission_basis": sorted(mission_tables["mission_gap"]["basis"].unique().tolist())
            if not mission_tables["mission_gap"].empty else [],
            "current_vintage": geography.config()["current_vintage"],
        }
        (tmp / "manifest.json").write_text(json.dumps(man, indent=2, default=str))
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log(f"build: wrote {out} ({len(obs)} observations, {man['build_seconds']} s, peak {man['peak_memory_mb']} MB)")
    return man


# ----------------------------------------------------------------------------- parallel parse
_CTX = None  # the parent's Context, inherited by forked workers


def _parse_one(module_name: str):
    from importlib import import_module

    t = time.perf_counter()
    before = set(_CTX.extra_tables)
    n_dropped = len(_CTX.dropped)
    df = import_module(module_name).parse(_CTX)
    # tables a parser adds to ctx.extra_tables (and its dropped-row records) travel back with its
    # rows (workers are processes)
    extra = {k: v for k, v in _CTX.extra_tables.items() if k not in before}
    dropped = _CTX.dropped[n_dropped:]
    del _CTX.dropped[n_dropped:]  # the parent adds them back once (serial runs share _CTX)
    return df, time.perf_counter() - t, (extra, dropped)


def _geometry(raw: Path, out: Path):
    from etl import boundaries

    return boundaries.write_all(raw, _CTX.areas, out)


def _run_parallel(ctx, mods, raw: Path, geo_out: Path, check_only: bool):
    """Parse every source (and write the geometry) on two worker processes when fork is
    available (2 cores here); serially otherwise or with ETL_PARALLEL=0."""
    global _CTX
    _CTX = ctx
    names = [m.__name__ for m in mods]
    serial = os.environ.get("ETL_PARALLEL", "1") == "0" or len(names) < 2 or "fork" not in mp.get_all_start_methods()
    if serial:
        results = {n.rsplit(".", 1)[-1]: _parse_one(n) for n in names}
        sizes = {} if check_only else _geometry(raw, geo_out)
        return results, sizes
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork")) as ex:
        geo = None if check_only else ex.submit(_geometry, raw, geo_out)
        futs = {n.rsplit(".", 1)[-1]: ex.submit(_parse_one, n) for n in names}
        results = {n: f.result() for n, f in futs.items()}
        sizes = geo.result() if geo is not None else {}
    return results, sizes


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
