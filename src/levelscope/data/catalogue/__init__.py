"""The indicator catalogues shipped with levelscope: ``indicators.yaml`` (UK statistics) and
``international.yaml`` (OECD and Eurostat regional statistics), beside this file."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from levelscope.data.model import Indicator

UK = "indicators.yaml"
INTERNATIONAL = "international.yaml"


@cache
def _raw(file: str = UK) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(file).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def themes(file: str = UK) -> dict[str, str]:
    """Theme keys and the names shown to users."""
    return dict(_raw(file)["themes"])


def catalogue(file: str = UK) -> dict[str, Indicator]:
    """Every indicator of a catalogue file by id, validated against the data model."""
    raw = _raw(file)
    defaults = raw.get("defaults", {})
    names = raw["themes"]
    out: dict[str, Indicator] = {}
    for entry in raw["indicators"]:
        fields = {**defaults, **entry}
        fields["theme"] = names.get(fields.get("theme", "other"), fields.get("theme", "Other"))
        indicator = Indicator(**fields)
        if indicator.id in out:
            raise ValueError(f"indicator {indicator.id!r} is catalogued twice")
        out[indicator.id] = indicator
    return out


def international_catalogue() -> dict[str, Indicator]:
    """The OECD and Eurostat indicators the international importers write."""
    return catalogue(INTERNATIONAL)
