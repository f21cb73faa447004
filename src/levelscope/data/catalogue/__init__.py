"""The indicator catalogue shipped with levelscope (``indicators.yaml`` beside this file)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from levelscope.data.model import Indicator


@cache
def _raw() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("indicators.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def themes() -> dict[str, str]:
    """Theme keys and the names shown to users."""
    return dict(_raw()["themes"])


def catalogue() -> dict[str, Indicator]:
    """Every catalogued indicator by id, validated against the data model."""
    raw = _raw()
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
