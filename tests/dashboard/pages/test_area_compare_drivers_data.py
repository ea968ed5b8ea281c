"""App-level tests for the area profile, compare, drivers, data pages, search and downloads
(layouts and callbacks called directly on the real build)."""
from __future__ import annotations

import io

import pandas as pd
import pytest

ERROR = "could not be drawn"


@pytest.fixture(scope="module")
def app(build_dir):
    import os

    os.environ["WELLBEING_BUILD_DIR"] = str(build_dir)
    from dashboard import data
    from dashboard.app import create_app

    data.reset()
    return create_app()


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def text(component) -> str:
    return str(component)


def page_module(name: str):
    """The page module as Dash loaded it (module 'pages.<name>'); importing dashboard.pages.<name>
    again would register the page twice."""
    import sys

    return sys.modules[f"pages.{name}"]


@pytest.mark.parametrize("code", ["E09000002", "E07000105", "E10000016", "E12000007", "E92000001", "W06000015"])
def test_area_layout_any_geography(app, code):
    area = page_module("area")

    out = text(area.layout(code=code))
    assert ERROR not in out
    assert "Headline well-being measures" in out
    assert f"/download/area/{code}.csv" in out


def test_area_journey_one_london_borough(app):
    area = page_module("area")

    out = text(area.layout(code="E09000002"))
    assert "worst third in 2022-23" in out and "1,000 simulations drawn from the published confidence intervals" in out
    assert "95% CI" in out and "Change 2011-12 to 2022-23" in out
    assert "Supporting and context metrics" in out


def test_area_journey_two_county_values_are_labelled(app):
    from dashboard.data import store
    area = page_module("area")

    lv = store().la_view
    if not (lv["native_geography"] == "utla").any():
        pytest.skip("no county-level metrics in this build")
    out = text(area.layout(code="E07000105"))  # Ashford, a Kent district
    assert "County-level value (Kent) shared by all its districts" in out


def test_area_unknown_and_retired(app):
    area = page_module("area")

    assert "We don't know the area code E99999999" in text(area.layout(code="E99999999"))
    assert "We don't know the area code" in text(area.layout(code="<b>"))
    out = text(area.layout(code="E08000016"))
    assert "/area/E08000038" in out and "Barnsley" in out


def test_area_comparator_callback(app):
    area = page_module("area")

    spine, search = area._on_comparator.__wrapped__("neighbours", "E09000002")
    assert "?comparator=neighbours" == search
    assert "nearest neighbours" in text(spine).lower() and "CIPFA" in text(spine)


def test_compare_callback_and_url(app):
    compare = page_module("compare")

    assert ERROR not in text(compare.layout(area="E09000002", group="la_type", metric="mean_anxiety"))
    assert "We don't know the local authority code" in text(compare.layout(area="ZZZ"))
    popts, period, hidden, content, search = compare.update.__wrapped__(
        "E09000002", "region", [], "mean_life_satisfaction", None, "region")
    assert period == "2022-23" and hidden is True
    assert "group=region" in search and "metric=mean_life_satisfaction" in search
    assert ERROR not in text(content) and "Similar" in text(content)
    _, _, hidden, content, search = compare.update.__wrapped__(
        None, "areas", ["E08000025", "E08000026"], "mean_anxiety", "2019-20", "area")
    assert hidden is False and "areas=E08000025%2CE08000026" in search


def test_drivers_callbacks(app):
    drivers = page_module("drivers")

    assert ERROR not in text(drivers.layout(x="nonsense", area="E09000002"))
    xo, xp, yo, yp, content, search = drivers.update_scatter.__wrapped__(
        "mean_anxiety", "mean_life_satisfaction", None, None, "E09000002", None)
    # a headline as driver still works (falls back to the latest common period)
    assert xp == yp == "2022-23" and "Pearson r" in text(content)
    diff = drivers.update_diff.__wrapped__(None)
    assert ERROR not in text(diff)


def test_data_page(app):
    data_methods = page_module("data_methods")

    out = text(data_methods.layout())
    for s in ("/download/observations.csv", "/download/observations.parquet", "Accessibility statement",
              "Wilson", "Byar", "worst third", "ICB", "air-quality", "Data freshness", "not CIPFA"):
        assert s.lower() in out.lower() or s in out, s


def test_search_options_and_navigation(app):
    from dashboard.components import search
    from dashboard.data import store

    opts = search.search_options(store().areas)
    labels = {o["value"]: o["label"] for o in opts}
    assert labels["E08000038"].startswith("Barnsley")
    assert "E12000007" in labels and "E92000001" in labels
    assert "former" in labels.get("E06000028", "former") or "old code" in labels.get("E06000028", "")
    assert search._go.__wrapped__("E09000002", "/") == "/area/E09000002"


def test_download_routes(client):
    r = client.get("/download/area/E09000002.csv")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    df = pd.read_csv(io.BytesIO(r.data))
    assert {"metric_id", "period", "value", "lower", "upper", "geography_note", "vs_national"} <= set(df.columns)
    assert client.get("/download/area/E99999999.csv").status_code == 404
    assert client.get("/download/area/E08000016.csv").status_code == 302
    r = client.get("/download/metrics.csv")
    assert r.status_code == 200 and r.data.startswith(b"") and b"publisher_url" in r.data
    r = client.get("/download/observations.parquet")
    assert r.status_code == 200 and r.data[:4] == b"PAR1"
    r = client.get("/download/observations.csv")
    assert r.status_code == 200 and r.data.splitlines()[0].startswith(b"metric_id,area_code")
