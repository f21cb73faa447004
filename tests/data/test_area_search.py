"""Areas are found by name or code, whatever the case, with close matches for a typo."""

from __future__ import annotations

import pandas as pd
import pytest

from levelscope.data.area_search import find_area, normalise
from levelscope.data.model import Geography, Indicator, Level
from levelscope.data.store import Workspace
from levelscope.errors import NotFoundError


@pytest.fixture()
def ws() -> Workspace:
    ws = Workspace.open(":memory:")
    ws.add_geographies([
        Geography(code="E08000025", name="Birmingham", level=Level.LAD),
        Geography(code="TLG31", name="Birmingham", level=Level.ITL3),
        Geography(code="E06000023", name="Bristol, City of", level=Level.LAD),
        Geography(code="E07000026", name="Allerdale", level=Level.LAD,
                  valid_to="2023-03-31"),  # type: ignore[arg-type]
        Geography(code="E06000063", name="Cumberland", level=Level.LAD),
    ])
    return ws


def test_name_in_any_case_finds_the_district_and_names_the_others(ws: Workspace) -> None:
    match = find_area(ws, "birmingham")
    assert match.code == "E08000025"
    assert [g.code for g in match.others] == ["TLG31"]
    assert "TLG31 (ITL3 region)" in (match.note() or "")


def figures_for(ws: Workspace, codes: list[str]) -> None:
    ws.add_indicators([Indicator(id="gva", name="GVA", unit="£ million")])
    ws.import_frame(pd.DataFrame({"geography_code": codes, "indicator_id": "gva", "period": "2021",
                                  "value": 1.0}), vintage="2024-01-01")


def test_a_namesake_with_figures_is_preferred(ws: Workspace) -> None:
    # a user who imported ITL3 figures only means the ITL3 Birmingham, not the empty district
    figures_for(ws, ["TLG31"])
    match = find_area(ws, "Birmingham")
    assert match.code == "TLG31"
    assert [g.code for g in match.others] == ["E08000025"]
    # with figures for both, the district wins again
    figures_for(ws, ["E08000025"])
    assert find_area(ws, "Birmingham").code == "E08000025"


def test_level_chooses_between_places_of_one_name(ws: Workspace) -> None:
    assert find_area(ws, "Birmingham", level="itl3").code == "TLG31"


def test_code_in_any_case(ws: Workspace) -> None:
    match = find_area(ws, " e08000025 ")
    assert match.code == "E08000025" and match.note() is None


def test_city_of_inversion_and_punctuation(ws: Workspace) -> None:
    assert find_area(ws, "Bristol").code == "E06000023"
    assert normalise("Kingston upon Hull, City of") == "kingston upon hull"
    assert normalise("Brighton & Hove") == "brighton and hove"


def test_retired_places_are_still_found(ws: Workspace) -> None:
    assert find_area(ws, "Allerdale").place.valid_to is not None


def test_typo_suggests_the_closest_name_with_its_code(ws: Workspace) -> None:
    with pytest.raises(NotFoundError, match=r"did you mean Birmingham \(E08000025\)\?"):
        find_area(ws, "Brimingham")
    with pytest.raises(NotFoundError, match="E08000025"):
        find_area(ws, "E08000052")
