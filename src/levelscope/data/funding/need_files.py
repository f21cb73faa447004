"""The need measures that come with the funding record, read as published.

* The Levelling Up Fund's **priority categories** (HM Treasury / DLUHC, *Levelling Up Fund:
  prospectus*, March 2021, annex): each local authority's category, 1 (most need) to 3, by name
  only. :func:`read_priority_categories` reads the list; :func:`match_category_codes` puts codes
  on the names against a table of the codes and names of the authorities of 2021, reporting any
  name it cannot match (never a guess).
* The **English Indices of Deprivation 2019** local authority district summaries (MHCLG, File
  10): for the IMD and each of its domains the average score, the average rank, the proportion
  of neighbourhoods (LSOAs) in the most deprived 10 % nationally and more, on 2019 district codes.
  :func:`read_imd_summaries` returns them as tidy observations of :data:`IMD_INDICATORS`.

Examples
--------
>>> import pandas as pd
>>> names = pd.DataFrame({"geography_code": ["W06000016"], "name": ["Rhondda Cynon Taf"]})
>>> match_category_codes(pd.DataFrame({"name": ["Rhondda Cynon Taff"], "country": ["Wales"],
...                                    "priority_category": [1]}), names).codes
{'Rhondda Cynon Taff': 'W06000016'}
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from levelscope.data.model import Aggregation, Indicator, Kind, Polarity
from levelscope.errors import Problem, ValidationError

PRIORITY_SOURCE = (
    "HM Treasury / DLUHC, Levelling Up Fund: prospectus, list of local authorities by priority "
    "category (2021)"
)
IMD_SOURCE = "MHCLG, English indices of deprivation 2019, File 10: local authority district summaries"
IMD_RELEASE = dt.date(2019, 9, 26)

# Domain sheets of File 10, and the ids their measures get.
_DOMAINS = {
    "IMD": ("imd", "Index of Multiple Deprivation"),
    "Income": ("income", "Income deprivation"),
    "Employment": ("employment", "Employment deprivation"),
    "Education": ("education", "Education, skills and training deprivation"),
    "Health": ("health", "Health deprivation and disability"),
    "Crime": ("crime", "Crime"),
    "Barriers": ("barriers", "Barriers to housing and services"),
    "Living": ("living", "Living environment deprivation"),
    "IDACI": ("idaci", "Income deprivation affecting children"),
    "IDAOPI": ("idaopi", "Income deprivation affecting older people"),
}
# Measures of each sheet: (what the column header contains, id suffix, name, unit, polarity).
_MEASURES = (
    ("average score", "average_score", "average score", "score", Polarity.LOWER_IS_BETTER),
    ("rank of average score", "rank_of_average_score", "rank of average score (1 = most deprived)",
     "rank", Polarity.HIGHER_IS_BETTER),
    ("average rank", "average_rank", "average LSOA rank (lower = more deprived)", "rank",
     Polarity.HIGHER_IS_BETTER),
    ("proportion of lsoas in most deprived 10% nationally", "share_most_deprived_10pc",
     "share of neighbourhoods in the most deprived 10% nationally", "proportion", Polarity.LOWER_IS_BETTER),
)


def _indicators() -> dict[str, Indicator]:
    out = {}
    for sheet, (prefix, label) in _DOMAINS.items():
        for _, suffix, name, unit, polarity in _MEASURES:
            out[f"{prefix}_{suffix}"] = Indicator(
                id=f"{prefix}_{suffix}",
                name=f"{label} 2019: {name}",
                unit=unit,
                polarity=polarity,
                theme="Deprivation",
                description=f"{label} ({sheet} sheet of File 10), English local authority districts "
                "on 2019 codes; higher scores mean more deprivation.",
                source=IMD_SOURCE,
                publisher="Ministry of Housing, Communities and Local Government",
                url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
                kind=Kind.INDEX if unit in ("score", "rank") else Kind.RATE,
                # an average score is the population-weighted mean of its neighbourhoods' scores,
                # so merged districts combine the same way (ranks and shares of LSOAs do not)
                aggregation=Aggregation.POPULATION_WEIGHTED_MEAN if suffix == "average_score"
                else Aggregation.NONE,
            )
    return out


#: The indicators :func:`read_imd_summaries` gives: for each domain (``imd``, ``income``,
#: ``employment``, ``education``, ``health``, ``crime``, ``barriers``, ``living``, ``idaci``,
#: ``idaopi``) its ``_average_score``, ``_rank_of_average_score``, ``_average_rank`` and
#: ``_share_most_deprived_10pc``.
IMD_INDICATORS: dict[str, Indicator] = _indicators()


def read_priority_categories(path: str | Path) -> pd.DataFrame:
    """Read the list of local authorities by Levelling Up Fund priority category.

    Returns a frame with ``name``, ``country`` and ``priority_category`` (1, 2 or 3; 1 = most
    need), in the order of the list.

    Raises
    ------
    ValidationError
        When the header is not found, or a row has no name or a category other than 1, 2 or 3.
    """
    file = Path(path)
    raw = pd.read_excel(file, header=None, dtype=str)
    cells = [[str(v).strip().lower() for v in row] for row in raw.itertuples(index=False)]
    header_row = next((i for i, row in enumerate(cells) if "priority category" in row), None)
    if header_row is None:
        raise ValidationError(Problem("no 'Priority category' column header", file=file.name))
    column = {h: i for i, h in enumerate(cells[header_row])}
    problems: list[Problem] = []
    rows = []
    for position in range(header_row + 1, len(raw)):
        line = raw.iloc[position]
        name = str(line.iloc[column["name"]]).strip() if pd.notna(line.iloc[column["name"]]) else ""
        value = line.iloc[column["priority category"]]
        if not name and pd.isna(value):
            continue
        category = str(value).strip() if pd.notna(value) else ""
        if not name:
            problems.append(Problem("has no authority name", file=file.name, row=position + 1, column="Name"))
        if category not in {"1", "2", "3"}:
            problems.append(Problem("is not a priority category (1, 2 or 3)", file=file.name,
                                    row=position + 1, column="Priority category", value=category or None))
            continue
        country = line.iloc[column["country"]] if "country" in column else None
        rows.append({"name": name, "country": str(country).strip() if pd.notna(country) else None,
                     "priority_category": int(category)})
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame(rows)


def normalise_name(name: str) -> str:
    """A place name reduced for comparison: no case, accents or punctuation, "&" as "and", "St"
    as "Saint", and without "City of" / "County of" / ", City of".

    >>> normalise_name("Bristol, City of"), normalise_name("St. Helens")
    ('bristol', 'saint helens')
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = ["saint" if w == "st" else w for w in text.split()]
    text = " ".join(words)
    text = re.sub(r"^(city of|county of) |( city of| county of)$", "", text)
    return text.strip()


# Spellings in the priority list that differ from the ONS names of the same authorities.
_KNOWN_SPELLINGS = {"rhondda cynon taff": "rhondda cynon taf"}


@dataclass(frozen=True)
class CategoryCodes:
    """Priority categories with codes: ``categories`` (code → category 1–3) and the names that
    could not be matched (``unmatched``) or matched several codes (``ambiguous``)."""

    categories: pd.Series
    codes: dict[str, str]
    unmatched: tuple[str, ...]
    ambiguous: dict[str, tuple[str, ...]]

    def raise_for_problems(self, file: str | None = None) -> None:
        problems = [Problem("matches no area code", file=file, column="Name", value=name)
                    for name in self.unmatched]
        problems += [Problem(f"matches several area codes ({', '.join(codes)})", file=file,
                             column="Name", value=name) for name, codes in self.ambiguous.items()]
        if problems:
            raise ValidationError(problems)


def match_category_codes(categories: pd.DataFrame, places: pd.DataFrame) -> CategoryCodes:
    """Put area codes on the names of :func:`read_priority_categories`.

    Parameters
    ----------
    categories
        ``name`` and ``priority_category`` (and optionally ``country``).
    places
        The areas the names should match: ``geography_code`` and ``name`` (e.g. the districts of
        April 2021, as the population estimates of that year name them).

    Returns
    -------
    CategoryCodes
        Names are compared by :func:`normalise_name`, with the known other spellings (e.g.
        "Rhondda Cynon Taff"); a name that matches none or several codes is reported, not guessed.
    """
    lookup: dict[str, list[str]] = {}
    for code, name in zip(places["geography_code"], places["name"], strict=True):
        lookup.setdefault(normalise_name(str(name)), []).append(str(code))
    codes: dict[str, str] = {}
    unmatched: list[str] = []
    ambiguous: dict[str, tuple[str, ...]] = {}
    category_of: dict[str, int] = {}
    for name, category in zip(categories["name"], categories["priority_category"], strict=True):
        key = normalise_name(str(name))
        found = sorted(set(lookup.get(key) or lookup.get(_KNOWN_SPELLINGS.get(key, key), [])))
        if len(found) == 1:
            codes[str(name)] = found[0]
            category_of[found[0]] = int(category)
        elif found:
            ambiguous[str(name)] = tuple(found)
        else:
            unmatched.append(str(name))
    series = pd.Series(category_of, name="priority_category", dtype="int64")
    series.index.name = "geography_code"
    return CategoryCodes(series.sort_index(), codes, tuple(unmatched), ambiguous)


def merge_matches(first: CategoryCodes, second: CategoryCodes) -> CategoryCodes:
    """``first`` with the names it could not match taken from ``second`` (a match of the names
    ``first`` left unmatched against other places)."""
    categories = pd.concat([first.categories, second.categories]).sort_index()
    categories = categories[~categories.index.duplicated()]
    return CategoryCodes(categories, {**first.codes, **second.codes}, second.unmatched,
                         {**first.ambiguous, **second.ambiguous})


def read_imd_summaries(path: str | Path) -> pd.DataFrame:
    """Read the IoD2019 local authority district summaries (File 10) as tidy observations.

    Returns a frame with ``geography_code`` (2019 district codes), ``name``, ``indicator_id``
    (see :data:`IMD_INDICATORS`), ``period`` ("2019") and ``value``: one row per district and
    measure of every domain sheet.

    Raises
    ------
    ValidationError
        When a domain sheet or one of its measures is missing, or a value is not a number.
    """
    file = Path(path)
    sheets = pd.read_excel(file, sheet_name=None, header=None, dtype=str)
    problems: list[Problem] = []
    frames = []
    for sheet, (prefix, _) in _DOMAINS.items():
        raw = sheets.get(sheet)
        if raw is None or raw.empty:
            problems.append(Problem("domain sheet is missing", file=file.name, sheet=sheet))
            continue
        header = [str(v).strip().lower() for v in raw.iloc[0]]
        code_col = next((i for i, h in enumerate(header) if "district code" in h), None)
        name_col = next((i for i, h in enumerate(header) if "district name" in h), None)
        if code_col is None or name_col is None:
            problems.append(Problem("no district code and name columns", file=file.name, sheet=sheet))
            continue
        body = raw.iloc[1:]
        body = body[body.iloc[:, code_col].notna()]
        for contains, suffix, *_ in _MEASURES:
            column = next(
                (i for i, h in enumerate(header) if h.split(" - ", 1)[-1].strip() == contains), None
            )
            if column is None:
                problems.append(Problem(f"no column of the {contains}", file=file.name, sheet=sheet))
                continue
            values = pd.to_numeric(body.iloc[:, column], errors="coerce")
            for position in values.index[values.isna()]:
                problems.append(Problem("is not a number", file=file.name, sheet=sheet,
                                        row=int(str(position)) + 1, column=str(raw.iloc[0, column]),
                                        value=body.loc[position].iloc[column]))
            frames.append(pd.DataFrame({
                "geography_code": body.iloc[:, code_col].str.strip().to_numpy(),
                "name": body.iloc[:, name_col].str.strip().to_numpy(),
                "indicator_id": f"{prefix}_{suffix}",
                "period": "2019",
                "value": values.to_numpy(),
            }))
    if problems:
        raise ValidationError(problems)
    return pd.concat(frames, ignore_index=True)
