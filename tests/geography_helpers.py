"""Figures read straight from the shared files with the csv module, for hand calculations."""

from __future__ import annotations

import csv
from pathlib import Path


def nomis(shared_data: Path) -> dict[str, dict[str, float]]:
    """code → year → mid-year population, from the Nomis export (``-`` left out)."""
    rows = [r for r in csv.reader((shared_data / "uk_population" / "lad_pop.csv").read_text().splitlines())
            if len(r) > 2]
    header = next(r for r in rows if r[1] == "mnemonic")
    years = [h for h in header if h.isdigit()]
    return {r[1]: {y: float(r[header.index(y)]) for y in years if r[header.index(y)] != "-"}
            for r in rows if r[1][:1] in "EWSN" and r[1][1:].isdigit()}
