"""Evidence links that look local never lead off the site; shareable links never come from Host."""
from __future__ import annotations

import os
import urllib.parse

import pytest

from dashboard.maturity import repository as repo
from tests.dashboard.support import flat, page_module

OFF_SITE_IN_DISGUISE = [
    "/\\evil.example/phish", "\\\\evil.example/phish", "/\\/evil.example", "\\/evil.example",
    "//evil.example/x", "///evil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example",
    "/ /evil.example", "/\u3000/evil.example", "/\u200b/evil.example", "/%2F/evil.example", "/%2f%2fevil.example",
    "/%5Cevil.example", "/%5cevil.example", "/%09/evil.example", "/%0a/evil.example", "/%00/evil",
    "/\uff0f\uff0fevil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "java\tscript:alert(1)", "vbscript:msgbox(1)", "data:text/html,<b>x</b>", "file:///etc/passwd",
    "http:/evil.example", "https:evil.example", "http:\\\\evil.example", "https:/\\evil.example",
    "https://good.example@evil.example/", "https://good.example\\@evil.example", "http://", "https://",
    "https:// evil.example", "https://evil.example/a b", "ftp://evil.example", "//", "/\\", "evil.example/x",
    "mailto:x@evil.example", "https://evil.example\u202e/gpj.exe", "\u202ehttps://x.example",
]
SAFE = ["/area/E08000035", "/map?metric=low_life_satisfaction&area=E08000035", "/data#methods", "/",
        "https://www.ons.gov.uk/peoplepopulationandcommunity/wellbeing", "http://example.org/a?b=1#c",
        "HTTPS://EXAMPLE.ORG/X", "https://example.org:8443/x", "https://example.org/caf\u00e9"]


@pytest.mark.parametrize("value", OFF_SITE_IN_DISGUISE)
def test_disguised_or_unsafe_links_are_text_only(value):
    if "\n" not in value and "\r" not in value:  # stored links are one per line
        assert all(not ok for _, ok in repo.safe_links(value))
    from dashboard.maturity import links

    assert links.is_safe_href(value) is False


@pytest.mark.parametrize("value", SAFE)
def test_plain_links_stay_links(value):
    assert all(ok for _, ok in repo.safe_links(value))


def _hrefs(node):
    if isinstance(node, (list, tuple)):
        for x in node:
            yield from _hrefs(x)
    elif node is not None and hasattr(node, "to_plotly_json"):
        if type(node).__name__ == "A":
            yield node.href
        yield from _hrefs(getattr(node, "children", None))


def test_no_off_site_link_on_the_facilitator_page_or_report(app, sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    t = repo.create_assessment("Links Borough", None, "S", "2025-01-01", "Fay")
    p = repo.join(t["join_token"], "Ann")
    # the values that look like paths on this site (an absolute https://evil.example link is allowed:
    # its text says where it goes)
    local_looking = [v for v in OFF_SITE_IN_DISGUISE if v[:1] in ("/", "\\")]
    repo.save_rating(p, "h1.a1", rating="fully", links="\n".join(local_looking[:12] + ["/area/E08000035"]))
    repo.save_consensus(t["facilitator_token"], "h1.a1", links="\n".join(local_looking[12:]))
    with app.server.test_request_context("/"):
        for name in ("maturity_facilitate", "maturity_report"):
            hrefs = list(_hrefs(page_module(name).layout(token=t["facilitator_token"])))
            assert "/area/E08000035" in hrefs
            for h in hrefs:
                # resolved as a browser would from this page: never the disguised host
                host = urllib.parse.urlsplit(urllib.parse.urljoin("https://site.example/maturity/f/x", h or "")).netloc
                assert "evil" not in host, (name, h)


def test_public_base_url(monkeypatch):
    from dashboard.maturity import links

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    assert links.public_base_url() == "http://localhost:8123"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://wellbeing.example.gov.uk/")
    assert links.absolute("/maturity/a/x") == "https://wellbeing.example.gov.uk/maturity/a/x"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://example.org/tools/wellbeing")
    assert links.public_base_url() == "https://example.org/tools/wellbeing"
    for bad in ("javascript:alert(1)", "evil.example", "https://u:p@evil.example", "https://x.example/?a=1",
                "ftp://x.example", "https://x.example/#f", "https://ex ample.org"):
        monkeypatch.setenv("PUBLIC_BASE_URL", bad)
        assert links.public_base_url() == "http://localhost:8123", bad


@pytest.mark.parametrize("base", [None, "https://wellbeing.example.gov.uk"])
def test_assessment_links_ignore_the_host_header(app, sqlite_url, monkeypatch, base):
    """`Host: evil.example` must not put evil.example into any link the pages offer to share."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    if base:
        monkeypatch.setenv("PUBLIC_BASE_URL", base)
    else:
        monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    expected = base or "http://localhost:" + os.environ.get("PORT", "8050")
    t = repo.create_assessment("Host Borough", None, "S", "2025-01-01", "Fay")
    p = repo.join(t["join_token"], "Ann")
    hdr = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    with app.server.test_request_context("/", headers=hdr, base_url="http://evil.example"):
        pages = [flat(page_module("maturity_facilitate").layout(token=t["facilitator_token"])),
                 flat(page_module("maturity_assess").layout(token=p)),
                 flat(page_module("maturity")._links_panel(t, "Assessment created")),
                 flat(page_module("maturity_facilitate")._repeat(1, "2026-01-01", t["facilitator_token"]))]
    for out in pages:
        assert "evil.example" not in out
        assert expected + "/maturity/" in out
