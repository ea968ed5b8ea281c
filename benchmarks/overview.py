"""The mission overview (/): what its callbacks cost on the server, and first load to drawn in real
headless Chromium against the Procfile's gunicorn.

    python -m benchmarks.overview [--loads N] [--no-browser]

"Drawn" means the headline cards and the scorecard table are in the page: what the first screen
shows. The gap chart and the change chart lie below it and are drawn when scrolled to; the time
from scrolling to each one to its traces painted is measured too.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from benchmarks.common import free_port, record, start_server, stop, wait_http

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
DRAWN = """() => document.querySelector('.ov-headlines .ov-card') !== null
      && document.querySelector('#ov-scorecard-table td') !== null"""
PAINTED = "(id) => document.querySelector(`#${id} .main-svg g.scatterlayer .trace`) !== null"
CHARTS = (("ov-gap-chart", "ov-gap-graph"), ("ov-change-chart", "ov-change-graph"))


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms (n={len(values)})"


def server_side(repeats: int = 15) -> None:
    """Each overview callback as Dash calls it (including JSON encoding of its outputs)."""
    from plotly.utils import PlotlyJSONEncoder

    from dashboard.app import create_app
    from tests.dashboard.support import page

    create_app()
    ov = page("/")
    calls = {"layout": lambda: ov.layout(),
             "gap callback": lambda: ov.update_gap("overall"),
             "scorecard callback": lambda: ov.update_scorecard(None),
             "change callback": lambda: ov.update_change("mean_life_satisfaction", None)}
    for name, fn in calls.items():
        fn()  # first call warms the build's frames
        times, size = [], 0
        for _ in range(repeats):
            t = time.perf_counter()
            out = fn()
            size = len(json.dumps(out, cls=PlotlyJSONEncoder))
            times.append(time.perf_counter() - t)
        record(f"overview {name} (server, incl. JSON)", f"{_ms(times)}, {size / 1024:.0f} KB")


def _chromium_cpu(b) -> float:
    """CPU seconds used so far by every Chromium process (browser, renderers, GPU, utilities)."""
    cdp = b.new_browser_cdp_session()
    try:
        return sum(p.get("cpuTime", 0.0) for p in cdp.send("SystemInfo.getProcessInfo")["processInfo"])
    finally:
        cdp.detach()


def _server_cpu(pid: int | None) -> float:
    """CPU seconds used so far by a server process and its children (the gunicorn workers)."""
    if pid is None:
        return float("nan")
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid] + _children(pid):
        try:
            f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []


def first_load(b, base: str, width: int, server_pid: int | None = None) -> dict:
    """One first visit in a fresh context: seconds to drawn; CPU seconds Chromium and the server
    spent on it (CPU time depends much less on the machine's load than the wall clock does); the
    number of callback requests made before the page was drawn."""
    cpu0, srv0 = _chromium_cpu(b), _server_cpu(server_pid)
    ctx = b.new_context(viewport={"width": width, "height": 900})
    p = ctx.new_page()
    calls = []
    p.on("request", lambda r: calls.append(r.url) if "_dash-update-component" in r.url else None)
    t = time.perf_counter()
    p.goto(base + "/", wait_until="commit")
    p.wait_for_function(DRAWN, timeout=60000, polling="raf")
    wall = time.perf_counter() - t
    n = len(calls)
    out = {"wall": wall, "browser_cpu": _chromium_cpu(b) - cpu0, "server_cpu": _server_cpu(server_pid) - srv0,
           "callbacks": n}
    for box, graph in CHARTS:
        t = time.perf_counter()
        p.locator(f"#{box}").scroll_into_view_if_needed()
        p.wait_for_function(PAINTED, arg=graph, timeout=60000, polling="raf")
        out[graph] = time.perf_counter() - t
    ctx.close()
    return out


def browser(loads: int = 5) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    proc = start_server([sys.executable, "-m", "gunicorn", "--preload", "--workers", workers, "--threads", "4",
                         "--bind", f"127.0.0.1:{port}", "--timeout", "60", "dashboard.wsgi:server"], port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/healthz", proc=proc)
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            for width, label in ((1280, "desktop 1280 px"), (390, "phone 390 px")):
                # one unmeasured visit per worker: a user does not meet a cold worker twice
                for _ in range(int(workers)):
                    warm = b.new_page(viewport={"width": width, "height": 900})
                    warm.goto(base + "/")
                    warm.wait_for_function(DRAWN, timeout=60000)
                    warm.close()
                runs = [first_load(b, base, width, proc.pid) for _ in range(loads)]
                record(f"/ first load to drawn, {label}", f"{_ms([r['wall'] for r in runs])} (target <= 1.5 s)")
                for _, graph in CHARTS:
                    record(f"/ {graph} drawn after scrolling to it, {label}", _ms([r[graph] for r in runs]))
                record(f"/ CPU per first load, {label}",
                       f"Chromium {_ms([r['browser_cpu'] for r in runs])}; server {_ms([r['server_cpu'] for r in runs])}; "
                       f"{max(r['callbacks'] for r in runs)} callback requests before drawn")
            b.close()
    finally:
        stop(proc)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--loads", type=int, default=5)
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args(argv)
    print(f"Mission overview (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    server_side()
    if not a.no_browser:
        browser(a.loads)


if __name__ == "__main__":
    main()
