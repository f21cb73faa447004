"""Saved assessments: revisions, round trips and comparisons, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from levelscope.design import Answer, Assessment, PlaceContext, load_framework
from levelscope.design.saved import (
    assessment_history,
    compare_saved,
    get_saved,
    save_assessment,
)
from levelscope.errors import NotFoundError, ValidationError
from levelscope.records.audit import AuditEntry
from levelscope.records.db import transaction

FW = load_framework()


def assessment(
    scores: dict[str, int] | int,
    *,
    place: str = "E08000027",
    strategy: str = "Plan",
    date: str = "2025-03-31",
    context: PlaceContext | None = None,
) -> Assessment:
    def level(cid: str) -> int:
        return scores if isinstance(scores, int) else scores.get(cid, 2)

    return Assessment(
        strategy=strategy,
        place_code=place,
        assessor="Team",
        date=date,
        answers=tuple(
            Answer(criterion_id=c, score=level(c), evidence=f"note on {c}") for c in FW.criterion_ids
        ),
        context=context,
    )


def test_each_save_is_a_new_revision_and_history_is_oldest_first(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, actor="alice@example.org") as session:
        first = save_assessment(session, assessment(2, date="2025-03-31"), FW)
        second = save_assessment(session, assessment(3, date="2026-03-31"), FW)
        other = save_assessment(session, assessment(1, strategy="Other plan"), FW)
    assert (first.revision, second.revision, other.revision) == (1, 2, 1)
    # every criterion at 2 of 4 -> each factor 100 * 2 / 4 = 50, overall 50; at 3 -> 75
    assert first.overall == pytest.approx(50.0)
    assert second.overall == pytest.approx(75.0)
    with transaction(factory, actor="bob@example.org") as session:
        plan = assessment_history(session, "E08000027", "Plan")
        assert [(s.revision, s.assessed_on) for s in plan] == [
            (1, dt.date(2025, 3, 31)),
            (2, dt.date(2026, 3, 31)),
        ]
        assert len(assessment_history(session, "E08000027")) == 3
        assert assessment_history(session, "E09000010") == []
        # the save is in the audit trail under the saver's name
        actors = set(
            session.scalars(
                select(AuditEntry.actor).where(AuditEntry.table_name == "design_assessments")
            )
        )
        assert actors == {"alice@example.org"}


def test_a_saved_assessment_loads_back_exactly(factory) -> None:  # type: ignore[no-untyped-def]
    scores = {c: i % 5 for i, c in enumerate(FW.criterion_ids)}
    original = assessment(
        scores, context=PlaceContext(population=323000, governance="single_authority")
    )
    with transaction(factory, actor="alice") as session:
        saved_id = save_assessment(session, original, FW, note="baseline").id
    with transaction(factory, actor="alice") as session:
        saved = get_saved(session, saved_id)
        loaded = saved.to_assessment()
        assert saved.note == "baseline"
    assert loaded.answers == original.answers  # scores, evidence and sources unchanged
    assert loaded.context == original.context
    assert (loaded.strategy, loaded.place_code, loaded.date) == (
        original.strategy,
        original.place_code,
        original.date,
    )
    assert loaded.framework_version == FW.version


def test_compare_two_saved_years_factor_by_factor(factory) -> None:  # type: ignore[no-untyped-def]
    funding = [c.id for c in FW.factor("funding").criteria]
    monitoring = [c.id for c in FW.factor("monitoring_evaluation").criteria]
    later = {c: 2 for c in FW.criterion_ids} | {c: 4 for c in funding} | {c: 1 for c in monitoring}
    with transaction(factory, actor="alice") as session:
        before = save_assessment(session, assessment(2, date="2025-03-31"), FW).id
        after = save_assessment(session, assessment(later, date="2026-03-31"), FW).id
    with transaction(factory, actor="alice") as session:
        comparison = compare_saved(session, before, after, FW)
    changes = comparison.to_frame().set_index("factor_id")["change"]
    # funding: 50 -> 100 (+50); monitoring: 50 -> 25 (-25); the other eight unchanged.
    assert changes["funding"] == pytest.approx(50.0)
    assert changes["monitoring_evaluation"] == pytest.approx(-25.0)
    assert (changes.drop(["funding", "monitoring_evaluation"]) == 0).all()
    # overall with ten equal weights: 50 + (50 - 25) / 10 = 52.5
    assert comparison.overall_after == pytest.approx(52.5)
    assert comparison.improved and comparison.before_date == dt.date(2025, 3, 31)


def test_an_incomplete_assessment_is_not_saved(factory) -> None:  # type: ignore[no-untyped-def]
    incomplete = assessment(2).model_copy(update={"answers": assessment(2).answers[1:]})
    with (
        pytest.raises(ValidationError, match="no answer"),
        transaction(factory, actor="alice") as session,
    ):
        save_assessment(session, incomplete, FW)
    with transaction(factory, actor="alice") as session:
        assert assessment_history(session) == []


def test_unknown_ids_and_different_places_are_refused(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, actor="alice") as session:
        dudley = save_assessment(session, assessment(2), FW).id
        enfield = save_assessment(session, assessment(2, place="E09000010"), FW).id
        with pytest.raises(NotFoundError, match="no saved assessment with id 999"):
            get_saved(session, 999)
        with pytest.raises(ValidationError, match="different places"):
            compare_saved(session, dudley, enfield, FW)
