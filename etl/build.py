"""`python -m etl build`: raw -> validated tidy tables -> data/build, atomically.

The build writes everything into a temporary sibling directory and swaps it in only when every
step succeeded, so a bad input leaves the previous good build untouched (and a running app
keeps serving it). When the inputs and the ETL code are unchanged (manifest fingerprint), the
build is skipped.
"""
from __future__ import annotations

import gc
import json
import multiprocessing as mp
import os
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from functools import partial
from datetime import datetime, timezone
from pathlib import Path

from etl import manifest
from etl.errors import InputError
from etl.progress import Steps

# Heavy modules (pandas, pandera, scipy, geopandas) are imported inside the functions that need
# them, so the "nothing changed" check stays well under a second.

ARTEFACTS = ["observations.parquet", "areas.parquet", "metrics.parquet", "la_view.parquet",
             "mission_ltla.parquet", "mission_gap.parquet", "mission_regions.parquet",
             "geographies.parquet", "nations.parquet", "geo_ltla.geojson", "manifest.json"]


def declared_inputs(mods) -> list[str]:
    return [f for m in mods for f in getattr(m, "INPUTS", [])]


def check_inputs_exist(raw: Path, declared: list[str]) -> None:
    if not raw.is_dir():
        raise InputError(raw, "raw data directory", "an existing directory of publisher files", "missing")
    for rel in declared:
        if not rel.endswith("?") and not (raw / rel).exists():
            raise InputError(rel, "file", "this bundled input file to exist", "missing file")


def _key(*cols):
    """One text key per row from several text columns (vectorised set membership and lookups)."""
    out = cols[0].astype(str)
    for c in cols[1:]:
        out = out + "\x1f" + c.astype(str)
    return out


def _check_codes(obs, areas) -> None:
    bad = ~_key(obs["geography"], obs["area_code"]).isin(set(_key(areas["geography"], areas["code"])))
    if bad.any():
        r = obs[bad.to_numpy()].iloc[0]
        raise InputError(r["source_file"], f"area code {r['area_code']!r} ({r['metric_id']}, {r['period']})",
                         f"a known {r['geography']} GSS code", r["area_code"])


def _add_unitary_utla_rows(obs, areas):
    """Unitary authorities are both tiers: give LTLA-published metrics their UTLA rows too
    (same value), so maps and comparisons at upper tier are complete."""
    utla_codes = set(areas.loc[(areas["geography"] == "utla") & areas["active"], "code"])
    lt = obs[(obs["geography"] == "ltla") & obs["area_code"].isin(utla_codes)]
    ut = obs[obs["geography"] == "utla"]
    # only for metrics with no upper-tier publication of their own for that code
    add = lt[~_key(lt["metric_id"], lt["area_code"]).isin(set(_key(ut["metric_id"], ut["area_code"]))).to_numpy()]
    import pandas as pd

    return pd.concat([obs, add.assign(geography="utla")], ignore_index=True)


def _metric_table(cat, obs, view, n_ltla: int):
    import numpy as np
    import pandas as pd

    cat = cat.copy()
    rows = []
    # one pass per table, then a lookup per metric (rows keep their order within a metric)
    with_value = obs[obs["value"].notna()]
    obs_by = dict(tuple(with_value.groupby("metric_id", sort=False)))
    view_ok = view[view["value"].notna()] if not view.empty else view
    view_by = dict(tuple(view_ok.groupby("metric_id", sort=False))) if len(view_ok) else {}
    n_rows = obs["metric_id"].value_counts()
    for mid in cat["id"]:
        o = obs_by.get(mid, with_value.iloc[:0])
        v = view_by.get(mid, view_ok.iloc[:0])
        # periods in time order (each period's first row gives its start; ties keep file order)
        firsts = o.drop_duplicates("period")
        periods = firsts["period"].iloc[np.argsort(firsts["period_start"].to_numpy(), kind="stable")].tolist()
        latest = periods[-1] if periods else None
        cov = v[v["period"] == latest]["area_code"].nunique() if latest is not None and len(v) else 0
        rows.append({"id": mid, "periods": ", ".join(periods), "first_period": periods[0] if periods else None,
                     "latest_period": latest, "n_rows": int(n_rows.get(mid, 0)),
                     "ltla_coverage_latest": int(cov), "ltla_total": n_ltla,
                     "has_ci": bool(o["lower"].notna().any()),
                     "geographies": ", ".join(sorted(o["geography"].unique()))})
    return cat.merge(pd.DataFrame(rows), on="id", how="left")


def build(raw: Path, out: Path, *, check_only: bool = False, force: bool = False, log=print) -> dict:
    """Run the whole build. Returns the manifest. Raises InputError on bad input, naming the
    file relative to the raw directory."""
    rawp = Path(raw).resolve()
    try:
        with Steps() as steps:
            return _build(raw, out, check_only=check_only, force=force, log=log, steps=steps)
    except InputError as exc:
        name = str(exc.file)
        for prefix in (str(rawp) + os.sep, str(Path(raw)) + os.sep):
            if name.startswith(prefix):
                raise type(exc)(name[len(prefix):], exc.where, exc.expected, exc.found) from exc
        raise


def _build(raw: Path, out: Path, *, check_only: bool = False, force: bool = False, log=print,
           steps: Steps | None = None) -> dict:
    t0 = time.perf_counter()
    steps = steps or Steps(on=False)
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
        results, geo_sizes = _run_parallel(ctx, mods, raw, geo_tmp, check_only, steps, _previous_timings(old))
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
    obs = pd.concat(frames, ignore_index=True)
    unknown = sorted(set(obs["metric_id"]) - set(cat["id"]))
    if unknown:
        raise InputError("etl/config/metrics/", f"metric id {unknown[0]!r}", "a catalogue entry for every metric", unknown)
    areas = ctx.areas
    _check_codes(obs, areas)
    names = dict(zip(_key(areas["geography"], areas["code"]), areas["name"]))
    key = _key(obs["geography"], obs["area_code"])
    obs["area_name"] = key.map(names).where(key.isin(set(names)), obs["area_name"])
    obs = _add_unitary_utla_rows(obs, areas)
    obs = finalise(obs.drop(columns=["period_start", "period_end"]))
    obs = validate_observations(obs)
    obs = obs.sort_values(["metric_id", "geography", "area_code", "period_start"]).reset_index(drop=True)
    # the mission's Monte Carlo runs on the second core while this process builds the other tables
    mission_job = _Background(partial(mission.compute, pmap=_pmap), (obs, areas), steps, name="mission")
    try:
        view = la_view.build(obs, areas, cat)
        n_ltla = int(((areas["geography"] == "ltla") & areas["active"]).sum())
        metrics_df = _metric_table(cat, obs, view, n_ltla)
    except BaseException:
        mission_job.cancel()
        raise
    if check_only:
        mission_job.result()
        shutil.rmtree(geo_tmp, ignore_errors=True)
        log(f"check: {len(obs)} observations valid; nothing written ({time.perf_counter() - t0:.1f} s)")
        return {"rows": len(obs)}

    tmp = geo_tmp  # already holds the geometry written in parallel with the parsers
    try:
        tables = {"observations": obs, "areas": areas, "metrics": metrics_df, "la_view": view,
                  "geographies": vocabulary.geographies_frame(), "nations": vocabulary.nations_frame(),
                  **ctx.extra_tables}
        write = steps.add("write", total=len(tables))
        for name, df in tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
            steps.advance(write)
        mission_tables = mission_job.result()
        for name, df in mission_tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
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
            "dropped_rows": ctx.dropped,
            "geometry_bytes": geo_sizes,
            "mission_basis": sorted(mission_tables["mission_gap"]["basis"].unique().tolist())
            if not mission_tables["mission_gap"].empty else [],
            "current_vintage": geography.config()["current_vintage"],
        }
        (tmp / "manifest.json").write_text(json.dumps(man, indent=2, default=str))
        _swap(tmp, out)
    except BaseException:
        mission_job.cancel()
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


def _serial() -> bool:
    return os.environ.get("ETL_PARALLEL", "1") == "0" or "fork" not in mp.get_all_start_methods()


def _previous_timings(manifest_path: Path) -> dict[str, float]:
    """Parse seconds per source from the last build's manifest (empty on a clean build)."""
    try:
        return {k: float(v) for k, v in json.loads(manifest_path.read_text())["parse_seconds"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _expected_cost(mod, raw: Path, timings: dict[str, float]) -> float:
    """Seconds the last build took for this source; else a proxy from the size of its inputs
    (workbooks count three times: they cost more per byte), on a rough scale of 0.1 s per MB
    so that a new source can be ranked among timed ones. On the bundled data this gives the
    measured order but for two neighbours."""
    name = mod.__name__.rsplit(".", 1)[-1]
    if name in timings:
        return timings[name]
    size = 0.0
    for rel in getattr(mod, "INPUTS", []):
        path = raw / rel.rstrip("?")
        if path.is_file():
            size += path.stat().st_size * (3 if path.suffix.lower() in (".xlsx", ".ods") else 1)
    return 0.1 * size / 1e6


def _run_parallel(ctx, mods, raw: Path, geo_out: Path, check_only: bool, steps=None, timings=None):
    """Parse every source (and write the geometry) on two worker processes when fork is
    available (2 cores here); serially otherwise or with ETL_PARALLEL=0. The geometry and then
    the sources go to the workers slowest first, so both cores finish at about the same time;
    results keep the sources' run order."""
    global _CTX
    _CTX = ctx
    steps = steps or Steps(on=False)
    names = [m.__name__ for m in mods]
    short = {n: n.rsplit(".", 1)[-1] for n in names}
    parse_bar = steps.add("parse", total=len(names))
    geo_bar = None if check_only else steps.add("geometry")

    finished_count = [0]

    def done(n, result):
        finished_count[0] += 1
        last = finished_count[0] == len(names)
        steps.advance(parse_bar, f"parse: {len(names)} sources" if last else f"parse: {short[n]} ({result[1]:.1f} s)")
        return result

    if _serial() or len(names) < 2:
        results = {short[n]: done(n, _parse_one(n)) for n in names}
        sizes = {} if check_only else _geometry(raw, geo_out)
        steps.advance(geo_bar)
        return results, sizes
    slowest_first = sorted(mods, key=lambda m: -_expected_cost(m, raw, timings or {}))
    with _frozen_gc(), ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork")) as ex:
        geo = None if check_only else ex.submit(_geometry, raw, geo_out)
        futs = {ex.submit(_parse_one, m.__name__): m.__name__ for m in slowest_first}
        finished, sizes = {}, {}
        pending = set(futs) | ({geo} if geo is not None else set())
        try:
            while pending:
                ready, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in ready:
                    if f is geo:
                        sizes = f.result()
                        steps.advance(geo_bar)
                    else:
                        finished[futs[f]] = done(futs[f], f.result())
        except BaseException:
            for f in pending:  # a failed source stops the build: do not start the others
                f.cancel()
            raise
        results = {short[n]: finished[n] for n in names}
    return results, sizes


@contextmanager
def _frozen_gc():
    """Fork with the parent's objects frozen out of the cyclic GC, so a collection in a worker
    does not walk (and so copy, page by page) the whole inherited heap."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _pmap(fn, *iterables) -> list:
    """map() on two forked worker processes, results in order (serially with ETL_PARALLEL=0)."""
    if _serial():
        return list(map(fn, *iterables))
    with _frozen_gc(), ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork")) as ex:
        return list(ex.map(fn, *iterables))


def _child(conn, fn, args) -> None:
    try:
        conn.send((True, fn(*args)))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        conn.send((False, exc))
    finally:
        conn.close()


class _Background:
    """fn(*args) in a forked process (its arguments are inherited, not pickled) while the
    caller goes on; result() waits for it and re-raises its exception. Inline when fork is not
    available or ETL_PARALLEL=0."""

    def __init__(self, fn, args: tuple, steps: Steps | None = None, name: str = "job"):
        self._name = name
        self._fn, self._args = fn, args
        self._steps = steps
        self._bar = steps.add(self._name) if steps is not None else None
        self._proc = self._conn = None
        if not _serial():
            fork = mp.get_context("fork")
            self._conn, child_conn = fork.Pipe(duplex=False)
            # not a daemon: it may start workers of its own (_pmap)
            self._proc = fork.Process(target=_child, args=(child_conn, fn, args))
            with _frozen_gc():
                self._proc.start()
            child_conn.close()

    def result(self):
        if self._proc is None:
            value = self._fn(*self._args)
        else:
            try:
                ok, value = self._conn.recv()  # before join: a large result fills the pipe
            except EOFError:
                ok, value = False, RuntimeError(f"{self._name} worker exited with code {self._proc.exitcode}")
            finally:
                self.cancel()
            if not ok:
                raise value
        if self._steps is not None:
            self._steps.advance(self._bar)
        return value

    def cancel(self) -> None:
        """Stop the worker if it is still running (the build failed meanwhile)."""
        if self._proc is not None:
            if self._proc.is_alive() and self._conn.poll() is False:
                self._proc.terminate()
            self._proc.join()
            self._conn.close()
            self._proc = self._conn = None


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
