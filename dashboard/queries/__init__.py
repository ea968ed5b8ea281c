"""The only code that reads `data/build/`.

Pages, view models, downloads and the public `/api/v1` all ask these modules, so every figure
the app shows and every file it serves comes from the same place:

* `build`       the current build (frames read once per process) and the one per-build cache;
* `vocabulary`  geographies, nations, statuses and other labels, as the build wrote them;
* `catalogue`   the metrics catalogue and each metric's periods and geographies;
* `areas`       resolving codes, names, parents, children and the area search;
* `observations` rows by metric, area, period and geography, and benchmark values;
* `mission`     the mission's own tables (gap, LTLA ranking, regions and nations);
* `geometry`    the simplified boundaries sent to the browser.

Every cached answer lives on the `Build` it was computed from: when a new build is swapped in,
the next request sees a new `Build` and nothing stale can be served.
"""
from dashboard.queries import areas, build, catalogue, geometry, mission, observations, vocabulary  # noqa: F401
from dashboard.queries.build import current, per_build, warm  # noqa: F401
