"""Who may see and change a programme.

Users, organisations, roles and tokens are shared by every kind of record and live in
:mod:`levelscope.records.accounts`; this module applies them to programmes:

* a programme is **visible** to every user of its organisation, and to every signed-in user of
  any organisation once it is published;
* it can be **edited** (fields, spend, indicators, actuals) by editors and admins of its
  organisation only — publishing does not open it to other organisations' edits;
* it can be **deleted and restored** by admins of its organisation only.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from levelscope.monitor.programmes import Programme, get_programme
from levelscope.records.accounts import PermissionDenied, Role, User


def can_view(user: User, programme: Programme) -> bool:
    return programme.organisation_id == user.organisation_id or programme.published


def can_edit(user: User, programme: Programme) -> bool:
    return programme.organisation_id == user.organisation_id and user.role.allows(Role.EDITOR)


def can_administer(user: User, programme: Programme) -> bool:
    return programme.organisation_id == user.organisation_id and user.role.allows(Role.ADMIN)


def require_role(user: User, role: Role) -> None:
    if not user.role.allows(role):
        raise PermissionDenied(f"{user.email} is a {user.role.value}; this needs the {role.value} role")


def programme_for(
    session: Session,
    user: User,
    programme_id: int,
    need: Role = Role.VIEWER,
    *,
    include_deleted: bool = False,
) -> Programme:
    """Load a programme and check ``user`` may act on it with role ``need``.

    Raises
    ------
    NotFoundError
        No such programme.
    PermissionDenied
        The programme belongs to another organisation (and, for viewing, is unpublished), or the
        user's role is too low.
    """
    programme = get_programme(session, programme_id, include_deleted=include_deleted)
    allowed = {
        Role.VIEWER: can_view,
        Role.EDITOR: can_edit,
        Role.ADMIN: can_administer,
    }[need](user, programme)
    if not allowed:
        if programme.organisation_id != user.organisation_id:
            raise PermissionDenied(f"programme {programme_id} belongs to another organisation")
        raise PermissionDenied(f"{user.email} is a {user.role.value}; this needs the {need.value} role")
    return programme


def visible_programmes(session: Session, user: User) -> list[Programme]:
    """Programmes of the user's organisation and published ones of others, by name."""
    query = (
        select(Programme)
        .where(or_(Programme.organisation_id == user.organisation_id, Programme.published.is_(True)))
        .order_by(Programme.name, Programme.id)
    )
    return list(session.scalars(query))
