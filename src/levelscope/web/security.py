"""Authentication, CSRF protection and error translation for the REST API and the web pages.

Two ways to prove who you are:

* **API token** — ``Authorization: Bearer lsk_...``. Tokens are issued with
  :func:`levelscope.records.accounts.issue_token`, stored hashed, and revocable.
* **Login session** — the web pages sign a user in with email and password
  (:func:`sign_in`); the browser then carries an HttpOnly, SameSite=Lax cookie holding a random
  session id whose hash is kept in the records database.

**CSRF** uses the synchronizer-token pattern: each login session has its own random CSRF token,
stored server-side with the session. Pages put it in forms as a hidden ``csrf_token`` field (or
scripts send it as the ``X-CSRF-Token`` header), and :func:`csrf_protect` rejects any unsafe
request (POST, PUT, PATCH, DELETE) authenticated by the cookie whose token is missing or wrong
with 403. Requests authenticated by a bearer token need no CSRF token: a browser never attaches
one on its own.

Every dependency that touches the records database is a plain function, so FastAPI runs it in a
worker thread; only :func:`sent_csrf_token`, which awaits the request body, runs on the event loop.

"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from levelscope.records.accounts import (
    AuthenticationError,
    LoginSession,
    User,
    end_login_session,
    login_session_for,
    start_login_session,
    user_for_token,
)
from levelscope.records.db import RecordsSession
from levelscope.records.throttle import check_not_locked, record_refusal
from levelscope.web.records import Records

SESSION_COOKIE = "levelscope_session"
LOGIN_PATH = "/programmes/login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="API token issued by levelscope")


def _unauthorised(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, reason, headers={"WWW-Authenticate": "Bearer"})


def page_login(request: Request, session: Records) -> LoginSession:
    """The login session of the browser's cookie; 401 if there is none or it has expired."""
    try:
        login = login_session_for(session, request.cookies.get(SESSION_COOKIE))
    except AuthenticationError as reason:
        raise _unauthorised(str(reason)) from None
    session.info["actor"] = login.user.email
    return login


async def sent_csrf_token(request: Request) -> str | None:
    """The CSRF token an unsafe request carries: the ``X-CSRF-Token`` header or the form field.

    The only dependency here that runs on the event loop: it awaits the request body and
    touches nothing else. Everything that queries the records runs in a worker thread.
    """
    if request.method in SAFE_METHODS:
        return None
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    return sent


SentCsrfToken = Annotated[str | None, Depends(sent_csrf_token)]


def _check_csrf(request: Request, login: LoginSession, sent: str | None) -> None:
    if request.method in SAFE_METHODS:
        return
    if not sent or not hmac.compare_digest(sent, login.csrf_token):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token; reload the page and try again"
        )


def csrf_protect(
    request: Request, login: Annotated[LoginSession, Depends(page_login)], sent: SentCsrfToken
) -> None:
    """Reject an unsafe request whose CSRF token does not match the login session's (403)."""
    _check_csrf(request, login, sent)


def signed_in(request: Request, session: Records) -> LoginSession | None:
    """The browser's login session, or ``None`` (for pages that redirect rather than answer 401)."""
    try:
        return login_session_for(session, request.cookies.get(SESSION_COOKIE))
    except AuthenticationError:
        return None


def to_login(request: Request) -> RedirectResponse:
    """A redirect to the sign-in page that comes back to this page afterwards."""
    return RedirectResponse(f"{LOGIN_PATH}?next={quote(request.url.path)}", status_code=303)


def page_user(
    login: Annotated[LoginSession, Depends(page_login)],
    _csrf: Annotated[None, Depends(csrf_protect)],
) -> User:
    """The signed-in user of a web page request, with CSRF checked on unsafe methods."""
    return login.user


def api_user(
    request: Request,
    session: Records,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    sent: SentCsrfToken,
) -> User:
    """The user making a REST request: by bearer token, or by login cookie plus CSRF token.

    401 when neither identifies an active user; 403 when a cookie-authenticated unsafe request
    lacks the right CSRF token.
    """
    if credentials is None and SESSION_COOKIE in request.cookies:
        login = page_login(request, session)
        _check_csrf(request, login, sent)
        return login.user
    try:
        user = user_for_token(session, credentials.credentials if credentials else None)
    except AuthenticationError as reason:
        raise _unauthorised(str(reason)) from None
    session.info["actor"] = user.email
    return user


def sign_in(
    response: Response,
    session: RecordsSession,
    email: str,
    password: str,
    *,
    secure: bool = True,
    address: str = "unknown",
) -> LoginSession:
    """Check a password, open a login session and set the session cookie.

    The returned session's ``csrf_token`` goes into the pages' forms. ``secure=False`` only for
    local development over plain HTTP. A wrong password is written to the audit trail (and
    committed) before the 401; too many of them for the email or from the client ``address``
    raise :class:`~levelscope.records.throttle.SignInLocked` (429), whatever the password.
    """
    check_not_locked(session, email, address)
    try:
        login, secret = start_login_session(session, email, password)
    except AuthenticationError as reason:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        record_refusal(session, email, address, user.id if user else None)
        session.commit()  # the refusal is kept although the request fails
        raise _unauthorised(str(reason)) from None
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int((login.expires_at - login.created_at).total_seconds()),
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
    return login


def sign_out(request: Request, response: Response, session: RecordsSession) -> None:
    """End the browser's login session and clear its cookie."""
    end_login_session(session, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")
