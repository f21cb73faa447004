"""The typed data model: geographies, indicators and observations.

Observations are long rows (geography, indicator, period, value, bounds, vintage, source), so one
table holds every indicator at every level and every release of it.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Level(StrEnum):
    """Geographic levels. UK statistical levels first, then the international ones."""

    COUNTRY = "country"  # the UK, GB, England and Wales
    NATION = "nation"  # England, Wales, Scotland, Northern Ireland
    REGION = "region"  # English regions (RGN; the same areas as ITL1 in England)
    ITL1 = "itl1"
    ITL2 = "itl2"
    ITL3 = "itl3"
    COUNTY = "county"
    METROPOLITAN_COUNTY = "metropolitan_county"
    COMBINED_AUTHORITY = "combined_authority"
    LAD = "lad"  # local authority districts and unitary authorities
    HEALTH_BOARD = "health_board"
    POLICE_FORCE_AREA = "police_force_area"
    EXTRA_REGIO = "extra_regio"  # output not attributable to a region (offshore, embassies)
    NUTS1 = "nuts1"
    NUTS2 = "nuts2"
    NUTS3 = "nuts3"
    OECD_TL2 = "oecd_tl2"
    OECD_TL3 = "oecd_tl3"
    OECD_METRO = "oecd_metro"  # TL3 regions of one functional urban area merged into one unit
    OTHER = "other"


#: The international classifications: regions compared across countries on their own codes, so
#: they are never re-coded onto the UK's boundary years (NUTS's UKC is not ITL's TLC to the OECD).
INTERNATIONAL_LEVELS = frozenset({Level.NUTS1, Level.NUTS2, Level.NUTS3, Level.OECD_TL2, Level.OECD_TL3,
                                  Level.OECD_METRO})


class Polarity(StrEnum):
    """Whether a higher value of an indicator is better for a place."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEUTRAL = "neutral"


class Kind(StrEnum):
    """What sort of figure an indicator is, which says how areas may be compared on it.

    Counts and amounts measure an area's size (Birmingham has more enterprise deaths than Rutland
    because it has more enterprises), so they are context: shown, but neither flagged better or
    worse than the median nor ranked as performance. Rates and indexes compare areas directly.
    """

    COUNT = "count"  # a number of people, firms, dwellings, achievements …
    AMOUNT = "amount"  # a total of money or output, e.g. exports in £ million
    RATE = "rate"  # a share, a figure per head or per hour, an average, a price
    INDEX = "index"  # a score or index on a fixed scale

    @property
    def is_size(self) -> bool:
        """Whether the figure grows with the area's size (a count or an amount)."""
        return self in (Kind.COUNT, Kind.AMOUNT)


#: Units that count things; an indicator in one of them is a :attr:`Kind.COUNT` unless it says
#: otherwise.
COUNT_UNITS = frozenset({
    "achievements", "businesses", "count", "dwellings", "enterprises", "households", "jobs",
    "number", "people", "persons", "places", "pupils", "starts",
})


def infer_kind(unit: str, aggregation: str = "none") -> Kind:
    """The kind an indicator's unit implies: a count unit is a count; money in millions or
    billions that adds up is an amount; a unit naming an index or a score is an index; anything
    else (a share, a per-head figure, an average) is a rate.
    """
    words = unit.strip().lower()
    if words in COUNT_UNITS:
        return Kind.COUNT
    if words.startswith("£") and ("million" in words or "billion" in words) and aggregation == "sum":
        return Kind.AMOUNT
    if "index" in words or "score" in words:
        return Kind.INDEX
    return Kind.RATE


class Aggregation(StrEnum):
    """How an indicator's values for children combine into the parent's value.

    ``weighted_mean`` and ``ratio_of_sums`` name the indicator that weights the children (for a
    ratio N/D, the denominator D: the weighted mean of the ratios is then ΣN / ΣD);
    ``population_weighted_mean`` is ``weighted_mean`` by ``population``.
    """

    SUM = "sum"
    WEIGHTED_MEAN = "weighted_mean"
    POPULATION_WEIGHTED_MEAN = "population_weighted_mean"
    RATIO_OF_SUMS = "ratio_of_sums"
    NONE = "none"  # not aggregable (e.g. a median)

    @property
    def weighted(self) -> bool:
        """Whether children combine as a mean weighted by another indicator."""
        return self in (Aggregation.WEIGHTED_MEAN, Aggregation.POPULATION_WEIGHTED_MEAN,
                        Aggregation.RATIO_OF_SUMS)


_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class Geography(BaseModel):
    """A place with a code, valid between two dates (boundaries change; codes retire)."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(min_length=1, max_length=20)
    name: str
    level: Level
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    parents: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _dates_in_order(self) -> Geography:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"{self.code}: valid_to {self.valid_to} is before {self.valid_from}")
        return self

    def is_valid_on(self, day: dt.date) -> bool:
        """Whether the code was in use on ``day``."""
        starts = self.valid_from is None or self.valid_from <= day
        ends = self.valid_to is None or day <= self.valid_to
        return starts and ends


class Indicator(BaseModel):
    """What an observation measures, and how to read and combine it."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    unit: str
    polarity: Polarity = Polarity.NEUTRAL
    theme: str = "Other"
    description: str = ""
    source: str = ""  # publisher and dataset, as a person would cite it
    publisher: str = ""
    licence: str = "Open Government Licence v3.0"
    aggregation: Aggregation = Aggregation.NONE
    url: str = ""
    kind: Kind = Kind.RATE
    #: The money a monetary figure is in, with its conversion (``"USD PPP"``, ``"EUR"``,
    #: ``"national currency"``); None for figures that are not money.
    currency: str | None = None
    #: The prices a monetary figure is at (``"current prices"``, ``"constant 2015 prices"``).
    price_basis: str | None = None
    #: The indicator weighting children when they combine (a weighted mean's weight, a ratio's
    #: denominator), from the same area and period.
    weight: str | None = None
    #: A derived indicator is ``numerator / denominator * scale`` of two other indicators for the
    #: same area and year (GVA per head = GVA (£ million) / population * 1,000,000).
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0

    @model_validator(mode="before")
    @classmethod
    def _kind_from_unit(cls, data: object) -> object:
        # an indicator that does not say what kind it is takes the kind its unit implies
        if isinstance(data, dict) and data.get("kind") in (None, ""):
            aggregation = str(data.get("aggregation") or "none")
            return {**data, "kind": infer_kind(str(data.get("unit", "")), aggregation)}
        return data

    @field_validator("id")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"indicator id {value!r} must be lower snake_case, e.g. 'gva_per_hour'")
        return value

    @model_validator(mode="after")
    def _weight_and_formula(self) -> Indicator:
        if self.aggregation == Aggregation.POPULATION_WEIGHTED_MEAN and self.weight is None:
            object.__setattr__(self, "weight", "population")
        if (self.numerator is None) != (self.denominator is None):
            raise ValueError(f"indicator {self.id!r}: a derived indicator needs both a numerator and a "
                             "denominator")
        return self

    @property
    def derived(self) -> bool:
        """Whether the indicator is computed from two others rather than published."""
        return self.numerator is not None


class Observation(BaseModel):
    """One value of one indicator for one place and period, as released on ``vintage``."""

    model_config = ConfigDict(frozen=True)

    geography_code: str
    indicator_id: str
    period: str
    value: float
    lower: float | None = None
    upper: float | None = None
    vintage: dt.date
    source: str = ""

    @model_validator(mode="after")
    def _bounds_around_value(self) -> Observation:
        if self.lower is not None and self.lower > self.value:
            raise ValueError(f"lower bound {self.lower} is above the value {self.value}")
        if self.upper is not None and self.upper < self.value:
            raise ValueError(f"upper bound {self.upper} is below the value {self.value}")
        return self
