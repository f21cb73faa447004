"""Reference tables for international places: countries, names the files lack, and parents.

The publishers' files give codes and, mostly, names; the rest is here, in small CSV files beside
this module:

- ``countries.csv``: ISO 3166 alpha-3 code, English name, the two-letter code Eurostat uses
  (``EL`` for Greece, ``UK`` for the United Kingdom) and the two-letter prefix of the OECD's
  regional codes (``ME`` for Mexico, whose prefix Eurostat gives Montenegro).
- ``region_names.csv``: names of regions the files give no name for: NUTS 2016 regions
  (Eurostat GISCO, *NUTS 2016 statistical regions*), a few codes of earlier NUTS versions (with
  the day they went out of use), TL2 regions of the OECD territorial grid missing from the
  OECD files, and three German districts (Lörrach, which the OECD file lists without a name, and
  the two Leipzig districts of the SDMX extract).
- ``metro_regions.csv``: the TL2 region of each OECD metropolitan unit (TL3 regions of one
  functional urban area merged into one unit), taken as the TL2 region of its principal city.
- ``us_states.csv``: US state abbreviations and their TL2 codes (``US`` + FIPS state code); a
  US TL3 region (a BEA economic area) is placed in the state its name gives first.

A metropolitan unit or US economic area can reach across TL2 boundaries (London's reaches into
the East and South East of England; Washington's into Maryland and Virginia), so its TL2 region
is where its principal city is; analyses that group units by TL2 region say so.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    eurostat: str | None
    oecd_prefix: str | None
    oecd_member: bool


def _rows(file: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(file).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def countries() -> dict[str, Country]:
    """Every country the international files name, by ISO 3166 alpha-3 code."""
    return {
        r["iso3"]: Country(r["iso3"], r["name"], r["eurostat"] or None, r["oecd_prefix"] or None,
                           r["oecd_member"] == "1")
        for r in _rows("countries.csv")
    }


@cache
def _by_eurostat() -> dict[str, str]:
    return {c.eurostat: c.iso3 for c in countries().values() if c.eurostat}


@cache
def _by_oecd_prefix() -> dict[str, str]:
    return {c.oecd_prefix: c.iso3 for c in countries().values() if c.oecd_prefix}


def country_of_eurostat(code: str) -> str | None:
    """The ISO alpha-3 code of the country a Eurostat code (``DE``, ``DED5``, ``UKZZ``) lies in."""
    return _by_eurostat().get(code[:2])


def country_of_oecd(code: str) -> str | None:
    """The ISO alpha-3 code of an OECD country or regional code (``DEU``, ``DED``, ``US035``)."""
    if code in countries():
        return code
    return _by_oecd_prefix().get(code[:2])


@dataclass(frozen=True)
class RegionName:
    code: str
    name: str
    valid_to: str | None
    source: str


@cache
def region_names() -> dict[str, RegionName]:
    """Names (and, for codes of earlier NUTS versions, the last day in use) of regions the files
    give no name for."""
    return {
        r["code"]: RegionName(r["code"], r["name"], r["valid_to"] or None, r["source"])
        for r in _rows("region_names.csv")
    }


@cache
def metro_regions() -> dict[str, str]:
    """The TL2 region of each OECD metropolitan unit (its principal city's)."""
    return {r["code"]: r["tl2"] for r in _rows("metro_regions.csv")}


@cache
def us_state_regions() -> dict[str, str]:
    """US state abbreviation → TL2 code (``OH`` → ``US39``)."""
    return {r["abbreviation"]: r["tl2"] for r in _rows("us_states.csv")}


_US_STATES = re.compile(r",\s*([A-Z]{2})(?:-[A-Z]{2})*\s*$")
_EXTRA_REGIO = re.compile(r"^[A-Z]{2}(ZZ|XX|ZZZ)$")


def is_extra_regio(code: str) -> bool:
    """Whether a code stands for output not attributed to any region (``NOZZ``, ``FRXX``)."""
    return bool(_EXTRA_REGIO.match(code))


def us_state_of(name: str) -> str | None:
    """The TL2 code of the state a BEA economic area's name gives first.

    >>> us_state_of("Atlanta-Sandy Springs-Gainesville, GA-AL")
    'US13'
    """
    match = _US_STATES.search(name)
    return us_state_regions().get(match.group(1)) if match else None


def tl2_of(code: str, country: str, name: str | None, tl2_codes: set[str]) -> tuple[str | None, str]:
    """The TL2 region a TL3 region or metropolitan unit belongs to, and how it was found.

    The rules, in order: a metropolitan unit's principal city (``metro_regions.csv``); for the
    United States, the state its name gives first; for New Zealand, ``NZ`` + the last two digits
    (``NZ011`` → ``NZ11``); otherwise the longest prefix of the code that is a TL2 code of the
    same country (``UKC13`` → ``UKC``, ``AT111`` → ``AT11``). The second value says which rule
    applied: ``"principal city"``, ``"state named first"`` or ``"code"``; ``"none"`` if no rule
    found a region.
    """
    metros = metro_regions()
    if code in metros:
        return metros[code], "principal city"
    if country == "USA":
        state = us_state_of(name or "")
        return (state, "state named first") if state else (None, "none")
    if country == "NZL" and len(code) == 5:
        candidate = "NZ" + code[3:]
        return (candidate, "code") if candidate in tl2_codes else (None, "none")
    for length in (4, 3):
        prefix = code[:length]
        if len(code) > length and prefix in tl2_codes and country_of_oecd(prefix) == country:
            return prefix, "code"
    return None, "none"
