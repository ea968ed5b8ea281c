"""The app draws every chart with the vendored plotly.js partial bundle (assets/vendor/), never
fetching the 4.8 MB full bundle, and every trace any page draws is a type that bundle holds
(plotly silently draws nothing for an unknown trace type, so this must be checked in a browser)."""
from __future__ import annotations

from tests.e2e.support import show_deferred

PAGES = [
    ("/", "#ov-gap-graph .main-svg"),
    ("/map?metric=mean_life_satisfaction&period=2022-23&geography=ltla", "#map-graph path.choroplethlocation"),
    ("/area/E09000002", "#area-trend-graph .main-svg"),
    ("/compare?area=E09000002&group=region&metric=mean_anxiety", "#cmp-graph .main-svg"),
    ("/drivers?area=E09000002&y=mean_anxiety", "#drv-scatter-graph .main-svg"),
]

TRACE_TYPES = """() => {
  const known = new Set(Object.keys(window.Plotly.PlotSchema.get().traces));
  const drawn = [];
  document.querySelectorAll('.js-plotly-plot').forEach(el => (el.data || []).forEach(t => drawn.push(t.type || 'scatter')));
  return {drawn: drawn, unknown: drawn.filter(t => !known.has(t)), version: window.Plotly.version};
}"""


def test_every_chart_uses_the_partial_bundle(live_server, page):
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    seen_types = set()
    for path, ready in PAGES:
        page.goto(live_server + path)
        page.wait_for_selector("#_pages_content > *", timeout=30000)
        show_deferred(page)  # the charts below the first screen too
        page.wait_for_selector(ready, timeout=30000)
        page.wait_for_timeout(400)
        got = page.evaluate(TRACE_TYPES)
        assert got["drawn"], f"no plotly traces on {path}"
        assert not got["unknown"], f"{path} draws trace types the partial bundle lacks: {got['unknown']}"
        seen_types.update(got["drawn"])
        from plotly.offline import get_plotlyjs_version

        assert got["version"] == get_plotlyjs_version()
    assert {"choropleth", "scatter"} <= seen_types
    assert any("/assets/vendor/plotly-geo-" in u for u in scripts), scripts
    assert not any("package_data/plotly.min.js" in u for u in scripts), "the full plotly.js bundle was fetched"
    assert not page.errors, page.errors
