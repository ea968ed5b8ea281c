"""ETL against bad input: a corpus of bad inputs derived from the real bundled files.

Every input file the sources declare (and every geography file in etl/config/geographies.yaml)
is mutated -- truncated, emptied, re-encoded, a required column renamed, a non-numeric value, a
duplicated row, an unknown area code, a changed marking convention, deleted -- and the parser
that reads it is run on a throw-away copy of data/raw. Bad values and bad layouts too: a value
beyond anything plausible, a negative value, a code with a letter O for a zero, two columns
exchanged (count and denominator), an HTML page or a semicolon-separated file saved under the
CSV's name, a quote left open, a row cut short; in workbooks, numeric cells made negative, thousands of times too
large or infinite; for shapefiles, a damaged or missing .dbf / .shx / .prj. Each case must end in an InputError whose
message names the file and a row, column, area code (or, for file-level damage, the file
itself); a bare exception or a silent success fails the test. A few mutations are genuinely
harmless (e.g. an exact duplicate row in a lookup the ETL de-duplicates, or damage to a file
declared for provenance only and never parsed): those are recorded as such and their output is
compared with the unmutated output.

Counts per mutation are written to test-results/bad_inputs_summary.txt (and printed with -s).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from etl import build as build_mod
from etl import geography, manifest, readers, sources
from etl.context import Context
from etl.errors import InputError
from etl.schema import OBS_COLUMNS, finalise, validate_observations
from etl.sources import (defra_air_quality as aq, defra_flytipping as fly, dfe_absence, dfe_cla, dfe_neet,
                         dluhc_temporary_accommodation as ta, ons_els_indicators as els, ons_health_index as hi,
                         ons_wellbeing as wb, sport_active_lives as sport)
from tests.helpers import RAW, raw_copy

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = ROOT / "test-results" / "bad_inputs_summary.txt"
MUTATIONS = ["truncated", "empty", "wrong_encoding", "renamed_column", "non_numeric", "duplicated_row",
             "unknown_area_code", "changed_marker", "missing_file",
             # bad values and layouts (issue 14)
             "out_of_range", "negative", "letter_o_code", "swapped_columns", "html_page", "semicolon",
             "unclosed_quote", "short_row", "negative_cells", "scaled_cells", "infinite_cell",
             "dbf_empty", "dbf_missing", "dbf_truncated", "shx_missing", "prj_missing"]
COMPANION = {"dbf_empty": ".dbf", "dbf_missing": ".dbf", "dbf_truncated": ".dbf", "shx_missing": ".shx",
             "prj_missing": ".prj"}
FILE_LEVEL = {"truncated", "empty", "wrong_encoding", "missing_file", "html_page", "semicolon", *COMPANION}
# what the message must say for these (besides naming the file): what the file really is
MUST_SAY = {"html_page": r"HTML page", "semicolon": r"semicolon-separated", "unclosed_quote": r"quote"}
HTML_PAGE = (b'<!DOCTYPE html>\n<html lang="en"><head><title>Page not found - GOV.UK</title></head>\n'
             b"<body><h1>Page not found</h1><p>If you entered a web address, check it is correct.</p></body></html>\n")
NEW_MARKER = "[low]"


# --------------------------------------------------------------------------- base context
_BASE: dict = {}


def base() -> dict:
    """Areas/changes/weights of the real raw dir (loaded once), plus the areas after the air-quality
    hook (zones), used for the build's area-code check."""
    if not _BASE:
        ctx = Context.load(RAW)
        full = Context(raw=RAW, areas=ctx.areas.copy(), changes=ctx.changes, weights=ctx.weights)
        aq.extend_areas(full)
        _BASE.update(ctx=ctx, areas_full=full.areas,
                     declared=build_mod.declared_inputs(sources.load_all()))
    return _BASE


def make_ctx(raw: Path) -> Context:
    b = base()["ctx"]
    return Context(raw=raw, areas=b.areas.copy(), changes=b.changes, weights=b.weights)


def like_build(obs: pd.DataFrame) -> pd.DataFrame:
    """What the build does with a parser's rows: contract columns, area codes, pandera schema."""
    if "period_start" not in obs.columns:
        obs = finalise(obs)
    obs = obs[OBS_COLUMNS].reset_index(drop=True)
    build_mod._check_codes(obs, base()["areas_full"])
    return validate_observations(obs)


# --------------------------------------------------------------------------- runners (per input file)
def _aq_zone(raw):
    ctx = make_ctx(raw)
    return like_build(aq.parse_max(ctx, aq.zone_names(ctx)))


def _aq_meta(raw):
    return aq.assign_zones(make_ctx(raw))


def _aq_means(raw):
    ctx = make_ctx(raw)
    return like_build(aq.parse_site_medians(ctx, aq.zone_names(ctx)))


def _aq_lads(raw):
    return aq._lads(make_ctx(raw)).drop(columns="geometry")


def _fly(raw):
    return like_build(fly.parse(make_ctx(raw)))


def _absence(raw):
    return like_build(dfe_absence.parse(make_ctx(raw)))


def _cla(raw):
    return like_build(dfe_cla.parse(make_ctx(raw)))


def _neet_file(rel):
    def run(raw):
        return like_build(dfe_neet.parse_file(make_ctx(raw), rel))
    return run


def _if_accepted(fn, **kw) -> dict:
    """The keyword arguments `fn` takes (so the corpus also runs against older parsers)."""
    import inspect
    return {k: v for k, v in kw.items() if k in inspect.signature(fn).parameters}


def _ta_file(rel):
    period, sheet = next((p, s) for p, (f, s) in ta.FILES.items() if f == rel)

    def run(raw):
        ctx = make_ctx(raw)
        t = ta.parse_ta1(ctx.path(rel), rel, sheet, period, **_if_accepted(ta.parse_ta1, drop=ctx.drop))
        return like_build(finalise(t.assign(metric_id=ta.METRIC, geography="ltla", note=None)
                                   .loc[lambda d: d["area_code"].str.match("E0[6-9]")]
                                   .pipe(lambda d: ta.harmonise_counts(ctx, d, ["count", "households_000"],
                                                                       lambda s: s["count"] / s["households_000"], "x",
                                                                       **_if_accepted(ta.harmonise_counts,
                                                                                      source=f"{rel} [{sheet}]")))
                                   .assign(geography="ltla", metric_id=ta.METRIC)
                                   [["metric_id", "area_code", "area_name", "geography", "period", "value", "status",
                                     "derived", "note"]], source_file=rel))
    return run


def _els_file(rel):
    spec = next(s for s in els.FILES if s.path == rel)

    def run(raw):
        return like_build(els.parse_file(make_ctx(raw), spec))
    return run


def _hi_file(rel, has_type):
    def run(raw):
        ctx = make_ctx(raw)
        out = hi.parse_workbook(ctx, rel, has_type=has_type)
        return out
    return run


def _wb_els(raw):
    ctx = make_ctx(raw)
    out = finalise(wb.parse_els(ctx.path(wb.ELS), wb.ELS).assign(note=None), source_file=wb.ELS)
    return like_build(ctx.harmonise(out))


def _wb_gla(raw):
    ctx = make_ctx(raw)
    return like_build(ctx.harmonise(finalise(wb.parse_gla(ctx.path(wb.GLA), wb.GLA), source_file=wb.GLA)))


def _sport_file(rel):
    def run(raw):
        ctx = make_ctx(raw)
        return like_build(ctx.harmonise(sport.parse_file(ctx, rel)))
    return run


def _geo_ltla_frame(raw):
    return geography._ltla_frame(raw, geography.successor_map(base()["ctx"].changes))


def _geo_changes(raw):
    return geography.code_changes(raw)


def _geo_pops(raw):
    # the weights feed the LTLA harmonisation: run a harmonising parser with them
    ctx = make_ctx(raw)
    ctx.weights = geography.populations(raw)
    return like_build(ctx.harmonise(sport.parse_file(ctx, sport.ACTIVE)))


def _geo_icb(raw):
    return geography.ltla_to_icb(raw, geography.successor_map(base()["ctx"].changes))


def _geo_icb_shp(raw):
    from etl import boundaries
    return boundaries._read(geography.raw_path(raw, "icb_boundaries"), "ICB22CD", "ICB22NM").drop(columns="geometry")


def _not_parsed(raw):
    """Files hashed for provenance only (declared, never opened by a parser): the outputs of the
    source that declares them must not change."""
    return None


# --------------------------------------------------------------------------- file specs
@dataclass
class Spec:
    rel: str
    run: Callable
    kind: str = "csv"                 # csv | workbook | parquet | shapefile | unparsed
    rename: str | None = None         # a required column
    value: str | None = None          # a numeric column the parser converts
    code: str | None = None           # the area-code column
    unknown: str = "E07999999"
    pick: Callable = lambda r: True   # a data row the parser actually uses
    marker_col: str | None = None     # column holding the publisher's markings
    markers: tuple = ()
    pick_marker: Callable | None = None
    xml_rename: tuple | None = None   # workbooks: (old, new) text in the header cells
    xml_marker: tuple | None = None   # workbooks: (old, new) marking text
    swap: tuple | None = None         # two numeric columns to exchange (e.g. count and denominator)
    cells: Callable | None = None     # workbooks: path -> (sheet, row key, {column index: number})
    notes: dict = field(default_factory=dict)


LA = lambda r: r.get("geographic_level") == "Local authority"  # noqa: E731
CLA_ROW = lambda r: LA(r) and "31 March" in r.get("population_type", r.get("population_count", ""))  # noqa: E731
ELS_LTLA = lambda r: re.fullmatch(r"E0[6-9]\d{6}", r["areacd"] or "") is not None  # noqa: E731
ELS_UTLA = lambda r: re.fullmatch(r"E(06|08|09|10)\d{6}", r["areacd"] or "") is not None  # noqa: E731
AQ_NO2 = lambda r: r["parameter"] == "NO2" and not r["agglomeration"].strip()  # noqa: E731


def _means_row(r):
    return (r["source"] == "importAURN" and r["pollutant"] == "no2" and r["date"] != "2019"
            and r["mean"] not in ("", "NA") and r["capture_rate"] not in ("", "NA") and float(r["capture_rate"]) >= 75)


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not pd.isna(v)


def _ta_cells(rel: str, sheet: str):
    """TA1: an English district's households in TA (column 5) and rate per 1,000 (column 7)."""
    def find(path):
        raw = readers.read_sheet(path, sheet)
        ok = raw[0].astype(str).str.startswith("E07") & raw[4].map(_num) & raw[6].map(lambda v: _num(v) and v > 0.5)
        r = raw[ok].iloc[0]
        return sheet, {0: str(r[0]).strip()}, {4: float(r[4]), 6: float(r[6])}
    return find


def _fly_cells(path):
    """LA_incidents: a district's total incidents and its rate per 1,000 people (2020-21)."""
    raw = readers.read_sheet(path, fly.SHEET)
    h = int((raw[0].astype(str).str.strip() == fly.YEAR).to_numpy().nonzero()[0][0])
    head = [str(c).strip() for c in raw.iloc[h]]
    t, r_ = head.index(fly.TOTAL), head.index(fly.RATE)
    body = raw.iloc[h + 1:]
    ok = (body[0].astype(str) == "2020-21") & body[1].astype(str).str.startswith("E07") & body[t].map(_num) \
        & body[r_].map(lambda v: _num(v) and v > 1)
    r = body[ok].iloc[0]
    return fly.SHEET, {0: "2020-21", 1: str(r[1]).strip()}, {t: float(r[t]), r_: float(r[r_])}


def _gla_cells(path):
    """Happy: a borough's low-happiness share, the first year's band column."""
    from etl import readers
    d = readers.read_sheet(path, "Happy")
    ok = d[0].astype(str).str.startswith("E09") & d[2].map(_num)
    r = d[ok].iloc[0]
    return "Happy", {0: str(r[0]).strip()}, {2: float(r[2])}


def _hi_cells(path):
    """2021 index: a district's mental-health score."""
    from etl import readers
    sheet = "Table_3_2021_Index"
    d = readers.read_sheet(path, sheet)
    h = int((d[0].astype(str).str.strip() == "Area Code").to_numpy().nonzero()[0][0])
    c = [str(x).strip() for x in d.iloc[h]].index("Mental health [Pe]")
    body = d.iloc[h + 1:]
    r = body[body[0].astype(str).str.startswith("E07") & body[c].map(_num)].iloc[0]
    return sheet, {0: str(r[0]).strip()}, {c: float(r[c])}


SPECS: list[Spec] = []
for _y, _rel in aq.ZONE_FILES.items():
    SPECS.append(Spec(_rel, _aq_zone, rename="maximum_value", value="maximum_value", code="unique_code",
                      unknown="UK0999"))
SPECS += [
    Spec(aq.META, _aq_meta, rename="latitude", value="latitude", code="zone", unknown="Atlantis Zone", pick=AQ_NO2),
    Spec(aq.SITE_MEANS, _aq_means, rename="mean", value="mean", code="code", unknown="ZZZ9", pick=_means_row,
         marker_col="mean", markers=("NA", ""), swap=("mean", "capture_rate"),
         pick_marker=lambda r: r["source"] == "importAURN" and r["pollutant"] == "no2"),
    Spec(aq.LAD_SHP, _aq_lads, kind="shapefile"),
    Spec(fly.SOURCE, _fly, kind="workbook", xml_rename=("Total Incidents", "Incidents (total)"),
         xml_marker=(">:<", f">{NEW_MARKER}<"), cells=_fly_cells),
    Spec(dfe_cla.LAIT, _absence, kind="parquet", rename="Values", value="Values", code="LA Number",
         marker_col="Values", markers=("-",)),
    Spec("dfe-absence/la_code_list.xlsx", _not_parsed, kind="unparsed"),
    Spec("dfe-absence/lait_data_dictionary.csv", _not_parsed, kind="unparsed"),
    Spec(dfe_cla.NEW, _cla, rename="rate_per_10000", value="rate_per_10000", code="new_la_code", unknown="E06999999",
         pick=CLA_ROW, marker_col="rate_per_10000", markers=("x", "z", "c"), pick_marker=CLA_ROW,
         swap=("children_count", "population_estimate")),
    Spec(dfe_cla.OLD, _cla, rename="rate_per_10000", value="rate_per_10000", code="new_la_code", unknown="E06999999",
         pick=lambda r: CLA_ROW(r) and r["time_period"] in ("2019", "2020"), marker_col="rate_per_10000",
         markers=("x", "z", "c"), pick_marker=lambda r: CLA_ROW(r) and r["time_period"] in ("2019", "2020"),
         swap=("number", "population_estimate")),
]
for _rel in dfe_neet.FILES:
    SPECS.append(Spec(_rel, _neet_file(_rel), rename="NEET_not_known_percent", value="NEET_not_known_percent",
                      code="new_la_code", unknown="E06999999",
                      pick=lambda r: LA(r) and r["la_name"] not in dfe_neet.PLACEHOLDERS,
                      marker_col="NEET_not_known_percent", markers=("x", "z", "c"),
                      swap=("Cohort_DJFavg", "NEET_not_known_percent")))
for _i, (_rel, _sheet) in enumerate(ta.FILES.values()):
    cheap = _rel.endswith(("DetailedLA_202003.xlsx", "Detailed_LA_202503.ods"))
    SPECS.append(Spec(_rel, _ta_file(_rel), kind="workbook",
                      xml_rename=("households in TA", "families in B&amp;B") if cheap else None,
                      xml_marker=(">..<", f">{NEW_MARKER}<") if cheap else None, cells=_ta_cells(_rel, _sheet)))
for _spec in els.FILES:
    SPECS.append(Spec(_spec.path, _els_file(_spec.path), rename="observation", value="observation", code="areacd",
                      unknown="E06999999" if _spec.tier == "utla" else "E07999999",
                      pick=ELS_UTLA if _spec.tier == "utla" else ELS_LTLA, marker_col="status", markers=("x", "u"),
                      swap=("lci_95", "uci_95") if _spec.has_ci else None))
SPECS += [
    Spec(hi.LA_FILE, _hi_file(hi.LA_FILE, True), kind="workbook", cells=_hi_cells),
    Spec(hi.ICB_FILE, _hi_file(hi.ICB_FILE, False), kind="workbook",
         xml_rename=("Mental health [Pe]", "Mental wellbeing [Pe]")),
    Spec(wb.ELS, _wb_els, rename="observation", value="observation", code="areacd", pick=ELS_LTLA,
         marker_col="status", markers=("x", "u"), swap=("observation", "uci_95")),
    Spec(wb.GLA, _wb_gla, kind="workbook", xml_rename=(">Code<", ">Kode<"), xml_marker=(">x<", f">{NEW_MARKER}<"),
         cells=_gla_cells),
]
for _rel in sport.FILES:
    SPECS.append(Spec(_rel, _sport_file(_rel), rename="value", value="value", code="area_code",
                      pick=lambda r: r["area_type"] == "District", marker_col="value", markers=("", "na")))
_G = geography.config()["files"]
SPECS += [
    Spec(_G["ward_lookup"], _geo_ltla_frame, rename="LAD23CD", code="LAD23CD", pick=lambda r: r["LAD23CD"][:3] == "E07"),
    Spec(_G["utla_lookup"], _geo_ltla_frame, rename="UTLA23CD", code="LTLA23CD",
         pick=lambda r: r["LTLA23CD"][:3] == "E07"),
    Spec(_G["code_changes"], _geo_changes, rename="newcd", value="start", code="oldcd",
         pick=lambda r: r["type"] == "merger"),
    Spec(_G["populations"], _geo_pops, rename="pop-2020", value="pop-2020", code="gss-code",
         pick=lambda r: r["gss-code"][:3] == "E07", marker_col="pop-2020", markers=("",)),
    Spec(_G["lsoa_icb_lookup"], _geo_icb, kind="workbook"),  # a header rename costs a 4 s read: left out
    Spec(_G["icb_boundaries"], _geo_icb_shp, kind="shapefile"),
    # former-code lists used to check the code-change table (read by geography.code_changes)
    Spec(_G["ltla_2019_lookup"], _geo_changes, rename="LTLA19CD"),
    Spec(_G["ltla_2014_lookup"], _geo_changes, rename="ltlacd"),
]
assert len({s.rel for s in SPECS}) == len(SPECS)


def _declared_files() -> set[str]:
    return {f.rstrip("?") for m in sources.load_all() for f in getattr(m, "INPUTS", [])
            if not f.endswith("?")} | set(geography.config()["files"].values())


def test_corpus_covers_every_bundled_input():
    assert {s.rel for s in SPECS} == _declared_files()


# --------------------------------------------------------------------------- CSV mutations
def _lines(rel: str) -> tuple[str, list[str], list[str]]:
    text = (RAW / rel).read_bytes().decode("utf-8-sig")
    bom = "\ufeff" if (RAW / rel).read_bytes().startswith(b"\xef\xbb\xbf") else ""
    lines = text.splitlines(keepends=True)
    return bom, lines, next(csv.reader([lines[0]]))


def _row(line: str) -> list[str]:
    return next(csv.reader([line]))


def _unparse(fields: list[str], line: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(fields)
    return buf.getvalue() + line[len(line.rstrip("\r\n")):]


def _find(lines, header, pred) -> int | None:
    for i in range(1, len(lines)):
        f = _row(lines[i])
        if len(f) == len(header) and pred(dict(zip(header, f))):
            return i
    return None


def _whole_file_mutation(data: bytes, mutation: str) -> tuple[bytes | None, str] | None:
    """(new bytes, description) for the mutations any file can take (cut short, emptied,
    deleted); None for the others."""
    if mutation == "truncated":
        return data[: int(len(data) * 0.6)], "first 60% of bytes"
    if mutation == "empty":
        return b"", "0 bytes"
    if mutation == "missing_file":
        return None, "deleted"
    return None


def csv_mutation(spec: Spec, mutation: str) -> tuple[bytes | None, str] | None:
    """(new bytes, description) or None when the mutation does not apply to this file."""
    data = (RAW / spec.rel).read_bytes()
    bom, lines, header = _lines(spec.rel)

    def out(ls):
        return (bom + "".join(ls)).encode("utf-8")

    whole = _whole_file_mutation(data, mutation)
    if whole is not None:
        return whole
    if mutation == "wrong_encoding":
        return (bom + "".join(lines)).encode("utf-16"), "re-encoded as UTF-16"
    if mutation == "renamed_column":
        if not spec.rename:
            return None
        h = [spec.rename + "_renamed" if c.strip() == spec.rename else c for c in header]
        return out([_unparse(h, lines[0])] + lines[1:]), f"header {spec.rename!r} -> {spec.rename + '_renamed'!r}"
    if mutation == "non_numeric":
        if not spec.value:
            return None
        j = header.index(spec.value)

        def numeric(r):
            try:
                float(r[spec.value].replace(",", ""))
                return spec.pick(r)
            except ValueError:
                return False
        i = _find(lines, header, numeric)
        f = _row(lines[i])
        f[j] = "abc"
        return out(lines[:i] + [_unparse(f, lines[i])] + lines[i + 1:]), f"file row {i + 1} {spec.value}='abc'"
    if mutation == "duplicated_row":
        i = _find(lines, header, spec.pick)
        return out(lines[: i + 1] + [lines[i]] + lines[i + 1:]), f"file row {i + 1} duplicated"
    if mutation == "unknown_area_code":
        if not spec.code:
            return None
        j = header.index(spec.code)
        i = _find(lines, header, spec.pick)
        f = _row(lines[i])
        old, f[j] = f[j], spec.unknown
        return out(lines[:i] + [_unparse(f, lines[i])] + lines[i + 1:]), f"file row {i + 1} {old} -> {spec.unknown}"
    if mutation == "changed_marker":
        if not spec.marker_col:
            return None
        j = header.index(spec.marker_col)
        pick = spec.pick_marker or spec.pick
        i = _find(lines, header, lambda r: pick(r) and r[spec.marker_col].strip().lower() in spec.markers)
        if i is None:
            return None
        f = _row(lines[i])
        old, f[j] = f[j], NEW_MARKER
        return (out(lines[:i] + [_unparse(f, lines[i])] + lines[i + 1:]),
                f"file row {i + 1} marking {old!r} -> {NEW_MARKER!r}")
    if mutation in ("out_of_range", "negative"):
        if not spec.value:
            return None
        j = header.index(spec.value)

        def nonzero(r):
            try:
                return float(r[spec.value].replace(",", "")) > 0 and spec.pick(r)
            except ValueError:
                return False
        i = _find(lines, header, nonzero)
        f = _row(lines[i])
        old = f[j]
        f[j] = f"{float(old.replace(',', '')) * 1000:.6g}" if mutation == "out_of_range" else "-" + old.strip()
        return (out(lines[:i] + [_unparse(f, lines[i])] + lines[i + 1:]),
                f"file row {i + 1} {spec.value} {old} -> {f[j]}")
    if mutation == "letter_o_code":
        if not spec.code:
            return None
        j = header.index(spec.code)
        i = _find(lines, header, lambda r: spec.pick(r) and "0" in r[spec.code])
        if i is None:
            return None
        f = _row(lines[i])
        old = f[j]
        k = old.index("0")
        f[j] = old[:k] + "O" + old[k + 1:]
        return out(lines[:i] + [_unparse(f, lines[i])] + lines[i + 1:]), f"file row {i + 1} {old} -> {f[j]}"
    if mutation == "swapped_columns":
        if not spec.swap:
            return None
        a, b = spec.swap
        h = [b if c.strip() == a else a if c.strip() == b else c for c in header]
        return out([_unparse(h, lines[0])] + lines[1:]), f"headers {a!r} and {b!r} exchanged"
    if mutation == "html_page":
        return HTML_PAGE, "an HTML error page saved under the file's name"
    if mutation == "semicolon":
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\n")
        for row in csv.reader(io.StringIO("".join(lines))):
            w.writerow(row)
        return (bom + buf.getvalue()).encode("utf-8"), "re-saved with ';' as the separator"
    if mutation == "short_row":
        # a data row (not the last) missing its last two fields: pandas pads it with empty cells
        i = _find(lines, header, spec.pick)
        if i is None or i >= len(lines) - 1 or len(header) < 3:
            return None
        f = _row(lines[i])[:-2]
        return out(lines[:i] + [_unparse(f, lines[i])] + lines[i + 1:]), f"file row {i + 1} without its last two fields"
    if mutation == "unclosed_quote":
        # open a quote at the start of the second field of a row 40% into the file, never closed
        i = max(1, int(len(lines) * 0.4))
        while '"' in lines[i]:
            i += 1
        k = lines[i].index(",") + 1
        return (out(lines[:i] + [lines[i][:k] + '"' + lines[i][k:]] + lines[i + 1:]),
                f"file row {i + 1}: a quote opened before field 2 and never closed")
    raise AssertionError(mutation)


# --------------------------------------------------------------------------- binary mutations
def _zip_replace(path: Path, members: tuple[str, ...], old: str, new: str) -> bytes | None:
    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    hits = 0
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in members:
                text = data.decode("utf-8")
                hits += text.count(old)
                data = text.replace(old, new).encode("utf-8")
            # the ODS mimetype must stay first and uncompressed
            dst.writestr(info, data, compress_type=zipfile.ZIP_STORED if info.filename == "mimetype"
                         else zipfile.ZIP_DEFLATED)
    return buf.getvalue() if hits else None


def binary_mutation(spec: Spec, mutation: str):
    data = (RAW / spec.rel).read_bytes()
    whole = _whole_file_mutation(data, mutation)
    if whole is not None:
        return whole
    if mutation in COMPANION:
        if spec.kind != "shapefile":
            return None
        rel = spec.rel[: -len(".shp")] + COMPANION[mutation]
        part = (RAW / rel).read_bytes()
        new = {"dbf_empty": b"", "dbf_truncated": part[: int(len(part) * 0.6)]}.get(mutation)
        return Companion(rel, new), f"{Path(rel).name}: {mutation.split('_', 1)[1]}"
    if mutation in ("negative_cells", "scaled_cells", "infinite_cell"):
        if spec.kind != "workbook" or spec.cells is None:
            return None
        from tests.etl.workbook_cells import set_cells
        sheet, key, cells = spec.cells(RAW / spec.rel)
        if mutation == "negative_cells":
            new = {c: -v for c, v in cells.items()}
        elif mutation == "scaled_cells":
            new = {c: v * 3000 for c, v in cells.items()}
        else:
            c0 = next(iter(cells))
            new = {c0: float("inf")}
        return (set_cells(RAW / spec.rel, sheet, key, new),
                f"sheet {sheet!r}, row {key}: cells {cells} -> {new}")
    members = ("content.xml",) if spec.rel.endswith(".ods") else ("xl/sharedStrings.xml",)
    if spec.kind == "workbook" and mutation == "renamed_column" and spec.xml_rename:
        new = _zip_replace(RAW / spec.rel, members, *spec.xml_rename)
        assert new is not None, f"{spec.xml_rename[0]!r} not found in {spec.rel}"
        return new, f"header text {spec.xml_rename[0]!r} -> {spec.xml_rename[1]!r}"
    if spec.kind == "workbook" and mutation == "changed_marker" and spec.xml_marker:
        new = _zip_replace(RAW / spec.rel, members, *spec.xml_marker)
        assert new is not None, f"{spec.xml_marker[0]!r} not found in {spec.rel}"
        return new, f"marking {spec.xml_marker[0]!r} -> {spec.xml_marker[1]!r} in every cell"
    if spec.kind == "parquet":
        return parquet_mutation(spec, mutation)
    return None


def parquet_mutation(spec: Spec, mutation: str):
    df = pd.read_parquet(RAW / spec.rel)
    tot = df.index[df["Short Desc"] == dfe_absence.SHORT_DESC]
    la = tot[(df.loc[tot, "LA Number"] < 970) & df.loc[tot, "Values"].str.match(r"^\d")]
    i = la[0]
    if mutation == "renamed_column":
        df = df.rename(columns={"Values": "Value"})
        desc = "column 'Values' -> 'Value'"
    elif mutation == "non_numeric":
        df.loc[i, "Values"] = "abc"
        desc = f"row {i} Values='abc'"
    elif mutation == "duplicated_row":
        df = pd.concat([df.loc[: i], df.loc[[i]], df.loc[i + 1:]], ignore_index=True)
        desc = f"row {i} duplicated"
    elif mutation == "unknown_area_code":
        df.loc[i, "LA Number"] = 999.0
        desc = f"row {i} LA Number -> 999"
    elif mutation == "changed_marker":
        j = tot[df.loc[tot, "Values"] == "-"][0]
        df.loc[j, "Values"] = NEW_MARKER
        desc = f"row {j} marking '-' -> {NEW_MARKER!r}"
    elif mutation in ("out_of_range", "negative"):
        old = df.loc[i, "Values"]
        df.loc[i, "Values"] = f"{float(old) * 1000:.6g}" if mutation == "out_of_range" else "-" + old
        desc = f"row {i} Values {old} -> {df.loc[i, 'Values']}"
    elif mutation in ("wrong_encoding", "letter_o_code", "swapped_columns", "html_page", "semicolon",
                      "unclosed_quote", "short_row", "negative_cells", "scaled_cells", "infinite_cell", *COMPANION):
        return None
    else:
        raise AssertionError(mutation)
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue(), desc


@dataclass
class Companion:
    """A mutation of another file than the spec's own (a shapefile's .dbf/.shx/.prj)."""
    rel: str
    data: bytes | None


def mutate(spec: Spec, mutation: str):
    if spec.kind == "csv":
        return csv_mutation(spec, mutation)
    if spec.kind == "unparsed":
        return binary_mutation(spec, mutation) if mutation in ("truncated", "empty", "missing_file") else None
    if spec.kind == "shapefile" and mutation not in ("truncated", "empty", "missing_file", *COMPANION):
        return None
    return binary_mutation(spec, mutation)


# --------------------------------------------------------------------------- the corpus
CELL_MUTATIONS = ("negative_cells", "scaled_cells", "infinite_cell")


def _applicable(spec: Spec, mutation: str) -> bool:
    """Whether a mutation makes sense for a file (e.g. no text encoding for a workbook);
    decided once at collection so inapplicable pairs are never generated (rather than skipped)."""
    if mutation in CELL_MUTATIONS:  # decided without reading the workbook (slow at collection)
        return spec.kind == "workbook" and spec.cells is not None
    if mutation in COMPANION:
        return spec.kind == "shapefile"
    try:
        return mutate(spec, mutation) is not None
    except Exception:  # noqa: BLE001 - let the test itself report a broken mutation
        return True


CASES = [(s, m) for s in SPECS for m in MUTATIONS if _applicable(s, m)]
RESULTS: list[dict] = []
_BASELINES: dict = {}

# Harmless by design (the parser legitimately ignores the change); verified against the
# unmutated output.
HARMLESS = {
    # lookups de-duplicated by code: an exact duplicate line changes nothing
    (_G["ward_lookup"], "duplicated_row"), (_G["utla_lookup"], "duplicated_row"),
    # weights: an exact duplicate row keeps the same weight (first occurrence kept)
    (_G["populations"], "duplicated_row"),
    # former-code lists are used as sets: a repeated line changes nothing
    (_G["ltla_2019_lookup"], "duplicated_row"), (_G["ltla_2014_lookup"], "duplicated_row"),
    # a weight for an unknown code is never looked up; the district that lost its row is not a
    # merger predecessor, so no harmonised value changes (checked on a harmonising parser)
    (_G["populations"], "unknown_area_code"),
    # the same district with a mistyped code: its weight is never looked up either
    (_G["populations"], "letter_o_code"),
}
# Known gaps would be recorded here (and xfailed) until fixed.
GAPS: dict = {}  # every known gap has been fixed; keep the mechanism for future ones


def _outcome_ok(msg: str, spec: Spec, mutation: str, desc: str = "") -> bool:
    name = Path(spec.rel[: -len(".shp")] + COMPANION[mutation]).name if mutation in COMPANION else Path(spec.rel).name
    if name not in msg:
        return False
    if mutation in MUST_SAY and not re.search(MUST_SAY[mutation], msg):
        return False
    if mutation == "letter_o_code" and desc.rsplit("-> ", 1)[-1] not in msg:
        return False  # the message must name the mistyped code itself
    if mutation in FILE_LEVEL:
        return True
    return bool(re.search(r"row \d+|line \d+|column|sheet|area code|header|LA Number|'[A-Z]{1,2}\d{4,8}'|E\d{8}|UK0\d{3}", msg))


def _mutated_rows(spec: Spec, mutation: str, desc: str) -> set[int]:
    """File rows (1-based, header = row 1) a CSV mutation touched, for checking the message."""
    m = re.match(r"file row (\d+)", desc)
    if spec.kind != "csv" or not m:
        return set()
    i = int(m.group(1))
    return {i, i + 1} if mutation == "duplicated_row" else {i}


def _frames_equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_like=True)
        return True
    except AssertionError:
        return False


@pytest.mark.parametrize("spec,mutation", CASES, ids=[f"{Path(s.rel).name}-{m}" for s, m in CASES])
def test_bad_input(spec: Spec, mutation: str, tmp_path):
    made = mutate(spec, mutation)
    if made is None:
        RESULTS.append(dict(file=spec.rel, mutation=mutation, outcome="not applicable", detail=""))
        pytest.skip(f"{mutation} does not apply to {spec.rel}")
    data, desc = made
    replace = {data.rel: data.data} if isinstance(data, Companion) else {spec.rel: data}
    raw = raw_copy(tmp_path / "raw", replace=replace)
    rec = dict(file=spec.rel, mutation=mutation, desc=desc)
    try:
        if mutation == "missing_file":  # the build's first steps: declared inputs, then hashing
            declared = base()["declared"]
            build_mod.check_inputs_exist(raw, declared)
            manifest.fingerprint(raw, declared)
        out = spec.run(raw)
    except InputError as exc:
        msg = str(exc)
        ok = _outcome_ok(msg, spec, mutation, desc)
        rec.update(outcome="InputError" if ok else "vague InputError", detail=msg[:300])
        RESULTS.append(rec)
        assert ok, f"{desc}: message does not name file and place (or what is wrong): {msg}"
        m = re.search(r"\b(?:row|line) (\d+)", msg)
        rows = _mutated_rows(spec, mutation, desc)
        if m and rows:
            rec["outcome"] = "InputError" if int(m.group(1)) in rows else "InputError (wrong row)"
            assert int(m.group(1)) in rows, f"{desc}: the message names row {m.group(1)}, not {rows}: {msg}"
        return
    except Exception as exc:  # noqa: BLE001
        rec.update(outcome=f"bare {type(exc).__name__}", detail=str(exc)[:300])
        RESULTS.append(rec)
        if (spec.rel, mutation) in GAPS:
            pytest.xfail(GAPS[(spec.rel, mutation)])
        raise AssertionError(f"{spec.rel} ({desc}) raised a bare {type(exc).__name__}: {exc}") from exc
    # no error: only acceptable when the change is harmless, i.e. the output is unchanged
    if spec.rel not in _BASELINES:
        _BASELINES[spec.rel] = spec.run(RAW)
    same = _frames_equal(out, _BASELINES[spec.rel])
    expected_harmless = spec.kind == "unparsed" or (spec.rel, mutation) in HARMLESS
    rec.update(outcome="harmless (output unchanged)" if same and expected_harmless
               else "silently accepted", detail="" if same else "output differs")
    RESULTS.append(rec)
    if (spec.rel, mutation) in GAPS and rec["outcome"] == "silently accepted":
        pytest.xfail(GAPS[(spec.rel, mutation)])
    assert same and expected_harmless, f"{spec.rel} ({desc}) was accepted without an InputError"


# --------------------------------------------------------------------------- whole build / CLI
def _quick_env(monkeypatch):
    monkeypatch.setenv("ETL_SOURCES", "ons_wellbeing")


def _snapshot(out: Path) -> dict:
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir()}


def test_previous_build_untouched_after_failures(tmp_path, monkeypatch):
    """One good build, then three failing forced rebuilds into the same directory: the manifest
    and every artefact stay as they were and no temporary directory is left behind."""
    _quick_env(monkeypatch)
    out = tmp_path / "build"
    build_mod.build(raw_copy(tmp_path / "good"), out, log=lambda *a: None)
    manifest_before = (out / "manifest.json").read_text()
    files_before = _snapshot(out)
    els_text = (RAW / wb.ELS).read_bytes()
    bad = {
        "missing file": ({wb.ELS: None}, "els_personal-wellbeing-estimates.csv"),
        "truncated geography lookup": ({_G["ward_lookup"]: (RAW / _G["ward_lookup"]).read_bytes()[:400_000]},
                                       Path(_G["ward_lookup"]).name),
        "non-numeric value": ({wb.ELS: els_text.replace(b",3.13,", b",abc,", 1)}, "els_personal-wellbeing-estimates.csv"),
    }
    for i, (what, (replace, name)) in enumerate(bad.items()):
        raw = raw_copy(tmp_path / f"bad{i}", replace=replace)
        with pytest.raises(InputError) as e:
            build_mod.build(raw, out, force=True, log=lambda *a: None)
        assert name in str(e.value), what
        assert (out / "manifest.json").read_text() == manifest_before, what
        assert _snapshot(out) == files_before, what
        assert not [p for p in tmp_path.iterdir() if any(t in p.name for t in (".tmp-", ".old-", ".geo-"))], what
    assert "row 2, column 'observation'" in str(e.value)


def test_cli_check_validates_without_writing(tmp_path, monkeypatch, capsys):
    from etl.__main__ import main

    _quick_env(monkeypatch)
    out = tmp_path / "out"
    assert main(["build", "--raw", str(raw_copy(tmp_path / "good")), "--out", str(out), "--check"]) == 0
    assert not out.exists() and not list(tmp_path.glob("out*"))
    assert "nothing written" in capsys.readouterr().out
    text = (RAW / wb.ELS).read_text(encoding="utf-8").replace("lci_95", "lower_95", 1)
    bad = raw_copy(tmp_path / "bad", replace={wb.ELS: text.encode()})
    assert main(["build", "--raw", str(bad), "--out", str(out), "--check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("build failed: ") and "els_personal-wellbeing-estimates.csv" in err and "lci_95" in err
    assert not out.exists() and not list(tmp_path.glob("out*"))
    missing = raw_copy(tmp_path / "missing", replace={wb.ELS: None})
    assert main(["build", "--raw", str(missing), "--out", str(out), "--check"]) == 1
    assert "els_personal-wellbeing-estimates.csv" in capsys.readouterr().err
    assert not out.exists()


def test_write_summary():
    """Runs last in this file (pytest keeps definition order): write the counts."""
    if not RESULTS:
        pytest.skip("corpus not run")
    by = defaultdict(Counter)
    for r in RESULTS:
        by[r["mutation"]][r["outcome"]] += 1
    outcomes = sorted({r["outcome"] for r in RESULTS})
    lines = ["bad inputs tried and how each ended", ""]
    w = max(len(m) for m in MUTATIONS) + 2
    lines.append("mutation".ljust(w) + "tried".rjust(6) + "".join(o[:26].rjust(28) for o in outcomes))
    for m in MUTATIONS:
        c = by[m]
        tried = sum(v for k, v in c.items() if k != "not applicable")
        lines.append(m.ljust(w) + str(tried).rjust(6) + "".join(str(c.get(o, 0)).rjust(28) for o in outcomes))
    total = Counter(r["outcome"] for r in RESULTS)
    lines.append("total".ljust(w) + str(sum(v for k, v in total.items() if k != "not applicable")).rjust(6)
                 + "".join(str(total.get(o, 0)).rjust(28) for o in outcomes))
    lines += ["", "cases (file | mutation | outcome | message):"]
    for r in RESULTS:
        if r["outcome"] != "not applicable":
            lines.append(f"{r['file']} | {r['mutation']} ({r.get('desc', '')}) | {r['outcome']} | {r['detail']}")
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines[:len(MUTATIONS) + 5]))
    assert not [r for r in RESULTS if r["outcome"].startswith(("bare", "silently", "vague"))
                and (r["file"], r["mutation"]) not in GAPS]
