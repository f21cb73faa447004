"""Place names to area codes, for a boundary year, with every doubt reported.

Publishers print names in many ways: "Bristol, City of" and "City of Bristol", "St. Helens" and
"St Helens", "Brighton & Hove", "Rhondda Cynon Taff" for Rhondda Cynon Taf, Welsh names beside
English ones. :func:`match_names` tries, in order, and stops at the first step that finds
anything:

1. the name as written, compared without case, accents and punctuation, "&" read as "and" and
   "St"/"St." as "Saint", against the English and Welsh names of the codes in use that year;
2. the known other names and spellings in ``aliases.csv``;
3. the name with "City of", "County of", "Royal Borough of", "Council" and the like taken off
   both sides.

A name that matches one code is matched; a name that matches several is *ambiguous* and a name
that matches none is *unmatched*: both are reported, never guessed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from levelscope.data.geography.history import CodeHistory, GeographyVintage, boundary_date, code_history
from levelscope.data.model import Level
from levelscope.errors import Problem, ValidationError
from levelscope.results import Result

_AFFIXES = re.compile(
    r"^(?:the |city and county of |city of |county of |royal borough of |london borough of |"
    r"metropolitan borough of |borough of |district of |county )+|"
    r"(?: city of| county of| metropolitan borough council| county borough council| borough council|"
    r" district council| county council| city council| council| city)+$"
)


def normalise(name: str) -> str:
    """A name reduced for comparison: no case, accents or punctuation, "&" as "and", "St" as
    "Saint".

    >>> normalise("St. Helens"), normalise("Ynys Môn"), normalise("Brighton & Hove")
    ('saint helens', 'ynys mon', 'brighton and hove')
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = ["saint" if w == "st" else w for w in text.split()]
    return " ".join(words)


def simplify(name: str) -> str:
    """:func:`normalise`, then without "City of", "County of", "Council" and similar affixes.

    >>> simplify("Kingston upon Hull, City of"), simplify("City of Edinburgh Council")
    ('kingston upon hull', 'edinburgh')
    """
    return _AFFIXES.sub("", normalise(name)).strip()


@dataclass(frozen=True)
class NameMatch:
    """One name and what it matched: a code, several (ambiguous) or nothing (unmatched)."""

    name: str
    code: str | None
    matched_name: str | None
    method: str  # "name", "welsh name", "known spelling", "without affixes", or "" if unmatched
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()  # names close to an unmatched one, for a person to check

    @property
    def ambiguous(self) -> bool:
        return self.code is None and len(self.candidates) > 1


@dataclass(frozen=True, repr=False)
class NameMatches(Result):
    """Names matched to the codes of one boundary year and level.

    ``codes`` maps each matched name to its code; :attr:`unmatched` and :attr:`ambiguous` list
    the names that could not be matched safely, and :meth:`raise_for_problems` turns them into
    a :class:`~levelscope.errors.ValidationError`.
    """

    geography_vintage: str
    level: str
    matches: tuple[NameMatch, ...]

    @property
    def codes(self) -> dict[str, str]:
        return {m.name: m.code for m in self.matches if m.code is not None}

    @property
    def unmatched(self) -> list[str]:
        return [m.name for m in self.matches if m.code is None and not m.candidates]

    @property
    def ambiguous(self) -> dict[str, tuple[str, ...]]:
        return {m.name: m.candidates for m in self.matches if m.ambiguous}

    @property
    def complete(self) -> bool:
        return len(self.codes) == len(self.matches)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"name": m.name, "geography_code": m.code, "matched_name": m.matched_name,
                 "method": m.method, "candidates": ";".join(m.candidates),
                 "suggestions": ";".join(m.suggestions)}
                for m in self.matches
            ],
            columns=["name", "geography_code", "matched_name", "method", "candidates", "suggestions"],
        )

    def summary(self) -> str:
        lines = [f"{len(self.codes)} of {len(self.matches)} names matched to {self.level} codes "
                 f"in use on {self.geography_vintage}"]
        for m in self.matches:
            if m.code is None and not m.candidates:
                close = f" (close: {', '.join(m.suggestions)})" if m.suggestions else ""
                lines.append(f"  unmatched: {m.name!r}{close}")
        lines += [f"  ambiguous: {n!r} could be {', '.join(c)}" for n, c in self.ambiguous.items()]
        return "\n".join(lines)

    def problems(self, *, file: str | None = None, column: str | None = None) -> list[Problem]:
        """One :class:`~levelscope.errors.Problem` per unmatched or ambiguous name."""
        out = [Problem(file=file, column=column, value=m.name,
                       reason=f"no {self.level} in use on {self.geography_vintage} has this name"
                       + (f" (close: {', '.join(m.suggestions)})" if m.suggestions else ""))
               for m in self.matches if m.code is None and not m.candidates]
        out += [Problem(file=file, column=column, value=n,
                        reason=f"ambiguous name: it could be any of {', '.join(c)}")
                for n, c in self.ambiguous.items()]
        return out

    def raise_for_problems(self, *, file: str | None = None, column: str | None = None) -> None:
        """Raise :class:`~levelscope.errors.ValidationError` if any name is unmatched or ambiguous."""
        problems = self.problems(file=file, column=column)
        if problems:
            raise ValidationError(problems)


class NameIndex:
    """The names of the codes of one level in use on one day, indexed the three ways
    :func:`match_names` compares them."""

    def __init__(self, history: CodeHistory, day: object, level: Level) -> None:
        self.names: dict[str, str] = {}
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.by_welsh: dict[str, set[str]] = defaultdict(set)
        self.by_simple: dict[str, set[str]] = defaultdict(set)
        for code in history.codes_in_force(day, level):  # type: ignore[arg-type]
            record = history.records[code]
            self.names[code] = record.name
            self.by_name[normalise(record.name)].add(code)
            self.by_simple[simplify(record.name)].add(code)
            if record.name_cy:
                self.by_welsh[normalise(record.name_cy)].add(code)
                self.by_simple[simplify(record.name_cy)].add(code)

    def match(self, name: str) -> NameMatch:
        key = normalise(name)
        steps: list[tuple[str, set[str]]] = [
            ("name", self.by_name.get(key, set())),
            ("welsh name", self.by_welsh.get(key, set())),
            ("known spelling", {c for n in _aliases().get(key, ()) for c in self.by_name.get(n, ())}),
            ("without affixes", self.by_simple.get(simplify(name), set())),
        ]
        for method, found in steps:
            if len(found) == 1:
                code = next(iter(found))
                return NameMatch(name, code, self.names[code], method)
            if len(found) > 1:
                return NameMatch(name, None, None, method, tuple(sorted(found)))
        return NameMatch(name, None, None, "", suggestions=self._close(key))

    def _close(self, key: str) -> tuple[str, ...]:
        import difflib

        keys = list(self.by_name)
        close = [k for k in keys if k.startswith(key + " ")] or difflib.get_close_matches(key, keys, n=3)
        return tuple(sorted(self.names[c] for k in close[:3] for c in self.by_name[k]))


@cache
def _aliases() -> dict[str, tuple[str, ...]]:
    text = resources.files(__package__).joinpath("aliases.csv").read_text(encoding="utf-8")
    out: dict[str, list[str]] = defaultdict(list)
    for row in csv.DictReader(text.splitlines()):
        out[normalise(row["alias"])].append(normalise(row["name"]))
    return {k: tuple(v) for k, v in out.items()}


def match_names(
    names: Iterable[str],
    geography_vintage: GeographyVintage,
    level: Level | str = Level.LAD,
    *,
    history: CodeHistory | None = None,
) -> NameMatches:
    """Match place names to the codes of ``level`` in use in a boundary year.

    Parameters
    ----------
    names:
        Place names as a file prints them; repeats are matched once.
    geography_vintage:
        The boundary year (its codes in use on 31 December) or a date, e.g. ``"2021-03-01"``
        for a list published in March 2021.
    level:
        The level of the areas named (local authority districts by default).
    history:
        The code history to match against; levelscope's own by default.

    Returns
    -------
    NameMatches
        Every name with its code, or why it has none.

    Examples
    --------
    >>> found = match_names(["Rhondda Cynon Taff", "Bristol, City of", "St. Helens"], 2021)
    >>> found.codes
    {'Rhondda Cynon Taff': 'W06000016', 'Bristol, City of': 'E06000023', 'St. Helens': 'E08000013'}
    """
    day = boundary_date(geography_vintage)
    index = _index(history or code_history(), day, Level(level))
    unique = list(dict.fromkeys(str(n).strip() for n in names))
    return NameMatches(geography_vintage=str(day), level=str(Level(level)),
                       matches=tuple(index.match(n) for n in unique))


@cache
def _index(history: CodeHistory, day: object, level: Level) -> NameIndex:
    return NameIndex(history, day, level)


def codes_for_names(
    names: pd.Series,
    geography_vintage: GeographyVintage,
    level: Level | str = Level.LAD,
    *,
    file: str = "<frame>",
    column: str = "name",
    rows: Sequence[int] | pd.Series | None = None,
) -> pd.Series:
    """The code of every name in a column, for importers reading files that name places.

    Raises :class:`~levelscope.errors.ValidationError` listing each unmatched or ambiguous name
    with the first row it is on (``rows`` gives the file's row numbers; by default the position
    plus 2, as if row 1 were a header); nothing is guessed.
    """
    found = match_names(names.dropna().astype(str), geography_vintage, level)
    if not found.complete:
        where = list(rows) if rows is not None else list(range(2, len(names) + 2))
        first_row: dict[str, int] = {}
        for position, name in enumerate(names):
            if pd.notna(name):
                first_row.setdefault(str(name).strip(), int(where[position]))
        problems = [
            Problem(file=file, row=first_row.get(str(p.value)), column=column, value=p.value,
                    reason=p.reason)
            for p in found.problems()
        ]
        raise ValidationError(problems)
    return names.map(lambda n: found.codes.get(str(n).strip()) if pd.notna(n) else None)
