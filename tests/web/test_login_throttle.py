"""Sign-in is throttled per account and per client address, and every refusal is audited.

The probe that found the fault: 30 wrong passwords in 24 s, then the right one was accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from levelscope.records import accounts, throttle
from levelscope.records.audit import AuditEntry
from levelscope.records.db import connect, transaction
from levelscope.web.app import create_app

PASSWORD = "a long password"


@pytest.fixture()
def site(demo_workspace_path: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    factory = connect(url)
    with transaction(factory, "setup") as session:
        council = accounts.create_organisation(session, "Leeds City Council")
        for name in ("ann", "bob"):
            accounts.create_user(session, council, f"{name}@leeds.gov.uk", "viewer", password=PASSWORD)
    app = create_app(demo_workspace_path, records_url=url, warm=False, reload_interval=None)
    with TestClient(app) as client:
        yield client, factory


def _sign_in(client: TestClient, email: str, password: str) -> int:
    form = client.get("/programmes/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    answer = client.post("/programmes/login", data={"email": email, "password": password,
                                                    "csrf_token": token.group(1)},
                         follow_redirects=False)
    return answer.status_code


def test_wrong_passwords_lock_the_account_even_against_the_right_one(site) -> None:  # type: ignore[no-untyped-def]
    client, factory = site
    assert [_sign_in(client, "ann@leeds.gov.uk", "guess") for _ in range(throttle.ACCOUNT_LIMIT)] == (
        [401] * throttle.ACCOUNT_LIMIT)
    assert _sign_in(client, "ann@leeds.gov.uk", PASSWORD) == 429
    form = client.get("/programmes/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    locked = client.post("/programmes/login", data={"email": "ann@leeds.gov.uk", "password": PASSWORD,
                                                    "csrf_token": token}, follow_redirects=False)
    assert locked.status_code == 429 and 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert "sign-in is locked for 15 minutes" in locked.text
    with factory() as session:
        refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "refused")).all()
    assert len(refused) == throttle.ACCOUNT_LIMIT
    assert {(e.actor, e.table_name, e.new_value) for e in refused} == {
        ("ann@leeds.gov.uk", "login_sessions", "testclient")}
    # another account from the same address is not locked by ann's refusals
    assert _sign_in(client, "bob@leeds.gov.uk", PASSWORD) == 303
    # once the refusals are older than the window, the right password works again
    with factory() as session, session.begin():
        session.execute(update(AuditEntry).where(AuditEntry.action == "refused")
                        .values(at=dt.datetime.now(dt.UTC) - throttle.WINDOW - dt.timedelta(seconds=5)))
    assert _sign_in(client, "ann@leeds.gov.uk", PASSWORD) == 303


def test_one_address_trying_many_accounts_is_locked(site) -> None:  # type: ignore[no-untyped-def]
    client, _ = site
    for i in range(throttle.ADDRESS_LIMIT):
        assert _sign_in(client, f"nobody{i}@example.org", "guess") == 401
    assert _sign_in(client, "bob@leeds.gov.uk", PASSWORD) == 429
