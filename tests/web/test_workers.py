"""Several server processes against PostgreSQL records and a workspace none of them locks.

``levelscope serve --workers 2`` migrates the records once, then each worker answers from its own
copy of the workspace; a programme written through one worker is read back through any.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from levelscope.data.store import Workspace
from levelscope.records import accounts
from levelscope.records.db import connect, transaction
from live_server import free_port
from postgres import shared_server

pytestmark = pytest.mark.postgres


def _wait_healthy(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail("levelscope serve --workers 2 did not answer /health within 90 s")


def test_two_workers_share_postgres_records(demo_workspace_path: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "served.duckdb"
    shutil.copyfile(demo_workspace_path, workspace)
    url = shared_server().new_database()  # empty: `serve` migrates it, once
    port = free_port()
    command = [str(Path(sys.executable).with_name("levelscope")), "serve", "-w", str(workspace),
               "--records-url", url, "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, server)
        with transaction(connect(url, migrate=False), "setup") as session:
            council = accounts.create_organisation(session, "Leeds City Council")
            editor = accounts.create_user(session, council, "editor@example.org", "editor")
            _, token = accounts.issue_token(session, editor)
        health = [httpx.get(f"{base}/health", timeout=10).json() for _ in range(40)]
        assert {h["records"] for h in health} == {"postgresql"}
        assert len({h["process"] for h in health}) == 2
        headers = {"Authorization": f"Bearer {token}"}
        body = {"name": "Town fund", "start_date": "2024-04-01", "end_date": "2026-03-31"}
        created = httpx.post(f"{base}/api/programmes", json=body, headers=headers, timeout=30)
        assert created.status_code == 201, created.text
        for _ in range(10):  # a fresh connection each time, so both workers answer
            listed = httpx.get(f"{base}/api/programmes", headers=headers, timeout=30).json()
            assert [p["name"] for p in listed] == ["Town fund"]
        # Neither worker holds the workspace: its owner opens it for writing meanwhile.
        with Workspace.open(workspace, wait=10) as ws:
            assert ws.counts()["observation"] > 0
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
