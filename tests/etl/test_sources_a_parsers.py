"""Helper A's parsers on the REAL bundled files: ONS ELS indicators (claimant count, ASHE,
persistent absence, context), ONS Health Index, Sport England Active Lives, MHCLG temporary
accommodation and Defra fly-tipping. Spot values quote the publishers' own files."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.context import Context
from etl.errors import InputError
from etl.schema import validate_observations
from etl.sources import (defra_flytipping, dluhc_temporary_accommodation, ons_els_indicators,
                         ons_health_index, sport_active_lives)

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


@pytest.fixture(scope="session")
def ctx():
    return Context.load(RAW)


@pytest.fixture(scope="session")
def els(ctx):
    return ons_els_indicators.parse(ctx)


@pytest.fixture(scope="session")
def hi(ctx):
    return ons_health_index.parse(ctx)


@pytest.fixture(scope="session")
def sport(ctx):
    return sport_active_lives.parse(ctx)


@pytest.fixture(scope="session")
def ta(ctx):
    return dluhc_temporary_accommodation.parse(ctx)


@pytest.fixture(scope="session")
def fly(ctx):
    return defra_flytipping.parse(ctx)


def tmp_ctx(ctx: Context, tmp_path: Path) -> Context:
    return Context(raw=tmp_path, areas=ctx.areas, changes=ctx.changes, weights=ctx.weights)


def one(obs, metric, code, period, geography=None):
    m = (obs["metric_id"] == metric) & (obs["area_code"] == code) & (obs["period"] == period)
    if geography:
        m &= obs["geography"] == geography
    rows = obs[m]
    assert len(rows) == 1, (metric, code, period, len(rows))
    return rows.iloc[0]


def english_ltla(ctx):
    return {c for c in ctx.current_ltla if c.startswith("E")}


def latest_coverage(ctx, obs, metric, period):
    """English LTLAs with an 'ok' value in `period`, after the app's inheritance
    (ltla native, else its utla's value)."""
    rows = obs[(obs["metric_id"] == metric) & (obs["period"] == period) & (obs["status"] == "ok")]
    ltla_ok = set(rows.loc[rows["geography"] == "ltla", "area_code"])
    utla_ok = set(rows.loc[rows["geography"] == "utla", "area_code"])
    a = ctx.areas[(ctx.areas["geography"] == "ltla") & ctx.areas["active"] & ctx.areas["code"].str.startswith("E")]
    return {c for c, u in zip(a["code"], a["utla_code"]) if c in ltla_ok or u in utla_ok}


# --------------------------------------------------------------------------- contract
@pytest.mark.parametrize("name", ["els", "hi", "sport", "ta", "fly"])
def test_contract(name, request):
    obs = request.getfixturevalue(name)
    validate_observations(obs)
    assert not obs.duplicated(["metric_id", "area_code", "geography", "period"]).any()


# --------------------------------------------------------------------------- ELS: claimant count
def test_claimant_periods_and_geographies(ctx, els):
    cc = els[els["metric_id"] == "claimant_count_rate"]
    assert sorted(cc["period"].unique()) == [str(y) for y in range(2001, 2026)]
    last = cc[cc["period"] == "2025"]
    assert last.groupby("geography")["area_code"].nunique().to_dict() == {
        "uk": 1, "country": 4, "region": 9, "utla": 21, "ltla": 361}
    assert set(last.loc[last["geography"] == "ltla", "area_code"]) == ctx.current_ltla
    assert last["status"].eq("ok").all()


def test_claimant_spot_values_and_recode(els):
    assert one(els, "claimant_count_rate", "E08000025", "2025")["value"] == pytest.approx(10.1)  # Birmingham
    assert one(els, "claimant_count_rate", "K02000001", "2001")["value"] == pytest.approx(2.6)
    b = one(els, "claimant_count_rate", "E08000038", "2025")  # published as E08000016 Barnsley 3.2
    assert b["value"] == pytest.approx(3.2) and "E08000016" in b["note"]
    assert not (els["area_code"] == "E08000016").any()


def test_claimant_x_is_not_available(els):
    ni = one(els, "claimant_count_rate", "N09000001", "2005")
    assert ni["status"] == "not available" and np.isnan(ni["value"])
    cc = els[els["metric_id"] == "claimant_count_rate"]
    assert (cc["status"] == "not available").sum() == 132


# --------------------------------------------------------------------------- ELS: ASHE
def test_ashe_values_cis_and_markings(els):
    uk = one(els, "median_weekly_pay_all", "K02000001", "2025")
    assert (uk["value"], uk["lower"], uk["upper"]) == pytest.approx((642.5, 641.2407, 643.7593))
    leeds = one(els, "median_weekly_pay_all", "E08000035", "2025")
    assert leeds["value"] == pytest.approx(610.7) and leeds["lower"] == pytest.approx(583.169644)
    col = one(els, "median_weekly_pay_all", "E09000001", "2025")  # City of London 'u'
    assert col["status"] == "low reliability" and np.isnan(col["value"])
    cumb = one(els, "median_weekly_pay_all", "E06000063", "2021")  # Cumberland 'x' before it existed
    assert cumb["status"] == "not available"
    ashe = els[els["metric_id"] == "median_weekly_pay_all"]
    assert sorted(ashe["period"].unique()) == [str(y) for y in range(2008, 2026)]
    assert ashe["status"].value_counts().to_dict() == {"ok": 6911, "not available": 94, "low reliability": 35}


# --------------------------------------------------------------------------- ELS: persistent absence
def test_persistent_absence(ctx, els):
    pa = els[els["metric_id"] == "persistent_absence"]
    assert sorted(pa["period"].unique()) == [f"{y}/{(y + 1) % 100:02d}" for y in range(2006, 2025) if y != 2019]
    assert set(pa["geography"]) == {"utla", "region", "country"}
    latest = pa[pa["period"] == "2024/25"]
    assert set(latest.loc[latest["geography"] == "utla", "area_code"]) == {
        c for c in ctx.codes("utla") if c.startswith("E")}
    assert one(els, "persistent_absence", "E06000015", "2024/25")["value"] == pytest.approx(19.53079)  # Derby
    assert one(els, "persistent_absence", "E10000014", "2024/25")["value"] == pytest.approx(15.76948)  # Hampshire
    assert one(els, "persistent_absence", "E92000001", "2023/24")["value"] == pytest.approx(19.95004)
    # retired upper-tier codes are not emitted
    assert not pa["area_code"].isin(["E10000006", "E10000023", "E10000027", "E06000028", "E10000021"]).any()
    # every English LTLA reaches a value through its upper tier
    assert latest_coverage(ctx, els, "persistent_absence", "2024/25") == english_ltla(ctx)


# --------------------------------------------------------------------------- ELS: context
def test_context_metrics(ctx, els):
    hle = one(els, "healthy_life_expectancy_male", "K02000001", "2011-2013")
    assert (hle["value"], hle["lower"], hle["upper"]) == pytest.approx((62.7, 62.6, 62.9))
    corn = one(els, "healthy_life_expectancy_female", "E06000052", "2022-2024", "utla")
    assert (corn["value"], corn["lower"], corn["upper"]) == pytest.approx((60.0, 56.5, 63.5))
    assert set(els.loc[els["metric_id"].str.startswith("healthy_life"), "geography"]) == {"uk", "country", "region", "utla"}
    arts = one(els, "culture_engaged_arts", "E08000009", "2023-24")  # Trafford 93 (90-96)
    assert (arts["value"], arts["lower"], arts["upper"]) == pytest.approx((93, 90, 96))
    cult = els[(els["metric_id"] == "culture_visited_heritage") & (els["geography"] == "ltla")]
    assert set(cult["area_code"]) == english_ltla(ctx)
    pov = els[els["metric_id"] == "child_poverty_ahc"]
    assert sorted(pov["period"].unique()) == ["2023-24", "2024-25"]
    # both the old and new Barnsley codes are published: the new-code row wins, no duplicate
    assert len(els[(els["metric_id"] == "child_poverty_bhc") & (els["area_code"] == "E08000038")]) == 4
    gd = els[els["metric_id"] == "gdhi_per_head"]
    assert sorted(gd["period"].unique())[0] == "1997" and sorted(gd["period"].unique())[-1] == "2023"


# --------------------------------------------------------------------------- ELS: bad input
def test_els_renamed_column(ctx, tmp_path):
    src = RAW / ons_els_indicators.CLAIMANT
    dest = tmp_path / ons_els_indicators.CLAIMANT
    dest.parent.mkdir(parents=True)
    dest.write_text(src.read_text(encoding="utf-8-sig").replace("observation", "value", 1), encoding="utf-8")
    with pytest.raises(InputError) as e:
        ons_els_indicators.parse_file(tmp_ctx(ctx, tmp_path), ons_els_indicators.FILES[0])
    assert "ons-claimant-count/claimant-count.csv" in str(e.value) and "'observation'" in str(e.value)


def test_els_non_numeric_cell(ctx, tmp_path):
    src = RAW / ons_els_indicators.ASHE
    dest = tmp_path / ons_els_indicators.ASHE
    dest.parent.mkdir(parents=True)
    dest.write_text(src.read_text(encoding="utf-8-sig").replace(",642.5,", ",six hundred,", 1), encoding="utf-8")
    with pytest.raises(InputError) as e:
        ons_els_indicators.parse_file(tmp_ctx(ctx, tmp_path), ons_els_indicators.FILES[1])
    msg = str(e.value)
    assert "ons-ashe/gross-median-weekly-pay.csv" in msg and "row 2, column 'observation'" in msg


# --------------------------------------------------------------------------- Health Index
def test_health_index_shape(ctx, hi):
    assert sorted(hi["period"].unique()) == [str(y) for y in range(2015, 2022)]
    latest = hi[(hi["period"] == "2021") & (hi["metric_id"] == "health_index_physical")]
    assert latest.groupby("geography")["area_code"].nunique().to_dict() == {
        "country": 1, "region": 9, "utla": 21, "ltla": 294, "icb": 42}
    # Isles of Scilly and City of London are not published separately
    assert english_ltla(ctx) - set(latest["area_code"]) == {"E06000053", "E09000001"}
    assert hi["status"].eq("ok").all()


def test_health_index_spot_values(hi):
    assert one(hi, "health_index_physical", "E92000001", "2015")["value"] == 100.0
    assert one(hi, "health_index_mental", "E92000001", "2021")["value"] == pytest.approx(97.4)
    assert one(hi, "health_index_physical", "E06000015", "2021")["value"] == pytest.approx(92.9)  # Derby
    assert one(hi, "health_index_mental", "E08000009", "2015")["value"] == pytest.approx(109.0)  # Trafford
    assert one(hi, "health_index_physical", "E54000008", "2021", "icb")["value"] == pytest.approx(99.9)
    # Barnsley published under its 2021 code
    assert one(hi, "health_index_physical", "E08000038", "2021")["value"] == pytest.approx(100.5)
    # Cumberland derived from Allerdale 109.9, Carlisle 96.7, Copeland 88.1 (population-weighted)
    cum = one(hi, "health_index_physical", "E06000063", "2021")
    assert cum["derived"] and 88.1 < cum["value"] < 109.9
    assert "E07000026" in cum["note"]
    # retired county dropped
    assert not (hi["area_code"] == "E10000006").any()


def test_health_index_renamed_column(ctx, tmp_path):
    path = RAW / ons_health_index.LA_FILE
    raw = pd.read_excel(path, "Table_3_2021_Index", header=None, nrows=15)
    raw.iloc[4] = raw.iloc[4].replace("Mental health [Pe]", "Mental wellbeing [Pe]")
    out = tmp_path / "hi.xlsx"
    raw.to_excel(out, sheet_name="Table_3_2021_Index", header=False, index=False)
    with pytest.raises(InputError) as e:
        ons_health_index.parse_sheet(out, ons_health_index.LA_FILE, "Table_3_2021_Index", 2021, True)
    msg = str(e.value)
    assert "ons-health-index/healthindexscoresengland.xlsx" in msg and "Mental health [Pe]" in msg


# --------------------------------------------------------------------------- Active Lives
def test_active_lives(ctx, sport):
    act = sport[sport["metric_id"] == "physically_active_adults"]
    assert sorted(act["period"].unique()) == [f"{y}/{(y + 1) % 100:02d}" for y in range(2015, 2025)]
    eng = act[act["area_code"] == "E92000001"].sort_values("period")["value"].tolist()
    assert eng == pytest.approx([66.1, 66.0, 66.3, 67.2, 66.4, 65.9, 67.3, 67.1, 67.4, 68.0])
    assert one(sport, "physically_active_adults", "E08000009", "2024/25")["value"] == pytest.approx(70.2)
    # overlap years: the published Cumberland value (66.1), never a mix with Allerdale (66.4)
    cum = one(sport, "physically_active_adults", "E06000063", "2021/22")
    assert cum["value"] == pytest.approx(66.1) and not cum["derived"]
    for p in act["period"].unique():
        rows = act[(act["period"] == p) & (act["geography"] == "ltla")]
        assert set(rows["area_code"]) == english_ltla(ctx), p
    assert not sport["area_code"].isin(["E07000026", "E08000016"]).any()
    assert one(sport, "physically_inactive_adults", "E92000001", "2024/25")["value"] == pytest.approx(21.8)
    assert sport["lower"].isna().all()


def test_active_lives_bad_value(ctx, tmp_path):
    src = RAW / sport_active_lives.ACTIVE
    dest = tmp_path / sport_active_lives.ACTIVE
    dest.parent.mkdir(parents=True)
    lines = src.read_text().splitlines()
    lines[1] = lines[1].replace(",66.1,", ",high,")
    dest.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        sport_active_lives.parse_file(tmp_ctx(ctx, tmp_path), sport_active_lives.ACTIVE)
    assert "ohid_fingertips_93014" in str(e.value) and "row 2, column 'value'" in str(e.value)


# --------------------------------------------------------------------------- temporary accommodation
def test_ta_periods_and_coverage(ctx, ta):
    assert sorted(ta["period"].unique()) == [f"{y}-03-31" for y in range(2019, 2026)] + ["2025-12-31"]
    for p, g in ta.groupby("period"):
        assert g.groupby("geography")["area_code"].nunique().to_dict() == {"country": 1, "region": 9, "ltla": 296}, p
        assert set(g.loc[g["geography"] == "ltla", "area_code"]) == english_ltla(ctx)
    latest = ta[ta["period"] == "2025-12-31"]
    assert latest["status"].value_counts().to_dict() == {"ok": 299, "not available": 7}


def test_ta_spot_values_and_ci(ta):
    eng = one(ta, "temporary_accommodation_rate", "E92000001", "2025-12-31")  # 134,210 / 24,440.28
    assert eng["value"] == pytest.approx(5.491345)
    assert eng["lower"] < eng["value"] < eng["upper"] and eng["upper"] - eng["lower"] < 0.1
    assert one(ta, "temporary_accommodation_rate", "E92000001", "2019-03-31")["value"] == pytest.approx(3.636372)
    hack = one(ta, "temporary_accommodation_rate", "E09000012", "2025-12-31")  # Hackney 3,682 / 111.401
    assert hack["value"] == pytest.approx(33.051768)
    p = 3682 / 111401
    assert hack["lower"] == pytest.approx(1000 * (p - 1.96 * np.sqrt(p * (1 - p) / 111401)), rel=2e-3)
    assert one(ta, "temporary_accommodation_rate", "E08000009", "2025-12-31")["value"] == pytest.approx(2.804166)
    # '..' is not available, never 0
    na = ta[ta["status"] == "not available"]
    assert na["value"].isna().all() and len(na) > 0


def test_ta_harmonised_from_counts(ta):
    # Cumberland at 31 March 2019 = Allerdale 8 + Carlisle 4 + Copeland 9 over 43.54 + 49.311 + 29.759
    cum = one(ta, "temporary_accommodation_rate", "E06000063", "2019-03-31")
    assert cum["derived"] and cum["value"] == pytest.approx(21 / (43.54 + 49.311 + 29.759))
    assert cum["lower"] < cum["value"] < cum["upper"]
    # North Yorkshire 2021: a predecessor did not report -> not available, not a partial sum
    ny = one(ta, "temporary_accommodation_rate", "E06000065", "2021-03-31")
    assert ny["status"] == "not available" and np.isnan(ny["value"])
    assert not ta["area_code"].isin(["E07000026", "E06000028", "E08000016"]).any()


def test_ods_stream_reader_matches_pandas(tmp_path):
    df = pd.DataFrame({"a": ["E92000001", "x  y", None, "E12000001"], "b": [1.5, None, 3, 4],
                       "c": ["..", "z", None, "0"]})
    path = tmp_path / "t.ods"
    with pd.ExcelWriter(path, engine="odf") as w:
        pd.DataFrame({"q": [1]}).to_excel(w, sheet_name="Other", index=False)
        df.to_excel(w, sheet_name="TA1", index=False)
    ours = dluhc_temporary_accommodation.read_ods_sheet(path, "TA1")
    theirs = pd.read_excel(path, "TA1", header=None, engine="odf", dtype=object)
    assert ours.shape == theirs.shape
    for i in range(ours.shape[0]):
        for j in range(ours.shape[1]):
            a, b = ours.iat[i, j], theirs.iat[i, j]
            assert (pd.isna(a) and pd.isna(b)) or a == b, (i, j, a, b)
    with pytest.raises(InputError) as e:
        dluhc_temporary_accommodation.read_ods_sheet(path, "TA2")
    assert "t.ods" in str(e.value) and "TA2" in str(e.value)


def test_ta_non_numeric_cell(tmp_path):
    src = RAW / dluhc_temporary_accommodation.FILES["2024-03-31"][0]
    raw = pd.read_excel(src, "TA1", header=None, nrows=20)
    raw.iat[8, 6] = "abc"  # London's rate
    out = tmp_path / "ta.xlsx"
    raw.to_excel(out, sheet_name="TA1", header=False, index=False)
    with pytest.raises(InputError) as e:
        dluhc_temporary_accommodation.parse_ta1(out, "dluhc-temporary-accommodation/Detailed_LA_202403.xlsx",
                                                "TA1", "2024-03-31")
    msg = str(e.value)
    assert "Detailed_LA_202403.xlsx" in msg and "row 9" in msg and "per 1,000" in msg


# --------------------------------------------------------------------------- fly-tipping
def test_flytipping_periods_and_coverage(ctx, fly):
    counts = fly[fly["metric_id"] == "fly_tipping_incidents"]
    rates = fly[fly["metric_id"] == "fly_tipping_rate"]
    assert sorted(counts["period"].unique()) == [f"{y}-{(y + 1) % 100:02d}" for y in range(2012, 2023)]
    assert sorted(rates["period"].unique()) == ["2019-20", "2020-21", "2021-22", "2022-23"]
    latest = rates[rates["period"] == "2022-23"]
    assert latest.groupby("geography")["area_code"].nunique().to_dict() == {"country": 1, "region": 9, "ltla": 296}
    assert set(latest.loc[(latest["geography"] == "ltla") & (latest["status"] == "ok"), "area_code"]) == english_ltla(ctx)


def test_flytipping_spot_values(fly):
    assert one(fly, "fly_tipping_incidents", "E92000001", "2012-13")["value"] == 714637
    assert one(fly, "fly_tipping_incidents", "E92000001", "2018-19")["value"] == 957157  # comparable total
    eng = one(fly, "fly_tipping_rate", "E92000001", "2022-23")
    assert eng["value"] == pytest.approx(18.958874) and eng["lower"] < eng["value"] < eng["upper"]
    assert one(fly, "fly_tipping_rate", "E12000007", "2019-20")["value"] == pytest.approx(40.178581)  # London
    traf = one(fly, "fly_tipping_rate", "E08000009", "2022-23")
    assert traf["value"] == pytest.approx(8.586506) and traf["note"] == "Reporting basis: All incidents"
    hack = one(fly, "fly_tipping_rate", "E09000012", "2021-22")  # ':' in the file
    assert hack["status"] == "not available" and np.isnan(hack["value"])
    cum = one(fly, "fly_tipping_rate", "E06000063", "2022-23")  # Allerdale + Carlisle + Copeland
    assert cum["derived"] and cum["value"] == pytest.approx((1756 + 1485 + 306) / (96555 + 111418 + 67417) * 1000)
    cumc = one(fly, "fly_tipping_incidents", "E06000063", "2022-23")
    assert cumc["value"] == 1756 + 1485 + 306 and cumc["derived"]


def test_flytipping_bad_cell(ctx, tmp_path):
    real = dluhc_temporary_accommodation.read_any_sheet(str(RAW / defra_flytipping.SOURCE), "LA_incidents")
    small = real.iloc[:30].copy()
    small.iat[5, 4] = "lots"  # Total Incidents of the 3rd data row
    dest = tmp_path / defra_flytipping.SOURCE
    dest.parent.mkdir(parents=True)
    with pd.ExcelWriter(dest, engine="odf") as w:
        small.to_excel(w, sheet_name="LA_incidents", header=False, index=False)
    with pytest.raises(InputError) as e:
        defra_flytipping.parse_incidents(tmp_ctx(ctx, tmp_path))
    msg = str(e.value)
    assert "Flytipping_incidents" in msg and "'Total Incidents'" in msg and "row 6" in msg
