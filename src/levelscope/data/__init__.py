"""Data: the model, the workspace store, importers, publisher parsers and the demo builder.

The names below load on first use (the command line imports this package before it knows which
command runs).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from levelscope.data.importers import ImportReport, import_file, import_frame
    from levelscope.data.layout import Layout
    from levelscope.data.model import Aggregation, Geography, Indicator, Level, Observation, Polarity
    from levelscope.data.periods import Period, parse_period
    from levelscope.data.store import Workspace, default_workspace_path

_HOMES = {
    "Aggregation": "model",
    "Geography": "model",
    "ImportReport": "importers",
    "Indicator": "model",
    "Layout": "layout",
    "Level": "model",
    "Observation": "model",
    "Period": "periods",
    "Polarity": "model",
    "Workspace": "store",
    "default_workspace_path": "store",
    "import_file": "importers",
    "import_frame": "importers",
    "parse_period": "periods",
}

__all__ = [
    "Aggregation",
    "Geography",
    "ImportReport",
    "Indicator",
    "Layout",
    "Level",
    "Observation",
    "Period",
    "Polarity",
    "Workspace",
    "default_workspace_path",
    "import_file",
    "import_frame",
    "parse_period",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'levelscope.data' has no attribute {name!r}")
    return getattr(importlib.import_module(f"levelscope.data.{home}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
