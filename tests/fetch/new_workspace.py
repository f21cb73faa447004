"""What the connector tests share."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from levelscope.data import Workspace


@functools.cache
def places_in_a_new_workspace() -> int:
    """How many places a new workspace registers by itself (every UK code in the code history),
    so that "nothing written" means no place beyond those."""
    with tempfile.TemporaryDirectory() as folder, Workspace.open(Path(folder) / "new.duckdb") as ws:
        return int(ws.counts()["geography"])
