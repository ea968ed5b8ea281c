"""Load: the Procfile's gunicorn on loopback with 50 simulated users for 60 s.

Each user loads a page (/, /map or an area profile) as a browser with an empty cache does: the
HTML; the JavaScript and CSS files the HTML links (up to 6 at a time, like a browser's
connections to one host); `_dash-layout` and `_dash-dependencies`; then the page-content
callback Dash pages fires on every load (`_pages_location` -> `_pages_content`, its request
built from `_dash-dependencies` as the renderer builds it). On /map the first values callback and
the boundaries follow, then 1-4 control changes (measure or period), each a values callback.
Users pause 0.5-1.5 s between actions. A callback that answers with an error status, a body that
is not Dash's answer, or the app's apology counts as an error, never as a success.
Bounded in users, time and requests; it only ever talks to 127.0.0.1."""
from __future__ import annotations

import asyncio
import gzip
import os
import random
import time
import zlib
from collections import defaultdict

from benchmarks.common import (ACCEPT_ENCODING, QUICK, callback_body, callback_error, callback_url, cpu_seconds,
                               dash_config, find_dependency, gunicorn_memory, map_pairs, page_assets,
                               page_content_body, page_content_dependency, pct, record, sample_ltlas,
                               server_exceptions, start_procfile_server, stop, wait_workers)

USERS = int(os.environ.get("BENCH_USERS", "10" if QUICK else "50"))
DURATION = float(os.environ.get("BENCH_SECONDS", "15" if QUICK else "60"))
# BENCH_THINK=0 gives a closed loop with no pauses (a stress test rather than a user model).
THINK = float(os.environ.get("BENCH_THINK", "1.0"))
MAX_REQUESTS = 200_000
BROWSER_CONNECTIONS = 6
MAP_OUTPUT = "map-payload.data"
PAGES = (("/", 0.25), ("/map", 0.40), ("area", 0.35))


def decode(body: bytes, encoding: str | None) -> bytes:
    enc = (encoding or "").lower()
    if enc == "gzip":
        return gzip.decompress(body)
    if enc == "deflate":
        return zlib.decompress(body)
    if enc == "br":
        import brotli

        return brotli.decompress(body)
    if enc == "zstd":
        try:
            from compression import zstd  # Python 3.14
        except ImportError:
            from backports import zstd
        return zstd.decompress(body)
    return body


class Stats:
    def __init__(self):
        self.lat: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_kinds: dict[str, int] = defaultdict(int)
        self.page_loads: dict[str, list[float]] = defaultdict(list)
        self.n = 0
        self.resent = 0
        self.client_cpu = 0.0


async def fetch(session, stats: Stats, kind: str, method: str, url: str, body=None, check=False,
                text=False) -> bytes | None:
    """One request, timed and classified (`check`: a callback, its answer inspected); returns the
    body, decoded when `check` or `text`, or None on an error."""
    import aiohttp

    t = time.perf_counter()
    err, data = None, None
    for attempt in (1, 2):
        try:
            async with session.request(method, url, json=body, headers={"Accept-Encoding": ACCEPT_ENCODING}) as r:
                raw = await r.read()
                if check:
                    data = decode(raw, r.headers.get("Content-Encoding"))
                    err = callback_error(r.status, data)
                elif r.status != 200:
                    err = f"HTTP {r.status}"
                else:
                    data = decode(raw, r.headers.get("Content-Encoding")) if text else raw
            break
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            # gunicorn closes idle keep-alive connections after 2 s; a browser resends a request
            # whose reused connection was closed before any answer, once. So do we.
            err = f"{type(exc).__name__} {exc}"[:90]
            if attempt == 1:
                stats.resent += 1
                err = None
                continue
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            err = f"{type(exc).__name__} {exc}"[:90]
            break
    stats.lat[kind].append(time.perf_counter() - t)
    stats.n += 1
    if err:
        stats.errors[kind] += 1
        stats.error_kinds[f"{kind}: {err}"] += 1
        return None
    return data


async def page_load(session, stats: Stats, base: str, path: str, ctx: dict) -> bool:
    t0 = time.perf_counter()
    html = await fetch(session, stats, "html", "GET", base + path, text=True)
    if html is None:
        return False
    text = html.decode("utf-8", "replace")
    sem = asyncio.Semaphore(BROWSER_CONNECTIONS)

    async def limited(*args, **kw):
        async with sem:
            return await fetch(session, stats, *args, **kw)

    assets = page_assets(text) or ctx["assets"]
    await asyncio.gather(*(limited("static asset", "GET", base + a) for a in assets))
    await asyncio.gather(limited("_dash-layout", "GET", base + "/_dash-layout"),
                         limited("_dash-dependencies", "GET", base + "/_dash-dependencies"))
    cfg = dash_config(text) or ctx["config"]
    ok = await fetch(session, stats, "page-content callback", "POST", base + callback_url(cfg),
                     page_content_body(ctx["pages_dep"], path.split("?")[0]), check=True) is not None
    if path == "/map":
        m, p = ctx["rng"].choice(ctx["pairs"])
        await asyncio.gather(
            fetch(session, stats, "map callback", "POST", base + callback_url(cfg),
                  callback_body(ctx["map_dep"], [m, p, "ltla", "quantile", "england"], []), check=True),
            limited("geometry", "GET", base + "/geo/ltla.geojson"))
    stats.page_loads["/area/<code>" if path.startswith("/area/") else path].append(time.perf_counter() - t0)
    return ok


async def user(session, stats: Stats, base: str, ctx: dict, stop_at: float, rng: random.Random):
    ctx = dict(ctx, rng=rng)
    cfg = ctx["config"]
    while time.perf_counter() < stop_at and stats.n < MAX_REQUESTS:
        page = rng.choices([p for p, _ in PAGES], weights=[w for _, w in PAGES])[0]
        path = f"/area/{rng.choice(ctx['areas'])}" if page == "area" else page
        await page_load(session, stats, base, path, ctx)
        if path == "/map":
            state = list(rng.choice(ctx["pairs"])) + ["ltla", "quantile", "england"]
            for _ in range(rng.randint(1, 4)):
                if time.perf_counter() >= stop_at:
                    break
                await asyncio.sleep(rng.uniform(0.5, 1.5) * THINK)
                if rng.random() < 0.5:  # a new measure (its period as the pair has it)
                    state[0], state[1] = rng.choice(ctx["pairs"])
                    changed = "map-metric.value"
                else:
                    periods = ctx["periods"][state[0]]
                    state[1] = rng.choice(periods)
                    changed = "map-period.value"
                await fetch(session, stats, "map callback", "POST", base + callback_url(cfg),
                            callback_body(ctx["map_dep"], state, [changed]), check=True)
        await asyncio.sleep(rng.uniform(0.5, 1.5) * THINK)


async def run(base: str, ctx: dict) -> tuple[Stats, float]:
    import aiohttp

    stats = Stats()
    stop_at = time.perf_counter() + DURATION
    # idle connections closed before gunicorn's 2 s keep-alive does, so a request rarely meets a
    # connection the server is closing
    conn = aiohttp.TCPConnector(limit=USERS * BROWSER_CONNECTIONS, keepalive_timeout=1.5)
    async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=60),
                                     auto_decompress=False) as s:
        t0, c0 = time.perf_counter(), time.process_time()
        await asyncio.gather(*(user(s, stats, base, ctx, stop_at, random.Random(i)) for i in range(USERS)))
        elapsed = time.perf_counter() - t0
        stats.client_cpu = time.process_time() - c0
    return stats, elapsed


def setup(base: str) -> dict:
    import json
    import urllib.request

    with urllib.request.urlopen(base + "/map") as r:
        html = r.read().decode()
    with urllib.request.urlopen(base + "/_dash-dependencies") as r:
        deps = json.loads(r.read())
    pairs = map_pairs("ltla")
    periods: dict[str, list[str]] = defaultdict(list)
    for m, p in pairs:
        periods[m].append(p)
    return {"config": dash_config(html), "assets": page_assets(html), "pages_dep": page_content_dependency(deps),
            "map_dep": find_dependency(deps, MAP_OUTPUT), "pairs": pairs, "periods": dict(periods),
            "areas": sample_ltlas(120)}


def main() -> None:
    print(f"Load test: the Procfile's gunicorn, {USERS} users, {DURATION:.0f} s")
    proc, base, workers = start_procfile_server(timeout=180)
    try:
        ctx = setup(base)
        wait_workers(proc, workers)
        cpu0 = cpu_seconds(proc.pid)
        stats, elapsed = asyncio.run(run(base, ctx))
        server_cpu = cpu_seconds(proc.pid) - cpu0
        memory = gunicorn_memory(proc)
        exceptions = server_exceptions(proc)
    finally:
        stop(proc)
    every = [x for v in stats.lat.values() for x in v]
    n_err = sum(stats.errors.values())

    def line(vals: list[float]) -> str:
        ms = [x * 1000 for x in vals]
        return f"p50 {pct(ms, 50):.0f} ms, p95 {pct(ms, 95):.0f} ms, p99 {pct(ms, 99):.0f} ms (n={len(ms)})"

    record("load: every request", line(every) + " (target p95 <= 250 ms)")
    for kind in ("html", "static asset", "_dash-layout", "_dash-dependencies", "page-content callback",
                 "map callback", "geometry"):
        if stats.lat.get(kind):
            errs = f", {stats.errors[kind]} errors" if stats.errors[kind] else ""
            record(f"load: {kind}", line(stats.lat[kind]) + errs)
    for page, vals in sorted(stats.page_loads.items()):
        record(f"load: whole page load {page} (HTML to page content answered)", line(vals))
    kinds = "; ".join(f"{k} x{v}" for k, v in sorted(stats.error_kinds.items())) or "none"
    record("load: throughput and errors",
           f"{stats.n / elapsed:.0f} requests/s over {elapsed:.0f} s, {stats.n} requests, {n_err} errors ({kinds}); "
           f"{stats.resent} resent once after the server closed an idle connection; "
           f"server logged {exceptions} tracebacks; {workers} gunicorn workers x 4 threads, {USERS} users, "
           f"think time {'0.5-1.5 s' if THINK else 'none'}; the client (sharing the cores) used "
           f"{stats.client_cpu:.1f} s CPU, the server {server_cpu:.1f} s")
    record("load: memory at the end", memory)


if __name__ == "__main__":
    main()
