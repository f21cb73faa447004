"""Figures in different units, currencies or prices are never compared without a conversion.

Every indicator states its unit and, for money, its currency (with the conversion used: PPP or
exchange rates) and price basis. :func:`check_comparable` refuses to set one indicator against
another unless all three agree; :func:`check_one_currency` refuses to compare places across
countries on an indicator in national currencies unless they share one. :func:`to_usd_ppp` is the
explicit conversion: national currency at current prices divided by the OECD's purchasing power
parity for GDP gives US dollars at PPP, current prices.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from levelscope.data.model import Indicator
from levelscope.errors import LevelscopeError

if TYPE_CHECKING:
    from levelscope.data.store import Workspace

NATIONAL_CURRENCY = "national currency"
PPP = "oecd_reg_ppp"


class IncomparableError(LevelscopeError, ValueError):
    """Two figures are in different units, currencies or prices and no conversion was asked for."""


def _unit_key(unit: str) -> str:
    return re.sub(r"[^a-z0-9£%]+", "", unit.lower())


def describe(indicator: Indicator) -> str:
    """The unit, currency and prices of an indicator in words."""
    parts = [indicator.unit]
    if indicator.currency:
        parts.append(indicator.currency)
    if indicator.price_basis:
        parts.append(indicator.price_basis)
    return ", ".join(parts)


def check_comparable(first: Indicator, second: Indicator) -> None:
    """Raise :class:`IncomparableError` unless the two indicators share unit, currency and prices.

    Examples
    --------
    >>> a = Indicator(id="a", name="GDP per head", unit="USD per head", currency="USD PPP",
    ...               price_basis="constant 2015 prices")
    >>> check_comparable(a, a)
    """
    problems = []
    if _unit_key(first.unit) != _unit_key(second.unit):
        problems.append(f"units {first.unit!r} and {second.unit!r}")
    if (first.currency or None) != (second.currency or None):
        problems.append(f"currencies {first.currency or 'none'!r} and {second.currency or 'none'!r}")
    if (first.price_basis or None) != (second.price_basis or None):
        problems.append(f"prices {first.price_basis or 'none'!r} and {second.price_basis or 'none'!r}")
    if problems:
        raise IncomparableError(
            f"{first.id} ({describe(first)}) cannot be compared with {second.id} "
            f"({describe(second)}): different {'; '.join(problems)}. Convert one first "
            "(national currency to US dollars at PPP: levelscope.international.to_usd_ppp)."
        )


def check_one_currency(ws: Workspace, indicator: Indicator, countries: Iterable[str]) -> None:
    """Raise :class:`IncomparableError` if an indicator in national currencies would set places
    of countries with different currencies side by side."""
    if indicator.currency != NATIONAL_CURRENCY:
        return
    chosen = sorted(set(countries))
    currencies = ws.geography_attributes("currency", codes=chosen).set_index("code")["value"]
    unknown = [c for c in chosen if c not in currencies.index]
    found = sorted(set(currencies))
    if len(chosen) > 1 and (unknown or len(found) > 1):
        listed = ", ".join(f"{c} {currencies.get(c, 'unknown')}" for c in chosen[:6])
        raise IncomparableError(
            f"{indicator.id} is in national currencies and these countries do not share one "
            f"({listed}{', ...' if len(chosen) > 6 else ''}); compare within one country, or "
            "convert first (levelscope.international.to_usd_ppp)."
        )


def to_usd_ppp(ws: Workspace, indicator: str, geographies: list[str] | None = None) -> pd.DataFrame:
    """An indicator in national currency at current prices, converted to US dollars at PPP.

    Each value is divided by its country's purchasing power parity for GDP in the same year
    (``oecd_reg_ppp``, national currency per US dollar).

    Returns
    -------
    pandas.DataFrame
        ``geography_code, country, year, value, ppp, usd_ppp``, with the converted figure in
        ``usd_ppp``; the units of ``usd_ppp`` are the indicator's with "national currency"
        replaced by "USD".

    Raises
    ------
    IncomparableError
        If the indicator is not in national currency at current prices (constant-price series
        need the PPP of their reference year instead).
    """
    from levelscope.international.regions import places

    definition = ws.indicator(indicator)
    if definition.currency != NATIONAL_CURRENCY or definition.price_basis != "current prices":
        raise IncomparableError(
            f"{indicator} is in {describe(definition)}; only national currency at current prices "
            "converts with the year's purchasing power parity"
        )
    values = ws.observations(indicator, geographies=geographies)[["geography_code", "year", "value"]]
    where = places(ws)[["geography_code", "country"]]
    values = values.merge(where, on="geography_code")
    rates = ws.observations(PPP)[["geography_code", "year", "value"]].rename(
        columns={"geography_code": "country", "value": "ppp"})
    out = values.merge(rates, on=["country", "year"], how="left")
    missing = out[out["ppp"].isna()]
    if not missing.empty:
        first = missing.iloc[0]
        raise IncomparableError(
            f"no purchasing power parity for {first['country']} in {first['year']}: "
            f"{len(missing)} values of {indicator} cannot be converted"
        )
    out["usd_ppp"] = out["value"] / out["ppp"]
    return out[["geography_code", "country", "year", "value", "ppp", "usd_ppp"]]
