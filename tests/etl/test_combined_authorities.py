"""Combined authorities: built from the ONS visual team's 2014 lookup and change table."""
from __future__ import annotations

import pandas as pd
import pytest

from etl import combined_authorities as ca
from etl import geography
from etl.errors import InputError
from tests.helpers import raw_copy

CHANGES = "geography/lookups/onsvisual_uk_topojson/changes.csv"


@pytest.fixture(scope="module")
def areas(raw_dir):
    return geography.build_areas(raw_dir)


def _members(areas, code):
    lt = areas[(areas.geography == "ltla") & areas.active.astype(bool)]
    return set(lt.loc[lt.cauth_code == code, "name"])


def test_current_memberships_follow_every_change(areas):
    cur = areas[(areas.geography == "cauth") & areas.active.astype(bool)].set_index("code")
    # the 2014 authorities, the 2024 North East merger and the 2025 ones are all current
    assert {"E47000001", "E47000002", "E47000014", "E47000015", "E47000016", "E47000017", "E47000018"} <= set(cur.index)
    assert len(_members(areas, "E47000001")) == 10  # Greater Manchester
    # Barnsley and Sheffield's 2025 codes keep their membership
    assert {"Barnsley", "Sheffield", "Doncaster", "Rotherham"} == _members(areas, "E47000002")
    # the North East (2024) is the union of North East (2018) and North of Tyne
    assert _members(areas, "E47000014") == {"County Durham", "Gateshead", "Newcastle upon Tyne", "North Tyneside",
                                            "Northumberland", "South Tyneside", "Sunderland"}
    # a county joining brings all its districts: Devon's eight and Torbay
    assert len(_members(areas, "E47000015")) == 9 and "Exeter" in _members(areas, "E47000015")
    # a council in no combined authority has none
    lt = areas[(areas.geography == "ltla") & areas.active.astype(bool)].set_index("code")
    assert pd.isna(lt.loc["E07000105", "cauth_code"])  # Ashford, Kent
    # the county row itself belongs too
    county = areas[(areas.geography == "utla") & (areas.code == "E10000008")].iloc[0]
    assert county.cauth_code == "E47000015"


def test_merged_and_emptied_authorities_are_retired(areas):
    old = areas[(areas.geography == "cauth") & ~areas.active.astype(bool)].set_index("code")
    assert old.loc["E47000010", "successor_code"] == "E47000014"
    assert old.loc["E47000011", "successor_code"] == "E47000014"
    assert "E47000005" in old.index  # North East 2014-2017: its councils went to two new ones


def test_official_names_are_kept_to_search_by(areas):
    cur = areas[areas.geography == "cauth"].set_index("code")
    assert cur.loc["E47000002", "other_names"] == "South Yorkshire Mayoral Combined Authority"


def _raw_with_changes_edited(tmp_path, raw_dir, old: str, new: str):
    """A copy of data/raw whose change table reads `new` where it read `old` (which must be there)."""
    text = (raw_dir / CHANGES).read_text(encoding="utf-8-sig")
    bad = text.replace(old, new)
    assert bad != text
    return raw_copy(tmp_path / "raw", replace={CHANGES: bad.encode()})


def test_a_bad_code_in_the_change_table_names_the_file_and_row(tmp_path, raw_dir):
    raw = _raw_with_changes_edited(tmp_path, raw_dir, "E10000008,Devon,E47000015", "E10000008,Devon,E47X00015")
    with pytest.raises(InputError) as exc:
        geography.build_areas(raw)
    assert "changes.csv" in exc.value.file and "column 'newcd'" in exc.value.where


def test_a_member_that_is_not_a_council_is_refused(tmp_path, raw_dir):
    raw = _raw_with_changes_edited(tmp_path, raw_dir, "E06000027,Torbay,E47000015", "E54000037,Torbay,E47000015")
    with pytest.raises(InputError) as exc:
        ca.memberships(raw, {}, {})
    assert "column 'oldcd'" in exc.value.where
