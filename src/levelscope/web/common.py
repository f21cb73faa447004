"""What the routers share: parameter types, the CSV response, sources, and the checks that
turn an unknown level or indicator into a 404 naming what exists.

A router imports these from here, never from another router, so each router stands alone.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import BaseModel

from levelscope.errors import NotFoundError
from levelscope.results import Provenance
from levelscope.web.state import Explorer

__all__ = ["CSV_RESPONSE", "Format", "IndicatorId", "Level", "SourceOut", "check_indicator_at",
           "check_level", "sources"]

Format = Annotated[Literal["json", "csv"], Query(description="`csv` downloads the table")]
IndicatorId = Annotated[str, Path(description="indicator id, e.g. gdhi_per_head", max_length=80)]
Level = Annotated[str, Query(description="geographic level, e.g. lad, itl3", max_length=40)]
#: The ``responses`` of an endpoint that also answers ``?format=csv``.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with `?format=csv`"}
}


class SourceOut(BaseModel):
    publisher: str
    dataset: str
    vintage: str | None
    licence: str | None
    url: str | None


def sources(provenance: Provenance) -> list[dict[str, Any]]:
    """The sources of a result's figures, as :class:`SourceOut` shows them."""
    return [
        {"publisher": s.publisher, "dataset": s.dataset, "vintage": s.vintage, "licence": s.licence,
         "url": s.url}
        for s in provenance.sources
    ]


def check_level(ex: Explorer, level: str) -> str:
    """``level`` if the workspace has figures at it, else :class:`NotFoundError` naming those it has."""
    levels = ex.ws.levels()
    if level not in levels:
        raise NotFoundError(f"no figures at level {level!r}; levels with figures: {', '.join(levels)}")
    return level


def check_indicator_at(ex: Explorer, indicator: str, level: str) -> None:
    """404 for an unknown indicator or level, or an indicator with no figures at the level."""
    check_level(ex, level)
    ex.ws.indicator(indicator)
    coverage = ex.indicator_levels()
    held = coverage.loc[coverage["indicator_id"] == indicator, "level"].tolist()
    if level not in held:
        raise NotFoundError(f"no figures of {indicator!r} at level {level!r}; levels with figures "
                            f"of it: {', '.join(held) or 'none'}")
