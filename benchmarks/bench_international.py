"""Speed of regional inequality within OECD countries with bootstrap intervals, in one process.

Run: .venv/bin/python benchmarks/bench_international.py [--data FOLDER] [--quick]

The OECD files of ``../shared/data/international`` (or ``--data``) are loaded into a temporary
workspace; then :func:`levelscope.international.inequality_by_country` computes the Williamson
index, Gini, Theil T and the Theil split between and within TL2 regions of TL3 GDP per head for
every OECD country with two or more regions, every year 2000-2020, each with 999 bootstrap
resamples (target: under 3 s). The peer is the one-measure bootstrap the measures module already
had (:func:`levelscope.measures.bootstrap`), called for each country, year and measure on the same
data (Williamson, Gini and Theil; it has no decomposition); both give the same estimates, checked
before timing. Prints both wall-clock and CPU times (the CPU time is the fairer figure on a shared
machine) and the ratio (above 1 means the panel bootstrap is faster).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from levelscope import Workspace
from levelscope.data.international import load_international
from levelscope.international import inequality_by_country
from levelscope.international.regions import regional_panel
from levelscope.measures import bootstrap

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "international"


def peer(ws: Workspace, countries: list[str], n_resamples: int) -> dict[tuple[str, int, str], float]:
    """Williamson, Gini and Theil with intervals, one bootstrap call per country, year and measure."""
    panel = regional_panel(ws, countries=countries)
    out = {}
    for (country, year), rows in panel.groupby(["country", "year"]):
        y, w = rows["value"].to_numpy(), rows["weight"].to_numpy()
        if y.size < 2:
            continue
        for measure in ("cv", "gini", "theil"):
            result = bootstrap(y, measure, w, n_resamples=n_resamples, seed=0)
            out[(str(country), int(year), measure)] = result.estimate
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quick", action="store_true", help="99 resamples instead of 999")
    args = parser.parse_args()
    n_resamples = 99 if args.quick else 999
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        with Workspace.open(path) as ws:
            load_international(ws, args.data)
        with Workspace.open(path, read_only=True) as ws:
            inequality_by_country(ws, n_resamples=9, countries=["GBR"])  # compile and warm caches
            started, cpu = time.perf_counter(), time.process_time()
            result = inequality_by_country(ws, n_resamples=n_resamples)
            ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
            countries = sorted(set(result.table["geography_code"]))
            years = result.table["year"].nunique()
            started, cpu = time.perf_counter(), time.process_time()
            theirs = peer(ws, countries, n_resamples)
            peer_time, peer_cpu = time.perf_counter() - started, time.process_time() - cpu
    table = result.table.set_index(["geography_code", "year", "measure"])["estimate"]
    for (country, year, measure), estimate in theirs.items():
        label = "williamson" if measure == "cv" else measure
        assert np.isclose(table[(country, year, label)], estimate, rtol=1e-9), (country, year, measure)
    print(f"inequality_by_country: {len(countries)} countries x {years} years x {n_resamples} "
          f"resamples, Williamson, Gini, Theil and its TL2 split: {ours:.2f} s (CPU {ours_cpu:.2f} s; "
          "target < 3 s)")
    print(f"one bootstrap per country, year and measure (3 measures, no split): {peer_time:.2f} s "
          f"(CPU {peer_cpu:.2f} s)")
    print(f"ratio: {peer_time / ours:.1f}x")


if __name__ == "__main__":
    main()
