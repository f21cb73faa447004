"""Sign-in throttling: too many wrong passwords lock an account, or a client address, for a while.

Every refused sign-in is written to the audit trail (action ``refused`` on ``login_sessions``,
the email tried as the actor, the client address as the value), and the trail is also what the
throttle counts, so every server process sharing the records database sees the same count.
Within :data:`WINDOW`, :data:`ACCOUNT_LIMIT` refusals for one email, or :data:`ADDRESS_LIMIT`
from one client address, lock sign-in for that email or address until the oldest of them is
older than the window — the right password included.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from levelscope.errors import LevelscopeError
from levelscope.records.audit import AuditEntry
from levelscope.records.db import utcnow

WINDOW = dt.timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
REFUSED = "refused"
TABLE = "login_sessions"


class SignInLocked(LevelscopeError):
    """Too many refused sign-ins for this email or from this address (HTTP 429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def record_refusal(session: Session, email: str, address: str, user_id: int | None = None) -> None:
    """Write a refused sign-in to the audit trail (the caller commits)."""
    session.add(AuditEntry(at=utcnow(), actor=email.strip().lower()[:200] or "(none)", action=REFUSED,
                           table_name=TABLE, row_id=user_id or 0, field="client", new_value=address))
    session.flush()


def check_not_locked(session: Session, email: str, address: str) -> None:
    """Raise :class:`SignInLocked` if this email or address has too many recent refusals."""
    since = utcnow() - WINDOW
    who = email.strip().lower()[:200]
    recent = select(AuditEntry.actor, AuditEntry.new_value, func.min(AuditEntry.at), func.count()).where(
        AuditEntry.action == REFUSED, AuditEntry.table_name == TABLE, AuditEntry.at > since,
        or_(AuditEntry.actor == who, AuditEntry.new_value == address),
    ).group_by(AuditEntry.actor, AuditEntry.new_value)
    by_account = by_address = 0
    oldest: dt.datetime | None = None
    for actor, client, first, count in session.execute(recent):
        if actor == who:
            by_account += count
        if client == address:
            by_address += count
        oldest = first if oldest is None else min(oldest, first)
    if by_account < ACCOUNT_LIMIT and by_address < ADDRESS_LIMIT:
        return
    assert oldest is not None
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    wait = max(1, int((oldest + WINDOW - utcnow()).total_seconds()) + 1)
    minutes = -(-wait // 60)
    raise SignInLocked(
        f"too many wrong passwords for this account or from this address; sign-in is locked for "
        f"{minutes} minute{'s' if minutes != 1 else ''}. Ask an administrator if you have forgotten "
        "the password.",
        retry_after=wait,
    )
