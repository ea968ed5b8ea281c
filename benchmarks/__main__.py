"""`python -m benchmarks`: every benchmark, then a summary of all figures printed last."""
from __future__ import annotations

import sys
import traceback

from benchmarks import browser, build, common, growth, load, map as map_bench, profile, start


def main() -> int:
    for mod in (build, start, map_bench, browser, profile, load, growth):
        try:
            mod.main()
        except Exception:  # noqa: BLE001 - report and go on with the others
            traceback.print_exc()
            common.record(mod.__name__, "FAILED (see traceback above)")
    print("\n=== Benchmark summary ===")
    for name, figure in common.RESULTS:
        print(f"{name}: {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
