"""How fast an area briefing is written: HTML and PDF, from a warm session and from a cold process.

Usage: python benchmarks/bench_reports.py DEMO.duckdb [--area E08000025] [--runs 3]

Targets (issue: reports to share): the area briefing PDF under 5 s cold, the HTML under 1 s.
Printed, median of ``--runs``:

* gathering the results (:func:`levelscope.report.area_briefing`: comparison with peers,
  trends, map, inequality) on an open workspace, with every area's standing computed (as the
  first time after an import) and kept from an earlier run (:mod:`levelscope.data.cache`);
* rendering the HTML from those results; printing the PDF (each print starts a fresh Chromium,
  so every PDF is cold for the browser);
* a cold ``levelscope report area CODE --html`` and ``--pdf`` process, timed from outside, both
  the first after an import (nothing kept: the cache folder is emptied before each run) and
  later ones (the standings kept); the command line starts Chromium before gathering;
* the peer, in the same process: Plotly's own exports of the briefing's first chart alone —
  ``write_html`` (plotly.js inlined, like the report) and ``write_image`` to PDF through kaleido,
  which drives the same Chromium — with the ratio report / one chart.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from levelscope import Workspace
from levelscope.data.cache import ENV_CACHE
from levelscope.report import area_briefing


def timed(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cold(args: list[str], runs: int, *, keep: bool) -> float:
    """Median wall-clock time of a fresh ``levelscope`` process; ``keep=False`` empties the cache
    folder before each run (the first run after an import)."""
    times = []
    for _ in range(runs):
        if not keep:
            shutil.rmtree(os.environ[ENV_CACHE], ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from levelscope.cli import app; app()", *args],
                       check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--area", default="E08000025")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    cache = tempfile.TemporaryDirectory(prefix="levelscope-bench-cache-")
    os.environ[ENV_CACHE] = "off"
    with Workspace.open(args.workspace, read_only=True) as ws:
        gather = timed(lambda: area_briefing(ws, args.area), args.runs)
        os.environ[ENV_CACHE] = cache.name
        area_briefing(ws, args.area)  # keeps the standings
        gather_kept = timed(lambda: area_briefing(ws, args.area), args.runs)
        report = area_briefing(ws, args.area)
    html = timed(report.html, args.runs)
    pdf = timed(report.pdf, args.runs)
    figure = report.content["comparison"].plot()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        peer_html = timed(lambda: figure.write_html(out / "chart.html", include_plotlyjs=True), args.runs)
        if "BROWSER_PATH" not in os.environ and shutil.which("chromium"):
            os.environ["BROWSER_PATH"] = str(shutil.which("chromium"))
        peer_pdf = timed(lambda: figure.write_image(out / "chart.pdf", width=800, height=1100), args.runs)
        base = ["report", "area", args.area, "-w", str(args.workspace)]
        cold_html_first = cold([*base, "--html", str(out / "b.html")], args.runs, keep=False)
        cold_pdf_first = cold([*base, "--pdf", str(out / "b.pdf")], args.runs, keep=False)
        cold([*base, "--html", str(out / "b.html")], 1, keep=True)  # keeps the standings
        cold_html = cold([*base, "--html", str(out / "b.html")], args.runs, keep=True)
        cold_pdf = cold([*base, "--pdf", str(out / "b.pdf")], args.runs, keep=True)
    cache.cleanup()

    print(f"gather results (warm workspace)     {gather:6.2f} s   standings computed")
    print(f"gather results (warm workspace)     {gather_kept:6.2f} s   standings kept")
    print(f"render HTML from the results        {html:6.2f} s   target < 1 s")
    print(f"print PDF (fresh Chromium)          {pdf:6.2f} s")
    print(f"cold process, --html, first         {cold_html_first:6.2f} s   nothing kept")
    print(f"cold process, --pdf, first          {cold_pdf_first:6.2f} s   nothing kept, target < 5 s")
    print(f"cold process, --html                {cold_html:6.2f} s   standings kept, target < 1 s")
    print(f"cold process, --pdf                 {cold_pdf:6.2f} s   standings kept, target < 5 s")
    print(f"peer: one chart write_html          {peer_html:6.2f} s   ratio {html / peer_html:.2f}")
    print(f"peer: one chart kaleido PDF         {peer_pdf:6.2f} s   ratio {pdf / peer_pdf:.2f}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
