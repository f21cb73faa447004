"""REST API security and validation, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Form, Response
from fastapi.testclient import TestClient

from levelscope.records import accounts
from levelscope.records.accounts import User
from levelscope.records.db import transaction
from levelscope.web.api.programmes import router
from levelscope.web.deps import geography_check
from levelscope.web.errors import add_error_handlers
from levelscope.web.records import ServerRecords, attach_records
from levelscope.web.security import (
    CSRF_HEADER,
    Records,
    page_user,
    sign_in,
)

KNOWN_PLACES = {"E08000035", "E08000036", "E06000023"}
PROGRAMME = {
    "name": "Skills programme",
    "start_date": "2024-04-01",
    "end_date": "2027-03-31",
    "places": ["E08000035"],
    "funders": ["UKSPF"],
}
INDICATOR = {
    "name": "Learners trained",
    "stage": "output",
    "baseline_date": "2024-04-01",
    "baseline_value": 0,
    "target_date": "2027-03-31",
    "target_value": 900,
}


class World:
    def __init__(self, client: TestClient, tokens: dict[str, str], token_ids: dict[str, int]) -> None:
        self.client = client
        self.tokens = tokens
        self.token_ids = token_ids

    def call(self, who: str | None, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.request(method, f"/api/programmes{path}", headers=headers, **kwargs)

    def create(self, who: str = "leeds_editor", **changes: Any) -> dict[str, Any]:
        response = self.call(who, "POST", "", json=PROGRAMME | changes)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def world(factory) -> World:  # type: ignore[no-untyped-def]
    app = FastAPI()
    app.include_router(router)
    attach_records(app, ServerRecords(factory=factory))
    add_error_handlers(app)
    app.dependency_overrides[geography_check] = lambda: KNOWN_PLACES.__contains__

    @app.post("/login")
    def login(
        response: Response, session: Records, email: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> dict[str, str]:
        return {"csrf_token": sign_in(response, session, email, password, secure=False).csrf_token}

    @app.post("/pages/note")
    def note(user: Annotated[User, Depends(page_user)]) -> dict[str, str]:
        return {"by": user.email}

    tokens, token_ids = {}, {}
    with transaction(factory, "setup") as session:
        leeds = accounts.create_organisation(session, "Leeds City Council")
        bristol = accounts.create_organisation(session, "Bristol City Council")
        people = {
            "leeds_admin": (leeds, "admin"),
            "leeds_editor": (leeds, "editor"),
            "leeds_viewer": (leeds, "viewer"),
            "bristol_editor": (bristol, "editor"),
        }
        for name, (organisation, role) in people.items():
            user = accounts.create_user(
                session, organisation, f"{name}@example.org", role, password="a long password"
            )
            token, secret = accounts.issue_token(session, user)
            tokens[name], token_ids[name] = secret, token.id
    return World(TestClient(app), tokens, token_ids)


def test_missing_wrong_and_revoked_tokens_get_401(world: World, factory) -> None:  # type: ignore[no-untyped-def]
    missing = world.call(None, "GET", "")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    wrong = world.client.get("/api/programmes", headers={"Authorization": "Bearer lsk_not-a-token"})
    assert wrong.status_code == 401 and "unknown" in wrong.json()["detail"]
    assert world.call("leeds_viewer", "GET", "").status_code == 200
    with transaction(factory, "admin") as session:
        accounts.revoke_token(session, world.token_ids["leeds_viewer"])
    revoked = world.call("leeds_viewer", "GET", "")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    # A token sent under another scheme is no bearer token at all.
    basic = world.client.get(
        "/api/programmes", headers={"Authorization": f"Basic {world.tokens['leeds_admin']}"}
    )
    assert basic.status_code == 401
    with transaction(factory, "admin") as session:
        user = accounts.find_user(session, "leeds_admin@example.org")
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        _, expired = accounts.issue_token(session, user, expires_at=past)
    stale = world.client.get("/api/programmes", headers={"Authorization": f"Bearer {expired}"})
    assert stale.status_code == 401 and "expired" in stale.json()["detail"]


def test_no_access_across_organisations(world: World) -> None:
    programme = world.create()
    pid = programme["id"]
    assert world.call("bristol_editor", "GET", f"/{pid}").status_code == 403
    assert world.call("bristol_editor", "GET", f"/{pid}/dashboard").status_code == 403
    assert world.call("bristol_editor", "GET", f"/{pid}/audit").status_code == 403
    assert world.call("bristol_editor", "GET", "").json() == []
    change = {"version": programme["version"], "name": "Taken over"}
    assert world.call("bristol_editor", "PATCH", f"/{pid}", json=change).status_code == 403
    spend = {"year": 2024, "source": "UKSPF", "amount": 10}
    assert world.call("bristol_editor", "POST", f"/{pid}/spend", json=spend).status_code == 403
    assert world.call("bristol_editor", "POST", f"/{pid}/indicators", json=INDICATOR).status_code == 403
    assert world.call("bristol_editor", "DELETE", f"/{pid}").status_code == 403
    assert world.call("leeds_viewer", "GET", f"/{pid}").json()["name"] == "Skills programme"
    # Writes below the programme: an indicator's actuals, cash flows, logic model, imports.
    indicator = world.call("leeds_editor", "POST", f"/{pid}/indicators", json=INDICATOR).json()
    actual = {"date": "2025-03-31", "value": 1}
    flow = {"year": 2024, "category": "cost", "amount": 1}
    item = {"stage": "activity", "description": "x"}
    for path, body in [
        (f"/{pid}/indicators/{indicator['id']}/actuals", actual),
        (f"/{pid}/cash-flows", flow),
        (f"/{pid}/logic-items", item),
    ]:
        assert world.call("bristol_editor", "POST", path, json=body).status_code == 403, path
    upload = {"file": ("a.csv", b"indicator,date,value\nLearners trained,2025-03-31,5\n", "text/csv")}
    assert world.call("bristol_editor", "POST", f"/{pid}/actuals/import", files=upload).status_code == 403
    history = world.call("leeds_viewer", "GET", f"/{pid}/indicators/{indicator['id']}/history").json()
    assert history == []  # nothing was recorded by the refused writes
    # Published: readable by everyone signed in, still only editable by its organisation.
    published = world.call(
        "leeds_editor", "PATCH", f"/{pid}", json={"version": programme["version"], "published": True}
    )
    assert published.status_code == 200
    assert world.call("bristol_editor", "GET", f"/{pid}").status_code == 200
    assert [p["id"] for p in world.call("bristol_editor", "GET", "").json()] == [pid]
    change["version"] = published.json()["version"]
    assert world.call("bristol_editor", "PATCH", f"/{pid}", json=change).status_code == 403
    assert world.call("leeds_editor", "GET", f"/{pid}").json()["name"] == "Skills programme"


def test_roles(world: World) -> None:
    assert world.call("leeds_viewer", "POST", "", json=PROGRAMME).status_code == 403
    pid = world.create()["id"]
    assert (
        world.call(
            "leeds_viewer", "POST", f"/{pid}/spend", json={"year": 2024, "source": "x", "amount": 1}
        ).status_code
        == 403
    )
    assert world.call("leeds_editor", "DELETE", f"/{pid}").status_code == 403
    assert world.call("leeds_admin", "DELETE", f"/{pid}").status_code == 204
    assert world.call("leeds_admin", "GET", f"/{pid}").status_code == 404
    restored = world.call("leeds_admin", "POST", f"/{pid}/restore")
    assert restored.status_code == 200 and restored.json()["id"] == pid
    assert world.call("leeds_viewer", "GET", f"/{pid}").status_code == 200


def _problem(response: Any) -> str:
    assert response.status_code == 422, response.text
    body = response.json()
    return " ".join([body["detail"], *(str(d["msg"]) + " " + str(d.get("loc")) for d in body["errors"])])


def test_invalid_input_gets_clear_422(world: World) -> None:
    pid = world.create()["id"]
    negative = world.call(
        "leeds_editor", "POST", f"/{pid}/spend", json={"year": 2024, "source": "UKSPF", "amount": -5}
    )
    assert "greater than or equal to 0" in _problem(negative) and "amount" in _problem(negative)
    backwards = world.call(
        "leeds_editor", "POST", f"/{pid}/indicators", json=INDICATOR | {"target_date": "2023-03-31"}
    )
    assert "target_date 2023-03-31 must be after baseline_date 2024-04-01" in _problem(backwards)
    unknown = world.call("leeds_editor", "POST", "", json=PROGRAMME | {"places": ["E08000035", "E99999999"]})
    detail = unknown.json()["errors"]
    assert unknown.status_code == 422
    assert detail == [
        {
            "loc": ["body", "places"],
            "msg": "unknown geography code",
            "input": "E99999999",
            "type": "value_error",
        }
    ]
    bad_spend_place = world.call(
        "leeds_editor",
        "POST",
        f"/{pid}/spend",
        json={"year": 2024, "source": "UKSPF", "amount": 5, "geography_code": "X1"},
    )
    assert "unknown geography code" in _problem(bad_spend_place)
    ends_first = world.call("leeds_editor", "POST", "", json=PROGRAMME | {"end_date": "2020-01-01"})
    assert "before start_date" in _problem(ends_first)
    empty = world.call("leeds_editor", "GET", f"/{pid}/appraisal")
    assert "no costs or benefits" in _problem(empty)


def test_stale_version_gets_409(world: World) -> None:
    programme = world.create()
    pid, version = programme["id"], programme["version"]
    first = world.call("leeds_editor", "PATCH", f"/{pid}", json={"version": version, "name": "First"})
    assert first.status_code == 200 and first.json()["version"] == version + 1
    second = world.call("leeds_admin", "PATCH", f"/{pid}", json={"version": version, "name": "Second"})
    assert second.status_code == 409
    assert world.call("leeds_viewer", "GET", f"/{pid}").json()["name"] == "First"
    audit = world.call("leeds_viewer", "GET", f"/{pid}/audit").json()
    renames = [
        (e["actor"], e["old_value"], e["new_value"])
        for e in audit
        if e["field"] == "name" and e["action"] == "update"
    ]
    assert renames == [("leeds_editor@example.org", "Skills programme", "First")]


def test_csrf_is_enforced_for_cookie_sessions(world: World) -> None:
    client = world.client
    assert (
        client.post(
            "/login", data={"email": "leeds_editor@example.org", "password": "wrong password"}
        ).status_code
        == 401
    )
    login = client.post("/login", data={"email": "leeds_editor@example.org", "password": "a long password"})
    assert login.status_code == 200
    csrf = login.json()["csrf_token"]
    assert client.post("/pages/note").status_code == 403
    assert client.post("/pages/note", headers={CSRF_HEADER: "forged"}).status_code == 403
    assert client.post("/pages/note", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/pages/note", headers={CSRF_HEADER: csrf}).json() == {
        "by": "leeds_editor@example.org"
    }
    assert client.post("/pages/note", data={"csrf_token": csrf}).status_code == 200
    # The REST API accepts the cookie too, but never for a write without the token.
    assert client.post("/api/programmes", json=PROGRAMME).status_code == 403
    assert client.post("/api/programmes", json=PROGRAMME, headers={CSRF_HEADER: csrf}).status_code == 201
    assert client.get("/api/programmes").status_code == 200
    client.cookies.clear()
    assert client.post("/pages/note", headers={CSRF_HEADER: csrf}).status_code == 401


def test_tracking_and_dashboard_through_the_api(world: World) -> None:
    pid = world.create()["id"]
    indicator = world.call("leeds_editor", "POST", f"/{pid}/indicators", json=INDICATOR).json()
    for day, value in [("2025-03-31", 250), ("2026-03-31", 480), ("2026-09-30", 700)]:
        response = world.call(
            "leeds_editor",
            "POST",
            f"/{pid}/indicators/{indicator['id']}/actuals",
            json={"date": day, "value": value},
        )
        assert response.status_code == 201
    assert (
        world.call(
            "leeds_editor", "POST", f"/{pid}/spend", json={"year": 2024, "source": "UKSPF", "amount": 500_000}
        ).status_code
        == 201
    )
    for flow in (
        {"year": 2024, "category": "cost", "amount": 1000, "kind": "capital"},
        {"year": 2025, "category": "benefit", "amount": 1035},
    ):
        assert world.call("leeds_editor", "POST", f"/{pid}/cash-flows", json=flow).status_code == 201
    board = world.call("leeds_viewer", "GET", f"/{pid}/dashboard").json()
    track = board["indicators"][0]
    assert track["indicator"] == "Learners trained" and track["status"] in {
        "on track",
        "at risk",
        "off track",
    }
    assert track["projection"] is not None and "planned change" in track["rule"]
    assert board["spend"] == [{"year": 2024, "source": "UKSPF", "planned": 0.0, "actual": 500000.0}]
    # 1,035 a year later at 3.5% is worth 1,000 today: NPSV 0, BCR 1.
    assert board["appraisal"]["npsv"] == pytest.approx(0.0, abs=1e-9)
    assert board["appraisal"]["bcr"] == pytest.approx(1.0)
    appraisal = world.call("leeds_viewer", "GET", f"/{pid}/appraisal", params={"optimism_bias": 0.1}).json()
    assert appraisal["pv_costs"] == pytest.approx(1100.0)
    history = world.call("leeds_viewer", "GET", f"/{pid}/indicators/{indicator['id']}/history").json()
    assert history[0]["actor"] == "leeds_editor@example.org"


def test_import_actuals_through_the_api_is_all_or_nothing(world: World) -> None:
    pid = world.create()["id"]
    indicator = world.call("leeds_editor", "POST", f"/{pid}/indicators", json=INDICATOR).json()
    good = b"indicator,date,value\nLearners trained,2025-03-31,250\nLearners trained,2026-03-31,560\n"
    bad = b"indicator,date,value\nLearners trained,2025-06-30,300\nApprentices,2025-03-31,5\n"
    history = f"/{pid}/indicators/{indicator['id']}/history"
    refused = world.call("leeds_editor", "POST", f"/{pid}/actuals/import", files={"file": ("bad.csv", bad)})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["msg"].startswith("bad.csv, row 3, column 'indicator'")
    assert world.call("leeds_viewer", "GET", history).json() == []
    assert (
        world.call(
            "leeds_viewer", "POST", f"/{pid}/actuals/import", files={"file": ("a.csv", good)}
        ).status_code
        == 403
    )
    done = world.call("leeds_editor", "POST", f"/{pid}/actuals/import", files={"file": ("a.csv", good)})
    assert done.status_code == 201 and done.json() == {"file": "a.csv", "rows": 2, "indicators": 1}
    board = world.call("leeds_viewer", "GET", f"/{pid}/dashboard").json()
    assert [a["value"] for a in board["indicators"][0]["actuals"]] == [250.0, 560.0]
    statuses = world.call("leeds_viewer", "GET", history).json()
    assert len(statuses) == 1
    again = world.call("leeds_editor", "POST", f"/{pid}/actuals/import", files={"file": ("a.csv", good)})
    assert again.status_code == 201
    board_again = world.call("leeds_viewer", "GET", f"/{pid}/dashboard").json()
    assert board_again["indicators"][0]["actuals"] == board["indicators"][0]["actuals"]
    assert world.call("leeds_viewer", "GET", history).json() == statuses
    # Without a served workspace there is nowhere to read a linked series from.
    none = world.call("leeds_editor", "POST", f"/{pid}/indicators/{indicator['id']}/actuals/from-workspace")
    assert none.status_code == 422 and "no workspace" in none.text
