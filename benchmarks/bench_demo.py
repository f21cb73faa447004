"""How long `levelscope demo` takes to build the demo workspace from the official files.

Usage: python benchmarks/bench_demo.py MIRROR_FOLDER [--runs 3]

The acceptance target is under 30 s on a 2-core machine. There is no peer library that reads
these publishers' layouts, so the figure stands alone; the script also reports the throughput of
the generic validated importer on a synthetic long file for comparison with a plain
pandas.read_csv + DuckDB insert of the same file (no validation), run in the same process.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from levelscope.data import Geography, Indicator, Level, Workspace
from levelscope.data.demo import build_demo


def time_demo(mirror: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            ws = Workspace.open(Path(folder) / "demo.duckdb")
            started = time.perf_counter()
            build_demo(ws, mirror)
            times.append(time.perf_counter() - started)
            ws.close()
    return times


def time_import(rows: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    codes = [f"E06{100_000 + i:06d}" for i in range(1000)]  # no real authority's code
    frame = pd.DataFrame(
        {
            "geography_code": rng.choice(codes, rows),
            "indicator_id": "x",
            "period": rng.integers(1990, 2023, rows).astype(str),
            "value": rng.normal(100, 10, rows).round(3),
        }
    ).drop_duplicates(["geography_code", "period"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        frame.to_csv(path, index=False)
        ws = Workspace.open(":memory:")
        ws.add_geographies(Geography(code=c, name=c, level=Level.LAD) for c in codes)
        ws.add_indicators([Indicator(id="x", name="x", unit="u")])
        started = time.perf_counter()
        ws.import_file(path, vintage="2024-01-01")
        ours = time.perf_counter() - started
        started = time.perf_counter()
        con = duckdb.connect()
        con.register("raw", pd.read_csv(path))
        con.execute("CREATE TABLE t AS SELECT * FROM raw")
        plain = time.perf_counter() - started
    return ours, plain


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mirror", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = time_demo(args.mirror, args.runs)
    print(f"demo build: median {statistics.median(times):.2f} s over {len(times)} runs "
          f"(min {min(times):.2f}, max {max(times):.2f}); target < 30 s")
    ours, plain = time_import(33_000)
    print(f"validated import of 33,000 rows: {ours:.3f} s; unvalidated read_csv + insert: "
          f"{plain:.3f} s; ratio {ours / plain:.1f}x")


if __name__ == "__main__":
    main()
