"""`python -m etl fetch` against loopback publishers (tests never use the network).

The loopback server answers with the JSON the publishers document (ONS API dataset / edition /
version documents, GOV.UK Content API content items with `details.attachments`, the EES API's
paged `results`) and serves the real bundled files as the downloads.
"""
from __future__ import annotations

import hashlib
import http.server
import json
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest

from etl import fetch as fetch_mod
from etl import fetch_discover, sources
from etl.fetch_http import session
from etl.sources import ons_wellbeing
from tests.helpers import RAW, raw_copy

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LAYOUT = FIXTURES / "cmd_wellbeing-local-authority_layout.csv"
EXCERPT = FIXTURES / "cmd_wellbeing-local-authority_excerpt.csv"
CLA_TITLE = "Children looked after, starting and ceasing: number and rate per 10,000 children"


# --------------------------------------------------------------------------- loopback publishers
class Publisher:
    """A loopback HTTP server with a route table: path (with query) -> response."""

    def __init__(self):
        self.routes: dict[str, dict] = {}
        self.hits: dict[str, int] = {}
        pub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                pub.hits[self.path] = pub.hits.get(self.path, 0) + 1
                r = pub.routes.get(self.path) or pub.routes.get(urlsplit(self.path).path)
                if r is None:
                    return self._send(404, b"<html><body>Not found</body></html>", "text/html")
                if pub.hits[self.path] <= r.get("fail_first", 0):
                    return self._send(503, b"<html>busy</html>", "text/html", {"Retry-After": "0"})
                body = r["body"]
                if r.get("truncate"):
                    self.send_response(200)
                    self.send_header("Content-Type", r.get("type", "application/octet-stream"))
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: r["truncate"]])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send(r.get("status", 200), body, r.get("type", "application/octet-stream"))

            def _send(self, status, body, ctype, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.bases = {"ons_api": self.url + "/ons/v1", "govuk": self.url + "/govuk/api/content",
                      "govuk_site": self.url, "ees_api": self.url + "/ees/v1", "github_raw": self.url + "/raw"}

    def add(self, path: str, body: bytes, **kw):
        self.routes[path] = {"body": body, **kw}

    def json(self, path: str, doc):
        self.add(path, json.dumps(doc).encode(), type="application/json")

    # ---- documented response shapes
    def ons(self, dataset: str, edition: str, version: int, body: bytes, *, distributions=False, size=None):
        api = self.bases["ons_api"]
        ds, ed = f"{api}/datasets/{dataset}", f"{api}/datasets/{dataset}/editions/{edition}"
        v = f"{ed}/versions/{version}"
        csv_url = f"{self.url}/download/datasets/{dataset}/editions/{edition}/versions/{version}.csv"
        latest = {"href": v, "id": str(version)}
        self.json(urlsplit(ds).path, {"id": dataset, "title": dataset, "state": "published", "type": "filterable",
                                      "links": {"editions": {"href": ed.rsplit("/", 1)[0]}, "latest_version": latest,
                                                "self": {"href": ds}}})
        self.json(urlsplit(ed).path, {"edition": edition, "state": "published",
                                      "links": {"dataset": {"id": dataset, "href": ds}, "latest_version": latest,
                                                "self": {"href": ed}, "versions": {"href": ed + "/versions"}}})
        doc = {"dataset_id": dataset, "edition": edition, "version": version, "state": "published",
               "release_date": "2026-03-05T07:00:00.000Z",
               "links": {"dataset": {"id": dataset, "href": ds}, "edition": {"id": edition, "href": ed},
                         "self": {"href": v}}}
        n = str(len(body) if size is None else size)
        if distributions:
            doc["distributions"] = [{"title": "Full dataset (CSV)", "format": "csv", "media_type": "text/csv",
                                     "download_url": csv_url, "byte_size": int(n)}]
        else:
            doc["downloads"] = {"csv": {"href": csv_url, "size": n}, "xls": {"href": csv_url[:-3] + "xlsx", "size": "1"}}
        self.json(urlsplit(v).path, doc)
        self.add(urlsplit(csv_url).path, body, type="text/csv")
        return urlsplit(csv_url).path

    def govuk(self, page: str, files: dict[str, bytes], extra_attachments=()):
        atts = []
        for i, (name, body) in enumerate(files.items()):
            url = f"{self.url}/media/{i:04d}/{name}"
            self.add(urlsplit(url).path, body)
            atts.append({"attachment_type": "file", "content_type": "application/vnd.oasis.opendocument.spreadsheet",
                         "filename": name, "id": str(7000 + i), "title": name.rsplit(".", 1)[0].replace("_", " "),
                         "url": url, "file_size": len(body), "accessible": True})
        atts += list(extra_attachments)
        self.json(f"/govuk/api/content{page}", {
            "base_path": page, "title": "Statistical data set", "document_type": "statistical_data_set",
            "schema_name": "publication", "public_updated_at": "2026-02-12T09:30:00.000+00:00",
            "details": {"attachments": atts, "body": "<p>Tables</p>"}})

    def ees(self, slug: str, title: str, body: bytes, *, other_publications=1):
        pubs = [{"id": f"00000000-0000-0000-0000-00000000000{i}", "title": f"Other {i}", "slug": f"other-{i}",
                 "summary": "", "lastPublished": "2025-01-01T09:30:00+00:00"} for i in range(other_publications)]
        pubs.append({"id": "11111111-2222-3333-4444-555555555555", "title": slug.replace("-", " "), "slug": slug,
                     "summary": "", "lastPublished": "2025-11-27T09:30:00+00:00"})
        # one publication per page, so the client has to follow the paging
        for p, item in enumerate(pubs, start=1):
            self.json(f"/ees/v1/publications?page={p}", {
                "paging": {"page": p, "pageSize": 1, "totalResults": len(pubs), "totalPages": len(pubs)},
                "results": [item]})
        ds_id = "99999999-8888-7777-6666-555555555555"
        self.json(f"/ees/v1/publications/{pubs[-1]['id']}/data-sets?page=1", {
            "paging": {"page": 1, "pageSize": 20, "totalResults": 2, "totalPages": 1},
            "results": [{"id": "aaaaaaaa-0000-0000-0000-000000000000", "title": "Children looked after by placement",
                         "summary": "", "status": "Published",
                         "latestVersion": {"number": "1.0", "published": "2025-11-27T09:30:00+00:00", "totalResults": 9,
                                           "timePeriods": {"start": "2021", "end": "2025"},
                                           "geographicLevels": ["National"], "filters": [], "indicators": []}},
                        {"id": ds_id, "title": title, "summary": "", "status": "Published",
                         "latestVersion": {"number": "2.0", "published": "2025-11-27T09:30:00+00:00",
                                           "totalResults": 2505, "timePeriods": {"start": "2021", "end": "2025"},
                                           "geographicLevels": ["National", "Regional", "Local authority"],
                                           "filters": ["population_type"], "indicators": ["rate_per_10000"]}}]})
        self.add(f"/ees/v1/data-sets/{ds_id}/csv", body, type="text/csv")

    def raw_file(self, repo: str, ref: str, path: str, body: bytes):
        self.add(f"/raw/{repo}/{ref}/{path}", body)

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *a):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def pub():
    with Publisher() as p:
        yield p


@pytest.fixture()
def sess():
    return session(retries=3, backoff=0.01)


def run(raw, pub, sess, only, lines=None):
    out = [] if lines is None else lines
    rc = fetch_mod.fetch(raw, only=only, bases=pub.bases, sess=sess, log=out.append)
    return rc, "\n".join(out)


def only_entry(monkeypatch, module, item):
    monkeypatch.setattr(module, "FETCH", [item])


CMD_ITEM = ons_wellbeing.FETCH[0]


def fresh_raw(tmp_path, rel=None, body=None):
    raw = tmp_path / "raw"
    (raw / "ons-wellbeing").mkdir(parents=True)
    (raw / "ons-wellbeing" / "SOURCE.md").write_text("# ONS personal well-being\n")
    if rel:
        (raw / rel).write_bytes(body)
    return raw


# --------------------------------------------------------------------------- ONS API
def test_discovers_the_latest_ons_version_and_records_provenance(tmp_path, pub, sess, monkeypatch):
    only_entry(monkeypatch, ons_wellbeing, CMD_ITEM)
    body = LAYOUT.read_bytes()
    pub.ons("wellbeing-local-authority", "time-series", 7, body)
    raw = fresh_raw(tmp_path)
    rc, out = run(raw, pub, sess, ["ons_wellbeing"])
    assert rc == 0, out
    dest = raw / ons_wellbeing.CMD
    assert dest.read_bytes() == body
    log = (raw / "ons-wellbeing" / "SOURCE.md").read_text()
    assert "## Fetch log" in log and hashlib.sha256(body).hexdigest() in log
    assert "version 7" in log and "/versions/7.csv" in log
    assert re.search(r"ons_wellbeing\s+ons-wellbeing/wellbeing-local-authority\.csv\s+new version\s+edition "
                     r"time-series version 7", out), out
    assert f"of {len(body) / 1024:.1f} KB (100%)" in out  # progress with bytes and %
    # the same release again: unchanged, and nothing more written to SOURCE.md
    rc, out = run(raw, pub, sess, ["ons_wellbeing"])
    assert rc == 0 and re.search(r"wellbeing-local-authority\.csv\s+unchanged", out)
    assert (raw / "ons-wellbeing" / "SOURCE.md").read_text() == log


def test_a_newer_ons_version_replaces_the_file_without_a_code_change(tmp_path, pub, sess, monkeypatch):
    only_entry(monkeypatch, ons_wellbeing, CMD_ITEM)
    raw = fresh_raw(tmp_path, ons_wellbeing.CMD, EXCERPT.read_bytes())
    pub.ons("wellbeing-local-authority", "time-series", 8, LAYOUT.read_bytes(), distributions=True)
    rc, out = run(raw, pub, sess, ["ons_wellbeing"])
    assert rc == 0 and "version 8" in out and "new version" in out
    assert (raw / ons_wellbeing.CMD).read_bytes() == LAYOUT.read_bytes()


def test_fetch_then_build_uses_the_fetched_release(tmp_path, pub, sess, monkeypatch):
    """fetch -> build: the fetched CMD release reaches the observations with its shares exact."""
    from etl import build as build_mod

    only_entry(monkeypatch, ons_wellbeing, CMD_ITEM)
    pub.ons("wellbeing-local-authority", "time-series", 5, LAYOUT.read_bytes())
    raw = raw_copy(tmp_path / "raw")  # symlinks: the fetch must replace, never write through, them
    rc, out = run(raw, pub, sess, ["ons_wellbeing"])
    assert rc == 0, out
    monkeypatch.setenv("ETL_SOURCES", "ons_wellbeing")
    man = build_mod.build(raw, tmp_path / "build", log=lambda *a: None)
    obs = pd.read_parquet(tmp_path / "build" / "observations.parquet")
    r = obs[(obs.metric_id == "low_life_satisfaction") & (obs.area_code == "E12000002") & (obs.period == "2022-23")]
    assert (r.value.iloc[0], r.lower.iloc[0], r.upper.iloc[0]) == (5.62, 5.3, 5.94)
    assert r.source_file.iloc[0] == ons_wellbeing.CMD
    assert man["inputs"][ons_wellbeing.CMD]["sha256"] == hashlib.sha256(LAYOUT.read_bytes()).hexdigest()
    assert any("E13" in d["reason"] for d in man["dropped_rows"])


@pytest.mark.parametrize("case, expect", [
    ("html_200", "web page"),
    ("html_as_csv", "web page (HTML)"),
    ("empty", "only 0 bytes"),
    ("cut_short", "cut short"),
    ("no_final_newline", "cut short"),
    ("wrong_header", "CSV header lacks"),
    ("header_only", "no data rows"),
    ("size_differs", "differs from the"),
    ("no_version_document", "HTTP 404"),
])
def test_a_bad_download_keeps_the_previous_copy(tmp_path, pub, sess, monkeypatch, case, expect):
    only_entry(monkeypatch, ons_wellbeing, CMD_ITEM)
    previous = EXCERPT.read_bytes()
    raw = fresh_raw(tmp_path, ons_wellbeing.CMD, previous)
    before = (raw / "ons-wellbeing" / "SOURCE.md").read_text()
    good = LAYOUT.read_bytes()
    body = {"html_200": b"<!DOCTYPE html><html><body>Service unavailable</body></html>\n",
            "html_as_csv": b"\n<html><head><title>Error</title></head><body>Sorry</body></html>\n",
            "empty": b"", "no_final_newline": good[:-1],
            "wrong_header": b"a,b,c\n1,2,3\n" * 20,
            "header_only": good.splitlines(keepends=True)[0]}.get(case, good)
    path = pub.ons("wellbeing-local-authority", "time-series", 6, body,
                   size=len(body) + 10 if case == "size_differs" else None)
    if case == "html_200":
        pub.routes[path]["type"] = "text/html; charset=utf-8"
    if case == "cut_short":
        pub.routes[path]["truncate"] = len(body) // 2
    if case == "no_version_document":
        del pub.routes["/ons/v1/datasets/wellbeing-local-authority/editions/time-series/versions/6"]
    rc, out = run(raw, pub, sess, ["ons_wellbeing"])
    assert rc == 1
    assert re.search(r"wellbeing-local-authority\.csv\s+failed\s+.*" + re.escape(expect), out), out
    assert "previous copy is kept" in out
    assert (raw / ons_wellbeing.CMD).read_bytes() == previous
    assert (raw / "ons-wellbeing" / "SOURCE.md").read_text() == before
    assert not [p for p in (raw / "ons-wellbeing").iterdir() if ".part-" in p.name]


def test_transient_server_errors_are_retried(tmp_path, pub, sess, monkeypatch):
    only_entry(monkeypatch, ons_wellbeing, CMD_ITEM)
    path = pub.ons("wellbeing-local-authority", "time-series", 5, LAYOUT.read_bytes())
    pub.routes[path]["fail_first"] = 2  # two 503 answers, then the file
    rc, out = run(fresh_raw(tmp_path), pub, sess, ["ons_wellbeing"])
    assert rc == 0 and "new version" in out
    assert pub.hits[path] == 3


def test_failures_do_not_stop_the_other_entries(tmp_path, pub, sess, monkeypatch):
    bad = {**CMD_ITEM, "dataset": "no-such-dataset"}
    monkeypatch.setattr(ons_wellbeing, "FETCH", [bad, CMD_ITEM])
    pub.ons("wellbeing-local-authority", "time-series", 5, LAYOUT.read_bytes())
    rc, out = run(fresh_raw(tmp_path), pub, sess, ["ons_wellbeing"])
    assert rc == 1
    assert "1 new version, 0 unchanged, 1 failed" in out


# --------------------------------------------------------------------------- GOV.UK Content API
def test_govuk_attachment_pattern_picks_the_newest_file(tmp_path, pub, sess):
    from etl.sources import defra_flytipping as fly

    real = (RAW / fly.SOURCE).read_bytes()
    name = Path(fly.SOURCE).name
    newer = name.replace("2022-23_accessible_revised", "2023-24_accessible")
    pdf = {"attachment_type": "file", "content_type": "application/pdf", "filename": "Fly_tipping_notice.pdf",
           "id": "1", "title": "Notice", "url": pub.url + "/media/x/Fly_tipping_notice.pdf", "file_size": 10}
    pub.govuk(fly.FETCH[0]["page"], {name: b"older edition, not chosen", newer: real}, [pdf])
    raw = raw_copy(tmp_path / "raw", replace={fly.SOURCE: b"previous"})
    rc, out = run(raw, pub, sess, ["defra_flytipping"])
    assert rc == 0, out
    assert (raw / fly.SOURCE).read_bytes() == real
    assert newer in (raw / "defra-fly-tipping" / "SOURCE.md").read_text()


def test_govuk_ambiguous_or_missing_attachment_is_refused(tmp_path, pub, sess, monkeypatch):
    from etl.sources import dluhc_temporary_accommodation as ta

    raw = raw_copy(tmp_path / "raw")
    item = ta.FETCH[0]
    pub.govuk(item["page"], {"Detailed_LA_202603.ods": b"x" * 100, "Detailed_LA_202603.xlsx": b"y" * 100})
    rc, out = run(raw, pub, sess, ["dluhc_temporary_accommodation"])
    assert rc == 1 and "2 attachments match equally" in out
    pub.govuk(item["page"], {"Homelessness_summary.ods": b"x" * 100})
    rc, out = run(raw, pub, sess, ["dluhc_temporary_accommodation"])
    assert rc == 1 and "none of its 1 attachments matches" in out


def test_govuk_new_quarter_is_saved_under_the_publishers_name(tmp_path, pub, sess):
    from etl.sources import dluhc_temporary_accommodation as ta

    real = (RAW / ta.DIR / "Detailed_LA_202503.ods").read_bytes()
    pub.govuk(ta.FETCH[0]["page"], {"Detailed_LA_202503.ods": real, "Detailed_LA_202603.ods": real})
    raw = raw_copy(tmp_path / "raw")
    rc, out = run(raw, pub, sess, ["dluhc_temporary_accommodation"])
    assert rc == 0, out
    assert (raw / ta.DIR / "Detailed_LA_202603.ods").read_bytes() == real
    assert "Detailed_LA_202603.ods" in (raw / ta.DIR / "SOURCE.md").read_text()


def test_a_spreadsheet_that_is_not_one_is_refused(tmp_path, pub, sess):
    from etl.sources import defra_flytipping as fly

    name = Path(fly.SOURCE).name
    pub.govuk(fly.FETCH[0]["page"], {name: b"PK\x03\x04 not really a zip file" * 10})
    raw = raw_copy(tmp_path / "raw")
    rc, out = run(raw, pub, sess, ["defra_flytipping"])
    assert rc == 1 and "not a complete ods file" in out
    assert (raw / fly.SOURCE).read_bytes() == (RAW / fly.SOURCE).read_bytes()


# --------------------------------------------------------------------------- EES API, repositories
def test_ees_api_finds_the_data_set_across_pages(tmp_path, pub, sess):
    from etl.sources import dfe_cla

    real = (RAW / dfe_cla.NEW).read_bytes()
    pub.ees(dfe_cla.FETCH[0]["publication"], CLA_TITLE, real, other_publications=2)
    raw = raw_copy(tmp_path / "raw")
    rc, out = run(raw, pub, sess, ["dfe_cla"])
    assert rc == 0, out
    assert re.search(r"cla_number_and_rate_per_10k_children\.csv\s+unchanged\s+data set version 2\.0", out), out


def test_ees_without_an_api_data_set_falls_back_to_dfe_repository(tmp_path, pub, sess):
    from etl.sources import dfe_cla

    real = (RAW / dfe_cla.NEW).read_bytes()
    pub.json("/ees/v1/publications?page=1", {"paging": {"page": 1, "pageSize": 20, "totalResults": 0, "totalPages": 1},
                                             "results": []})
    fb = dfe_cla.FETCH[0]["fallback"]
    pub.raw_file(fb["repo"], "main", fb["path"], real)
    raw = raw_copy(tmp_path / "raw")
    rc, out = run(raw, pub, sess, ["dfe_cla"])
    assert rc == 0, out
    assert "unchanged" in out and "first route failed: EES API: publication" in out


def test_every_declared_entry_against_loopback_publishers(tmp_path, pub, sess):
    """Every FETCH entry of every source, discovered from documented responses and served the
    real bundled file: each is found, passes the checks and is reported unchanged."""
    n = 0
    for mod in sources.load_all():
        for item in getattr(mod, "FETCH", []):
            n += 1
            kind = item["kind"]
            if kind == "ons_api":  # not bundled: served the real excerpt of ONS's file
                pub.ons(item["dataset"], item["edition"], 4, EXCERPT.read_bytes())
            elif kind == "govuk":
                if "{filename}" in item["dest"]:
                    folder = RAW / Path(item["dest"]).parent
                    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "SOURCE.md"}
                else:
                    files = {Path(item["dest"]).name: (RAW / item["dest"]).read_bytes()}
                pub.govuk(item["page"], files)
            elif kind == "ees_api":
                pub.ees(item["publication"], CLA_TITLE, (RAW / item["dest"]).read_bytes())
            elif kind == "github_raw":
                pub.raw_file(item["repo"], item.get("ref", "main"), item["path"], (RAW / item["dest"]).read_bytes())
    raw = raw_copy(tmp_path / "raw")
    rc, out = run(raw, pub, sess, None)
    assert rc == 0, out
    assert f"1 new version, {n - 1} unchanged, 0 failed" in out, out
    assert (raw / ons_wellbeing.CMD).read_bytes() == EXCERPT.read_bytes()
    assert not (RAW / ons_wellbeing.CMD).exists()  # the bundle itself is never written
    assert "## Fetch log" not in (RAW / "ons-wellbeing" / "SOURCE.md").read_text()
    for name in ("ons_health_index", "sport_active_lives", "defra_air_quality", "dfe_neet", "nhs_rtt"):
        assert re.search(name + r"\s+-\s+manual\s+not fetched automatically", out)


# --------------------------------------------------------------------------- declarations
def test_declarations_are_well_formed_and_never_pin_a_version():
    for base in fetch_discover.BASES.values():
        assert base.startswith("https://")
    for mod in sources.load_all():
        assert hasattr(mod, "FETCH"), f"{mod.__name__} declares no FETCH (an empty list says 'not fetched')"
        for item in mod.FETCH:
            for it in [item] + ([{**item, **item["fallback"]}] if item.get("fallback") else []):
                assert it["kind"] in fetch_discover.KINDS, it
                assert all(it.get(k) for k in fetch_discover.REQUIRED[it["kind"]]), it
                assert not Path(it["dest"]).is_absolute() and ".." not in Path(it["dest"]).parts
                if "pattern" in it:
                    re.compile(it["pattern"])
                text = json.dumps(it)
                assert not re.search(r"versions?/\d|[?&]version=|dataSetVersion", text), f"pinned version in {it}"
            assert fetch_discover.describe(item)


def _not_fetched_globs(folder: str) -> list[str]:
    """File-name globs that the folder's SOURCE.md '## Fetching' section says are not fetched."""
    text = (RAW / folder / "SOURCE.md").read_text()
    assert "## Fetching" in text, f"data/raw/{folder}/SOURCE.md has no '## Fetching' section"
    section = text.split("## Fetching", 1)[1].split("\n## ", 1)[0]
    globs = []
    for bullet in section.split("\n- ")[1:]:
        head = bullet.split("not fetched automatically", 1)
        if len(head) == 2:
            globs += [re.sub(r"<[^>]+>", "*", t) for t in re.findall(r"`([^`]+)`", head[0])]
    return globs


def test_every_bundled_input_is_fetched_or_says_why_not():
    import fnmatch

    fetched, patterns = set(), []
    for mod in sources.load_all():
        for item in mod.FETCH:
            if "{filename}" in item["dest"]:
                patterns.append((str(Path(item["dest"]).parent), re.compile(item["pattern"])))
            else:
                fetched.add(item["dest"])
    for mod in sources.load_all():
        for rel in getattr(mod, "INPUTS", []):
            if rel.endswith("?") or rel in fetched:
                continue
            folder, name = str(Path(rel).parent), Path(rel).name
            if any(folder == f and rx.search(name) for f, rx in patterns):
                continue
            top, inner = rel.split("/", 1)
            globs = _not_fetched_globs(top)
            assert any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(inner, g) for g in globs), \
                f"{rel}: no FETCH entry, and data/raw/{top}/SOURCE.md does not say why it is not fetched"


def test_cli_list_needs_no_network(capsys):
    from etl.__main__ import main

    assert main(["fetch", "--list"]) == 0
    out = capsys.readouterr().out
    assert "ONS API: dataset wellbeing-local-authority, edition time-series, latest version" in out
    assert "not fetched automatically" in out


def test_catalogue_notes_speak_to_users_not_maintainers():
    """Status notes reach the pages: what is and is not in the data, never commands or files."""
    from etl import catalogue

    cat = catalogue.load()
    bad = re.compile(r"`|python -m|\betl\b|\.py\b|data/raw|\bparser\b|\bfetch|\bbundle|maintainer|rebuild", re.I)
    offenders = {i: n for i, n in zip(cat["id"], cat["status_note"]) if bad.search(n)}
    assert not offenders, offenders
    ids = set(cat["id"])
    assert not [i for i, n in zip(cat["id"], cat["status_note"]) if any(j in n for j in ids)]


def test_a_git_lfs_pointer_is_not_taken_for_the_file(tmp_path, pub, sess):
    from etl.sources import dfe_absence

    item = dfe_absence.FETCH[0]
    pub.raw_file(item["repo"], "main", item["path"],
                 b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + b"\nsize 1795878\n")
    raw = raw_copy(tmp_path / "raw")
    rc, out = run(raw, pub, sess, ["dfe_absence"])
    assert rc == 1 and "Git LFS pointer" in out
    assert (raw / item["dest"]).read_bytes() == (RAW / item["dest"]).read_bytes()
