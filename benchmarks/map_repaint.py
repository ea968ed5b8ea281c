"""The map as a user meets it, in headless Chromium against the Procfile's gunicorn:

* first load of /map to the map drawn, from a fresh browser profile (nothing cached), and from a
  returning visitor's profile (assets and geometry in the browser cache, as a user would have);
* control change to repainted map, alternating metric and period changes, each asking the
  server for a view no one asked for before in that run (so no answer comes from a cache the
  benchmark warmed; the first view of every measure is warmed before forking, as in production);
* requests the page makes per change besides the values callback (e.g. a favicon re-fetch).

`python -m benchmarks.map_repaint [changes]` prints the figures.
"""
from __future__ import annotations

import os
import shlex
import statistics
import subprocess
import sys
import time

from benchmarks.common import ROOT, free_port, record, stop, wait_http

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
PATHS = "#map-graph g.choroplethlayer path"
URL = "/map?metric=mean_life_satisfaction&period=2022-23&geography=ltla"
SIG = """() => Array.from(document.querySelectorAll('#map-graph g.choroplethlayer path'))
  .map(p => p.style.fill || p.getAttribute('fill') || '').join('|')"""
VERBOSE = "-v" in sys.argv
CHANGED = """(before) => { const s = (%s)(); if (s && s !== before) { window.__done = performance.now(); return true; }
  return false; }""" % SIG


def procfile_command(port: int) -> list[str]:
    """The Procfile's web command with $PORT and ${WEB_CONCURRENCY:-2} filled in."""
    line = next(ln for ln in (ROOT / "Procfile").read_text().splitlines() if ln.startswith("web:"))
    cmd = line.split(":", 1)[1].strip()
    cmd = cmd.replace("${WEB_CONCURRENCY:-2}", os.environ.get("WEB_CONCURRENCY", "2"))
    cmd = cmd.replace("${PORT:-8050}", str(port)).replace("0.0.0.0", "127.0.0.1")
    return shlex.split(cmd)


def start_gunicorn(port: int) -> subprocess.Popen:
    env = dict(os.environ, PORT=str(port), SECRET_KEY="bench",
               PATH=f"{os.path.dirname(sys.executable)}:{os.environ.get('PATH', '')}")
    env.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'bench.sqlite'}")
    return subprocess.Popen(procfile_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _choose(page, dropdown: str, text: str) -> None:
    page.click(f"#{dropdown}")
    page.locator(".dash-dropdown-content .dash-dropdown-option", has_text=text).first.click()


def _load(b, base: str, storage: str | None = None) -> float:
    ctx = b.new_context(viewport={"width": 1280, "height": 900})
    p = ctx.new_page()
    t = time.perf_counter()
    p.goto(base + URL, wait_until="commit")
    p.wait_for_selector(PATHS, timeout=60000)
    p.wait_for_function("() => document.querySelectorAll('#map-graph g.choroplethlayer path').length > 300")
    out = time.perf_counter() - t
    ctx.close()
    return out


def main(changes: int = 16) -> None:
    from playwright.sync_api import sync_playwright

    from dashboard import queries as q

    print(f"Map in the browser (headless Chromium, Procfile gunicorn; load average {os.getloadavg()[0]:.1f})")
    q.build.reset()
    # distinct (measure, period) pairs on the LTLA map: every change asks for a view not yet seen
    means = [m for m in q.catalogue.mean_ids() if q.catalogue.has_data(m)]
    others = [m["id"] for m in q.catalogue.with_data(("supporting",))
              if q.observations.published_at(m["id"], "ltla") and len(q.catalogue.periods(m["id"])) > 1]
    titles = {m["id"]: m["title"] for m in q.catalogue.with_data()}
    port = free_port()
    proc = start_gunicorn(port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/healthz", timeout=120, proc=proc)
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            _load(b, base)  # the server's first page (imports, first callbacks): not measured
            cold = [_load(b, base) for _ in range(5)]
            record("/map first load to drawn, fresh browser", f"median {statistics.median(cold):.2f} s, "
                   f"max {max(cold):.2f} s over {len(cold)} fresh profiles (target <= 1.5 s)")
            ctx = b.new_context(viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.goto(base + URL)
            page.wait_for_selector(PATHS)
            warm = []
            for _ in range(5):
                t = time.perf_counter()
                page.goto(base + URL, wait_until="commit")
                page.wait_for_function("() => document.querySelectorAll('#map-graph g.choroplethlayer path')"
                                       ".length > 300", timeout=60000)
                warm.append(time.perf_counter() - t)
            record("/map load to drawn, returning visitor (browser cache)", f"median {statistics.median(warm):.2f} s")
            page.wait_for_timeout(800)
            # requests that reached the network (a memory or disk cache hit is not one)
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            sent, cached = {}, set()
            cdp.on("Network.requestWillBeSent", lambda e: sent.__setitem__(e["requestId"], e["request"]["url"]))
            cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
            cdp.on("Network.responseReceived", lambda e: cached.add(e["requestId"])
                   if e["response"].get("fromDiskCache") or e["response"].get("fromPrefetchCache") else None)
            page.evaluate("document.addEventListener('mousedown', () => { window.__t0 = performance.now(); }, true)")
            used = {("mean_life_satisfaction", "2022-23")}
            pool = [m for m in means + others if m != "mean_life_satisfaction"]
            periods_of = {m: list(reversed(q.catalogue.periods(m))) for m in means + others}
            times = {"metric": [], "period": []}
            metric = "mean_life_satisfaction"
            for i in range(changes):
                shown = page.inner_text("#map-period").strip()
                if i % 2 == 0:  # metric change (the period stays when the new measure has it)
                    kind, metric, period = "metric", pool[(i // 2) % len(pool)], None
                else:  # period change: one not shown before for this measure
                    cand = [p for p in periods_of[metric] if p != shown and (metric, p) not in used]
                    kind, period = "period", (cand[len(cand) // 2] if cand else periods_of[metric][-1])
                before = page.evaluate(SIG)
                if kind == "metric":
                    _choose(page, "map-metric", titles[metric])
                else:
                    _choose(page, "map-period", period)
                try:
                    page.wait_for_function(CHANGED, arg=before, timeout=15000, polling="raf")
                except Exception:  # noqa: BLE001 - the same colours (e.g. tied classes): not a repaint
                    if VERBOSE:
                        print(f"    {kind} {metric} {period}: no repaint")
                    continue
                times[kind].append(page.evaluate("window.__done - window.__t0"))
                if VERBOSE:
                    print(f"    {kind} {metric} {period or ''}: {times[kind][-1]:.0f} ms")
                page.wait_for_timeout(300)
                used.add((metric, page.inner_text("#map-period").strip()))
                page.wait_for_timeout(100)
            both = times["metric"] + times["period"]
            record("control change to repainted map", f"median {statistics.median(both):.0f} ms, max {max(both):.0f} ms "
                   f"over {len(both)} changes (target median <= 150 ms)")
            for k, v in times.items():
                if v:
                    record(f"  {k} changes", f"median {statistics.median(v):.0f} ms over {len(v)}")
            extra = [u for rid, u in sent.items() if rid not in cached and "_dash-update-component" not in u]
            others_seen = [u.split(base, 1)[-1] for u in extra]
            record("other requests during the changes", f"{len(others_seen)}"
                   + (f" (e.g. {', '.join(sorted(set(others_seen))[:3])})" if others_seen else ""))
            b.close()
    finally:
        stop(proc)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 16)
