"""Workbook reading (calamine): damaged or wrong-format files and missing sheets become
InputErrors naming the file; a workbook with several sheets is opened once."""
from __future__ import annotations

import pandas as pd
import pytest

from etl import readers
from etl.errors import InputError
from etl.sources import ons_health_index
from tests.helpers import RAW

XLSX = RAW / ons_health_index.ICB_FILE
ODS = RAW / "dluhc-temporary-accommodation/Detailed_LA_202503.ods"


@pytest.mark.parametrize("src", [XLSX, ODS], ids=["xlsx", "ods"])
@pytest.mark.parametrize("damage", ["truncated", "text", "empty"])
def test_damaged_workbook_is_an_input_error(tmp_path, src, damage):
    data = src.read_bytes()
    bad = {"truncated": data[: len(data) * 6 // 10], "text": "a,b\n1,2\n".encode("utf-16"), "empty": b""}[damage]
    path = tmp_path / src.name
    path.write_bytes(bad)
    for call in (lambda: readers.read_sheet(path, 0), lambda: readers.sheet_names(path)):
        with pytest.raises(InputError) as e:
            call()
        assert src.name in str(e.value)


def test_missing_sheet_names_file_and_sheet():
    with pytest.raises(InputError) as e:
        readers.read_sheet(XLSX, "Table_99_2030_Index")
    assert XLSX.name in str(e.value) and "sheet 'Table_99_2030_Index'" in str(e.value)
    with readers.Workbook(ODS) as book:
        assert "TA1" in book.sheet_names
        with pytest.raises(InputError, match="sheet 'TA9'"):
            book.sheet("TA9")


def test_cells_as_published(tmp_path):
    # numbers stay numbers (integral ones as int, like openpyxl), text stays text, empty is NaN
    path = tmp_path / "t.xlsx"
    pd.DataFrame({"code": ["E92000001", "E12000001"], "n": [3, 2.5], "mark": ["..", None]}).to_excel(path, index=False)
    d = readers.read_sheet(path, 0)
    assert d.iloc[0].tolist() == ["code", "n", "mark"]
    assert d.iat[1, 0] == "E92000001" and d.iat[1, 1] == 3 and isinstance(d.iat[1, 1], int)
    assert d.iat[2, 1] == 2.5 and d.iat[1, 2] == ".." and pd.isna(d.iat[2, 2])


def test_health_index_opens_each_workbook_once(monkeypatch, ctx):
    opened = []
    real = readers.Workbook.__init__

    def counting(self, path):
        opened.append(path.name)
        real(self, path)

    monkeypatch.setattr(readers.Workbook, "__init__", counting)
    ons_health_index.parse(ctx)
    assert sorted(opened) == sorted([XLSX.name, (RAW / ons_health_index.LA_FILE).name])
