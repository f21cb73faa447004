"""Old names that keep working for one release, with a warning that names the new one.

When a parameter or a result field is renamed to the name :doc:`the glossary <glossary>` gives
its idea, the old name stays usable for one release: calls and attribute reads that use it get a
``FutureWarning`` (shown to users by default, unlike ``DeprecationWarning``) and the new name's
value. Some renames also change the scale, e.g. a confidence level ``ci=0.95`` becomes
``alpha=0.05``: the old value is converted.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

#: A new name, or a new name and the function that converts an old value to it.
Rename = str | tuple[str, Callable[[Any], Any]]


class RenamedWarning(FutureWarning):
    """An old name was used. A ``FutureWarning``, so users see it; its own class, so that the test
    suite can turn levelscope's (and only levelscope's) into errors."""


def warn_renamed(old: str, new: str, where: str, *, stacklevel: int = 3) -> None:
    """Warn that ``old`` is now ``new`` (in ``where``, a function or class name)."""
    warnings.warn(
        f"{where}: {old!r} is now called {new!r}; the old name will be removed in the next release",
        RenamedWarning,
        stacklevel=stacklevel,
    )


def renamed_parameters(**renames: Rename) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let a function accept the old names of renamed keyword parameters.

    Examples
    --------
    >>> @renamed_parameters(ci=("alpha", lambda ci: round(1 - ci, 10)))
    ... def interval(*, alpha: float = 0.05) -> float:
    ...     return alpha
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", RenamedWarning)
    ...     interval(ci=0.9)
    0.1
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            for old, rename in renames.items():
                if old not in kwargs:
                    continue
                new, convert = (rename, None) if isinstance(rename, str) else rename
                if new in kwargs:
                    raise TypeError(f"{function.__name__}() got both {old!r} and its new name {new!r}")
                value = kwargs.pop(old)
                kwargs[new] = value if convert is None else convert(value)
                warn_renamed(old, new, f"{function.__qualname__}()")
            return function(*args, **kwargs)

        return call

    return decorate


class RenamedAttribute:
    """A read-only attribute under an old name that returns the field now called ``new``.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Interval:
    ...     lower: float
    ...     low = RenamedAttribute("lower")
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", RenamedWarning)
    ...     Interval(1.5).low
    1.5
    """

    def __init__(self, new: str, convert: Callable[[Any], Any] | None = None) -> None:
        self.new, self.convert = new, convert
        self.old, self.owner = "?", "?"

    def __set_name__(self, owner: type, name: str) -> None:
        self.old, self.owner = name, owner.__name__

    def __get__(self, obj: object, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        warn_renamed(self.old, self.new, self.owner)
        value = getattr(obj, self.new)
        return value if self.convert is None else self.convert(value)
