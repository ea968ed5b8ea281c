"""What a person waits for in a real browser: headless Chromium (Debian's, through Playwright)
against the Procfile's gunicorn on loopback.

* First load to charts drawn, for /, /map and /area/<code> (a different area each time), each in
  a fresh browser context (empty browser cache, no cookies). "Drawn" means, checked on every
  animation frame: the page-content callback has rendered the page; no callback request is in
  flight and Dash shows no pending callback or loading spinner; every visible plotly graph on the
  page has been plotted with painted traces (an empty graph counts only if it shows a message);
  the page's own chart is there (the overview: a painted trace; the map: its choropleth traces;
  an area: the spine chart, an HTML table); and it stays so for 0.4 s with no new
  callback started. Time from navigation start (before the HTML request). Charts below the
  first screen are drawn when scrolled to: a waiting box within the screen counts as not drawn.
* Chart below the first screen drawn after scrolling to it (the overview's gap chart, an area's
  trend charts): from the scroll to the chart's traces in the page.
* Map control change to repaint: from the press on a new option (mousedown) to the map's traces
  replaced or recoloured, alternately changing the measure and the period, always to a
  combination the server has not been asked for since it started (so no warmed per-build cache
  answers); then a few repeats of combinations already asked for, reported apart as "warm".
* Comparator switch to nearest neighbours on an area profile (LTLA): from the press on the radio
  to the spine section re-rendered and drawn. First switch per area (cold), then a second one.
"""
from __future__ import annotations

import random
import statistics
import time

from benchmarks.common import (QUICK, median_max, record, sample_ltlas, server_exceptions, server_log_tail,
                               start_procfile_server, stop)

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]  # as tests/conftest.py
VIEWPORT = {"width": 1280, "height": 900}
STABLE_MS = 400
TIMEOUT_MS = 90_000

# Counts Dash's callback requests in flight (until their body has arrived) and flags error
# answers; records when the last press happened.
INIT = r"""
(() => {
  const s = window.__cb = {inflight: 0, started: 0, lastStart: 0, lastEnd: 0, errors: 0, map: []};
  const orig = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : (input && input.url) || '';
    if (url.indexOf('_dash-update-component') < 0) { return orig.apply(this, arguments); }
    s.inflight++; s.started++; s.lastStart = performance.now();
    let req = null;
    try { req = JSON.parse((init && init.body) || 'null'); } catch (e) { req = null; }
    const done = () => { s.inflight--; s.lastEnd = performance.now(); };
    return orig.apply(this, arguments).then(r => {
      r.clone().text().then(t => {
        if ((r.status !== 200 && r.status !== 204) || /could not be drawn|notice--error/.test(t)) { s.errors++; }
        if (req && String(req.output).indexOf('map-payload.data') >= 0) {
          const inp = {}; (req.inputs || []).forEach(i => { inp[i.id] = i.value; });
          let period = null;
          try { period = ((JSON.parse(t).response || {})['map-period'] || {}).value || null; } catch (e) {}
          s.map.push({metric: inp['map-metric'], period: inp['map-period'], served: period});
        }
      }).catch(() => { s.errors++; }).then(done);
      return r;
    }, e => { s.errors++; done(); throw e; });
  };
  document.addEventListener('mousedown', () => { window.__t0 = performance.now(); }, true);
})();
"""

_COMMON = r"""
  const s = window.__cb || {inflight: 0};
  if (s.inflight > 0 || document.querySelector('._dash-loading-callback, ._dash-loading')) { return false; }
  const vis = e => e.getClientRects().length > 0;
  const drawnGraph = g => {
    const gd = g.classList.contains('js-plotly-plot') ? g : g.querySelector('.js-plotly-plot');
    if (!gd || !gd._fullLayout) { return false; }
    return (gd.data || []).length ? !!gd.querySelector('.trace, .choroplethlocation, .point')
                                  : ((gd.layout || {}).annotations || []).length > 0;
  };
  // a chart drawn only when scrolled to (a "deferred" box) counts once it is within the screen
  const onScreen = e => { const r = e.getBoundingClientRect();
                          return r.bottom > 0 && r.top < window.innerHeight && r.width > 0; };
  const settled = root => root && !Array.from(root.querySelectorAll(
      '.dash-spinner, [data-dash-is-loading="true"], .dash-graph--pending')).some(vis)
      && Array.from(root.querySelectorAll('.dash-graph')).filter(vis).every(drawnGraph)
      && !Array.from(root.querySelectorAll('.deferred-wait')).some(onScreen);
"""

DRAWN = "(req) => {" + _COMMON + r"""
  const root = document.getElementById('_pages_content') || document.body;
  if (!root.firstElementChild || !settled(root)) { return false; }
  if (req && !root.querySelector(req)) { return false; }
  window.__drawn = performance.now();
  return true;
}"""

MAP_GD = "(document.querySelector('#map-graph .js-plotly-plot') || document.querySelector('#map-graph.js-plotly-plot'))"
MAP_SIG = "(() => { const gd = " + MAP_GD + r"""; if (!gd) { return ''; }
  const fills = Array.from(gd.querySelectorAll('path.choroplethlocation, g.choroplethlayer path'))
    .map(p => p.style.fill || p.getAttribute('fill') || '').join('|');
  const hov = (gd.data || []).map(t => JSON.stringify((t.hovertext || t.text || []).slice(0, 2))).join('|');
  return fills + '#' + hov; })()"""
MAP_MARK = "() => { window.__mapData = (" + MAP_GD + " || {}).data; window.__mapSig = " + MAP_SIG + "; }"
MAP_CHANGED = "() => {" + _COMMON + r"""
  const gd = """ + MAP_GD + r""";
  if (!gd || !gd.querySelector('.trace') || !settled(document.getElementById('_pages_content'))) { return false; }
  if (gd.data === window.__mapData && """ + MAP_SIG + r""" === window.__mapSig) { return false; }
  window.__done = performance.now();
  return true;
}"""

SPINE_TEXT = "() => (document.getElementById('area-spine') || {}).textContent || ''"
SPINE_CHANGED = "(before) => {" + _COMMON + r"""
  const el = document.getElementById('area-spine');
  if (!el || el.textContent === before || !settled(el)) { return false; }
  if (!el.querySelector('.spine-chart')) { return false; }
  window.__done = performance.now();
  return true;
}"""

FACTS = r"""() => {
  const nav = performance.getEntriesByType('navigation')[0] || {};
  const res = performance.getEntriesByType('resource');
  const cbs = res.filter(e => e.name.indexOf('_dash-update-component') >= 0);
  const js = new Map();
  res.filter(e => e.initiatorType === 'script' || /\.js(\?|$)/.test(e.name)).forEach(e => {
    const o = js.get(e.name) || {transfer: 0, decoded: 0};
    js.set(e.name, {transfer: Math.max(o.transfer, e.transferSize),
                    decoded: Math.max(o.decoded, e.decodedBodySize)}); });
  const v = Array.from(js.values());
  const root = document.getElementById('_pages_content') || document.body;
  return {html: nav.responseEnd || 0, callbacks: (window.__cb || {}).started || 0,
          callbacks_done: (window.__cb || {}).lastEnd || 0, callback_errors: (window.__cb || {}).errors || 0,
          callback_kb: cbs.reduce((a, e) => a + e.decodedBodySize, 0) / 1024,
          graphs: Array.from(root.querySelectorAll('.dash-graph')).filter(e => e.getClientRects().length).length,
          apology: /could not be drawn/.test(root.textContent || ''),
          js_files: v.length, js_transfer: v.reduce((a, e) => a + e.transfer, 0),
          js_decoded: v.reduce((a, e) => a + e.decoded, 0)};
}"""

# the area profile's spine is an HTML table (its rows drawn in the page, not by plotly)
# what the first screen must show: the overview's headline cards (its charts are further down and
# drawn when scrolled to), the map's choropleth, an area's spine chart (an HTML table)
REQUIRED = {"/": ".ov-headlines .ov-card", "/map": "#map-graph .trace", "area": "#area-spine .spine-chart"}
# the charts below the first screen, drawn when scrolled to: the box, and what is drawn in it
BELOW = {"/": ("#ov-gap-chart", "#ov-gap-chart .main-svg .trace"),
         "area": ("#area-trend-charts", "#area-trend-charts .main-svg .trace")}
# the open list of one dropdown (its content sits next to the control in the same wrapper)
LIST = ".dash-dropdown-wrapper:has(#{c}) .dash-dropdown-content"
OPTION = LIST + ' label:has(input[value="{v}"])'
OPTION_VALUES = ("(sel) => Array.from(document.querySelectorAll(sel + ' label input[value]'))"
                 ".map(i => i.value).filter(v => v !== '')")


def _wait(page, predicate: str, arg=None, timeout: float = TIMEOUT_MS) -> None:
    page.wait_for_function(predicate, arg=arg, polling="raf", timeout=timeout)


def wait_drawn(page, required: str) -> float:
    """Wait until the page is drawn (see the module docstring) and stays so; ms since navigation."""
    deadline = time.perf_counter() + TIMEOUT_MS / 1000
    while True:
        _wait(page, DRAWN, required, timeout=max(1000.0, (deadline - time.perf_counter()) * 1000))
        drawn = page.evaluate("window.__drawn")
        page.wait_for_timeout(STABLE_MS)
        again = page.evaluate(DRAWN, required)
        if again and page.evaluate("window.__cb.lastStart") <= drawn:
            return drawn
        if time.perf_counter() > deadline:
            raise TimeoutError("the page did not settle")


def first_load(browser, url: str, required: str):
    """(context, page, ms to drawn or None if it never was, facts)."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.add_init_script(INIT)
    page = ctx.new_page()
    try:
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        ms = wait_drawn(page, required)
    except Exception as exc:  # noqa: BLE001 - reported as a load that was not drawn
        print(f"    {url} was not drawn: {str(exc).splitlines()[0][:200]}")
        return ctx, page, None, None
    return ctx, page, ms, page.evaluate(FACTS)


def _load_line(all_runs: list[tuple[str, float | None, dict | None]]) -> str:
    runs = [r for r in all_runs if r[1] is not None]
    missed = len(all_runs) - len(runs)
    if not runs:
        return f"no load was drawn within {TIMEOUT_MS / 1000:.0f} s ({missed} tried)"
    ms = [r[1] for r in runs]
    each = ", ".join(f"{r[0]} {r[1] / 1000:.2f}" for r in runs)
    html = statistics.median(r[2]["html"] for r in runs)
    done = statistics.median(r[2]["callbacks_done"] for r in runs)
    n = statistics.median(r[2]["callbacks"] for r in runs)
    kb = statistics.median(r[2]["callback_kb"] for r in runs)
    bad = sum(r[2]["apology"] or r[2]["callback_errors"] > 0 for r in runs)
    return (f"{median_max(ms, 's', 0.001, 2)}; medians: HTML {html / 1000:.2f} s, last callback answered "
            f"{done / 1000:.2f} s ({n:.0f} callbacks, {kb:.0f} KB), then drawing; runs: {each}"
            + (f"; {bad} run(s) showed an error" if bad else "")
            + (f"; {missed} not drawn within {TIMEOUT_MS / 1000:.0f} s" if missed else ""))


def _pick(page, control: str, choose) -> str | None:
    """Open a dropdown, pick a value with `choose(values)` and press it (None: nothing to pick)."""
    page.click(f"#{control}")
    lst = LIST.format(c=control)
    page.wait_for_selector(lst + " label input[value]", state="attached", timeout=10_000)
    value = choose(page.evaluate(OPTION_VALUES, lst))
    if value is None:
        page.keyboard.press("Escape")
        return None
    page.evaluate(MAP_MARK)
    page.locator(OPTION.format(c=control, v=value)).first.click(timeout=10_000)
    return value


def _map_changes(page, n_cold: int, n_warm: int) -> tuple[dict, dict, int]:
    """Alternate measure and period changes, always to a combination not asked for yet (a measure
    not chosen before; a period not seen with this measure); then repeats of combinations already
    asked for (a period seen with the measure shown, after switching, unmeasured, to a measure with
    two such periods if needed)."""
    rng = random.Random(5)
    seen: set[tuple[str, str]] = set()
    times: dict[str, list[float]] = {"measure": [], "period": [], "warm": []}
    answered: dict[str, list[float]] = {"measure": [], "period": [], "warm": []}
    failures = 0

    def log() -> list[dict]:
        return page.evaluate("window.__cb.map")

    def note_served() -> None:
        for m in log():
            seen.update({(m["metric"], m["period"]), (m["metric"], m["served"])})

    def periods_seen(metric: str) -> set[str]:
        return {p for m, p in seen if m == metric}

    def change(control: str, choose, kind: str | None) -> bool:
        """One change; its time goes to times[kind] (None: not measured). False: no option."""
        nonlocal failures
        try:
            value = _pick(page, control, choose)
            if value is None:
                return False
            if control == "map-metric":
                used.add(value)
            _wait(page, MAP_CHANGED, timeout=30_000)
            if kind:
                times[kind].append(page.evaluate("window.__done - window.__t0"))
                answered[kind].append(page.evaluate("window.__cb.lastEnd - window.__t0"))
        except Exception as exc:  # noqa: BLE001 - count it and go on with the next change
            failures += 1
            print(f"    map change ({kind or 'setup'}) failed: {str(exc)[-600:]}")
            page.keyboard.press("Escape")
        page.wait_for_timeout(300)
        note_served()
        return True

    def new_measure(vals):
        return next((v for v in rng.sample(vals, len(vals)) if v not in used), None)

    note_served()
    used = {m for m, _ in seen}
    if not log():
        # the first view comes with the page (no callback): one unmeasured change tells us the
        # measure shown, so later changes can go to combinations not asked for yet
        change("map-metric", new_measure, None)
    for i in range(n_cold):
        metric = log()[-1]["metric"]
        new_period = lambda vals: next((v for v in rng.sample(vals, len(vals)) if (metric, v) not in seen), None)
        if i % 2 and change("map-period", new_period, "period"):
            continue
        if not change("map-metric", new_measure, "measure"):  # also when this measure has one period
            print("    map change: no measure left that was not chosen before")
            break
    for _ in range(n_warm):
        if len(periods_seen(log()[-1]["metric"])) < 2:
            target = next((m for m in sorted(used) if len(periods_seen(m)) >= 2), None)
            if target is None or not change("map-metric", lambda vals: target if target in vals else None, None):
                print("    map change: no measure with two periods asked for; no warm repeats")
                break
        # what is shown now, from the page's address (a repeat may be answered without a request,
        # so the log of server answers can be behind)
        shown = page.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")
        metric = shown.get("metric") or log()[-1]["metric"]
        served = shown.get("period") or log()[-1]["served"]
        change("map-period", lambda vals: next((v for v in vals if (metric, v) in seen and v != served), None), "warm")
    return times, answered, failures


def scroll_to_chart(page, key: str) -> float:
    """ms from scrolling a chart's box into view to its chart drawn (see BELOW)."""
    box, drawn = BELOW[key]
    t0 = page.evaluate("(sel) => { const t = performance.now(); document.querySelector(sel).scrollIntoView(); "
                       "return t; }", box)
    _wait(page, "(sel) => { if (!document.querySelector(sel)) { return false; } "
                "window.__done = performance.now(); return true; }", drawn)
    return page.evaluate("window.__done") - t0


def _comparator(page) -> list[tuple[float, float]]:
    """Region -> nearest neighbours (cold), -> region, -> nearest neighbours again; (ms to the
    spine drawn, ms to the callback answered) each."""
    out = []
    for value in ("neighbours", "region", "neighbours"):
        before = page.evaluate(SPINE_TEXT)
        page.locator(f'#area-comparator label:has(input[value="{value}"])').click()
        _wait(page, SPINE_CHANGED, before, timeout=60_000)
        out.append((page.evaluate("window.__done - window.__t0"), page.evaluate("window.__cb.lastEnd - window.__t0")))
        page.wait_for_timeout(300)
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    runs = 1 if QUICK else 3
    areas = sample_ltlas(1 if QUICK else 4)
    cold, warm = (4, 2) if QUICK else (16, 6)
    print("Browser (headless Chromium, fresh context per load) against the Procfile's gunicorn")
    proc, base, workers = start_procfile_server(timeout=180)
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            loads: dict[str, list] = {"/": [], "/map": [], "/area/<code>": []}
            scrolled: dict[str, list[float]] = {"/": [], "area": []}
            js = None
            map_page = None
            for i in range(runs):
                for path in ("/", "/map"):
                    ctx, page, ms, facts = first_load(b, base + path, REQUIRED[path])
                    loads[path].append((f"#{i + 1}", ms, facts))
                    js = js or facts
                    if path == "/" and ms is not None:
                        scrolled["/"].append(scroll_to_chart(page, "/"))
                    if path == "/map" and ms is not None and (map_page is None or i == runs - 1):
                        if map_page:
                            map_page[0].close()
                        map_page = (ctx, page)
                    else:
                        ctx.close()
            comparator: list[list[float]] = []
            for code in areas:
                ctx, page, ms, facts = first_load(b, f"{base}/area/{code}", REQUIRED["area"])
                loads["/area/<code>"].append((code, ms, facts))
                try:
                    if ms is None:
                        raise RuntimeError("the page was not drawn")
                    comparator.append(_comparator(page))
                    scrolled["area"].append(scroll_to_chart(page, "area"))
                except Exception as exc:  # noqa: BLE001
                    print(f"    comparator switch on {code} failed: {str(exc).splitlines()[0][:160]}")
                ctx.close()
            for path, rs in loads.items():
                record(f"first load to charts drawn, {path}", _load_line(rs) + " (target <= 1.5 s)")
            for key, label in (("/", "/, the gap chart"), ("area", "/area/<code>, the trend charts")):
                if scrolled[key]:
                    record(f"chart below the first screen drawn after scrolling to it, {label}",
                           median_max(scrolled[key]))
            if js:
                record("JavaScript on a first visit", f"{js['js_files']} files, {js['js_transfer'] / 1e6:.2f} MB "
                       f"transferred, {js['js_decoded'] / 1e6:.2f} MB to evaluate")
            if map_page is None:
                raise RuntimeError("no /map load was drawn: the map changes could not be measured")
            times, answered, failures = _map_changes(map_page[1], cold, warm)
            map_page[0].close()

            def then(ms: list[float]) -> str:
                return f"; the callback answered after median {statistics.median(ms):.0f} ms" if ms else ""

            for kind, label in (("measure", "measure changed, cold"), ("period", "period changed, cold"),
                                ("warm", "repeat of a combination already asked for, warm")):
                record(f"map control change to repaint, {label}",
                       median_max(times[kind]) + then(answered[kind]) + " (target median <= 150 ms)")
            both = times["measure"] + times["period"]
            record("map control change to repaint, all cold changes",
                   median_max(both) + then(answered["measure"] + answered["period"]) + " (target median <= 150 ms)"
                   + (f"; {failures} changes did not repaint within 30 s" if failures else ""))
            switch = [[c[i][0] for c in comparator] for i in range(3)]
            switch_answered = [[c[i][1] for c in comparator] for i in range(3)]
            record("comparator switch to nearest neighbours, first time for the area",
                   median_max(switch[0]) + then(switch_answered[0]) + " (target <= 300 ms)")
            record("comparator switch back to region, then to nearest neighbours again",
                   f"back {median_max(switch[1])}{then(switch_answered[1])}; "
                   f"again {median_max(switch[2])}{then(switch_answered[2])}")
            b.close()
        n = server_exceptions(proc)
        if n:
            record("browser: server exceptions", f"{n} tracebacks logged by the server{server_log_tail(proc, 800)}")
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
