"""The helpers the sources share (etl/sources/_els.py, _lait.py, _counts.py) instead of importing
one another, and the ELS reader both ELS parsers use."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from etl import sources
from etl.errors import InputError
from etl.sources import _els, ons_els_indicators, ons_wellbeing

SOURCES_DIR = Path(sources.__file__).parent
HEADER = "areacd,areanm,geography,indicator,period,observation,measure,unit,lci_95,uci_95,status,notes\n"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_helpers_are_not_sources():
    loaded = {m.__name__.rsplit(".", 1)[-1] for m in sources.load_all()}
    assert {"_els", "_lait", "_counts"} & loaded == set()
    assert {"ons_wellbeing", "dfe_cla", "dluhc_temporary_accommodation"} <= loaded


def test_no_source_imports_another_source():
    names = {p.stem for p in SOURCES_DIR.glob("*.py") if not p.stem.startswith("_")}
    for path in SOURCES_DIR.glob("*.py"):
        if path.stem.startswith("__"):
            continue
        others = {f"etl.sources.{n}" for n in names - {path.stem}}
        assert not (_imports(path) & others), f"{path.name} imports {sorted(_imports(path) & others)}"


def test_both_els_parsers_use_the_shared_reader():
    assert "etl.sources._els.read_els" in _imports(SOURCES_DIR / "ons_wellbeing.py")
    assert "etl.sources._els.read_els" in _imports(SOURCES_DIR / "ons_els_indicators.py")


def _write(tmp_path, rows: list[str]) -> Path:
    p = tmp_path / "els.csv"
    p.write_text(HEADER + "".join(r + "\n" for r in rows))
    return p


ROWS = [
    " E08000009,Trafford,Local Authority,Anxiety,2019-04-01/P1Y,2.91,Mean,Score,2.7,3.12,,",
    "E08000010,Wigan,Local Authority,Anxiety ,2019-04-01/P1Y,,Mean,Score,,,x,",
    "E08000011,Knowsley,Local Authority,Anxiety,2019-04-01/P1Y,,Mean,Score,,,U,",
]


def test_read_els_values_and_statuses(tmp_path):
    df = _els.read_els(_write(tmp_path, ROWS), "els.csv", ["Anxiety"])
    assert df["areacd"].tolist() == ["E08000009", "E08000010", "E08000011"]
    assert df["value"].tolist()[0] == 2.91 and df["value"].isna().tolist() == [False, True, True]
    assert (df["lower"].iloc[0], df["upper"].iloc[0]) == (2.7, 3.12)
    assert df["status"].tolist() == ["ok", "not available", "low reliability"]


@pytest.mark.parametrize("row, where", [
    ("E08000009,Trafford,LA,Worry,2019-04-01/P1Y,2.9,Mean,Score,2.7,3.1,,", "row 2, column 'indicator'"),
    ("E08000009,Trafford,LA,Anxiety,2019-04-01/P1Y,2.9,Mean,Score,2.7,3.1,q,", "row 2, column 'status'"),
    ("E08000009,Trafford,LA,Anxiety,2019-04-01/P1Y,lots,Mean,Score,2.7,3.1,,", "row 2, column 'observation'"),
    ("E08000009,Trafford,LA,Anxiety,2019-04-01/P1Y,,Mean,Score,,,,", "row 2, column 'observation'"),
    ("E08000009,Trafford,LA,Anxiety,2019-04-01/P1Y,2.9,Mean,Score,2.7,3.1,x,", "row 2, column 'observation'"),
])
def test_read_els_names_the_bad_row(tmp_path, row, where):
    with pytest.raises(InputError) as e:
        _els.read_els(_write(tmp_path, [row]), "ons-x/els.csv", ["Anxiety"])
    assert "ons-x/els.csv" in str(e.value) and where in str(e.value)


def test_wellbeing_means_reject_a_marked_row_with_a_value(tmp_path):
    # 'x' (not available) with a published value: contradictory; the other ELS parser always
    # refused it, the well-being means now do too (one shared reader)
    row = "E08000009,Trafford,Local Authority,Anxiety,2019-04-01/P1Y,2.91,Mean,Score,2.7,3.12,x,"
    with pytest.raises(InputError, match=r"row 2, column 'observation'.*no value where status"):
        ons_wellbeing.parse_els(_write(tmp_path, [row]), "els.csv")


def test_els_indicator_status_is_case_insensitive_for_both_parsers(tmp_path):
    row = "E08000009,Trafford,Local Authority,Anxiety,2019-04-01/P1Y,,Mean,Score,,,X,"
    out = ons_wellbeing.parse_els(_write(tmp_path, [row]), "els.csv")
    assert out["status"].tolist() == ["not available"]
    assert ons_els_indicators.read_els is ons_wellbeing.read_els is _els.read_els
