"""Area type-ahead search: a searchable dropdown of area names that navigates to /area/<code>.

Usage: `search_box("header")` anywhere in a layout (several boxes may coexist: ids are
pattern-matched on the prefix). Covers current local authorities, counties, ICBs, air-quality
zones, regions, nations and the UK, plus former councils (which land on a page explaining the
merger and linking to the successor).
"""
from __future__ import annotations

import json
from functools import lru_cache

import dash
import pandas as pd
from dash import MATCH, Input, Output, State, dcc, html

from dashboard.components.common import safe

GEO_LABEL = {"ltla": None, "utla": "County", "icb": "Integrated care board", "aq_zone": "Air-quality zone",
             "region": "Region", "country": "Nation", "uk": "United Kingdom"}
GEO_ORDER = {"ltla": 0, "region": 1, "country": 2, "uk": 3, "utla": 4, "icb": 5, "aq_zone": 6}


def search_options(areas: pd.DataFrame) -> list[dict]:
    """Dropdown options: label 'Name (type)', value = GSS code, `search` text includes the code."""
    if areas is None or areas.empty:
        return []
    a = areas.copy()
    a["active"] = a["active"].astype(bool)
    cur = a[a["active"]]
    ltla_codes = set(cur[cur["geography"] == "ltla"]["code"])
    names = a.drop_duplicates("code").set_index("code")["name"]
    opts = []
    seen = set()
    cur = cur.assign(_o=cur["geography"].map(GEO_ORDER).fillna(9)).sort_values(["_o", "name"])
    for r in cur.itertuples():
        if r.code in seen or (r.geography != "ltla" and r.code in ltla_codes):
            continue
        seen.add(r.code)
        if r.geography == "ltla":
            kind = r.la_type if isinstance(r.la_type, str) else "Local authority"
        else:
            kind = GEO_LABEL.get(r.geography) or r.geography
            if r.geography == "utla" and isinstance(r.la_type, str):
                kind = r.la_type
        opts.append({"label": f"{r.name} ({kind})", "value": r.code, "search": f"{r.name} {r.code}"})
    old = a[~a["active"] & ~a["code"].isin(seen)].drop_duplicates("code")
    for r in old.sort_values("name").itertuples():
        succ = getattr(r, "successor_code", None)
        now = f", now {names.get(succ, succ)}" if isinstance(succ, str) and succ else ""
        label = f"{r.name} (former council{now})"
        if isinstance(succ, str) and names.get(succ) == r.name:
            label = f"{r.name} (old code {r.code})"
        opts.append({"label": label, "value": r.code, "search": f"{r.name} {r.code}"})
    opts.sort(key=lambda o: (o["label"].lower()))
    return opts


@lru_cache(maxsize=4)
def _cached_options(build_key: str) -> tuple:
    from dashboard.data import store
    return tuple(search_options(store().areas))


def options() -> list[dict]:
    from dashboard.data import store
    s = store()
    return list(_cached_options(f"{s.build_dir}|{s.manifest.get('fingerprint', '')}"))


# The header box (on every page) offers fewer options: the browser indexes every option for
# type-ahead on each page load, so current councils, regions and nations only; the full list
# (counties, ICBs, zones, former councils) is on the area pages' own box.
COMPACT_KINDS = ("(former council", "(old code", "Integrated care board)", "Air-quality zone)")


def _rich(o: dict) -> dict:
    """The option's label as a component (name, then its type in muted text), so type-ahead
    matches the `search` text (name and GSS code) and not the type: with a plain-text label
    'Don' would match every '(London borough)' before Doncaster."""
    text = o["label"]
    cut = text.rfind(" (")
    name, kind = (text[:cut], text[cut:]) if cut > 0 else (text, "")
    return {"label": html.Span([name, html.Span(kind, className="search__kind")]), "value": o["value"],
            "search": o["search"]}


def search_box(id_prefix: str, label: str = "Find an area", value: str | None = None,
               compact: bool = False) -> html.Div:
    """The labelled type-ahead box; choosing an option navigates to /area/<code>."""
    dd_id = {"type": "area-search", "prefix": id_prefix}
    try:
        opts = [_rich(o) for o in options() if not (compact and any(k in o["label"] for k in COMPACT_KINDS))]
    except Exception:  # noqa: BLE001 - a missing build must not break the page shell
        opts = []
    return html.Div([
        # Dash renders a dict id as sorted compact JSON on the dropdown's button: label that element
        html.Label(label, htmlFor=json.dumps(dd_id, sort_keys=True, separators=(",", ":")), className="search__label"),
        dcc.Dropdown(id=dd_id, options=opts, value=value, searchable=True, clearable=True,
                     placeholder="Type the first letters of an area name or a GSS code",
                     className="search__dropdown", optionHeight=40),
        dcc.Location(id={"type": "area-search-nav", "prefix": id_prefix}, refresh="callback-nav"),
    ], className="search", role="search", id=f"area-search-{id_prefix}")


@dash.callback(
    Output({"type": "area-search-nav", "prefix": MATCH}, "href"),
    Input({"type": "area-search", "prefix": MATCH}, "value"),
    State({"type": "area-search-nav", "prefix": MATCH}, "pathname"),
    prevent_initial_call=True,
)
@safe(dash.no_update)
def _go(code, pathname):
    if not code:
        raise dash.exceptions.PreventUpdate
    target = f"/area/{code}"
    if pathname == target:
        raise dash.exceptions.PreventUpdate
    return target
