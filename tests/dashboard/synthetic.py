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


# ----------------------------------------------------------------------------- profile extras
# What the area profile's classes need on top of the base build: a count (with a national total
# and float residue), a county-level England-only metric with a devolved equivalent and an old
# latest value, a split ICB, a metric published to more decimals than it shows, a later headline
# period with a merged council's hole, and the LSOA shares of each ICB.
WALES_EQUIVALENT = "https://www.gov.wales/example-children-looked-after"


def _extra_metrics() -> pd.DataFrame:
    return pd.DataFrame([
        dict(id="incidents", title="Incidents", short_title="Incidents (count)", kind="context", unit="incidents",
             polarity="lower_better", decimals=0, sort=20, publisher_url="https://defra", status="available",
             status_note="", native_geography="ltla", aggregation="sum", coverage="england"),
        dict(id="looked_after", title="Looked after", short_title="Looked after", kind="supporting",
             unit="per 10,000 children", polarity="no_judgement", decimals=0, sort=13, publisher_url="https://dfe/cla",
             status="available", status_note="", native_geography="utla", aggregation="weighted_mean",
             coverage="england", devolved_equivalents=json.dumps([
                 {"nation": "W92000004", "name": "Children looked after (Welsh Government)", "url": WALES_EQUIVALENT}])),
    ])


def _extra_rows():
    lv = [
        _row("incidents", "E07000001", "Alpha", "ltla", "2022-23", 100.0),
        _row("incidents", "E07000002", "Beta", "ltla", "2022-23", 300.0),
        _row("incidents", "E06000001", "Gamma", "ltla", "2022-23", 200.0),
        _row("incidents", "E08000001", "Delta", "ltla", "2022-23", 900.4000000001),
        # county value (Kent) for its districts; Gamma (its own upper tier) last published in 2019
        _row("looked_after", "E07000001", "Alpha", "ltla", "2025", 70.0, 66.0, 74.0, native="utla", ncode="E10000001"),
        _row("looked_after", "E07000002", "Beta", "ltla", "2025", 70.0, 66.0, 74.0, native="utla", ncode="E10000001"),
        _row("looked_after", "E06000001", "Gamma", "ltla", "2019", 50.0, 45.0, 55.0, native="utla", ncode="E06000001"),
        _row("looked_after", "E06000001", "Gamma", "ltla", "2025", np.nan, status="not available", native="utla",
             ncode="E06000001"),
        _row("looked_after", "E08000001", "Delta", "ltla", "2025", 90.0, 85.0, 95.0, native="utla", ncode="E08000001"),
        # a later headline period in which the merged council has no honest value
        _row("mean_life_satisfaction", "E07000001", "Alpha", "ltla", "2023-24", 7.2, 7.0, 7.4),
        _row("mean_life_satisfaction", "E07000002", "Beta", "ltla", "2023-24", 7.5, 7.4, 7.6),
        _row("mean_life_satisfaction", "E08000001", "Delta", "ltla", "2023-24", 6.6, 6.4, 6.8),
        _row("mean_life_satisfaction", "E06000001", "Gamma", "ltla", "2023-24", np.nan, status="not available"),
    ]
    lv = pd.DataFrame(lv)
    lv.loc[lv["area_code"].eq("E06000001") & lv["period"].eq("2023-24"), "note"] = (
        "not derivable from predecessors (predecessor(s) without a published value: E06000099)")
    bench = pd.DataFrame([
        _row("incidents", "E92000001", "England", "country", "2022-23", 50000.7),
        _row("incidents", "E12000008", "South East", "region", "2022-23", 12000.0),
        _row("looked_after", "E92000001", "England", "country", "2025", 71.0, 70.5, 71.5),
        _row("looked_after", "E92000001", "England", "country", "2019", 65.0, 64.5, 65.5),
        _row("looked_after", "E10000001", "Kent", "utla", "2025", 70.0, 66.0, 74.0),
        _row("looked_after", "E06000001", "Gamma", "utla", "2019", 50.0, 45.0, 55.0),
        _row("mean_life_satisfaction", "E92000001", "England", "country", "2023-24", 7.3, 7.29, 7.31),
        _row("pay", "E92000001", "England", "country", "2021-22", 640.0),
    ]).drop(columns=["native_geography", "native_area_code"])
    return lv, bench


def write_profile_extras(directory: Path) -> Path:
    """Add the profile's extra metrics, rows, an ICB and the ICB shares to a synthetic build."""
    lv_x, bench_x = _extra_rows()
    la_view = pd.read_parquet(directory / "la_view.parquet")
    # pay carries float residue the publisher's precision (1 decimal) must remove
    la_view.loc[la_view["metric_id"].eq("pay") & la_view["area_code"].eq("E07000001"), "value"] = 600.04999999999
    la_view = pd.concat([la_view, lv_x], ignore_index=True)
    obs = pd.read_parquet(directory / "observations.parquet")
    obs.loc[obs["metric_id"].eq("pay") & obs["area_code"].eq("E07000001"), "value"] = 600.04999999999
    own = lv_x[lv_x["native_geography"] == "ltla"].drop(columns=["native_geography", "native_area_code"])
    obs = pd.concat([obs, own, bench_x], ignore_index=True)
    metrics = pd.read_parquet(directory / "metrics.parquet")
    metrics["precision"] = np.where(metrics["id"] == "pay", 1.0, np.nan)
    metrics = pd.concat([metrics, _extra_metrics()], ignore_index=True)
    areas = pd.read_parquet(directory / "areas.parquet")
    areas = pd.concat([areas, pd.DataFrame([dict(code="E54000002", name="NHS North ICB", geography="icb",
                                                 la_type="Integrated care board", active=True, icb_share=1.0,
                                                 icb_split=False)])], ignore_index=True)
    shares = pd.DataFrame([("E07000001", "E54000001", "NHS Kent ICB", 10, 1.0, True),
                           ("E07000002", "E54000001", "NHS Kent ICB", 10, 1.0, True),
                           ("E06000001", "E54000001", "NHS Kent ICB", 8, 0.8, True),
                           ("E06000001", "E54000002", "NHS North ICB", 2, 0.2, False),
                           ("E08000001", "E54000002", "NHS North ICB", 12, 1.0, True)],
                          columns=["ltla", "icb_code", "icb_name", "n_lsoa", "share", "assigned"])
    la_view.to_parquet(directory / "la_view.parquet", index=False)
    obs.to_parquet(directory / "observations.parquet", index=False)
    metrics.to_parquet(directory / "metrics.parquet", index=False)
    areas.to_parquet(directory / "areas.parquet", index=False)
    shares.to_parquet(directory / "ltla_icb.parquet", index=False)
    (directory / "manifest.json").write_text(json.dumps({"fingerprint": f"synthetic-profile-{directory.name}"}))
    return directory


def mission_rows(period: str = "2022-23") -> pd.DataFrame:
    """A worst-third ranking of the four synthetic English LTLAs with per-measure percentiles:
    Alpha is worst on the combined ordering (rank 1) through its worthwhile score, but 2nd worst
    on life satisfaction, tied with Beta."""
    rows = []
    spec = [("E07000001", "Alpha", 1, "mean_worthwhile", 87.5, 62.5, 87.5, True, 0.91),
            ("E08000001", "Delta", 2, "mean_life_satisfaction", 87.5, 87.5, 12.5, True, 0.8),
            ("E07000002", "Beta", 3, "mean_life_satisfaction", 62.5, 62.5, 37.5, False, 0.2),
            ("E06000001", "Gamma", 4, "mean_life_satisfaction", 37.5, 12.5, 12.5, False, 0.05)]
    for code, name, rank, worst, wp, ls, ww, inw, p in spec:
        rows.append(dict(period=period, is_baseline=False, basis="means", area_code=code, area_name=name,
                         worst_metric=worst, worst_percentile=wp, rank=rank, n_ranked=4, in_worst_third=inw,
                         p_worst_third=p, uses_derived=False, pct_mean_life_satisfaction=ls,
                         pct_mean_worthwhile=ww))
    return pd.DataFrame(rows)
