"""What every analysis returns: a small frozen result with its numbers and their provenance.

A result class is a ``@dataclass(frozen=True)`` that inherits :class:`Result` and implements
``to_frame()``. It gets a readable ``repr`` (and an HTML one in notebooks) for free. Each figure a
user sees can say where it came from through :attr:`Result.provenance`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Source:
    """Where a set of figures came from."""

    publisher: str
    dataset: str
    vintage: str | None = None
    licence: str | None = None
    url: str | None = None

    def __str__(self) -> str:
        parts = [f"{self.publisher}, {self.dataset}"]
        if self.vintage:
            parts.append(f"released {self.vintage}")
        if self.licence:
            parts.append(self.licence)
        return "; ".join(parts)


@dataclass(frozen=True)
class Provenance:
    """The sources behind a result; empty when the user passed raw numbers in."""

    sources: tuple[Source, ...] = ()

    @classmethod
    def of(cls, sources: Iterable[Source]) -> Provenance:
        unique = dict.fromkeys(sources)
        return cls(tuple(unique))

    def __add__(self, other: Provenance) -> Provenance:
        return Provenance.of((*self.sources, *other.sources))

    def __str__(self) -> str:
        return "; ".join(str(s) for s in self.sources) or "user-supplied data"


USER_DATA = Provenance()


@dataclass(frozen=True)
class Result:
    """Base of all result objects. Subclasses add their numbers as fields and define ``to_frame``."""

    provenance: Provenance = field(default=USER_DATA, kw_only=True, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The result's numbers as a tidy table."""
        scalars = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "provenance" and _is_scalar(getattr(self, f.name))
        }
        return pd.DataFrame([scalars])

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
