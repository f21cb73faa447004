"""An indicator's status: on track, at risk, off track or no data, under a rule stated in words.

The rule compares the latest actual with the trajectory at the same date (see
:mod:`levelscope.monitor.trajectory`); the colours and marker shapes are the ones every chart and
page uses for each status.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    NO_DATA = "no data"


# Okabe & Ito (2008) colours, distinguishable under the common colour-blindness types; every
# status is also drawn with its own marker shape and written out, so colour is never the only cue.
STATUS_COLOURS: dict[Status, str] = {
    Status.ON_TRACK: "#009E73",  # bluish green
    Status.AT_RISK: "#E69F00",  # orange
    Status.OFF_TRACK: "#D55E00",  # vermillion
    Status.NO_DATA: "#999999",  # grey
}
STATUS_SYMBOLS: dict[Status, str] = {
    Status.ON_TRACK: "circle",
    Status.AT_RISK: "triangle-down",
    Status.OFF_TRACK: "x",
    Status.NO_DATA: "circle-open",
}


@dataclass(frozen=True)
class StatusRule:
    """When an indicator counts as on track, at risk or off track.

    The *shortfall* is how far the latest actual lags the trajectory at its date, in the direction
    of improvement, as a fraction of the planned change ``|target - baseline|`` (or of
    ``|baseline|`` when the target is to hold the baseline). On track when the shortfall is at most
    ``on_track_within``; at risk when at most ``at_risk_within``; off track beyond. Being ahead of
    the trajectory is a negative shortfall, so always on track.
    """

    on_track_within: float = 0.05
    at_risk_within: float = 0.15

    def __post_init__(self) -> None:
        if not 0 <= self.on_track_within <= self.at_risk_within:
            raise ValueError(
                "need 0 <= on_track_within <= at_risk_within, got "
                f"{self.on_track_within} and {self.at_risk_within}"
            )

    def describe(self) -> str:
        """The rule in words, for the dashboard."""
        return (
            f"On track if the latest actual is behind the trajectory by no more than "
            f"{self.on_track_within:.0%} of the planned change; at risk up to "
            f"{self.at_risk_within:.0%}; off track beyond that."
        )

    def classify(self, shortfall: float) -> Status:
        if shortfall <= self.on_track_within:
            return Status.ON_TRACK
        if shortfall <= self.at_risk_within:
            return Status.AT_RISK
        return Status.OFF_TRACK
