"""Time and peak memory of `levelscope import` on large long-form CSV files, in a cold process.

Usage: python benchmarks/bench_imports.py [--rows 1000000 5000000] [--folder DIR]

Targets (issue "Hardening", streaming imports): 1 M rows in under 4 s with under 400 MB peak
RSS, 5 M rows in under 20 s with the same memory. Each figure is one fresh `levelscope import`
process (interpreter start, imports, reading, every validation rule, the transaction), timed
from outside, with the peak resident set size the kernel reports for it. For comparison, a cold
process that only reads the same file with `pandas.read_csv` (no validation, no writing) is
measured the same way, and so is a second import of the same file (idempotent: nothing
written).

The file: 400 local-authority codes × 50 years × as many indicators as the row count needs,
values with three decimals and empty confidence bounds, written once per size into --folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from levelscope.data import Geography, Indicator, Level, Workspace

AREAS, YEARS = 400, 50


def write_file(path: Path, rows: int) -> None:
    """A long CSV as `levelscope export` writes it (one chunk of indicators at a time)."""
    rng = np.random.default_rng(0)
    codes = np.array([f"E06{100_000 + i:06d}" for i in range(AREAS)])
    years = np.arange(1974, 1974 + YEARS).astype(str)
    per_indicator = AREAS * YEARS
    with path.open("w") as handle:
        handle.write("geography_code,indicator_id,period,value,lower,upper\n")
        written, indicator = 0, 0
        while written < rows:
            count = min(per_indicator, rows - written)
            lines = np.char.add(np.char.add(np.tile(codes, YEARS)[:count], f",ind{indicator},"),
                                np.repeat(years, AREAS)[:count])
            values = np.char.mod("%.3f", rng.uniform(0, 1000, count))
            handle.write("\n".join(np.char.add(np.char.add(lines, ","), np.char.add(values, ",,")))
                         + "\n")
            written += count
            indicator += 1


def prepare_workspace(path: Path, rows: int) -> None:
    indicators = -(-rows // (AREAS * YEARS))
    with Workspace.open(path) as ws:
        ws.add_geographies(Geography(code=f"E06{100_000 + i:06d}", name=f"Area {i}", level=Level.LAD)
                           for i in range(AREAS))
        ws.add_indicators(Indicator(id=f"ind{i}", name=f"Indicator {i}", unit="units")
                          for i in range(indicators))


def cold_run(command: list[str]) -> tuple[float, float, float]:
    """Wall time (s), peak RSS (MB) and CPU time (s) of a fresh process running ``command``.

    On a busy machine the CPU time (user + system) says more than the wall time.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)  # this child's own peak, not the largest so far
    elapsed = time.perf_counter() - started
    out, err = process.communicate()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{out.decode()}\n{err.decode()}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(rows: int, folder: Path) -> None:
    data = folder / f"long_{rows}.csv"
    if not data.exists():
        write_file(data, rows)
    size = data.stat().st_size / 2**20
    levelscope = str(Path(sys.executable).with_name("levelscope"))
    pandas_read = [sys.executable, "-c", "import sys, pandas; pandas.read_csv(sys.argv[1])", str(data)]
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        workspace = Path(scratch) / "bench.duckdb"
        prepare_workspace(workspace, rows)
        command = [levelscope, "import", str(data), "-w", str(workspace), "--vintage", "2024-06-01"]
        first = cold_run(command)
        again = cold_run(command)
        with Workspace.open(workspace, read_only=True) as ws:
            held = ws.counts()["observation"]
    plain = cold_run(pandas_read)
    print(f"{rows:>9,} rows ({size:.0f} MB), {held:,} values held after the import:")
    for label, (wall, peak, cpu) in (("levelscope import (validate + write)", first),
                                     ("the same file again (all unchanged)", again),
                                     ("pandas.read_csv only", plain)):
        print(f"  {label:<38} {wall:6.2f} s  cpu {cpu:6.2f} s  peak {peak:5.0f} MB")
    print(f"  import / read_csv: {first[0] / plain[0]:.1f}x wall time, {first[1] / plain[1]:.2f}x "
          "peak memory")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    for rows in sorted(args.rows):
        measure(rows, args.folder)


if __name__ == "__main__":
    main()
