"""Growth: how the build's processing, the map callback and the memory of each gunicorn worker
scale when the data grow 1x, 4x and 16x, in areas and metrics as well as periods.

The grown build is a throw-away copy made only to measure scaling (it is never shown): local
authorities are copied under new codes (their boundaries reused), supporting and context
metrics under new ids, and every period under labels 100 years earlier. The processing is the
build's work after parsing (validation, the LTLA view, the metric table and the mission's
measures with the real number of simulation draws); the copy is then served by the Procfile's
gunicorn, which is asked for map changes it has not answered before and area pages."""
from __future__ import annotations

import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import (QUICK, ROOT, callback_body, callback_error, callback_url, cpu_seconds, dash_config,
                               find_dependency, free_port, gunicorn_memory, page_content_body,
                               page_content_dependency, pct, post, procfile_command, record, server_exceptions,
                               start_server, stop, wait_http, wait_workers)

# factor -> (areas, metrics, periods) multipliers. Only LTLA rows are copied for new areas and only
# supporting and context metrics for new metrics, so the observation rows grow less than the factor.
PLAN = {1: (1, 1, 1), 4: (2, 2, 1), 16: (4, 2, 2)}
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
COPYABLE_KINDS = ("supporting", "context")  # the headline measures define the mission: never copied


def _shift(label: str, k: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group(1)) - 100 * k), label)


def new_code(code: str, k: int) -> str:
    """E06000001 -> E06100001 for copy 1: a GSS-shaped code no real area has."""
    return f"{code[:3]}{int(code[3:]) + 100_000 * k:06d}" if k else code


def grow(obs, areas, cat, features, a: int, m: int, p: int):
    """The observations, areas, catalogue and LTLA features grown a x m x p times."""
    import pandas as pd

    ltla = areas[(areas["geography"] == "ltla") & areas["active"]]
    drawn = {f["id"] for f in features}
    copy_codes = [c for c in ltla["code"] if c in drawn]
    area_parts, obs_parts, feats = [areas], [obs], list(features)
    lt_obs = obs[(obs["geography"] == "ltla") & obs["area_code"].isin(copy_codes)]
    by_code = {f["id"]: f for f in features}
    for k in range(1, a):
        cp = ltla[ltla["code"].isin(copy_codes)].copy()
        cp["code"] = cp["code"].map(lambda c: new_code(c, k))  # parents kept: a copy shares its original's
        cp["name"] = cp["name"] + f" (copy {k})"
        cp["former_codes"], cp["successor_code"] = None, None
        area_parts.append(cp)
        o = lt_obs.copy()
        o["area_code"] = o["area_code"].map(lambda c: new_code(c, k))
        o["area_name"] = o["area_name"].map(lambda n, k=k: f"{n} (copy {k})" if isinstance(n, str) else n)
        obs_parts.append(o)
        for c in copy_codes:
            f = by_code[c]
            name = f"{f['properties'].get('name', c)} (copy {k})"
            feats.append({**f, "id": new_code(c, k), "properties": {**f["properties"], "code": new_code(c, k), "name": name}})
    areas = pd.concat(area_parts, ignore_index=True)
    obs = pd.concat(obs_parts, ignore_index=True)

    copyable = cat[cat["kind"].isin(COPYABLE_KINDS)]
    cat_parts, obs_parts = [cat], [obs]
    src = obs[obs["metric_id"].isin(set(copyable["id"]))]
    for k in range(1, m):
        c = copyable.copy()
        c["id"] = c["id"] + f"__copy{k}"
        for col in ("title", "short_title"):
            c[col] = c[col].map(lambda n, k=k: f"{n} (copy {k})" if isinstance(n, str) else n)
        cat_parts.append(c)
        obs_parts.append(src.assign(metric_id=src["metric_id"] + f"__copy{k}"))
    cat = pd.concat(cat_parts, ignore_index=True)
    obs = pd.concat(obs_parts, ignore_index=True)

    parts = [obs]
    for k in range(1, p):
        o = obs.copy()
        o["period"] = o["period"].map(lambda s: _shift(s, k))
        for col in ("period_start", "period_end"):
            o[col] = (o[col] - pd.DateOffset(years=100 * k)).astype("datetime64[ns]")
        parts.append(o)
    obs = pd.concat(parts, ignore_index=True)
    return obs, areas, cat, feats


def process(obs, areas, cat) -> tuple[dict, dict]:
    """The build's steps after parsing, timed; returns the tables and the timings."""
    from etl import la_view, mission
    from etl.build import _metric_table
    from etl.schema import validate_observations

    from etl import catalogue

    t0, c0 = time.perf_counter(), time.process_time()
    # the copied metrics ("<id>__copyN") keep their original's plausible range
    base = catalogue.ranges()
    ranges = {mid: base[mid.split("__copy")[0]] for mid in cat["id"] if mid.split("__copy")[0] in base}
    obs = validate_observations(obs, ranges=ranges)
    obs = obs.sort_values(["metric_id", "geography", "area_code", "period_start"]).reset_index(drop=True)
    view = la_view.build(obs, areas, cat)
    n_ltla = int(((areas["geography"] == "ltla") & areas["active"]).sum())
    metrics = _metric_table(cat, obs, view, n_ltla)
    t1 = time.perf_counter()
    tables = mission.compute(obs, areas)  # the real number of draws (mission.N_DRAWS)
    t2 = time.perf_counter()
    tables.update(observations=obs, areas=areas, metrics=metrics, la_view=view)
    return tables, {"total": t2 - t0, "cpu": time.process_time() - c0, "mission": t2 - t1,
                    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def write_build(src: Path, dst: Path, tables: dict, features: list, factor: int) -> None:
    for f in src.iterdir():
        if f.is_file():
            shutil.copy(f, dst / f.name)
    for name, df in tables.items():
        df.to_parquet(dst / f"{name}.parquet", index=False)
    (dst / "geo_ltla.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    gz = dst / "geo_ltla.geojson.gz"
    if gz.exists():
        gz.unlink()
    man = json.loads((src / "manifest.json").read_text())
    man.update(fingerprint=f"growth-{factor}x-{time.time_ns()}", observations=len(tables["observations"]))
    (dst / "manifest.json").write_text(json.dumps(man, default=str))


def make(factor: int, out: Path) -> dict:
    """Grow the build `factor` times, process it and write it to `out`; returns the figures. Run
    in a fresh interpreter per factor, so its peak memory is this step's own."""
    import pandas as pd

    from etl import catalogue

    build = ROOT / "data" / "build"
    a, m, p = PLAN[factor]
    obs, areas, cat, feats = grow(pd.read_parquet(build / "observations.parquet"),
                                  pd.read_parquet(build / "areas.parquet"), catalogue.load(),
                                  json.loads((build / "geo_ltla.geojson").read_text())["features"], a, m, p)
    tables, t = process(obs, areas, cat)
    write_build(build, out, tables, feats, factor)
    return dict(t, rows=len(tables["observations"]), ltlas=len(feats), metrics=int(tables["metrics"]["id"].nunique()))


def serve_and_measure(build_dir: Path, n_map: int, n_area: int) -> dict:
    import random

    import pandas as pd

    port = free_port()
    cmd, workers = procfile_command(port)
    t0 = time.perf_counter()
    proc = start_server(cmd, port, {"WELLBEING_BUILD_DIR": str(build_dir)})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/healthz", timeout=300, proc=proc)
        ready = time.perf_counter() - t0
        wait_workers(proc, workers)
        out = {"start": ready, "start_cpu": cpu_seconds(proc.pid), "memory_start": gunicorn_memory(proc)}
        import urllib.request

        with urllib.request.urlopen(base + "/map", timeout=60) as r:
            cfg = dash_config(r.read().decode())
        with urllib.request.urlopen(base + "/_dash-dependencies", timeout=60) as r:
            deps = json.loads(r.read())
        url = base + callback_url(cfg)
        view = pd.read_parquet(build_dir / "la_view.parquet", columns=["metric_id", "period", "value"])
        drawable = view[view["value"].notna()]
        pairs = sorted(set(zip(drawable["metric_id"], drawable["period"])))
        rng = random.Random(3)
        dep = find_dependency(deps, "map-payload.data")
        times, errors = [], 0
        for m, p in rng.sample(pairs, min(n_map, len(pairs))):  # each asked once: never a warm answer
            status, body, secs = post(url, callback_body(dep, [m, p, "ltla", "quantile", "england"]))
            errors += callback_error(status, body) is not None
            times.append(secs)
        out["map"], out["map_errors"] = times, errors
        pdep = page_content_dependency(deps)
        codes = pd.read_parquet(build_dir / "areas.parquet")
        codes = codes[(codes["geography"] == "ltla") & codes["active"]]["code"].tolist()
        area_t = []
        for code in rng.sample(codes, n_area):
            status, body, secs = post(url, page_content_body(pdep, f"/area/{code}"))
            errors += callback_error(status, body) is not None
            area_t.append(secs)
        out["area"], out["errors"] = area_t, errors
        out["memory_end"] = gunicorn_memory(proc)
        out["exceptions"] = server_exceptions(proc)
        return out
    finally:
        stop(proc)


def main() -> None:
    from etl import mission

    factors = (1, 4) if QUICK else (1, 4, 16)
    n_map, n_area = (6, 1) if QUICK else (30, 3)
    print(f"Growth with data size (mission draws: {mission.N_DRAWS})")
    base_rows = None
    for f in factors:
        a, m, p = PLAN[f]
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-growth-{f}x-"))
        try:
            run = subprocess.run([sys.executable, "-m", "benchmarks.growth", "--make", str(f), str(tmp)], cwd=ROOT,
                                 capture_output=True, text=True)
            if run.returncode:
                raise RuntimeError(f"growing the build {f}x failed:\n{run.stderr[-2000:]}")
            t = json.loads(run.stdout.strip().splitlines()[-1])
            s = serve_and_measure(tmp, n_map, n_area)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        ms = [x * 1000 for x in s["map"]]
        base_rows = base_rows or t["rows"]
        record(f"growth {f}x: data", f"{t['rows']:,} observation rows (x{t['rows'] / base_rows:.1f}); areas x{a}, "
               f"metrics x{m}, periods x{p}: {t['ltlas']} LTLAs on the map, {t['metrics']} metrics")
        record(f"growth {f}x: build processing after parsing",
               f"{t['total']:.1f} s wall ({t['cpu']:.1f} s CPU), of which the mission's measures {t['mission']:.1f} s; "
               f"peak memory of the step {t['peak_mb']:.0f} MB")
        record(f"growth {f}x: map callback, each combination asked once (server time + loopback)",
               f"p50 {pct(ms, 50):.0f} ms, p95 {pct(ms, 95):.0f} ms, max {max(ms):.0f} ms (n={len(ms)}); "
               f"area page content median {statistics.median(s['area']) * 1000:.0f} ms (n={len(s['area'])}); "
               f"{s['errors']} error answers, {s['exceptions']} server tracebacks")
        record(f"growth {f}x: gunicorn start and memory",
               f"ready in {s['start']:.1f} s ({s['start_cpu']:.1f} s CPU); after start: {s['memory_start']}; "
               f"after the requests: {s['memory_end']}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--make":
        print(json.dumps(make(int(sys.argv[2]), Path(sys.argv[3]))))
    else:
        main()
