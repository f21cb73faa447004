"""The server's event loop never waits on blocking I/O.

A stuck event loop stalls every route at once, public pages included. The probe that found it:
more concurrent authenticated requests than the records database has connections. The
authentication used to look the token up on the event loop and so waited there for a free
connection, holding up the very requests that would have given one back.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from levelscope.records import accounts
from levelscope.records.db import connect, transaction
from levelscope.web.app import create_app
from levelscope.web.records import ServerRecords, attach_records
from live_server import serve

CONCURRENT = 24


async def _burst(base: str, token: str) -> tuple[list[int], float]:
    """``CONCURRENT`` authenticated requests at once, and how long a public route took meanwhile."""
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=CONCURRENT + 4)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def public() -> float:
            await asyncio.sleep(0.3)  # once the authenticated requests are in
            start = time.perf_counter()
            response = await client.get("/api/levels")
            assert response.status_code == 200
            return time.perf_counter() - start

        authenticated = [client.get("/api/programmes", headers=headers) for _ in range(CONCURRENT)]
        waited, *answers = await asyncio.gather(public(), *authenticated)
    return [a.status_code for a in answers], waited


def test_authenticated_requests_beyond_the_pool_leave_public_routes_answering(
    demo_workspace_path: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    with transaction(connect(url), "setup") as session:
        council = accounts.create_organisation(session, "Leeds City Council")
        viewer = accounts.create_user(session, council, "viewer@example.org", "viewer")
        _, token = accounts.issue_token(session, viewer)
    # Two connections and a pool wait far longer than any answer should take.
    small_pool = connect(url, migrate=False, pool_size=2, max_overflow=0, pool_timeout=8)
    app = create_app(demo_workspace_path, records_url=url, warm=False)
    attach_records(app, ServerRecords(factory=small_pool))
    with serve(app) as base:
        assert httpx.get(f"{base}/api/levels").status_code == 200  # cached before the burst
        # in a thread of its own: another test may have left an event loop running in this one
        with ThreadPoolExecutor(1) as thread:
            statuses, waited = thread.submit(asyncio.run, _burst(base, token)).result()
    assert statuses == [200] * CONCURRENT
    assert waited < 2.0, f"a public route took {waited:.1f} s while authenticated requests queued"
