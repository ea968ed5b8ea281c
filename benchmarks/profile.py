"""The area profile (/area/<code>) as users wait for it.

1. Server side, in process on the real build: the page's layout call (what the page-content
   callback runs) for several areas, the first one after the caches were warmed as the server
   warms them, and the comparator switch to nearest neighbours.
2. Real headless Chromium against `python -m dashboard`: first load of a profile in a fresh
   browser context until its spine chart is drawn (a different area each time, so no answer
   comes from a cache a user would not hit); the trend charts below the first screen, drawn when
   scrolled to, from the scroll to drawn; and the comparator switch to nearest neighbours until
   the new spine is shown.

`python -m benchmarks.profile` prints the figures (also part of `python -m benchmarks`).
"""
from __future__ import annotations

import os
import statistics
import sys
import time

from benchmarks.common import free_port, record, start_server, stop, wait_http

AREAS = ["E08000025", "E08000032", "W06000015", "E07000105", "E07000244", "E06000065", "E09000002",
         "E06000053", "S12000036", "E07000223"]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
# Drawn: the spine (an HTML chart, or a plotly one on older code) and the trend chart's SVG.
SPINE_DRAWN = "#area-spine .spine-chart, #area-spine-graph .main-svg"
TREND_DRAWN = "#area-trend-graph .main-svg"


def _load() -> str:
    try:
        return "load average %.1f %.1f %.1f" % os.getloadavg()
    except OSError:
        return "load average unknown"


def server_side() -> None:
    import dash  # noqa: F401  (the page registry needs an app)

    from dashboard.app import create_app
    from dashboard.queries import build

    build.reset()
    create_app()
    t = time.perf_counter()
    build.warm()
    warm_s = time.perf_counter() - t
    from tests.dashboard.support import page

    area = page("/area/<code>")
    first, again, switch = [], [], []
    for code in AREAS:
        t = time.perf_counter()
        area.layout(code=code)
        first.append(time.perf_counter() - t)
        t = time.perf_counter()
        area.layout(code=code)
        again.append(time.perf_counter() - t)
        t = time.perf_counter()
        area._on_comparator.__wrapped__("neighbours", code)
        switch.append(time.perf_counter() - t)
    record("profile: warming the caches before serving", f"{warm_s:.2f} s")
    record("profile: page layout, first view of an area (server)",
           f"median {statistics.median(first) * 1000:.0f} ms, max {max(first) * 1000:.0f} ms over {len(first)} areas")
    record("profile: page layout, same area again (server)", f"median {statistics.median(again) * 1000:.0f} ms")
    record("profile: comparator switch to nearest neighbours (server)",
           f"median {statistics.median(switch) * 1000:.0f} ms, max {max(switch) * 1000:.0f} ms")


def browser(n: int = 5) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_server([sys.executable, "-m", "dashboard"], port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/healthz", timeout=120, proc=proc)
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            warm = b.new_page()
            warm.goto(base + "/area/E06000001", wait_until="load")  # the server's own first request, not measured
            warm.wait_for_selector(SPINE_DRAWN, timeout=60000)
            loads, spines, switches, sizes, trends = [], [], [], [], []
            for code in AREAS[:n]:
                ctx = b.new_context(viewport={"width": 1280, "height": 900})
                p = ctx.new_page()
                got = []
                p.on("response", lambda r: got.append(r) if "_dash-update-component" in r.url else None)
                t = time.perf_counter()
                p.goto(f"{base}/area/{code}", wait_until="commit")
                p.wait_for_selector(SPINE_DRAWN, timeout=60000, state="attached")
                spines.append(time.perf_counter() - t)
                loads.append(time.perf_counter() - t)  # the trend charts below are drawn when scrolled to
                ts = time.perf_counter()
                p.locator("#area-trend-charts").scroll_into_view_if_needed()
                p.wait_for_selector(TREND_DRAWN, timeout=60000, state="attached")
                trends.append(time.perf_counter() - ts)
                sizes.append(sum(len(r.body()) for r in got if r.ok))
                p.evaluate("document.querySelector('#area-comparator') && "
                           "document.querySelector('#area-comparator').scrollIntoView()")
                t = time.perf_counter()
                p.locator("#area-comparator label").filter(has_text="Nearest neighbours").click()
                p.wait_for_function("() => /nearest neighbours of/i.test("
                                    "(document.querySelector('#area-spine') || {}).innerText || '')", timeout=60000)
                switches.append(time.perf_counter() - t)
                ctx.close()
            b.close()
        record("profile: first load to spine drawn (browser)",
               f"median {statistics.median(spines):.2f} s, max {max(spines):.2f} s over {len(spines)} areas")
        record("profile: first load to its first screen drawn (browser)",
               f"median {statistics.median(loads):.2f} s, max {max(loads):.2f} s (target <= 1.5 s)")
        record("profile: trend charts drawn after scrolling to them (browser)",
               f"median {statistics.median(trends) * 1000:.0f} ms, max {max(trends) * 1000:.0f} ms")
        record("profile: callback payload per first load (decoded)", f"median {statistics.median(sizes) / 1024:.0f} KB")
        record("profile: comparator switch to nearest neighbours (browser)",
               f"median {statistics.median(switches) * 1000:.0f} ms, max {max(switches) * 1000:.0f} ms "
               f"(target <= 300 ms)")
    finally:
        stop(proc)


def main() -> None:
    print(f"Area profile ({_load()})")
    server_side()
    browser()


if __name__ == "__main__":
    main()
