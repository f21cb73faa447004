"""The declarative definition of a composite index, saved as a small YAML file.

A definition says everything needed to rebuild an index from the same data: which indicators,
with which polarity and in which pillar; how missing values and outliers are treated; how values
are normalised, weighted and aggregated; how areas are put into categories; and which
methodological alternatives the uncertainty analysis varies. It follows the steps of the
OECD/JRC *Handbook on Constructing Composite Indicators* (2008).

Examples
--------
>>> definition = IndexDefinition.model_validate({
...     "name": "Need",
...     "indicators": [
...         {"id": "unemployment", "polarity": 1, "pillar": "economy"},
...         {"id": "pay", "polarity": -1, "pillar": "economy"},
...     ],
... })
>>> definition.pillar_ids()
['economy']
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from levelscope.errors import Problem, ValidationError

NormalisationMethod = Literal[
    "min_max", "z_score", "rank", "distance_to_target", "distance_to_frontier", "goalposts"
]
ImputationMethod = Literal["none", "mean", "median", "group_mean", "regression"]
OutlierMethod = Literal["none", "winsorise", "log"]
WeightMethod = Literal["equal", "user", "pca", "factor"]
AggregationMethod = Literal["arithmetic", "geometric", "harmonic"]

#: Normalisations whose output is positive for every area, so that geometric and harmonic means
#: are defined (min-max and goalposts only when their lower bound is above zero).
_ALWAYS_POSITIVE: frozenset[str] = frozenset({"rank", "distance_to_frontier"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndicatorSpec(_Strict):
    """One indicator of the index.

    ``polarity`` is +1 when a higher raw value should raise the index score (for a need index:
    higher means more need, e.g. an unemployment rate) and -1 when it should lower it (e.g. pay).
    """

    id: str = Field(min_length=1)
    name: str | None = None
    polarity: Literal[1, -1] = 1
    pillar: str = "index"
    weight: float = Field(default=1.0, ge=0)
    target: float | None = None
    goalposts: tuple[float, float] | None = None

    @field_validator("goalposts")
    @classmethod
    def _ordered(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not value[0] < value[1]:
            raise ValueError("goalposts must be (low, high) with low < high")
        return value


class PillarSpec(_Strict):
    """A group of indicators aggregated into one sub-index before the index itself."""

    id: str = Field(min_length=1)
    name: str | None = None
    weight: float = Field(default=1.0, ge=0)


class MissingSpec(_Strict):
    """How missing values are treated.

    ``method="none"`` aggregates each area over the indicators it has, rescaling the weights;
    the other methods fill the gaps first. ``min_coverage`` is the share of indicators an area
    must have to be scored at all; areas below it are dropped and reported.
    """

    method: ImputationMethod = "none"
    group_column: str | None = None
    min_coverage: float = Field(default=0.5, gt=0, le=1)

    @model_validator(mode="after")
    def _group_needs_column(self) -> MissingSpec:
        if self.method == "group_mean" and not self.group_column:
            raise ValueError("method 'group_mean' needs group_column")
        return self


class OutlierSpec(_Strict):
    """Outlier treatment, applied to an indicator whose skewness and kurtosis both exceed the
    thresholds (defaults as in the JRC's COINr: |skew| > 2 and kurtosis > 3.5)."""

    method: OutlierMethod = "none"
    skew_threshold: float = Field(default=2.0, gt=0)
    kurtosis_threshold: float = Field(default=3.5, gt=0)
    max_winsorised: int = Field(default=5, ge=1)


class NormalisationSpec(_Strict):
    """How indicators are put on a common scale; ``low``/``high`` bound min-max and goalposts."""

    method: NormalisationMethod = "min_max"
    low: float = 0.0
    high: float = 100.0

    @model_validator(mode="after")
    def _range(self) -> NormalisationSpec:
        if not self.low < self.high:
            raise ValueError("low must be below high")
        return self


class WeightSpec(_Strict):
    """Indicator weights within pillars: equal, as set on each indicator ("user"), or from the
    data ("pca": first principal component; "factor": the Handbook's rotated-factor method)."""

    method: WeightMethod = "equal"


class AggregationSpec(_Strict):
    """How indicators are combined into pillars and pillars into the index."""

    indicators: AggregationMethod = "arithmetic"
    pillars: AggregationMethod = "arithmetic"


class CategorySpec(_Strict):
    """Categories of areas by index score.

    ``labels`` run from the highest score (e.g. "Priority 1", the most need) to the lowest.
    With ``method="quantile"`` the areas are split into equal-sized groups, or at the quantile
    probabilities in ``breaks``; with ``method="threshold"`` ``breaks`` are score values.
    ``breaks`` are ascending and there is one fewer than labels.
    """

    method: Literal["quantile", "threshold"] = "quantile"
    labels: tuple[str, ...] = ("Priority 1", "Priority 2", "Priority 3")
    breaks: tuple[float, ...] | None = None

    @model_validator(mode="after")
    def _breaks_match_labels(self) -> CategorySpec:
        if len(self.labels) < 2:
            raise ValueError("at least two labels are needed")
        if self.breaks is None:
            if self.method == "threshold":
                raise ValueError("method 'threshold' needs breaks")
            return self
        if len(self.breaks) != len(self.labels) - 1:
            raise ValueError(
                f"{len(self.labels)} labels need {len(self.labels) - 1} breaks, got {len(self.breaks)}"
            )
        if list(self.breaks) != sorted(set(self.breaks)):
            raise ValueError("breaks must be strictly ascending")
        if self.method == "quantile" and not all(0 < b < 1 for b in self.breaks):
            raise ValueError("quantile breaks are probabilities between 0 and 1")
        return self


class UncertaintySpec(_Strict):
    """The methodological alternatives the Monte Carlo uncertainty analysis samples.

    Each list holds the alternatives of one choice (the nominal choice need not be among them;
    a list with one entry holds that choice fixed). Weights vary by up to ``weight_variation``
    (a share, 0.25 = ±25 %) around their nominal values, uniformly.
    """

    imputation: tuple[ImputationMethod, ...] = ()
    outliers: tuple[OutlierMethod, ...] = ()
    normalisation: tuple[NormalisationMethod, ...] = ()
    aggregation: tuple[AggregationMethod, ...] = ()
    weight_variation: float = Field(default=0.25, ge=0, lt=1)
    pillar_weight_variation: float = Field(default=0.25, ge=0, lt=1)


class IndexDefinition(_Strict):
    """A complete, reproducible definition of a composite index."""

    name: str = Field(min_length=1)
    description: str | None = None
    indicators: tuple[IndicatorSpec, ...] = Field(min_length=1)
    pillars: tuple[PillarSpec, ...] = ()
    missing: MissingSpec = MissingSpec()
    outliers: OutlierSpec = OutlierSpec()
    normalisation: NormalisationSpec = NormalisationSpec()
    weights: WeightSpec = WeightSpec()
    aggregation: AggregationSpec = AggregationSpec()
    categories: CategorySpec = CategorySpec()
    uncertainty: UncertaintySpec = UncertaintySpec()

    @model_validator(mode="after")
    def _consistent(self) -> IndexDefinition:
        ids = [i.id for i in self.indicators]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"indicator ids repeat: {repeated}")
        declared = [p.id for p in self.pillars]
        if declared:
            unknown = sorted({i.pillar for i in self.indicators} - set(declared))
            if unknown:
                raise ValueError(f"indicators name pillars that are not declared: {unknown}")
            empty = [p for p in declared if p not in {i.pillar for i in self.indicators}]
            if empty:
                raise ValueError(f"pillars without indicators: {empty}")
        for spec in self.indicators:
            method = self.normalisation.method
            if method == "distance_to_target" and spec.target is None:
                raise ValueError(f"indicator {spec.id!r} needs a target for distance_to_target")
            if method == "goalposts" and spec.goalposts is None:
                raise ValueError(f"indicator {spec.id!r} needs goalposts for goalposts")
        if self.weights.method == "user" and sum(i.weight for i in self.indicators) == 0:
            raise ValueError("user weights are all zero")
        _check_positive(self.normalisation, self.aggregation)
        return self

    def pillar_ids(self) -> list[str]:
        """Pillar ids in the order declared (or first used, when none are declared)."""
        if self.pillars:
            return [p.id for p in self.pillars]
        return list(dict.fromkeys(i.pillar for i in self.indicators))

    def pillar_weights(self) -> dict[str, float]:
        """Nominal pillar weights, scaled to sum to one."""
        given = {p.id: p.weight for p in self.pillars}
        raw = {p: given.get(p, 1.0) for p in self.pillar_ids()}
        total = sum(raw.values())
        if total == 0:
            raise ValidationError(Problem("pillar weights are all zero", column="pillars"))
        return {p: w / total for p, w in raw.items()}

    def indicator_ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    # --- files -------------------------------------------------------------------------------

    @classmethod
    def from_yaml(cls, source: str | Path) -> IndexDefinition:
        """Read a definition from a YAML file (a path) or YAML text.

        Raises :class:`~levelscope.errors.ValidationError` naming the file and every field
        that is wrong, e.g. ``indicators.1.polarity``.
        """
        path = Path(source) if _looks_like_path(source) else None
        text = path.read_text(encoding="utf-8") if path else str(source)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValidationError(Problem(f"not valid YAML: {exc}", file=_name(path))) from exc
        return cls.from_dict(data, file=_name(path))

    @classmethod
    def from_dict(cls, data: object, *, file: str | None = None) -> IndexDefinition:
        """Validate a plain dictionary; errors name the field path and the value given."""
        try:
            return cls.model_validate(data)
        except pydantic.ValidationError as exc:
            problems = [
                Problem(
                    reason=err["msg"],
                    file=file,
                    column=".".join(str(p) for p in err["loc"]) or None,
                    value=err.get("input") if err["loc"] else None,
                )
                for err in exc.errors()
            ]
            raise ValidationError(problems) from exc

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The definition as YAML text; also written to ``path`` when given."""
        data = self.model_dump(mode="json", exclude_defaults=False)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


def positive_normalisation(spec: NormalisationSpec, method: str | None = None) -> bool:
    """True when ``method`` (default: the spec's own) always gives positive values."""
    method = method or spec.method
    return method in _ALWAYS_POSITIVE or (method in ("min_max", "goalposts") and spec.low > 0)


def _check_positive(normalisation: NormalisationSpec, aggregation: AggregationSpec) -> None:
    needs_positive = {aggregation.indicators, aggregation.pillars} - {"arithmetic"}
    if needs_positive and not positive_normalisation(normalisation):
        raise ValueError(
            f"{sorted(needs_positive)} aggregation needs positive normalised values: use "
            "normalisation 'rank' or 'distance_to_frontier', or min_max/goalposts with low > 0"
        )


def _looks_like_path(source: str | Path) -> bool:
    if isinstance(source, Path):
        return True
    return "\n" not in source and source.strip().endswith((".yaml", ".yml"))


def _name(path: Path | None) -> str | None:
    return str(path) if path else None
