"""Compare, drivers and data pages: layouts with bad parameters, callbacks, URL state."""
from __future__ import annotations

from dashboard.analysis import methods_text
from tests.dashboard.support import page, text

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
