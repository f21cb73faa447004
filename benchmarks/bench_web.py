"""Speed of the web explorer on the demo workspace.

Run: ``.venv/bin/python benchmarks/bench_web.py WORKSPACE`` (a workspace built by
``levelscope demo``; without an argument one is built in a temporary folder from the mirror
folder, ``$LEVELSCOPE_MIRROR`` or ``../shared/data``). Prints:

1. the area-profile API (``GET /api/areas/{code}``) over 50 different local authorities, each
   asked for twice (first = cold, then cached): p50 / p95 in-process (target p95 < 50 ms);
2. the full area page (``GET /areas/{code}``) server time, p50 / p95 (target < 300 ms);
3. requests per second sustained on the profile endpoint by a uvicorn server in a subprocess,
   loaded over loopback by an asyncio httpx client with 16 connections for 10 s (target >= 200/s).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from fastapi.testclient import TestClient

from levelscope.web.app import create_app

REPO = Path(__file__).resolve().parents[1]


def workspace_path() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    from levelscope.data import Workspace
    from levelscope.data.demo import build_demo

    mirror = Path(os.environ.get("LEVELSCOPE_MIRROR", REPO.parent / "shared" / "data"))
    path = Path(tempfile.mkdtemp()) / "demo.duckdb"
    with Workspace.open(path) as ws:
        build_demo(ws, mirror)
    return path


def timed(client: TestClient, urls: list[str]) -> np.ndarray:
    out = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        out.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return np.array(out) * 1000


def report(label: str, ms: np.ndarray, target: float) -> None:
    p50, p95 = np.percentile(ms, [50, 95])
    print(f"{label:<34} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   target p95 < {target:.0f} ms")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def load(url: str, seconds: float, connections: int) -> tuple[int, int]:
    done = failed = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def worker() -> None:
            nonlocal done, failed
            while time.perf_counter() < stop:
                response = await client.get(url)
                done += 1
                failed += response.status_code != 200

        await asyncio.gather(*(worker() for _ in range(connections)))
    return done, failed


def main() -> None:
    path = workspace_path()
    with TestClient(create_app(path, records_url="sqlite://")) as client:
        codes = [
            a["code"] for a in client.get("/api/areas", params={"level": "lad", "limit": 50}).json()["areas"]
        ]
        cold = timed(client, [f"/api/areas/{c}" for c in codes])
        warm = timed(client, [f"/api/areas/{c}" for c in codes])
        report("profile API, first request", cold, 50)
        report("profile API, repeated", warm, 50)
        report("profile API, all", np.concatenate([cold, warm]), 50)
        page_cold = timed(client, [f"/areas/{c}" for c in codes[:20]])
        page_warm = timed(client, [f"/areas/{c}" for c in codes[:20]])
        report("area page, first view", page_cold, 300)
        report("area page, all", np.concatenate([page_cold, page_warm]), 300)

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench_web_app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=Path(__file__).parent,
        env=os.environ | {"LEVELSCOPE_BENCH_WORKSPACE": str(path)},
    )
    try:
        url = f"http://127.0.0.1:{port}/api/areas/E08000025"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not start")
            time.sleep(0.2)
        seconds = 10.0
        done, failed = asyncio.run(load(url, seconds, 16))
        print(
            f"{'profile API under load (loopback)':<34} {done / seconds:7.0f} requests/s   "
            f"{failed} failed   target >= 200/s"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
