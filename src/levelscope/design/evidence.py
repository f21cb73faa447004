"""Evidence from the rest of levelscope turned into evidenced scores and links.

Self-assessment tends to be generous. Where levelscope already holds records that bear on a
criterion, it can suggest the score those records support, marked ``source="evidenced"``:

* monitoring and evaluation — the share of the place's programmes that have indicators with a
  baseline and a target, and the share whose indicators are tracked (at least one actual value
  recorded);
* funding — how many years ahead, after the current year, planned programme spend is recorded
  without a gap;
* local knowledge — a link to the place's area profile in the explorer (``/areas/<code>``), the
  evidence base a strategy team can check its own against.

The rules (shares to levels, years to levels) match the level descriptions of those criteria in
the shipped framework. :func:`programme_summary` reads the programme records through the
monitoring part of levelscope (read only); the rules themselves are pure functions of the counts
in a :class:`ProgrammeSummary`, so they can be checked by hand.

Examples
--------
>>> from levelscope.records.db import connect, transaction
>>> with transaction(connect(), actor="me") as session:                 # doctest: +SKIP
...     assessment = evidence_from_records(session, assessment, year=2026)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from levelscope.design.assessment import Answer, Assessment
from levelscope.errors import UndefinedMeasureError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

BASELINES_TARGETS = "monitoring_evaluation.baselines_targets"
TRACKING = "monitoring_evaluation.tracking"
MULTI_YEAR = "funding.multi_year"
LOCAL_KNOWLEDGE = "local_knowledge"
AREA_PROFILE_PATH = "/areas/{code}"


@dataclass(frozen=True)
class ProgrammeSummary:
    """Counts over a place's programmes, as the programme records show them.

    ``with_baselines_and_targets`` counts programmes having both; when only the two separate
    counts are known, :meth:`from_counts` takes the smaller as an upper bound on it.
    """

    n_programmes: int
    with_baselines_and_targets: int
    with_tracked_indicators: int
    years_of_committed_spend: int

    def __post_init__(self) -> None:
        counts = {
            "with_baselines_and_targets": self.with_baselines_and_targets,
            "with_tracked_indicators": self.with_tracked_indicators,
        }
        if self.n_programmes < 0 or self.years_of_committed_spend < 0:
            raise UndefinedMeasureError("counts and years must not be negative")
        for name, count in counts.items():
            if not 0 <= count <= self.n_programmes:
                raise UndefinedMeasureError(
                    f"{name}={count} must lie between 0 and n_programmes={self.n_programmes}"
                )

    @classmethod
    def from_counts(
        cls,
        n_programmes: int,
        with_baselines: int,
        with_targets: int,
        with_tracked_indicators: int,
        years_of_committed_spend: int,
    ) -> ProgrammeSummary:
        return cls(
            n_programmes=n_programmes,
            with_baselines_and_targets=min(with_baselines, with_targets),
            with_tracked_indicators=with_tracked_indicators,
            years_of_committed_spend=years_of_committed_spend,
        )


def share_level(share: float) -> int:
    """0 for none; 1 below a quarter; 2 below a half; 3 below three quarters; 4 from there."""
    if share <= 0:
        return 0
    for level, bound in ((1, 0.25), (2, 0.5), (3, 0.75)):
        if share < bound:
            return level
    return 4


def years_level(years: int) -> int:
    """0, 1 and 2 years map to their own level; 3–4 years to 3; 5 or more to 4."""
    if years <= 2:
        return years
    return 3 if years <= 4 else 4


def evidenced_answers(summary: ProgrammeSummary) -> list[Answer]:
    """Suggested, evidenced answers for the monitoring-and-evaluation and funding criteria.

    Parameters
    ----------
    summary
        The place's programmes counted.

    Returns
    -------
    list of Answer
        One evidenced answer per criterion the counts can score.

    Raises
    ------
    levelscope.errors.UndefinedMeasureError
        when there are no programmes: shares of zero programmes are undefined, so those
        criteria must stay self-reported.

    Examples
    --------
    >>> s = ProgrammeSummary(n_programmes=8, with_baselines_and_targets=5,
    ...                      with_tracked_indicators=2, years_of_committed_spend=3)
    >>> [a.score for a in evidenced_answers(s)]  # 5/8 -> 3; 2/8 -> 2; 3 years -> 3
    [3, 2, 3]
    """
    n = summary.n_programmes
    if n == 0:
        raise UndefinedMeasureError(
            "no programmes recorded for this place: monitoring scores cannot be evidenced"
        )
    bt, tracked = summary.with_baselines_and_targets, summary.with_tracked_indicators
    years = summary.years_of_committed_spend
    return [
        Answer(
            criterion_id=BASELINES_TARGETS,
            score=share_level(bt / n),
            evidence=f"{bt} of {n} programmes have both a baseline and a target.",
            source="evidenced",
        ),
        Answer(
            criterion_id=TRACKING,
            score=share_level(tracked / n),
            evidence=f"{tracked} of {n} programmes track indicators.",
            source="evidenced",
        ),
        Answer(
            criterion_id=MULTI_YEAR,
            score=years_level(years),
            evidence=f"Programme spend is committed {years} year(s) ahead.",
            source="evidenced",
        ),
    ]


def apply_evidence(assessment: Assessment, summary: ProgrammeSummary) -> Assessment:
    """The assessment with the evidenced answers replacing the self-reported ones they cover.

    Parameters
    ----------
    assessment
        The self-assessment.
    summary
        The place's programmes counted, e.g. by :func:`programme_summary`.

    Returns
    -------
    Assessment
        The same assessment with the monitoring and funding answers evidenced.

    Examples
    --------
    >>> from levelscope.design import load_framework, parse_submission, score
    >>> framework = load_framework()
    >>> answers = {c.id: {"score": 2} for factor in framework.factors for c in factor.criteria}
    >>> submission = {"strategy": "Inclusive growth", "place_code": "E08000025",
    ...               "assessor": "A. Analyst", "date": "2025-06-30", "answers": answers}
    >>> assessment = parse_submission(submission, framework)
    >>> counts = ProgrammeSummary(n_programmes=8, with_baselines_and_targets=5,
    ...                           with_tracked_indicators=2, years_of_committed_spend=3)
    >>> [(a.criterion_id, a.score) for a in apply_evidence(assessment, counts).answers
    ...  if a.source == "evidenced"]  # doctest: +NORMALIZE_WHITESPACE
    [('monitoring_evaluation.baselines_targets', 3), ('monitoring_evaluation.tracking', 2),
     ('funding.multi_year', 3)]
    """
    return assessment.with_answers(evidenced_answers(summary))


def committed_years_ahead(planned_years: set[int], year: int) -> int:
    """How many years after ``year`` have planned spend, counting up to the first year without.

    >>> committed_years_ahead({2026, 2027, 2028, 2030}, 2026)  # 2027, 2028; 2029 is missing
    2
    """
    ahead = 0
    while year + ahead + 1 in planned_years:
        ahead += 1
    return ahead


def programme_summary(
    session: Session, place_code: str, *, year: int, published_only: bool = False
) -> ProgrammeSummary:
    """Count the place's programmes in the records database (read only).

    A programme counts for the place when the place's code is among its places. It *has
    baselines and targets* when it has at least one indicator (every indicator is recorded with
    both); its indicators are *tracked* when at least one of them has an actual value recorded.
    Committed spend is :func:`committed_years_ahead` over the years with planned spend above
    zero in any of the place's programmes.

    Parameters
    ----------
    session : an open records session.
    place_code : the assessed place's geography code.
    year : the current year; spend is "committed ahead" from the year after.
    published_only : count only published programmes (for readers who may not see the rest).

    Returns
    -------
    ProgrammeSummary
        The counts.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from levelscope.records.db import connect, transaction
    >>> factory = connect(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}")
    >>> import datetime as dt
    >>> from levelscope.monitor.programmes import create_programme
    >>> from levelscope.records.accounts import create_organisation
    >>> with transaction(factory, actor="analyst@example.org") as session:
    ...     council = create_organisation(session, "Birmingham City Council")
    ...     fund = create_programme(session, council.id, "Skills fund", places=["E08000025"],
    ...                             start_date=dt.date(2024, 4, 1), end_date=dt.date(2027, 3, 31))
    ...     programme_summary(session, "E08000025", year=2025).n_programmes
    1
    """
    from sqlalchemy import select

    from levelscope.monitor.indicator_records import Actual
    from levelscope.monitor.programmes import SpendKind, list_programmes

    programmes = [
        p
        for p in list_programmes(session)
        if place_code in p.place_codes and (p.published or not published_only)
    ]
    with_indicators = [p for p in programmes if p.indicators]
    indicator_ids = [i.id for p in with_indicators for i in p.indicators]
    tracked_ids = (
        set(session.scalars(select(Actual.indicator_id).where(Actual.indicator_id.in_(indicator_ids))))
        if indicator_ids
        else set()
    )
    tracked = [p for p in with_indicators if any(i.id in tracked_ids for i in p.indicators)]
    planned_years = {
        s.year for p in programmes for s in p.spend if s.kind == SpendKind.PLANNED and s.amount > 0
    }
    return ProgrammeSummary(
        n_programmes=len(programmes),
        with_baselines_and_targets=len(with_indicators),
        with_tracked_indicators=len(tracked),
        years_of_committed_spend=committed_years_ahead(planned_years, year),
    )


def evidence_from_records(
    session: Session, assessment: Assessment, *, year: int, published_only: bool = False
) -> Assessment:
    """The assessment with evidenced monitoring and funding answers from the programme records.

    When the place has no programmes recorded, nothing can be evidenced and the assessment is
    returned unchanged (its answers stay self-reported).

    Parameters
    ----------
    session
        An open records session.
    assessment
        The self-assessment.
    year
        The current year, from which committed spend is counted.
    published_only
        Count only programmes marked published (for answers shown to the public).

    Returns
    -------
    Assessment
        The assessment with what the records evidence, or unchanged.

    Examples
    --------
    >>> from levelscope.design import load_framework, parse_submission, score
    >>> framework = load_framework()
    >>> answers = {c.id: {"score": 2} for factor in framework.factors for c in factor.criteria}
    >>> submission = {"strategy": "Inclusive growth", "place_code": "E08000025",
    ...               "assessor": "A. Analyst", "date": "2025-06-30", "answers": answers}
    >>> assessment = parse_submission(submission, framework)
    >>> import pathlib, tempfile
    >>> from levelscope.records.db import connect, transaction
    >>> factory = connect(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}")
    >>> with transaction(factory, actor="analyst@example.org") as session:
    ...     evidenced = evidence_from_records(session, assessment, year=2025)
    >>> evidenced == assessment  # no programmes recorded for the place yet
    True
    """
    summary = programme_summary(
        session, assessment.place_code, year=year, published_only=published_only
    )
    if summary.n_programmes == 0:
        return assessment
    return apply_evidence(assessment, summary)


@dataclass(frozen=True)
class EvidenceLink:
    """A page of levelscope that holds evidence for a factor."""

    factor_id: str
    label: str
    url: str


def evidence_links(place_code: str) -> list[EvidenceLink]:
    """Links from the assessment to the evidence levelscope holds about the place.

    Parameters
    ----------
    place_code
        The assessed place's geography code.

    Returns
    -------
    list of EvidenceLink
        Each with the factor it informs, a label and the page's address.

    Examples
    --------
    >>> [link.url for link in evidence_links("E08000025")]
    ['/areas/E08000025']
    """
    return [
        EvidenceLink(
            factor_id=LOCAL_KNOWLEDGE,
            label=f"Area profile of {place_code}: how it compares with the median and its peers",
            url=AREA_PROFILE_PATH.format(code=place_code),
        )
    ]
