"""Trend statements read as sentences (they once said "from £3.20 ahead of to £2.10 ahead of")."""

from __future__ import annotations

import pandas as pd

from levelscope.compare.trends import area_trend
from levelscope.data.model import Geography, Indicator, Level
from levelscope.data.store import Workspace


def _workspace(gaps: list[float]) -> Workspace:
    """Area A (10 + gap) among four others: 8, 9, 10 and 20, so the median is 10 for a gap > 0."""
    ws = Workspace.open(":memory:")
    ws.add_geographies([Geography(code=c, name=n, level=Level.LAD)
                        for c, n in (("E06000001", "Hartlepool"), ("E06000002", "Middlesbrough"),
                                     ("E06000003", "Redcar and Cleveland"), ("E06000004", "Stockton"),
                                     ("E06000005", "Darlington"))])
    ws.add_indicators([Indicator(id="pay", name="Pay", unit="£ per hour",
                                 polarity="higher_is_better")])  # type: ignore[arg-type]
    rows = []
    for year, gap in zip(range(2015, 2015 + len(gaps)), gaps, strict=True):
        rows += [("E06000001", "pay", str(year), 10 + gap)]
        rows += [(f"E0600000{i}", "pay", str(year), v) for i, v in zip(range(2, 6), (8, 9, 10, 20),
                                                                        strict=True)]
    frame = pd.DataFrame(rows, columns=["geography_code", "indicator_id", "period", "value"])
    ws.import_frame(frame, vintage="2024-01-01")
    return ws


def test_a_narrowing_lead_names_the_median_at_both_ends() -> None:
    trend = area_trend(_workspace([0.9, 0.6, 0.3]), "E06000001", "pay")
    assert ("from £0.90 per hour ahead of the median of local authority districts to £0.30 per "
            "hour ahead of it."
            in trend.statement), trend.statement
    assert "ahead of to" not in trend.statement


def test_a_steady_gap_names_the_median_too() -> None:
    trend = area_trend(_workspace([0.5, 0.5, 0.5]), "E06000001", "pay")
    assert ("hardly changed: £0.50 per hour ahead of the median of local authority districts "
            "then, £0.50 per hour ahead of it now.") in trend.statement, trend.statement
