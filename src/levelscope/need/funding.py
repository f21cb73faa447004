"""Funding versus need: did the money go to the places most in need?

Allocations (programme, round, geography_code, amount, date, and optionally the outcome of a bid) are
read and checked by :func:`levelscope.need.allocations.read_allocations`, totalled per area and per head by
:func:`funding_by_area`, and set against a need score (higher = more need, e.g. a
:class:`~levelscope.need.index.CompositeIndex`'s ``scores``):

* the **concentration curve** — cumulative share of funding against cumulative share of areas
  (or people), ranked from the most to the least needy — and the **concentration index**

  ``C = 2 cov(y, R) / mean(y)``

  with ``y`` funding per head and ``R`` the fractional need rank (``(i - 1/2) / n`` for the
  i-th most needy of ``n`` areas; with population weights ``w``, ``R_i`` is the share of
  people in more needy areas plus half the area's own share, and the mean and covariance are
  weighted). This is the index of Kakwani, Wagstaff & van Doorslaer (1997, *J. Econometrics*
  77) and O'Donnell et al. (2008, *Analyzing Health Equity Using Household Survey Data*,
  ch. 8), with the most needy in the place of the poorest: **C < 0 means funding per head is
  concentrated in the most-needy areas**, C > 0 in the least needy, and C = 0 that it does not
  follow need. It lies in [-1, 1];
* the **share of funding** and funding per head of each need group (deciles, quintiles or
  the index's categories), and a plain-language **finding** comparing the most- and
  least-needy groups with a bootstrap interval;
* **success rates** of bids by need category, and a **comparison across rounds**.

Examples
--------
>>> import pandas as pd
>>> need = pd.Series([3.0, 2.0, 1.0], index=["A", "B", "C"])
>>> round(concentration_index(pd.Series([30.0, 20.0, 10.0], index=need.index), need).index, 4)
-0.2222
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from levelscope.deprecation import RenamedAttribute, renamed_parameters, warn_renamed
from levelscope.errors import Problem, UndefinedMeasureError, ValidationError
from levelscope.results import USER_DATA, Provenance, Result, check_alpha

if TYPE_CHECKING:
    import plotly.graph_objects as go

_GROUP_WORDS = {2: "half", 3: "third", 4: "quarter", 5: "fifth", 10: "tenth"}


# --- per area and per head -------------------------------------------------------------------


def funding_by_area(
    allocations: pd.DataFrame,
    population: pd.Series,
    *,
    areas: pd.Index | list[str] | None = None,
    programme: str | None = None,
    round: str | None = None,
) -> pd.DataFrame:
    """Total funding, population and funding per head of each area.

    Parameters
    ----------
    allocations
        As returned by :func:`~levelscope.need.allocations.read_allocations`; unsuccessful bids are left out.
    population
        Population of each area (indexed by area code).
    areas
        The areas to report (e.g. those of a need index); areas without allocations get 0.
        Defaults to the areas with allocations.
    programme, round
        Keep only this programme / round.

    Raises
    ------
    ValidationError
        When an allocation goes to an area outside ``areas``, or an area has no population.

    Returns
    -------
    pandas.DataFrame
        By area (indexed by ``geography_code``): ``amount``, ``population`` and ``per_head``.

    Examples
    --------
    >>> from levelscope.need.examples import example_fund
    >>> areas, need, population, allocations = example_fund()  # A the most needy, J the least
    >>> funding = funding_by_area(allocations, population, areas=areas)
    >>> funding.loc["A"].tolist()
    [3000.0, 1000.0, 3.0]
    """
    allocations = _with_geography_code(allocations, "funding_by_area()")
    rows = allocations[allocations["outcome"].fillna("successful") != "unsuccessful"]
    if programme is not None:
        rows = rows[rows["programme"] == programme]
    if round is not None:
        rows = rows[rows["round"] == round]
    totals = rows.groupby("geography_code")["amount"].sum()
    index = pd.Index(areas if areas is not None else totals.index, name="geography_code")
    outside = totals.index.difference(index)
    if len(outside):
        raise ValidationError(
            [
                Problem(
                    "allocation to an area that is not among the areas analysed",
                    column="geography_code",
                    value=a,
                )
                for a in outside
            ]
        )
    pop = population.reindex(index).astype(float)
    bad = pop.index[~(pop > 0)]
    if len(bad):
        raise ValidationError(
            [Problem("no positive population for this area", column="population", value=a) for a in bad]
        )
    amount = totals.reindex(index, fill_value=0.0).astype(float)
    return pd.DataFrame({"amount": amount, "population": pop, "per_head": amount / pop})


def _with_geography_code(allocations: pd.DataFrame, where: str) -> pd.DataFrame:
    """``allocations`` with its area codes in ``geography_code``; a frame made before the
    glossary, with them in ``area``, is still read (with a warning) for one release."""
    if "geography_code" not in allocations.columns and "area" in allocations.columns:
        warn_renamed("area", "geography_code", f"{where}: the allocations' column", stacklevel=4)
        return allocations.rename(columns={"area": "geography_code"})
    return allocations


# --- concentration ---------------------------------------------------------------------------


def need_fractional_rank(need: pd.Series, weights: pd.Series | None = None) -> pd.Series:
    """Fractional rank by need, most needy first: ``(i - 1/2) / n``, or its weighted form.

    Areas with equal need share the mean fractional rank of their group.
    """
    w = _weights(need, weights)
    order = need.sort_values(ascending=False, kind="stable").index
    w_sorted = w[order]
    total = w_sorted.sum()
    rank = (w_sorted.cumsum() - w_sorted / 2) / total
    need_sorted = need[order]
    tied_mean = (rank * w_sorted).groupby(need_sorted).transform("sum") / w_sorted.groupby(
        need_sorted
    ).transform("sum")
    return tied_mean.reindex(need.index).rename("fractional_rank")


@dataclass(frozen=True, repr=False)
class Concentration(Result):
    """Concentration index of funding against need, with its curve.

    ``curve`` has the cumulative share of areas (or people) ranked from the most needy and the
    cumulative share of funding, starting at (0, 0).
    """

    index: float
    curve: pd.DataFrame
    n_areas: int
    weighted: bool

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "concentration_index": self.index,
                    "n_areas": self.n_areas,
                    "weighted": self.weighted,
                }
            ]
        )

    def summary(self) -> str:
        direction = (
            "towards the most-needy areas"
            if self.index < 0
            else "towards the least-needy areas"
            if self.index > 0
            else "evenly"
        )
        return f"Concentration index {self.index:.4f}: funding per head leans {direction}"

    def plot(self, **kwargs: Any) -> go.Figure:
        from levelscope.need.plot import concentration_curve_chart

        return concentration_curve_chart(self, **kwargs)


def concentration_index(
    values: pd.Series,
    need: pd.Series,
    weights: pd.Series | None = None,
    *,
    provenance: Provenance = USER_DATA,
) -> Concentration:
    """Concentration index ``2 cov_w(y, R) / mean_w(y)`` of ``values`` ranked by ``need``.

    Parameters
    ----------
    values
        Funding per head (or any non-negative amount) by area.
    need
        Need score by area; higher is more need.
    weights
        Optional population by area: then the index describes people rather than areas.

    Raises
    ------
    UndefinedMeasureError
        When values are negative, all zero, or areas are missing from ``need``.

    Returns
    -------
    Concentration
        The index (negative: funding leans to the most needy; 0: in proportion to people) and
        the concentration curve.

    Examples
    --------
    >>> from levelscope.need.examples import example_fund
    >>> areas, need, population, allocations = example_fund()  # A the most needy, J the least
    >>> funding = funding_by_area(allocations, population, areas=areas)
    >>> round(concentration_index(funding["per_head"], need, population).index, 4)
    -0.6385
    """
    y = values.astype(float)
    missing = y.index.difference(need.index)
    if len(missing) or y.isna().any() or need.reindex(y.index).isna().any():
        raise UndefinedMeasureError(f"no need score (or no value) for areas {list(missing)[:10]}")
    if (y < 0).any():
        raise UndefinedMeasureError("the concentration index needs non-negative values")
    need = need.reindex(y.index).astype(float)
    w = _weights(need, weights)
    share = w / w.sum()
    mean = float((share * y).sum())
    if mean <= 0:
        raise UndefinedMeasureError("the concentration index is undefined when all values are 0")
    rank = need_fractional_rank(need, w)
    covariance = float((share * (y - mean) * (rank - (share * rank).sum())).sum())
    order = need.sort_values(ascending=False, kind="stable").index
    money = (w * y)[order]
    curve = pd.DataFrame(
        {
            "cumulative_share_areas": np.r_[0.0, np.cumsum(share[order].to_numpy())],
            "cumulative_share_funding": np.r_[0.0, np.cumsum(money.to_numpy()) / money.sum()],
            "geography_code": [None, *order],
        }
    )
    return Concentration(
        index=2 * covariance / mean,
        curve=curve,
        n_areas=len(y),
        weighted=weights is not None,
        provenance=provenance,
    )


def _weights(need: pd.Series, weights: pd.Series | None) -> pd.Series:
    if weights is None:
        return pd.Series(1.0, index=need.index)
    w = weights.reindex(need.index).astype(float)
    if w.isna().any() or (w <= 0).any():
        raise UndefinedMeasureError("weights must be positive for every area")
    return w


# --- need groups -----------------------------------------------------------------------------


def need_groups(need: pd.Series, n_groups: int = 5) -> pd.Series:
    """Group 1 is the most-needy ``1/n_groups`` of areas, ``n_groups`` the least needy.

    Areas are ranked by need (ties in their given order) and split into groups of (nearly)
    equal numbers of areas.

    Parameters
    ----------
    need
        Need score by area; higher is more need.
    n_groups
        The number of groups.

    Returns
    -------
    pandas.Series
        Each area's group, 1 to ``n_groups``.

    Examples
    --------
    >>> need_groups(pd.Series([9.0, 1.0, 5.0, 7.0], index=list("ABCD")), 2).to_dict()
    {'A': 1, 'B': 2, 'C': 2, 'D': 1}
    """
    if not 2 <= n_groups <= len(need):
        raise UndefinedMeasureError(f"cannot split {len(need)} areas into {n_groups} groups")
    order = need.sort_values(ascending=False, kind="stable").index
    position = np.arange(len(order))
    return pd.Series(position * n_groups // len(order) + 1, index=order, name="need_group")[need.index]


def group_shares(funding: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Funding, population, share of funding and funding per head of each need group.

    ``funding`` is the frame of :func:`funding_by_area`; ``groups`` labels each area (e.g.
    :func:`need_groups` or an index's categories). ``ratio_to_last`` is each group's funding per
    head relative to the last (least-needy) group's.

    Parameters
    ----------
    funding
        From :func:`funding_by_area`.
    groups
        Each area's group, most needy first.

    Returns
    -------
    pandas.DataFrame
        By group: ``n_areas``, ``amount``, ``population``, ``share_of_funding``,
        ``share_of_population``, ``per_head`` and ``ratio_to_last``.

    Examples
    --------
    >>> from levelscope.need.examples import example_fund
    >>> areas, need, population, allocations = example_fund()  # A the most needy, J the least
    >>> shares = group_shares(funding_by_area(allocations, population, areas=areas), need_groups(need))
    >>> shares["per_head"].tolist(), float(shares["ratio_to_last"].iloc[0])
    ([2.5, 0.5, 0.0, 0.0, 0.25], 10.0)
    """
    labels = groups.reindex(funding.index)
    if labels.isna().any():
        raise UndefinedMeasureError(f"areas without a need group: {list(labels.index[labels.isna()][:10])}")
    table = funding[["amount", "population"]].groupby(labels, observed=True).sum()
    table.insert(0, "n_areas", funding.groupby(labels, observed=True).size())
    table["share_of_funding"] = table["amount"] / table["amount"].sum()
    table["share_of_population"] = table["population"] / table["population"].sum()
    table["per_head"] = table["amount"] / table["population"]
    last = table["per_head"].iloc[-1]
    table["ratio_to_last"] = table["per_head"] / last if last > 0 else np.nan
    table.index.name = "group"
    return table


@dataclass(frozen=True, repr=False)
class FundingFinding(Result):
    """The most- versus least-needy group's funding per head, with a bootstrap interval."""

    most_needy_per_head: float
    least_needy_per_head: float
    ratio: float
    ratio_lower: float
    ratio_upper: float
    most_needy_share: float
    alpha: float
    n_resamples: int
    seed: int | None
    group_word: str
    text: str
    ratio_low = RenamedAttribute("ratio_lower")
    ratio_high = RenamedAttribute("ratio_upper")
    level = RenamedAttribute("alpha", lambda alpha: 1 - alpha)
    n_boot = RenamedAttribute("n_resamples")

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """The bootstrap interval of the per-head ratio (row ``"ratio"``), at the ``alpha`` it was
        computed with (another level needs a new run)."""
        if alpha is not None and alpha != self.alpha:
            raise ValueError(f"the interval was drawn at alpha={self.alpha}; run funding_finding(alpha=)")
        return pd.DataFrame({"lower": [self.ratio_lower], "upper": [self.ratio_upper]}, index=["ratio"])

    def summary(self) -> str:
        return self.text


@renamed_parameters(n_boot="n_resamples", level=("alpha", lambda level: 1 - level))
def funding_finding(
    funding: pd.DataFrame,
    need: pd.Series,
    *,
    n_groups: int = 5,
    categories: pd.Series | None = None,
    n_resamples: int = 2000,
    alpha: float = 0.05,
    seed: int | None = 0,
    provenance: Provenance = USER_DATA,
) -> FundingFinding:
    """A plain-language finding: how much per head the most-needy group got relative to the
    least-needy, with a bootstrap interval.

    The groups are fixed by need (quantile groups, or ``categories`` whose first label is the
    most needy); the bootstrap resamples areas with replacement within each group
    (``n_resamples`` times, reproducibly with ``seed``) and recomputes the ratio of funding per
    head (total amount over total population) of the first to the last group; the interval is
    the percentile interval of coverage ``1 - alpha``.

    Raises
    ------
    UndefinedMeasureError
        When the least-needy group received nothing, so that the ratio is undefined.

    Parameters
    ----------
    funding
        From :func:`funding_by_area`.
    need
        Need score by area; higher is more need.
    n_groups
        The number of quantile groups (ignored with ``categories``).
    categories
        Each area's need category, the most needy first.
    n_resamples, alpha, seed
        Bootstrap resamples, significance level and seed.
    provenance
        Sources of the figures, carried onto the result.

    Returns
    -------
    FundingFinding
        The ratio with its interval (``conf_int()``), each group's funding per head, and the
        sentence.

    Examples
    --------
    >>> from levelscope.need.examples import example_fund
    >>> areas, need, population, allocations = example_fund()  # A the most needy, J the least
    >>> finding = funding_finding(funding_by_area(allocations, population, areas=areas), need)
    >>> float(finding.ratio)  # (5,000 / 2,000 people) / (500 / 2,000 people)
    10.0
    """
    if categories is not None:
        groups = categories.reindex(funding.index)
        first, last = groups.cat.categories[0], groups.cat.categories[-1]
        word = None
    else:
        groups = need_groups(need.reindex(funding.index), n_groups)
        first, last, word = 1, n_groups, _GROUP_WORDS.get(n_groups, f"1/{n_groups}")
    table = group_shares(funding, groups)
    top, bottom = table.loc[first], table.loc[last]
    if bottom["per_head"] <= 0:
        raise UndefinedMeasureError(
            "the least-needy group received no funding, so the per-head ratio is undefined"
        )
    ratio = top["per_head"] / bottom["per_head"]
    rng = np.random.default_rng(seed)
    sums = [_bootstrap_sums(funding[groups == g], n_resamples, rng) for g in (first, last)]
    with np.errstate(divide="ignore", invalid="ignore"):
        draws = (sums[0][0] / sums[0][1]) / (sums[1][0] / sums[1][1])
    draws = draws[np.isfinite(draws)]
    check_alpha(alpha)
    tail = alpha / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    who = f"most-needy {word} of areas" if word else f"areas in {first!r}"
    whom = f"least-needy {word}" if word else f"those in {last!r}"
    text = (
        f"The {who} received £{top['per_head']:,.2f} per head, {ratio:.0%} of the funding per "
        f"head of the {whom} (£{bottom['per_head']:,.2f}); {1 - alpha:.0%} bootstrap interval "
        f"{low:.0%} to {high:.0%}. They received {top['share_of_funding']:.1%} of all funding."
    )
    return FundingFinding(
        most_needy_per_head=float(top["per_head"]),
        least_needy_per_head=float(bottom["per_head"]),
        ratio=float(ratio),
        ratio_lower=float(low),
        ratio_upper=float(high),
        most_needy_share=float(top["share_of_funding"]),
        alpha=alpha,
        n_resamples=n_resamples,
        seed=seed,
        group_word=word or str(first),
        text=text,
        provenance=provenance.with_seed(seed),
    )


def _bootstrap_sums(
    group: pd.DataFrame, n_boot: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    picks = rng.integers(0, len(group), size=(n_boot, len(group)))
    return (
        group["amount"].to_numpy()[picks].sum(axis=1),
        group["population"].to_numpy()[picks].sum(axis=1),
    )


# --- bids and rounds -------------------------------------------------------------------------


@renamed_parameters(level=("alpha", lambda level: 1 - level))
def success_rates(allocations: pd.DataFrame, categories: pd.Series, *, alpha: float = 0.05) -> pd.DataFrame:
    """Bids, successes and success rate by need category, with Wilson score intervals.

    Only rows with a known ``outcome`` count. Wilson (1927): centre
    ``(p + z²/2n) / (1 + z²/n)``, half-width ``z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)``, with
    ``z`` the standard normal quantile of ``1 - alpha / 2`` (coverage ``1 - alpha``).

    Parameters
    ----------
    allocations
        One row per bid with ``geography_code`` and ``outcome`` (``"successful"``, ``"unsuccessful"`` or
        missing), as :func:`read_allocations` gives them.
    categories
        Each area's need category, indexed by area code.
    alpha
        The intervals have coverage ``1 - alpha``.

    Returns
    -------
    pandas.DataFrame
        One row per category: ``bids``, ``successful``, ``rate`` and the interval's
        ``rate_lower`` and ``rate_upper``.

    Examples
    --------
    >>> bids = pd.DataFrame({"geography_code": ["A", "A", "B", "B"],
    ...                      "outcome": ["successful", "unsuccessful", "successful", "successful"]})
    >>> rates = success_rates(bids, pd.Series(["low need", "high need"], index=["A", "B"]))
    >>> rates.loc["high need", ["bids", "successful", "rate"]].tolist()
    [2.0, 2.0, 1.0]
    >>> round(float(rates.loc["high need", "rate_lower"]), 4)
    0.3424
    """
    check_alpha(alpha)
    z = NormalDist().inv_cdf(1 - alpha / 2)
    allocations = _with_geography_code(allocations, "success_rates()")
    bids = allocations[allocations["outcome"].notna()]
    if bids.empty:
        raise UndefinedMeasureError("no bids with a known outcome")
    labels = categories.reindex(bids["geography_code"]).to_numpy()
    unknown = bids["geography_code"][pd.isna(labels)]
    if len(unknown):
        raise UndefinedMeasureError(f"bids from areas without a category: {list(unknown[:10])}")
    success = (bids["outcome"] == "successful").to_numpy()
    frame = pd.DataFrame(
        {
            "category": pd.Categorical(
                labels, categories=categories.cat.categories if hasattr(categories, "cat") else None
            ),
            "success": success,
        }
    )
    table = frame.groupby("category", observed=True)["success"].agg(["size", "sum"])
    table.columns = ["bids", "successful"]
    n, p = table["bids"].astype(float), table["successful"] / table["bids"]
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    table["rate"] = p
    table["rate_lower"] = centre - half
    table["rate_upper"] = centre + half
    return table


def compare_rounds(
    allocations: pd.DataFrame,
    need: pd.Series,
    population: pd.Series,
    *,
    n_groups: int = 5,
) -> pd.DataFrame:
    """Per programme and round: total, concentration index (people-weighted), share and ratio
    of funding per head of the most- versus least-needy group.

    Parameters
    ----------
    allocations
        From :func:`~levelscope.need.allocations.read_allocations`.
    need
        Need score by area; higher is more need.
    population
        Population by area.
    n_groups
        The number of need groups.

    Returns
    -------
    pandas.DataFrame
        One row per programme and round: ``amount``, ``areas_funded``, ``concentration_index``,
        ``most_needy_share`` and ``ratio_most_to_least_needy``.

    Examples
    --------
    >>> from levelscope.need.examples import example_fund
    >>> areas, need, population, allocations = example_fund()  # A the most needy, J the least
    >>> rounds = compare_rounds(allocations, need, population)
    >>> rounds[["round", "areas_funded", "most_needy_share"]].values.tolist()
    [['1', 3, 0.8333333333333334], ['2', 1, 0.0]]
    """
    allocations = _with_geography_code(allocations, "compare_rounds()")
    rows = []
    groups = need_groups(need, n_groups)
    funded = allocations[allocations["outcome"].fillna("successful") != "unsuccessful"]
    for (programme, round_), _ in funded.groupby(["programme", "round"], sort=True):
        funding = funding_by_area(
            allocations, population, areas=need.index, programme=str(programme), round=str(round_)
        )
        shares = group_shares(funding, groups)
        rows.append(
            {
                "programme": programme,
                "round": round_,
                "amount": funding["amount"].sum(),
                "areas_funded": int((funding["amount"] > 0).sum()),
                "concentration_index": concentration_index(
                    funding["per_head"], need, funding["population"]
                ).index,
                "most_needy_share": shares["share_of_funding"].iloc[0],
                "ratio_most_to_least_needy": shares["ratio_to_last"].iloc[0],
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True, repr=False)
class FundingAnalysis(Result):
    """Everything the funding-versus-need question needs, from one call.

    ``finding`` is None when the per-head ratio is undefined (the least-needy group received
    nothing); ``note`` then says so.
    """

    funding: pd.DataFrame
    concentration: Concentration
    concentration_by_area: Concentration
    groups: pd.DataFrame
    finding: FundingFinding | None
    rounds: pd.DataFrame
    note: str = ""

    def to_frame(self) -> pd.DataFrame:
        return self.funding.reset_index()

    def summary(self) -> str:
        headline = self.finding.text if self.finding else self.note
        return (
            f"{headline}\nConcentration index (people): {self.concentration.index:.4f};"
            f" (areas): {self.concentration_by_area.index:.4f}\n{self.groups.round(3).to_string()}"
        )

    def plot(self, **kwargs: Any) -> go.Figure:
        return self.concentration.plot(**kwargs)


@renamed_parameters(n_boot="n_resamples")
def analyse_funding(
    allocations: pd.DataFrame,
    need: pd.Series,
    population: pd.Series,
    *,
    n_groups: int = 5,
    n_resamples: int = 2000,
    seed: int | None = 0,
    provenance: Provenance = USER_DATA,
) -> FundingAnalysis:
    """Funding per head, concentration, need-group shares, the finding and rounds compared.

    Parameters
    ----------
    allocations
        From :func:`~levelscope.need.allocations.read_allocations`.
    need
        Need score by area; higher is more need. Its index is the set of areas.
    population
        Population by area.
    n_groups, n_resamples, seed, provenance
        As :func:`funding_finding`.

    Returns
    -------
    FundingAnalysis
        Funding by area, the two concentration indices, group shares, the finding and the
        rounds compared.

    Examples
    --------
    >>> from levelscope.need.examples import example_fund
    >>> areas, need, population, allocations = example_fund()  # A the most needy, J the least
    >>> analysis = analyse_funding(allocations, need, population, n_resamples=200)
    >>> print(analysis.summary())
    The most-needy fifth of areas received £2.50 per head, 1000% of the funding per head of the
    least-needy fifth (£0.25); ...
    """
    allocations = _with_geography_code(allocations, "analyse_funding()")
    funding = funding_by_area(allocations, population, areas=need.index)
    funding["need"] = need
    try:
        finding: FundingFinding | None = funding_finding(
            funding, need, n_groups=n_groups, n_resamples=n_resamples, seed=seed, provenance=provenance
        )
        note = ""
    except UndefinedMeasureError as exc:
        finding, note = None, f"No per-head comparison: {exc}."
    return FundingAnalysis(
        funding=funding,
        concentration=concentration_index(
            funding["per_head"], need, funding["population"], provenance=provenance
        ),
        concentration_by_area=concentration_index(funding["per_head"], need, provenance=provenance),
        groups=group_shares(funding, need_groups(need, n_groups)),
        finding=finding,
        note=note,
        rounds=compare_rounds(allocations, need, population, n_groups=n_groups),
        provenance=provenance,
    )
