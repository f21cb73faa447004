"""Counts and amounts are marked in the catalogue and are context, not performance."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from levelscope.compare.standings import level_standings
from levelscope.data.catalogue import catalogue
from levelscope.data.model import Geography, Indicator, Kind, Level, infer_kind
from levelscope.data.schema import MIGRATIONS
from levelscope.data.store import Workspace


def test_catalogue_marks_counts_and_amounts() -> None:
    kinds = {i.id: i.kind for i in catalogue().values()}
    for count in ("population", "enterprise_deaths", "enterprise_births", "active_enterprises",
                  "high_growth_enterprises", "fe_achievements"):
        assert kinds[count] is Kind.COUNT, count
    assert kinds["exports_value"] is Kind.AMOUNT and kinds["gva_current_prices"] is Kind.AMOUNT
    assert kinds["gva_per_hour_worked"] is Kind.RATE and kinds["employment_rate"] is Kind.RATE
    assert kinds["life_satisfaction"] is Kind.INDEX


def test_kind_follows_the_unit_unless_given() -> None:
    assert infer_kind("persons") is Kind.COUNT
    assert infer_kind("£ million", "sum") is Kind.AMOUNT
    assert infer_kind("£ million", "none") is Kind.RATE
    assert infer_kind("index (UK = 100)") is Kind.INDEX
    assert Indicator(id="jobs", name="Jobs", unit="jobs").kind is Kind.COUNT
    assert Indicator(id="j", name="J", unit="jobs", kind="rate").kind is Kind.RATE  # type: ignore[arg-type]


def test_an_old_workspace_gets_kinds_when_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, "
                "applied_at TIMESTAMP)")
    for statement in MIGRATIONS[0][2]:
        con.execute(statement)
    con.execute("INSERT INTO schema_version VALUES (1, 'first', now())")
    con.execute("INSERT INTO indicator VALUES ('population', 'Population', 'persons', 'neutral', "
                "'Context', '', '', '', '', 'sum', ''), ('pay', 'Pay', '£ per week', "
                "'higher_is_better', 'Pay', '', '', '', '', 'none', '')")
    con.close()
    with Workspace.open(path) as ws:
        kinds = ws.indicators().set_index("id")["kind"]
    assert kinds.to_dict() == {"population": "count", "pay": "rate"}


def test_counts_are_ranked_by_size_and_never_better_or_worse() -> None:
    ws = Workspace.open(":memory:")
    ws.add_geographies([Geography(code=f"E0600000{i}", name=f"Area {i}", level=Level.LAD)
                        for i in range(1, 6)])
    ws.add_indicators([
        Indicator(id="enterprise_deaths", name="Deaths of enterprises", unit="enterprises",
                  polarity="lower_is_better"),  # type: ignore[arg-type]
        Indicator(id="unemployment_rate", name="Unemployment", unit="%",
                  polarity="lower_is_better"),  # type: ignore[arg-type]
    ])
    deaths = [100, 110, 120, 130, 6175]  # the big city has by far the most
    rates = [3.0, 3.2, 3.4, 3.6, 7.3]
    rows = [(f"E0600000{i + 1}", "enterprise_deaths", "2022", d) for i, d in enumerate(deaths)]
    rows += [(f"E0600000{i + 1}", "unemployment_rate", "2022", r) for i, r in enumerate(rates)]
    ws.import_frame(pd.DataFrame(rows, columns=["geography_code", "indicator_id", "period", "value"]),
                    vintage="2024-01-01")
    table = level_standings(ws, "lad").set_index(["indicator_id", "geography_code"])
    city = table.loc[("enterprise_deaths", "E06000005")]
    assert city["flag"] == "higher" and city["rank"] == 1 and city["kind"] == "count"
    assert table.loc[("unemployment_rate", "E06000005"), "flag"] == "worse"
    assert table.loc[("unemployment_rate", "E06000005"), "rank"] == 5
