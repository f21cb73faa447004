"""What a geography code says about itself.

UK statistical codes are self-describing: a GSS code's first three characters name its entity
(``E06`` unitary authority, ``E12`` region, ...), and an ITL code's length gives its level and its
prefixes give its parents (``TLC11`` is in ``TLC1``, which is in ``TLC``). Reading these rules once
here lets importers check a code's level and link parents without a lookup file.

References: ONS, *Code History Database* entity list; ONS, *International Territorial Levels
(ITL)* (2021).
"""

from __future__ import annotations

import re

from levelscope.data.model import Level

GSS_ENTITY_LEVELS: dict[str, Level] = {
    "K02": Level.COUNTRY,  # United Kingdom
    "K03": Level.COUNTRY,  # Great Britain
    "K04": Level.COUNTRY,  # England and Wales
    "E92": Level.NATION,
    "W92": Level.NATION,
    "S92": Level.NATION,
    "N92": Level.NATION,
    "E12": Level.REGION,
    "E10": Level.COUNTY,
    "E11": Level.METROPOLITAN_COUNTY,
    "E47": Level.COMBINED_AUTHORITY,
    "E06": Level.LAD,
    "E07": Level.LAD,
    "E08": Level.LAD,
    "E09": Level.LAD,
    "W06": Level.LAD,
    "S12": Level.LAD,
    "N09": Level.LAD,
    "W11": Level.HEALTH_BOARD,
    "E23": Level.POLICE_FORCE_AREA,
    "W15": Level.POLICE_FORCE_AREA,
}

NATION_OF_PREFIX = {"E": "E92000001", "W": "W92000004", "S": "S92000003", "N": "N92000002"}
UK = "K02000001"

_GSS = re.compile(r"^[EKNSW]\d{8}$")
_ITL = re.compile(r"^TL[A-Z](?:[0-9A-Z](?:[0-9A-Z])?)?$")
_ITL_SPECIAL = {"UK": Level.COUNTRY, "UKX": Level.COUNTRY, "TLB": Level.NATION, "TLZ": Level.EXTRA_REGIO}
_NUTS = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")

#: Every form :func:`is_known_form` accepts, as one regular expression (Python and DuckDB alike).
KNOWN_FORM = r"(?:[EKNSW]\d{8}|[A-Z]{2}[0-9A-Z]{0,3})"


def level_of(code: str) -> Level | None:
    """The level a code's own form implies, or None when the form says nothing.

    >>> level_of("E06000001"), level_of("TLC11")
    (<Level.LAD: 'lad'>, <Level.ITL3: 'itl3'>)
    """
    if code in _ITL_SPECIAL:
        return _ITL_SPECIAL[code]
    if _GSS.match(code):
        return GSS_ENTITY_LEVELS.get(code[:3])
    if _ITL.match(code):
        return (Level.ITL1, Level.ITL2, Level.ITL3)[len(code) - 3]
    return None


def itl_parent(code: str) -> str | None:
    """The ITL parent of an ITL2 or ITL3 code (``TLC11`` → ``TLC1``); ITL1 codes have the UK."""
    level = level_of(code)
    if level in (Level.ITL2, Level.ITL3):
        return code[:-1]
    if level == Level.ITL1:
        return "UK"
    return None


def nation_of(code: str) -> str | None:
    """The nation a GSS code for a sub-national area lies in (``W06000015`` → Wales)."""
    if _GSS.match(code) and code[0] in NATION_OF_PREFIX and code[1:3] != "92":
        return NATION_OF_PREFIX[code[0]]
    if code in NATION_OF_PREFIX.values():
        return UK
    return None


def is_known_form(code: str) -> bool:
    """Whether the code looks like a GSS, ITL or NUTS code at all (for clearer error messages)."""
    return bool(_GSS.match(code) or _ITL.match(code) or code in _ITL_SPECIAL or _NUTS.match(code))
