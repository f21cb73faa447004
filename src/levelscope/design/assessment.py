"""Score a strategy against the success factors, find its gaps, and point to practices elsewhere.

Scoring
-------
Each criterion *c* of factor *f* is answered with a maturity score ``s_c`` in 0–4 and has a
weight ``w_c``. The factor score is the weighted mean scaled to 0–100, and the overall score is
the factor scores' weighted mean with the factor weights ``W_f``::

    F_f     = 100 · Σ_c w_c s_c / (4 · Σ_c w_c)
    overall = Σ_f W_f F_f / Σ_f W_f

A factor's maturity level is the level its mean rubric score has reached, ``floor(F_f / 25)``
(62.5 is a mean of 2.5, so "Developing").

Gaps and practices
------------------
A gap is a factor scoring below a threshold (75, "Established", by default). For each gap the
case-study practices that illustrate the factor are ranked first by *factor relevance* — 1 if the
factor is the practice's first-listed factor, 1/2 if second, 1/k if k-th — then by *context
similarity* between the assessed place and the case's place (:mod:`levelscope.design.context`),
highest first; practices whose similarity is undefined come last within their relevance tier.
A case whose geography code is the assessed place itself is left out.

Examples
--------
>>> from levelscope.design import load_framework
>>> fw = load_framework()
>>> answers = [Answer(criterion_id=c, score=2) for c in fw.criterion_ids]
>>> result = score(Assessment(strategy="Plan", place_code="E08000027", assessor="A. N. Other",
...                           date="2026-01-01", answers=answers), fw)
>>> result.overall
50.0
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from levelscope.design.context import PlaceContext, context_distance, feature_scales
from levelscope.design.framework import MAX_LEVEL, Framework
from levelscope.errors import NotFoundError, Problem, ValidationError
from levelscope.results import Provenance, Result, Source

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from levelscope.design.case_studies import CaseLibrary

AnswerSource = Literal["self-reported", "evidenced"]
DEFAULT_GAP_THRESHOLD = 75.0


class Answer(BaseModel):
    """One criterion's score (0–4), the evidence given for it, and whether it is evidenced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    criterion_id: str
    score: StrictInt = Field(ge=0, le=MAX_LEVEL)
    evidence: str = ""
    source: AnswerSource = "self-reported"


class Assessment(BaseModel):
    """A strategy's answers to the framework's criteria, with who assessed it and when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    strategy: str = Field(min_length=1)
    place_code: str = Field(min_length=1)
    assessor: str = Field(min_length=1)
    date: dt.date
    framework_version: str | None = None
    answers: tuple[Answer, ...]
    context: PlaceContext | None = None

    def answer(self, criterion_id: str) -> Answer:
        for answer in self.answers:
            if answer.criterion_id == criterion_id:
                return answer
        raise NotFoundError(f"no answer for criterion {criterion_id!r}")

    def with_answers(self, replacements: Sequence[Answer]) -> Assessment:
        """A copy in which answers for the same criteria are replaced (others kept)."""
        new = {a.criterion_id: a for a in replacements}
        kept = [new.pop(a.criterion_id, a) for a in self.answers]
        return self.model_copy(update={"answers": (*kept, *new.values())})


@dataclass(frozen=True)
class FactorScore:
    """One factor's score on 0–100 and its maturity label."""

    factor_id: str
    name: str
    weight: float
    score: float
    maturity: str
    n_criteria: int
    n_evidenced: int


@dataclass(frozen=True, repr=False)
class AssessmentResult(Result):
    """The scored assessment: overall and per-factor scores, and the answers behind them."""

    strategy: str
    place_code: str
    assessor: str
    date: dt.date
    framework_version: str
    overall: float
    factors: tuple[FactorScore, ...]
    answers: tuple[Answer, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per factor: id, name, weight, score (0–100), maturity, evidenced answers."""
        return pd.DataFrame([vars(f) for f in self.factors])

    def criteria_frame(self) -> pd.DataFrame:
        """One row per answered criterion."""
        return pd.DataFrame([a.model_dump() for a in self.answers])

    def summary(self) -> str:
        lines = [
            f"Assessment of {self.strategy!r} for {self.place_code}"
            f" by {self.assessor}, {self.date}",
            f"Framework {self.framework_version}; overall score {self.overall:.1f} / 100",
        ]
        lines += [f"  {f.score:5.1f}  {f.maturity:<11} {f.name}" for f in self.factors]
        return "\n".join(lines)

    def factor(self, factor_id: str) -> FactorScore:
        for f in self.factors:
            if f.factor_id == factor_id:
                return f
        raise NotFoundError(f"no factor {factor_id!r} in this assessment")

    def weakest(self, n: int = 3) -> list[FactorScore]:
        """The ``n`` lowest-scoring factors; ties go to the higher weight, then framework order."""
        order = {f.factor_id: i for i, f in enumerate(self.factors)}
        ranked = sorted(self.factors, key=lambda f: (f.score, -f.weight, order[f.factor_id]))
        return ranked[:n]

    def gaps(self, threshold: float = DEFAULT_GAP_THRESHOLD) -> list[FactorScore]:
        """Factors scoring below ``threshold``, weakest first (same tie rule as :meth:`weakest`)."""
        return [f for f in self.weakest(len(self.factors)) if f.score < threshold]

    @property
    def evidenced_share(self) -> float:
        """Share of answers marked evidenced rather than self-reported."""
        return sum(a.source == "evidenced" for a in self.answers) / len(self.answers)

    def plot(self) -> go.Figure:
        """Radar chart of the factor scores."""
        from levelscope.design.plot import radar_chart

        return radar_chart(self)


def score(assessment: Assessment, framework: Framework) -> AssessmentResult:
    """Score an assessment against a framework (formulas in the module docstring).

    Parameters
    ----------
    assessment
        The answers, e.g. from :func:`~levelscope.design.questionnaire.parse_submission`.
    framework
        The framework they answer.

    Returns
    -------
    AssessmentResult
        Each criterion's and factor's score (0–100) and maturity level, and the overall score.

    Examples
    --------
    >>> from levelscope.design import load_framework, parse_submission
    >>> framework = load_framework()
    >>> answers = {c.id: {"score": 2} for factor in framework.factors for c in factor.criteria}
    >>> submission = {"strategy": "Inclusive growth", "place_code": "E08000025",
    ...               "assessor": "A. Analyst", "date": "2025-06-30", "answers": answers}
    >>> assessment = parse_submission(submission, framework)
    >>> score(assessment, framework).overall  # every criterion at level 2 of 4
    50.0

    Raises
    ------
    levelscope.errors.ValidationError
        if a criterion is unanswered, an answer names an unknown criterion, or the assessment
        was made against another framework version.
    """
    _check_complete(assessment, framework)
    answers = {a.criterion_id: a for a in assessment.answers}
    factors = []
    for factor in framework.factors:
        total_weight = sum(c.weight for c in factor.criteria)
        weighted = sum(c.weight * answers[c.id].score for c in factor.criteria)
        value = 100.0 * weighted / (MAX_LEVEL * total_weight)
        level = min(MAX_LEVEL, math.floor(value / (100 / MAX_LEVEL) + 1e-9))
        factors.append(
            FactorScore(
                factor_id=factor.id,
                name=factor.name,
                weight=factor.weight,
                score=value,
                maturity=framework.maturity_label(level),
                n_criteria=len(factor.criteria),
                n_evidenced=sum(answers[c.id].source == "evidenced" for c in factor.criteria),
            )
        )
    overall = sum(f.weight * f.score for f in factors) / sum(f.weight for f in factors)
    return AssessmentResult(
        strategy=assessment.strategy,
        place_code=assessment.place_code,
        assessor=assessment.assessor,
        date=assessment.date,
        framework_version=framework.version,
        overall=overall,
        factors=tuple(factors),
        answers=tuple(answers[c] for c in framework.criterion_ids),
        provenance=framework_provenance(framework),
    )


def framework_provenance(framework: Framework) -> Provenance:
    return Provenance.of(
        [
            Source(
                publisher="CIPFA / City-REDI success factors, as levelscope's assessment framework",
                dataset=f"{framework.title} v{framework.version}",
                vintage=framework.date.isoformat(),
            )
        ]
    )


def _check_complete(assessment: Assessment, framework: Framework) -> None:
    problems = []
    if assessment.framework_version not in (None, framework.version):
        problems.append(
            Problem(
                f"assessment was made against framework {assessment.framework_version}, "
                f"not {framework.version}",
                column="framework_version",
                value=assessment.framework_version,
            )
        )
    known = set(framework.criterion_ids)
    seen: set[str] = set()
    for answer in assessment.answers:
        if answer.criterion_id not in known:
            problems.append(Problem("unknown criterion", column=answer.criterion_id))
        elif answer.criterion_id in seen:
            problems.append(Problem("answered twice", column=answer.criterion_id))
        seen.add(answer.criterion_id)
    problems += [Problem("no answer", column=c) for c in framework.criterion_ids if c not in seen]
    if problems:
        raise ValidationError(problems)


# --- practices for the gaps --------------------------------------------------------------------


@dataclass(frozen=True)
class RankedPractice:
    """A case-study practice offered for a gap, with why it ranks where it does."""

    case_id: str
    case_name: str
    practice_id: str
    title: str
    description: str
    relevance: float
    similarity: float | None
    citations: tuple[str, ...]


@dataclass(frozen=True)
class GapPractices:
    factor_id: str
    factor_name: str
    score: float
    practices: tuple[RankedPractice, ...]


@dataclass(frozen=True, repr=False)
class Recommendations(Result):
    """For each gap (weakest first), the most relevant case-study practices."""

    threshold: float
    gaps: tuple[GapPractices, ...]

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "factor_id": g.factor_id,
                "factor_score": g.score,
                "rank": rank,
                "case_id": p.case_id,
                "practice_id": p.practice_id,
                "title": p.title,
                "relevance": p.relevance,
                "similarity": p.similarity,
            }
            for g in self.gaps
            for rank, p in enumerate(g.practices, start=1)
        ]
        return pd.DataFrame(rows)

    def summary(self) -> str:
        if not self.gaps:
            return f"No factor scores below {self.threshold:g}."
        lines = []
        for g in self.gaps:
            lines.append(f"{g.factor_name} ({g.score:.1f}):")
            lines += [f"  - {p.case_name}: {p.title}" for p in g.practices] or ["  (no practice)"]
        return "\n".join(lines)


def factor_relevance(factor_id: str, factors: Sequence[str]) -> float:
    """1/k when ``factor_id`` is the k-th factor a practice lists, 0 when it is not listed."""
    return 1.0 / (list(factors).index(factor_id) + 1) if factor_id in factors else 0.0


def recommend(
    result: AssessmentResult,
    library: CaseLibrary,
    context: PlaceContext | None = None,
    *,
    threshold: float = DEFAULT_GAP_THRESHOLD,
    per_gap: int = 3,
    scales: Mapping[str, float] | None = None,
) -> Recommendations:
    """Rank case-study practices for every gap of a scored assessment.

    Parameters
    ----------
    result : the scored assessment.
    library : the case-study library.
    context : the assessed place's context; without it (or without shared figures) practices
        rank by factor relevance alone.
    threshold : factors scoring below this are gaps.
    per_gap : how many practices to keep for each gap.
    scales : feature scales for the distance; default the sample standard deviations over the
        library's places plus this place (:func:`levelscope.design.context.feature_scales`).

    Returns
    -------
    Recommendations
        For each gap, the best-matching practices with the case each comes from.

    Examples
    --------
    >>> from levelscope.design import load_framework, parse_submission, score
    >>> framework = load_framework()
    >>> answers = {c.id: {"score": 2} for factor in framework.factors for c in factor.criteria}
    >>> submission = {"strategy": "Inclusive growth", "place_code": "E08000025",
    ...               "assessor": "A. Analyst", "date": "2025-06-30", "answers": answers}
    >>> assessment = parse_submission(submission, framework)
    >>> result = score(assessment, framework)
    >>> from levelscope.design import load_case_studies
    >>> advice = recommend(result, load_case_studies(), per_gap=2)
    >>> len(advice.gaps), max(len(gap.practices) for gap in advice.gaps)  # every factor is a gap at 50
    (10, 2)
    """
    case_contexts = {c.id: c.place_context() for c in library.cases}
    if scales is None:
        references = list(case_contexts.values()) + ([context] if context else [])
        scales = feature_scales(references)
    similarity: dict[str, float | None] = {}
    for case_id, case_context in case_contexts.items():
        distance = context_distance(context, case_context, scales) if context else None
        similarity[case_id] = None if distance is None else 1.0 / (1.0 + distance)

    gaps = []
    for gap in result.gaps(threshold):
        ranked = [
            RankedPractice(
                case_id=case.id,
                case_name=case.name,
                practice_id=practice.id,
                title=practice.title,
                description=practice.description,
                relevance=factor_relevance(gap.factor_id, practice.factors),
                similarity=similarity[case.id],
                citations=tuple(f"{c.ref}, {c.section}" for c in practice.citations),
            )
            for case, practice in library.practices_for(gap.factor_id)
            if case.geography_code != result.place_code  # a place learns from others
        ]
        ranked.sort(key=_rank_key)
        gaps.append(GapPractices(gap.factor_id, gap.name, gap.score, tuple(ranked[:per_gap])))
    return Recommendations(threshold=threshold, gaps=tuple(gaps), provenance=result.provenance)


def _rank_key(p: RankedPractice) -> tuple[float, int, float, str]:
    has_similarity = p.similarity is not None
    return (-p.relevance, 0 if has_similarity else 1, -(p.similarity or 0.0), p.practice_id)


# --- progress over time ------------------------------------------------------------------------


@dataclass(frozen=True)
class FactorChange:
    factor_id: str
    name: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True, repr=False)
class AssessmentComparison(Result):
    """Two assessments of the same place's strategy: did the scores improve?"""

    place_code: str
    before_date: dt.date
    after_date: dt.date
    overall_before: float
    overall_after: float
    factors: tuple[FactorChange, ...]

    @property
    def overall_change(self) -> float:
        return self.overall_after - self.overall_before

    @property
    def improved(self) -> bool:
        """True when the overall score rose."""
        return self.overall_change > 0

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"factor_id": f.factor_id, "before": f.before, "after": f.after, "change": f.change}
                for f in self.factors
            ]
        )

    def summary(self) -> str:
        verdict = "improved" if self.improved else "did not improve"
        lines = [
            f"{self.place_code}: overall {self.overall_before:.1f} ({self.before_date}) -> "
            f"{self.overall_after:.1f} ({self.after_date}), {verdict} ({self.overall_change:+.1f})"
        ]
        lines += [f"  {f.change:+6.1f}  {f.name}" for f in self.factors]
        return "\n".join(lines)


def compare(before: AssessmentResult, after: AssessmentResult) -> AssessmentComparison:
    """Compare two scored assessments of the same place, factor by factor.

    Parameters
    ----------
    before, after
        The earlier and the later scored assessment.

    Returns
    -------
    AssessmentComparison
        Each factor's change and the overall change.

    Examples
    --------
    >>> from levelscope.design import load_framework, parse_submission
    >>> framework = load_framework()
    >>> answers = {c.id: {"score": 2} for factor in framework.factors for c in factor.criteria}
    >>> submission = {"strategy": "Inclusive growth", "place_code": "E08000025",
    ...               "assessor": "A. Analyst", "date": "2025-06-30", "answers": answers}
    >>> assessment = parse_submission(submission, framework)
    >>> result = score(assessment, framework)
    >>> better = {**answers, **{c.id: {"score": 4} for c in framework.factors[0].criteria}}
    >>> later = score(parse_submission({**submission, "date": "2026-06-30", "answers": better},
    ...                                framework), framework)
    >>> compare(result, later).overall_change  # one factor of ten from 50 to 100
    5.0

    Raises
    ------
    levelscope.errors.ValidationError
        if the places differ or the two were scored on different sets of factors.
    """
    problems = []
    if before.place_code != after.place_code:
        problems.append(
            Problem(
                "assessments are of different places", column="place_code", value=after.place_code
            )
        )
    ids_before = [f.factor_id for f in before.factors]
    ids_after = [f.factor_id for f in after.factors]
    if set(ids_before) != set(ids_after):
        problems.append(
            Problem(
                f"factor sets differ: {sorted(set(ids_before) ^ set(ids_after))}", column="factors"
            )
        )
    if problems:
        raise ValidationError(problems)
    changes = tuple(
        FactorChange(f.factor_id, f.name, f.score, after.factor(f.factor_id).score)
        for f in before.factors
    )
    return AssessmentComparison(
        place_code=after.place_code,
        before_date=before.date,
        after_date=after.date,
        overall_before=before.overall,
        overall_after=after.overall,
        factors=changes,
        provenance=before.provenance + after.provenance,
    )
