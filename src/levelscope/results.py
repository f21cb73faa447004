"""What every analysis returns: a small frozen result with its numbers and their provenance.

A result class is a ``@dataclass(frozen=True)`` that inherits :class:`Result` and implements
``to_frame()``. It gets a readable ``repr`` (and an HTML one in notebooks) for free. Each figure a
user sees can say where it came from through :attr:`Result.provenance`.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from geopandas import GeoDataFrame

# pandas is imported where a table is made, so that a command that only reads the workspace
# (levelscope.data.store imports Provenance) starts without it.


@dataclass(frozen=True)
class Source:
    """Where a set of figures came from."""

    publisher: str
    dataset: str
    vintage: str | None = None
    licence: str | None = None
    url: str | None = None

    def __str__(self) -> str:
        # a user's own import may name no publisher: then the dataset alone, not ", dataset"
        parts = [", ".join(part for part in (self.publisher, self.dataset) if part)]
        if self.vintage:
            parts.append(f"released {self.vintage}")
        if self.licence:
            parts.append(self.licence)
        return "; ".join(parts)


@dataclass(frozen=True)
class Provenance:
    """The sources behind a result (empty when the user passed raw numbers in) and, for results
    that come from random draws, the seed that reproduces them."""

    sources: tuple[Source, ...] = ()
    seed: int | None = None

    @classmethod
    def of(cls, sources: Iterable[Source], seed: int | None = None) -> Provenance:
        unique = dict.fromkeys(sources)
        return cls(tuple(unique), seed)

    def with_seed(self, seed: object) -> Provenance:
        """The same sources with the random seed the figures were drawn with.

        Only an integer seed reproduces a run; for ``None`` or a ``numpy`` generator passed in,
        nothing is recorded.
        """
        return replace(self, seed=int(seed) if isinstance(seed, numbers.Integral) else None)

    def __add__(self, other: Provenance) -> Provenance:
        seed = self.seed if self.seed is not None else other.seed
        return Provenance.of((*self.sources, *other.sources), seed)

    def __str__(self) -> str:
        text = "; ".join(str(s) for s in self.sources) or "user-supplied data"
        return text if self.seed is None else f"{text}; random seed {self.seed}"


USER_DATA = Provenance()


def check_alpha(alpha: float) -> None:
    """A significance level must lie strictly between 0 and 1."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")


def seeded(seed: object) -> Provenance:
    """Provenance of user-supplied data drawn at random with ``seed``."""
    return USER_DATA.with_seed(seed)


@dataclass(frozen=True)
class Result:
    """Base of all result objects. Subclasses add their numbers as fields and define ``to_frame``.

    The contract every result keeps (``tests/test_results_contract.py`` walks them all): a frozen
    dataclass; ``to_frame()`` a tidy table (``geography_code`` where rows are areas);
    ``summary()`` lines a person reads; the shared ``repr`` and ``_repr_html_`` (summary, then
    the provenance); intervals from ``conf_int(alpha=None)`` as ``lower`` / ``upper`` columns;
    ``plot()`` a Plotly figure where a picture helps.
    """

    provenance: Provenance = field(default=USER_DATA, kw_only=True, repr=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give every subclass the shared ``repr``, whatever its dataclass decorator asks for.

        ``@dataclass`` runs after this and adds a field-by-field ``__repr__`` only to a class that
        has none in its own namespace, so putting the shared one there keeps it. A subclass that
        writes its own ``__repr__`` or ``_repr_html_`` breaks the contract and is refused.
        """
        super().__init_subclass__(**kwargs)
        for name in ("__repr__", "_repr_html_"):
            if name in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__} defines {name}: results share Result's (summary, then "
                    "provenance); say more in summary() instead"
                )
        cls.__repr__ = Result.__repr__  # type: ignore[method-assign]

    def to_frame(self) -> pd.DataFrame:
        """The result's numbers as a tidy table."""
        import pandas as pd

        scalars = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "provenance" and _is_scalar(getattr(self, f.name))
        }
        return pd.DataFrame([scalars])

    def to_geodataframe(self, shapes: GeoDataFrame) -> GeoDataFrame:
        """:meth:`to_frame` with each area's shape, for results whose rows are areas.

        ``shapes`` is a GeoDataFrame with ``geography_code`` and a geometry, e.g.
        ``ws.boundaries("lad")``; see :func:`levelscope.geo.with_geometry`. Needs the optional
        GeoPandas.
        """
        from levelscope.geo import with_geometry

        return with_geometry(self.to_frame(), shapes)

    def summary(self) -> str:
        """A few lines a person can read; subclasses say more where they can."""
        return f"{type(self).__name__}\n{self.to_frame().to_string(index=False)}"

    def __repr__(self) -> str:
        return f"{self.summary()}\nSource: {self.provenance}"

    def _repr_html_(self) -> str:
        table = self.to_frame().to_html(index=False, float_format=lambda v: f"{v:.6g}")
        return f"<strong>{type(self).__name__}</strong>{table}<small>Source: {self.provenance}</small>"


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None
