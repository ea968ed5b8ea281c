"""Map interaction: server time and response size of the values callback, side by side with the
naive approach (a callback that rebuilds the whole choropleth figure, geometry included)."""
from __future__ import annotations

import gzip
import json
import random
import time

from benchmarks.common import QUICK, pct, record, summary_ms

MAP_OUTPUT = "..map-payload.data"


def _payload_for(dep, values):
    parts = dep["output"].strip(".").split("...")
    return {"output": dep["output"], "outputs": [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts],
            "inputs": [{"id": i["id"], "property": i["property"], "value": v} for i, v in zip(dep["inputs"], values)],
            "state": [], "changedPropIds": [f"{dep['inputs'][0]['id']}.value"]}


def combos(store, n: int, seed: int = 7):
    obs = store.frame("observations")
    pairs = obs[obs["geography"] == "ltla"][["metric_id", "period"]].drop_duplicates()
    rng = random.Random(seed)
    rows = pairs.to_records(index=False).tolist()
    rng.shuffle(rows)
    out = []
    for i in range(n):
        m, p = rows[i % len(rows)]
        out.append((m, p, "ltla", "quantile" if i % 2 else "benchmark", "E92000001"))
    return out


def naive_figure(store, metric: str, period: str) -> str:
    """What a figure-rebuilding callback would send: a full plotly figure with the geometry."""
    import plotly.graph_objects as go

    gj = json.loads((store.dir / "geo_ltla.geojson").read_text())
    v = store.frame("la_view")
    sub = v[(v["metric_id"] == metric) & (v["period"] == period)]
    fig = go.Figure(go.Choropleth(geojson=gj, locations=sub["area_code"], z=sub["value"],
                                  featureidkey="id", colorscale="Blues",
                                  customdata=sub[["lower", "upper", "status"]].to_numpy(),
                                  hovertemplate="%{location}: %{z}<extra></extra>"))
    fig.update_geos(fitbounds="locations", visible=False)
    return fig.to_json()


def main(n: int | None = None) -> None:
    n = n or (40 if QUICK else 200)
    print("Map interaction (in-process server time, Flask test client, app as gunicorn loads it)")
    from dashboard.queries.build import current as store
    from dashboard.wsgi import app  # data loaded and caches warmed as in production (--preload)

    client = app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if d["output"].startswith(MAP_OUTPUT))
    cases = combos(store(), n)
    # warm-up: first request per process loads data; measured separately
    t = time.perf_counter()
    client.post("/_dash-update-component", json=_payload_for(dep, list(cases[0])))
    first = time.perf_counter() - t
    times, sizes, gz = [], [], []
    for c in cases:
        body = _payload_for(dep, list(c))
        t = time.perf_counter()
        r = client.post("/_dash-update-component", json=body)
        times.append(time.perf_counter() - t)
        assert r.status_code == 200, r.data[:300]
        sizes.append(len(r.data))
        gz.append(len(gzip.compress(r.data)))
    record("map values callback, server time", summary_ms(times) + f"; first request {first * 1000:.0f} ms")
    record("map values callback, response size", f"median {pct(sizes, 50) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB "
           f"(gzip median {pct(gz, 50) / 1024:.1f} KB; target <= 15 KB)")
    ntimes, nsizes = [], []
    for m, p, *_ in cases[:10]:
        t = time.perf_counter()
        text = naive_figure(store(), m, p)
        ntimes.append(time.perf_counter() - t)
        nsizes.append(len(text.encode()))
    record("naive figure-rebuilding callback", summary_ms(ntimes) + f"; size median {pct(nsizes, 50) / 1024:.0f} KB")
    record("ratio naive / ours", f"time p95 x{pct(ntimes, 95) / pct(times, 95):.1f}, size x{pct(nsizes, 50) / pct(sizes, 50):.0f}")
    geo = (store().dir / "geo_ltla.geojson").read_bytes()
    record("LTLA geometry", f"{len(geo) / 1024:.0f} KB raw, {len(gzip.compress(geo)) / 1024:.0f} KB gzipped "
           "(target <= 150 KB), served once with Cache-Control max-age=1 year + ETag")
    r = client.get("/geo/ltla.geojson", headers={"Accept-Encoding": "gzip"})
    record("geometry response headers", f"{r.status_code}, Content-Encoding={r.headers.get('Content-Encoding')}, "
           f"Cache-Control={r.headers.get('Cache-Control')}")


if __name__ == "__main__":
    main()
