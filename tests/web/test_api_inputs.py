"""Regression tests for the inputs the fuzzer found answering 500, one per cause."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from levelscope.records import accounts
from levelscope.records.db import connect, transaction
from levelscope.web.app import create_app

PROGRAMME = {"name": "Skills", "start_date": "2024-04-01", "end_date": "2027-03-31"}


@pytest.fixture(scope="module")
def api(demo_workspace_path: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('inputs') / 'records.sqlite'}"
    with transaction(connect(url), "setup") as session:
        council = accounts.create_organisation(session, "Leeds City Council")
        admin = accounts.create_user(session, council, "admin@example.org", "admin")
        _, token = accounts.issue_token(session, admin)
    app = create_app(demo_workspace_path, records_url=url, warm=False, reload_interval=None)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def _located(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {".".join(map(str, e["loc"])): e["msg"] for e in response.json()["errors"]}


@pytest.mark.parametrize("path", ["/api/programmes/9223372036854775808",
                                  "/api/programmes/1/indicators/99999999999999999999/history",
                                  "/api/design/assessments/1/compare/18446744073709551616"])
def test_ids_beyond_64_bits_are_422(api: TestClient, path: str) -> None:
    assert any("less than or equal to 9223372036854775807" in m for m in _located(api.get(path)).values())


def test_a_change_cannot_set_a_field_to_null(api: TestClient) -> None:
    created = api.post("/api/programmes", json=PROGRAMME).json()
    for field in ("name", "start_date", "published", "places", "description"):
        change = {"version": created["version"], field: None}
        refused = api.patch(f"/api/programmes/{created['id']}", json=change)
        assert "may not be null" in _located(refused)[f"body.{field}"]


def test_an_empty_upload_is_422(api: TestClient) -> None:
    pid = api.post("/api/programmes", json=PROGRAMME).json()["id"]
    refused = api.post(f"/api/programmes/{pid}/actuals/import", files={"file": ("empty.csv", b"")})
    assert refused.status_code == 422 and "the file is empty" in refused.json()["detail"]


@pytest.mark.parametrize(("amount", "says"), [
    ("Infinity", "finite number"), ("-Infinity", "finite number"), ("NaN", "finite number"),
    ("1e308", "less than or equal to 1000000000000000"), ("false", "valid number"), ('"12"', "valid number"),
])
def test_amounts_are_finite_bounded_numbers(api: TestClient, amount: str, says: str) -> None:
    pid = api.post("/api/programmes", json=PROGRAMME).json()["id"]
    body = f'{{"year": 2024, "source": "UKSPF", "amount": {amount}}}'
    refused = api.post(f"/api/programmes/{pid}/spend", content=body,
                       headers={"content-type": "application/json"})
    assert says in _located(refused)["body.amount"]


def test_booleans_are_strict(api: TestClient) -> None:
    refused = api.post("/api/programmes", json=PROGRAMME | {"published": "yes"})
    assert "valid boolean" in _located(refused)["body.published"]


def test_every_status_an_operation_answers_is_documented(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    change = paths["/api/programmes/{programme_id}"]["patch"]["responses"]
    assert {"200", "401", "403", "404", "409", "413", "422", "503"} <= set(change)
    error = change["409"]["content"]["application/problem+json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorOut"}
    assert {"404", "422", "503"} <= set(paths["/api/areas/{code}"]["get"]["responses"])
    assert "401" not in paths["/api/areas/{code}"]["get"]["responses"]  # a public route


def test_an_unknown_query_parameter_is_422_naming_what_the_operation_takes(api: TestClient) -> None:
    # The fuzzer's `GET /api/design/assessments?=0` answered 200 with every assessment; so would a typo.
    assert api.get("/api/design/assessments", params={"place_code": "E08000035"}).status_code == 200
    located = _located(api.get("/api/design/assessments", params={"place_cod": "E08000035"}))
    assert located == {"query.place_cod": "unknown query parameter 'place_cod'; "
                                          "this operation takes: place_code, strategy"}
    assert "query." in _located(api.get("/api/design/assessments?=0"))


def test_a_single_valued_query_parameter_given_twice_is_422(api: TestClient) -> None:
    refused = api.get("/api/design/assessments?strategy=a&strategy=b")
    assert _located(refused) == {"query.strategy": "query parameter 'strategy' takes one value, got 2"}


def test_pages_keep_accepting_query_parameters_they_do_not_name(api: TestClient) -> None:
    assert api.get("/", params={"utm_source": "newsletter"}).status_code == 200
