"""The case-study library: cited facts about the eight places behind the success factors.

The library (``data/case_studies.yaml``) describes Leipzig, Cleveland, Nantes and Fukuoka (the
2022 study) and Dudley, Enfield, South Yorkshire and Tees Valley (the 2024 English examples):
context, institutions, programmes with funding, sectors, outcomes, challenges, and practices
linked to the framework's factor ids. Every fact cites a reference and the part of it the fact
comes from; the schema below refuses a fact without one.

Examples
--------
>>> library = load_case_studies()
>>> [c.id for c in library.cases][:2]
['leipzig', 'cleveland']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from levelscope.design.context import PlaceContext
from levelscope.design.framework import (
    Framework,
    _default_path,
    read_yaml,
    validation_problems,
)
from levelscope.errors import NotFoundError, Problem, ValidationError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    """A publication facts are drawn from.

    ``kind`` says how close it is to the studies: the study itself (``report``), a summary by its
    publishers (``report_summary``), an article by one of its authors (``report_article``), a
    summary by someone else (``report_coverage``), official ``statistics``, or ``other``.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    publisher: str
    date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    url: str | None = None
    kind: Literal[
        "report", "report_summary", "report_article", "report_coverage", "statistics", "other"
    ]

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        # YAML reads 2024-03-01 as a date but 2024-03 as text; keep both as text.
        return value.isoformat() if isinstance(value, dt.date) else value


class Citation(_Strict):
    """A reference id and the section (or page) of it that a fact comes from."""

    ref: str
    section: str = Field(min_length=1)
    page: str | None = None


class Cited(_Strict):
    citations: tuple[Citation, ...] = Field(min_length=1)


class Fact(Cited):
    """A statement about a place, optionally with the figure it reports."""

    text: str = Field(min_length=1)
    value: float | None = None
    unit: str | None = None
    year: int | None = None


class CitedNumber(Cited):
    value: float = Field(gt=0)
    unit: str
    year: int | None = None
    area: str | None = None


class Governance(Cited):
    type: Literal["single_authority", "combined_authority"]


class CaseContext(_Strict):
    population: CitedNumber | None = None
    income_index: CitedNumber | None = None
    manufacturing_share: CitedNumber | None = None
    governance: Governance
    facts: tuple[Fact, ...] = ()


class Funding(Cited):
    amount: float | None = Field(default=None, ge=0)
    currency: str | None = None
    source_of_funds: str


class Programme(Cited):
    name: str
    description: str
    start: int | None = None
    end: int | None = None
    funding: tuple[Funding, ...] = ()


class Practice(Cited):
    """Something a place did that illustrates success factors (most relevant factor first)."""

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    title: str
    description: str
    factors: tuple[str, ...] = Field(min_length=1)


class CaseStudy(_Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    name: str
    country: str
    study: Literal["four_cities", "english_examples"]
    geography_code: str | None = None
    context: CaseContext
    institutions: tuple[Fact, ...] = ()
    programmes: tuple[Programme, ...] = ()
    sectors: tuple[Fact, ...] = ()
    outcomes: tuple[Fact, ...] = ()
    challenges: tuple[Fact, ...] = ()
    practices: tuple[Practice, ...] = ()

    def place_context(self) -> PlaceContext:
        """The numbers the similarity measure compares (missing figures stay ``None``)."""
        ctx = self.context
        return PlaceContext(
            population=ctx.population.value if ctx.population else None,
            income_index=ctx.income_index.value if ctx.income_index else None,
            manufacturing_share=ctx.manufacturing_share.value if ctx.manufacturing_share else None,
            governance=ctx.governance.type,
        )


class CaseLibrary(_Strict):
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    date: dt.date
    references: tuple[Reference, ...] = Field(min_length=1)
    cases: tuple[CaseStudy, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique_and_citations_resolve(self) -> CaseLibrary:
        ref_ids = [r.id for r in self.references]
        case_ids = [c.id for c in self.cases]
        practice_ids = [p.id for c in self.cases for p in c.practices]
        for kind, ids in (("reference", ref_ids), ("case", case_ids), ("practice", practice_ids)):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"duplicate {kind} ids: {duplicates}")
        unknown = sorted({c.ref for c in self.citations() if c.ref not in ref_ids})
        if unknown:
            raise ValueError(f"citations to unknown references: {unknown}")
        return self

    def case(self, case_id: str) -> CaseStudy:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise NotFoundError(f"no case study {case_id!r}; known: {[c.id for c in self.cases]}")

    def reference(self, ref_id: str) -> Reference:
        for ref in self.references:
            if ref.id == ref_id:
                return ref
        raise NotFoundError(f"no reference {ref_id!r}")

    def citations(self) -> Iterator[Citation]:
        """Every citation in the library."""
        for cited in self.cited_items():
            yield from cited.citations

    def cited_items(self) -> Iterator[Cited]:
        """Every fact, figure, programme, funding line and practice (each carries citations)."""
        for case in self.cases:
            ctx = case.context
            for item in (ctx.population, ctx.income_index, ctx.manufacturing_share, ctx.governance):
                if item is not None:
                    yield item
            yield from ctx.facts
            for group in (case.institutions, case.sectors, case.outcomes, case.challenges):
                yield from group
            for programme in case.programmes:
                yield programme
                yield from programme.funding
            yield from case.practices

    def practices_for(self, factor_id: str) -> Iterator[tuple[CaseStudy, Practice]]:
        """Every practice that illustrates ``factor_id``, with its case."""
        for case in self.cases:
            for practice in case.practices:
                if factor_id in practice.factors:
                    yield case, practice

    def check_factors(self, framework: Framework) -> None:
        """Raise :class:`ValidationError` if a practice names a factor the framework lacks."""
        known = set(framework.factor_ids)
        problems = [
            Problem(f"unknown factor id; known: {sorted(known)}", column=p.id, value=f)
            for c in self.cases
            for p in c.practices
            for f in p.factors
            if f not in known
        ]
        if problems:
            raise ValidationError(problems)


def load_case_studies(
    path: str | Path | None = None, framework: Framework | None = None
) -> CaseLibrary:
    """Load and validate a case-study library (the shipped one by default).

    If ``framework`` is given, practices must only name its factor ids.

    Parameters
    ----------
    path
        A case-study YAML file; ``None`` loads the shipped library.
    framework
        The framework whose factor ids practices may name.

    Returns
    -------
    CaseLibrary
        The cases, their practices and the references they cite.

    Raises
    ------
    levelscope.errors.ValidationError
        listing every schema problem with its field path.

    Examples
    --------
    >>> library = load_case_studies()
    >>> sorted(case.id for case in library.cases)[:3]
    ['cleveland', 'dudley', 'enfield']
    """
    import pydantic

    path = Path(path) if path is not None else _default_path("case_studies.yaml")
    data = read_yaml(path)
    try:
        library = CaseLibrary.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError(validation_problems(exc, str(path))) from exc
    if framework is not None:
        library.check_factors(framework)
    return library


def case_studies_json_schema() -> dict[str, Any]:
    """JSON Schema of the case-study file."""
    return CaseLibrary.model_json_schema()
