"""The design REST API and pages through FastAPI's test client over the demo workspace."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from levelscope.design import load_framework

FW = load_framework()


def key(criterion_id: str) -> str:
    """The id fragment the form uses for a criterion (a dot would read as a CSS class)."""
    return criterion_id.replace(".", "--")
FIRST = FW.criterion_ids[0]


def submission(level: int = 2, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "strategy": "Dudley Borough Vision",
        "place_code": "E08000027",
        "assessor": "Strategy team",
        "date": "2026-03-31",
        "answers": {c: {"score": level, "evidence": f"about {c}"} for c in FW.criterion_ids},
    }
    return data | overrides


def form(level: int | None = 2) -> dict[str, str]:
    data = {
        "strategy": "Dudley Borough Vision",
        "place_code": "E08000027",
        "assessor": "Strategy team",
        "date": "2026-03-31",
    }
    for c in FW.criterion_ids:
        if level is not None:
            data[f"score.{c}"] = str(level)
        data[f"evidence.{c}"] = f"about {c}"
    return data


def test_framework_and_case_studies_endpoints(client: TestClient) -> None:
    framework = client.get("/api/design/framework").json()
    assert len(framework["factors"]) == 10
    assert framework["factors"][-1]["id"] == "transferable_learning"
    cases = client.get("/api/design/case-studies").json()
    assert {c["id"] for c in cases["cases"]} >= {"leipzig", "fukuoka", "tees_valley"}
    assert client.get("/api/design/case-studies/nantes").json()["country"] == "France"
    assert client.get("/api/design/case-studies/atlantis").status_code == 404


def test_score_endpoint_by_hand(client: TestClient) -> None:
    data = submission(2)
    funding = [c.id for c in FW.factor("funding").criteria]
    for c in funding:
        data["answers"][c]["score"] = 0
    body = client.post("/api/design/score", json=data).json()
    # nine factors at 50, funding at 0: overall (9 * 50 + 0) / 10 = 45
    assert body["overall"] == pytest.approx(45.0)
    assert body["weakest"][0] == "funding"
    # gaps below 75: all ten factors, funding first; its practices cite a report and a section
    assert body["gaps"][0]["factor_id"] == "funding"
    practice = body["gaps"][0]["practices"][0]
    assert practice["citations"] and all(", " in c for c in practice["citations"])
    assert body["evidence_links"][0]["url"] == "/areas/E08000027"
    assert {a["source"] for a in body["answers"]} == {"self-reported"}


def test_score_endpoint_rejects_bad_input_with_every_problem(client: TestClient) -> None:
    data = submission(2, assessor="")
    data["answers"][FIRST]["score"] = 9
    del data["answers"][FW.criterion_ids[-1]]
    response = client.post("/api/design/score", json=data)
    assert response.status_code == 422
    located = {tuple(d["loc"]): d["msg"] for d in response.json()["errors"]}
    assert "required" in located[("body", "assessor")]
    assert "0 to 4" in located[("body", FIRST)]
    assert "not answered" in located[("body", FW.criterion_ids[-1])]


def test_saved_assessments_need_a_user(client: TestClient) -> None:
    assert client.get("/api/design/assessments").status_code == 401
    assert client.post("/api/design/assessments", json=submission()).status_code == 401


def test_form_has_a_labelled_radio_group_and_evidence_box_per_criterion(client: TestClient) -> None:
    page = client.get("/design/assess")
    assert page.status_code == 200
    html = page.text
    assert html.count('type="radio"') == 5 * len(FW.criterion_ids)
    assert html.count("<textarea") == len(FW.criterion_ids)
    assert html.count('class="factor"') == 10
    # every radio button has a label
    for radio_id in re.findall(r'type="radio" id="([^"]+)"', html):
        assert f'for="{radio_id}"' in html
    assert client.get("/design").status_code == 200


def test_incomplete_form_comes_back_with_messages_and_answers_kept(client: TestClient) -> None:
    data = form(3)
    del data[f"score.{FIRST}"]
    data["assessor"] = ""
    data["population"] = "lots"
    data[f"evidence.{FIRST}"] = "Cabinet minutes, 12 March 2025"
    page = client.post("/design/assess", data=data)
    assert page.status_code == 422
    html = page.text
    assert 'id="error-summary"' in html and "3 answers need attention" in html
    assert f'id="error-{key(FIRST)}"' in html and "Choose a level from 0 to 4." in html
    assert 'id="error-assessor"' in html and 'id="error-population"' in html
    # nothing lost: other scores still checked, typed evidence and fields still there
    second = FW.criterion_ids[1]
    assert f'id="score-{key(second)}-3" name="score.{second}" value="3" checked' in html
    assert "Cabinet minutes, 12 March 2025</textarea>" in html
    assert 'value="lots"' in html and 'value="Dudley Borough Vision"' in html


def test_complete_form_gives_the_profile_weakest_factors_and_gaps(client: TestClient) -> None:
    data = form(3)
    for c in FW.factor("key_players").criteria:
        data[f"score.{c.id}"] = "1"
    page = client.post("/design/assess", data=data)
    assert page.status_code == 200, page.text[:2000]
    html = page.text
    assert 'id="radar-chart"' in html and "scatterpolar" in html
    # nine factors at 75, key players at 25: overall (9 * 75 + 25) / 10 = 70
    assert '<span id="overall-score">70.0</span>' in html
    weakest = re.search(r'<ol id="weakest-factors">\s*<li>([^<]+)</li>', html)
    assert weakest and weakest.group(1).startswith(FW.factor("key_players").name)
    # only key players is below 75, so the gap list has exactly one factor
    assert html.count('<article class="gap">') == 1
    assert 'class="citation"' in html
