"""ETL build time: from clean (several runs: best and median, with the load average, since the
machine is shared), and when no input changed (manifest fingerprint); slowest parsers; peak
memory. BENCH_BUILD_RUNS sets the number of clean builds (default 3)."""
from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, record


def _run(out: Path, *extra: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the build and its workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "etl", "build", "--out", str(out), *extra], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    print("ETL build")
    runs = max(1, int(os.environ.get("BENCH_BUILD_RUNS", "3")))
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        clean, cpu, loads, parse = [], [], [], {}
        for i in range(runs):
            out = tmp / f"build{i}"
            loads.append(_load())
            wall, used = _run(out)
            clean.append(wall)
            cpu.append(used)
            man = json.loads((out / "manifest.json").read_text())
            for k, v in man["parse_seconds"].items():
                parse.setdefault(k, []).append(v)
        record("build from clean (wall, incl. interpreter start)",
               f"best {min(clean):.1f} s, median {statistics.median(clean):.1f} s of {runs} "
               f"({', '.join(f'{c:.1f}' for c in clean)} s; target <= 10 s)")
        record("build from clean, CPU (all processes)", f"median {statistics.median(cpu):.1f} s on 2 cores")
        record("load average before each clean build", "; ".join(loads))
        record("build in-process time (manifest, last run)", f"{man['build_seconds']:.1f} s; mission step "
               f"{man.get('mission_seconds', float('nan')):.1f} s")
        again, _ = _run(out)
        same = json.loads((out / "manifest.json").read_text())["built_at"] == man["built_at"]
        record("rebuild with unchanged inputs", f"{again:.2f} s (target <= 2 s); artefacts reused: {same}")
        # ru_maxrss of waited-for children = the largest single process (the build or a worker)
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        record("peak memory", f"build process {man['peak_memory_mb']:.0f} MB (manifest); "
                              f"largest single process {largest:.0f} MB")
        sizes = {p.name: p.stat().st_size for p in out.iterdir()}
        record("artefact sizes", ", ".join(f"{k} {v / 1024:.0f} KB" for k, v in sorted(sizes.items())))
        slow = sorted(((k, statistics.median(v)) for k, v in parse.items()), key=lambda kv: -kv[1])[:4]
        record("slowest parsers (median, in their worker)", ", ".join(f"{k} {v:.1f} s" for k, v in slow))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
