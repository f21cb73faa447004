"""Organisations, users, roles, API tokens and web login sessions.

Every user belongs to one organisation and has one role there:

========  ==============================================================
viewer    reads the organisation's records and anything published
editor    also creates and changes the organisation's records
admin     also deletes and restores records and manages users and tokens
========  ==============================================================

Secrets are never stored. Passwords are kept as salted scrypt hashes (RFC 7914, from Python's
standard library). API tokens and login-session ids are 256-bit random strings; with that much
entropy a single SHA-256 is enough to make a leaked table useless, and it lets a token be looked
up by its hash. Tokens are revocable and can expire.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from levelscope.errors import LevelscopeError, NotFoundError
from levelscope.records.db import Base, Record, UTCDateTime, utcnow

TOKEN_PREFIX = "lsk_"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class Role(StrEnum):
    """What a user may do within their organisation, each role including the ones before it."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class AuthenticationError(LevelscopeError):
    """The credentials are missing, wrong, expired or revoked (HTTP 401)."""


class PermissionDenied(LevelscopeError):
    """The user is known but may not do this (HTTP 403)."""


class Organisation(Base, Record):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base, Record):
    __tablename__ = "users"
    __audit_redact__ = frozenset({"password_hash"})

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e])
    )
    password_hash: Mapped[str | None] = mapped_column(String(300), default=None)
    active: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")

    def __repr__(self) -> str:
        return f"User({self.email!r}, role={self.role.value}, organisation_id={self.organisation_id})"


class ApiToken(Base, Record):
    __tablename__ = "api_tokens"
    __audit_redact__ = frozenset({"token_hash"})

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    label: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    user: Mapped[User] = relationship(lazy="joined")


class LoginSession(Base, Record):
    """A signed-in browser: the cookie holds a random id, the table its hash and CSRF token."""

    __tablename__ = "login_sessions"
    __audit_redact__ = frozenset({"session_hash", "csrf_token"})

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")


def hash_secret(secret: str) -> str:
    """SHA-256 hex digest of a high-entropy random secret (a token or session id)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` in the form ``scrypt$n$r$p$salt$hash``."""
    if len(password) < 8:
        raise LevelscopeError("a password needs at least 8 characters")
    salt = secrets.token_hex(16)
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **_SCRYPT).hex()
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt}${digest}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (constant-time compare)."""
    if not stored:
        return False
    _name, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
    ).hex()
    return hmac.compare_digest(candidate, digest)


def create_organisation(session: Session, name: str) -> Organisation:
    organisation = Organisation(name=name)
    session.add(organisation)
    session.flush()
    return organisation


def create_user(
    session: Session,
    organisation: Organisation,
    email: str,
    role: Role | str = Role.VIEWER,
    *,
    name: str = "",
    password: str | None = None,
) -> User:
    """Add a user to ``organisation`` with ``role``; ``password`` enables web sign-in."""
    user = User(
        email=email.strip().lower(),
        name=name,
        organisation_id=organisation.id,
        role=Role(role),
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFoundError(f"no user with email {email!r}")
    return user


def issue_token(
    session: Session, user: User, label: str = "", *, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create an API token for ``user``.

    Returns the stored token record and the secret itself. The secret is shown once: only its
    hash is kept, so it cannot be recovered later, only revoked and replaced.
    """
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, label=label, token_hash=hash_secret(secret), expires_at=expires_at)
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, token_id: int) -> None:
    """Revoke a token at once; requests bearing it get 401 from then on."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError(f"no API token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()


def user_for_token(session: Session, secret: str | None) -> User:
    """The active user a token belongs to.

    Raises
    ------
    AuthenticationError
        If the token is missing, unknown, revoked or expired, or its user is inactive.
    """
    if not secret:
        raise AuthenticationError("no API token given")
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None:
        raise AuthenticationError("unknown API token")
    if token.revoked_at is not None:
        raise AuthenticationError("this API token has been revoked")
    if token.expires_at is not None and token.expires_at <= utcnow():
        raise AuthenticationError("this API token has expired")
    if not token.user.active or token.user.is_deleted:
        raise AuthenticationError("this API token's user is no longer active")
    return token.user


def start_login_session(
    session: Session, email: str, password: str, *, lifetime: dt.timedelta = dt.timedelta(hours=8)
) -> tuple[LoginSession, str]:
    """Check a user's password and open a login session.

    Returns the session record (with its ``csrf_token``) and the secret session id for the cookie.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not verify_password(password, user.password_hash):
        raise AuthenticationError("wrong email or password")
    secret = secrets.token_urlsafe(32)
    login = LoginSession(
        user_id=user.id,
        session_hash=hash_secret(secret),
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + lifetime,
    )
    session.add(login)
    session.flush()
    return login, secret


def login_session_for(session: Session, secret: str | None) -> LoginSession:
    """The live login session a cookie names; :class:`AuthenticationError` if none."""
    if not secret:
        raise AuthenticationError("not signed in")
    login = session.scalar(select(LoginSession).where(LoginSession.session_hash == hash_secret(secret)))
    if login is None or login.expires_at <= utcnow() or not login.user.active:
        raise AuthenticationError("the sign-in has expired; sign in again")
    return login


def end_login_session(session: Session, secret: str | None) -> None:
    """Sign out: the session id stops working at once."""
    if not secret:
        return
    login = session.scalar(select(LoginSession).where(LoginSession.session_hash == hash_secret(secret)))
    if login is not None:
        login.expires_at = utcnow()
        session.flush()
