"""`python -m benchmarks`: every benchmark, then a summary of all figures printed last.

BENCH_ONLY=browser,load runs some of them; BENCH_QUICK=1 shortens them all (to check they run:
its figures are not measurements)."""
from __future__ import annotations

import os
import sys
import time
import traceback

from benchmarks import browser, build, common, growth, load, map as map_bench, mission_model, profile, start

ORDER = (build, mission_model, start, map_bench, browser, profile, load, growth)


def main() -> int:
    only = {s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()}
    mods = [m for m in ORDER if not only or m.__name__.rsplit(".", 1)[-1] in only]
    t0 = time.perf_counter()
    start_load = common.loadavg()
    took = []
    for mod in mods:
        t = time.perf_counter()
        try:
            mod.main()
        except Exception:  # noqa: BLE001 - report and go on with the others
            traceback.print_exc()
            common.record(mod.__name__, "FAILED (see traceback above)")
        took.append(f"{mod.__name__.rsplit('.', 1)[-1]} {time.perf_counter() - t:.0f} s")
    quick = " (BENCH_QUICK=1: shortened runs, not measurements)" if common.QUICK else ""
    print(f"\n=== Benchmark summary ==={quick}")
    print(f"load average at the start: {start_load}; at the end: {common.loadavg()}. Times measured while the "
          f"load exceeds the core count are inflated; CPU times much less so.")
    for name, figure in common.RESULTS:
        print(f"{name}: {figure}")
    print(f"benchmarks ran in {time.perf_counter() - t0:.0f} s ({', '.join(took)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
