"""ETL build time: from clean, and when no input changed (manifest fingerprint); peak memory."""
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


def _run(out: Path, *extra: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "etl", "build", "--out", str(out), *extra], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    print("ETL build")
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    out = tmp / "build"
    try:
        clean = _run(out)
        man = json.loads((out / "manifest.json").read_text())
        again = _run(out)
        same = json.loads((out / "manifest.json").read_text())["built_at"] == man["built_at"]
        record("build from clean (wall, incl. interpreter start)", f"{clean:.1f} s (target <= 30 s)")
        record("build in-process time (manifest)", f"{man['build_seconds']:.1f} s, peak memory {man['peak_memory_mb']:.0f} MB")
        record("rebuild with unchanged inputs", f"{again:.2f} s (target <= 2 s); artefacts reused: {same}")
        sizes = {p.name: p.stat().st_size for p in out.iterdir()}
        record("artefact sizes", ", ".join(f"{k} {v / 1024:.0f} KB" for k, v in sorted(sizes.items())))
        slow = sorted(man["parse_seconds"].items(), key=lambda kv: -kv[1])[:3]
        record("slowest parsers", ", ".join(f"{k} {v:.1f} s" for k, v in slow))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
