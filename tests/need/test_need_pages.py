"""The need and funding pages show the numbers the Python API gives, and report bad input."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from levelscope.data import Workspace
from levelscope.need import analyse_funding, build_index, need_groups, read_allocations
from levelscope.need.examples import (
    example_allocations,
    example_definition,
    workspace_indicators,
    workspace_population,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace(demo_workspace_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(demo_workspace_path, read_only=True)
    yield ws
    ws.close()


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The cells (th and td text) of each body row of the table with ``table_id``."""
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body is not None, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in rows]


def embedded_json(html: str, element_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert found is not None, f"no JSON {element_id}"
    return json.loads(found.group(1).replace("<\\/", "</"))


def array(value: list[float] | dict[str, str]) -> np.ndarray:
    """A Plotly JSON array: a plain list, or typed base64 data ({"dtype": ..., "bdata": ...})."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value, dtype=float)


def test_need_page_shows_the_index_and_rank_intervals_of_the_python_api(
    client: TestClient, workspace: Workspace
) -> None:
    response = client.get("/need", params={"n": 64, "seed": 3})
    assert response.status_code == 200
    definition = example_definition()
    index = build_index(workspace_indicators(workspace, definition), definition)
    intervals = index.uncertainty(n_resamples=64, seed=3).to_frame().set_index("geography_code")
    expected = index.to_frame().set_index("geography_code").join(intervals)

    rows = table_rows(response.text, "need-table")
    assert len(rows) == len(expected) > 300
    for _name, code, score, rank, median, interval, category in rows:
        row = expected.loc[code]
        assert score == f"{row['score']:.2f}"
        assert int(rank) == row["rank"]
        assert median == f"{row['median_rank']:.1f}"
        assert interval == f"{row['rank_lower']:.1f}–{row['rank_upper']:.1f}"
        assert category == row["category"]
    assert [r[1] for r in rows] == list(expected.sort_values("rank").index)

    chart = embedded_json(response.text, "rank-chart-data")
    top = intervals.sort_values("median_rank").head(40)
    # the chart names the areas (it once showed only their codes), with the code on hover
    names = workspace.geographies("lad").set_index("code")["name"]
    assert chart["data"][0]["y"] == list(names.reindex(top.index))
    assert chart["data"][0]["customdata"] == list(top.index)
    categories = embedded_json(response.text, "category-map-data")
    assert categories["boundaries"] == "/api/boundaries/lad"
    assert {v["code"]: v["label"] for v in categories["values"]} == expected["category"].astype(str).to_dict()
    assert client.get(categories["boundaries"]).status_code == 200


def test_need_page_builds_a_posted_definition(client: TestClient, workspace: Workspace) -> None:
    definition = """
name: Unemployment only
indicators:
  - {id: unemployment_rate, polarity: 1}
missing: {method: none, min_coverage: 1}
normalisation: {method: min_max}
categories: {method: threshold, breaks: [50], labels: [High, Low]}
"""
    response = client.post("/need", data={"definition": definition, "n": "16", "seed": "0"})
    assert response.status_code == 200
    # min-max by hand: 100 (x - min) / (max - min) over the period covering most areas
    rows = workspace.observations(indicator="unemployment_rate", level="lad")
    period = rows.groupby("period_end").size().sort_index().idxmax()
    values = rows[rows["period_end"] == period].set_index("geography_code")["value"]
    expected = 100 * (values - values.min()) / (values.max() - values.min())
    shown = {r[1]: (float(r[2]), r[6]) for r in table_rows(response.text, "need-table")}
    assert len(shown) == len(values)
    for code, (score, category) in shown.items():
        assert score == pytest.approx(expected[code], abs=0.005)
        # threshold 50: scores of 50 and more are in the higher-need category
        assert category == ("Low" if expected[code] < 50 else "High")


def test_need_page_reports_a_bad_definition(client: TestClient) -> None:
    definition = "name: x\nindicators:\n  - {id: no_such_indicator}\n"
    response = client.post("/need", data={"definition": definition})
    assert response.status_code == 422
    assert "no_such_indicator" in response.text
    assert 'id="need-table"' not in response.text
    assert "no_such_indicator" in re.search(r'<textarea id="definition"[^>]*>(.*?)</textarea>',
                                            response.text, re.S).group(1)  # type: ignore[union-attr]


def test_funding_page_shows_the_example_analysis(client: TestClient, workspace: Workspace) -> None:
    # the demo holds the Levelling Up Fund record, so the page opens on it; the illustrative
    # allocations remain to try the analysis on
    opened = client.get("/need/funding", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/funding"
    response = client.post("/need/funding", data={"example": "1"})
    assert response.status_code == 200
    assert "not real awards" in response.text
    definition = example_definition()
    index = build_index(workspace_indicators(workspace, definition), definition)
    population = workspace_population(workspace)
    need = index.scores[index.scores.index.isin(population.index)]
    allocations = read_allocations(example_allocations(need))
    result = analyse_funding(allocations, need, population.reindex(need.index))
    assert result.finding is not None
    finding = re.search(r'<p class="finding" id="finding">(.*?)</p>', response.text, re.S)
    assert finding is not None and finding.group(1).replace("&#39;", "'") == result.finding.text
    assert f"{result.concentration.index:.4f}" in response.text
    shares = [r[3] for r in table_rows(response.text, "groups-table")]
    assert shares == [f"{100 * s:.1f}%" for s in result.groups["share_of_funding"]]
    assert len(table_rows(response.text, "rates-table")) == 3
    curve = embedded_json(response.text, "curve-chart-data")
    expected_curve = result.concentration.curve["cumulative_share_funding"]
    np.testing.assert_allclose(array(curve["data"][0]["y"]), expected_curve)
    block = embedded_json(response.text, "funding-map-data")
    assert block["legendTitle"] == "Funding per head"
    # Funded areas fall into per-head quintiles: class i holds values above the i-th quintile
    # of the funded areas' figures and up to the next (the first class from the minimum).
    per_head = result.funding["per_head"]
    funded = per_head[per_head > 0].to_numpy()
    upper = np.quantile(funded, [0.2, 0.4, 0.6, 0.8, 1.0])
    labels = [entry["label"] for entry in block["legend"]][1:]
    by_code = {v["code"]: v["label"] for v in block["values"]}
    for code, value in per_head.items():
        expected = "none" if value <= 0 else labels[int(np.argmax(value <= upper))]
        assert by_code[str(code)] == expected


def test_funding_page_analyses_pasted_allocations(client: TestClient, workspace: Workspace) -> None:
    definition = example_definition()
    index = build_index(workspace_indicators(workspace, definition), definition)
    population = workspace_population(workspace)
    need = index.scores[index.scores.index.isin(population.index)].sort_values(ascending=False)
    funded = list(need.index[:3]) + list(need.index[-2:])
    amounts = [3e6, 2e6, 1e6, 5e5, 5e5]
    csv = "programme,round,geography_code,amount,date\n" + "".join(
        f"Fund,R1,{code},{amount:.0f},2022-05-01\n" for code, amount in zip(funded, amounts, strict=True)
    )
    response = client.post("/need/funding", data={"allocations": csv})
    assert response.status_code == 200
    assert "not real awards" not in response.text
    # the share of funding of each need quintile, summed by hand
    quintile = need_groups(need.sort_index(), 5)
    by_hand = pd.Series(amounts, index=funded).groupby(quintile.reindex(funded)).sum()
    shares = [r[3] for r in table_rows(response.text, "groups-table")]
    expected = (by_hand.reindex(sorted(quintile.unique()), fill_value=0) / sum(amounts)).tolist()
    assert shares == [f"{100 * s:.1f}%" for s in expected]
    assert 'id="rates-table"' not in response.text  # no outcomes, no success rates


def test_funding_page_reports_bad_allocations(client: TestClient) -> None:
    bad = "programme,round,area,amount,date\nFund,R1,E06000001,lots,2022-05-01\n"
    response = client.post("/need/funding", data={"allocations": bad})
    assert response.status_code == 422
    assert "is not an amount of money" in response.text
    assert "lots" in response.text
