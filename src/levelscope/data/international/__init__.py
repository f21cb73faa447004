"""International places and their statistics: OECD regional data and Eurostat NUTS 2 indicators.

:func:`load_international` reads the publishers' files (see :data:`FILES`) into a workspace:
countries, OECD large (TL2) and small (TL3) regions, OECD metropolitan units and NUTS 2 regions
as levels with parents (TL3 → TL2 → country), their names, the OECD metropolitan typology as an
attribute, and the values with their units, currencies and price bases.
"""

from __future__ import annotations

from levelscope.data.international.eurostat import parse_eurostat
from levelscope.data.international.load import FILES, InternationalLoad, find_files, load_international
from levelscope.data.international.oecd import (
    METRO_TYPOLOGY,
    parse_country_tl2,
    parse_sdmx,
    parse_tl2,
    parse_tl3,
)
from levelscope.data.international.tables import ParsedFile, PlaceRecord

__all__ = [
    "FILES",
    "METRO_TYPOLOGY",
    "InternationalLoad",
    "ParsedFile",
    "PlaceRecord",
    "find_files",
    "load_international",
    "parse_country_tl2",
    "parse_eurostat",
    "parse_sdmx",
    "parse_tl2",
    "parse_tl3",
]
