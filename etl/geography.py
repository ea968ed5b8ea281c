"""Areas, parents and the one harmonisation rule that brings any LTLA series onto the
current vintage (December 2023 boundaries with the 2025 codes).

Harmonisation rule (documented on the app's methods page):
1. Pure recodes (same area, new code: Barnsley, Sheffield in 2025; Fife, Perth and Kinross,
   Glasgow, North Lanarkshire earlier) are relabelled to the current code; the value is
   unchanged and not flagged as derived.
2. A merged successor (Buckinghamshire, North/West Northamptonshire, Cumberland, Westmorland
   and Furness, North Yorkshire, Somerset, BCP, Dorset, East/West Suffolk, Somerset West and
   Taunton) takes the publisher's own value whenever the source publishes one for it.
3. Otherwise it is derived from its predecessors' values, only when every predecessor that
   makes up the successor has a published value in that period: a population-weighted mean
   (weights: mySociety 2020 population estimates) for rates, means and shares, with the
   standard error combined as sqrt(sum(w_i^2 se_i^2)) from the published 95% CIs (the
   districts' survey samples are independent); or a plain sum for counts. Such rows are
   flagged derived=True with the predecessors named in `note`.
4. When any predecessor is missing, or a predecessor's weight is unknown, or the successor
   is a split rather than a merger, nothing is derived: the successor's value stays missing.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from etl import combined_authorities, readers, vocabulary
from etl.errors import InputError

CONFIG_PATH = Path(__file__).parent / "config" / "geographies.yaml"
Z95 = 1.959963984540054


CONFIG_KEYS = {"current_vintage": str, "files": dict, "geographies": dict, "countries": dict, "uk": dict,
               "icb_rule": str}
FILE_KEYS = ("lad_boundaries", "icb_boundaries", "ward_lookup", "utla_lookup", "lsoa_icb_lookup", "code_changes",
             "ltla_2019_lookup", "populations", "ltla_2014_lookup")


@lru_cache(maxsize=1)
def config() -> dict:
    """etl/config/geographies.yaml, with its top-level keys checked (errors name the file and key)."""
    name = CONFIG_PATH.name
    cfg = readers.read_yaml(CONFIG_PATH, name)
    if not isinstance(cfg, dict):
        raise InputError(name, "top level", "a mapping of keys", type(cfg).__name__)
    for key in sorted(set(cfg) - set(CONFIG_KEYS)):
        raise InputError(name, f"key {key!r}", f"only the keys {sorted(CONFIG_KEYS)} (a misspelt key?)", key)
    for key, typ in CONFIG_KEYS.items():
        if not isinstance(cfg.get(key), typ):
            raise InputError(name, f"key {key!r}", f"a {typ.__name__}", cfg.get(key, "missing"))
    files = cfg["files"]
    for key in sorted(set(files) ^ set(FILE_KEYS)):
        raise InputError(name, f"files.{key}", f"exactly the file keys {list(FILE_KEYS)}",
                         "unknown key" if key in files else "missing key")
    return cfg


def raw_path(raw: Path, key: str) -> Path:
    """The raw file named by files.<key>; a missing file names the config key that points to it."""
    rel = config()["files"][key]
    path = raw / rel
    if not path.exists() and Path(raw).is_dir():
        raise InputError(rel, "file", f"this file to exist (files.{key} in {CONFIG_PATH.name})", "missing file")
    return path


# --------------------------------------------------------------------------- code changes
def code_changes(raw: Path) -> pd.DataFrame:
    """LTLA-level code changes (mergers and recodes) from the ONS visual team's table."""
    path = raw_path(raw, "code_changes")
    df = readers.read_csv(path, required=["oldcd", "oldnm", "newcd", "newnm", "type", "start"])
    rows = df.index.to_numpy() + 2  # file row numbers, kept through the filter below
    change = df["type"].isin(["merger", "new_code"]).to_numpy()
    ltla = df["oldcd"].str.match(r"^[ENSW]0[6-9]\d{6}$|^S12\d{6}$").to_numpy()
    # other mergers are of combined authorities; any other code is a typo, not a row to skip
    readers.leave_out_unused(df.loc[change, "oldcd"], ltla[change], path, "oldcd", rows=rows[change])
    keep = change & ltla
    df, rows = df[keep], rows[keep]
    df = df.rename(columns={"oldcd": "old_code", "oldnm": "old_name", "newcd": "new_code",
                            "newnm": "new_name", "start": "year"})
    years, _ = readers.to_number(df["year"], path, "start", markers={}, rows=rows)
    odd = ~years.between(1996, 2100)  # GSS codes date from the 1990s reorganisations
    if odd.any():
        i = int(np.flatnonzero(odd.to_numpy())[0])
        raise InputError(path, f"row {rows[i]}, column 'start'", "a year between 1996 and 2100", df["year"].iloc[i])
    df["year"] = years.astype(int)
    readers.check_unique(df, ["old_code", "new_code"], path, rows=rows)
    # Old codes must be real former LTLAs: present in the 2014 or April 2019 LTLA lookups.
    known = _former_ltla_codes(raw)
    bad = ~df["old_code"].isin(known)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"row {rows[i]}, column 'oldcd'", "a former LTLA code found in the 2014 or 2019 LTLA lookups",
                         df["old_code"].iloc[i])
    return df[["old_code", "old_name", "new_code", "new_name", "type", "year"]].reset_index(drop=True)


def _former_ltla_codes(raw: Path) -> set[str]:
    p14 = raw_path(raw, "ltla_2014_lookup")
    p19 = raw_path(raw, "ltla_2019_lookup")
    a = readers.read_csv(p14, required=["ltlacd"])
    b = readers.read_csv(p19, required=["LTLA19CD"])
    return set(a["ltlacd"]) | set(b["LTLA19CD"])


def successor_map(changes: pd.DataFrame) -> dict[str, str]:
    """Old code -> current code, following chains (Taunton Deane -> SW&T -> Somerset)."""
    step = dict(zip(changes["old_code"], changes["new_code"]))
    out = {}
    for old in step:
        cur, seen = old, set()
        while cur in step and cur not in seen:
            seen.add(cur)
            cur = step[cur]
        out[old] = cur
    return out


def recode_only(changes: pd.DataFrame) -> set[str]:
    return set(changes.loc[changes["type"] == "new_code", "old_code"])


# --------------------------------------------------------------------------- populations
def populations(raw: Path) -> pd.Series:
    """2020 population by GSS code (mySociety, CC-BY-4.0), used only as merger weights."""
    path = raw_path(raw, "populations")
    df = readers.read_csv(path, required=["gss-code", "pop-2020"])
    vals, _ = readers.to_number(df["pop-2020"], path, "pop-2020", allow_negative=False)
    # the weights of merged districts: a local authority between 1,000 and 2 million people
    # (Isles of Scilly ~2,000; Birmingham ~1.1 million), any area at most the UK's
    is_la = df["gss-code"].str[:3].isin(["E06", "E07", "E08", "E09", "W06", "S12", "N09"]).to_numpy()
    odd = vals.notna().to_numpy() & ((is_la & ~vals.between(1_000, 2_000_000).to_numpy()) | (vals > 80_000_000).to_numpy())
    if odd.any():
        i = int(np.flatnonzero(odd)[0])
        raise InputError(path, f"row {i + 2}, column 'pop-2020'",
                         "a plausible population (a local authority: 1,000 to 2,000,000)", df["pop-2020"].iloc[i])
    s = pd.Series(vals.to_numpy(), index=df["gss-code"].to_numpy()).dropna()
    return s[~s.index.duplicated()]


# --------------------------------------------------------------------------- areas
def _ltla_frame(raw: Path, succ: dict[str, str]) -> pd.DataFrame:
    path = raw_path(raw, "ward_lookup")
    w = readers.read_csv(path, required=["LAD23CD", "LAD23NM", "RGN23CD", "RGN23NM", "CTRY23CD", "CTRY23NM"])
    lad = w.drop_duplicates("LAD23CD")[["LAD23CD", "LAD23NM", "RGN23CD", "RGN23NM", "CTRY23CD"]]
    twice = lad["LAD23NM"].duplicated(keep=False)
    if twice.any():  # one district under two codes: a mistyped code on some of its wards
        d = lad[twice].sort_values("LAD23NM")
        name = d["LAD23NM"].iloc[0]
        codes = d.loc[d["LAD23NM"] == name, "LAD23CD"].tolist()
        rare = min(codes, key=lambda c: int((w["LAD23CD"] == c).sum()))
        row = int(np.flatnonzero((w["LAD23CD"] == rare).to_numpy())[0]) + 2
        raise InputError(path, f"row {row}, column 'LAD23CD'", f"one code for {name}", f"codes {codes}")
    if len(lad) != 361:
        raise InputError(path, "column 'LAD23CD'", "361 distinct December 2023 LAD codes", len(lad))
    lad = lad.rename(columns={"LAD23CD": "code_2023", "LAD23NM": "name", "RGN23CD": "region_code",
                              "RGN23NM": "region_name", "CTRY23CD": "country_code"})
    lad["code"] = lad["code_2023"].map(lambda c: succ.get(c, c))
    # Non-English "regions" in the lookup are the nations themselves: keep region blank there.
    lad.loc[~lad["region_code"].str.startswith("E12"), ["region_code", "region_name"]] = [None, None]

    upath = raw_path(raw, "utla_lookup")
    u = readers.read_csv(upath, required=["LTLA23CD", "UTLA23CD", "UTLA23NM"])
    odd = ~u["LTLA23CD"].isin(set(lad["code_2023"]))
    if odd.any():
        i = int(np.flatnonzero(odd.to_numpy())[0])
        raise InputError(upath, f"row {i + 2}, column 'LTLA23CD'", f"a December 2023 LAD code from {Path(path).name}",
                         u["LTLA23CD"].iloc[i])
    umap = dict(zip(u["LTLA23CD"], u["UTLA23CD"]))
    ew = lad["code_2023"].str[:1].isin(["E", "W"])
    missing = sorted(set(lad.loc[ew, "code_2023"]) - set(umap))
    if missing:
        raise InputError(upath, "column 'LTLA23CD'", "a row for every December 2023 English and Welsh LAD",
                         f"no row for {missing[:5]}")
    unames = dict(zip(u["UTLA23CD"], u["UTLA23NM"]))
    lad["utla_code"] = lad["code_2023"].map(lambda c: succ.get(umap.get(c, c), umap.get(c, c)))
    lad["utla_name"] = lad["code_2023"].map(lambda c: unames.get(umap.get(c), None))
    lad["utla_name"] = lad["utla_name"].fillna(lad["name"])
    return lad


def ltla_icb_shares(raw: Path, succ: dict[str, str]) -> pd.DataFrame:
    """Every (current LTLA, ICB) pair with the ICB's share of the LTLA's 2011 LSOAs (July 2022
    lookup), largest share first: ltla, icb_code, icb_name, n_lsoa, share, assigned (the ICB the
    stated rule gives the LTLA)."""
    path = raw_path(raw, "lsoa_icb_lookup")
    df = _lsoa_icb_sheet(path)
    df = df.assign(ltla=df["LAD22CD"].astype(str).map(lambda c: succ.get(c, c)))
    counts = df.groupby(["ltla", "ICB22CD"]).size().rename("n_lsoa").reset_index()
    counts["share"] = counts["n_lsoa"] / counts.groupby("ltla")["n_lsoa"].transform("sum")
    counts = counts.sort_values(["ltla", "n_lsoa", "ICB22CD"], ascending=[True, False, True])
    counts["assigned"] = ~counts["ltla"].duplicated()
    names = df.drop_duplicates("ICB22CD").set_index("ICB22CD")["ICB22NM"]
    counts["icb_name"] = counts["ICB22CD"].map(names)
    return counts.rename(columns={"ICB22CD": "icb_code"})[
        ["ltla", "icb_code", "icb_name", "n_lsoa", "share", "assigned"]].reset_index(drop=True)


_LSOA_SHEETS: dict = {}


def _lsoa_icb_sheet(path: Path) -> pd.DataFrame:
    """The LSOA -> ICB sheet, read once per file version (the areas and the ICB-share artefact
    both need it, and the workbook is slow to open)."""
    st = Path(path).stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    got = _LSOA_SHEETS.get(key)
    if got is None:
        got = readers.read_sheet(path, "LSOA11_LOC22_ICB22_LAD22", header=0)
        readers.require_columns(got, ["LSOA11CD", "ICB22CD", "ICB22NM", "LAD22CD"], path)
        _LSOA_SHEETS.clear()
        _LSOA_SHEETS[key] = got
    return got


def ltla_to_icb(raw: Path, succ: dict[str, str]) -> pd.DataFrame:
    """Current LTLA -> ICB by the stated rule (the ICB holding most of its LSOAs), from the
    LSOA (2011) lookup of July 2022; split LTLAs are flagged with that ICB's share."""
    shares = ltla_icb_shares(raw, succ)
    best = shares[shares["assigned"]].copy()
    best["icb_split"] = best["ltla"].map(shares.groupby("ltla").size()) > 1
    return best.rename(columns={"share": "icb_share"})[["ltla", "icb_code", "icb_name", "icb_share", "icb_split"]]


def la_type(code: str) -> str:
    return {
        "E06": "Unitary authority", "E07": "Non-metropolitan district", "E08": "Metropolitan district",
        "E09": "London borough", "W06": "Welsh unitary authority", "S12": "Scottish council area",
        "N09": "Northern Ireland district", "E10": "County", "E13": "Inner/Outer London",
    }.get(code[:3], "Other")


def build_areas(raw: Path, changes: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per area the product knows: current LTLAs, UTLAs, ICBs, regions, nations, UK,
    and retired LTLA/UTLA codes (active=False, with their successor)."""
    cfg = config()
    changes = code_changes(raw) if changes is None else changes
    succ = successor_map(changes)
    lad = _ltla_frame(raw, succ)
    icb = ltla_to_icb(raw, succ)
    lad = lad.merge(icb, left_on="code", right_on="ltla", how="left").drop(columns="ltla")
    former = changes.assign(current=changes["old_code"].map(succ)).groupby("current")["old_code"].apply(
        lambda s: "; ".join(sorted(s)))
    rows = []
    for r in lad.itertuples():
        rows.append(dict(code=r.code, name=r.name, geography="ltla", la_type=la_type(r.code),
                         region_code=r.region_code, country_code=r.country_code,
                         utla_code=r.utla_code, icb_code=r.icb_code if isinstance(r.icb_code, str) else None,
                         icb_share=float(r.icb_share) if pd.notna(r.icb_share) else np.nan,
                         icb_split=bool(r.icb_split) if pd.notna(r.icb_split) else False,
                         active=True, successor_code=None, former_codes=former.get(r.code)))
    utlas = lad.drop_duplicates("utla_code")
    for r in utlas.itertuples():
        rows.append(dict(code=r.utla_code, name=r.utla_name, geography="utla", la_type=la_type(r.utla_code),
                         region_code=r.region_code, country_code=r.country_code, utla_code=r.utla_code,
                         active=True))
    for r in icb.drop_duplicates("icb_code").itertuples():
        rows.append(dict(code=r.icb_code, name=r.icb_name, geography="icb", la_type="Integrated care board",
                         country_code=vocabulary.nation_of(r.icb_code), active=True))
    for code, name in lad.dropna(subset=["region_code"]).drop_duplicates("region_code")[
            ["region_code", "region_name"]].itertuples(index=False):
        rows.append(dict(code=code, name=name, geography="region", la_type="Region",
                         country_code=vocabulary.nation_of(code), active=True))
    for code, spec in vocabulary.nations().items():
        rows.append(dict(code=code, name=spec["name"], geography="country", la_type="Nation", active=True))
    for code, name in cfg["uk"].items():
        rows.append(dict(code=code, name=name, geography="uk", la_type="United Kingdom", active=True))
    current = {r["code"] for r in rows}
    # Retired counties (no single successor): known, never current.
    cpath = raw_path(raw, "code_changes")
    term = readers.read_csv(cpath, required=["oldcd", "oldnm", "type"])
    for r in term[(term["type"] == "termination") & term["oldcd"].str.startswith("E10")].itertuples():
        rows.append(dict(code=r.oldcd, name=r.oldnm, geography="utla", la_type="County (abolished)",
                         active=False, successor_code=None))
    for r in changes.itertuples():
        if r.old_code not in current:
            rows.append(dict(code=r.old_code, name=r.old_name, geography="ltla", la_type=la_type(r.old_code),
                             active=False, successor_code=succ[r.old_code]))
    areas = pd.DataFrame(rows)
    check_vocabulary(areas, lad, raw)
    for col in ("icb_split",):
        areas[col] = areas[col].fillna(False).astype(bool)
    areas["vintage"] = np.where(areas["active"], "current", "retired")
    areas = areas.drop_duplicates(["code", "geography"]).reset_index(drop=True)
    return combined_authorities.add_to_areas(raw, areas, succ)


def check_vocabulary(areas: pd.DataFrame, lad: pd.DataFrame, raw: Path) -> None:
    """The GSS codes and prefixes in geographies.yaml must match the lookups: a typo there is
    reported against geographies.yaml and its key, not against the data file that first uses
    the code."""
    name = CONFIG_PATH.name
    lookup = raw_path(raw, "ward_lookup")
    in_lookup = set(lad["country_code"].dropna())
    declared = set(vocabulary.nations())
    for code in sorted(declared - in_lookup):
        raise InputError(name, f"countries.{code}",
                         f"a nation code used in {Path(lookup).name} (column CTRY23CD: {sorted(in_lookup)})",
                         f"{code} (a typo?)")
    for code in sorted(in_lookup - declared):
        raise InputError(name, "countries", f"an entry for every nation in {Path(lookup).name}", f"no entry for {code}")
    for code, spec in vocabulary.nations().items():
        if spec["letter"] != code[:1]:
            raise InputError(name, f"countries.{code}.letter", f"the first letter of the code ({code[:1]})",
                             spec["letter"])
    current = areas[areas["active"]]
    ltla_codes = set(current.loc[current["geography"] == "ltla", "code"])
    for gid, g in vocabulary.geographies().items():
        codes = current.loc[current["geography"] == gid, "code"]
        if gid != "ltla":  # single-tier districts are upper tier too, under their LTLA prefixes
            codes = codes[~codes.isin(ltla_codes)]
        bad = codes[~codes.str[:3].isin(g.prefixes)]
        if len(bad):
            raise InputError(name, f"geographies.{gid}.prefixes",
                             f"the prefixes of every current {g.noun} code in the lookups",
                             f"{bad.iloc[0]} (prefix {bad.iloc[0][:3]}) is not among {list(g.prefixes)}")


# --------------------------------------------------------------------------- harmonisation
def harmonise_ltla(obs: pd.DataFrame, changes: pd.DataFrame, weights: pd.Series,
                   current_ltla: set[str], *, method: str = "weighted_mean") -> pd.DataFrame:
    """Bring LTLA rows of any code vintage onto the current LTLAs (see module docstring).

    obs: contract rows (geography 'ltla'), possibly with retired codes.
    Returns rows on current codes only; retired codes are folded in or dropped.
    """
    if obs.empty:
        return obs
    succ = successor_map(changes)
    recodes = recode_only(changes)
    obs = obs.copy()
    # 1. pure recodes
    is_recode = obs["area_code"].isin(recodes)
    if is_recode.any():
        old = obs.loc[is_recode, "area_code"]
        obs.loc[is_recode, "area_code"] = old.map(succ)
        obs.loc[is_recode, "note"] = ("published under former code " + old).where(
            obs.loc[is_recode, "note"].isna(), obs.loc[is_recode, "note"])
    unknown = ~obs["area_code"].isin(current_ltla) & ~obs["area_code"].isin(succ)
    if unknown.any():
        bad = obs[unknown].iloc[0]
        raise InputError(bad.get("source_file", "?"), f"area code {bad['area_code']!r} ({bad['metric_id']}, {bad['period']})",
                         "a current or former lower-tier local authority GSS code", bad["area_code"])
    direct = obs[obs["area_code"].isin(current_ltla)]
    retired = obs[~obs["area_code"].isin(current_ltla) & obs["area_code"].isin(succ)]
    if retired.empty:
        return direct.reset_index(drop=True)
    retired = retired.assign(successor=retired["area_code"].map(succ))
    have = set(zip(direct["metric_id"], direct["period"], direct["area_code"], direct["status"] == "ok"))
    derived_rows = []
    for (metric, period, successor), grp in retired.groupby(["metric_id", "period", "successor"], sort=False):
        if (metric, period, successor, True) in have:
            continue  # rule 2: the publisher's own value wins
        if successor not in current_ltla:
            continue
        row = _derive(grp, successor, weights, method)
        if (metric, period, successor, False) in have and row["status"] != "ok":
            continue  # keep the publisher's own marking
        if (metric, period, successor, False) in have:
            direct = direct[~((direct["metric_id"] == metric) & (direct["period"] == period)
                              & (direct["area_code"] == successor))]
        derived_rows.append(row)
    if derived_rows:
        direct = pd.concat([direct, pd.DataFrame(derived_rows)], ignore_index=True)
    return direct.reset_index(drop=True)


def _derive(grp: pd.DataFrame, successor: str, weights: pd.Series, method: str) -> dict:
    base = grp.iloc[0].to_dict()
    base.pop("successor", None)
    names = "; ".join(f"{c}" for c in grp["area_code"])
    base.update(area_code=successor, area_name=None, derived=True, lower=np.nan, upper=np.nan)
    ok = grp["status"].eq("ok") & grp["value"].notna()
    w = grp["area_code"].map(weights)
    target = weights.get(successor, np.nan)
    problem = None
    if not ok.all():
        problem = "predecessor(s) without a published value: " + "; ".join(grp.loc[~ok, "area_code"])
    elif w.isna().any():
        problem = "no population weight for " + "; ".join(grp.loc[w.isna(), "area_code"])
    elif np.isfinite(target) and w.sum() < 0.97 * target:
        problem = "predecessors present cover only part of the successor"
    if problem:
        base.update(value=np.nan, status="not available", derived=False,
                    note=f"not derivable from predecessors ({problem})")
        return base
    v = grp["value"].to_numpy(float)
    if method == "sum":
        base.update(value=float(v.sum()), status="ok",
                    note=f"derived: sum of predecessor areas {names}")
        return base
    wn = (w / w.sum()).to_numpy(float)
    base["value"] = float((wn * v).sum())
    se = ((grp["upper"] - grp["lower"]) / (2 * Z95)).to_numpy(float)
    if np.isfinite(se).all():
        s = float(np.sqrt(((wn * se) ** 2).sum()))
        base["lower"], base["upper"] = base["value"] - Z95 * s, base["value"] + Z95 * s
    base.update(status="ok", note=f"derived: population-weighted mean of predecessor areas {names}")
    return base
