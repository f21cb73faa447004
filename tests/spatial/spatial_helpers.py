"""Helpers shared by the spatial tests."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from click.testing import Result
from typer.testing import CliRunner

from levelscope.cli import app
from levelscope.spatial import _permutation as kernels


def pysal_w(weights: Any, transform: str) -> Any:
    """The weights as libpysal ``W`` with the given transform, warnings about islands muted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = weights.to_pysal()
        w.transform = transform
    return w


def shuffles(
    values: np.ndarray, state: int, count: int, layout: tuple[int, int, int] | None = None
) -> Iterator[np.ndarray]:
    """``count`` successive shuffles of ``values`` by the kernels' shuffle, starting from
    ``state``, with the work space of ``layout`` (buckets, capacity, spacing; by default
    ``bucket_layout``). Each yield is the same array, overwritten by the next shuffle."""
    buckets, capacity, spacing = layout or kernels.bucket_layout(len(values))
    out, buf = np.empty(len(values)), np.empty(buckets * spacing)
    pos = np.zeros(buckets, dtype=np.uint64)
    # States cross into Python as plain integers: hand them back unsigned.
    current = np.uint64(state)
    for _ in range(count):
        current = np.uint64(kernels.shuffle(values, out, buf, pos, capacity, spacing, current))
        yield out


def order_counts(orders: Iterator[np.ndarray]) -> dict[tuple[float, ...], int]:
    """How often each order turned up."""
    counts: dict[tuple[float, ...], int] = {}
    for order in orders:
        key = tuple(order.tolist())
        counts[key] = counts.get(key, 0) + 1
    return counts


def run_clusters_cli(workspace: Path, map_path: Path, table: Path) -> Result:
    """``levelscope clusters`` on GVA per hour worked by ITL3 area, with a seed, writing the map
    and the cluster table."""
    return CliRunner().invoke(app, [
        "clusters", "gva_per_hour_worked", "--level", "itl3", "--seed", "2",
        "--n-resamples", "199", "--map", str(map_path), "--csv", str(table),
        "--workspace", str(workspace),
    ])
