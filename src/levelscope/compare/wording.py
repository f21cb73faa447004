"""How figures and places are put into words: units, level names, plural forms."""

from __future__ import annotations

import math

LEVEL_NAMES = {
    "lad": ("local authority district", "local authority districts"),
    "itl1": ("ITL1 region", "ITL1 regions"),
    "itl2": ("ITL2 region", "ITL2 regions"),
    "itl3": ("ITL3 region", "ITL3 regions"),
    "region": ("English region", "English regions"),
    "nation": ("nation", "nations"),
    "country": ("country", "countries"),
    "county": ("county", "counties"),
    "combined_authority": ("combined authority", "combined authorities"),
    "metropolitan_county": ("metropolitan county", "metropolitan counties"),
    "health_board": ("health board", "health boards"),
    "police_force_area": ("police force area", "police force areas"),
}


def level_name(level: str, plural: bool = False) -> str:
    """``"lad"`` → ``"local authority district"`` (or the plural)."""
    singular, many = LEVEL_NAMES.get(level, (level.replace("_", " "), level.replace("_", " ") + "s"))
    return many if plural else singular


def with_article(noun: str) -> str:
    """``"English region"`` → ``"an English region"``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def format_value(value: float | None, unit: str = "", *, signed: bool = False) -> str:
    """A figure with its unit as a person would write it: ``£31.20``, ``72.4%``, ``81.3 years``.

    ``signed=True`` writes a leading ``+`` for positive values (for gaps).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    number = abs(value)
    digits = 0 if number >= 1000 else (1 if number >= 10 else 2)
    text = f"{number:,.{digits}f}"
    sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
    if unit.startswith("£"):
        rest = unit[1:].strip()
        return f"{sign}£{text}" + (f" {rest}" if rest else "")
    if unit == "%":
        return f"{sign}{text}%"
    return f"{sign}{text} {unit}".rstrip()


def format_difference(value: float | None, unit: str = "", *, signed: bool = False) -> str:
    """A difference between two figures: as :func:`format_value`, but percentages in points."""
    if unit == "%" and value is not None and not math.isnan(value):
        return format_value(value, "percentage points", signed=signed)
    return format_value(value, unit, signed=signed)
