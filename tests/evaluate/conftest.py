"""Data sets shared by the evaluation tests: the two published synthetic-control studies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from levelscope.evaluate import CrossValidation, Predictor, SyntheticControl, synthetic_control

BASQUE = "Basque Country (Pais Vasco)"
SECTORS = ["sec.agriculture", "sec.energy", "sec.industry", "sec.construction",
           "sec.services.venta", "sec.services.nonventa"]
SCHOOLING = ["school.illit", "school.prim", "school.med", "school.high", "school.post.high"]


@pytest.fixture(scope="session")
def basque(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data / "evaluation" / "basque.csv")
    return frame[frame["regionno"] != 1]  # region 1 is Spain as a whole, not a donor


def basque_predictors() -> list[str | Predictor]:
    """The specification of R Synth's Basque example (Abadie & Gardeazabal 2003)."""
    return [
        *SCHOOLING,
        "invest",
        Predictor.of("gdpcap", range(1960, 1970)),
        *(Predictor.of(s, range(1961, 1970, 2)) for s in SECTORS),
        Predictor.of("popdens", [1969]),
    ]


@pytest.fixture(scope="session")
def basque_fit(basque: pd.DataFrame) -> SyntheticControl:
    return synthetic_control(
        basque, unit="regionname", time="year", outcome="gdpcap", treated=BASQUE, start=1970,
        predictors=basque_predictors(), predictor_periods=range(1964, 1970),
        fit_periods=range(1960, 1970),
    )


@pytest.fixture(scope="session")
def germany(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "evaluation" / "repgermany.csv")


@pytest.fixture(scope="session")
def germany_fit(germany: pd.DataFrame) -> SyntheticControl:
    """Abadie, Diamond & Hainmueller (2015): V cross-validated on 1971-80 predictors and the
    1981-90 outcome, then weights from 1981-90 predictors. Reunification took effect in October
    1990, so 1991 is the first full treated year here; our designs refuse predictors measured
    in or after the start, and the published replication averages predictors over 1981-1990."""
    training = CrossValidation.of(
        ["gdp", "trade", "infrate", Predictor.of("industry", range(1971, 1981)),
         Predictor.of("schooling", [1970, 1975]), Predictor.of("invest70", [1980])],
        predictor_periods=range(1971, 1981),
        fit_periods=range(1981, 1991),
    )
    return synthetic_control(
        germany, unit="country", time="year", outcome="gdp", treated="West Germany", start=1991,
        predictors=["gdp", "trade", "infrate", Predictor.of("industry", range(1981, 1991)),
                    Predictor.of("schooling", [1980, 1985]), Predictor.of("invest80", [1980])],
        predictor_periods=range(1981, 1991), fit_periods=range(1960, 1990), v=training,
    )
