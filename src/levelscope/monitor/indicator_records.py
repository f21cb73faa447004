"""The tables of tracked indicators in the records database: indicators, milestones, actuals and
the history of their status.

The functions that write them are in :mod:`levelscope.monitor.tracking`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Enum, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from levelscope.monitor.additionality import AdditionalityFactors
from levelscope.monitor.programmes import Stage
from levelscope.monitor.status import Status, StatusRule
from levelscope.records.db import Base, Record, UTCDateTime


class Trajectory(StrEnum):
    LINEAR = "linear"
    STEPWISE = "stepwise"


class Origin(StrEnum):
    """How an actual value reached the records."""

    MANUAL = "manual"
    FILE = "file"
    WORKSPACE = "workspace"


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class ProgrammeIndicator(Base, Record):
    """A measured output, outcome or impact of a programme, with its baseline and target.

    ``workspace_indicator_id`` and ``geography_code`` link it to a workspace series, from which
    actuals can be read. The additionality columns (fractions; multiplier >= 1) say how much of a
    gross change the programme can claim (see :mod:`levelscope.monitor.additionality`).
    """

    __tablename__ = "programme_indicators"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    stage: Mapped[Stage] = mapped_column(_enum(Stage))
    unit: Mapped[str] = mapped_column(String(100), default="")
    workspace_indicator_id: Mapped[str | None] = mapped_column(String(100), default=None)
    geography_code: Mapped[str | None] = mapped_column(String(20), default=None)
    baseline_date: Mapped[dt.date]
    baseline_value: Mapped[float] = mapped_column(Float)
    target_date: Mapped[dt.date]
    target_value: Mapped[float] = mapped_column(Float)
    higher_is_better: Mapped[bool]
    trajectory: Mapped[Trajectory] = mapped_column(_enum(Trajectory), default=Trajectory.LINEAR)
    on_track_within: Mapped[float] = mapped_column(Float, default=0.05)
    at_risk_within: Mapped[float] = mapped_column(Float, default=0.15)
    deadweight: Mapped[float] = mapped_column(Float, default=0.0)
    displacement: Mapped[float] = mapped_column(Float, default=0.0)
    leakage: Mapped[float] = mapped_column(Float, default=0.0)
    substitution: Mapped[float] = mapped_column(Float, default=0.0)
    multiplier: Mapped[float] = mapped_column(Float, default=1.0)
    note: Mapped[str] = mapped_column(Text, default="")

    milestones: Mapped[list[Milestone]] = relationship(
        primaryjoin="and_(Milestone.indicator_id == ProgrammeIndicator.id, Milestone.deleted_at.is_(None))",
        order_by="Milestone.date",
        lazy="selectin",
        viewonly=True,
    )

    @property
    def rule(self) -> StatusRule:
        return StatusRule(self.on_track_within, self.at_risk_within)

    @property
    def additionality(self) -> AdditionalityFactors:
        return AdditionalityFactors(
            self.deadweight, self.displacement, self.leakage, self.substitution, self.multiplier
        )


class Milestone(Base, Record):
    __tablename__ = "indicator_milestones"

    indicator_id: Mapped[int] = mapped_column(ForeignKey("programme_indicators.id"), index=True)
    date: Mapped[dt.date]
    value: Mapped[float] = mapped_column(Float)


class Actual(Base, Record):
    __tablename__ = "indicator_actuals"
    __table_args__ = (UniqueConstraint("indicator_id", "date", name="uq_actual_indicator_date"),)

    indicator_id: Mapped[int] = mapped_column(ForeignKey("programme_indicators.id"), index=True)
    date: Mapped[dt.date]
    value: Mapped[float] = mapped_column(Float)
    origin: Mapped[Origin] = mapped_column(_enum(Origin), default=Origin.MANUAL)
    note: Mapped[str] = mapped_column(Text, default="")


class StatusChange(Base):
    """The status of an indicator changed (kept for ever; itself the history, so not audited)."""

    __tablename__ = "indicator_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("programme_indicators.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[dt.date | None]
    old_status: Mapped[Status | None] = mapped_column(_enum(Status))
    new_status: Mapped[Status] = mapped_column(_enum(Status))
    actual_value: Mapped[float | None] = mapped_column(Float)
    expected_value: Mapped[float | None] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(Text)
