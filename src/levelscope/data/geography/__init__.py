"""Geography through time: the code history, lookups by boundary year, name matching, overlays.

See :mod:`levelscope.data.geography.history` for the data files and their sources.
"""

from levelscope.data.geography.history import (
    Change,
    ChangeKind,
    CodeHistory,
    CodeRecord,
    CodeStatus,
    Resolution,
    boundary_date,
    code_history,
    memberships,
)
from levelscope.data.geography.lookups import LOOKUP_LEVELS, lad_lookup, parent_links
from levelscope.data.geography.names import NameMatch, NameMatches, codes_for_names, match_names
from levelscope.data.geography.overlay import Overlay, overlay

__all__ = [
    "LOOKUP_LEVELS",
    "Change",
    "ChangeKind",
    "CodeHistory",
    "CodeRecord",
    "CodeStatus",
    "NameMatch",
    "NameMatches",
    "Overlay",
    "Resolution",
    "boundary_date",
    "code_history",
    "codes_for_names",
    "lad_lookup",
    "match_names",
    "memberships",
    "overlay",
    "parent_links",
]
