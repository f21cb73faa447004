"""The success-factor framework: what a strategy is assessed against.

The framework lives in a reviewable YAML file (``data/framework.yaml``): ten success factors from
the CIPFA / City-REDI studies *Investing in regional equality: lessons from four cities* (2022) and
*four English examples* (2024), each with a definition, a weight and assessment criteria. Every
criterion is a question with a 0–4 maturity rubric saying what each level looks like and what
evidence would support it. This module holds the schema the file must satisfy and its loader.

Examples
--------
>>> fw = load_framework()
>>> len(fw.factors), fw.factors[0].id
(10, 'political_will')
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, model_validator

from levelscope.errors import NotFoundError, Problem, ValidationError

MAX_LEVEL = 4
LEVELS = tuple(range(MAX_LEVEL + 1))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricLevel(_Strict):
    """What one maturity level of a criterion looks like, and the evidence that supports it."""

    level: int = Field(ge=0, le=MAX_LEVEL)
    description: str = Field(min_length=1)
    evidence: str = Field(min_length=1)


class Criterion(_Strict):
    """One assessment question, scored 0–4 against its rubric."""

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    question: str = Field(min_length=1)
    weight: PositiveFloat = 1.0
    rubric: tuple[RubricLevel, ...]

    @model_validator(mode="after")
    def _one_rubric_entry_per_level(self) -> Criterion:
        levels = tuple(r.level for r in self.rubric)
        if levels != LEVELS:
            raise ValueError(f"criterion {self.id!r}: rubric levels must be {LEVELS}, got {levels}")
        return self


class SourceRef(_Strict):
    """Where the framework's factor list comes from (a reference id of the case library)."""

    id: str
    section: str


class SuccessFactor(_Strict):
    """A success factor: definition, weight and the criteria that measure it."""

    id: str = Field(pattern=r"^[a-z_]+$")
    name: str = Field(min_length=1)
    origin: Literal["four_cities", "english_examples"]
    weight: PositiveFloat = 1.0
    definition: str = Field(min_length=1)
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _criteria_belong_to_factor(self) -> SuccessFactor:
        for criterion in self.criteria:
            if not criterion.id.startswith(f"{self.id}."):
                raise ValueError(f"criterion {criterion.id!r} must start with {self.id + '.'!r}")
        return self


class MaturityLevel(_Strict):
    level: int = Field(ge=0, le=MAX_LEVEL)
    label: str


class Framework(_Strict):
    """The versioned framework: factors, criteria, rubrics and weights."""

    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    date: dt.date
    title: str
    maturity_levels: tuple[MaturityLevel, ...]
    sources: tuple[SourceRef, ...] = ()
    factors: tuple[SuccessFactor, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique_and_levels_complete(self) -> Framework:
        factor_ids = [f.id for f in self.factors]
        criterion_ids = [c.id for f in self.factors for c in f.criteria]
        for kind, ids in (("factor", factor_ids), ("criterion", criterion_ids)):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"duplicate {kind} ids: {duplicates}")
        if tuple(m.level for m in self.maturity_levels) != LEVELS:
            raise ValueError(f"maturity_levels must list levels {LEVELS} in order")
        return self

    def factor(self, factor_id: str) -> SuccessFactor:
        """The factor with this id; :class:`NotFoundError` if there is none."""
        for factor in self.factors:
            if factor.id == factor_id:
                return factor
        raise NotFoundError(f"no success factor {factor_id!r}; known: {self.factor_ids}")

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id; :class:`NotFoundError` if there is none."""
        for factor in self.factors:
            for criterion in factor.criteria:
                if criterion.id == criterion_id:
                    return criterion
        raise NotFoundError(f"no criterion {criterion_id!r} in framework {self.version}")

    @property
    def factor_ids(self) -> list[str]:
        return [f.id for f in self.factors]

    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for f in self.factors for c in f.criteria]

    def maturity_label(self, level: int) -> str:
        """The name of a whole maturity level (0 Absent … 4 Leading)."""
        return self.maturity_levels[level].label


def _default_path(name: str) -> Path:
    return Path(str(resources.files("levelscope.design") / "data" / name))


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file, turning a syntax error into a located :class:`ValidationError`."""
    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        row = mark.line + 1 if mark is not None else None
        raise ValidationError(
            Problem(f"not valid YAML: {exc.problem}", file=str(path), row=row)
        ) from exc


def validation_problems(exc: Any, file: str | None) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into levelscope problems naming the field path."""
    return [
        Problem(
            reason=err["msg"],
            file=file,
            column=".".join(str(p) for p in err["loc"]) or None,
            value=err.get("input") if not isinstance(err.get("input"), dict | list) else None,
        )
        for err in exc.errors()
    ]


def load_framework(path: str | Path | None = None) -> Framework:
    """Load and validate a framework file (the shipped one by default).

    Parameters
    ----------
    path : path of a framework YAML file; ``None`` loads ``levelscope/design/data/framework.yaml``.

    Returns
    -------
    Framework

    Raises
    ------
    levelscope.errors.ValidationError
        listing every schema problem, each naming the field path.

    Examples
    --------
    >>> framework = load_framework()
    >>> framework.version, len(framework.factors)
    ('1.0.0', 10)
    """
    import pydantic

    path = Path(path) if path is not None else _default_path("framework.yaml")
    data = read_yaml(path)
    try:
        return Framework.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError(validation_problems(exc, str(path))) from exc


def framework_json_schema() -> dict[str, Any]:
    """JSON Schema of the framework file, for editors and external validators.

    Returns
    -------
    dict
        The schema (JSON Schema draft 2020-12, as pydantic writes it).

    Examples
    --------
    >>> sorted(framework_json_schema()["required"])
    ['date', 'factors', 'maturity_levels', 'title', 'version']
    """
    return Framework.model_json_schema()
