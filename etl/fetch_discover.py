"""Find a publication's latest release from the publisher's own index; never a pinned version.

Each source module declares what to look for in `FETCH` (a list of small dicts, one per file):

    {"kind": "ons_api", "dataset": "wellbeing-local-authority", "edition": "time-series",
     "dest": "ons-wellbeing/wellbeing-local-authority.csv", "note": "..."}

Kinds and what they read (response shapes as the publishers document them):

* ``ons_api`` — ONS API (api.beta.ons.gov.uk/v1): ``/datasets/{dataset}`` (or
  ``/editions/{edition}``) -> ``links.latest_version.href`` -> the version document ->
  its CSV (``distributions[format=csv].download_url``, or the older ``downloads.csv.href``)
  and the size it lists.
* ``govuk`` — GOV.UK Content API (www.gov.uk/api/content{page}): the page's
  ``details.attachments`` (file attachments: ``url``, ``filename``, ``file_size``); the file is
  the one whose name matches ``pattern``; with a named group ``key`` the largest key wins (e.g. a
  period in the file name), and two files with the same key are refused as ambiguous.
* ``ees_api`` — DfE explore-education-statistics public API (api.education.gov.uk/statistics/v1):
  ``/publications`` (paged ``results`` with ``slug``) -> ``/publications/{id}/data-sets`` -> the one
  data set whose ``title`` matches ``data_set`` -> ``/data-sets/{id}/csv`` (the data set's
  underlying CSV; ``latestVersion`` names the version).
* ``github_raw`` — a file a publisher maintains in a public repository (ONS Explore Local
  Statistics data, DfE's published dashboards): raw.githubusercontent.com/{repo}/{ref}/{path};
  the branch head is the latest release.

Any entry may carry ``fallback``: a dict of the same form, tried when the first discovery fails.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urljoin

from etl.fetch_http import FetchError, get_json

BASES = {
    "ons_api": "https://api.beta.ons.gov.uk/v1",
    "govuk": "https://www.gov.uk/api/content",
    "govuk_site": "https://www.gov.uk",
    "ees_api": "https://api.education.gov.uk/statistics/v1",
    "github_raw": "https://raw.githubusercontent.com",
}
REQUIRED = {"ons_api": ["dataset"], "govuk": ["page", "pattern"], "ees_api": ["publication", "data_set"],
            "github_raw": ["repo", "path"]}


@dataclass
class Release:
    url: str                 # the file to download
    version: str             # the publisher's name for this release (closing table, SOURCE.md)
    size: int | None = None  # bytes the publisher lists for the file, when it does
    filename: str | None = None  # the publisher's file name


def describe(item: dict) -> str:
    """One line saying how an entry finds its latest release (for `--list` and the README)."""
    k = item["kind"]
    if k == "ons_api":
        ed = f", edition {item['edition']}" if item.get("edition") else ""
        text = f"ONS API: dataset {item['dataset']}{ed}, latest version, CSV"
    elif k == "govuk":
        text = f"GOV.UK Content API: attachments of {item['page']} matching /{item['pattern']}/"
    elif k == "ees_api":
        text = f"EES API: publication {item['publication']}, data set /{item['data_set']}/, CSV"
    elif k == "github_raw":
        text = f"published repository file {item['repo']}@{item.get('ref', 'main')}:{item['path']}"
    else:
        text = f"unknown kind {k!r}"
    if item.get("fallback"):
        text += "; else " + describe({**item, **item["fallback"], "fallback": None})
    return text


def discover(item: dict, sess, bases: dict | None = None) -> Release:
    b = {**BASES, **(bases or {})}
    kind = item.get("kind")
    if kind not in KINDS:
        raise FetchError(f"unknown discovery kind {kind!r} (known: {sorted(KINDS)})")
    missing = [k for k in REQUIRED[kind] if not item.get(k)]
    if missing:
        raise FetchError(f"declaration lacks {missing} for kind {kind}")
    return KINDS[kind](item, sess, b)


def _href(link) -> str | None:
    return link.get("href") if isinstance(link, dict) else None


def _int(x) -> int | None:
    try:
        return int(x)
    except (TypeError, ValueError):
        return None


def ons_api(item: dict, sess, b: dict) -> Release:
    base = b["ons_api"].rstrip("/")
    ds = quote(item["dataset"])
    if item.get("edition"):
        doc = get_json(sess, f"{base}/datasets/{ds}/editions/{quote(item['edition'])}")
    else:
        doc = get_json(sess, f"{base}/datasets/{ds}")
    href = _href((doc.get("links") or {}).get("latest_version"))
    if not href:
        raise FetchError(f"ONS API: dataset {item['dataset']} lists no latest_version link")
    version = get_json(sess, urljoin(base + "/", href))
    state = version.get("state")
    if state and state != "published":
        raise FetchError(f"ONS API: latest version of {item['dataset']} is {state!r}, not published")
    fmt = item.get("format", "csv")
    url = size = None
    for d in version.get("distributions") or []:
        if isinstance(d, dict) and d.get("format") == fmt and d.get("download_url"):
            url, size = d["download_url"], _int(d.get("byte_size"))
            break
    if url is None:
        dl = (version.get("downloads") or {}).get(fmt) or {}
        url, size = dl.get("href"), _int(dl.get("size"))
    if not url:
        raise FetchError(f"ONS API: version {version.get('version')} of {item['dataset']} has no {fmt} download")
    label = (f"edition {version.get('edition', item.get('edition', '?'))} version {version.get('version', '?')}"
             f" (released {str(version.get('release_date', '?'))[:10]})")
    return Release(url=url, version=label, size=size, filename=url.rstrip("/").rsplit("/", 1)[-1])


def govuk(item: dict, sess, b: dict) -> Release:
    page = "/" + item["page"].lstrip("/")
    doc = get_json(sess, b["govuk"].rstrip("/") + page)
    atts = (doc.get("details") or {}).get("attachments") or []
    rx = re.compile(item["pattern"])
    found = []
    for a in atts:
        if not isinstance(a, dict) or a.get("attachment_type", "file") != "file" or not a.get("url"):
            continue
        name = a.get("filename") or a["url"].rstrip("/").rsplit("/", 1)[-1]
        m = rx.search(name)
        if m:
            found.append((m.groupdict().get("key"), name, a))
    if not found:
        raise FetchError(f"GOV.UK {page}: none of its {len(atts)} attachments matches /{item['pattern']}/")
    if any(k is not None for k, _, _ in found):
        top = max(k for k, _, _ in found if k is not None)
        found = [f for f in found if f[0] == top]
    if len(found) > 1:
        raise FetchError(f"GOV.UK {page}: {len(found)} attachments match equally "
                         f"({', '.join(n for _, n, _ in found)}); the pattern must pick one")
    _, name, a = found[0]
    updated = str(doc.get("public_updated_at") or doc.get("updated_at") or "?")[:10]
    return Release(url=urljoin(b["govuk_site"].rstrip("/") + "/", a["url"]), version=f"{name} (page updated {updated})",
                   size=_int(a.get("file_size")), filename=name)


def _ees_pages(sess, url: str):
    page = 1
    while True:
        doc = get_json(sess, f"{url}{'&' if '?' in url else '?'}page={page}")
        yield from doc.get("results") or []
        total = _int((doc.get("paging") or {}).get("totalPages")) or 1
        if page >= total:
            return
        page += 1


def ees_api(item: dict, sess, b: dict) -> Release:
    base = b["ees_api"].rstrip("/")
    pub = next((p for p in _ees_pages(sess, f"{base}/publications") if p.get("slug") == item["publication"]), None)
    if pub is None:
        raise FetchError(f"EES API: publication {item['publication']!r} is not among those with API data sets")
    rx = re.compile(item["data_set"], re.IGNORECASE)
    sets = [d for d in _ees_pages(sess, f"{base}/publications/{pub['id']}/data-sets")
            if rx.search(d.get("title", "")) and d.get("status", "Published") != "Withdrawn"]
    if len(sets) != 1:
        titles = ", ".join(d.get("title", "?") for d in sets) or "none"
        raise FetchError(f"EES API: {len(sets)} data sets of {item['publication']} match /{item['data_set']}/ ({titles})")
    d = sets[0]
    lv = d.get("latestVersion") or {}
    tp = lv.get("timePeriods") or {}
    label = (f"data set version {lv.get('number', '?')} (published {str(lv.get('published', '?'))[:10]};"
             f" periods {tp.get('start', '?')} to {tp.get('end', '?')})")
    return Release(url=f"{base}/data-sets/{d['id']}/csv", version=label, filename=None)


def github_raw(item: dict, sess, b: dict) -> Release:
    ref = item.get("ref", "main")
    url = f"{b['github_raw'].rstrip('/')}/{item['repo']}/{ref}/{item['path']}"
    return Release(url=url, version=f"{item['repo']} {ref} branch head", filename=item["path"].rsplit("/", 1)[-1])


KINDS = {"ons_api": ons_api, "govuk": govuk, "ees_api": ees_api, "github_raw": github_raw}
