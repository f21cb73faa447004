"""Sharing a bid that covers several areas between them.

A Levelling Up Fund bid may cover several districts (a county's road scheme, a combined
authority's bus package, a greenway across two councils). Before funding can be set against
population or need area by area, each bid's value is shared between its areas, by one of two
rules:

* ``"equal"`` (the default, and what a reader of the published list would do by hand): each of
  the bid's ``k`` areas gets ``amount / k``;
* ``"population"``: area ``i`` gets ``amount * p_i / sum_j p_j``, its share of the people in the
  bid's areas.

Either way the shares of a bid add up to its value, so totals reconcile: the sum over areas is
the sum of bid values (:func:`share_bids` checks this to the penny). Codes of another boundary
year are carried onto the analysis areas through ``carry`` (e.g. a retired district to the
authority that absorbed it); a bid with an area that still cannot be placed is never dropped
silently: it is listed in :attr:`SharedBids.unplaced` with the reason.

Examples
--------
>>> import pandas as pd
>>> bids = pd.DataFrame({"bid_id": ["b"], "fund": ["F"], "round": ["1"], "amount": [90.0],
...                      "areas": [("A", "B")]})
>>> people = pd.Series({"A": 100.0, "B": 200.0})
>>> share_bids(bids, people, rule="population").shares["amount"].tolist()
[30.0, 60.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result

ShareRule = Literal["equal", "population"]
SHARE_RULES: tuple[ShareRule, ...] = ("equal", "population")


@dataclass(frozen=True, repr=False)
class SharedBids(Result):
    """Bids shared between their areas.

    ``shares`` has one row per bid and area: ``bid_id``, ``fund``, ``round``,
    ``geography_code``, ``share`` (of the bid, summing to 1 over the bid's areas) and
    ``amount``. ``unplaced`` lists the bids left out, with ``bid_id``, ``amount``, ``codes``
    (the codes that could not be placed) and ``reason``.
    """

    shares: pd.DataFrame
    unplaced: pd.DataFrame
    rule: ShareRule

    def to_frame(self) -> pd.DataFrame:
        """The shares: one row per bid and area."""
        return self.shares

    def summary(self) -> str:
        how = "equally" if self.rule == "equal" else "by population"
        lines = [f"{self.shares['bid_id'].nunique()} bids shared {how} between "
                 f"{self.shares['geography_code'].nunique()} areas: £{self.shares['amount'].sum():,.0f}"]
        if len(self.unplaced):
            lines.append(f"{len(self.unplaced)} bids left out (£{self.unplaced['amount'].sum():,.0f});"
                         " unplaced says why")
        return "\n".join(lines)


def share_bids(
    allocations: pd.DataFrame,
    population: pd.Series | None = None,
    *,
    rule: ShareRule = "equal",
    areas: pd.Index | None = None,
    carry: Mapping[str, str] | None = None,
) -> SharedBids:
    """Share each bid's value between the areas it covers.

    Parameters
    ----------
    allocations
        One row per bid with ``bid_id``, ``fund``, ``round``, ``amount`` and ``areas`` (a tuple
        of codes), as :func:`levelscope.data.funding.read_register` returns them. Unsuccessful
        bids (``outcome == "unsuccessful"``) are not funding and are left out.
    population
        People in each analysis area; needed for ``rule="population"``, and (unless ``areas``
        is given) the analysis areas are its index.
    rule
        ``"equal"`` or ``"population"`` (see the module's description).
    areas
        The areas funding is placed on; defaults to ``population``'s index, else every code
        named.
    carry
        Codes of another boundary year mapped to the analysis area that contains them.

    Returns
    -------
    SharedBids

    Raises
    ------
    UndefinedMeasureError
        For an unknown rule, or ``rule="population"`` without population.

    Examples
    --------
    >>> bids = pd.DataFrame({"bid_id": ["b1", "b2", "b3"], "fund": "Levelling Up Fund", "round": "1",
    ...                      "announced": pd.Timestamp("2021-10-27"), "amount": [300.0, 100.0, 50.0],
    ...                      "areas": [("A",), ("B", "C"), ("D",)]})  # b2 covers two areas
    >>> people = pd.Series([100.0, 300.0, 100.0, 100.0], index=list("ABCD"))
    >>> shared = share_bids(bids, people, rule="population")
    >>> shared.shares[["bid_id", "geography_code", "amount"]].values.tolist()
    [['b1', 'A', 300.0], ['b2', 'B', 75.0], ['b2', 'C', 25.0], ['b3', 'D', 50.0]]
    """
    if rule not in SHARE_RULES:
        raise UndefinedMeasureError(f"unknown rule for sharing bids {rule!r}; use one of {SHARE_RULES}")
    if rule == "population" and population is None:
        raise UndefinedMeasureError("sharing bids by population needs the population of each area")
    carry = carry or {}
    funded = allocations
    if "outcome" in allocations.columns:
        funded = allocations[allocations["outcome"].fillna("successful") != "unsuccessful"]
    known = areas if areas is not None else (population.index if population is not None else None)
    rows: list[dict[str, object]] = []
    unplaced: list[dict[str, object]] = []
    for record in funded.to_dict("records"):
        bid = _Bid(str(record["bid_id"]), str(record["fund"]), str(record["round"]),
                   float(record["amount"]), tuple(record["areas"]))
        placed = list(dict.fromkeys(carry.get(code, code) for code in bid.areas))
        missing = [c for c in placed if known is not None and c not in known]
        if rule == "population" and population is not None and not missing:
            missing = [c for c in placed if not population.get(c, 0) > 0]
        if missing:
            unplaced.append({"bid_id": bid.bid_id, "fund": bid.fund, "round": bid.round,
                             "amount": bid.amount, "codes": ";".join(missing),
                             "reason": "not among the analysis areas (or without population)"})
            continue
        if rule == "equal":
            weights = [1.0] * len(placed)
        else:
            assert population is not None
            weights = [float(population.loc[c]) for c in placed]
        total = sum(weights)
        for code, weight in zip(placed, weights, strict=True):
            rows.append({"bid_id": bid.bid_id, "fund": bid.fund, "round": str(bid.round),
                         "geography_code": code, "share": weight / total,
                         "amount": bid.amount * weight / total})
    shares = pd.DataFrame(rows, columns=["bid_id", "fund", "round", "geography_code", "share", "amount"])
    left_out = pd.DataFrame(unplaced, columns=["bid_id", "fund", "round", "amount", "codes", "reason"])
    _reconcile(funded, shares, left_out)
    return SharedBids(shares=shares, unplaced=left_out, rule=rule)


@dataclass(frozen=True)
class _Bid:
    bid_id: str
    fund: str
    round: str
    amount: float
    areas: tuple[str, ...]


def _reconcile(funded: pd.DataFrame, shares: pd.DataFrame, unplaced: pd.DataFrame) -> None:
    """The money placed plus the money left out is the money in the bids, to the penny."""
    placed = shares.groupby("bid_id")["amount"].sum()
    bid_values = funded.set_index("bid_id")["amount"].astype(float)
    drift = (placed - bid_values.reindex(placed.index)).abs()
    total = float(shares["amount"].sum()) + float(unplaced["amount"].sum())
    if (len(drift) and drift.max() >= 0.005) or abs(total - float(bid_values.sum())) >= 0.005:
        raise AssertionError("bid shares do not add up to the bid values")  # a bug, never input
