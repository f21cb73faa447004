"""Area codes read for their level and parents (ONS GSS and ITL code rules)."""

import pytest

from levelscope.data.codes import itl_parent, level_of, nation_of
from levelscope.data.model import Level


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("E06000001", Level.LAD), ("E07000026", Level.LAD), ("E08000025", Level.LAD),
        ("E09000001", Level.LAD), ("W06000015", Level.LAD), ("S12000036", Level.LAD),
        ("N09000003", Level.LAD), ("E12000007", Level.REGION), ("E92000001", Level.NATION),
        ("K02000001", Level.COUNTRY), ("E10000002", Level.COUNTY),
        ("E47000001", Level.COMBINED_AUTHORITY), ("TLC", Level.ITL1), ("TLC1", Level.ITL2),
        ("TLC11", Level.ITL3), ("TLZ", Level.EXTRA_REGIO), ("UKX", Level.COUNTRY),
        ("TLB", Level.NATION), ("XYZ", None), ("E99000001", None),
    ],
)
def test_level_of(code: str, level: Level | None) -> None:
    assert level_of(code) == level


def test_parents_from_code_structure() -> None:
    assert itl_parent("TLC11") == "TLC1"
    assert itl_parent("TLC1") == "TLC"
    assert itl_parent("TLC") == "UK"
    assert itl_parent("E06000001") is None
    assert nation_of("W06000015") == "W92000004"
    assert nation_of("S12000036") == "S92000003"
    assert nation_of("E92000001") == "K02000001"
