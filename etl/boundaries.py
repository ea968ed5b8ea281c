"""Boundaries: read once, reproject to WGS84, simplify as a coverage (shared edges stay shared),
round coordinates, and write one small GeoJSON per map geography into the build."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from etl import geography, readers
from etl.errors import InputError

# Tolerance in metres (British National Grid) before reprojection; 4 decimals of a degree ~ 10 m.
TOLERANCE = {"ltla": 900.0, "icb": 900.0}
DECIMALS = 4


def _round_coords(geom):
    return shapely.set_precision(geom, 10 ** -DECIMALS, mode="valid_output")


def _read(path: Path, code_col: str, name_col: str) -> gpd.GeoDataFrame:
    g = readers.read_vector(path, columns=[code_col, name_col])
    if g.crs is None:
        raise InputError(path, "CRS", "a declared coordinate reference system", None)
    g = g.to_crs(27700)[[code_col, name_col, "geometry"]].rename(columns={code_col: "code", name_col: "name"})
    g["geometry"] = shapely.make_valid(g.geometry.values)
    return g


def ltla_polygons(raw: Path) -> gpd.GeoDataFrame:
    """Current LTLA polygons in British National Grid (unsimplified), with 2025 codes."""
    g = _read(geography.raw_path(raw, "lad_boundaries"), "LAD23CD", "LAD23NM")
    succ = geography.successor_map(geography.code_changes(raw))
    g["code"] = g["code"].map(lambda c: succ.get(c, c))
    return g


def _simplified_coverage(g: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    g = g.copy()
    g["geometry"] = shapely.coverage_simplify(g.geometry.values, tolerance, simplify_boundary=True)
    return g


def _dissolve(g: gpd.GeoDataFrame, key: pd.Series, names: dict) -> gpd.GeoDataFrame:
    rows = []
    for code, idx in g.groupby(key.values).groups.items():
        geom = shapely.coverage_union_all(g.loc[idx, "geometry"].values)
        rows.append({"code": code, "name": names.get(code, code), "geometry": geom})
    return gpd.GeoDataFrame(rows, crs=g.crs)


def _to_geojson(g: gpd.GeoDataFrame, path: Path, extra: dict | None = None) -> int:
    g = g.to_crs(4326)
    g["geometry"] = [_round_coords(x) for x in g.geometry.values]
    feats = []
    for r in g.itertuples():
        props = {"code": r.code, "name": r.name}
        if extra and r.code in extra:
            props.update(extra[r.code])
        feats.append({"type": "Feature", "id": r.code, "properties": props,
                      "geometry": json.loads(shapely.to_geojson(r.geometry))})
    text = json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))
    path.write_text(text)
    # the compressed copy the app sends once to each browser, made here (in the build's geometry
    # worker) rather than at every app start; identical to compressing the file there
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(text.encode("ascii"), compresslevel=9, mtime=0))
    return len(text)


def write_all(raw: Path, areas: pd.DataFrame, out: Path) -> dict[str, int]:
    """Write geo_<geography>.geojson for ltla, utla, region (regions + nations), icb, and
    aq_zone (approximate: union of the LTLAs assigned to each zone). Returns bytes per file."""
    sizes = {}
    lt = ltla_polygons(raw)
    cur = areas[(areas["geography"] == "ltla") & areas["active"]].set_index("code")
    missing = set(cur.index) - set(lt["code"])
    if missing:
        raise InputError(geography.raw_path(raw, "lad_boundaries"), "column 'LAD23CD'",
                         "a polygon for every current LTLA", sorted(missing)[:5])
    lt = lt[lt["code"].isin(cur.index)].reset_index(drop=True)
    lt["name"] = lt["code"].map(cur["name"])
    simp = _simplified_coverage(lt, TOLERANCE["ltla"])
    sizes["ltla"] = _to_geojson(simp, out / "geo_ltla.geojson")
    names = dict(zip(areas["code"], areas["name"]))
    utla = _dissolve(simp, simp["code"].map(cur["utla_code"]), names)
    sizes["utla"] = _to_geojson(utla, out / "geo_utla.geojson")
    region_key = simp["code"].map(cur["region_code"]).fillna(simp["code"].map(cur["country_code"]))
    reg = _dissolve(simp, region_key, names)
    sizes["region"] = _to_geojson(reg, out / "geo_region.geojson")
    icb = _read(geography.raw_path(raw, "icb_boundaries"), "ICB22CD", "ICB22NM")
    icb["geometry"] = shapely.coverage_simplify(icb.geometry.values, TOLERANCE["icb"], simplify_boundary=True)
    sizes["icb"] = _to_geojson(icb, out / "geo_icb.geojson")
    if "aq_zone_code" in cur.columns and cur["aq_zone_code"].notna().any():
        key = simp["code"].map(cur["aq_zone_code"])
        ok = key.notna()
        zones = _dissolve(simp[ok], key[ok], names)
        sizes["aq_zone"] = _to_geojson(zones, out / "geo_aq_zone.geojson",
                                       extra={c: {"approximate": True} for c in zones["code"]})
    return sizes
