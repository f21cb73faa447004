"""The records session of a request commits when the endpoint returns and keeps nothing when it
raises; a commit that fails is an error answer, never a 2xx whose changes were lost."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import sessionmaker

from levelscope.errors import NotFoundError
from levelscope.records import accounts
from levelscope.records.accounts import Organisation
from levelscope.records.db import RecordsSession, connect
from levelscope.web.errors import add_error_handlers
from levelscope.web.records import Records, ServerRecords, attach_records


def organisations(factory: sessionmaker[RecordsSession]) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(Organisation.name).order_by(Organisation.name)))


@pytest.fixture
def factory(tmp_path: Path) -> sessionmaker[RecordsSession]:
    return connect(f"sqlite:///{tmp_path / 'records.sqlite'}")


@pytest.fixture
def client(factory: sessionmaker[RecordsSession]) -> Iterator[TestClient]:
    app = FastAPI()
    add_error_handlers(app)
    attach_records(app, ServerRecords(factory=factory))

    @app.post("/organisations/{name}", status_code=201)
    def add(name: str, session: Records) -> dict[str, Any]:
        organisation = accounts.create_organisation(session, name)
        return {"id": organisation.id}

    @app.post("/organisations/{name}/then-fail")
    def add_then_fail(name: str, session: Records) -> None:
        accounts.create_organisation(session, name)
        raise NotFoundError(f"no such thing after adding {name!r}")

    @app.get("/organisations/{name}")
    def add_on_a_read(name: str, session: Records) -> None:
        accounts.create_organisation(session, name)  # a read that writes: never committed

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_an_endpoint_that_returns_has_its_changes_committed(
    client: TestClient, factory: sessionmaker[RecordsSession]
) -> None:
    answer = client.post("/organisations/Leeds City Council")
    assert answer.status_code == 201 and answer.json()["id"] >= 1
    assert organisations(factory) == ["Leeds City Council"]


def test_an_endpoint_that_raises_writes_nothing(
    client: TestClient, factory: sessionmaker[RecordsSession]
) -> None:
    answer = client.post("/organisations/Leeds City Council/then-fail")
    assert answer.status_code == 404 and "after adding" in answer.json()["detail"]
    assert client.get("/organisations/Bradford Council").status_code == 200
    assert organisations(factory) == []


def test_a_commit_that_fails_is_an_error_answer(
    client: TestClient, factory: sessionmaker[RecordsSession]
) -> None:
    def busy(_session: Any) -> None:
        raise sa_exc.OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    event.listen(factory, "before_commit", busy)
    answer = client.post("/organisations/Leeds City Council")
    assert answer.status_code == 503 and "busy" in answer.json()["detail"]
    event.remove(factory, "before_commit", busy)
    assert organisations(factory) == []
