"""DfE sources (children looked after, school absence, NEET) on the real bundled files."""
from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from etl.context import Context
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import dfe_absence, dfe_cla, dfe_neet

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


@lru_cache(maxsize=1)
def load_ctx() -> Context:
    return Context.load(RAW)


@pytest.fixture(scope="session")
def ctx_b():
    return load_ctx()


@pytest.fixture(scope="session")
def cla(ctx_b):
    return validate_observations(dfe_cla.parse(ctx_b))


@pytest.fixture(scope="session")
def absence(ctx_b):
    return validate_observations(dfe_absence.parse(ctx_b))


@pytest.fixture(scope="session")
def neet(ctx_b):
    return validate_observations(dfe_neet.parse(ctx_b))


def one(df, code, period):
    r = df[(df["area_code"] == code) & (df["period"] == period)]
    assert len(r) == 1, (code, period, len(r))
    return r.iloc[0]


def copy_raw(tmp_path: Path, rels: list[str]) -> Path:
    """A raw dir in tmp_path with symlinks to everything and real copies of `rels` (editable)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for child in RAW.iterdir():
        if child.is_dir():
            (raw / child.name).mkdir()
            for f in child.rglob("*"):
                target = raw / child.name / f.relative_to(child)
                if f.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                elif str(f.relative_to(RAW)) in rels:
                    shutil.copy(f, target)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.symlink_to(f)
    return raw


def ctx_on(raw: Path, base: Context) -> Context:
    return Context(raw=raw, areas=base.areas, changes=base.changes, weights=base.weights)


# --------------------------------------------------------------------------- children looked after
def test_cla_periods_and_counts(cla):
    assert sorted(cla["period"].unique()) == [str(y) for y in range(2016, 2026)]
    latest = cla[cla["period"] == "2025"]
    assert latest.groupby("geography").size().to_dict() == {"country": 1, "region": 9, "utla": 153}
    assert set(cla["metric_id"]) == {"children_looked_after_rate"}


def test_cla_latest_edition_wins_and_old_only_for_2019_2020(cla):
    # Hartlepool 2021-2025 in the 2025 edition: 176, 152, 159, 164, 157
    assert [one(cla, "E06000001", str(y))["value"] for y in range(2021, 2026)] == [176, 152, 159, 164, 157]
    src = cla.groupby("period")["source_file"].first()
    assert src["2021"] == dfe_cla.NEW and src["2020"] == dfe_cla.OLD and src["2018"] == dfe_cla.LAIT
    # Hartlepool 2020 from the 2023 edition is 156 (LAIT prints 157: the EES file wins)
    assert one(cla, "E06000001", "2020")["value"] == 156


def test_cla_ci_byar_from_counts(cla):
    r = one(cla, "E06000001", "2025")  # 157 per 10,000
    assert 140 < r["lower"] < 157 < r["upper"] < 176  # Byar on the published count and population
    assert cla.loc[cla["period"] == "2017", "lower"].isna().all()  # LAIT: no counts, no CI


def test_cla_markings_as_statuses(cla):
    assert one(cla, "E09000001", "2025")["status"] == "suppressed"  # City of London 2025 'c'
    assert one(cla, "E06000053", "2025")["status"] == "not applicable"  # Isles of Scilly 'z'
    assert one(cla, "E06000063", "2023")["status"] == "not applicable"  # Cumberland before it existed
    assert not cla["area_code"].isin(["E10000006", "E10000021", "E08000016", "E08000019"]).any()


def test_cla_recodes(cla):
    r = one(cla, "E08000038", "2025")  # Barnsley, published as E08000016
    assert "E08000016" in r["note"] and not r["derived"]
    ny = one(cla, "E06000065", "2019")  # North Yorkshire county (E10000023) in the 2023 edition
    assert "E10000023" in ny["note"] and ny["value"] > 0


def test_cla_lait_agrees_with_ees(ctx_b, cla):
    from etl import readers
    lait = dfe_cla.lait_rows(ctx_b, "LAC")
    v, _ = readers.to_number(lait["Values"], "x", "Values", markers=dfe_cla.DFE_MARKERS)
    m = cla.merge(lait.assign(v=v.to_numpy())[["area_code", "Years", "v"]],
                  left_on=["area_code", "period"], right_on=["area_code", "Years"])
    diff = m[(m["value"] - m["v"]).abs() > 0.01]
    assert len(m) > 1500 and len(diff) <= 1  # only Hartlepool 2020 (a DfE revision)


def test_cla_bad_input_names_file_and_column(tmp_path, ctx_b):
    raw = copy_raw(tmp_path, [dfe_cla.NEW])
    p = raw / dfe_cla.NEW
    text = p.read_text(encoding="utf-8-sig").splitlines()
    text[5] = text[5].rsplit(",", 1)[0] + ",lots"
    p.write_text("\n".join(text) + "\n")
    with pytest.raises(InputError) as e:
        dfe_cla.parse(ctx_on(raw, ctx_b))
    assert dfe_cla.NEW in str(e.value) and "rate_per_10000" in str(e.value) and "row 6" in str(e.value)


# --------------------------------------------------------------------------- absence
def test_absence_periods_and_counts(absence):
    labels = sorted(absence["period"].unique())
    assert labels[0] == "2015/16" and labels[-1] == "2024/25" and len(labels) == 10
    latest = absence[absence["period"] == "2024/25"]
    assert latest.groupby("geography").size().to_dict() == {"country": 1, "region": 9, "utla": 153}
    assert (absence.loc[absence["period"] == "2019/20", "status"] == "not available").all()


def test_absence_spot_values(absence):
    # LAIT TotAbs: Derby 2024/25 6.99; England 970 and Yorkshire and the Humber by name
    assert one(absence, "E06000015", "2024/25")["value"] == pytest.approx(6.99)
    assert one(absence, "E92000001", "2024/25")["status"] == "ok"
    assert one(absence, "E12000003", "2024/25")["status"] == "ok"
    assert one(absence, "E06000063", "2021/22")["status"] == "not available"  # Cumberland '-'


def test_absence_unknown_la_number_raises(tmp_path, ctx_b):
    raw = copy_raw(tmp_path, [dfe_cla.LAIT])
    df = pd.read_parquet(raw / dfe_cla.LAIT)
    i = df.index[(df["Short Desc"] == "TotAbs")][3]
    df.loc[i, "LA Number"] = 999.0
    df.to_parquet(raw / dfe_cla.LAIT)
    dfe_cla._lait.cache_clear()
    try:
        with pytest.raises(InputError) as e:
            dfe_absence.parse(ctx_on(raw, ctx_b))
    finally:
        dfe_cla._lait.cache_clear()
    assert dfe_cla.LAIT in str(e.value) and "'LA Number'" in str(e.value) and f"row {i}" in str(e.value)


def test_absence_pre2019_dorset_numbers_are_dropped_not_errors(absence):
    assert not absence["area_code"].isin(["E06000028", "E06000029", "E10000009"]).any()


# --------------------------------------------------------------------------- NEET
def test_neet_periods_and_counts(neet):
    assert sorted(neet["period"].unique()) == [str(y) for y in range(2019, 2026)]
    latest = neet[neet["period"] == "2025"]
    assert latest.groupby("geography").size().to_dict() == {"country": 1, "region": 9, "utla": 151}


def test_neet_spot_values_and_ci(neet):
    # Derby NEET + not known 2021-2025: 7.4, 5.6, 4.3, 4.1, 7.9
    assert [one(neet, "E06000015", str(y))["value"] for y in range(2021, 2026)] == [7.4, 5.6, 4.3, 4.1, 7.9]
    r = one(neet, "E06000015", "2025")
    assert r["lower"] < 7.9 < r["upper"] and r["upper"] - r["lower"] < 2
    assert one(neet, "E92000001", "2025")["value"] == 5.6
    assert pd.isna(one(neet, "E06000015", "2020")["lower"])  # LAIT year: no cohort, no CI


def test_neet_demo_rows_excluded(neet):
    y21 = neet[neet["period"] == "2021"]
    assert not y21["area_name"].isin(["LA demo", "Region demo"]).any()
    assert len(y21[y21["geography"] == "region"]) == 9
    assert not neet["area_code"].isin(["E09000001", "E06000053"]).any()  # reported with Hackney/Cornwall


def test_neet_bad_percent_names_file_and_column(tmp_path, ctx_b):
    rel = dfe_neet.FILES[1]
    raw = copy_raw(tmp_path, [rel])
    df = pd.read_csv(raw / rel, dtype=str, keep_default_na=False)
    df.loc[4, "NEET_not_known_percent"] = "n/a"
    df.to_csv(raw / rel, index=False)
    with pytest.raises(InputError) as e:
        dfe_neet.parse(ctx_on(raw, ctx_b))
    assert rel in str(e.value) and "'NEET_not_known_percent'" in str(e.value) and "row 6" in str(e.value)


def test_neet_renamed_column(tmp_path, ctx_b):
    rel = dfe_neet.FILES[0]
    raw = copy_raw(tmp_path, [rel])
    df = pd.read_csv(raw / rel, dtype=str, keep_default_na=False).rename(columns={"Cohort_DJFavg": "cohort"})
    df.to_csv(raw / rel, index=False)
    with pytest.raises(InputError) as e:
        dfe_neet.parse(ctx_on(raw, ctx_b))
    assert rel in str(e.value) and "Cohort_DJFavg" in str(e.value)
