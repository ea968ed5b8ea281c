"""Load: the Procfile's gunicorn on loopback, 50 concurrent simulated users for 60 s mixing page
loads (HTML, layout, dependencies) and map callbacks. Bounded in users, time and requests; it
only ever talks to 127.0.0.1."""
from __future__ import annotations

import asyncio
import os
import random
import shlex
import time

from benchmarks.common import ROOT, free_port, pct, record, start_server, stop, wait_http
from benchmarks.map import MAP_OUTPUT, _payload_for

USERS = int(os.environ.get("BENCH_USERS", "50"))
# Each simulated user pauses 0.5-1.5 s between actions (reading the page), as a person does;
# BENCH_THINK=0 gives a closed loop with no pauses (a stress test rather than a user model).
THINK = float(os.environ.get("BENCH_THINK", "1.0"))
DURATION = float(os.environ.get("BENCH_SECONDS", "60"))
MAX_REQUESTS = 200_000


def procfile_command(port: int) -> tuple[list[str], int]:
    line = next(l for l in (ROOT / "Procfile").read_text().splitlines() if l.startswith("web:"))
    cmd = line.split(":", 1)[1].strip()
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
    cmd = (cmd.replace("${WEB_CONCURRENCY:-2}", str(workers)).replace("${PORT:-8050}", str(port))
           .replace("${HOST:-0.0.0.0}", "127.0.0.1"))
    args = shlex.split(cmd)
    args[0] = str(ROOT / ".venv" / "bin" / args[0]) if (ROOT / ".venv" / "bin" / args[0]).exists() else args[0]
    return args, workers


async def user(session, base, dep, cases, stats, stop_at, rng):
    import aiohttp

    while time.perf_counter() < stop_at and stats["n"] < MAX_REQUESTS:
        if rng.random() < 0.25:  # a page load: HTML shell + layout + dependencies
            reqs = [("GET", "/map", None), ("GET", "/_dash-layout", None), ("GET", "/_dash-dependencies", None)]
        else:                    # a control change on the map
            reqs = [("POST", "/_dash-update-component", _payload_for(dep, list(rng.choice(cases))))]
        for method, path, body in reqs:
            t = time.perf_counter()
            try:
                async with session.request(method, base + path, json=body,
                                           headers={"Accept-Encoding": "gzip"}) as r:
                    await r.read()
                    ok = r.status in (200, 204)
                    status = r.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                ok, status = False, type(exc).__name__
            stats["lat"].append(time.perf_counter() - t)
            stats["n"] += 1
            if not ok:
                stats["errors"] += 1
                stats.setdefault("error_kinds", {}).setdefault(f"{method} {path} -> {status}", 0)
                stats["error_kinds"][f"{method} {path} -> {status}"] += 1
        if THINK:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * THINK)


async def run(base: str, dep, cases) -> dict:
    import aiohttp

    stats = {"lat": [], "n": 0, "errors": 0}
    stop_at = time.perf_counter() + DURATION
    conn = aiohttp.TCPConnector(limit=USERS)
    async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=30)) as s:
        t0 = time.perf_counter()
        await asyncio.gather(*(user(s, base, dep, cases, stats, stop_at, random.Random(i)) for i in range(USERS)))
        stats["elapsed"] = time.perf_counter() - t0
    return stats


def main() -> None:
    import json
    import urllib.request

    from benchmarks.map import combos
    from dashboard.queries.build import current as store

    print(f"Load test: gunicorn (Procfile), {USERS} users, {DURATION:.0f} s")
    port = free_port()
    cmd, workers = procfile_command(port)
    proc = start_server(cmd, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/healthz", timeout=90, proc=proc)
        with urllib.request.urlopen(base + "/_dash-dependencies") as r:
            dep = next(d for d in json.loads(r.read()) if d["output"].startswith(MAP_OUTPUT))
        cases = combos(store(), 400)
        # warm every worker once
        for _ in range(workers * 2):
            urllib.request.urlopen(base + "/map").read()
        stats = asyncio.run(run(base, dep, cases))
    finally:
        stop(proc)
    ms = [x * 1000 for x in stats["lat"]]
    record("load: latency", f"p50 {pct(ms, 50):.0f} ms, p95 {pct(ms, 95):.0f} ms, p99 {pct(ms, 99):.0f} ms "
           f"(target p95 <= 250 ms)")
    record("load: throughput", f"{stats['n'] / stats['elapsed']:.0f} requests/s over {stats['elapsed']:.0f} s, "
           f"{stats['n']} requests, {stats['errors']} errors {stats.get('error_kinds', '')}, "
           f"{workers} gunicorn workers x 4 threads, {USERS} users, think time {'0.5-1.5 s' if THINK else 'none'}")


if __name__ == "__main__":
    main()
