"""Evidence from the rest of levelscope turned into evidenced scores.

Self-assessment tends to be generous. Where levelscope already holds records that bear on a
criterion, it can suggest the score those records support, marked ``source="evidenced"``:

* monitoring and evaluation — the share of the place's programmes that have both a baseline and a
  target, and the share that track indicators;
* funding — how many years ahead programme spend is committed.

The rules (shares to levels, years to levels) match the level descriptions of those criteria in
the shipped framework. The programme records themselves are read by the caller (the monitoring
part of levelscope) and passed in as a :class:`ProgrammeSummary`, so this module stays a pure
function of numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from levelscope.design.assessment import Answer, Assessment
from levelscope.errors import UndefinedMeasureError

BASELINES_TARGETS = "monitoring_evaluation.baselines_targets"
TRACKING = "monitoring_evaluation.tracking"
MULTI_YEAR = "funding.multi_year"


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

    Raises
    ------
    levelscope.errors.UndefinedMeasureError
        when there are no programmes: shares of zero programmes are undefined, so those
        criteria must stay self-reported.

    Example
    -------
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
    """The assessment with the evidenced answers replacing the self-reported ones they cover."""
    return assessment.with_answers(evidenced_answers(summary))
