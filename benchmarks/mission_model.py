"""The mission step of the build (`mission.compute` on the built observations): wall and CPU time,
and how much of it the small-area model and its error-correlation sensitivity take.
Needs a build in data/build (`python -m etl build`)."""
from __future__ import annotations

import statistics
import time

from benchmarks.common import QUICK, ROOT, record


def _time(fn, repeat: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def main(repeat: int | None = None) -> None:
    repeat = repeat or (1 if QUICK else 3)
    import pandas as pd

    from etl import mission

    print("Mission step (small-area model included)")
    build = ROOT / "data" / "build"
    obs, areas = pd.read_parquet(build / "observations.parquet"), pd.read_parquet(build / "areas.parquet")
    full = _time(lambda: mission.compute(obs, areas), repeat)
    central = _time(lambda: mission.compute(obs, areas, sensitivity=()), repeat)
    record("mission step, everything", f"{full[0]:.2f} s wall, {full[1]:.2f} s CPU (median of {repeat})")
    record("mission step without the error-correlation sensitivity",
           f"{central[0]:.2f} s wall, {central[1]:.2f} s CPU")


if __name__ == "__main__":
    main()
