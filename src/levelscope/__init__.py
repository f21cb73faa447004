"""levelscope: measure regional inequality and monitor and evaluate the policies meant to reduce it.

>>> import levelscope
>>> ws = levelscope.Workspace.open()            # the default workspace file
>>> ws.observations(indicator="gdhi_per_head", level="lad")
"""

from __future__ import annotations

from levelscope.data import Geography, ImportReport, Indicator, Layout, Level
from levelscope.workspace import Workspace

__version__ = "0.1.0"

__all__ = ["Geography", "ImportReport", "Indicator", "Layout", "Level", "Workspace", "__version__"]
