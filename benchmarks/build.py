"""ETL build time: from clean, and when no input changed (manifest fingerprint); the slowest
parsers and peak memory. Wall time and CPU time (user + system of the build and the parser
processes it forks): CPU time is barely inflated by other work on a shared machine."""
from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, record


def _run(out: Path, *extra: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "etl", "build", "--out", str(out), *extra], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    print("ETL build")
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    out = tmp / "build"
    try:
        clean, clean_cpu = _run(out)
        man = json.loads((out / "manifest.json").read_text())
        again, again_cpu = _run(out)
        same = json.loads((out / "manifest.json").read_text())["built_at"] == man["built_at"]
        record("build from clean (wall, incl. interpreter start)",
               f"{clean:.1f} s wall, {clean_cpu:.1f} s CPU (target <= 10 s)")
        record("build in-process time (manifest)", f"{man['build_seconds']:.1f} s, peak memory "
               f"{man['peak_memory_mb']:.0f} MB; mission step {man.get('mission_seconds', float('nan')):.1f} s")
        record("rebuild with unchanged inputs", f"{again:.2f} s wall, {again_cpu:.2f} s CPU (target <= 2 s); "
               f"artefacts reused: {same}")
        sizes = {p.name: p.stat().st_size for p in out.iterdir()}
        record("artefact sizes", ", ".join(f"{k} {v / 1024:.0f} KB" for k, v in sorted(sizes.items())))
        slow = sorted(man["parse_seconds"].items(), key=lambda kv: -kv[1])[:3]
        record("slowest parsers (wall, in parallel)", ", ".join(f"{k} {v:.1f} s" for k, v in slow))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
