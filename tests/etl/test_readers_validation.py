"""The shared readers against bad input: numeric cells, files that are not CSV, quotes left
open, damaged shapefile parts, inconsistent rates and codes that place nowhere."""
from __future__ import annotations

import csv
import io
import shutil

import numpy as np
import pandas as pd
import pytest

from etl import readers
from etl.errors import InputError
from tests.helpers import RAW

AURN = RAW / "defra-air-quality/AURN_metadata_2023-04-07.csv"
LAD = RAW / "geography/lad_dec2023_uk_buc"


# --------------------------------------------------------------------------- to_number
@pytest.mark.parametrize("cell", [np.inf, -np.inf, float("inf"), np.float64("inf"), 1e309])
def test_numeric_cell_infinity_is_rejected(cell):
    with pytest.raises(InputError, match=r"row 3, column 'count': expected a finite"):
        readers.to_number(pd.Series([12.0, cell]), "f.xlsx", "count")


@pytest.mark.parametrize("cell", [-51, -1.81, np.int64(-3), np.float64(-0.5)])
def test_numeric_cell_negative_is_rejected_where_negatives_are_impossible(cell):
    with pytest.raises(InputError, match=r"row 3, column 'count': expected a finite non-negative number"):
        readers.to_number(pd.Series([12, cell], dtype=object), "f.xlsx", "count", allow_negative=False)
    vals, _ = readers.to_number(pd.Series([12, cell], dtype=object), "f.xlsx", "change")  # allowed here
    assert vals.iloc[1] == float(cell)


def test_boolean_cell_is_not_a_number():
    with pytest.raises(InputError, match="row 2, column 'count'"):
        readers.to_number(pd.Series([True, 3], dtype=object), "f.xlsx", "count")


def test_numeric_and_text_cells_still_read():
    vals, status = readers.to_number(pd.Series([1, 2.5, None, np.nan, "", "x", "1,234", np.int64(7)], dtype=object),
                                     "f", "c", allow_negative=False)
    assert vals.tolist()[:2] == [1.0, 2.5] and vals.iloc[6] == 1234.0 and vals.iloc[7] == 7.0
    assert status.tolist() == ["ok", "ok", "not available", "not available", "not available", "not available", "ok",
                               "ok"]


# --------------------------------------------------------------------------- what a CSV really is
def _csv(tmp_path, data: bytes | str, name="x.csv"):
    p = tmp_path / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def _error(path) -> str:
    with pytest.raises(InputError) as e:
        readers.read_csv(path, required=["site_id", "latitude"])
    return str(e.value)


def _lines():
    return AURN.read_text().splitlines(keepends=True)


def test_html_page_saved_as_csv(tmp_path):
    page = "<!DOCTYPE html>\n<html><head><title>Error</title></head><body><p>Service unavailable, retry</p></body></html>\n"
    msg = _error(_csv(tmp_path, page))
    assert "x.csv: file" in msg and "an HTML page, not CSV" in msg
    msg = _error(_csv(tmp_path, "\ufeff  <html lang='en'>\n<body>a,b,c</body></html>\n", "y.csv"))
    assert "an HTML page, not CSV" in msg


@pytest.mark.parametrize("sep,word", [(";", "semicolon-separated"), ("\t", "tab-separated"), ("|", "pipe-separated")])
def test_other_separators_are_named(tmp_path, sep, word):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    for row in csv.reader(io.StringIO("".join(_lines()))):
        w.writerow(row)
    msg = _error(_csv(tmp_path, buf.getvalue()))
    assert "x.csv: header row" in msg and word in msg, msg


@pytest.mark.parametrize("head,word", [(b"PK\x03\x04\x14\x00", "a zip archive"), (b"%PDF-1.7\n", "a PDF document"),
                                       (b"\x1f\x8b\x08\x00", "gzip-compressed"), (b'{"data": [1, 2]}', "JSON, not CSV"),
                                       (b"\xff\xfes\x00i\x00", "UTF-16 encoded")])
def test_other_formats_are_named(tmp_path, head, word):
    assert word in _error(_csv(tmp_path, head + b"\n" * 3))


@pytest.mark.parametrize("at", [200, 2000, 2700])
def test_quote_left_open_is_named_where_it_opens(tmp_path, at):
    """An opening quote with no closing one swallows the following rows into one cell (pandas
    reports nothing): the message names the line where the quote opened."""
    lines = _lines()
    line = lines[at]
    k = line.index(",") + 1
    bad = "".join(lines[:at] + [line[:k] + '"' + line[k:]] + lines[at + 1:])
    msg = _error(_csv(tmp_path, bad))
    assert f"x.csv: line {at + 1}" in msg and "quote" in msg, msg


def test_closing_quote_removed_is_named(tmp_path):
    lines = _lines()
    i = next(i for i, ln in enumerate(lines) if '"1,3-butadiene"' in ln)
    lines[i] = lines[i].replace('butadiene"', "butadiene", 1)
    msg = _error(_csv(tmp_path, "".join(lines)))
    assert f"line {i + 1}" in msg and "quote" in msg, msg


def test_extra_field_says_how_many(tmp_path):
    lines = _lines()
    lines[10] = lines[10].rstrip("\n") + ",extra,fields\n"
    msg = _error(_csv(tmp_path, "".join(lines)))
    assert "line 11" in msg and "13 fields as in the header" in msg and "15 fields" in msg, msg


@pytest.mark.parametrize("quoted", [False, True])
def test_row_cut_short_is_named(tmp_path, quoted):
    """pandas pads a short row with empty cells (read as 'not available'): name the row."""
    lines = _lines()
    i = next(i for i, ln in enumerate(lines) if ('"' in ln) == quoted and i > 5)
    lines[i] = ",".join(lines[i].split(",")[:-3]) + "\n"
    if not quoted:
        lines = [ln for ln in lines if '"' not in ln]  # a file without quotes takes the fast count
        i = next(j for j, ln in enumerate(lines) if ln.count(",") < 12)
    msg = _error(_csv(tmp_path, "".join(lines)))
    assert f"x.csv: row {i + 1}: expected 13 fields as in the header" in msg, msg


def test_multi_line_cells_that_close_properly_are_read(tmp_path):
    text = 'site_id,latitude,note\nA,1.0,"two\nlines, fine"\nB,2.0,plain\n'
    df = readers.read_csv(_csv(tmp_path, text), required=["site_id", "latitude"])
    assert df["note"].tolist() == ["two\nlines, fine", "plain"]


# --------------------------------------------------------------------------- shapefile parts
def _shapefile_copy(tmp_path):
    d = tmp_path / "lad"
    shutil.copytree(LAD, d)
    return d / "LAD_DEC_2023_UK_BUC.shp"


@pytest.mark.parametrize("ext,how,says", [
    (".dbf", "empty", "0 bytes"), (".dbf", "missing", "missing file"), (".dbf", "truncated", "truncated"),
    (".dbf", "garbage", "dBase"), (".shx", "missing", "missing file"), (".shx", "empty", "0 bytes"),
    (".prj", "missing", "missing file"), (".prj", "garbage", "coordinate reference system"),
])
def test_damaged_shapefile_part_is_named(tmp_path, ext, how, says):
    shp = _shapefile_copy(tmp_path)
    part = shp.with_suffix(ext)
    if how == "empty":
        part.write_bytes(b"")
    elif how == "missing":
        part.unlink()
    elif how == "truncated":
        part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    else:
        part.write_bytes(b"<html>Not found</html>")
    with pytest.raises(InputError) as e:
        readers.read_vector(shp, "geography/lad/LAD_DEC_2023_UK_BUC.shp", columns=["LAD23CD", "LAD23NM"])
    msg = str(e.value)
    assert msg.startswith(f"geography/lad/LAD_DEC_2023_UK_BUC{ext}: ") and says in msg, msg


def test_missing_attribute_column_is_blamed_on_the_dbf(tmp_path):
    shp = _shapefile_copy(tmp_path)
    with pytest.raises(InputError, match=r"LAD_DEC_2023_UK_BUC\.dbf: column 'LAD99CD'"):
        readers.read_vector(shp, "g/LAD_DEC_2023_UK_BUC.shp", columns=["LAD99CD"])


# --------------------------------------------------------------------------- rates and codes
def test_rate_consistent_with_count_and_denominator():
    readers.check_rate(pd.Series([700.0, 5.0]), pd.Series([100_000.0, 10_000.0]), pd.Series([70.0, 5.0]), 10_000,
                       "cla.csv", ("children_count", "population_estimate", "rate_per_10000"), rows=[2, 3], tolerance=1)


def test_exchanged_count_and_denominator_are_named():
    with pytest.raises(InputError) as e:
        readers.check_rate(pd.Series([700.0, 100_000.0]), pd.Series([100_000.0, 700.0]), pd.Series([70.0, 70.0]),
                           10_000, "cla.csv", ("children_count", "population_estimate", "rate_per_10000"),
                           rows=[2, 3], tolerance=1)
    msg = str(e.value)
    assert msg.startswith("cla.csv: row 3, columns 'children_count'/'population_estimate'/'rate_per_10000'")
    assert "exchanged" in msg


def test_unused_areas_are_recorded_and_typos_stop():
    dropped = []
    codes = pd.Series(["E07000223", "E47000001", "TLC1", "E11000001", "E08000016"])
    keep = readers.leave_out_unused(codes, [True, False, False, False, True], "f.csv", "areacd",
                                    drop=lambda f, why, c: dropped.append((why, c)))
    assert keep.tolist() == [True, False, False, False, True]
    assert sorted(c[0] for _, c in dropped) == ["E11000001", "E47000001", "TLC1"]
    for typo in ("EO8000016", "E0800O016", "E47000O01", ""):
        with pytest.raises(InputError) as e:
            readers.leave_out_unused(pd.Series(["E07000223", typo]), [True, False], "f.csv", "areacd")
        assert "row 3, column 'areacd'" in str(e.value) and repr(typo) in str(e.value)
