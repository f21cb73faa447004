"""REST endpoints of /api/evaluate: the same numbers as the Python API, clear 404 and 422."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from levelscope.evaluate import synthetic_control, twfe
from levelscope.web.app import create_app


@pytest.fixture(scope="module")
def client(demo_workspace_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    records = tmp_path_factory.mktemp("records") / "r.sqlite"
    app = create_app(demo_workspace_path, records_url=f"sqlite:///{records}", warm=False)
    with TestClient(app) as test_client:
        yield test_client


def _toy_rows() -> list[dict[str, Any]]:
    """Unit 0 equals 0.4 * unit 1 + 0.6 * unit 3 before time 6 and gains 2 from time 6 on."""
    rng = np.random.default_rng(3)
    paths = {u: rng.normal(size=10).cumsum() + u for u in range(1, 6)}
    paths[0] = 0.4 * paths[1] + 0.6 * paths[3] + np.where(np.arange(10) >= 6, 2.0, 0.0)
    return [{"unit": u, "time": t, "outcome": float(y[t])} for u, y in paths.items() for t in range(10)]


def test_panel_synth_with_placebos(client: TestClient) -> None:
    rows = _toy_rows()
    answer = client.post("/api/evaluate/panel",
                         json={"data": rows, "treated": ["0"], "start": 6, "placebos": True})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    direct = synthetic_control(pd.DataFrame(rows).astype({"unit": str}), treated="0", start=6)
    assert body["effect"] == pytest.approx(direct.effect, abs=1e-9)
    assert body["effect"] == pytest.approx(2.0, abs=1e-6)
    assert body["weights"]["1"] == pytest.approx(0.4, abs=1e-6)
    assert body["weights"]["3"] == pytest.approx(0.6, abs=1e-6)
    assert body["pre_rmspe"] == pytest.approx(0.0, abs=1e-6)
    assert body["placebos"]["units"] == 6
    # A perfect pre-period fit makes the treated ratio infinite: ranked first, p = 1/6.
    assert body["placebos"]["p_value"] == pytest.approx(1 / 6)
    assert body["placebos"]["table"][0]["unit"] == "0"
    assert "synthetic control" in body["verdict"]
    assert len(body["table"]) == 10


def test_panel_did_equals_python_api(client: TestClient) -> None:
    rows = _toy_rows()
    answer = client.post("/api/evaluate/panel",
                         json={"data": rows, "method": "did", "treated": ["0"], "start": 6})
    assert answer.status_code == 200, answer.text
    frame = pd.DataFrame(rows).astype({"unit": str})
    frame["d"] = ((frame["unit"] == "0") & (frame["time"] >= 6)).astype(float)
    direct = twfe(frame, unit="unit", time="time", outcome="outcome", treatment="d")
    assert answer.json()["effect"] == pytest.approx(direct.effect, abs=1e-12)
    assert answer.json()["clusters"] == 6


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"start": 0}, "no pre-period"),
        ({"donors": ["0", "1", "2"]}, "among the donors"),
        ({"donors": ["1"]}, "too few donors"),
        ({"outcome": "missing"}, "missing"),
        ({"treated": ["0", "1"]}, "one treated unit"),
        ({"method": "cs"}, "cohort"),
    ],
)
def test_panel_bad_designs_are_422(client: TestClient, change: dict[str, Any], reason: str) -> None:
    design = {"data": _toy_rows(), "treated": ["0"], "start": 6, **change}
    answer = client.post("/api/evaluate/panel", json=design)
    assert answer.status_code == 422
    assert reason in answer.text


def test_panel_malformed_body_is_422(client: TestClient) -> None:
    assert client.post("/api/evaluate/panel", json={"data": []}).status_code == 422
    answer = client.post("/api/evaluate/panel", json={"data": _toy_rows(), "bootstrap": -1})
    assert answer.status_code == 422
    answer = client.post("/api/evaluate/panel", json={"data": _toy_rows(), "colour": "red"})
    assert answer.status_code == 422


def test_area_endpoint(client: TestClient) -> None:
    answer = client.get("/api/evaluate/area", params={
        "indicator": "gva_per_hour_worked", "treated": ["TLC11", "TLC12"], "start": "2015",
        "method": "did", "exclude": ["TLC13"],
    })
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["level"] == "itl3" and body["start"] == 2015
    assert body["excluded"] == {"TLC13": "asked"}
    assert body["comparisons"] == 179 - 3
    assert body["lower"] < body["effect"] < body["upper"]
    assert body["sources"]


def test_area_endpoint_errors(client: TestClient) -> None:
    base = {"indicator": "gva_per_hour_worked", "treated": ["TLC11"], "start": "2015"}
    unknown_area = client.get("/api/evaluate/area", params={**base, "treated": ["XX999"]})
    assert unknown_area.status_code == 404
    unknown_indicator = client.get("/api/evaluate/area", params={**base, "indicator": "nope"})
    assert unknown_indicator.status_code == 404
    too_early = client.get("/api/evaluate/area", params={**base, "start": "1990"})
    assert too_early.status_code == 422
    assert "pre-period" in too_early.text
    bad_method = client.get("/api/evaluate/area", params={**base, "method": "magic"})
    assert bad_method.status_code == 422
    missing = client.get("/api/evaluate/area", params={"indicator": "gva_per_hour_worked"})
    assert missing.status_code == 422
