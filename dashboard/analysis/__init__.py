"""View models and computations behind the pages (no Dash components here).

Importing the package registers the warmers of the view models that keep per-build caches."""
from dashboard.analysis import map_view, neighbours  # noqa: F401
