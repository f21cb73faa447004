"""Jinja templates shared by every page module.

Pages extend ``base.html`` and fill its blocks: ``title``, ``content`` and optionally ``head`` and
``scripts``. The navigation lists the page modules that are present.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from levelscope import formatting
from levelscope.formatting import level_name

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def script_json(value: Any) -> Markup:
    """``value`` as JSON safe to place inside ``<script type="application/json">``."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)
    return Markup(text.replace("</", "<\\/"))


def _figure(value: Any, unit: str = "") -> str:
    return formatting.value(value, unit)


def _difference(value: Any, unit: str = "") -> str:
    return formatting.difference(value, unit, signed=True)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


templates.env.filters.update(
    figure=_figure, difference=_difference, level_name=level_name, script_json=script_json,
    count=formatting.count, share=formatting.share, date=formatting.date,
    sentence_case=formatting.sentence_case,
)
templates.env.tests["missing"] = _missing

#: (path, label) of the main navigation.
NAVIGATION = (
    ("/", "Areas"),
    ("/inequality", "Inequality"),
    ("/maps", "Maps"),
    ("/need", "Need"),
    ("/funding", "Funding"),
    ("/programmes", "Programmes"),
    ("/design", "Strategy"),
    ("/international", "Four cities"),
)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` filled with ``context`` (plus ``navigation`` and the current path)."""
    context.setdefault("navigation", NAVIGATION)
    return templates.TemplateResponse(request, template, context, status_code=status_code)
