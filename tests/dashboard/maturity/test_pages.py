"""Page layouts: friendly not-found for bad tokens, token routing, escaping and static safety checks."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.config import ROOT
from dashboard.maturity import repository as repo
from tests.dashboard.support import flat, page_module

PAGES = ["maturity", "maturity_assess", "maturity_facilitate", "maturity_report"]


def test_routes_registered(app):
    import dash

    paths = {p.get("path_template") or p["path"] for p in dash.page_registry.values()}
    assert {"/maturity", "/maturity/a/<token>", "/maturity/f/<token>", "/maturity/r/<token>"} <= paths


@pytest.mark.parametrize("bad", [None, "", "nope", "x" * 40, "%00", "<script>"])
def test_bad_tokens_show_not_found(app, env_db, bad):
    for name in ("maturity_assess", "maturity_facilitate", "maturity_report"):
        with app.server.test_request_context("/"):
            out = flat(page_module(name).layout(token=bad))
        assert "Assessment not found" in out


def test_token_routing_and_escaping(app, env_db):
    t = repo.create_assessment("<script>alert(1)</script> Borough", "E08000035", "S", "2025-01-01", "F")
    p = repo.join(t["join_token"], "Ann")
    with app.server.test_request_context("/"):
        join = flat(page_module("maturity_assess").layout(token=t["join_token"]))
        rate = flat(page_module("maturity_assess").layout(token=p))
        fac = flat(page_module("maturity_facilitate").layout(token=t["facilitator_token"]))
        rep = flat(page_module("maturity_report").layout(token=t["facilitator_token"]))
        land = flat(page_module("maturity").layout())
    assert "Join assessment" in join and "mm-join-name" in join
    assert "mm-rate" in rate and "Saved" not in rate
    assert "/area/E08000035" in rate and "/map?metric=low_life_satisfaction&area=E08000035" in rate
    assert "Moderate" in fac and t["join_token"] in fac and "Smithson, J. (2022)" in fac
    assert "Next steps" in rep and "Level reached per hallmark" in rep
    # user text travels as a plain string prop (Dash renders it escaped)
    assert json.dumps("<script>alert(1)</script> Borough")[1:-1] in fac
    assert "Smithson, J. (2022) Maturity Model for Wellbeing Policy Making [PDF]" in land
    # the participant page never shows other people's tokens or ratings
    assert t["facilitator_token"] not in rate and t["facilitator_token"] not in join


def test_landing_works_without_data_build(app, env_db, monkeypatch):
    from dashboard.queries import areas

    def broken():
        raise FileNotFoundError("no build")

    monkeypatch.setattr(areas, "ltla_choices", broken)
    with app.server.test_request_context("/"):
        out = flat(page_module("maturity").layout())
    assert "Organisation or area name" in out and "type the name below" in out


def test_no_raw_html_anywhere():
    files = [ROOT / "dashboard" / "pages" / f"{n}.py" for n in PAGES] + list((ROOT / "dashboard" / "maturity").glob("*.py"))
    for f in files:
        src = Path(f).read_text()
        assert "dangerously_allow_html" not in src and "DangerouslySetInnerHTML" not in src, f
