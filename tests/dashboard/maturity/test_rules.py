"""Unit tests: the level rule, next steps and the agreement measure (pure functions)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.maturity.model import LEVELS, RATINGS, load_model
from dashboard.maturity.rules import (agreement, cell_status, describe_agreement, effective_rating,
                                      level_reached, next_level, next_steps, overview)

MODEL = load_model()
H1 = MODEL.hallmark("1")


def _all(h, levels, value="fully"):
    return {c.id: value for lv in levels for c in h.level_criteria(lv)}


def test_nothing_rated_reaches_nothing():
    assert level_reached(H1, {}) is None
    assert next_level(H1, {}) == "assuring"
    assert [c.id for c in next_steps(H1, {})] == [c.id for c in H1.level_criteria("assuring")]
    assert all(cell_status(H1, lv, {}) == "not_yet" for lv in LEVELS)


def test_level_counts_only_when_all_its_criteria_are_fully_in_place():
    r = _all(H1, ["assuring"])
    assert level_reached(H1, r) == "assuring"
    r[H1.level_criteria("assuring")[0].id] = "partly"
    assert level_reached(H1, r) is None
    assert cell_status(H1, "assuring", r) == "partly"


def test_levels_are_cumulative():
    # optimising and maximising complete, assuring incomplete: nothing is reached
    r = _all(H1, ["optimising", "maximising"])
    assert level_reached(H1, r) is None
    assert cell_status(H1, "optimising", r) == "partly"  # criteria in place, lower level missing
    assert next_level(H1, r) == "assuring"
    r.update(_all(H1, ["assuring"]))
    assert level_reached(H1, r) == "maximising"
    assert next_level(H1, r) is None and next_steps(H1, r) == []
    assert all(cell_status(H1, lv, r) == "reached" for lv in LEVELS)


def test_next_steps_are_unmet_criteria_of_next_level():
    h = MODEL.hallmark("3a")
    r = _all(h, ["assuring"])
    first = h.level_criteria("optimising")[0]
    r[first.id] = "fully"
    steps = next_steps(h, r)
    assert next_level(h, r) == "optimising"
    assert [c.id for c in steps] == [c.id for c in h.level_criteria("optimising")[1:]]


def test_unknown_ratings_count_as_not_in_place():
    r = {c.id: "yes" for c in H1.level_criteria("assuring")}
    assert level_reached(H1, r) is None


def test_overview_covers_every_hallmark():
    rows = overview(MODEL, {})
    assert [row["hallmark"].id for row in rows] == ["1", "2", "3a", "3b", "4", "5", "6"]


rating_maps = st.dictionaries(st.sampled_from(sorted(MODEL.criteria)), st.sampled_from(RATINGS + (None,)))


@settings(max_examples=150, deadline=None)
@given(rating_maps, st.sampled_from(sorted(MODEL.criteria)))
def test_raising_a_rating_never_lowers_the_level(r, cid):
    h = MODEL.hallmark(MODEL.criteria[cid].hallmark)
    before = level_reached(h, r)
    after = level_reached(h, {**r, cid: "fully"})
    rank = lambda lv: -1 if lv is None else LEVELS.index(lv)  # noqa: E731
    assert rank(after) >= rank(before)
    # next steps never contain a fully-in-place criterion and belong to the next level
    for c in next_steps(h, r):
        assert r.get(c.id) != "fully" and c.level == next_level(h, r)


def test_agreement_measure():
    a = agreement(["fully", "fully", "partly", None])
    assert (a.n, a.modal, a.range, a.status) == (3, ("fully",), 1, "differ")
    assert abs(a.modal_share - 2 / 3) < 1e-9
    assert a.counts == {"not_in_place": 0, "partly": 1, "fully": 2}

    assert agreement([]).status == "no_ratings"
    assert agreement(["partly"]).status == "single"
    assert agreement(["partly", "partly"]).status == "agree"
    wide = agreement(["not_in_place", "fully"])
    assert (wide.status, wide.range, wide.modal, wide.modal_share) == (
        "differ_widely", 2, ("not_in_place", "fully"), 0.5)
    text = describe_agreement(wide, MODEL.rating_labels)
    assert "1 of 2 (50%)" in text and "tie" in text and "span 2 steps" in text
    assert "Differ widely" not in text  # the label is shown beside the sentence, never repeated in it
    line = str(__import__("dashboard.maturity.components", fromlist=["x"]).agreement_line(MODEL, wide))
    assert line.count("Differ widely") == 1


@given(st.lists(st.sampled_from(RATINGS), min_size=1, max_size=30))
def test_agreement_properties(vals):
    a = agreement(vals)
    assert a.n == len(vals) and sum(a.counts.values()) == a.n
    assert 1 / 3 - 1e-9 <= a.modal_share <= 1
    assert (a.range == 0) == (len(set(vals)) == 1)


def test_effective_rating():
    assert effective_rating("partly", ["fully", "fully"]) == "partly"
    assert effective_rating(None, ["fully", "fully", None]) == "fully"
    assert effective_rating(None, ["fully", "partly"]) is None
    assert effective_rating(None, []) is None


def test_one_rating_is_never_an_agreement():
    """A criterion rated by one participant is not "agreed": it needs at least two ratings."""
    assert effective_rating(None, ["fully"]) is None
    assert effective_rating(None, ["fully", None, None, None]) is None
    assert effective_rating("fully", ["partly"]) == "fully"  # the facilitator's consensus still counts
    single = agreement(["fully", None])
    assert single.status == "single" and single.label == "Only one rating"
    text = describe_agreement(single, MODEL.rating_labels)
    assert text.startswith("Only one rating") and "at least two" in text and "Agree" not in text
    # the group overview does not count a lone rating towards a level
    h = MODEL.hallmark("1")
    from dashboard.maturity.repository import effective_ratings

    snap = {"consensus": {}, "participants": [
        {"ratings": {c.id: {"rating": "fully"} for c in h.level_criteria("assuring")}}, {"ratings": {}}]}
    assert level_reached(h, effective_ratings(snap)) is None
    snap["participants"][1]["ratings"] = dict(snap["participants"][0]["ratings"])
    assert level_reached(h, effective_ratings(snap)) == "assuring"
