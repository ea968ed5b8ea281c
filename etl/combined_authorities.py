"""Combined authorities (E47 codes) and the councils that belong to them.

No ONS lookup of current combined-authority membership is bundled, but the ONS visual team's
two tables are, and together they give it:

* `ltla14-lookup.csv` holds each 2014 lower-tier authority's combined authority (`cauthcd`);
* `changes.csv` lists every later change: a council joining a combined authority (`new_geo`
  rows whose new code is an E47 code; the council is a lower-tier or unitary authority, or a
  county whose districts all join), two combined authorities merging (`merger` rows between E47
  codes), and council mergers and recodes (`merger`/`new_code` rows between councils).

Applying the changes year by year to the 2014 memberships gives each current local authority's
combined authority. A combined authority left without members (North East, 2014-2017, whose
councils went to two new ones) is kept as a retired area, and so is one merged into another (with
its successor). Names are the tables' own; mySociety's list of councils, also bundled, supplies
each combined authority's official name (e.g. "South Yorkshire Mayoral Combined Authority" for
E47000002, which the ONS visual tables still call Sheffield City Region) as another name to
search by.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl import readers
from etl.errors import InputError

GEOGRAPHY = "cauth"
CODE = re.compile(r"^E47\d{6}$")
COUNCIL = re.compile(r"^E0[6-9]\d{6}$")
COUNTY = re.compile(r"^E10\d{6}$")


def _raw_path(raw: Path, key: str) -> Path:
    from etl.geography import raw_path

    return raw_path(raw, key)


def memberships(raw: Path, successor: dict[str, str], county_of: dict[str, str]) -> tuple[dict, dict, dict]:
    """(current LTLA code -> combined authority code, code -> name, retired code -> successor or None).

    successor: old LTLA code -> current code (from the code-change table);
    county_of: current LTLA code -> its county (E10) code, for counties that join."""
    p14 = _raw_path(raw, "ltla_2014_lookup")
    base = readers.read_csv(p14, required=["ltlacd", "cauthcd", "cauthnm"])
    member: dict[str, str] = {}
    names: dict[str, str] = {}
    for i, r in enumerate(base.itertuples(index=False), start=2):
        ca = str(r.cauthcd).strip()
        if not ca:
            continue
        if not CODE.match(ca):
            raise InputError(p14, f"row {i}, column 'cauthcd'", "a combined-authority code E47 followed by 6 digits", ca)
        member[str(r.ltlacd).strip()] = ca
        names.setdefault(ca, str(r.cauthnm).strip())

    pch = _raw_path(raw, "code_changes")
    ch = readers.read_csv(pch, required=["oldcd", "oldnm", "newcd", "newnm", "type", "start"])
    ch = ch.assign(rowno=ch.index + 2)
    years, _ = readers.to_number(ch["start"], pch, "start", markers={}, rows=ch["rowno"].to_numpy())
    ch = ch.assign(yearno=years.astype(int)).sort_values(["yearno", "rowno"], kind="stable")
    merged_into: dict[str, str] = {}
    for r in ch.itertuples(index=False):
        old, new, kind = str(r.oldcd).strip(), str(r.newcd).strip(), str(r.type).strip()
        if kind == "new_geo" and new.startswith("E47"):
            if not CODE.match(new):
                raise InputError(pch, f"row {r.rowno}, column 'newcd'", "a combined-authority code E47 followed by 6 digits", new)
            if not (COUNCIL.match(old) or COUNTY.match(old)):
                raise InputError(pch, f"row {r.rowno}, column 'oldcd'",
                                 "a council (E06-E09) or county (E10) code joining a combined authority", old)
            names[new] = str(r.newnm).strip()
            if COUNTY.match(old):  # every district of the county joins
                for ltla, county in county_of.items():
                    if county == old:
                        member[ltla] = new
            else:
                member[old] = new
        elif kind == "merger" and old.startswith("E47"):
            if not (CODE.match(old) and CODE.match(new)):
                raise InputError(pch, f"row {r.rowno}, columns 'oldcd'/'newcd'", "two combined-authority codes", (old, new))
            names[new] = str(r.newnm).strip()
            names.setdefault(old, str(r.oldnm).strip())
            merged_into[old] = new
            member = {k: (new if v == old else v) for k, v in member.items()}
        elif kind in ("merger", "new_code") and COUNCIL.match(old) and old in member:
            # a council merged or recoded: its successor keeps the membership
            member.setdefault(new, member[old])

    current: dict[str, str] = {}
    for code, ca in member.items():
        now = successor.get(code, code)
        current.setdefault(now, ca)
    live = set(current.values())
    retired = {ca: merged_into.get(ca) for ca in names if ca not in live}
    return current, names, retired


def official_names(raw: Path) -> dict[str, str]:
    """Combined-authority code -> mySociety's official name (another name to search by)."""
    path = _raw_path(raw, "populations")
    df = readers.read_csv(path, required=["gss-code", "official-name", "local-authority-type"])
    comb = df[df["local-authority-type"].str.strip() == "COMB"]
    return {str(c).strip(): str(n).strip() for c, n in zip(comb["gss-code"], comb["official-name"])
            if CODE.match(str(c).strip()) and str(n).strip()}


def add_to_areas(raw: Path, areas: pd.DataFrame, successor: dict[str, str]) -> pd.DataFrame:
    """The areas table with a `cauth_code` column on councils and one row per combined authority."""
    cur = areas[areas["active"].astype(bool)]
    ltla = cur[cur["geography"] == "ltla"]
    county_of = {c: u for c, u in zip(ltla["code"], ltla["utla_code"]) if isinstance(u, str) and COUNTY.match(u)}
    member, names, retired = memberships(raw, successor, county_of)
    known = set(ltla["code"])
    stray = sorted(set(member) - known)
    if stray:
        raise InputError(_raw_path(raw, "code_changes"), "combined-authority members",
                         "codes that lead to a current local authority", stray[:5])
    other = official_names(raw)
    areas = areas.copy()
    is_council = areas["active"].astype(bool) & areas["geography"].isin(["ltla", "utla"])
    areas["cauth_code"] = None
    areas.loc[is_council, "cauth_code"] = areas.loc[is_council, "code"].map(member)
    # a county belongs when all its districts do
    for county in set(county_of.values()):
        cas = {member.get(c) for c, u in county_of.items() if u == county}
        if len(cas) == 1 and None not in cas:
            areas.loc[is_council & (areas["code"] == county), "cauth_code"] = cas.pop()
    region_of = dict(zip(ltla["code"], ltla["region_code"]))
    rows = []
    for ca in sorted(set(member.values())):
        regions = {region_of.get(c) for c, v in member.items() if v == ca}
        rows.append(dict(code=ca, name=names[ca], geography=GEOGRAPHY, la_type="Combined authority",
                         region_code=regions.pop() if len(regions) == 1 else None, country_code="E92000001",
                         active=True, vintage="current", other_names=other.get(ca)))
    for ca, succ in sorted(retired.items()):
        rows.append(dict(code=ca, name=names[ca], geography=GEOGRAPHY, la_type="Combined authority (former)",
                         country_code="E92000001", active=False, successor_code=succ, vintage="retired",
                         other_names=other.get(ca)))
    out = pd.concat([areas, pd.DataFrame(rows)], ignore_index=True)
    out["icb_split"] = out["icb_split"].fillna(False).astype(bool)
    return out
