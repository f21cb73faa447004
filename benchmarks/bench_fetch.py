"""Time of `levelscope fetch` for a 1-million-row Nomis CSV answer from a local HTTP server.

Usage: python benchmarks/bench_fetch.py [--rows 1000000]

Target (issue "Connectors"): importing a 1-million-row Nomis CSV response from the local server
in under 10 s. The server pages the answer as Nomis does (at most 25,000 rows a call, asked for
with ``recordoffset`` and ``recordlimit``), so the fetch makes 40 calls and assembles them. The
answer has Nomis's columns (``DATE, GEOGRAPHY_CODE, GEOGRAPHY_NAME, OBS_VALUE,
OBS_STATUS``): 20,000 districts × 50 years of one indicator, into a new workspace that learns the
places from the answer's names. The figure is the whole fetch in this process: download into the
mirror's partial folder, release date from the dataset definition, the validated import, the move
into the mirror and the manifest entry. For comparison the same pages are downloaded with a bare
``httpx.get`` each and parsed with ``pandas.read_csv`` (no validation, nothing written).
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
from pytest_httpserver import HTTPServer

from levelscope import Workspace
from levelscope.data.catalogue import catalogue
from levelscope.data.fetch import fetch
from levelscope.data.fetch.paging import NOMIS_PAGE_ROWS

YEARS = 50


def nomis_answer(rows: int) -> bytes:
    areas = -(-rows // YEARS)
    # codes above any real unitary authority's (E06000001-E06000066), so that none is a code the
    # shipped history knows as retired in the answer's years
    codes = np.array([f"E06{100_000 + i:06d}" for i in range(areas)])
    names = np.char.add("District ", np.arange(areas).astype(str))
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "DATE": np.repeat(np.arange(1974, 1974 + YEARS), areas)[:rows],
        "GEOGRAPHY_CODE": np.tile(codes, YEARS)[:rows],
        "GEOGRAPHY_NAME": np.tile(names, YEARS)[:rows],
        "OBS_VALUE": rng.integers(20_000, 1_200_000, rows),
        "OBS_STATUS": "A",
    })
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue().encode()


def pager(body: bytes):  # type: ignore[no-untyped-def]
    """A handler answering ``recordoffset`` / ``recordlimit`` as Nomis does: the header and
    at most 25,000 rows from the offset."""
    from werkzeug import Request, Response

    ends = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == ord("\n")) + 1
    header = body[:ends[0]]

    def answer(request: Request) -> Response:
        offset = int(request.args.get("recordoffset", 0))
        limit = min(int(request.args.get("recordlimit", NOMIS_PAGE_ROWS)), NOMIS_PAGE_ROWS)
        first, last = min(offset, len(ends) - 1), min(offset + limit, len(ends) - 1)
        return Response(header + body[ends[first]:ends[last]], content_type="text/csv")

    return answer


def definition() -> bytes:
    return json.dumps({"structure": {"keyfamilies": {"keyfamily": [{"id": "NM_2002_1", "annotations": {
        "annotation": [{"annotationtitle": "LastUpdated", "annotationtext": "2024-06-05 09:30:00"}]}}]}}}
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    body = nomis_answer(rows)
    server = HTTPServer(threaded=True)
    server.expect_request("/dataset/NM_2002_1.data.csv").respond_with_handler(pager(body))
    server.expect_request("/dataset/NM_2002_1.def.sdmx.json").respond_with_data(definition())
    server.start()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            with Workspace.open(folder / "bench.duckdb") as ws:
                ws.add_indicators(catalogue().values())
                started = time.perf_counter()
                report = fetch(ws, "nomis", "population", mirror=folder / "mirror",
                               base_url=server.url_for("/"))
                ours = time.perf_counter() - started
                assert report.values_written == rows, report
            started = time.perf_counter()
            # the peer asks for the same pages and reads each with pandas
            url = server.url_for("/dataset/NM_2002_1.data.csv")
            pd.concat([pd.read_csv(io.BytesIO(httpx.get(
                url, params={"recordoffset": offset, "recordlimit": NOMIS_PAGE_ROWS}, timeout=60).content))
                for offset in range(0, rows + 1, NOMIS_PAGE_ROWS)])
            peer = time.perf_counter() - started
    finally:
        server.stop()
    print(f"Nomis answer: {rows:,} rows, {len(body) / 1e6:.0f} MB")
    print(f"levelscope fetch (download, validate, import, mirror): {ours:.2f} s (target < 10 s)")
    print(f"httpx.get + pandas.read_csv only: {peer:.2f} s; ratio {ours / peer:.1f}x")


if __name__ == "__main__":
    main()
