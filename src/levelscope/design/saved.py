"""Saved assessments: versioned in the records database, comparable over time.

Every save of a strategy's assessment for a place is a new *revision* (1, 2, 3, ...) of that
(place, strategy) pair; earlier revisions are never overwritten, so a team can ask "did our score
improve since last year?" by comparing any two of them. A saved row keeps the answers exactly as
given (score, evidence, self-reported or evidenced), the context figures, the framework version
they were made against and the overall score at the time of saving, for listing.

Functions take an open session (see :func:`levelscope.records.db.transaction`), validate before
they write, flush but never commit: the caller's transaction decides.

Examples
--------
>>> from levelscope.records.db import connect, transaction
>>> factory = connect("sqlite:///records.sqlite")                     # doctest: +SKIP
>>> with transaction(factory, actor="alice@example.org") as session:  # doctest: +SKIP
...     saved = save_assessment(session, assessment, framework)
...     saved.revision
1
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from sqlalchemy import Float, Select, String, Text, UniqueConstraint, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from levelscope.design.assessment import (
    Answer,
    Assessment,
    AssessmentComparison,
    AssessmentResult,
    compare,
    score,
)
from levelscope.design.context import PlaceContext
from levelscope.design.framework import Framework
from levelscope.errors import NotFoundError
from levelscope.records.accounts import User
from levelscope.records.audit import AuditEntry
from levelscope.records.db import Base, ConflictError, Record


class SavedAssessment(Base, Record):
    """One revision of a strategy's assessment for a place."""

    __tablename__ = "design_assessments"
    __table_args__ = (
        UniqueConstraint("place_code", "strategy", "revision", name="uq_design_assessment_revision"),
    )

    place_code: Mapped[str] = mapped_column(String(20), index=True)
    strategy: Mapped[str] = mapped_column(String(300))
    revision: Mapped[int]
    assessor: Mapped[str] = mapped_column(String(200))
    assessed_on: Mapped[dt.date]
    framework_version: Mapped[str] = mapped_column(String(20))
    overall: Mapped[float] = mapped_column(Float)
    answers_json: Mapped[str] = mapped_column(Text)
    context_json: Mapped[str | None] = mapped_column(Text, default=None)
    note: Mapped[str] = mapped_column(Text, default="")

    def to_assessment(self) -> Assessment:
        """The assessment as it was saved."""
        context = json.loads(self.context_json) if self.context_json else None
        return Assessment(
            strategy=self.strategy,
            place_code=self.place_code,
            assessor=self.assessor,
            date=self.assessed_on,
            framework_version=self.framework_version,
            answers=tuple(Answer(**a) for a in json.loads(self.answers_json)),
            context=PlaceContext(**context) if context else None,
        )

    def __repr__(self) -> str:
        return (
            f"SavedAssessment(id={self.id}, place_code={self.place_code!r}, "
            f"strategy={self.strategy!r}, revision={self.revision}, {self.assessed_on}, "
            f"overall={self.overall:.1f})"
        )


def save_assessment(
    session: Session, assessment: Assessment, framework: Framework, *, note: str = ""
) -> SavedAssessment:
    """Score ``assessment`` (which validates it) and store it as the next revision.

    Returns
    -------
    SavedAssessment
        with ``revision`` one more than the last saved for the same place and strategy.

    Raises
    ------
    levelscope.errors.ValidationError
        if the assessment does not answer the framework exactly (nothing is written).
    levelscope.records.db.ConflictError
        if someone saved the same revision at the same moment; save again.
    """
    result = score(assessment, framework)
    last = session.scalar(
        select(func.max(SavedAssessment.revision))
        .where(
            SavedAssessment.place_code == assessment.place_code,
            SavedAssessment.strategy == assessment.strategy,
        )
        .execution_options(include_deleted=True)  # a deleted revision's number is not reused
    )
    saved = SavedAssessment(
        place_code=assessment.place_code,
        strategy=assessment.strategy,
        revision=(last or 0) + 1,
        assessor=assessment.assessor,
        assessed_on=assessment.date,
        framework_version=framework.version,
        overall=result.overall,
        answers_json=json.dumps([a.model_dump() for a in result.answers], ensure_ascii=False),
        context_json=_context_json(assessment.context),
        note=note,
    )
    session.add(saved)
    try:
        session.flush()
    except IntegrityError as error:
        raise ConflictError(
            f"revision {saved.revision} of {assessment.strategy!r} for {assessment.place_code} "
            "was saved by someone else at the same time; save again"
        ) from error
    return saved


def _context_json(context: PlaceContext | None) -> str | None:
    if context is None:
        return None
    return json.dumps(dataclasses.asdict(context))


def get_saved(session: Session, saved_id: int) -> SavedAssessment:
    """The saved assessment with this id; :class:`NotFoundError` if there is none."""
    found = session.get(SavedAssessment, saved_id)
    if found is None or found.deleted_at is not None:
        raise NotFoundError(f"no saved assessment with id {saved_id}")
    return found


def assessment_history(
    session: Session, place_code: str | None = None, strategy: str | None = None
) -> list[SavedAssessment]:
    """Saved assessments, oldest first (by assessment date, then revision).

    ``place_code`` and ``strategy`` narrow the list; without them every saved assessment is listed.
    """
    query = select(SavedAssessment).order_by(
        SavedAssessment.place_code,
        SavedAssessment.strategy,
        SavedAssessment.assessed_on,
        SavedAssessment.revision,
    )
    if place_code is not None:
        query = query.where(SavedAssessment.place_code == place_code)
    if strategy is not None:
        query = query.where(SavedAssessment.strategy == strategy)
    return list(session.scalars(query))


def _saved_by_organisation(organisation_id: int) -> Select[SavedAssessment]:
    # Who saved a row is the actor of its "create" entries in the audit trail (the signed-in
    # user's email), so ownership needs no column of its own; rows saved without a signed-in
    # actor (scripts, the command line) belong to no organisation.
    saved_by_member = exists().where(
        AuditEntry.table_name == SavedAssessment.__tablename__,
        AuditEntry.action == "create",
        AuditEntry.row_id == SavedAssessment.id,
        AuditEntry.actor == User.email,
        User.organisation_id == organisation_id,
    )
    return select(SavedAssessment).where(saved_by_member)


def organisation_history(session: Session, organisation_id: int) -> list[SavedAssessment]:
    """Saved assessments saved by members of an organisation, ordered as :func:`assessment_history`.

    A save is attributed to the user the session's ``actor`` names (the signed-in user's email),
    as recorded in the audit trail.
    """
    query = _saved_by_organisation(organisation_id).order_by(
        SavedAssessment.place_code,
        SavedAssessment.strategy,
        SavedAssessment.assessed_on,
        SavedAssessment.revision,
    )
    return list(session.scalars(query))


def get_organisation_saved(session: Session, saved_id: int, organisation_id: int) -> SavedAssessment:
    """The saved assessment with this id if a member of the organisation saved it.

    Raises :class:`NotFoundError` otherwise, so another organisation's ids reveal nothing.
    """
    query = _saved_by_organisation(organisation_id).where(SavedAssessment.id == saved_id)
    found = session.scalar(query)
    if found is None:
        raise NotFoundError(f"no saved assessment with id {saved_id}")
    return found


def score_saved(saved: SavedAssessment, framework: Framework) -> AssessmentResult:
    """Score a saved assessment again (against the framework version it was made for)."""
    return score(saved.to_assessment(), framework)


def compare_saved(
    session: Session, before_id: int, after_id: int, framework: Framework
) -> AssessmentComparison:
    """Compare two saved assessments of the same place, factor by factor.

    Raises
    ------
    levelscope.errors.NotFoundError
        if either id is unknown.
    levelscope.errors.ValidationError
        if the places differ, or either was made against another framework version.
    """
    before, after = get_saved(session, before_id), get_saved(session, after_id)
    return compare(score_saved(before, framework), score_saved(after, framework))


def history_rows(saved: list[SavedAssessment]) -> list[dict[str, Any]]:
    """Plain rows for tables and JSON: id, place, strategy, revision, date, assessor, overall."""
    return [
        {
            "id": s.id,
            "place_code": s.place_code,
            "strategy": s.strategy,
            "revision": s.revision,
            "assessed_on": s.assessed_on.isoformat(),
            "assessor": s.assessor,
            "framework_version": s.framework_version,
            "overall": s.overall,
        }
        for s in saved
    ]
