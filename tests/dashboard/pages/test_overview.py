"""The mission overview (/): layout with good and bad URL parameters, callbacks, downloads."""
from __future__ import annotations

import json

import dash
import pytest

from tests.dashboard.support import find_by_id, flat, page
from tests.dashboard.support import text as _text


def text(component) -> str:
    """The component's text with runs of spaces (from joining its parts) collapsed."""
    return " ".join(_text(component).split())


@pytest.fixture(scope="module")
def overview(app):
    return page("/")


@pytest.fixture(scope="module")
def layout(overview):
    return overview.layout()


def test_overview_layout_states_basis_caveat_and_verdict(layout):
    t = text(layout)
    assert "Basis of these results" in t and "should not be ranked naively" in t
    assert "Headline measures for the UK" in t and "Sorry" not in t
    assert "python -m" not in t and "etl" not in t.split()  # no maintainer instructions on a public page


def test_gap_section_shows_three_gaps_the_change_and_what_it_means(layout):
    verdict = text(find_by_id(layout, "ov-gap-verdict"))
    assert "Overall, published estimates:" in verdict and "Adjusted for sampling noise:" in verdict
    assert "Noise alone:" in verdict and "What this means:" in verdict
    assert "95% interval" in verdict and "2017-19 baseline" in verdict
    js = flat(layout)
    for anchor in ("methods-adjusted", "methods-noise-only", "methods-error-correlation", "methods-unranked",
                   "methods-mode-change"):
        assert f"/data#{anchor}" in js, anchor
    t = text(layout)
    assert "not ranked in 2022-23" in t and "How much does the assumed error correlation matter?" in t
    sens = find_by_id(layout, "ov-sensitivity-table")
    assert sens is not None and len(sens.children[1].children) == 3  # correlations 0, 0.3, 0.6


def test_mode_change_cited_to_ons_in_the_gap_and_scorecard_notes(overview, layout):
    from dashboard.queries import mission

    url = mission.survey_mode()["source_url"].dropna().iloc[0]
    assert url.startswith("https://www.ons.gov.uk/")
    assert url in flat(find_by_id(layout, "ov-score-mode"))  # the scorecard's note
    fig = overview.update_gap("overall")[0].figure
    assert any(url in a["text"] for a in fig["layout"]["annotations"])  # marked on the trend chart
    assert any(s["type"] == "line" and s["yref"] == "paper" for s in fig["layout"]["shapes"])
    # the headline cards, the gap and the scorecard each say so in words, with the citation
    assert text(layout).count("Change of survey method.") == 3 and flat(layout).count(url) >= 3


def test_charts_are_drawn_when_scrolled_to_as_plain_dict_figures(overview, layout):
    # below the first screen: the layout carries boxes of the charts' height, no figure
    assert find_by_id(layout, "ov-gap-graph") is None and find_by_id(layout, "ov-change-graph") is None
    for box in ("ov-gap-chart", "ov-change-chart"):
        el = find_by_id(layout, box)
        assert el.to_plotly_json()["props"]["data-seen-store"] == f"{box}-seen"
        assert find_by_id(layout, f"{box}-seen").data is False
    assert find_by_id(layout, "ov-gap-chart").style == {"minHeight": "480px"}
    gap_fig = overview.update_gap("overall")[0].figure
    change_fig = overview.update_change("mean_life_satisfaction", None).figure
    assert find_by_id(layout, "ov-change-chart").style == {"minHeight": f"{change_fig['layout']['height']}px"}
    for fig in (gap_fig, change_fig):
        assert isinstance(fig, dict) and fig["data"]  # no plotly.graph_objects validation on the server
        json.dumps(fig, allow_nan=True)
    names = [t.get("name") for t in gap_fig["data"] if t.get("name")]
    assert names == ["Published estimates", "Adjusted for sampling noise", "Noise alone (no real differences)"]
    assert all("error_y" in t for t in gap_fig["data"] if t.get("name"))
    assert any(s["type"] == "rect" for s in gap_fig["layout"]["shapes"])  # pre-baseline years shaded
    assert find_by_id(layout, "ov-scorecard-table") is not None
    # so no callback fires before the first paint
    from dash._callback import GLOBAL_CALLBACK_LIST

    ov_cbs = [c for c in GLOBAL_CALLBACK_LIST if "ov-" in json.dumps(c["output"]) and not c.get("clientside_function")]
    assert ov_cbs and all(c["prevent_initial_call"] for c in ov_cbs)


def test_scorecard_counts_holm_beside_raw_and_marks_rounding(layout):
    counts = text(find_by_id(layout, "ov-score-counts"))
    assert "(52 comparisons)" in counts and "Allowing for 52 tests at once (Holm's correction)" in counts
    assert "could be flipped by the publisher's rounding" in counts or "No call could be flipped" in counts


@pytest.mark.parametrize("query", [{"gap": "nonsense"}, {"period": "1999-00"}, {"metric": "'; drop"},
                                   {"unknown": "x"}])
def test_overview_bad_params_explained_not_500(overview, query):
    t = text(overview.layout(**query))
    assert "Well-being mission overview" in t and "Sorry" not in t
    if "unknown" not in query:
        assert "showing" in t


def test_overview_callbacks(overview):
    graph, verdict, cls, sens = overview.update_gap("overall")
    fig = graph.figure
    assert isinstance(fig, dict) and "2017-19 baseline" in text(verdict)
    assert any(t.get("mode") == "lines" for t in fig["data"])  # baseline reference lines
    graph, verdict, _, _ = overview.update_gap("mean_anxiety")
    fig = graph.figure
    assert text(verdict).startswith("Anxiety (mean), published estimates:")
    assert "worst third minus the rest" in fig["layout"]["yaxis"]["title"]["text"]
    card, counts, mode = overview.update_scorecard("2022-23")
    assert "significantly" in text(counts) and "Change of survey method." in text(mode)
    rows = card.children[1].children.children[1].children
    assert len(rows) == 14 and text(rows[0].children[0]) == "United Kingdom"
    fig = overview.update_change("mean_life_satisfaction", "2022-23").figure
    assert sum(len(t["y"]) for t in fig["data"]) == 14


def test_a_chart_not_yet_scrolled_to_is_not_drawn(overview):
    chart, verdict, _, _ = overview.update_gap("mean_anxiety", False)  # the measure changed before
    assert chart is dash.no_update and text(verdict).startswith("Anxiety (mean)")
    with pytest.raises(dash.exceptions.PreventUpdate):
        overview.update_change("mean_anxiety", "2022-23", False)


def test_table_alternatives_are_drawn_when_opened(overview):
    assert overview.wanted("ov-gap-details", "ov-gap-details", None)          # first opening click
    assert not overview.wanted("ov-gap-details", "ov-gap-details", ["drawn"])  # clicks after that
    assert not overview.wanted("ov-gap-metric", "ov-gap-details", None)        # a control, never opened
    assert overview.wanted("ov-gap-metric", "ov-gap-details", ["drawn"])       # a control, once drawn
    t = text(overview.gap_table_div("overall"))
    assert "Published-estimate gap" in t and "Adjusted gap" in t and "Noise-only gap" in t
    assert "pre-baseline context" in t
    # every place an adjusted figure appears links to the methods
    assert "/data#methods-adjusted" in flat(overview.gap_table_div("overall"))
    assert "/data#methods-adjusted" in flat(overview.update_gap("overall")[3])  # the sensitivity table
    assert "/data#methods-adjusted" in flat(overview.update_gap("overall")[1])  # the verdict
    assert "Northern Ireland" in text(overview.change_table_div("mean_happiness", "2022-23"))
    assert "After Holm's correction" in text(overview.headline_table_div())


def test_overview_callbacks_survive_junk(overview):
    assert text(overview.update_gap("<script>")[1]).startswith("Overall")
    assert "2022-23" in text(overview.update_scorecard("1066")[1])
    assert overview.update_change(None, "<b>").figure["data"]


def test_overview_downloads(overview):
    out = overview.dl_score(1, "2022-23")
    assert out["filename"].endswith(".csv") and "verdict_holm" in out["content"]
    gap = overview.dl_gap(1, "overall")["content"]
    for col in ("adjusted_gap", "adjusted_change_lower", "noise_only_gap", "adjusted_verdict", "mode_change"):
        assert col in gap.splitlines()[0]
    assert "baseline_value" in overview.dl_headline(1)["content"]
    assert "change_lower" in overview.dl_change(1, "mean_anxiety", "2022-23")["content"]
