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
    lines[3] = lines[3].replace(",,", ",[q],", 1)
    p = tmp_path / "w.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        w.parse_cmd(p, "w.csv")
    assert "row 4" in str(e.value) and "Data marking" in str(e.value)


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
