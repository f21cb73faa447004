"""Every area's standing is kept between runs for the figures it was computed from, and only for
them: a new release, or any edit of the figures or the indicators' definitions, computes it
afresh; what is kept equals what is computed.

Five districts with weekly pay 400, 420, 440, 460 and 800 (higher is better): the median is 440
and the sample standard deviation sqrt(((-104)² + (-84)² + (-64)² + (-44)² + 296²) / 4) = 166.97,
so the fifth (gap 360 > 166.97) is better than the median and first. A new release putting it at
450: median 440, SD sqrt((34² + 14² + 6² + 26² + 16²) / 4) = 24.08, gap 10 < 24.08, so similar,
and second behind 460.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from levelscope.compare import standings
from levelscope.compare.standings import level_standings
from levelscope.data.cache import fingerprint
from levelscope.data.model import Geography, Indicator, Level
from levelscope.data.store import Workspace

CODES = [f"E0600000{i}" for i in range(1, 6)]
FIFTH = CODES[-1]


@pytest.fixture()
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setenv("LEVELSCOPE_CACHE", str(tmp_path / "cache"))
    ws = Workspace.open(tmp_path / "ws.duckdb")
    ws.add_geographies([Geography(code=c, name=f"Area {c[-1]}", level=Level.LAD) for c in CODES])
    ws.add_indicators([Indicator(id="pay", name="Weekly pay", unit="£ per week",
                                 polarity="higher_is_better")])  # type: ignore[arg-type]
    release(ws, [400, 420, 440, 460, 800], "2024-01-01")
    return ws


def release(ws: Workspace, pay: list[float], vintage: str, codes: list[str] = CODES) -> None:
    rows = [(code, "pay", "2022", value) for code, value in zip(codes, pay, strict=True)]
    ws.import_frame(pd.DataFrame(rows, columns=["geography_code", "indicator_id", "period", "value"]),
                    vintage=vintage)


def fifth(table: pd.DataFrame) -> tuple[float, str, int]:
    row = table.set_index("geography_code").loc[FIFTH]
    return float(row["value"]), str(row["flag"]), int(row["rank"])


def uncached(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    with monkeypatch.context() as off:
        off.setenv("LEVELSCOPE_CACHE", "off")
        return level_standings(ws, "lad")


def never_compute(*args: object) -> pd.DataFrame:
    raise AssertionError("computed again although the figures had not changed")


def test_the_table_kept_is_served_and_equals_the_one_computed(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = level_standings(ws, "lad")
    assert fifth(first) == (800.0, "better", 1)
    assert len(list((tmp_path / "cache" / "level_standings").glob("*.pickle"))) == 1
    with monkeypatch.context() as patched:
        patched.setattr(standings, "_level_standings", never_compute)
        kept = level_standings(ws, "lad")
    pd.testing.assert_frame_equal(kept, first)
    pd.testing.assert_frame_equal(kept, uncached(ws, monkeypatch))


def test_a_new_release_is_never_answered_from_the_old_table(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert fifth(level_standings(ws, "lad")) == (800.0, "better", 1)
    release(ws, [450], "2025-01-01", codes=[FIFTH])
    fresh = level_standings(ws, "lad")
    assert fifth(fresh) == (450.0, "similar", 2)
    assert fresh.set_index("geography_code").loc[FIFTH, "sd"] == pytest.approx(24.083, abs=1e-3)
    pd.testing.assert_frame_equal(fresh, uncached(ws, monkeypatch))
    assert len(list((tmp_path / "cache" / "level_standings").glob("*.pickle"))) == 2


def test_any_edit_of_figures_or_definitions_computes_afresh(ws: Workspace) -> None:
    assert fifth(level_standings(ws, "lad")) == (800.0, "better", 1)
    # an edit outside levelscope's importers: the direction of the indicator is reversed
    ws.con.execute("UPDATE indicator SET polarity = 'lower_is_better' WHERE id = 'pay'")
    assert fifth(level_standings(ws, "lad")) == (800.0, "worse", 5)
    ws.con.execute("UPDATE observation SET value = 300 WHERE geography_code = ?", [FIFTH])
    assert fifth(level_standings(ws, "lad")) == (300.0, "better", 1)
    before = fingerprint(ws)
    ws.set_geography_vintage(2023)
    assert fingerprint(ws) != before


def test_arguments_are_part_of_the_key(ws: Workspace) -> None:
    release(ws, [450], "2025-01-01", codes=[FIFTH])
    assert fifth(level_standings(ws, "lad", as_of="2024-06-30")) == (800.0, "better", 1)
    assert fifth(level_standings(ws, "lad")) == (450.0, "similar", 2)
