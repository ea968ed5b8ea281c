"""Downloads: profile CSV (rounded to the publisher's precision), whole tables, 404s and redirects."""
from __future__ import annotations

import io

import pandas as pd
import pytest


def test_download_routes(client):
    r = client.get("/download/area/E09000002.csv")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    df = pd.read_csv(io.BytesIO(r.data))
    assert {"metric_id", "period", "value", "lower", "upper", "geography_note", "vs_national"} <= set(df.columns)
    means = df[df["metric_id"] == "mean_life_satisfaction"]
    assert (means["value"] == means["value"].round(2)).all()
    assert client.get("/download/area/E99999999.csv").status_code == 404
    assert client.get("/download/area/E08000016.csv").status_code == 302
    r = client.get("/download/metrics.csv")
    assert r.status_code == 200 and b"publisher_url" in r.data
    r = client.get("/download/observations.parquet")
    assert r.status_code == 200 and r.data[:4] == b"PAR1"
    r = client.get("/download/observations.csv")
    assert r.status_code == 200 and r.data.splitlines()[0].startswith(b"metric_id,area_code")


def test_derived_values_carry_no_float_residue(client):
    df = pd.read_csv(io.BytesIO(client.get("/download/la_view.csv").data))
    derived = df[df["derived"].astype(str) == "True"]
    assert len(derived) and all(len(str(v).split(".")[-1]) <= 3 for v in derived["value"].dropna())


# ----------------------------------------------------------------------------- issue 15: rounded, complete
from dashboard.analysis import export  # noqa: E402
from dashboard.analysis import profile_view as pv  # noqa: E402


def _places(text: str) -> int:
    text = str(text)
    return len(text.split(".")[1]) if "." in text and "e" not in text.lower() else 0


def _check_rounded(df: pd.DataFrame, columns) -> None:
    """Every value is written with at most its metric's published precision (no float residue)."""
    for c in columns:
        if c not in df:
            continue
        for m, v in zip(df["metric_id"], df[c].astype(str)):
            if v in ("", "nan") or m == "mission_worst_third":
                continue
            assert _places(v) <= export.precision(m), (c, m, v)
            assert "e-" not in v and "99999" not in v.split(".")[-1] and "00000" not in v.split(".")[-1], (c, m, v)


@pytest.mark.parametrize("code", ["E08000025", "E07000105", "W06000015", "E10000016", "E92000001"])
def test_profile_csv_is_rounded_to_the_publishers_precision(client, code):
    r = client.get(f"/download/area/{code}.csv")
    df = pd.read_csv(io.BytesIO(r.data), dtype=str, keep_default_na=False)
    _check_rounded(df, ("value", "lower", "upper", "national_value", "national_lower", "national_upper",
                        "region_value", "region_lower", "region_upper"))
    counts = df[df["metric_id"] == "fly_tipping_incidents"]
    if len(counts):
        assert (counts["national_value"] == "").all() and (counts["vs_national"] == "not compared").all()
        assert counts["compare_note"].str.contains("count").all()
        assert not counts["value"].str.contains(r"\.").any()  # counts are whole numbers


def test_profile_csv_has_the_worst_third_result(client):
    df = pd.read_csv(io.BytesIO(client.get("/download/area/E08000032.csv").data))
    m = df[df["metric_id"] == "mission_worst_third"].set_index("period")
    assert m.loc["2022-23", "value"] == 1 and m.loc["2022-23", "rank_worst_measure_ordering"] == 71
    assert m.loc["2022-23", "rank_on_worst_measure"] == 31 and m.loc["2022-23", "worst_measure"] == "mean_life_satisfaction"
    assert 0 <= m.loc["2022-23", "p_worst_third"] <= 1 and "2016-17 to 2018-19" in m.index  # the baseline too


def test_precision_comes_from_the_catalogue():
    assert export.precision("median_weekly_pay_all") == 1  # ASHE gives pounds to 1 decimal; shown as whole pounds
    assert export.precision("persistent_absence") == 5
    assert export.precision("fly_tipping_incidents") == 0  # decimals 0 is a real answer, not a missing one
    assert export.precision("mean_life_satisfaction") == 2


@pytest.mark.parametrize("code", ["E08000025", "E07000105", "W06000015"])
def test_headline_and_comparison_csvs_are_rounded(app, code):
    from tests.dashboard.support import page

    area = page("/area/<code>")
    head = pd.read_csv(io.StringIO(area._dl_trend.__wrapped__(1, code)["content"]), dtype=str, keep_default_na=False)
    _check_rounded(head, ("value", "lower", "upper", "national_value", "region_value"))
    comp = pd.read_csv(io.StringIO(area._dl_spine.__wrapped__(1, code, "neighbours")["content"]), dtype=str,
                       keep_default_na=False)
    _check_rounded(comp, ("value", "lower", "upper", "nat_value", "reg_value", "group_value", "dist_min",
                          "dist_median", "dist_max"))
    assert "vs_nat" in comp and "stale_note" in comp and "geography_note" in comp
