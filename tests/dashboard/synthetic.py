"""A small synthetic build (a county with two districts, a unitary, an ICB, a retired code, a
Welsh area) written as real build artefacts, so the view models run on it through the queries."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from etl import vocabulary

P = pd.Timestamp


def _areas() -> pd.DataFrame:
    rows = [
        # code, name, geography, la_type, region, country, utla, icb, active, successor, former
        ("E07000001", "Alpha", "ltla", "Non-metropolitan district", "E12000008", "E92000001", "E10000001", "E54000001", True, None, None),
        ("E07000002", "Beta", "ltla", "Non-metropolitan district", "E12000008", "E92000001", "E10000001", "E54000001", True, None, None),
        ("E06000001", "Gamma", "ltla", "Unitary authority", "E12000008", "E92000001", "E06000001", "E54000001", True, None, "E06000099"),
        ("E08000001", "Delta", "ltla", "Metropolitan district", "E12000002", "E92000001", "E08000001", "E54000002", True, None, None),
        ("W06000001", "Epsilon", "ltla", "Welsh unitary authority", None, "W92000004", "W06000001", None, True, None, None),
        ("E06000099", "Old Gamma", "ltla", "Unitary authority", None, None, None, None, False, "E06000001", None),
        ("E10000001", "Kent", "utla", "County", "E12000008", "E92000001", "E10000001", None, True, None, None),
        ("E06000001", "Gamma", "utla", "Unitary authority", "E12000008", "E92000001", "E06000001", None, True, None, None),
        ("E54000001", "NHS Kent ICB", "icb", "Integrated care board", None, None, None, None, True, None, None),
        ("E12000008", "South East", "region", "Region", None, "E92000001", None, None, True, None, None),
        ("E12000002", "North West", "region", "Region", None, "E92000001", None, None, True, None, None),
        ("E92000001", "England", "country", "Nation", None, None, None, None, True, None, None),
        ("K02000001", "United Kingdom", "uk", "United Kingdom", None, None, None, None, True, None, None),
    ]
    df = pd.DataFrame(rows, columns=["code", "name", "geography", "la_type", "region_code", "country_code", "utla_code",
                                     "icb_code", "active", "successor_code", "former_codes"])
    df["icb_share"] = np.where(df["code"] == "E06000001", 0.8, 1.0)
    df["icb_split"] = df["code"] == "E06000001"
    return df


def _metrics() -> pd.DataFrame:
    return pd.DataFrame([
        dict(id="mean_life_satisfaction", title="Life satisfaction", short_title="Life satisfaction (mean)", kind="headline_mean",
             unit="score 0-10", polarity="higher_better", decimals=2, sort=5, publisher_url="https://ons", status="available",
             status_note="", native_geography="ltla", measure="life_satisfaction", measure_label="Life satisfaction",
             role="mean"),
        dict(id="low_life_satisfaction", title="Low LS", short_title="Low life satisfaction", kind="headline",
             unit="% of adults", polarity="lower_better", decimals=1, sort=1, publisher_url="https://ons/shares",
             status="available", status_note="", native_geography="ltla", measure="life_satisfaction",
             measure_label="Life satisfaction", role="share", band="0-4"),
        dict(id="absence", title="Absence", short_title="Absence", kind="supporting", unit="%", polarity="lower_better",
             decimals=1, sort=10, publisher_url="https://dfe", status="available", status_note="", native_geography="utla"),
        dict(id="pay", title="Pay", short_title="Pay", kind="supporting", unit="£", polarity="higher_better", decimals=0,
             sort=11, publisher_url="https://ons/pay", status="available", status_note="", native_geography="ltla"),
        dict(id="loneliness", title="Loneliness", short_title="Loneliness", kind="supporting", unit="%",
             polarity="lower_better", decimals=1, sort=12, publisher_url="https://dcms", status="not yet published",
             status_note="From 2025", native_geography="ltla"),
    ])


def _row(metric, code, name, geo, period, value, lower=np.nan, upper=np.nan, status="ok", native=None, ncode=None,
         derived=False):
    y = int(period[:4])
    return dict(metric_id=metric, area_code=code, area_name=name, geography=geo, period=period,
                period_start=P(f"{y}-04-01"), period_end=P(f"{y + 1}-03-31"), value=value, lower=lower, upper=upper,
                status=status, derived=derived, note="", source_file="x", native_geography=native or geo,
                native_area_code=ncode or code)


def _frames():
    lv = [
        _row("mean_life_satisfaction", "E07000001", "Alpha", "ltla", "2021-22", 7.0, 6.8, 7.2),
        _row("mean_life_satisfaction", "E07000001", "Alpha", "ltla", "2022-23", 7.1, 6.9, 7.3),
        _row("mean_life_satisfaction", "E07000002", "Beta", "ltla", "2022-23", 7.6, 7.5, 7.7),
        _row("mean_life_satisfaction", "E06000001", "Gamma", "ltla", "2022-23", 7.4, 7.3, 7.5, derived=True),
        _row("mean_life_satisfaction", "E08000001", "Delta", "ltla", "2022-23", 6.5, 6.3, 6.7),
        _row("mean_life_satisfaction", "W06000001", "Epsilon", "ltla", "2022-23", 7.5, 7.2, 7.8),
        # county value shared by its districts
        _row("absence", "E07000001", "Alpha", "ltla", "2022-23", 8.0, 7.9, 8.1, native="utla", ncode="E10000001"),
        _row("absence", "E07000002", "Beta", "ltla", "2022-23", 8.0, 7.9, 8.1, native="utla", ncode="E10000001"),
        _row("absence", "E06000001", "Gamma", "ltla", "2022-23", 6.0, 5.9, 6.1, native="utla", ncode="E06000001"),
        _row("absence", "E08000001", "Delta", "ltla", "2022-23", 7.0, 6.9, 7.1, native="utla", ncode="E08000001"),
        _row("pay", "E07000001", "Alpha", "ltla", "2022-23", 600),
        _row("pay", "E07000002", "Beta", "ltla", "2022-23", 700),
        _row("pay", "E06000001", "Gamma", "ltla", "2022-23", np.nan, status="suppressed"),
        _row("pay", "E08000001", "Delta", "ltla", "2022-23", 500),
        _row("pay", "W06000001", "Epsilon", "ltla", "2022-23", 800),
    ]
    la_view = pd.DataFrame(lv)
    obs = la_view[la_view["native_geography"] == "ltla"].drop(columns=["native_geography", "native_area_code"])
    bench = pd.DataFrame([
        _row("mean_life_satisfaction", "E92000001", "England", "country", "2022-23", 7.3, 7.29, 7.31),
        _row("mean_life_satisfaction", "E92000001", "England", "country", "2021-22", 7.3, 7.29, 7.31),
        _row("mean_life_satisfaction", "E12000008", "South East", "region", "2022-23", 7.4, 7.35, 7.45),
        _row("mean_life_satisfaction", "K02000001", "United Kingdom", "uk", "2022-23", 7.35, 7.34, 7.36),
        _row("low_life_satisfaction", "E92000001", "England", "country", "2018-19", 4.5),
        _row("absence", "E92000001", "England", "country", "2022-23", 7.5, 7.49, 7.51),
        _row("absence", "E10000001", "Kent", "utla", "2022-23", 8.0, 7.9, 8.1),
        _row("absence", "E06000001", "Gamma", "utla", "2022-23", 6.0, 5.9, 6.1),
        _row("pay", "E92000001", "England", "country", "2022-23", 650),
    ]).drop(columns=["native_geography", "native_area_code"])
    obs = pd.concat([obs, bench], ignore_index=True)
    return la_view, obs, _areas(), _metrics()




def write_build(directory: Path, mission_ltla: pd.DataFrame | None = None,
                tables: dict[str, pd.DataFrame] | None = None) -> Path:
    """The synthetic frames as a build directory the app can read; `tables` adds more artefacts
    by file stem (e.g. {"mission_gap": frame})."""
    directory.mkdir(parents=True, exist_ok=True)
    la_view, obs, areas, metrics = _frames()
    la_view.to_parquet(directory / "la_view.parquet", index=False)
    obs.to_parquet(directory / "observations.parquet", index=False)
    areas.to_parquet(directory / "areas.parquet", index=False)
    metrics.to_parquet(directory / "metrics.parquet", index=False)
    vocabulary.write_tables(directory)
    if mission_ltla is not None:
        mission_ltla.to_parquet(directory / "mission_ltla.parquet", index=False)
    for name, frame in (tables or {}).items():
        frame.to_parquet(directory / f"{name}.parquet", index=False)
    (directory / "manifest.json").write_text(json.dumps({"fingerprint": f"synthetic-{directory.name}"}))
    return directory
