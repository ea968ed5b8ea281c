"""`python -m etl build`: raw -> validated tidy tables -> data/build, atomically.

The build writes everything into a temporary sibling directory and swaps it in only when every
step succeeded, so a bad input leaves the previous good build untouched (and a running app
keeps serving it). When the inputs and the ETL code are unchanged (manifest fingerprint), the
build is skipped.

Faults: builds into the same directory take a lock (`.<out>.lock` beside it), so they run one
after another; the swap exchanges the two directories in one step where the system can
(renameat2), so the output directory is never missing; the temporary directory is removed on
every failure, and after a kill by a small janitor process that waits for the build to end;
worker processes die with the build. The output is world-readable (0755 / 0644), so an app
running as another user can read it.
"""
from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import gc
import json
import multiprocessing as mp
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from etl import manifest
from etl.errors import InputError
from etl.progress import Steps

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
        if r["geography"] in ("uk", "country"):
            # The UK and nation codes come from the vocabulary, not from a lookup file: when a
            # publisher's file uses one the vocabulary lacks, the vocabulary is the suspect.
            from etl import geography

            key = "uk" if r["geography"] == "uk" else "countries"
            declared = sorted(areas.loc[areas["geography"] == r["geography"], "code"])
            raise InputError(geography.CONFIG_PATH.name, f"key {key!r}",
                             f"the {r['geography']} code {r['area_code']} that {r['source_file']} uses "
                             f"({r['metric_id']}, {r['period']}) (a typo in the config?)",
                             f"declared codes {declared}")
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
        if check_only:  # writes nothing: no need to wait for a build in progress
            with Steps() as steps:
                return _build(raw, out, check_only=check_only, force=force, log=log, steps=steps)
        with build_lock(Path(out)), Steps() as steps:
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

    from etl import catalogue, sources
    from etl.context import Context

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
    remove_stale_temporaries(out)
    tmp = Path(tempfile.mkdtemp(prefix=f"{out.name}.geo-{os.getpid()}-", dir=out.parent))
    janitor = _start_janitor(tmp, out)
    try:
        return _build_into(tmp, raw, out, t0, fp, mods, inputs, cat, ctx, check_only=check_only, log=log,
                           steps=steps, timings=_previous_timings(old))
    finally:
        # on success `tmp` was swapped into place (it no longer exists, or holds the old build)
        shutil.rmtree(tmp, ignore_errors=True)
        _stop_janitor(janitor)


def _build_into(tmp: Path, raw: Path, out: Path, t0: float, fp: str, mods, inputs, cat, ctx, *,
                check_only: bool, log, steps, timings) -> dict:
    import pandas as pd

    from etl import geography, vocabulary
    from etl.schema import OBS_COLUMNS, SCHEMAS, finalise, validate_artefact, validate_observations

    # every ICB a local authority's neighbourhoods fall in, with its share (areas keep only the
    # largest): computed here while the workers parse
    icb_shares = functools.partial(geography.ltla_icb_shares, raw, ctx.successors)
    results, geo_sizes, ctx.extra_tables["ltla_icb"] = _run_parallel(ctx, mods, raw, tmp, check_only, steps, timings,
                                                                      icb_shares)
    from etl import la_view, mission  # imported while the workers parsed (_preload)
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
    view = la_view.build(obs, areas, cat)
    n_ltla = int(((areas["geography"] == "ltla") & areas["active"]).sum())
    metrics_df = _metric_table(cat, obs, view, n_ltla)
    t_mission = time.perf_counter()
    mission_bar = steps.add("mission")
    mission_tables = mission.compute(obs, areas, pmap=_pmap)  # the periods' models on both cores
    steps.advance(mission_bar)
    mission_seconds = round(time.perf_counter() - t_mission, 2)
    # every table the app reads meets its schema before anything is written
    tables = {"areas": areas, "metrics": metrics_df, "la_view": view,
              "geographies": vocabulary.geographies_frame(), "nations": vocabulary.nations_frame(),
              "labels": vocabulary.labels_frame(),
              **mission_tables, **ctx.extra_tables}
    for name, df in tables.items():
        if name in SCHEMAS:
            validate_artefact(name, df)
        else:
            log(f"build: warning: no schema for {name}.parquet in etl/schema.py; written unchecked")
    if check_only:
        log(f"check: {len(obs)} observations valid; nothing written ({time.perf_counter() - t0:.1f} s)")
        return {"rows": len(obs)}

    # `tmp` already holds the geometry written in parallel with the parsers
    write = steps.add("write", total=len(tables) + 1)
    obs.to_parquet(tmp / "observations.parquet", index=False)
    steps.advance(write)
    for name, df in tables.items():
        df.to_parquet(tmp / f"{name}.parquet", index=False)
        steps.advance(write)
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
    _make_readable(tmp)
    _swap(tmp, out)
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


_PR_SET_PDEATHSIG = 1


def _libc():
    return ctypes.CDLL(None, use_errno=True)  # the C library already loaded into this process


def _worker_init(parent: int) -> None:
    """Make a pool worker die with the build: SIGKILL of the parent (or any death that skips
    the pool's shutdown) would otherwise leave the workers running, holding their memory."""
    try:
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the pool's own shutdown is all there is
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _pmap(fn, items) -> list:
    """map() over two forked worker processes, results in order; serial with ETL_PARALLEL=0."""
    items = list(items)
    if _serial() or len(items) < 2:
        return list(map(fn, items))
    with _fork_pool() as ex:
        return list(ex.map(fn, items))


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


def _run_parallel(ctx, mods, raw: Path, geo_out: Path, check_only: bool, steps=None, timings=None,
                  meanwhile=lambda: None):
    """Parse every source (and write the geometry) on two worker processes when fork is
    available (2 cores here); serially otherwise or with ETL_PARALLEL=0. The geometry and then
    the sources go to the workers slowest first, so both cores finish at about the same time;
    results keep the sources' run order. `meanwhile()` runs in this process while they work
    (it fills the cores' idle tail); returns (results, geometry sizes, what meanwhile returned)."""
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
        return results, sizes, meanwhile()
    slowest_first = sorted(mods, key=lambda m: -_expected_cost(m, raw, timings or {}))
    with _fork_pool() as ex:
        geo = None if check_only else ex.submit(_geometry, raw, geo_out)
        futs = {ex.submit(_parse_one, m.__name__): m.__name__ for m in slowest_first}
        finished, sizes = {}, {}
        pending = set(futs) | ({geo} if geo is not None else set())
        # the workers are forked: this process would only wait, so it imports what the steps
        # after parsing need (scipy alone takes ~1.5 s) while they run
        _preload()
        try:
            also = meanwhile()
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
    return results, sizes, also


def _preload() -> None:
    """The modules of the steps after parsing (the mission's brings scipy), imported after the
    workers were forked, so that this otherwise idle process pays for them while they parse."""
    import etl.la_view  # noqa: F401
    import etl.mission  # noqa: F401
    from etl import schema

    schema.prime()


# ----------------------------------------------------------------------------- faults
def lock_path(out: Path) -> Path:
    return Path(out).parent / f".{Path(out).name}.lock"


@contextlib.contextmanager
def build_lock(out: Path):
    """Exclusive lock on `.<out>.lock` beside the output: concurrent builds into the same
    directory run one after another (the second usually finds the first's result up to date).
    The kernel drops the lock when the holder dies, so a killed build never blocks the next."""
    path = lock_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove `<out>.geo-<pid>-*` / `<out>.old-<pid>-*` directories left by builds that were
    killed before they could clean up (their process no longer exists)."""
    removed = []
    for p in Path(out).parent.glob(f"{Path(out).name}.*-*"):
        kind, _, rest = p.name[len(Path(out).name) + 1:].partition("-")
        pid = rest.split("-", 1)[0]
        if kind in ("geo", "old") and pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


# Waits until its stdin reaches end-of-file, which happens when the build process and every
# worker it forked have closed it: normally at the end of the build, or when they were killed.
# Then it removes what the build may have left (on success the temporary no longer exists).
_JANITOR = """
import glob, shutil, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_IGN)
sys.stdin.buffer.read()
shutil.rmtree(sys.argv[1], ignore_errors=True)
for p in glob.glob(glob.escape(sys.argv[2]) + "*"):
    shutil.rmtree(p, ignore_errors=True)
"""


def _start_janitor(tmp: Path, out: Path):
    try:
        return subprocess.Popen([sys.executable, "-I", "-S", "-c", _JANITOR, str(tmp),
                                 f"{out}.old-{os.getpid()}-"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None  # cleanup after a kill then falls to the next build (remove_stale_temporaries)


def _stop_janitor(proc) -> None:
    if proc is None:
        return
    try:
        proc.stdin.close()
        proc.wait(timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        pass


def _make_readable(tmp: Path) -> None:
    """mkdtemp makes 0700 directories: the build is data for an app that may run as another user."""
    os.chmod(tmp, 0o755)
    for p in tmp.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2 RENAME_EXCHANGE); False when
    the system or file system cannot."""
    try:
        fn = _libc().renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


@contextmanager
def _frozen_gc():
    """Fork with the parent's objects frozen out of the cyclic GC, so a collection in a worker
    does not walk (and so copy, page by page) the whole inherited heap."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _fork_pool(workers: int = 2):
    """A pool of forked workers that die with the build, forked with the heap frozen."""
    with _frozen_gc(), ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"),
                                           initializer=_worker_init, initargs=(os.getpid(),)) as ex:
        yield ex


def _swap(tmp: Path, out: Path) -> None:
    """Put `tmp` in place of `out`. With an existing build the two are exchanged atomically
    (a reader always finds a complete directory) and the old one, now at `tmp`, is removed;
    without renameat2 two renames leave a moment without `out`."""
    if out.exists() and _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)
        return
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
