"""The audit trail: who changed which field of which record, when, from what to what.

One listener, attached to every :class:`~levelscope.records.db.RecordsSession`, writes the trail
for all record types, so a new record class is audited by inheriting
:class:`~levelscope.records.db.Record` and nothing else. The trail is written in the same
transaction as the change, so a rolled-back change leaves no trail and a committed change always
has one.

Actions: ``create`` (one row per field set), ``update`` (one row per field changed), ``delete``
and ``restore`` (soft delete: the ``deleted_at`` field), ``purge`` (a hard delete).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import pandas as pd
from sqlalchemy import Index, String, Text, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from levelscope.records.db import Base, Record, RecordsSession, UTCDateTime, utcnow

UNATTRIBUTED = "unattributed"
_NOT_AUDITED = {"version", "created_at", "updated_at", "id"}


class AuditEntry(Base):
    """One field of one record changed by one person at one time."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_record", "table_name", "row_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(10))
    table_name: Mapped[str] = mapped_column(String(100))
    row_id: Mapped[int]
    field: Mapped[str | None] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.table_name}#{self.row_id}"
            f" {self.field}: {self.old_value} -> {self.new_value}"
        )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _shown(record: Record, field: str, value: Any) -> str | None:
    if value is not None and field in record.__audit_redact__:
        return "(redacted)"
    return _text(value)


def _entries_for(record: Record, action: str) -> list[dict[str, Any]]:
    state = inspect(record)
    mapper = state.mapper
    entries = []
    for column_attr in mapper.column_attrs:
        field = column_attr.key
        if field in _NOT_AUDITED:
            continue
        history = state.attrs[field].history
        if action == "create":
            new = getattr(record, field)
            if new is None:
                continue
            old = None
        else:
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
        entry_action = action
        if field == "deleted_at" and action == "update":
            entry_action = "delete" if new is not None else "restore"
        entries.append(
            {
                "action": entry_action,
                "table_name": mapper.local_table.name,
                "row_id": record.id,
                "field": field,
                "old_value": _shown(record, field, old),
                "new_value": _shown(record, field, new),
            }
        )
    return entries


@event.listens_for(RecordsSession, "after_flush")
def _write_audit_trail(session: Session, _flush: UOWTransaction) -> None:
    entries: list[dict[str, Any]] = []
    for record in session.new:
        if isinstance(record, Record):
            entries += _entries_for(record, "create")
    for record in session.dirty:
        if isinstance(record, Record) and session.is_modified(record, include_collections=False):
            entries += _entries_for(record, "update")
    for record in session.deleted:
        if isinstance(record, Record):
            entries.append(
                {
                    "action": "purge",
                    "table_name": inspect(record).mapper.local_table.name,
                    "row_id": record.id,
                    "field": None,
                    "old_value": None,
                    "new_value": None,
                }
            )
    if entries:
        stamp = {"at": utcnow(), "actor": session.info.get("actor", UNATTRIBUTED)}
        session.connection().execute(insert(AuditEntry), [stamp | e for e in entries])


def audit_trail(
    session: Session, table_name: str | None = None, row_ids: list[int] | None = None
) -> pd.DataFrame:
    """The audit trail, oldest first, optionally for one table and some of its rows.

    Returns a frame with columns ``at, actor, action, table_name, row_id, field, old_value,
    new_value``.
    """
    query = select(AuditEntry).order_by(AuditEntry.id)
    if table_name is not None:
        query = query.where(AuditEntry.table_name == table_name)
    if row_ids is not None:
        query = query.where(AuditEntry.row_id.in_(row_ids))
    columns = ["at", "actor", "action", "table_name", "row_id", "field", "old_value", "new_value"]
    rows = [[getattr(e, c) for c in columns] for e in session.scalars(query)]
    return pd.DataFrame(rows, columns=columns)
