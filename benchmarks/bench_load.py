"""The server under load: 50 concurrent clients on each kind of route, 20 s each.

Run: ``.venv/bin/python benchmarks/bench_load.py [WORKSPACE] [--workers N]`` (a workspace built
by ``levelscope demo``; without one it is built in a temporary folder from the mirror folder,
``$LEVELSCOPE_MIRROR`` or ``../shared/data``). It starts ``levelscope serve`` in a subprocess (as
a user would, SQLite records beside it) and, for each route below, runs 50 clients that send
requests back to back over keep-alive connections for 20 s:

* the area profile ``GET /api/areas/{code}``, cycling over 50 local authorities;
* a map ``GET /api/maps/gdhi_per_head?level=lad``;
* the home page ``GET /``;
* an authenticated programme route ``GET /api/programmes/{id}`` with a viewer's API token.

Meanwhile a probe asks ``GET /health`` every 0.25 s: if any route stalled the server, the
probe's worst time shows it. Prints requests, errors, requests per second and p50 / p95 / p99
per route. Targets (issue: hardening): no errors, no stall, profile p95 under 100 ms, the
authenticated route's p95 no worse than twice the public ones'.

The clients speak HTTP/1.1 over raw asyncio streams rather than through an HTTP library, so
that on a 2-core machine as little of the CPU as possible goes to the load generator.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CLIENTS = 50
SECONDS = 20.0


def workspace_path(given: str | None) -> Path:
    if given:
        return Path(given)
    from levelscope.data import Workspace
    from levelscope.data.demo import build_demo

    mirror = Path(os.environ.get("LEVELSCOPE_MIRROR", REPO.parent / "shared" / "data"))
    path = Path(tempfile.mkdtemp()) / "demo.duckdb"
    with Workspace.open(path) as ws:
        build_demo(ws, mirror)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request on a kept-alive connection; read the whole answer; return its status."""
    writer.write(request)
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status_line.split()[1])


def request_bytes(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


async def client(port: int, paths: list[str], headers: dict[str, str], stop: float, offset: int,
                 times: list[float], statuses: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    try:
        while time.perf_counter() < stop:
            request = request_bytes(paths[i % len(paths)], headers)
            i += 1
            start = time.perf_counter()
            statuses.append(await fetch(reader, writer, request))
            times.append(time.perf_counter() - start)
    finally:
        writer.close()


async def probe(port: int, stop: float, worst: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop:
            start = time.perf_counter()
            await fetch(reader, writer, request_bytes("/health", {}))
            worst.append(time.perf_counter() - start)
            await asyncio.sleep(0.25)
    finally:
        writer.close()


async def load(
    port: int, paths: list[str], headers: dict[str, str], seconds: float = SECONDS
) -> tuple[np.ndarray, list[int], float]:
    stop = time.perf_counter() + seconds
    times: list[float] = []
    statuses: list[int] = []
    health: list[float] = []
    await asyncio.gather(
        probe(port, stop, health),
        *(client(port, paths, headers, stop, n, times, statuses) for n in range(CLIENTS)),
    )
    return np.array(times) * 1000, statuses, max(health) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", nargs="?")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    path = workspace_path(args.workspace)

    from levelscope.data import Workspace
    from levelscope.records import accounts
    from levelscope.records.db import connect, transaction

    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'records.sqlite'}"
    with transaction(connect(url), "bench") as session:
        council = accounts.create_organisation(session, "Birmingham City Council")
        viewer = accounts.create_user(session, council, "viewer@example.org", "viewer")
        _, token = accounts.issue_token(session, viewer)
    with transaction(connect(url, migrate=False), "viewer@example.org") as session:
        from levelscope.monitor.programmes import create_programme

        programme = create_programme(session, council.id, "Skills", start_date=dt.date(2024, 4, 1),
                                     end_date=dt.date(2027, 3, 31), places=["E08000025"])
        programme_id = programme.id
    with Workspace.open(path, read_only=True) as ws:
        lads = ws.geographies("lad")["code"].tolist()[:CLIENTS]

    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("levelscope")), "serve", "-w", str(path), "--records-url", url,
         "--port", str(port), "--workers", str(args.workers)],
        stdout=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("levelscope serve did not start") from None
                time.sleep(0.3)
        routes = {
            "area profile /api/areas/{code}": ([f"/api/areas/{c}" for c in lads], {}),
            "map /api/maps/gdhi_per_head": (["/api/maps/gdhi_per_head?level=lad"], {}),
            "home page /": (["/"], {}),
            "programme /api/programmes/{id} (token)": (
                [f"/api/programmes/{programme_id}"], {"Authorization": f"Bearer {token}"}),
        }
        print(f"{CLIENTS} clients x {SECONDS:.0f} s per route, {args.workers} server process(es), "
              f"{os.cpu_count()} cores")
        for label, (paths, headers) in routes.items():
            asyncio.run(load(port, paths, headers, seconds=3))  # warm the caches, not measured
            ms, statuses, worst_health = asyncio.run(load(port, paths, headers))
            errors = sum(s != 200 for s in statuses)
            p50, p95, p99 = np.percentile(ms, [50, 95, 99])
            print(f"{label:<42} {len(ms):6d} requests  {errors} errors  {len(ms) / SECONDS:6.0f}/s  "
                  f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  "
                  f"worst /health {worst_health:6.1f} ms")
    finally:
        os.killpg(server.pid, 2)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
