"""How fast the command line starts: ``levelscope --help`` and a simple command's fixed overhead.

Usage: python benchmarks/bench_cli_startup.py [--workspace DEMO.duckdb] [--runs 15]

Each figure is a fresh process (``subprocess``), so every import is paid again, as when a user
types the command; the median and the fastest of ``--runs`` are printed. Targets: ``levelscope
--help`` under 0.3 s, a simple command's fixed overhead under 0.5 s. The peer is the same command
line loading every command module up front (as it did before commands were loaded on use), timed
in the same run; the floor is the bare interpreter.

Without ``--workspace`` the commands that read a workspace are timed on a fresh ``init`` one.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRY = "from levelscope.cli import app; app()"
EAGER = (
    "from levelscope.cli import COMMANDS, app, module_commands\n"
    "for entry in COMMANDS.values(): module_commands(entry.module)\n"
    "app()"
)


#: CPU seconds (user + system) of each run, beside the wall-clock times: on a shared machine the
#: wall clock waits for other people's work, the CPU time much less so.
CPU: dict[int, list[float]] = {}


def run(code: str, args: list[str], runs: int) -> list[float]:
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    CPU[id(times)] = cpu
    return times


def show(label: str, times: list[float], target: float | None = None) -> float:
    median = statistics.median(times)
    cpu = statistics.median(CPU[id(times)])
    met = "" if target is None else f"  target < {target} s: {'met' if median < target else 'NOT met'}"
    print(f"{label:<48} median {median:6.3f} s  fastest {min(times):6.3f} s  cpu {cpu:6.3f} s{met}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="a demo workspace to run commands on")
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workspace = options.workspace
        if workspace is None:
            workspace = Path(folder) / "ws.duckdb"
            subprocess.run([sys.executable, "-c", ENTRY, "init", "-w", str(workspace)], check=True,
                           capture_output=True)
        ws = ["-w", str(workspace)]
        floor = show("python -c pass (interpreter floor)", run("pass", [], options.runs))
        lazy = show("levelscope --help", run(ENTRY, ["--help"], options.runs), 0.3)
        eager = show("levelscope --help, every module loaded (peer)", run(EAGER, ["--help"], options.runs))
        show("levelscope show --help (one command's module)", run(ENTRY, ["show", "--help"], options.runs),
             0.5)
        show("levelscope inequality --help", run(ENTRY, ["inequality", "--help"], options.runs), 0.5)
        simple = show("levelscope indicators (a simple command)",
                      run(ENTRY, ["indicators", *ws], options.runs), 0.5)
        show("levelscope geographies --level itl1", run(ENTRY, ["geographies", "--level", "itl1", *ws],
                                                         options.runs))
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} (2 cores)")
        print(f"--help: {eager / lazy:.1f}x faster than loading every module; "
              f"{lazy - floor:.3f} s above the interpreter floor")
        print(f"indicators: {simple - floor:.3f} s above the interpreter floor")


if __name__ == "__main__":
    main()
