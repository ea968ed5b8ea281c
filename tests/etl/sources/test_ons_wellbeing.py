"""ONS4 headline data on the real bundled files: values, counts, CIs, markings, mergers."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from etl.errors import ConsistencyError, InputError
from etl.sources import ons_wellbeing as w
from tests.helpers import RAW

FIXTURE = RAW.parent.parent / "tests" / "fixtures" / "cmd_wellbeing-local-authority_excerpt.csv"


@pytest.fixture(scope="module")
def obs(ctx):
    return w.parse(ctx)


def one(obs, metric, code, period):
    r = obs[(obs.metric_id == metric) & (obs.area_code == code) & (obs.period == period) & (obs.geography != "utla")]
    assert len(r) == 1, (metric, code, period, len(r))
    return r.iloc[0]


def test_published_means_at_named_rows(obs):
    # els_personal-wellbeing-estimates.csv rows, as printed by ONS
    r = one(obs, "mean_anxiety", "K02000001", "2011-12")
    assert (r.value, r.lower, r.upper) == (3.13, 3.11, 3.15)
    r = one(obs, "mean_anxiety", "K02000001", "2022-23")
    assert (r.value, r.lower, r.upper) == (3.23, 3.2, 3.26)
    r = one(obs, "mean_life_satisfaction", "E08000017", "2019-20")  # Doncaster
    assert (r.value, r.lower, r.upper, r.status) == (7.36, 7.2, 7.52, "ok")
    r = one(obs, "mean_life_satisfaction", "E08000017", "2017-18")
    assert (r.value, r.lower, r.upper) == (7.45, 7.29, 7.62)


def test_every_current_ltla_every_year(obs, ctx):
    lt = obs[(obs.geography == "ltla") & (obs.metric_id == "mean_life_satisfaction")]
    counts = lt.groupby("period").area_code.nunique()
    assert list(counts.index) == [f"{y}-{(y + 1) % 100:02d}" for y in range(2011, 2023)]
    assert (counts == 361).all()
    assert set(lt.area_code) == ctx.current_ltla
    numeric = lt[lt.value.notna()].groupby("period").size()
    # 374 published codes per year collapse onto 361 current LTLAs; derived mergers add values
    assert numeric.min() >= 345 and numeric.max() <= 361


def test_ci_brackets_every_value(obs):
    v = obs[obs.value.notna() & obs.lower.notna()]
    assert len(v) > 15000
    assert (v.lower <= v.value + 1e-9).all() and (v.upper >= v.value - 1e-9).all()


def test_markings_kept_as_statuses(obs):
    r = one(obs, "mean_life_satisfaction", "E09000001", "2019-20")  # City of London: 'u'
    assert r.status == "low reliability" and np.isnan(r.value)
    r = one(obs, "mean_life_satisfaction", "E06000053", "2019-20")  # Isles of Scilly: 'x'
    assert r.status == "not available" and np.isnan(r.value)
    r = one(obs, "mean_life_satisfaction", "E06000061", "2011-12")  # N Northants before it existed
    assert r.status == "not available"


def test_barnsley_recode_is_relabelled_not_derived(obs):
    r = one(obs, "mean_life_satisfaction", "E08000038", "2019-20")
    assert (r.value, r.lower, r.upper) == (7.74, 7.59, 7.89)
    assert not r.derived and "E08000016" in r.note
    assert not (obs.area_code == "E08000016").any()


def test_cumberland_history_is_derived_by_the_population_weighted_rule(obs, ctx):
    # Allerdale 8.10 (7.80-8.40), Carlisle 7.68 (7.27-8.09), Copeland 7.98 (7.58-8.38) in 2019-20
    pops = ctx.weights[["E07000026", "E07000028", "E07000029"]].to_numpy()
    vals = np.array([8.10, 7.68, 7.98])
    ses = np.array([0.6, 0.82, 0.8]) / (2 * 1.959963984540054)
    wts = pops / pops.sum()
    r = one(obs, "mean_life_satisfaction", "E06000063", "2019-20")
    assert r.derived and "E07000026" in r.note
    assert r.value == pytest.approx((wts * vals).sum())
    half = 1.959963984540054 * np.sqrt(((wts * ses) ** 2).sum())
    assert r.upper - r.value == pytest.approx(half)


def test_merged_area_left_missing_when_a_predecessor_is_missing(obs):
    # Richmondshire (part of North Yorkshire) is 'u' in some years: North Yorkshire is then not derived.
    ny = obs[(obs.area_code == "E06000065") & obs.metric_id.str.startswith("mean_")]
    missing = ny[ny.value.isna()]
    assert len(missing) > 0
    assert missing.note.str.contains("E07000166").all()
    assert (missing.status == "not available").all() and not missing.derived.any()


def test_gla_shares_and_anxiety_band_order(obs):
    r = one(obs, "high_anxiety", "K02000001", "2011-12")
    assert r.value == 21.69 and np.isnan(r.lower)
    r = one(obs, "high_anxiety", "E09000002", "2011-12")  # Barking and Dagenham
    assert r.value == 21.86
    r = one(obs, "low_life_satisfaction", "E09000001", "2011-12")  # City of London 'x'
    assert r.status == "suppressed"
    # Band order: the 4th anxiety column must rise with the published mean anxiety.
    hi = obs[(obs.metric_id == "high_anxiety") & (obs.geography == "ltla") & obs.value.notna()]
    mean = obs[(obs.metric_id == "mean_anxiety") & (obs.geography == "ltla")]
    j = hi.merge(mean, on=["area_code", "period"], suffixes=("_hi", "_mean")).dropna(subset=["value_mean"])
    assert len(j) > 200
    assert np.corrcoef(j.value_hi, j.value_mean)[0, 1] > 0.5
    assert w.gla_band_column("anxiety") == 3 and w.gla_band_column("worthwhile") == 0


def test_gla_first_anxiety_column_falls_with_mean(ctx):
    # Establish the misprinted sheet's order from the data: column 1 (ONS 'very low 0-1') falls.
    d = pd.read_excel(RAW / w.GLA, "Anxiety", header=None)
    codes = d.iloc[3:, 0].astype(str)
    first = pd.to_numeric(d.iloc[3:, 2], errors="coerce")
    mean = w.parse_els(RAW / w.ELS, w.ELS)
    m = mean[(mean.metric_id == "mean_anxiety") & (mean.period == "2011-12")].set_index("area_code").value
    j = pd.DataFrame({"first": first.to_numpy(), "mean": codes.map(m).to_numpy()}).dropna()
    assert np.corrcoef(j["first"], j["mean"])[0, 1] < -0.5


def test_cmd_parser_on_real_excerpt():
    cmd = w.parse_cmd(FIXTURE, "fixture.csv")
    r = cmd[(cmd.metric_id == "high_anxiety") & (cmd.period == "2015-16")].iloc[0]
    assert (r.value, r.lower, r.upper, r.area_code) == (18.38, 15.52, 21.24, "E08000017")
    r = cmd[(cmd.metric_id == "low_worthwhile") & (cmd.period == "2022-23")].iloc[0]
    assert (r.value, r.lower, r.upper) == (2.63, 0.0, 5.34)
    assert set(cmd.metric_id) <= {"low_life_satisfaction", "low_worthwhile", "low_happiness", "high_anxiety",
                                  "mean_life_satisfaction", "mean_worthwhile", "mean_happiness", "mean_anxiety"}
    els = w.parse_els(RAW / w.ELS, w.ELS)
    w.check_cmd_against_els(cmd, els, "fixture.csv")  # the excerpt's means equal ELS exactly


def test_cmd_consistency_check_names_disagreement(tmp_path):
    text = FIXTURE.read_text().replace("7.51,,7.35,7.67,2014-15", "7.91,,7.35,8.67,2014-15")
    bad = tmp_path / "wellbeing-local-authority.csv"
    bad.write_text(text)
    cmd = w.parse_cmd(bad, "ons-wellbeing/wellbeing-local-authority.csv")
    els = w.parse_els(RAW / w.ELS, w.ELS)
    with pytest.raises(ConsistencyError) as e:
        w.check_cmd_against_els(cmd, els, "ons-wellbeing/wellbeing-local-authority.csv")
    assert "wellbeing-local-authority.csv" in str(e.value) and "E08000017" in str(e.value) and "2014-15" in str(e.value)


def test_cmd_bad_marking_is_named(tmp_path):
    lines = FIXTURE.read_text().splitlines()
    lines[3] = lines[3].replace(",,", ",q?,", 1)
    p = tmp_path / "w.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        w.parse_cmd(p, "w.csv")
    assert "row 4" in str(e.value) and "Data marking" in str(e.value)


# --------------------------------------------------------------------------- the real CMD layout
LAYOUT = FIXTURE.parent / "cmd_wellbeing-local-authority_layout.csv"


@pytest.fixture(scope="module")
def layout_rows():
    return pd.read_csv(LAYOUT, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def layout_obs(ctx, tmp_path_factory):
    from etl.context import Context
    from tests.helpers import raw_copy

    raw = raw_copy(tmp_path_factory.mktemp("layout") / "raw", add={w.CMD: LAYOUT.read_bytes()})
    c = Context.load(raw)
    return w.parse(c), c


def test_layout_fixture_has_the_published_header(layout_rows):
    assert list(layout_rows.columns) == ["v4_3", "Data marking", "Lower limit", "Upper limit", "yyyy-yy", "Time",
                                         "administrative-geography", "Geography", "measure-of-wellbeing",
                                         "MeasureOfWellbeing", "wellbeing-estimate", "Estimate"]
    assert not layout_rows.equals(layout_rows.sort_values(["administrative-geography", "yyyy-yy"]))  # unsorted


@pytest.mark.parametrize("code, metric, period, status, note", [
    ("E09000001", "low_life_satisfaction", "2022-23", "low reliability", "[u]"),
    ("E09000001", "mean_life_satisfaction", "2022-23", "low reliability", "[u]"),
    ("E06000053", "low_worthwhile", "2022-23", "not available", "[x]"),       # marking in the value cell too
    ("E07000030", "high_anxiety", "2022-23", "suppressed", "[c]"),
    ("E06000061", "low_happiness", "2011-12", "not applicable", "[z]"),
    ("S12000023", "low_life_satisfaction", "2021-22", "not available", "[w]"),  # other bracketed markings
    ("E06000017", "high_anxiety", "2022-23", "not available", "[low]"),
])
def test_every_bracketed_marking_is_a_status_never_a_value(code, metric, period, status, note):
    cmd = w.parse_cmd(LAYOUT, "layout.csv")
    r = cmd[(cmd.area_code == code) & (cmd.metric_id == metric) & (cmd.period == period)]
    assert len(r) == 1
    r = r.iloc[0]
    assert r.status == status and np.isnan(r.value) and np.isnan(r.lower) and np.isnan(r.upper)
    assert note in r.note


def test_a_marked_ci_keeps_the_published_value():
    cmd = w.parse_cmd(LAYOUT, "layout.csv")
    r = cmd[(cmd.area_code == "E06000017") & (cmd.metric_id == "low_worthwhile")].iloc[0]
    assert (r.value, r.status) == (6.4, "ok") and np.isnan(r.lower) and np.isnan(r.upper)
    assert "CI not published" in r.note


def test_unknown_bracketed_marking_gets_a_stated_status(tmp_path):
    text = LAYOUT.read_text().replace(",[w],[w],[w],", ",[q],[q],[q],")
    p = tmp_path / "w.csv"
    p.write_text(text)
    cmd = w.parse_cmd(p, "w.csv")
    r = cmd[(cmd.area_code == "S12000023")].iloc[0]
    assert r.status == "not available" and np.isnan(r.value) and r.note == "ONS marking [q]"


def test_zero_lower_limit_and_whole_number_means():
    cmd = w.parse_cmd(LAYOUT, "layout.csv")
    r = cmd[(cmd.area_code == "E07000030") & (cmd.metric_id == "low_life_satisfaction")].iloc[0]
    assert (r.value, r.lower, r.upper) == (3.9, 0.0, 8.2)
    r = cmd[(cmd.area_code == "E08000009") & (cmd.metric_id == "mean_worthwhile")].iloc[0]
    assert (r.value, r.lower, r.upper, r.period) == (8.0, 7.88, 8.12, "2015-16")  # written "8.0"; ELS prints 8
    els = w.parse_els(RAW / w.ELS, w.ELS)
    w.check_cmd_against_els(cmd, els, "layout.csv")  # the layout's means are ONS's own


def test_later_value_column_names_are_read(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text(LAYOUT.read_text().replace("v4_3,", "v5_1,", 1))
    assert w.parse_cmd(p, "w.csv").equals(w.parse_cmd(LAYOUT, "layout.csv"))
    p.write_text(LAYOUT.read_text().replace("v4_3,", "value,", 1))
    with pytest.raises(InputError, match="column 1"):
        w.parse_cmd(p, "w.csv")


@pytest.mark.parametrize("old, new, where", [
    (",,5.3,5.94,2022-23", ",,n/a,5.94,2022-23", "column 'Lower limit'"),
    ("5.62,,5.3,5.94", "5.62,,5.7,5.94", "columns 'Lower limit'/'Upper limit'"),
    ("5.62,,5.3,5.94,2022-23", "562,,5.3,5.94,2022-23", "column 'v4_3'"),
    (",2022-23,2022-23,E12000002", ",2022-24,2022-24,E12000002", "column 'yyyy-yy'"),
])
def test_bad_cells_are_named_by_row_and_column(tmp_path, old, new, where):
    text = LAYOUT.read_text()
    assert old in text
    p = tmp_path / "w.csv"
    p.write_text(text.replace(old, new, 1))
    with pytest.raises(InputError) as e:
        w.parse_cmd(p, "w.csv")
    assert where in str(e.value) and "row " in str(e.value)


def test_groupings_without_a_geography_are_dropped_and_counted(layout_obs):
    obs, c = layout_obs
    assert not obs.area_code.str[:3].isin(["E13", "E11", "K04"]).any()
    drops = {d["reason"].split(":")[0]: (d["rows"], d["examples"]) for d in c.dropped if d["file"] == w.CMD}
    assert drops["Inner/Outer London (E13)"][0] == 4
    assert sorted(drops["Inner/Outer London (E13)"][1]) == ["E13000001", "E13000002"]
    assert drops["metropolitan county (E11)"][0] == 2
    assert drops["England and Wales (K04)"][0] == 1
    assert drops["fair, good and very-good bands"][0] == 3


def test_kept_groupings_are_counties_regions_nations_and_uk(layout_obs):
    obs, _ = layout_obs
    cmd = obs[obs.source_file == w.CMD]
    geo = dict(zip(cmd.area_code, cmd.geography))
    assert (geo["E10000003"], geo["E12000002"], geo["E92000001"], geo["W92000004"], geo["K02000001"]) == (
        "utla", "region", "country", "country", "uk")


def test_every_published_share_and_ci_comes_through_exactly(layout_obs, layout_rows):
    obs, c = layout_obs
    keep = layout_rows["wellbeing-estimate"].eq("poor") & (layout_rows["v4_3"] != "") & ~layout_rows["v4_3"].str.startswith("[")
    rows = layout_rows[keep & ~layout_rows["administrative-geography"].str[:3].isin(["E13", "E11", "K04"])]
    retired = set(c.successors)
    n = 0
    for r in rows.itertuples(index=False):
        code = r[6]
        if code in retired:
            continue  # folded into the successor by the harmonisation rule (tested below)
        o = obs[(obs.area_code == code) & (obs.period == r[4]) & (obs.source_file == w.CMD)
                & (obs.metric_id == {"life-satisfaction": "low_life_satisfaction", "worthwhile": "low_worthwhile",
                                     "happiness": "low_happiness", "anxiety": "high_anxiety"}[r[8]])]
        assert len(o) == 1, code
        o = o.iloc[0]
        assert o.value == float(r[0]) and o.status == "ok" and not o.derived
        for got, text in ((o.lower, r[2]), (o.upper, r[3])):
            assert (np.isnan(got) and text.startswith("[")) or got == float(text)
        n += 1
    assert n >= 8


def test_each_years_own_codes_go_through_the_harmonisation_rule(layout_obs, ctx):
    obs, _ = layout_obs
    assert not obs.area_code.isin(["E07000027", "E07000030", "E07000031", "E08000016"]).any()
    # Westmorland and Furness 2022-23 from Barrow-in-Furness, Eden and South Lakeland's shares
    r = one(obs, "low_life_satisfaction", "E06000064", "2022-23")
    pops = ctx.weights[["E07000027", "E07000030", "E07000031"]].to_numpy()
    assert r.derived and r.value == pytest.approx((pops * np.array([8.12, 3.9, 5.5])).sum() / pops.sum())
    # Eden's high-anxiety share is suppressed: no combined value is made up
    r = one(obs, "high_anxiety", "E06000064", "2022-23")
    assert np.isnan(r.value) and r.status == "not available" and "E07000030" in r.note
    r = one(obs, "low_life_satisfaction", "E08000038", "2022-23")  # Barnsley, published under E08000016
    assert (r.value, r.lower, r.upper) == (6.88, 5.02, 8.74) and "E08000016" in r.note


def test_shares_use_the_catalogue_headline_ids(monkeypatch):
    from etl import catalogue

    h = catalogue.headline()
    renamed = h.assign(share_id=h["share_id"] + "_x", mean_id=h["mean_id"] + "_y")
    monkeypatch.setattr(catalogue, "headline", lambda: renamed)
    cmd = w.parse_cmd(LAYOUT, "layout.csv")
    assert set(cmd.metric_id) <= set(renamed.share_id) | set(renamed.mean_id)


# --------------------------------------------------------------------------- builds with a release
def _build(tmp_path, monkeypatch, body: bytes):
    import json

    from etl import build as build_mod
    from tests.helpers import raw_copy

    monkeypatch.setenv("ETL_SOURCES", "ons_wellbeing")
    raw = raw_copy(tmp_path / "raw", add={w.CMD: body})
    out = tmp_path / "build"
    build_mod.build(raw, out, log=lambda *a: None)
    read = {n: pd.read_parquet(out / f"{n}.parquet") for n in ("observations", "mission_gap", "mission_ltla",
                                                               "mission_regions")}
    return json.loads((out / "manifest.json").read_text()), read


def test_build_with_the_layout_fixture(tmp_path, monkeypatch):
    man, t = _build(tmp_path, monkeypatch, LAYOUT.read_bytes())
    obs = t["observations"]
    r = obs[(obs.metric_id == "low_life_satisfaction") & (obs.area_code == "E10000003") & (obs.period == "2022-23")]
    assert (r.value.iloc[0], r.lower.iloc[0], r.upper.iloc[0]) == (6.2, 4.1, 8.3)
    reasons = " ".join(d["reason"] for d in man["dropped_rows"])
    assert "E13" in reasons and "E11" in reasons
    # a handful of areas cannot cover 90% of LTLAs: the mission stays on the published means
    assert man["mission_basis"] == ["means"]


def _release(tmp_path, periods, value_column):
    from etl.context import Context
    from tests.fixtures.cmd_release import write_release

    return write_release(tmp_path / "release.csv", RAW, Context.load(RAW).areas, periods,
                         value_column=value_column).read_bytes()


FULL = [f"{y}-{(y + 1) % 100:02d}" for y in range(2011, 2025)]


def test_a_full_release_switches_the_mission_to_shares_and_moves_the_latest_period(tmp_path, monkeypatch):
    body = _release(tmp_path, FULL, "v5_3")
    man, t = _build(tmp_path, monkeypatch, body)
    assert man["mission_basis"] == ["shares"]
    obs = t["observations"]
    shares = obs[obs.metric_id.isin(["low_life_satisfaction", "low_worthwhile", "low_happiness", "high_anxiety"])
                 & (obs.geography == "ltla") & obs.value.notna()]
    assert shares.groupby("metric_id").period.max().eq("2024-25").all()
    assert (shares[shares.period == "2024-25"].groupby("metric_id").area_code.nunique() >= 0.9 * 361).all()
    gap = t["mission_gap"]
    assert set(gap.basis) == {"shares"} and "2024-25" in set(gap.period)
    assert t["mission_ltla"].period.max() == "2024-25"
    reg = t["mission_regions"]
    assert reg[reg.basis == "shares"].period.max() == "2024-25"
    # every published LTLA share of the new periods reaches the observations exactly
    rel = pd.read_csv(tmp_path / "release.csv", dtype=str, keep_default_na=False)
    rel = rel[(rel["wellbeing-estimate"] == "poor") & (rel["v5_3"] != "") & rel["yyyy-yy"].isin(["2023-24", "2024-25"])
              & rel["administrative-geography"].str[:3].isin(["E06", "E07", "E08", "E09", "W06", "S12", "N09"])]
    ids = {"life-satisfaction": "low_life_satisfaction", "worthwhile": "low_worthwhile", "happiness": "low_happiness",
           "anxiety": "high_anxiety"}
    j = rel.assign(metric_id=rel["measure-of-wellbeing"].map(ids)).merge(
        shares, left_on=["metric_id", "administrative-geography", "yyyy-yy"],
        right_on=["metric_id", "area_code", "period"])
    assert len(j) == len(rel) > 2000
    assert (j["v5_3"].astype(float) == j["value"]).all()
    assert (j["Lower limit"].astype(float) == j["lower"]).all() and (j["Upper limit"].astype(float) == j["upper"]).all()


def test_a_release_adding_only_later_periods_moves_the_latest_period(tmp_path, monkeypatch):
    """ELS stops at 2022-23; a release with 2023-24 and 2024-25 only moves observations and every
    mission table on, with no code change (shares too sparse at the baseline: means basis)."""
    man, t = _build(tmp_path, monkeypatch, _release(tmp_path, ["2023-24", "2024-25"], "v4_3"))
    assert man["mission_basis"] == ["means"]
    obs = t["observations"]
    means = obs[(obs.metric_id == "mean_life_satisfaction") & (obs.geography == "ltla") & obs.value.notna()]
    assert means.period.max() == "2024-25"
    assert means[means.period == "2024-25"].source_file.eq(w.CMD).all()
    assert means[means.period == "2022-23"].source_file.eq(w.ELS).all()
    gap = t["mission_gap"]
    assert gap[~gap.is_baseline].period.max() == "2024-25"
    assert t["mission_ltla"].period.max() == "2024-25"
    reg = t["mission_regions"]
    assert reg[reg.basis == "means"].period.max() == "2024-25"


def test_build_takes_shares_from_cmd_file_when_present(tmp_path):
    from etl.context import Context
    from tests.helpers import raw_copy

    raw = raw_copy(tmp_path / "raw", add={w.CMD: FIXTURE.read_bytes()})
    obs = w.parse(Context.load(raw))
    r = obs[(obs.metric_id == "high_anxiety") & (obs.area_code == "E08000017") & (obs.period == "2015-16")].iloc[0]
    assert (r.value, r.lower, r.upper) == (18.38, 15.52, 21.24)
    assert r.source_file == w.CMD
    # London shares still come from the GLA workbook where the CMD file does not cover them
    assert ((obs.metric_id == "high_anxiety") & (obs.area_code == "E09000002")).any()


def test_els_bad_inputs_are_named(tmp_path):
    src = (RAW / w.ELS).read_text()
    p = tmp_path / "els.csv"
    p.write_text(src.replace("areacd,", "area_code,", 1))
    with pytest.raises(InputError, match="column 'areacd'"):
        w.parse_els(p, "els.csv")
    lines = src.splitlines()
    lines[1] = lines[1].replace(",3.13,Score", ",three,Score", 1)
    p.write_text("\n".join(lines))
    with pytest.raises(InputError, match=r"row 2, column 'observation'"):
        w.parse_els(p, "els.csv")
