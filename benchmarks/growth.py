"""Growth: how build processing and the map callback scale with the data (1x, 4x, 16x rows),
by replicating every period of the real build under shifted year labels in a benchmark-only
copy (never shown by the app)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, record

FACTORS = (1, 4, 16)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def shift(label: str, k: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group(1)) + 100 * k), label)


def replicate(df, factor: int):
    import pandas as pd

    parts = []
    for k in range(factor):
        c = df.copy()
        if k:  # new period labels; the dates stay (timestamps cannot reach the shifted years)
            c["period"] = c["period"].map(lambda p: shift(p, k))
        parts.append(c)
    return pd.concat(parts, ignore_index=True)


def processing_time(obs, areas, cat) -> float:
    """The build's work after parsing: validation, LTLA view and the mission's measures."""
    from etl import la_view, mission
    from etl.schema import validate_observations

    t = time.perf_counter()
    validate_observations(obs)
    la_view.build(obs, areas, cat)
    mission.compute(obs, areas, n_draws=200)
    return time.perf_counter() - t


CALLBACK_SCRIPT = r"""
import json, sys, time
sys.path.insert(0, %(root)r)
from benchmarks.map import combos
from dashboard.app import create_app
from dashboard.queries.build import current as store
create_app()
m = sys.modules['pages.map']
cases = combos(store(), 60)
t = time.perf_counter(); m.update_map(*cases[0]); first = time.perf_counter() - t
ts = []
for c in cases[1:]:
    t = time.perf_counter(); m.update_map(*c); ts.append(time.perf_counter() - t)
ts.sort()
print(json.dumps({"first": first, "p50": ts[len(ts) // 2], "p95": ts[int(len(ts) * 0.95)]}))
"""


def main() -> None:
    import os

    import pandas as pd

    print("Growth with data size")
    build = ROOT / "data" / "build"
    obs = pd.read_parquet(build / "observations.parquet")
    view = pd.read_parquet(build / "la_view.parquet")
    areas = pd.read_parquet(build / "areas.parquet")
    from etl import catalogue

    cat = catalogue.load()
    for f in FACTORS:
        big = replicate(obs, f)
        secs = processing_time(big, areas, cat)
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-growth-{f}x-"))
        try:
            for p in build.iterdir():
                if p.is_file():
                    shutil.copy(p, tmp / p.name)
            big.to_parquet(tmp / "observations.parquet", index=False)
            replicate(view, f).to_parquet(tmp / "la_view.parquet", index=False)
            out = subprocess.run([sys.executable, "-c", CALLBACK_SCRIPT % {"root": str(ROOT)}], cwd=ROOT,
                                 capture_output=True, text=True, env=dict(os.environ, WELLBEING_BUILD_DIR=str(tmp),
                                                                          WELLBEING_SYNC_WARM="1"))
            cb = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        cbtext = (f"map callback p50 {cb['p50'] * 1000:.0f} ms, p95 {cb['p95'] * 1000:.0f} ms, first {cb['first'] * 1000:.0f} ms"
                  if cb else f"callback run failed: {out.stderr[-300:]}")
        record(f"growth {f}x ({len(big):,} observation rows)", f"post-parse build processing {secs:.1f} s; {cbtext}")


if __name__ == "__main__":
    main()
