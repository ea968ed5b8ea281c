"""The facilitator's workshop view: ratings as they arrive, the differ-only filter without empty
headings, copy buttons for every shareable link, and progress between rounds marked in words."""
from __future__ import annotations

from dashboard.maturity import facilitation, links
from dashboard.maturity import repository as repo
from dashboard.maturity.model import LEVELS, load_model
from tests.dashboard.support import components, flat, page_module

MODEL = load_model()


def _workshop():
    t = repo.create_assessment("Workshop Borough", None, "S", "2025-01-01", "Fay")
    return t, [repo.join(t["join_token"], n) for n in ("Ann", "Bob")]


# --------------------------------------------------------------------------- live ratings


def test_live_step_reports_only_changes(app, env_db):
    t, (ann, bob) = _workshop()
    page = page_module("maturity_facilitate")
    known = repo.version_stamp(t["facilitator_token"])
    assert page.live_step(t["facilitator_token"], known) is None  # nothing new: no re-render
    repo.save_rating(ann, "h1.a1", rating="fully")
    new = page.live_step(t["facilitator_token"], known)
    assert new is not None and new != known
    assert page.live_step(t["facilitator_token"], new) is None
    repo.save_rating(ann, "h1.a1", evidence="changed the note only")
    assert page.live_step(t["facilitator_token"], new) not in (None, new)
    newer = repo.version_stamp(t["facilitator_token"])
    repo.join(t["join_token"], "Cy")  # a new participant is news too
    assert page.live_step(t["facilitator_token"], newer) is not None
    repo.save_consensus(t["facilitator_token"], "h2.a1", rating="partly")
    assert repo.version_stamp(t["facilitator_token"]) != newer
    assert page.live_step("A" * 32, None) is None and repo.version_stamp("nope") is None


def test_new_ratings_are_rendered_without_a_reload(app, env_db):
    """The polled stamp changes -> the moderation callback re-renders the participants' side."""
    t, (ann, bob) = _workshop()
    page = page_module("maturity_facilitate")
    with app.server.test_request_context("/"):
        before = flat(page.layout(token=t["facilitator_token"]))
    assert "Definition on p.4" not in before
    assert "Refresh to see the latest ratings" not in before and "there is no need to reload" in before
    assert '"mm-live"' in before and '"mm-version"' in before
    repo.save_rating(ann, "h1.a1", rating="fully", evidence="Definition on p.4")
    repo.save_rating(bob, "h1.a1", rating="partly")
    view = page.moderation_view(t["facilitator_token"], only_differ=False)
    h1a1 = flat(view["indiv"]["h1.a1"])
    assert "Definition on p.4" in h1a1 and "Differ" in h1a1 and "1 of 2 (50%)" in h1a1
    assert view["participants"] == "Participants (2): Ann, Bob"


def test_a_refresh_re_renders_only_what_changed(app, env_db):
    """Re-rendering all 56 criteria froze the browser for seconds: only changed ones are sent."""
    t, (ann, bob) = _workshop()
    repo.save_rating(ann, "h1.a1", rating="fully")
    page = page_module("maturity_facilitate")
    first = page.moderation_view(t["facilitator_token"], False)
    assert set(first["indiv"]) == set(MODEL.criteria)  # nothing shown yet: everything
    shown = first["signatures"]
    assert page.moderation_view(t["facilitator_token"], False, shown)["indiv"] == {}
    repo.join(t["join_token"], "Cy")  # joining changes no criterion's table
    again = page.moderation_view(t["facilitator_token"], False, shown)
    assert again["indiv"] == {} and again["participants"] == "Participants (3): Ann, Bob, Cy"
    repo.save_rating(bob, "h2.a1", rating="partly")
    repo.save_rating(ann, "h1.a1", evidence="p.4")
    view = page.moderation_view(t["facilitator_token"], False, again["signatures"])
    assert set(view["indiv"]) == {"h1.a1", "h2.a1"} and "p.4" in flat(view["indiv"]["h1.a1"])
    assert view["hidden"] == {}
    # switching the filter sends hidden flags only
    flt = page.moderation_view(t["facilitator_token"], True, view["signatures"])
    assert flt["indiv"] == {} and flt["hidden"] and all(v is True for v in flt["hidden"].values())


# --------------------------------------------------------------------------- agreement


def test_a_single_rating_says_only_one_rating(app, env_db):
    t, (ann, _bob) = _workshop()
    repo.save_rating(ann, "h1.a1", rating="fully")
    page = page_module("maturity_facilitate")
    line = flat(page.moderation_view(t["facilitator_token"], False)["indiv"]["h1.a1"])
    assert "Only one rating" in line and "at least two" in line and '"Agree"' not in line
    snap = repo.facilitator_view(t["facilitator_token"])
    assert repo.effective_ratings(snap)["h1.a1"] is None
    with app.server.test_request_context("/"):
        report = flat(page_module("maturity_report").layout(token=t["facilitator_token"]))
    assert "only one rating: agreement needs at least two" in report


# --------------------------------------------------------------------------- differ-only filter


def test_differ_filter_hides_empty_levels_and_hallmarks(app, env_db):
    t, (ann, bob) = _workshop()
    repo.save_rating(ann, "h1.a1", rating="fully")
    repo.save_rating(bob, "h1.a1", rating="not_in_place")  # differ widely
    repo.save_rating(ann, "h2.o1", rating="partly")
    repo.save_rating(bob, "h2.o1", rating="fully")  # differ
    repo.save_rating(ann, "h3a.a1", rating="fully")
    repo.save_rating(bob, "h3a.a1", rating="fully")  # agree: hidden
    repo.save_rating(ann, "h4.a1", rating="fully")  # single: hidden
    vis = page_module("maturity_facilitate").moderation_view(t["facilitator_token"], only_differ=True)["visibility"]
    assert {c for c, v in vis["criteria"].items() if v} == {"h1.a1", "h2.o1"}
    assert {k for k, v in vis["levels"].items() if v} == {"1-assuring", "2-optimising"}
    assert {k for k, v in vis["hallmarks"].items() if v} == {"1", "2"}
    assert vis["summary"] == f"Showing the 2 criteria where participants differ (of {len(MODEL.criteria)})."
    everything = facilitation.visibility(MODEL, facilitation.agreements(MODEL, repo.facilitator_view(
        t["facilitator_token"])), only_differ=False)
    assert all(everything["criteria"].values()) and all(everything["levels"].values()) and everything["summary"] == ""
    none = facilitation.visibility(MODEL, facilitation.agreements(MODEL, {"participants": []}), True)
    assert not any(none["levels"].values()) and none["summary"].startswith("Participants do not differ")


def test_filter_is_wired_to_every_criterion_level_and_hallmark(app, env_db):
    t, _ = _workshop()
    with app.server.test_request_context("/"):
        tree = page_module("maturity_facilitate").layout(token=t["facilitator_token"])
    ids = [c.id for c in components(tree) if isinstance(getattr(c, "id", None), dict)]
    assert sum(i.get("type") == "mm-modcrit" for i in ids) == len(MODEL.criteria)
    assert sum(i.get("type") == "mm-modlevel" for i in ids) == len(MODEL.hallmarks) * len(LEVELS)
    assert sum(i.get("type") == "mm-modhall" for i in ids) == len(MODEL.hallmarks)
    # every level heading sits inside the element the filter hides
    for c in components(tree):
        if isinstance(getattr(c, "id", None), dict) and c.id.get("type") == "mm-modlevel":
            assert type(c.children[0]).__name__ == "H4"


# --------------------------------------------------------------------------- copy buttons


def _copy_buttons(tree):
    return [c for c in components(tree) if type(c).__name__ == "Button" and "mm-copy" in (c.className or "")]


def test_every_shareable_link_has_a_labelled_copy_button(app, env_db, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://wellbeing.example.gov.uk")
    t, (ann, _bob) = _workshop()
    page = page_module("maturity_facilitate")
    with app.server.test_request_context("/"):
        trees = {"facilitator": page.layout(token=t["facilitator_token"]),
                 "participant": page_module("maturity_assess").layout(token=ann),
                 "created": page_module("maturity")._links_panel(t, "Assessment created"),
                 "repeat": page._repeat(1, "2026-01-01", t["facilitator_token"])}
    want = {"facilitator": {"Copy joining link": f"/maturity/a/{t['join_token']}"},
            "participant": {"Copy your personal link": f"/maturity/a/{ann}"},
            "created": {"Copy facilitator link": f"/maturity/f/{t['facilitator_token']}",
                        "Copy joining link": f"/maturity/a/{t['join_token']}"}}
    for name, tree in trees.items():
        buttons = _copy_buttons(tree)
        assert buttons, name
        got = {b.children: getattr(b, "data-copy") for b in buttons}
        for label, path in want.get(name, {}).items():
            assert got[label] == "https://wellbeing.example.gov.uk" + path
        for b in buttons:
            assert b.type == "button" and b.children.startswith("Copy ")  # a real, named button
            assert getattr(b, "data-copy").startswith("https://wellbeing.example.gov.uk/maturity/")
            assert getattr(b, "aria-describedby")  # names the link it copies
            status = getattr(b, "data-status")
            assert any(getattr(c, "id", None) == status and c.role == "status" for c in components(tree))
    repeat = {b.children: getattr(b, "data-copy") for b in _copy_buttons(trees["repeat"])}
    assert set(repeat) == {"Copy the repeat's facilitator link", "Copy the repeat's participant link"}
    assert repeat["Copy the repeat's participant link"].startswith("https://wellbeing.example.gov.uk/maturity/a/")
    assert links.is_safe_href(repeat["Copy the repeat's participant link"])


def test_copy_script_is_served():
    from dashboard.config import ROOT

    js = (ROOT / "assets" / "maturity.js").read_text()
    assert "button.mm-copy" in js and "data-copy" in js and "429" in js and "Retry-After" in js


# --------------------------------------------------------------------------- progress between rounds


def test_progress_marks_what_changed_in_words(app, env_db):
    t, (ann, bob) = _workshop()
    h1 = MODEL.hallmark("1")
    for p in (ann, bob):
        for c in h1.level_criteria("assuring"):
            repo.save_rating(p, c.id, rating="fully")
    repo.save_consensus(t["facilitator_token"], "h2.a1", rating="fully")
    second = repo.start_repeat(t["facilitator_token"], "2026-01-01")
    a2, b2 = (repo.join(second["join_token"], n) for n in ("Ann", "Bob"))
    for p in (a2, b2):
        for c in h1.level_criteria("assuring") + h1.level_criteria("optimising"):
            repo.save_rating(p, c.id, rating="fully")
    repo.save_consensus(second["facilitator_token"], "h2.a1", rating="partly")
    series = repo.series_for_facilitator(second["facilitator_token"])
    prog = facilitation.progress(MODEL, [repo.effective_ratings(s) for s in series])
    row1 = dict((h.id, cells) for h, cells in prog["hallmarks"])["1"]
    assert row1[0] == {"text": "Assuring", "change": None, "note": ""}
    assert row1[1]["text"] == "Optimising" and row1[1]["change"] == "up" and row1[1]["note"] == "up from Assuring"
    unchanged = dict((h.id, cells) for h, cells in prog["hallmarks"])["3a"]
    assert unchanged[1]["change"] is None and unchanged[1]["note"] == "no change"
    crit = dict((c.id, cells) for c, cells in prog["criteria"])
    assert crit["h2.a1"][1]["change"] == "down" and crit["h2.a1"][1]["note"] == "down from Fully in place"
    assert prog["changed"]["hallmarks"] == 1
    with app.server.test_request_context("/"):
        out = flat(page_module("maturity_facilitate").progress_table(MODEL, series))
    assert "Changed: up from Assuring" in out and "Changed: down from Fully in place" in out
    assert "1 hallmark level and" in out
