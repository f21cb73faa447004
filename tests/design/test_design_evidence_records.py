"""Evidenced scores read from real programme records (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from levelscope.design import Answer, Assessment, load_framework, score
from levelscope.design.evidence import (
    BASELINES_TARGETS,
    MULTI_YEAR,
    TRACKING,
    committed_years_ahead,
    evidence_from_records,
    evidence_links,
    programme_summary,
)
from levelscope.monitor.programmes import add_spend, create_programme
from levelscope.monitor.tracking import add_indicator, record_actual
from levelscope.records.accounts import create_organisation
from levelscope.records.db import transaction

PLACE = "E08000027"
FW = load_framework()


def _programme(session, org: int, name: str, *, places=(PLACE,), published=True):  # type: ignore[no-untyped-def]
    return create_programme(
        session,
        org,
        name,
        start_date=dt.date(2024, 4, 1),
        end_date=dt.date(2030, 3, 31),
        places=places,
        published=published,
    )


def _indicator(session, programme):  # type: ignore[no-untyped-def]
    return add_indicator(
        session,
        programme,
        "Employment rate",
        stage="outcome",
        baseline_date=dt.date(2024, 4, 1),
        baseline_value=70.0,
        target_date=dt.date(2028, 4, 1),
        target_value=74.0,
    )


def build_records(factory) -> None:  # type: ignore[no-untyped-def]
    """Four programmes in the place (one unpublished) and one elsewhere.

    A: indicator with an actual; planned spend 2026, 2027, 2028, 2030.
    B: indicator, nothing recorded against it.   C: no indicator.
    D (unpublished): indicator with an actual; planned spend 2029.
    E (another place): indicator with an actual.
    """
    with transaction(factory, actor="alice") as session:
        org = create_organisation(session, "Dudley MBC").id
        a = _programme(session, org, "A")
        record_actual(session, _indicator(session, a), dt.date(2025, 4, 1), 71.0)
        for year in (2026, 2027, 2028, 2030):
            add_spend(session, a, year, "council", 1e6, kind="planned")
        add_spend(session, a, 2025, "council", 1e6, kind="actual")
        _indicator(session, _programme(session, org, "B"))
        _programme(session, org, "C")
        d = _programme(session, org, "D", published=False)
        record_actual(session, _indicator(session, d), dt.date(2025, 4, 1), 71.0)
        add_spend(session, d, 2029, "council", 1e6, kind="planned")
        e = _programme(session, org, "E", places=("E09000010",))
        record_actual(session, _indicator(session, e), dt.date(2025, 4, 1), 71.0)


def test_programme_summary_counts_the_place_programmes(factory) -> None:  # type: ignore[no-untyped-def]
    build_records(factory)
    with transaction(factory, actor="reader") as session:
        everything = programme_summary(session, PLACE, year=2026)
        published = programme_summary(session, PLACE, year=2026, published_only=True)
        elsewhere = programme_summary(session, "E06000001", year=2026)
    # all four in the place: A, B, D have indicators; A and D have actuals;
    # planned years {2026, 2027, 2028, 2029 (D), 2030}: 2027..2030 follow 2026 -> 4 years ahead
    assert (everything.n_programmes, everything.with_baselines_and_targets) == (4, 3)
    assert (everything.with_tracked_indicators, everything.years_of_committed_spend) == (2, 4)
    # published only (A, B, C): indicators A, B; tracked A; years 2027, 2028, then 2029 missing -> 2
    assert (published.n_programmes, published.with_baselines_and_targets) == (3, 2)
    assert (published.with_tracked_indicators, published.years_of_committed_spend) == (1, 2)
    assert elsewhere.n_programmes == 0


def test_evidence_from_records_replaces_the_covered_answers(factory) -> None:  # type: ignore[no-untyped-def]
    build_records(factory)
    answers = tuple(Answer(criterion_id=c, score=4) for c in FW.criterion_ids)
    claimed = Assessment(
        strategy="S", place_code=PLACE, assessor="T", date="2026-01-01", answers=answers
    )
    with transaction(factory, actor="reader") as session:
        evidenced = evidence_from_records(session, claimed, year=2026, published_only=True)
        untouched = evidence_from_records(
            session, claimed.model_copy(update={"place_code": "E06000001"}), year=2026
        )
    by_id = {a.criterion_id: a for a in evidenced.answers}
    # published: 2 of 3 with baseline and target = 0.667 -> level 3; 1 of 3 tracked = 0.333 -> 2;
    # 2 years of committed spend -> level 2
    assert [by_id[c].score for c in (BASELINES_TARGETS, TRACKING, MULTI_YEAR)] == [3, 2, 2]
    assert {by_id[c].source for c in (BASELINES_TARGETS, TRACKING, MULTI_YEAR)} == {"evidenced"}
    assert sum(a.source == "evidenced" for a in evidenced.answers) == 3
    result = score(evidenced, FW)
    assert result.factor("funding").n_evidenced == 1
    assert result.factor("political_will").n_evidenced == 0
    # no programmes in that place: every answer stays self-reported
    assert untouched.answers == claimed.model_copy(update={"place_code": "E06000001"}).answers


def test_committed_years_count_stops_at_the_first_gap() -> None:
    assert committed_years_ahead(set(), 2026) == 0
    assert committed_years_ahead({2026}, 2026) == 0  # only the current year
    assert committed_years_ahead({2027, 2028, 2030}, 2026) == 2
    assert committed_years_ahead({2028, 2029}, 2026) == 0  # 2027 missing


def test_local_knowledge_links_to_the_area_profile() -> None:
    (link,) = evidence_links(PLACE)
    assert link.factor_id == "local_knowledge" and link.url == f"/areas/{PLACE}"
    assert link.factor_id in FW.factor_ids
