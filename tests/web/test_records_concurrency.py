"""Concurrent writes to the SQLite records file queue up instead of failing.

The probe that found the fault: many editors writing at once got 500 (``database is locked``,
``cannot start a transaction within a transaction``). Records now run in WAL mode with a busy
timeout, and every write takes the write lock when its transaction begins.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from levelscope.records import accounts, db
from levelscope.records.db import connect, transaction
from levelscope.web.app import create_app
from live_server import serve

WRITERS = 40
PROGRAMME = {"name": "Skills", "start_date": "2024-04-01", "end_date": "2027-03-31",
             "places": ["E08000025"]}


async def _writes(base: str, token: str) -> list[int]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers,
                                 limits=httpx.Limits(max_connections=WRITERS)) as client:
        created = await client.post("/api/programmes", json=PROGRAMME)
        assert created.status_code == 201, created.text
        pid = created.json()["id"]
        spends = [
            client.post(f"/api/programmes/{pid}/spend",
                        json={"year": 2024, "source": f"fund {i}", "amount": i + 1})
            for i in range(WRITERS)
        ]
        flows = [
            client.post(f"/api/programmes/{pid}/cash-flows",
                        json={"year": 2025, "category": "cost", "amount": i + 1})
            for i in range(WRITERS)
        ]
        answers = await asyncio.gather(*spends, *flows)
        return [a.status_code for a in answers]


def test_concurrent_writes_to_sqlite_records_all_land(demo_workspace_path: Path, tmp_path: Path) -> None:
    file = tmp_path / "records.sqlite"
    url = f"sqlite:///{file}"
    with transaction(connect(url), "setup") as session:
        council = accounts.create_organisation(session, "Birmingham City Council")
        editor = accounts.create_user(session, council, "editor@example.org", "editor")
        _, token = accounts.issue_token(session, editor)
    with serve(create_app(demo_workspace_path, records_url=url, warm=False)) as base, \
            ThreadPoolExecutor(1) as thread:
        statuses = thread.submit(asyncio.run, _writes(base, token)).result()
    assert statuses == [201] * (2 * WRITERS)
    with sqlite3.connect(file) as check:
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert check.execute("SELECT count(*) FROM programme_spend").fetchone() == (WRITERS,)
        assert check.execute("SELECT count(*) FROM programme_cash_flows").fetchone() == (WRITERS,)


def test_records_busy_past_the_timeout_is_503_with_retry_after(
    demo_workspace_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "records.sqlite"
    url = f"sqlite:///{file}"
    with transaction(connect(url), "setup") as session:
        council = accounts.create_organisation(session, "Birmingham City Council")
        editor = accounts.create_user(session, council, "editor@example.org", "editor")
        _, token = accounts.issue_token(session, editor)
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    app = create_app(demo_workspace_path, records_url=url, warm=False)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        assert client.get("/api/programmes", headers=headers).status_code == 200
        other_writer = sqlite3.connect(file, isolation_level=None)
        other_writer.execute("BEGIN IMMEDIATE")
        try:
            busy = client.post("/api/programmes", json=PROGRAMME, headers=headers)
            # readers are not held up by a writer in WAL mode
            assert client.get("/api/programmes", headers=headers).status_code == 200
        finally:
            other_writer.execute("ROLLBACK")
            other_writer.close()
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "1"
        assert busy.json()["detail"].startswith("the records database is busy")
        assert client.post("/api/programmes", json=PROGRAMME, headers=headers).status_code == 201
