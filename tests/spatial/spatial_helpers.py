"""Helpers shared by the spatial tests."""

from __future__ import annotations

import warnings
from typing import Any


def pysal_w(weights: Any, transform: str) -> Any:
    """The weights as libpysal ``W`` with the given transform, warnings about islands muted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = weights.to_pysal()
        w.transform = transform
    return w
