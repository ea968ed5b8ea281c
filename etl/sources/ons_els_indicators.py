"""ONS Explore Local Statistics (ELS) indicators other than personal well-being.

All these files share the ELS tidy layout (etl.sources._els: areacd, areanm, geography,
indicator, period, observation, measure, unit, lci_95, uci_95, status, notes):

* ons-claimant-count/claimant-count.csv: claimant count, % of residents 16-64, 2001-2025
  (Annex B "Unemployment"), every UK LTLA + counties, regions, nations, UK.
* ons-ashe/gross-median-weekly-pay.csv: ASHE median gross weekly pay of ALL employees
  (full-time and part-time), residence-based, 2008-2025, with 95% CIs. NOT the full-time
  median named in Annex B: it is labelled truthfully as `median_weekly_pay_all`.
* dfe-absence/persistent-absences-for-all-pupils.csv: DfE persistent absence (Annex B
  "Level of engagement and belonging in educational settings"), upper-tier LAs, 2006/07-2024/25.
* ons-els-context/*.csv: context metrics (healthy life expectancy, culture and heritage
  engagement, children in relative poverty, GDHI per head).

Geography: ELS rows use mixed vintages only for the 2025 Barnsley/Sheffield recodes (and, in
the absence file, retired upper-tier codes). LTLA rows go through ctx.harmonise; upper-tier
rows are recoded for pure recodes only and rows of retired upper-tier areas (e.g. Cumbria
county, Bournemouth, Northamptonshire) are left out of the current-geography rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl import periods, readers
from etl.context import Context
from etl.vocabulary import is_ltla_code, national_level
from etl.errors import InputError
from etl.schema import finalise
from etl.sources._els import read_els

CLAIMANT = "ons-claimant-count/claimant-count.csv"
ASHE = "ons-ashe/gross-median-weekly-pay.csv"
ABSENCE = "dfe-absence/persistent-absences-for-all-pupils.csv"
HLE = "ons-els-context/healthy-life-expectancy.csv"
CULTURE = "ons-els-context/engagement-with-culture-and-heritage.csv"
POVERTY = "ons-els-context/children-in-relative-poverty.csv"
GDHI = "ons-els-context/gross-disposable-household-income-per-head.csv"

UTLA_PREFIXES = ("E06", "E08", "E09", "E10", "W06", "S12", "N09")
# Codes replaced in 2013 (same areas), still printed for early years of the absence file; not in
# the code-changes table, so listed here: their rows are left out like other retired codes.
FORMER_CODES_2013 = {"E06000048": "Northumberland (now E06000057)", "E08000020": "Gateshead (now E08000037)"}


@dataclass(frozen=True)
class ElsFile:
    path: str
    metrics: dict            # ELS indicator text -> our metric_id
    period_kind: str         # 'calendar' | 'financial' | 'academic' | 'multi' | 'ashe_date'
    tier: str                # 'ltla': LA rows are LTLAs (E10 -> utla); 'utla': all LA rows are upper tier
    value_range: tuple       # plausible range of observations
    has_ci: bool = False


FILES = [
    ElsFile(CLAIMANT, {"Claimant Count": "claimant_count_rate"}, "calendar", "ltla", (0, 30)),
    ElsFile(ASHE, {"Gross median weekly pay": "median_weekly_pay_all"}, "ashe_date", "ltla", (50, 3000),
            has_ci=True),
    ElsFile(ABSENCE, {"Persistent absences for all pupils": "persistent_absence"}, "academic", "utla", (0, 100)),
    ElsFile(HLE, {"Male healthy life expectancy": "healthy_life_expectancy_male",
                  "Female healthy life expectancy": "healthy_life_expectancy_female"},
            "multi", "utla", (40, 90), has_ci=True),
    ElsFile(CULTURE, {"Engaged with the arts": "culture_engaged_arts",
                      "Visited a heritage site": "culture_visited_heritage",
                      "Visited a museum or gallery": "culture_visited_museum_gallery",
                      "Visited a public library": "culture_visited_library"},
            "financial", "ltla", (0, 100), has_ci=True),
    ElsFile(POVERTY, {"Children in relative poverty before housing costs": "child_poverty_bhc",
                      "Children in relative poverty after housing costs": "child_poverty_ahc"},
            "financial", "ltla", (0, 100)),
    ElsFile(GDHI, {"Gross disposable household income": "gdhi_per_head"}, "calendar", "ltla", (1000, 1000000)),
]
INPUTS = [f.path for f in FILES]


def period_label(text: str, kind: str) -> str:
    """ELS period text -> our label. ASHE uses the April reference date ('2025-04-30' -> '2025')."""
    text = text.strip()
    if kind == "ashe_date":
        if len(text) == 10 and text[:4].isdigit() and text[4:8] == "-04-":
            return text[:4]
        raise ValueError(f"not an April ASHE reference date like 2025-04-30: {text!r}")
    if kind == "multi":
        label = periods.from_iso_interval(text)
        if "-" not in label or len(label) != 9:
            raise ValueError(f"not a multi-year interval like 2011-01-01/P3Y: {text!r}")
        return label
    expected_month = {"calendar": "-01-01/", "financial": "-04-01/", "academic": "-08-01/"}[kind]
    if expected_month not in text or not text.endswith("/P1Y"):
        raise ValueError(f"not a one-year {kind} interval: {text!r}")
    return periods.from_iso_interval(text, kind)


def geography_of(code: str, tier: str) -> str | None:
    if level := national_level(code):
        return level
    if tier == "ltla":
        if is_ltla_code(code):
            return "ltla"
        if code.startswith("E10"):
            return "utla"
    elif code.startswith(UTLA_PREFIXES):
        return "utla"
    return None  # combined authorities, ITL regions, GB / E&W aggregates: not used


def recode_map(ctx: Context) -> dict[str, str]:
    ch = ctx.changes[ctx.changes["type"] == "new_code"]
    return dict(zip(ch["old_code"], ch["new_code"]))


def drop_superseded(out: pd.DataFrame, recodes: dict[str, str]) -> pd.DataFrame:
    """Where a file has both a pre-recode code (Barnsley E08000016) and its new code for the
    same metric and period, the publisher's own new-code row wins; the old row is dropped."""
    new = out["area_code"].map(recodes)
    prefix = out["metric_id"] + "\x1f" + out["period"] + "\x1f"
    dup = new.notna() & (prefix + new.fillna("")).isin(set(prefix + out["area_code"]))
    return out[~dup.to_numpy()]


def parse_file(ctx: Context, spec: ElsFile) -> pd.DataFrame:
    source = spec.path
    df = read_els(ctx.path(source), source, spec.metrics)
    ind, value, lower, upper, status = df["indicator"], df["value"], df["lower"], df["upper"], df["status"]
    lo, hi = spec.value_range
    out_of_range = value.notna() & ~value.between(lo, hi)
    if out_of_range.any():
        i = int(np.flatnonzero(out_of_range.to_numpy())[0])
        raise InputError(source, f"row {i + 2}, column 'observation'", f"a value between {lo} and {hi}",
                         df["observation"].iloc[i])
    codes = df["areacd"]
    geo = codes.map({c: geography_of(c, spec.tier) for c in codes.unique()})
    if spec.has_ci:
        # Checked on the rows we use (the culture file's ITL1 rows carry rounded CIs like 88-88
        # around 89; those rows are not used).
        bad_ci = geo.notna() & value.notna() & lower.notna() & upper.notna() & ((lower > value + 1e-9) | (upper < value - 1e-9))
        half = lower.isna() != upper.isna()
        if (bad_ci | half).any():
            i = int(np.flatnonzero((bad_ci | half).to_numpy())[0])
            raise InputError(source, f"row {i + 2}, columns 'lci_95'/'uci_95'",
                             "a 95% CI that brackets the observation",
                             df.iloc[i][["observation", "lci_95", "uci_95"]].to_dict())
    else:
        lower[:] = np.nan
        upper[:] = np.nan
    labels = {}
    for text in df["period"].unique():
        try:
            labels[text] = period_label(text, spec.period_kind)
        except ValueError as exc:
            i = int(np.flatnonzero((df["period"] == text).to_numpy())[0])
            raise InputError(source, f"row {i + 2}, column 'period'", f"a {spec.period_kind} period", text) from exc
    bad_code = ~codes.str.fullmatch(r"[A-Z]\w{2,8}")
    if bad_code.any():
        i = int(np.flatnonzero(bad_code.to_numpy())[0])
        raise InputError(source, f"row {i + 2}, column 'areacd'", "a GSS area code", codes.iloc[i])
    # Keep ONS's own row notes (e.g. "This data has been aggregated ...") but not the
    # obsolete-code notes, which our recoding replaces.
    ons_note = df["notes"].str.strip()
    ons_note = ons_note.where((ons_note != "") & ~ons_note.str.startswith("Obsolete code"), None)
    note = np.where(ons_note.notna(), "ONS note: " + ons_note.fillna(""), None)
    note = np.where(status == "low reliability",
                    "ONS marks this estimate 'u' (low reliability) and publishes no value", note)
    note = np.where(status == "not available", "ONS marks this estimate 'x' (not available)", note)
    out = pd.DataFrame({
        "metric_id": ind.map(spec.metrics), "area_code": codes, "area_name": df["areanm"].str.strip(),
        "geography": geo, "period": df["period"].map(labels),
        "value": value, "lower": lower, "upper": upper, "status": status, "note": note,
    })
    # combined authorities, ITL regions, GB / E&W: left out and recorded; any other code that
    # places nowhere (a typo, an unknown level) stops the build
    out = out[readers.leave_out_unused(codes, out["geography"].notna(), source, "areacd", drop=ctx.drop)]
    readers.check_unique(out, ["metric_id", "area_code", "period"], source, rows=out.index + 2)
    recodes = recode_map(ctx)
    out = drop_superseded(out, recodes)
    # Upper-tier rows: pure recodes only; retired upper-tier areas have no single successor.
    is_utla = out["geography"] == "utla"
    old = out.loc[is_utla, "area_code"]
    moved = old.map(recodes)
    out.loc[is_utla, "area_code"] = moved.fillna(old)
    out.loc[is_utla & out.index.isin(moved.dropna().index), "note"] = "published under former code " + old[moved.notna()]
    current_utla = ctx.codes("utla")
    # only KNOWN retired upper-tier codes (abolished counties, merged unitaries) are left out;
    # a code nobody knows is an error, not a silent drop
    unknown = is_utla & ~out["area_code"].isin(set(ctx.areas["code"]) | set(FORMER_CODES_2013))
    if unknown.any():
        i = unknown[unknown].index[0]
        raise InputError(source, f"row {i + 2}, column 'areacd'",
                         "a current or former upper-tier local authority GSS code", out.loc[i, "area_code"])
    retired = is_utla & ~out["area_code"].isin(current_utla)
    ctx.drop(source, "retired upper-tier area without a single current successor", out.loc[retired, "area_code"])
    out = out[~retired]
    out = finalise(out, source_file=source)
    return ctx.harmonise(out, method="weighted_mean")


def parse(ctx: Context) -> pd.DataFrame:
    return pd.concat([parse_file(ctx, spec) for spec in FILES], ignore_index=True)


# Fetch: ONS Explore Local Statistics publishes each indicator as <slug>/<slug>.csv (+ .json
# metadata) in its data repository; the branch head is the latest release.
ELS_REPO = "ONSdigital/explore-local-statistics-data"
_ELS_SLUGS = {CLAIMANT: "claimant-count", ASHE: "gross-median-weekly-pay",
              ABSENCE: "persistent-absences-for-all-pupils", HLE: "healthy-life-expectancy",
              CULTURE: "engagement-with-culture-and-heritage", POVERTY: "children-in-relative-poverty",
              GDHI: "gross-disposable-household-income-per-head"}
FETCH = [
    {"kind": "github_raw", "repo": ELS_REPO, "path": f"{slug}/{slug}{ext}", "dest": dest[: -len(".csv")] + ext,
     "header": ["areacd", "areanm", "indicator", "period", "observation"] if ext == ".csv" else None,
     "note": f"ONS Explore Local Statistics indicator {slug}" + (" (metadata)" if ext == ".json" else "") + "."}
    for dest, slug in _ELS_SLUGS.items() for ext in (".csv", ".json")
]
