"""Indicator currency and price basis, and attributes of places, as the workspace stores them."""

from __future__ import annotations

import pytest

from levelscope import Workspace
from levelscope.data.model import Geography, Indicator, Level
from levelscope.errors import NotFoundError


def test_currency_and_price_basis_are_kept_with_the_indicator() -> None:
    ws = Workspace.open(":memory:")
    ws.add_indicators([
        Indicator(id="gdp_pc", name="GDP per head", unit="USD per head", currency="USD PPP",
                  price_basis="constant 2015 prices"),
        Indicator(id="share", name="A share", unit="%"),
    ])
    gdp, share = ws.indicator("gdp_pc"), ws.indicator("share")
    assert (gdp.currency, gdp.price_basis) == ("USD PPP", "constant 2015 prices")
    assert (share.currency, share.price_basis) == (None, None)


def test_attributes_of_places_are_written_updated_and_read() -> None:
    ws = Workspace.open(":memory:")
    ws.add_geographies([Geography(code="FRG01", name="Loire-Atlantique", level=Level.OECD_TL3),
                        Geography(code="FR008M", name="Nantes", level=Level.OECD_METRO)])
    ws.add_geography_attributes([("FRG01", "metro_typology", "MR-L"), ("FRG01", "fua", "FR008M")])
    ws.add_geography_attributes([("FRG01", "metro_typology", "MR-M")])
    frame = ws.geography_attributes("metro_typology")
    assert frame.to_dict("records") == [
        {"code": "FRG01", "attribute": "metro_typology", "value": "MR-M"}
    ]
    assert len(ws.geography_attributes(codes=["FRG01"])) == 2
    assert ws.geography_attributes(codes=["FR008M"]).empty


def test_attributes_of_an_unknown_place_are_refused_and_nothing_is_written() -> None:
    ws = Workspace.open(":memory:")
    ws.add_geographies([Geography(code="FRG01", name="Loire-Atlantique", level=Level.OECD_TL3)])
    with pytest.raises(NotFoundError, match="XXX99"):
        ws.add_geography_attributes([("FRG01", "fua", "FR008M"), ("XXX99", "fua", "FR008M")])
    assert ws.geography_attributes().empty
