"""Data: the model, the workspace store, importers, publisher parsers and the demo builder."""

from levelscope.data.importers import ImportReport, import_file, import_frame
from levelscope.data.layout import Layout
from levelscope.data.model import Aggregation, Geography, Indicator, Level, Observation, Polarity
from levelscope.data.periods import Period, parse_period
from levelscope.data.store import Workspace, default_workspace_path

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
