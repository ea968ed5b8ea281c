"""Unknown addresses answer HTTP 404 (with the app, which draws the not-found page); known pages,
former areas' codes and the plain routes keep their status."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/nope", "/nope/deeper", "/area", "/area/E99999999", "/area/not-a-code",
                                  "/not-found-404", "/mapx", "/compare/extra"])
def test_unknown_addresses_are_404_with_the_app(client, path):
    r = client.get(path)
    assert r.status_code == 404, path
    assert b"_dash-config" in r.data  # the app itself, which draws the not-found page or the area page's notice
    assert client.head(path).status_code == 404


@pytest.mark.parametrize("path", ["/", "/map", "/compare?area=zzz", "/drivers", "/data", "/maturity",
                                  "/area/E09000002", "/area/e09000002", "/area/E07000165", "/area/E47000001",
                                  "/area/E08000016", "/map/"])
def test_pages_and_known_areas_are_200(client, path):
    assert client.get(path).status_code == 200, path


def test_plain_routes_keep_their_own_status(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/metrics").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/assets/app.css").status_code == 200
    assert client.get("/assets/nothing-here.css").status_code == 404


def test_status_follows_dashs_own_page_matching(app):
    from dashboard import not_found

    assert not_found.status_for("/area/E09000002") == 200
    assert not_found.status_for("/area/%3Cscript%3E") == 404
    assert not_found.status_for("/maturity") == 200
    assert not_found.status_for("/nope") == 404
