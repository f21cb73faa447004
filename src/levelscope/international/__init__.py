"""The four cities in numbers: places against their nations, and the UK against its peers.

Built on the OECD and Eurostat regional data the workspace holds
(:mod:`levelscope.data.international`):

- :func:`place_against_nation` — a place's GDP per head indexed to its country's (country = 100),
  the gap's trend, its rate of closing and the years to parity with an interval;
  :func:`national_benchmark` — the country figure, or where there is none the population-weighted
  mean of its regions, saying which;
- :func:`inequality_by_country` — regional inequality within each country over time (Williamson,
  Gini, Theil and its split between and within TL2 regions) with bootstrap intervals, ranked,
  and :func:`ranking_comparison` — whether the ranking survives another cut of the territory;
  :func:`convergence_by_country` — beta and sigma convergence within each country;
- :func:`lessons_from_four_cities` — the eight case-study places with their dated practices
  (:func:`case_timeline`), and :func:`exploratory_synthetic_control` — an exploratory
  before-and-after comparison with metropolitan regions elsewhere;
- :func:`check_comparable`, :func:`to_usd_ppp` — nothing in different units, currencies or
  prices is compared without an explicit conversion.
"""

from __future__ import annotations

from levelscope.international.against_nation import PlaceAgainstNation, place_against_nation
from levelscope.international.benchmark import NationalBenchmark, national_benchmark
from levelscope.international.cases import (
    CASE_PLACES,
    CasePlace,
    CaseTimeline,
    case_timeline,
    resolve_place,
)
from levelscope.international.comparable import (
    IncomparableError,
    check_comparable,
    check_one_currency,
    to_usd_ppp,
)
from levelscope.international.convergence import CountryConvergence, convergence_by_country
from levelscope.international.inequality import (
    MAUP_NOTE,
    CountryInequality,
    RankingComparison,
    inequality_by_country,
    ranking_comparison,
)
from levelscope.international.lessons import CaseTrajectory, FourCities, lessons_from_four_cities
from levelscope.international.regions import UNIT_SETS, regional_panel
from levelscope.international.synthetic import (
    ExploratorySyntheticControl,
    exploratory_synthetic_control,
)

__all__ = [
    "CASE_PLACES",
    "MAUP_NOTE",
    "UNIT_SETS",
    "CasePlace",
    "CaseTimeline",
    "CaseTrajectory",
    "CountryConvergence",
    "CountryInequality",
    "ExploratorySyntheticControl",
    "FourCities",
    "IncomparableError",
    "NationalBenchmark",
    "PlaceAgainstNation",
    "RankingComparison",
    "case_timeline",
    "check_comparable",
    "check_one_currency",
    "convergence_by_country",
    "exploratory_synthetic_control",
    "inequality_by_country",
    "lessons_from_four_cities",
    "national_benchmark",
    "place_against_nation",
    "ranking_comparison",
    "regional_panel",
    "resolve_place",
    "to_usd_ppp",
]
