"""Compare, drivers and data pages: layouts with bad parameters, callbacks, URL state."""
from __future__ import annotations

from dashboard.analysis import methods_text
from tests.dashboard.support import flat, page, text

ERROR = "could not be drawn"


def test_compare_callback_and_url(app):
    compare = page("/compare")
    assert ERROR not in text(compare.layout(area="E09000002", group="la_type", metric="mean_anxiety"))
    assert "We don't know the local authority code" in text(compare.layout(area="ZZZ"))
    popts, period, hidden, content, search = compare.update.__wrapped__(
        "E09000002", "region", [], "mean_life_satisfaction", None, "region")
    assert period == "2022-23" and hidden is True
    assert "group=region" in search and "metric=mean_life_satisfaction" in search
    assert ERROR not in text(content) and "Similar" in str(content)
    _, _, hidden, content, search = compare.update.__wrapped__(
        None, "areas", ["E08000025", "E08000026"], "mean_anxiety", "2019-20", "area")
    assert hidden is False and "areas=E08000025%2CE08000026" in search
    out = compare.download.__wrapped__(1, "E09000002", "region", [], "mean_life_satisfaction", None, "england")
    assert out["filename"].startswith("compare_mean_life_satisfaction")


def test_drivers_callbacks(app):
    drivers = page("/drivers")
    assert ERROR not in text(drivers.layout(x="nonsense", area="E09000002"))
    xo, xp, yo, yp, content, search = drivers.update_scatter.__wrapped__(
        "mean_anxiety", "mean_life_satisfaction", None, None, "E09000002", None)
    assert xp == yp == "2022-23" and "Pearson r" in text(content)  # a headline as driver still works
    assert ERROR not in text(drivers.update_diff.__wrapped__(None))
    assert "Choose a driver" in text(drivers.update_scatter.__wrapped__("x", "y", None, None, None, None)[4])


def test_data_page_renders_the_one_methods_text(app):
    layout = page("/data").layout()
    sections = methods_text.sections()
    out = " ".join((str(layout) + " ".join(s["body"] for s in sections)).split())
    for s in ("/download/observations.csv", "Accessibility statement", "Wilson", "Byar", "worst third", "integrated care board",
              "air-quality", "Data freshness", "not CIPFA", "openapi.json", "Not yet published"):
        assert s.lower() in out.lower(), s
    rendered = []

    def walk(c):
        if type(c).__name__ == "Markdown":
            rendered.append(c.children)
        for k in (getattr(c, "children", None),):
            for x in (k if isinstance(k, (list, tuple)) else [k]):
                if hasattr(x, "to_plotly_json"):
                    walk(x)
    walk(layout)
    assert sections and [s["body"] for s in sections] == rendered[:len(sections)]
    assert all(s["title"] in str(layout) for s in sections)
    assert "methods-worst-third" in methods_text.anchors()


def test_drivers_default_to_the_closest_period_and_say_when_periods_differ(app):
    """Claimant count is by calendar year (to 2025), well-being by financial year (to 2022-23):
    the default pairs 2022 with 2022-23 and says how the periods differ."""
    drivers = page("/drivers")
    _, xp, _, yp, content, search = drivers.update_scatter.__wrapped__(
        "claimant_count_rate", "mean_life_satisfaction", None, None, None, None)
    assert (xp, yp) == ("2022", "2022-23")
    assert "xp=2022&" in search
    body = text(content)
    assert "The periods differ" in body and "January 2022 to December 2022" in body and "share 9 months" in body
    # a period the user chooses far away is called out too
    _, xp, _, yp, content, _ = drivers.update_scatter.__wrapped__(
        "claimant_count_rate", "mean_life_satisfaction", "2025", "2022-23", None, None)
    assert xp == "2025" and "begins 21 months after the headline period ends" in text(content)
    # the same period: nothing to say
    _, xp, _, yp, content, _ = drivers.update_scatter.__wrapped__(
        "child_poverty_bhc", "mean_life_satisfaction", None, None, None, None)
    assert xp == yp == "2022-23" and "The periods differ" not in text(content)


def test_compare_counts_and_authority_types_read_as_english(app):
    compare = page("/compare")
    *_, content, _ = compare.update.__wrapped__(None, "areas", ["E08000025"], "mean_anxiety", None, "england")
    body = text(content)
    assert "Chosen areas : 1 area." in body and "1 areas" not in body  # text() joins parts with spaces
    *_, content, _ = compare.update.__wrapped__("E06000001", "la_type", [], "mean_anxiety", None, "england")
    body = text(content)
    assert "Local authorities of the same type (Unitary authority) : 63 areas, the first 60 by name shown." in body
    assert "authoritys" not in body


def test_data_tables_scroll_inside_the_page(app):
    layout = flat(page("/data").layout())
    assert layout.count('"overflowX": "auto"') >= 2  # the catalogue and the freshness table
