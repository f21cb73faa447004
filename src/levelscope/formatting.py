"""How numbers, dates and place levels are written for people: one module for every interface.

The command line, the web pages and the written briefs all format through these functions, so a
figure reads the same everywhere:

* counts without decimals and with thousands separators (``1,200 people``);
* shares as percentages (``share(0.123)`` → ``12.3%``);
* money with a pound sign and separators (``£52,848``; ``£34.20 per hour worked``);
* never scientific notation, and never a numpy type's repr (``np.float64(…)``);
* dates without a time of day (``2024-06-05``);
* level names from one registry (``ITL3 regions``, ``local authority districts``).

>>> value(1200.0, "people"), value(34.2, "£ per hour worked"), share(0.123)
('1,200 people', '£34.20 per hour worked', '12.3%')
>>> number(5709343.0), level_name("itl3", plural=True, capital=True)
('5,709,343', 'ITL3 regions')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

#: Every geographic level's name as a person writes it: (singular, plural).
LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "country": ("country", "countries"),
    "nation": ("nation", "nations"),
    "region": ("English region", "English regions"),
    "itl1": ("ITL1 region", "ITL1 regions"),
    "itl2": ("ITL2 region", "ITL2 regions"),
    "itl3": ("ITL3 region", "ITL3 regions"),
    "county": ("county", "counties"),
    "metropolitan_county": ("metropolitan county", "metropolitan counties"),
    "combined_authority": ("combined authority", "combined authorities"),
    "lad": ("local authority district", "local authority districts"),
    "health_board": ("health board", "health boards"),
    "police_force_area": ("police force area", "police force areas"),
    "extra_regio": ("extra-regio territory", "extra-regio territories"),
    "nuts1": ("NUTS1 region", "NUTS1 regions"),
    "nuts2": ("NUTS2 region", "NUTS2 regions"),
    "nuts3": ("NUTS3 region", "NUTS3 regions"),
    "oecd_tl2": ("OECD large region (TL2)", "OECD large regions (TL2)"),
    "oecd_tl3": ("OECD small region (TL3)", "OECD small regions (TL3)"),
    "oecd_metro": ("OECD metropolitan unit", "OECD metropolitan units"),
    "other": ("other area", "other areas"),
}

#: Units whose values are numbers of things: written without decimals, and context (an area's
#: size) rather than a measure of how well it does.
COUNT_UNITS = frozenset({
    "achievements", "areas", "businesses", "count", "dwellings", "enterprises", "households",
    "jobs", "number", "people", "persons", "places", "pupils", "starts",
})

MISSING = "–"


def level_name(level: str, plural: bool = False, *, capital: bool = False) -> str:
    """A level's name: ``"lad"`` → ``"local authority district"`` (``plural`` for the plural).

    ``capital=True`` starts it with a capital letter for a heading without lowering the rest
    (``"ITL3 regions"``, never ``"Itl3 regions"``). Unknown levels read as their words.
    """
    key = str(level).lower()
    words = key.replace("_", " ")
    singular, many = LEVEL_NAMES.get(key, (words, words + "s"))
    name = many if plural else singular
    return sentence_case(name) if capital else name


def sentence_case(text: str) -> str:
    """``text`` with its first letter upper-case and the rest as written (unlike ``str.capitalize``)."""
    return text[:1].upper() + text[1:]


def with_article(noun: str) -> str:
    """``"English region"`` → ``"an English region"``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``plural(3, "indicator")`` → ``"3 indicators"`` (with a thousands separator)."""
    return f"{int(count):,} {noun if count == 1 else (nouns or noun + 's')}"


def is_missing(value: Any) -> bool:
    """Whether ``value`` is absent: None, NaN or pandas' NA / NaT."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(value != value)  # NaN, NaT and pd.NA are not equal to themselves
    except (TypeError, ValueError):
        return False


def is_count_unit(unit: str | None) -> bool:
    """Whether ``unit`` counts things (``persons``, ``enterprises``, …)."""
    return (unit or "").strip().lower() in COUNT_UNITS


def is_money_unit(unit: str | None) -> bool:
    """Whether ``unit`` is money in pounds (``£``, ``£ per head``, ``£ million``)."""
    return (unit or "").strip().startswith("£")


def number(value: Any, decimals: int | None = None) -> str:
    """A number with thousands separators and never in scientific notation.

    ``decimals=None`` chooses: none for whole numbers and for magnitudes of 1,000 or more, one
    from 10, two below, and for tiny values enough to show three significant digits.

    >>> number(767.0), number(18.600000000000001), number(0.000123), number(-0.0)
    ('767', '18.6', '0.000123', '0')
    """
    if is_missing(value):
        return MISSING
    x = float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if decimals is None:
        decimals = _auto_decimals(x)
    return _no_negative_zero(f"{x:,.{decimals}f}")


def _auto_decimals(x: float) -> int:
    size = abs(x)
    if size >= 1000 or x == round(x):
        return 0
    if size >= 10:
        return 1
    if size >= 0.01:
        return 2
    return min(12, 2 - math.floor(math.log10(size)))


def _no_negative_zero(text: str) -> str:
    return text[1:] if text.startswith("-") and set(text[1:]) <= set("0.,") else text


def significant(value: Any, digits: int = 4) -> str:
    """A statistic to ``digits`` significant figures, never in scientific notation.

    Values within 1e-9 of zero (a perfect fit's error) read as ``0``; large ones are written in
    full with separators.

    >>> significant(0.97781), significant(3.214e-15), significant(3.28e14, 3), significant(1.5)
    ('0.9778', '0', '328,000,000,000,000', '1.5')
    """
    if is_missing(value):
        return MISSING
    x = float(value)
    if math.isinf(x):
        return number(x)
    if abs(x) < 1e-9:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    text = number(float(f"{x:.{digits}g}"), decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _no_negative_zero(text)


def count(value: Any) -> str:
    """A count: whole, with thousands separators (``1,200``)."""
    return number(value, 0)


def percent(value: Any, decimals: int = 1) -> str:
    """A figure already in percent: ``percent(12.34)`` → ``"12.3%"``."""
    return MISSING if is_missing(value) else f"{number(value, decimals)}%"


def share(value: Any, decimals: int = 1) -> str:
    """A share between 0 and 1 as a percentage: ``share(0.123)`` → ``"12.3%"``."""
    return MISSING if is_missing(value) else percent(100 * float(value), decimals)


def money(value: Any, unit: str = "£", decimals: int | None = None) -> str:
    """An amount in pounds: ``£52,848``, ``£34.20 per hour worked``, ``£12.3 million``.

    Amounts under £1,000 that are not whole show pence; amounts in millions follow
    :func:`number`'s rule.
    """
    if is_missing(value):
        return MISSING
    x = float(value)
    rest = (unit or "£").strip()[1:].strip()
    if decimals is None and not rest.startswith(("million", "billion", "thousand")):
        decimals = 0 if abs(x) >= 1000 or x == round(x) else 2
    sign = "-" if x < 0 else ""
    return f"{sign}£{number(abs(x), decimals)}" + (f" {rest}" if rest else "")


def value(x: Any, unit: str | None = "", *, signed: bool = False) -> str:
    """A figure with its unit as a person writes it: ``£31.20``, ``72.4%``, ``1,200 people``.

    ``signed=True`` writes ``+`` before positive figures (for gaps and changes).
    """
    if is_missing(x):
        return MISSING
    unit = (unit or "").strip()
    size = abs(float(x))
    if is_money_unit(unit):
        text = money(size, unit)
    elif unit == "%":
        text = percent(size)
    elif is_count_unit(unit):
        text = f"{count(size)} {unit}"
    else:
        text = f"{number(size)} {unit}".rstrip()
    return ("-" if float(x) < 0 else "+" if signed and float(x) > 0 else "") + text


def difference(x: Any, unit: str | None = "", *, signed: bool = False) -> str:
    """A difference between two figures: as :func:`value`, but percentages in points."""
    if (unit or "").strip() == "%" and not is_missing(x):
        return value(x, "percentage points", signed=signed)
    return value(x, unit, signed=signed)


def date(x: Any) -> str:
    """A date as ``YYYY-MM-DD``, dropping a midnight time (``1991-01-01 00:00:00`` → ``1991-01-01``).

    A datetime with a time of day keeps it to the minute; text that is not a date is returned as
    it is.
    """
    if is_missing(x):
        return MISSING
    if isinstance(x, str):
        text = x.strip()
        try:
            x = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(x, dt.datetime):
        if (x.hour, x.minute, x.second, x.microsecond) == (0, 0, 0, 0):
            return x.date().isoformat()
        return x.strftime("%Y-%m-%d %H:%M")
    if isinstance(x, dt.date):
        return x.isoformat()
    return str(x)


def plain(x: Any) -> str:
    """A value as a message quotes it: text in quotes, numbers in their shortest exact form.

    numpy and pandas scalars are written as the Python number they hold, never as their repr:

    >>> import numpy as np
    >>> plain(np.float64(1014.0)), plain("E06000009"), plain(18.600000000000001)
    ('1014', "'E06000009'", '18.6')
    """
    if isinstance(x, str):
        return repr(x)
    if hasattr(x, "item") and not isinstance(x, list | tuple | dict):
        with contextlib.suppress(TypeError, ValueError):
            x = x.item()
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, numbers.Real):
        f = float(x)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
    if isinstance(x, dt.date):
        return date(x)
    return repr(x)


_CODE = re.compile(r"\b[A-Z][A-Z0-9]{2,}\b")


def area_label(code: str, names: Mapping[str, str]) -> str:
    """``"Birmingham (E08000025)"`` where the name is known, else the code."""
    name = names.get(code)
    return f"{name} ({code})" if name else code


def with_area_names(text: str, names: Mapping[str, str]) -> str:
    """``text`` with every area code it mentions preceded by the area's name.

    >>> with_area_names("places: E08000035, XX1", {"E08000035": "Leeds"})
    'places: Leeds (E08000035), XX1'
    """
    if not names:
        return text
    return _CODE.sub(lambda m: area_label(m.group(0), names), text)
