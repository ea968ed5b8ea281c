"""The mission overview (/): layout with good and bad URL parameters, callbacks, downloads."""
from __future__ import annotations

import pytest

from tests.dashboard.support import page, text


@pytest.fixture(scope="module")
def overview(app):
    return page("/")


def test_overview_layout_states_basis_caveat_and_verdict(overview):
    t = text(overview.layout())
    assert "Basis of these results" in t and "should not be ranked naively" in t
    assert "Headline measures for the UK" in t and "Sorry" not in t
    assert "python -m" not in t and "etl" not in t.split()  # no maintainer instructions on a public page


@pytest.mark.parametrize("query", [{"gap": "nonsense"}, {"period": "1999-00"}, {"metric": "'; drop"},
                                   {"unknown": "x"}])
def test_overview_bad_params_explained_not_500(overview, query):
    t = text(overview.layout(**query))
    assert "Well-being mission overview" in t and "Sorry" not in t
    if "unknown" not in query:
        assert "showing" in t


def test_overview_callbacks(overview):
    fig, data, cols, verdict, cls = overview.update_gap("overall")
    assert data and "2017-19 baseline" in verdict
    assert fig.data[1].y is not None and len(fig.layout.shapes) >= 1  # baseline reference line
    fig, data, cols, verdict, _ = overview.update_gap("mean_anxiety")
    assert {t.name for t in fig.data} >= {"Worst third (mean)", "The rest (mean)"}
    card, counts = overview.update_scorecard("2022-23")
    assert "significantly" in counts
    rows = card.children[1].data
    assert len(rows) == 14 and rows[0]["Area"] == "United Kingdom"
    fig, data, cols = overview.update_change("mean_life_satisfaction", "2022-23")
    assert len(data) == 14 and fig.data


def test_overview_callbacks_survive_junk(overview):
    assert overview.update_gap("<script>")[3].startswith("Overall")
    assert "2022-23" in overview.update_scorecard("1066")[1]


def test_overview_downloads(overview):
    out = overview.dl_score(1, "2022-23")
    assert out["filename"].endswith(".csv") and "verdict" in out["content"]
    assert "gap" in overview.dl_gap(1, "overall")["content"]
    assert "baseline_value" in overview.dl_headline(1)["content"]
    assert "change_lower" in overview.dl_change(1, "mean_anxiety", "2022-23")["content"]
