"""Helpers shared by the spatial tests."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from levelscope.cli import app


def pysal_w(weights: Any, transform: str) -> Any:
    """The weights as libpysal ``W`` with the given transform, warnings about islands muted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = weights.to_pysal()
        w.transform = transform
    return w


def run_clusters_cli(workspace: Path, map_path: Path, table: Path) -> Result:
    """``levelscope clusters`` on GVA per hour worked by ITL3 area, with a seed, writing the map
    and the cluster table."""
    return CliRunner().invoke(app, [
        "clusters", "gva_per_hour_worked", "--level", "itl3", "--seed", "2",
        "--permutations", "199", "--map", str(map_path), "--csv", str(table),
        "--workspace", str(workspace),
    ])
