"""The funding register: allocations kept in the workspace beside the observations.

Allocations are stored with the guarantees observations have. :func:`store_allocations`
validates the whole table before it writes, writes it in one transaction, recognises a bid it
already holds (by its ``bid_id``) so that importing the same file again changes nothing, and
keeps every vintage: a bid whose amount, areas or outcome changed in a later release gets a new
version beside the old one, and :func:`read_register` gives the version in force on any date.

Examples
--------
>>> import pandas as pd
>>> from levelscope.data.store import Workspace
>>> from levelscope.data.funding.readers import read_allocation_table
>>> ws = Workspace.open(":memory:")
>>> table = read_allocation_table(pd.DataFrame({"fund": ["Towns Fund"], "round": ["1"],
...     "announced": ["2021-03-03"], "geography_code": ["E06000001"], "amount": ["1000"]}))
>>> store_allocations(ws, table, file="towns.csv").rows_written
1
>>> store_allocations(ws, table, file="towns.csv").rows_unchanged
1
>>> float(read_register(ws)["amount"].sum())
1000.0
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from levelscope.data.funding.readers import ALLOCATION_COLUMNS
from levelscope.errors import Problem, ValidationError

if TYPE_CHECKING:
    from levelscope.data.store import Workspace

# What makes two versions of a bid different (the identity columns are the bid_id itself).
_CONTENT = ("announced", "lead_applicant", "recipient", "bid_name", "amount", "areas", "outcome", "notes")


@dataclass(frozen=True)
class AllocationImport:
    """What one import into the register read, wrote and found already held."""

    file: str
    vintage: dt.date
    source: str
    rows_read: int
    rows_written: int
    rows_unchanged: int
    amount_read: float

    def __str__(self) -> str:
        return (
            f"{self.file} (vintage {self.vintage}): {self.rows_read:,} allocations of "
            f"£{self.amount_read:,.2f} read; {self.rows_written:,} written, "
            f"{self.rows_unchanged:,} unchanged"
        )


def store_allocations(
    ws: Workspace,
    allocations: pd.DataFrame,
    *,
    file: str,
    source: str | None = None,
    vintage: dt.date | None = None,
) -> AllocationImport:
    """Write allocations (as the readers return them) to the workspace's register.

    Parameters
    ----------
    ws
        The workspace, open for writing.
    allocations
        The frame of :func:`~levelscope.data.funding.readers.read_luf_bids` or
        :func:`~levelscope.data.funding.readers.read_allocation_table`.
    file
        The file's name, for the import log and messages.
    source
        Who published the figures; defaults to the file's name.
    vintage
        The release date of these figures; defaults to the latest announcement date in the
        table (a list of awards is released when they are announced).

    Returns
    -------
    AllocationImport
        ``rows_read == rows_written + rows_unchanged`` always holds.

    Raises
    ------
    ValidationError
        When a column is missing, or the same bid and vintage is already held with different
        figures (a correction must come as a new vintage). Nothing is written then.
    """
    missing = [c for c in ALLOCATION_COLUMNS if c not in allocations.columns]
    if missing:
        raise ValidationError([Problem("column is missing", file=file, column=c) for c in missing])
    if allocations["bid_id"].duplicated().any():
        twice = allocations.loc[allocations["bid_id"].duplicated(), "bid_name"]
        raise ValidationError(
            [Problem("the same bid twice in one import", file=file, value=v) for v in twice]
        )
    table = allocations[list(ALLOCATION_COLUMNS)].copy()
    release = vintage or max(table["announced"])
    label = source or file
    held = _held(ws, table["bid_id"].tolist(), release)
    problems: list[Problem] = []
    new_rows = []
    for position, row in enumerate(table.to_dict("records")):
        record = {str(k): v for k, v in row.items()}
        same_vintage = held.get((record["bid_id"], True))
        latest = held.get((record["bid_id"], False))
        if same_vintage is not None:
            if not _same(record, same_vintage):
                problems.append(
                    Problem(f"this bid is already held for vintage {release} with other figures; "
                            "import the corrected list with a later vintage", file=file,
                            row=position + 2, column="bid_name", value=record["bid_name"])
                )
            continue
        if latest is not None and _same(record, latest):
            continue
        new_rows.append(record)
    if problems:
        raise ValidationError(problems)
    hashes = pd.util.hash_pandas_object(table.astype(str), index=False).to_numpy()
    sha = hashlib.sha256(hashes.tobytes()).hexdigest()
    with ws.transaction():
        import_id = int(ws.scalar("SELECT coalesce(max(id), 0) + 1 FROM allocation_import"))
        ws.con.execute(
            "INSERT INTO allocation_import VALUES (?, ?, ?, now(), ?, ?, ?, ?, ?)",
            [import_id, file, sha, release, label, len(table), len(new_rows), len(table) - len(new_rows)],
        )
        if new_rows:
            frame = pd.DataFrame(new_rows)
            frame["areas"] = frame["areas"].map(list)
            frame["vintage"] = release
            frame["source"] = label
            frame["import_id"] = import_id
            ws.con.register("_ls_allocations", frame)
            try:
                ws.con.execute(
                    "INSERT INTO allocation SELECT bid_id, fund, round, CAST(announced AS DATE), "
                    "lead_applicant, recipient, bid_name, CAST(amount AS DECIMAL(18, 2)), "
                    "CAST(areas AS VARCHAR[]), outcome, notes, CAST(vintage AS DATE), source, "
                    "import_id FROM _ls_allocations"
                )
            finally:
                ws.con.unregister("_ls_allocations")
    return AllocationImport(
        file=file, vintage=release, source=label, rows_read=len(table), rows_written=len(new_rows),
        rows_unchanged=len(table) - len(new_rows), amount_read=float(table["amount"].sum()),
    )


def read_register(
    ws: Workspace,
    *,
    fund: str | None = None,
    round: str | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The allocations held, one row per bid in its latest version (as of a date, if given).

    Columns: :data:`~levelscope.data.funding.readers.ALLOCATION_COLUMNS` plus ``vintage`` and
    ``source``; ``areas`` is a tuple of codes and ``amount`` a float in pounds. Ordered by fund,
    round and bid.
    """
    where, params = ["TRUE"], []
    if as_of is not None:
        where.append("vintage <= ?")
        params.append(as_of)
    query = (
        "SELECT * EXCLUDE (import_id) FROM allocation WHERE " + " AND ".join(where)
        + " QUALIFY row_number() OVER (PARTITION BY bid_id ORDER BY vintage DESC) = 1"
    )
    frame = ws.con.execute(query, params).df()
    if fund is not None:
        frame = frame[frame["fund"] == fund]
    if round is not None:
        frame = frame[frame["round"] == str(round)]
    frame = frame.sort_values(["fund", "round", "lead_applicant", "bid_name"], kind="stable")
    frame["amount"] = frame["amount"].astype(float)
    frame["areas"] = frame["areas"].map(lambda codes: tuple(codes))
    for column in ("announced", "vintage"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame = frame.astype({c: object for c in ("recipient", "outcome", "notes")})
    frame = frame.where(frame.notna(), None)
    return frame.reset_index(drop=True)


def register_summary(ws: Workspace) -> pd.DataFrame:
    """Bids and money held per fund and round (latest versions): fund, round, announced, bids,
    amount."""
    frame = read_register(ws)
    if frame.empty:
        return pd.DataFrame(columns=["fund", "round", "announced", "bids", "amount"])
    return frame.groupby(["fund", "round"], as_index=False).agg(
        announced=("announced", "max"), bids=("bid_id", "size"), amount=("amount", "sum")
    )


def _held(ws: Workspace, ids: list[str], vintage: dt.date) -> dict[tuple[str, bool], dict[str, Any]]:
    """The versions held of these bids: (id, True) at ``vintage``, (id, False) the latest before it."""
    if not ids:
        return {}
    frame = ws.con.execute(
        "SELECT * FROM allocation WHERE list_contains(?, bid_id) AND vintage <= ? "
        "ORDER BY bid_id, vintage",
        [ids, vintage],
    ).df()
    held: dict[tuple[str, bool], dict[str, Any]] = {}
    for record in frame.to_dict("records"):
        at = pd.Timestamp(record["vintage"]).date() == vintage
        held[(str(record["bid_id"]), at)] = {str(k): v for k, v in record.items()}
    return held


def _same(new: dict[str, Any], old: dict[str, Any]) -> bool:
    def norm(column: str, value: Any) -> Any:
        if value is None or (isinstance(value, float) and value != value):
            return None
        if column == "amount":
            return round(float(value), 2)
        if column == "areas":
            return tuple(value)
        if column == "announced":
            return pd.Timestamp(value).date()
        return value

    return all(norm(c, new[c]) == norm(c, old[c]) for c in _CONTENT)


def import_log(ws: Workspace) -> pd.DataFrame:
    """Every import into the register: id, file, sha256, imported_at, vintage, source and counts."""
    return ws.con.execute("SELECT * FROM allocation_import ORDER BY id").df()


__all__ = ["AllocationImport", "import_log", "read_register", "register_summary", "store_allocations"]

