"""Defra air quality: NO2 by air-quality (AQD) zone, and the LTLA -> zone lookup.

Annex B, "Air quality": annual mean NO2 concentration, by air-quality 'zone'.

Metric `no2_zone_max_annual_mean` (2021, 2022, 2023; calendar years): Defra's compliance
assessment for the NO2 annual-mean limit value (40 ug/m3), one row per zone or agglomeration
(UK0001-UK0043). The value is the HIGHEST annual mean found anywhere in the zone (measured at a
monitoring site or modelled by PCM, mostly at roadside), not a zone average or a
population-weighted concentration; values are whole numbers. The compliance status
("Compliant" / "Exceeding") is kept in `note`.

Context metric `no2_site_mean_zone_median` (2013-2018): the median, across the AURN monitoring
sites in the zone, of each site's annual mean NO2. Site annual means are a third party's plain
means of the AURN hourly data (JimShady/uk_monitoring_sites_data); only AURN rows (Defra data,
OGL) with data capture >= 75% are used; 2019 is excluded (a partial year in that file). Not an
official Defra statistic; the number of sites is in `note`. KCL (London Air) rows are not used.

Zones as a geography: the 43 zones become areas with geography 'aq_zone' (code UK0001..UK0043;
la_type 'Agglomeration' for UK0001-UK0028, 'Zone' for UK0029-UK0043). Defra's zone boundaries
are not in the bundle, so each current LTLA is given ONE zone by this rule:

1. The AQD zone of an AURN NO2 site (every NO2 site in the AURN metadata, open or closed) is its
   `agglomeration` if present, else its `zone`; these 43 names equal the compliance files'
   `name` exactly (checked, else InputError).
2. Sites are placed in LTLAs by point-in-polygon: WGS84 site coordinates reprojected to British
   National Grid (EPSG:27700) inside the December 2023 LAD boundaries (BUC), codes recoded to
   2025 (Barnsley E08000038, Sheffield E08000039).
3. An LTLA with sites takes the zone of most of its sites; ties -> an agglomeration before a
   non-agglomeration zone, then the lower code. Rule 'monitoring sites inside the LTLA'.
4. An LTLA without sites is DERIVED (aq_zone_derived=True): among its neighbouring LTLAs (LAD
   polygons within 250 m) in the same region (England) or nation (Wales, Scotland, Northern
   Ireland) that got a zone by rule 3, take the most common non-agglomeration zone (London, which
   has no non-agglomeration zone, uses its zones as they are); ties -> lower code. Rule
   'zone of neighbouring LTLAs with monitoring sites (derived)'.
5. Otherwise (no such neighbour): the non-agglomeration zone held by the most LTLAs of rule 3 in
   the same region or nation; ties -> lower code. Rule 'non-agglomeration zone of its region or
   nation (derived)'.
An LTLA's zone therefore approximates where most of its monitoring (or its surroundings) sits:
parts of an LTLA can lie in another zone. The app must say "zone value" and show the rule.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from etl import readers
from etl.context import Context
from etl.errors import InputError
from etl.schema import finalise

YEARS = (2021, 2022, 2023)
ZONE_FILES = {y: f"defra-air-quality/Nitrogen_Dioxide_annual_mean_Zone_Agglomeration_{y}.csv" for y in YEARS}
META = "defra-air-quality/AURN_metadata_2023-04-07.csv"
SITE_MEANS = "defra-air-quality/site_annual_means_2013-2019_aurn_kcl.csv"
LAD_SHP = "geography/lad_dec2023_uk_buc/LAD_DEC_2023_UK_BUC.shp"
INPUTS = list(ZONE_FILES.values()) + [META, SITE_MEANS, LAD_SHP]
ORDER = 10

MAX_ID = "no2_zone_max_annual_mean"
MEDIAN_ID = "no2_site_mean_zone_median"
ZONE_COLUMNS = ["objectid", "unique_code", "name", "pollutant_metric", "maximum_value", "unit",
                "compliance_status", "compliance_metric"]
META_COLUMNS = ["site_id", "site_name", "latitude", "longitude", "parameter", "zone", "agglomeration"]
MEANS_COLUMNS = ["site", "date", "code", "pollutant", "mean", "capture_rate", "source"]
RULE_SITES = "monitoring sites inside the LTLA"
RULE_NEIGHBOURS = "zone of neighbouring LTLAs with monitoring sites (derived)"
RULE_NEAREST = "zone of the nearest LTLA with monitoring sites (derived)"
RULE_REGION = "non-agglomeration zone of its region or nation (derived)"
METRO_PREFIXES = ("E08", "E09")
NEIGHBOUR_DISTANCE_M = 250
MIN_CAPTURE = 75.0
UK_LAT, UK_LON = (49.8, 61.0), (-8.8, 2.0)  # bounding box of the UK, degrees


def is_agglomeration(code: str) -> bool:
    return int(code[2:]) <= 28


# --------------------------------------------------------------------------- zone files
def read_zone_file(ctx: Context, year: int) -> pd.DataFrame:
    rel = ZONE_FILES[year]
    df = readers.read_csv(ctx.path(rel), required=ZONE_COLUMNS)
    df["file_row"] = np.arange(len(df)) + 2
    expected = {f"UK{i:04d}" for i in range(1, 44)}
    if len(df) != 43 or set(df["unique_code"]) != expected:
        odd = df[~df["unique_code"].isin(expected)]
        where = f"row {odd['file_row'].iloc[0]}, column 'unique_code'" if len(odd) else "column 'unique_code'"
        raise InputError(rel, where, "43 zones UK0001-UK0043",
                         f"unexpected {sorted(odd['unique_code'])[:5]}, missing {sorted(expected - set(df['unique_code']))[:5]}")
    readers.check_unique(df, ["unique_code"], rel)
    for i, m in enumerate(df["pollutant_metric"]):
        if " ".join(m.split()) != f"Nitrogen Dioxide annual mean Limit Value {year}":  # 2021 has a no-break space
            raise InputError(rel, f"row {i + 2}, column 'pollutant_metric'",
                             f"'Nitrogen Dioxide annual mean Limit Value {year}'", m)
    bad = ~df["compliance_status"].isin(["Compliant", "Exceeding"])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(rel, f"row {i + 2}, column 'compliance_status'", "Compliant or Exceeding",
                         df["compliance_status"].iloc[i])
    df["value"], df["status"] = readers.to_number(df["maximum_value"], rel, "maximum_value",
                                                  markers={}, allow_negative=False)
    # consistency: a value above the 40 ug/m3 limit must be 'Exceeding' and vice versa
    wrong = (df["value"] > 40) != (df["compliance_status"] == "Exceeding")
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise InputError(rel, f"row {i + 2}, columns 'maximum_value'/'compliance_status'",
                         "'Exceeding' exactly when the value is above 40", df.iloc[i][["maximum_value", "compliance_status"]].to_dict())
    return df


def zone_names(ctx: Context) -> pd.DataFrame:
    """code, name (from the latest compliance file; the names must agree across years)."""
    frames = {y: read_zone_file(ctx, y) for y in YEARS}
    latest = frames[max(YEARS)][["unique_code", "name"]]
    for y, f in frames.items():
        j = latest.merge(f[["unique_code", "name", "file_row"]], on="unique_code", suffixes=("", "_y"))
        bad = j["name"] != j["name_y"]
        if bad.any():
            r = j[bad].iloc[0]
            raise InputError(ZONE_FILES[y], f"row {r['file_row']}, column 'name'",
                             f"the same zone name as {ZONE_FILES[max(YEARS)]} ({r['name']})", r["name_y"])
    return latest.rename(columns={"unique_code": "code"}).sort_values("code").reset_index(drop=True)


# --------------------------------------------------------------------------- sites and LTLAs
def no2_sites(ctx: Context, names: pd.DataFrame) -> pd.DataFrame:
    df = readers.read_csv(ctx.path(META), required=META_COLUMNS)
    df["file_row"] = np.arange(len(df)) + 2
    no2 = df[df["parameter"] == "NO2"].copy()
    if no2.empty:
        raise InputError(META, "column 'parameter'", "rows for NO2", "none")
    no2["aqd_name"] = np.where(no2["agglomeration"].str.strip() != "", no2["agglomeration"].str.strip(),
                               no2["zone"].str.strip())
    code_of = dict(zip(names["name"], names["code"]))
    unknown = ~no2["aqd_name"].isin(code_of)
    if unknown.any():
        r = no2[unknown].iloc[0]
        raise InputError(META, f"row {r['file_row']}, columns 'agglomeration'/'zone'",
                         "a zone or agglomeration named in the compliance files", r["aqd_name"])
    no2["zone_code"] = no2["aqd_name"].map(code_of)
    no2["lat"], _ = readers.to_number(no2["latitude"], META, "latitude", markers={}, rows=no2["file_row"])
    no2["lon"], _ = readers.to_number(no2["longitude"], META, "longitude", markers={}, rows=no2["file_row"])
    # a site placed outside the UK would silently fall outside every LTLA
    for col, (lo, hi) in (("lat", UK_LAT), ("lon", UK_LON)):
        out = ~no2[col].between(lo, hi)
        if out.any():
            r = no2[out].iloc[0]
            raise InputError(META, f"row {r['file_row']}, column {'latitude' if col == 'lat' else 'longitude'!r}",
                             f"a WGS84 {'latitude' if col == 'lat' else 'longitude'} inside the UK ({lo} to {hi})",
                             r["latitude" if col == "lat" else "longitude"])
    readers.check_unique(no2, ["site_id"], META)
    return no2[["site_id", "site_name", "zone_code", "aqd_name", "lat", "lon"]].reset_index(drop=True)


def _lads(ctx: Context):
    g = readers.read_vector(ctx.path(LAD_SHP), LAD_SHP, columns=["LAD23CD", "geometry"])
    if g.crs is None or g.crs.to_epsg() != 27700:
        g = g.set_crs(27700) if g.crs is None else g.to_crs(27700)
    ch = ctx.changes
    recode = dict(zip(ch.loc[ch["type"] == "new_code", "old_code"], ch.loc[ch["type"] == "new_code", "new_code"]))
    g["code"] = g["LAD23CD"].map(lambda c: recode.get(c, c))
    missing = ctx.current_ltla - set(g["code"])
    if missing:
        raise InputError(LAD_SHP, "column 'LAD23CD'", "every current LTLA", sorted(missing)[:5])
    return g[["code", "geometry"]]


def assign_zones(ctx: Context, names: pd.DataFrame | None = None) -> pd.DataFrame:
    """The LTLA -> zone lookup (one row per current LTLA): ltla_code, zone_code, rule, derived,
    n_sites (NO2 sites inside the LTLA), n_sites_in_zone (of those, in the chosen zone)."""
    import geopandas as gpd
    import shapely

    names = zone_names(ctx) if names is None else names
    sites = no2_sites(ctx, names)
    lads = _lads(ctx)
    pts = gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]), crs=4326).to_crs(27700)
    joined = gpd.sjoin(pts, lads, how="inner", predicate="within")
    # a coastal site just outside the clipped (BUC) boundaries has no LTLA: counted, not silent
    ctx.drop(META, "NO2 site outside every LTLA boundary (coastline-clipped polygons)",
             sorted(set(sites["site_id"]) - set(joined["site_id"])))
    areas = ctx.areas[(ctx.areas["geography"] == "ltla") & ctx.areas["active"]]
    group = dict(zip(areas["code"], areas["region_code"].where(areas["region_code"].notna(), areas["country_code"])))
    result: dict[str, dict] = {}
    for ltla, grp in joined.groupby("code"):
        counts = Counter(grp["zone_code"])
        best = sorted(counts.items(), key=lambda kv: (-kv[1], not is_agglomeration(kv[0]), kv[0]))[0]
        result[ltla] = dict(zone_code=best[0], rule=RULE_SITES, derived=False, n_sites=len(grp),
                            n_sites_in_zone=best[1])
    # candidate zones for the derived rules, per region / nation
    cand: dict[str, Counter] = {}
    for ltla, r in result.items():
        cand.setdefault(group.get(ltla), Counter())[r["zone_code"]] += 1
    cand_non_agg = {}
    for g_code, cnt in cand.items():
        non = Counter({z: n for z, n in cnt.items() if not is_agglomeration(z)})
        cand_non_agg[g_code] = non if non else cnt  # London: only the agglomeration
    with_sites = lads[lads["code"].isin(result)]
    # the LTLAs with sites as plain arrays: one vectorised distance per LTLA without sites
    peer_code = with_sites["code"].to_numpy(dtype=object)
    peer_geom = np.asarray(with_sites.geometry.values)
    peer_group = np.array([group.get(c) for c in peer_code], dtype=object)
    peer_zone = np.array([result[c]["zone_code"] for c in peer_code], dtype=object)
    metro = set(areas.loc[areas["code"].str[:3].isin(METRO_PREFIXES), "code"])
    geoms = lads.set_index("code")["geometry"]
    for ltla in sorted(areas["code"]):
        if ltla in result:
            continue
        g_code = group.get(ltla)
        allowed = set(cand_non_agg.get(g_code, Counter()))
        if ltla in metro:  # a metropolitan district / London borough may sit in its conurbation
            allowed |= set(cand.get(g_code, Counter()))
        mask = (peer_group == g_code) & np.isin(peer_zone, list(allowed))
        if not mask.any():
            allowed_region = cand_non_agg.get(g_code, Counter())
            if not allowed_region:
                raise InputError(META, f"LTLA {ltla}", "an AURN NO2 site somewhere in its region or nation", "none")
            z = sorted(allowed_region.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            result[ltla] = dict(zone_code=z, rule=RULE_REGION, derived=True, n_sites=0, n_sites_in_zone=0)
            continue
        codes = peer_code[mask]
        dist = shapely.distance(peer_geom[mask], geoms[ltla])
        touching = codes[dist <= NEIGHBOUR_DISTANCE_M]
        if len(touching):
            votes = Counter(result[c]["zone_code"] for c in touching)
            z = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            rule = RULE_NEIGHBOURS
        else:
            z = result[codes[np.argsort(dist, kind="stable")[0]]]["zone_code"]
            rule = RULE_NEAREST
        result[ltla] = dict(zone_code=z, rule=rule, derived=True, n_sites=0, n_sites_in_zone=0)
    out = pd.DataFrame([{"ltla_code": k, **v} for k, v in result.items()]).sort_values("ltla_code")
    return out.reset_index(drop=True)


def extend_areas(ctx: Context) -> None:
    names = zone_names(ctx)
    lookup = assign_zones(ctx, names)
    a = ctx.areas
    lt = a[(a["geography"] == "ltla") & a["active"]]
    country = dict(zip(lt["code"], lt["country_code"]))
    zone_country = {}
    for z, grp in lookup.groupby("zone_code"):
        cs = set(grp["ltla_code"].map(country).dropna())
        zone_country[z] = cs.pop() if len(cs) == 1 else None
    rows = pd.DataFrame({
        "code": names["code"], "name": names["name"], "geography": "aq_zone",
        "la_type": np.where(names["code"].map(is_agglomeration), "Agglomeration", "Zone"),
        "country_code": names["code"].map(zone_country), "active": True, "vintage": "current",
        "icb_split": False,
    })
    a = a[a["geography"] != "aq_zone"]
    m = lookup.set_index("ltla_code")
    is_ltla = (a["geography"] == "ltla") & a["active"]
    a = a.copy()
    a["aq_zone_code"] = a["code"].map(m["zone_code"]).where(is_ltla, None)
    a["aq_zone_rule"] = a["code"].map(m["rule"]).where(is_ltla, None)
    a["aq_zone_derived"] = a["code"].map(m["derived"]).where(is_ltla, None)
    ctx.areas = pd.concat([a, rows], ignore_index=True)
    ctx.extra_tables["ltla_aq_zone"] = lookup.rename(columns={"zone_code": "aq_zone_code"})


# --------------------------------------------------------------------------- observations
def parse_max(ctx: Context, names: pd.DataFrame) -> pd.DataFrame:
    frames, table = [], []
    for y in YEARS:
        df = read_zone_file(ctx, y)
        frames.append(finalise(pd.DataFrame({
            "metric_id": MAX_ID, "area_code": df["unique_code"], "area_name": df["name"], "geography": "aq_zone",
            "period": str(y), "value": df["value"], "status": df["status"],
            "note": "compliance assessment: " + df["compliance_status"] + " (limit value 40 µg/m³)",
        }), source_file=ZONE_FILES[y]))
        table.append(pd.DataFrame({"code": df["unique_code"], "name": df["name"],
                                   "type": np.where(df["unique_code"].map(is_agglomeration), "Agglomeration", "Zone"),
                                   "year": y, "max_annual_mean_no2": df["value"],
                                   "compliance_status": df["compliance_status"]}))
    ctx.extra_tables["aq_zones"] = pd.concat(table, ignore_index=True)
    return pd.concat(frames, ignore_index=True)


def parse_site_medians(ctx: Context, names: pd.DataFrame) -> pd.DataFrame:
    df = readers.read_csv(ctx.path(SITE_MEANS), required=MEANS_COLUMNS)
    df["file_row"] = np.arange(len(df)) + 2
    df = df[(df["source"] == "importAURN") & (df["pollutant"] == "no2")].copy()
    if df.empty:
        raise InputError(SITE_MEANS, "columns 'source'/'pollutant'", "AURN NO2 rows", "none")
    df["value"], _ = readers.to_number(df["mean"], SITE_MEANS, "mean", markers={"": "missing", "na": "missing"},
                                       rows=df["file_row"])
    df["capture"], _ = readers.to_number(df["capture_rate"], SITE_MEANS, "capture_rate",
                                         markers={"": "missing", "na": "missing"}, rows=df["file_row"])
    bad_year = ~df["date"].str.fullmatch(r"\d{4}")
    if bad_year.any():
        r = df[bad_year].iloc[0]
        raise InputError(SITE_MEANS, f"row {r['file_row']}, column 'date'", "a year like 2017", r["date"])
    for col, name, (lo, hi) in (("value", "mean", (0, 500)), ("capture", "capture_rate", (0, 100))):
        odd = df[col].notna() & ~df[col].between(lo, hi)
        if odd.any():  # checked before the medians, where one wild site mean would hide
            r = df[odd].iloc[0]
            raise InputError(SITE_MEANS, f"row {r['file_row']}, column {name!r}", f"a value between {lo} and {hi}", r[name])
    # AURN sites capture most hours (median above 90%); a file whose captures look like NO2 means
    # has its columns exchanged, and the 75% filter below would silently drop nearly every row
    if df["capture"].notna().any() and df["capture"].median() < 50:
        raise InputError(SITE_MEANS, "columns 'mean'/'capture_rate'",
                         "data capture mostly above 75% (the AURN norm); are the two columns exchanged?",
                         f"median capture_rate {df['capture'].median():.1f}, median mean {df['value'].median():.1f}")
    df = df[(df["date"] != "2019") & (df["capture"] >= MIN_CAPTURE) & df["value"].notna()]
    sites = no2_sites(ctx, names).set_index("site_id")
    unknown = ~df["code"].isin(sites.index)
    if unknown.any():
        r = df[unknown].iloc[0]
        raise InputError(SITE_MEANS, f"row {r['file_row']}, column 'code'",
                         f"an AURN NO2 site listed in {META} (if it is listed there, that file is damaged: "
                         f"it lost the site's NO2 row)", r["code"])
    df["zone_code"] = df["code"].map(sites["zone_code"])
    readers.check_unique(df, ["code", "date"], SITE_MEANS)
    g = df.groupby(["zone_code", "date"])["value"].agg(["median", "size"]).reset_index()
    name_of = dict(zip(names["code"], names["name"]))
    out = pd.DataFrame({"metric_id": MEDIAN_ID, "area_code": g["zone_code"], "area_name": g["zone_code"].map(name_of),
                        "geography": "aq_zone", "period": g["date"], "value": g["median"], "status": "ok",
                        "note": "median of " + g["size"].astype(str) + " AURN site annual mean(s) with >=75% data capture"})
    # zones without a qualifying site that year: say so rather than leave a silent gap
    full = pd.MultiIndex.from_product([names["code"], sorted(out["period"].unique())], names=["area_code", "period"])
    have = pd.MultiIndex.from_frame(out[["area_code", "period"]])
    gaps = full.difference(have).to_frame(index=False)
    if len(gaps):
        out = pd.concat([out, pd.DataFrame({"metric_id": MEDIAN_ID, "area_code": gaps["area_code"],
                                            "area_name": gaps["area_code"].map(name_of), "geography": "aq_zone",
                                            "period": gaps["period"], "value": np.nan, "status": "not available",
                                            "note": "no AURN NO2 site with >=75% data capture in this zone and year"})],
                        ignore_index=True)
    return finalise(out, source_file=SITE_MEANS)


def parse(ctx: Context) -> pd.DataFrame:
    names = zone_names(ctx)
    return pd.concat([parse_max(ctx, names), parse_site_medians(ctx, names)], ignore_index=True)


# Not fetched automatically: the compliance exports are per-year pages of an ArcGIS hub with no documented
# index here, and the site files are a conversion and a third-party computation; see
# data/raw/defra-air-quality/SOURCE.md.
FETCH: list[dict] = []
