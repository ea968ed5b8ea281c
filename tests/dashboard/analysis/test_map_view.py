"""The map's view model on the real build: payload aligned with the geometry, honest reasons,
URL checks, the table behind the CSV, benchmarks."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from dashboard import queries as q
from dashboard.analysis import map_view as mv
from dashboard.viewmodel import plain


@pytest.fixture(scope="module", autouse=True)
def built(build_dir):
    q.build.reset()
    return build_dir


def test_payload_aligned_with_geometry_and_small():
    p = mv.payload("mean_life_satisfaction", "2022-23", "ltla", "quantile", "england")
    geo = q.geometry.index("ltla")
    assert p["n"] == len(geo) == len(p["v"]) == len(p["c"]) == len(p["lo"]) == 361
    assert len(json.dumps(p, separators=(",", ":"))) < 13_000
    df = mv.values_frame("mean_life_satisfaction", "2022-23", "ltla")
    i = int(np.flatnonzero(df["value"].notna().to_numpy())[0])
    assert p["v"][i] == round(df["value"].iloc[i], 2)
    for j, v in enumerate(p["v"]):  # no value: a reason; a value: a class
        if v is None:
            assert p["c"][j] == -1 and p["reasons"][p["r"][str(j)]]
        else:
            assert p["c"][j] >= 0


def test_high_anxiety_2022_23_has_honest_reasons():
    state, notes = mv.normalise("high_anxiety", "2022-23", "ltla", "quantile", None)
    assert state["period"] == "2022-23" and not notes  # kept: the page explains, it does not switch silently
    s = mv.summary("high_anxiety", "2022-23", "ltla")
    assert s["n_values"] == 0 and not s["period_published"]
    assert mv.NOT_PUBLISHED_HERE in s["reasons"]
    assert mv.closest_alternative("high_anxiety") == "mean_anxiety"
    text = " ".join(plain(n) for n in mv.notes(state, None))
    assert "not published for 2022-23" in text and "wellbeing-local-authority" in text
    opts = mv.period_options("high_anxiety", "2022-23")
    assert opts[0]["value"] == "2022-23" and "not published" in opts[0]["label"]


def test_normalise_bad_params_are_explained():
    state, notes = mv.normalise("nope", "1850-51", "mars", "weird", "moon", area="ZZ99")
    assert state["metric"] == mv.default_metric() == "mean_life_satisfaction"
    assert state["geography"] == "ltla" and state["classes"] == "quantile" and state["benchmark"] == "england"
    assert state["period"] in q.catalogue.periods(state["metric"]) and state["area"] is None
    assert len(notes) == 4 and all(n.kind == "warning" for n in notes)


def test_metric_without_data_is_not_offered_and_says_why():
    no_data = [m["id"] for m in mv.metrics_without_data()]
    assert no_data and not set(no_data) & {o["value"] for o in mv.metric_options()}
    state, notes = mv.normalise(no_data[0])
    assert state["metric"] == mv.default_metric() and "no values in this data" in plain(notes[0])


def test_table_matches_payload_and_is_rounded():
    p = mv.payload("mean_anxiety", "2022-23", "ltla", "benchmark", "region")
    t = mv.table("mean_anxiety", "2022-23", "ltla", "benchmark", "region")
    assert len(t) == p["n"]
    assert t["value"].notna().sum() == sum(v is not None for v in p["v"])
    assert {"area_code", "value", "lower_95", "upper_95", "comparison", "benchmark_value",
            "reason_no_value"} <= set(t.columns)
    assert set(t["comparison"]) <= set(mv.comparison_labels().values()) | {""}
    vals = t["value"].dropna().to_numpy()
    assert (np.diff(vals) >= 0).all()  # lower is better for anxiety: lowest first
    assert (t["value"].dropna() == t["value"].dropna().round(2)).all()


def test_region_geography_has_regions_and_nations():
    df = mv.values_frame("mean_life_satisfaction", "2022-23", "region")
    assert len(df) == 12 and df["value"].notna().all()
    assert set(q.vocabulary.nation_codes()) - {q.vocabulary.england_code()} <= set(df["code"])
    assert (df["inherited"] == "").all()


def test_region_benchmark_falls_back_to_nation_outside_england():
    vals, label = mv.benchmark_values("mean_life_satisfaction", "2022-23", "ltla", "region",
                                      np.array(["E06000001", "W06000001"]))
    assert np.isfinite(vals).all() and "nation" in label
    wales = q.observations.value_of("mean_life_satisfaction", "2022-23", "W92000004")[0]
    assert vals[1] == wales


def test_geography_without_values_says_so():
    assert not q.observations.published_at("mean_life_satisfaction", "icb")
    df = mv.values_frame("mean_life_satisfaction", "2022-23", "icb")
    assert df["value"].isna().all()
    assert df["reason"].str.contains("not published for any integrated care board").all()


def test_county_values_are_named_on_the_ltla_map():
    df = mv.values_frame("persistent_absence", q.observations.latest_period_at("persistent_absence", "ltla"), "ltla")
    kent = df[df["code"] == "E07000105"].iloc[0]  # Ashford, in Kent
    assert kent["inherited_named"] == "County-level value (Kent), shared by all its districts"
    v = mv.view("persistent_absence")
    assert any("county-level value" in plain(n) and "upper-tier authorities: " in plain(n) for n in v.notes)


def test_view_is_one_call_with_everything_the_page_needs():
    v = mv.view("mean_life_satisfaction", "2022-23", "ltla", "benchmark", "england")
    assert v.payload["bl"] == "England" and v.payload["mode"] == "benchmark"
    assert v.legend[-1]["none"] and v.period_options[0]["value"] == q.catalogue.periods("mean_life_satisfaction")[-1]
    assert "of 361 areas have a value" in v.summary


# ----------------------------------------------------------------------------- issue 15: a link from elsewhere
def test_evidence_link_lands_on_the_mean_with_the_area_highlighted():
    # the maturity tool's evidence link: a headline share published for a handful of areas only
    n = len(q.geometry.index("ltla"))
    assert max(q.observations.coverage("low_life_satisfaction", "ltla").values()) < n / 2
    state, notes = mv.normalise("low_life_satisfaction", area="E08000025")
    assert state["metric"] == "mean_life_satisfaction" and state["area"] == "E08000025"
    assert state["geography"] == "ltla" and state["period"] == mv.default_period("mean_life_satisfaction", "ltla")
    text = " ".join(plain(x) for x in notes)
    assert "too few to show how it is distributed" in text and "average life satisfaction score" in text
    # the share is one click away, for the period in which most areas have it
    best = mv.default_period("low_life_satisfaction", "ltla")
    cov = q.observations.coverage("low_life_satisfaction", "ltla")
    assert cov[best] == max(cov.values())
    links = [p for x in notes for p in x.parts if hasattr(p, "href")]
    assert any("metric=low_life_satisfaction" in ln.href and f"period={best}" in ln.href
               and "area=E08000025" in ln.href for ln in links)
    v = mv.view(**state)
    assert len(v.legend) >= 5 and not any("nan" in e["label"] or "(0 areas)" in e["label"] for e in v.legend)
    assert "area=E08000025" in mv.href(**state)


def test_an_asked_for_period_is_kept_even_when_few_areas_have_it():
    state, notes = mv.normalise("low_life_satisfaction", "2017-18", "ltla")
    assert (state["metric"], state["period"]) == ("low_life_satisfaction", "2017-18") and not notes
    text = " ".join(plain(x) for x in mv.notes(state, None))
    assert "cannot show how this measure is distributed" in text and "Closest alternative" in text


def test_default_period_has_most_areas():
    assert mv.default_period("mean_life_satisfaction", "ltla") == q.catalogue.periods("mean_life_satisfaction")[-1]
    state, _ = mv.normalise("mean_life_satisfaction")
    assert state["metric"] == "mean_life_satisfaction"  # well covered: no switch


def test_area_parameter_retired_unknown_and_its_own_geography():
    state, notes = mv.normalise("mean_life_satisfaction", area="E07000163")  # Craven, now North Yorkshire
    assert state["area"] == "E06000065" and "North Yorkshire" in plain(notes[-1])
    state, notes = mv.normalise("mean_life_satisfaction", area="E99999999")
    assert state["area"] is None and notes[-1].kind == "warning"
    state, _ = mv.normalise("mean_life_satisfaction", area="E10000030")  # Surrey, a county
    assert state["geography"] == "utla" and state["area"] == "E10000030"
    state, _ = mv.normalise("mean_life_satisfaction", geography="region", area="E10000030")
    assert state["geography"] == "region"  # an explicit geography wins


# ----------------------------------------------------------------------------- issue 12 item 5: holes explained
def test_legend_lists_why_areas_have_no_value():
    v = mv.view("mean_life_satisfaction", "2022-23", "ltla")
    nv = v.legend[-1]
    df = mv.values_frame("mean_life_satisfaction", "2022-23", "ltla")
    missing = int(df["value"].isna().sum())
    assert nv["none"] and nv["label"].startswith(f"No value: {missing} areas")
    assert any(r.startswith("North Yorkshire: no honest combined value") and "Richmondshire" in r
               for r in nv["reasons"])
    counted = sum(int(r.split(" ", 1)[0]) if r.split(" ", 1)[0].isdigit() else len(r.split(":")[0].split(" and "))
                  for r in nv["reasons"])
    assert counted == missing


def test_no_value_entry_is_left_out_when_every_area_has_one():
    v = mv.view("mean_life_satisfaction", "2022-23", "region")
    assert not any(e.get("none") for e in v.legend)


# ----------------------------------------------------------------------------- words
def test_texts_use_singular_and_plural_and_keep_initialisms():
    assert mv.lower_first("Average life satisfaction score (0-10)") == "average life satisfaction score (0-10)"
    assert mv.lower_first("NO2 annual mean") == "NO2 annual mean" and mv.lower_first("GDHI per head") == "GDHI per head"
    v = mv.view("low_life_satisfaction", "2015-16", "ltla")  # one area with a value
    assert v.summary.startswith("Map of low life satisfaction for 2015-16") and "1 of 361 areas has a value" in v.summary
    text = " ".join(plain(x) for x in v.notes)
    assert "360 of 361 areas have no value" in text
    for t in [v.summary, text] + [e["label"] for e in v.legend] + [r for e in v.legend for r in e.get("reasons", [])]:
        assert not re.search(r"\b1 areas\b|\ba (upper|integrated|air)|\ban (local|region)", t), t
