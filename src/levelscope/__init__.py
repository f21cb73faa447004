"""levelscope: measure regional inequality and monitor and evaluate the policies meant to reduce it.

>>> import levelscope
>>> ws = levelscope.Workspace.open()            # the default workspace file  # doctest: +SKIP
>>> pay = ws.observations(indicator="weekly_pay", level="lad")
>>> list(pay.columns[:5])
['geography_code', 'geography_name', 'level', 'indicator_id', 'period']

The names below load on first use, so that ``import levelscope.cli`` (the command line's entry)
does not pay for pandas and DuckDB before a command needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from levelscope.data import Geography, ImportReport, Indicator, Layout, Level
    from levelscope.workspace import Workspace

__version__ = "0.1.0"

__all__ = ["Geography", "ImportReport", "Indicator", "Layout", "Level", "Workspace", "__version__"]

_HOMES = {
    "Geography": "levelscope.data.model",
    "ImportReport": "levelscope.data.importers",
    "Indicator": "levelscope.data.model",
    "Layout": "levelscope.data.layout",
    "Level": "levelscope.data.model",
    "Workspace": "levelscope.workspace",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'levelscope' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
