"""/data: the model diagnostics section (reliabilities and variance components per measure and
year, from the build's small-area model) and the methods sections the adjusted figures link to."""
from __future__ import annotations

import pandas as pd

from tests.dashboard.support import find_by_id, flat, page, text


def test_model_diagnostics_table_from_the_build(app, build_dir):
    layout = page("/data").layout()
    model = pd.read_parquet(build_dir / "mission_model.parquet")
    rel = find_by_id(layout, "data-model-reliability")
    assert rel is not None and len(rel.data) == model["period"].nunique()
    row = next(r for r in rel.data if r["Year"] == "2022-23")
    want = model.query("period == '2022-23' and metric_id == 'mean_life_satisfaction'").iloc[0]
    assert row["Life satisfaction (mean)"].startswith(f"{want['median_reliability']:.2f} (")
    var = find_by_id(layout, "data-model-variance")
    assert var is not None and len(var.data) == len(rel.data)
    assert "/api/v1/mission/model?format=csv" in flat(layout)
    assert "Model diagnostics" in text(layout)


def test_every_methods_anchor_the_overview_links_to_exists(app):
    from dashboard.analysis import methods_text, mission_view

    anchors = set(methods_text.anchors())
    for href in mission_view.METHODS.values():
        assert href.startswith("/data#") and href.split("#", 1)[1] in anchors, href
