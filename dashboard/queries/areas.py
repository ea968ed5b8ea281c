"""Areas: resolving a code, names, parents, children, comparator groups and the area search."""
from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

from dashboard.queries import vocabulary as vocab
from dashboard.queries.build import current, per_build, warmer

CODE_RE = re.compile(r"^[A-Z][0-9A-Z]{1,11}$")
PARENT_KEYS = ("utla_code", "cauth_code", "icb_code", "aq_zone_code", "region_code", "country_code")


def present(x) -> bool:
    """A real value (not None, NaN or an empty/'nan' string)."""
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and str(x) not in ("", "nan", "None")


def areas() -> pd.DataFrame:
    """Every area the build knows (current and retired), read-only."""
    return current().frame("areas")


@per_build
def _rows() -> dict[str, dict]:
    """code -> the preferred row: current before retired, finest geography first (a unitary
    authority is both a lower-tier and an upper-tier authority)."""
    a = areas()
    if a.empty:
        return {}
    order = {g: i for i, g in enumerate(vocab.geographies())}
    a = a.assign(_a=~a["active"].astype(bool), _g=a["geography"].map(order).fillna(99))
    a = a.sort_values(["_a", "_g"]).drop(columns=["_a", "_g"])
    out = {}
    for r in a.to_dict("records"):
        out.setdefault(r["code"], {k: (v if present(v) or isinstance(v, bool) else None) for k, v in r.items()})
    return out


def row(code: str | None) -> dict | None:
    return _rows().get(str(code or "").strip().upper()) if code else None


def name(code) -> str:
    """The area's name ('' for no code; the code itself when unknown)."""
    if not present(code):
        return ""
    place = vocab.place_name(code)
    if place:
        return place
    r = row(code)
    return r["name"] if r else str(code)


def resolve(code: str | None) -> dict:
    """What a URL's code refers to: the area row plus `status` 'current', 'retired' (with
    `successor_code`/`successor_name` when there is one), 'unknown' (well-formed but not in the
    build) or 'invalid' (not a GSS-like code)."""
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        return {"status": "invalid", "code": code}
    r = row(code)
    if r is None:
        return {"status": "unknown", "code": code}
    out = dict(r, status="current" if r.get("active") else "retired", code=code)
    if out["status"] == "retired":
        succ = r.get("successor_code")
        if not present(succ):
            # e.g. an abolished county: the one current area listing it among its former codes
            hits = [c for c, x in _rows().items() if x.get("active") and code in str(x.get("former_codes") or "")]
            succ = hits[0] if len(hits) == 1 else None
        out["successor_code"] = succ if present(succ) else None
        if out["successor_code"]:
            out["successor_name"] = name(succ)
    return out


def is_current_ltla(info: dict) -> bool:
    return info.get("status") == "current" and info.get("geography") == "ltla"


def national_code(info: dict) -> str | None:
    """The national benchmark: England for English areas, the UK elsewhere."""
    return vocab.benchmark_code(info.get("code"))


def regional_code(info: dict) -> str | None:
    """The area's region (England) or nation (elsewhere); None for a region, nation or the UK."""
    if info.get("geography") in ("region", "country", "uk"):
        return None
    if present(info.get("region_code")):
        return str(info["region_code"])
    n = vocab.nation_of(info.get("code"))
    if n and not bool(n["has_regions"]):
        return n["code"]
    return None


# ----------------------------------------------------------------------------- lists and groups
@per_build
def current_ltla() -> pd.DataFrame:
    a = areas()
    if a.empty:
        return a
    return a[(a["geography"] == "ltla") & a["active"].astype(bool)].sort_values("name").reset_index(drop=True)


@per_build
def current_ltla_codes() -> frozenset:
    c = current_ltla()
    return frozenset(c["code"]) if not c.empty else frozenset()


@per_build
def ltla_choices() -> list[dict]:
    """Dropdown options for current lower-tier local authorities, by name."""
    c = current_ltla()
    return [{"label": f"{n} ({c_})", "value": c_} for c_, n in zip(c["code"], c["name"])] if not c.empty else []


def ltla_in_region(info: dict) -> list[str]:
    """Current LTLAs in the area's region (England) or nation."""
    reg = regional_code(info)
    c = current_ltla()
    if reg is None or c.empty:
        return []
    if c["region_code"].eq(reg).any():
        return c[c["region_code"] == reg]["code"].tolist()
    n = next((x for x in vocab.nations() if x["code"] == reg), None)
    return c[c["code"].str[:1] == n["letter"]]["code"].tolist() if n else []


def ltla_of_type(la_type: str) -> list[str]:
    c = current_ltla()
    return c[c["la_type"] == la_type]["code"].tolist() if not c.empty else []


def parents(info: dict) -> list[tuple[str, str, str]]:
    """(geography id, code, name) of the larger areas an area sits in (county, combined authority,
    ICB, zone, region)."""
    geo_of = {"utla_code": "utla", "cauth_code": "cauth", "icb_code": "icb", "aq_zone_code": "aq_zone",
              "region_code": "region"}
    out = []
    for key, gid in geo_of.items():
        c = info.get(key)
        if present(c) and c != info.get("code"):
            out.append((gid, str(c), name(c)))
    return out


def children(info: dict) -> list[tuple[str, str]]:
    """(code, name) of the current LTLAs inside an upper-tier area, combined authority, ICB, zone,
    region or nation (none for England as a whole: too many to list)."""
    c = current_ltla()
    geo, code = info.get("geography"), info.get("code")
    key = {"utla": "utla_code", "cauth": "cauth_code", "region": "region_code", "icb": "icb_code",
           "aq_zone": "aq_zone_code", "country": "country_code"}.get(geo)
    if c.empty or key is None or key not in c or code == vocab.england_code():
        return []
    kids = c[c[key] == code]
    return sorted(zip(kids["code"], kids["name"]), key=lambda t: t[1])


# ----------------------------------------------------------------------------- search
def _fold(text: str) -> str:
    t = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", t).strip()


@per_build
def _search_index() -> list[dict]:
    """One entry per area a user may look for: every current area of every geography, and every
    former council, county or combined authority (which lands on a page explaining what replaced
    it). An area's other official name (a combined authority's) is searched too."""
    a = areas()
    if a.empty:
        return []
    geos = vocab.geographies()
    order = {g: i for i, g in enumerate(geos)}
    entries, seen = [], set()
    cur = a[a["active"].astype(bool)].assign(_o=lambda d: d["geography"].map(order).fillna(99)).sort_values("_o")
    for r in cur.to_dict("records"):
        if r["code"] in seen:  # a unitary authority once (as a local authority)
            continue
        seen.add(r["code"])
        g = geos.get(r["geography"])
        kind = r["la_type"] if r["geography"] in ("ltla", "utla") and present(r.get("la_type")) else (g.short if g else "")
        entries.append({"code": r["code"], "name": r["name"], "kind": kind, "rank": 0 if r["geography"] == "ltla" else 1,
                        "other": r.get("other_names")})
    old = a[~a["active"].astype(bool) & ~a["code"].isin(seen)].drop_duplicates("code")
    for r in old.to_dict("records"):
        succ = resolve(r["code"]).get("successor_code")
        sname = name(succ) if succ else ""
        g = geos.get(r["geography"])
        noun = f"former {g.noun}" if g and r["geography"] not in ("ltla", "utla") else "former council"
        if succ and sname == r["name"]:
            kind = f"old code, now {succ}"
        elif succ:
            kind = f"{noun}, now part of {sname}"
        else:
            kind = noun if g and r["geography"] not in ("ltla", "utla") else "former area"
        entries.append({"code": r["code"], "name": r["name"], "kind": kind, "rank": 2, "other": r.get("other_names")})
    for e in entries:
        e["folded"] = _fold(e["name"])
        e["words"] = e["folded"].split()
        other = e.pop("other")
        e["other"] = str(other) if present(other) and _fold(other) != e["folded"] else None
        e["other_folded"] = _fold(e["other"]) if e["other"] else ""
        e["other_words"] = e["other_folded"].split()
        e["label"] = f"{e['name']} ({e['kind']})" if e["kind"] else e["name"]
    return entries


def _name_score(folded: str, words: list[str], q: str) -> int | None:
    """0 exact, 1 from the start, 2 a word's start (every typed word), 3 anywhere; None: no match."""
    if not folded:
        return None
    if folded == q:
        return 0
    if folded.startswith(q):
        return 1
    if any(w.startswith(q) for w in words) or all(any(w.startswith(t) for w in words) for t in q.split()):
        return 2
    if len(q) >= 3 and q in folded:
        return 3
    return None


def search(query: str | None, limit: int = 20) -> list[dict]:
    """Areas matching a typed query, best first: {code, name, kind, label}. Matches the name
    (from its start, then any word's start, then anywhere), another official name, or the GSS
    code's start; current local authorities before other areas, former areas last."""
    q = _fold(query or "")
    if not q:
        return []
    code_q = re.sub(r"\s+", "", str(query)).upper()
    scored = []
    for e in _search_index():
        hit = e
        s = _name_score(e["folded"], e["words"], q)
        if s is None and len(code_q) >= 3 and e["code"].startswith(code_q):
            s = 1
        if s is None:
            s = _name_score(e["other_folded"], e["other_words"], q)
            if s is None:
                continue
            kind = f"{e['kind']}: {e['other']}"  # say why it matched
            hit = {**e, "kind": kind, "label": f"{e['name']} ({kind})"}
        scored.append((s, e["rank"], e["name"], hit))
    scored.sort(key=lambda t: t[:3])
    return [{k: e[k] for k in ("code", "name", "kind", "label")} for *_, e in scored[:limit]]


@warmer
def _warm() -> None:
    _rows(), current_ltla(), current_ltla_codes(), ltla_choices(), _search_index(), _icb_shares()


# ----------------------------------------------------------------------------- ICB shares
def ltla_icb() -> pd.DataFrame:
    """Every (current LTLA, ICB) pair with the ICB's share of the LTLA's neighbourhoods (LSOAs)."""
    return current().frame("ltla_icb")


@per_build
def _icb_shares() -> dict[str, tuple[dict, ...]]:
    t = ltla_icb()
    if t.empty:
        return {}
    t = t.sort_values(["ltla", "share", "icb_code"], ascending=[True, False, True])
    out: dict[str, list[dict]] = {}
    for r in t[["ltla", "icb_code", "icb_name", "share", "assigned"]].to_dict("records"):  # one pass, not one per area
        out.setdefault(r["ltla"], []).append({"icb_code": r["icb_code"], "icb_name": r["icb_name"],
                                              "share": float(r["share"]), "assigned": bool(r["assigned"])})
    return {code: tuple(rows) for code, rows in out.items()}


def icb_shares(code: str | None) -> list[dict]:
    """The ICBs a current LTLA's neighbourhoods fall in, largest share first: icb_code, icb_name,
    share (0-1) and assigned (the ICB whose values the LA view gives the area). A build without
    the shares artefact gives the one ICB of the area's row."""
    got = _icb_shares().get(str(code or ""))
    if got:
        return [dict(r) for r in got]
    r = row(code)
    if not r or not present(r.get("icb_code")):
        return []
    share = r.get("icb_share")
    return [{"icb_code": r["icb_code"], "icb_name": name(r["icb_code"]),
             "share": float(share) if present(share) else 1.0, "assigned": True}]
