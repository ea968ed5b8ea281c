"""App start to first served page (python -m dashboard with an existing build)."""
from __future__ import annotations

import sys
import time

from benchmarks.common import free_port, record, start_server, stop, wait_http


def main(runs: int = 3) -> None:
    print("App start")
    times = []
    for _ in range(runs):
        port = free_port()
        t0 = time.perf_counter()
        proc = start_server([sys.executable, "-m", "dashboard"], port)
        try:
            wait_http(f"http://127.0.0.1:{port}/", proc=proc)
            times.append(time.perf_counter() - t0)
        finally:
            stop(proc)
    record("start to first served page", f"median {sorted(times)[len(times) // 2]:.2f} s over {runs} runs "
           f"(min {min(times):.2f}, max {max(times):.2f}; target <= 3 s)")


if __name__ == "__main__":
    main()
