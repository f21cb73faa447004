"""The programme pages: sign in, the programmes you may see, a programme's dashboard, and a form
to record an indicator's actual value.

* ``/programmes/login`` — sign-in form (email and password); opens a login session cookie;
* ``/programmes`` — your organisation's programmes and those other organisations published;
* ``/programmes/{id}`` — the dashboard: register, logic model, indicator tracks with their status
  (colour, marker shape and words), spend by year and source, value for money, appraisal;
* ``POST /programmes/{id}/actuals`` — record an actual (editors of the programme's organisation);
* ``POST /programmes/logout`` — sign out.

Every form carries a CSRF token: the login session's own one once signed in (checked by
:func:`levelscope.web.security.csrf_protect`), and before that a random token repeated in a
short-lived cookie (double submit), so a foreign site cannot sign a browser in either. Every
figure comes from :func:`levelscope.monitor.dashboard.programme_dashboard`; the page only
presents it, and the charts are the result objects' own Plotly figures.

Cookies are marked ``Secure`` when the request came over HTTPS; behind a proxy that ends TLS,
run the server with forwarded headers trusted (``uvicorn --proxy-headers``) so it knows.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from levelscope import formatting
from levelscope.errors import LevelscopeError, NotFoundError, ValidationError
from levelscope.monitor import tracking
from levelscope.monitor.access import can_edit, programme_for, visible_programmes
from levelscope.monitor.appraisal import switching_values
from levelscope.monitor.dashboard import ProgrammeDashboard, programme_dashboard
from levelscope.monitor.programmes import Programme
from levelscope.monitor.status import STATUS_COLOURS, Status
from levelscope.records.accounts import LoginSession, PermissionDenied, Role, User
from levelscope.records.throttle import SignInLocked
from levelscope.web.deps import RecordId, served_explorer
from levelscope.web.security import (
    LOGIN_PATH,
    Records,
    page_login,
    page_user,
    sign_in,
    sign_out,
    signed_in,
    to_login,
)
from levelscope.web.templating import render

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "levelscope_login_csrf"
HOME = "/programmes"
#: A text mark per status matching the chart's marker shapes, so colour is never the only cue.
STATUS_MARKS = {Status.ON_TRACK: "●", Status.AT_RISK: "▼", Status.OFF_TRACK: "✕", Status.NO_DATA: "○"}
#: The logic model's columns, left to right, with their headings.
LOGIC_COLUMNS = {
    "input": "Inputs",
    "activity": "Activities",
    "output": "Outputs",
    "outcome": "Outcomes",
    "impact": "Impacts",
}

SignedInUser = Annotated[User, Depends(page_user)]


#: Where a browser may be sent on to after signing in: pages of this site that need a login.
SIGNED_IN_PAGES = (HOME, "/design/saved")


def _safe_next(target: str) -> str:
    """Only ever send a signed-in browser on to a signed-in page of this site."""
    safe = target.startswith(SIGNED_IN_PAGES) and not target.startswith("//")
    return target if safe else HOME


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _problem(request: Request, error: LevelscopeError | HTTPException, title: str) -> HTMLResponse:
    if isinstance(error, HTTPException):
        code, message = error.status_code, str(error.detail)
    elif isinstance(error, NotFoundError):
        code, message = 404, str(error)
    elif isinstance(error, PermissionDenied):
        code, message = 403, str(error)
    else:
        code, message = 422, str(error)
    return render(request, "programmes/problem.html", status_code=code, title=title, message=message)


def _login_form(
    request: Request, next_path: str, *, error: str = "", email: str = "", status_code: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "programmes/login.html",
        status_code=status_code,
        csrf_token=token,
        next_path=_safe_next(next_path),
        error=error,
        email=email,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        secure=_secure(request),
        samesite="strict",
        path=LOGIN_PATH,
    )
    return response


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_page(request: Request, next: str = HOME) -> HTMLResponse:
    return _login_form(request, next)


@router.post(LOGIN_PATH, response_model=None)
def login(
    request: Request,
    session: Records,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = HOME,
) -> Response:
    """Check the form's CSRF token against its cookie, then the password; on to ``next``."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not (expected and csrf_token and hmac.compare_digest(expected, csrf_token)):
        return _login_form(
            request,
            next,
            error="The sign-in form had expired or did not come from this site; please try again.",
            email=email,
            status_code=403,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    address = request.client.host if request.client else "unknown"
    try:
        sign_in(response, session, email, password, secure=_secure(request), address=address)
    except HTTPException:
        return _login_form(request, next, error="Wrong email or password.", email=email, status_code=401)
    except SignInLocked as locked:
        page = _login_form(request, next, error=str(locked), email=email, status_code=429)
        page.headers["Retry-After"] = str(locked.retry_after)
        return page
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
    return response


@router.post("/programmes/logout")
def logout(request: Request, session: Records, _user: SignedInUser) -> RedirectResponse:
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    sign_out(request, response, session)
    return response


@router.get(HOME, response_model=None)
def programme_list(request: Request, session: Records) -> Response:
    login_session = signed_in(request, session)
    if login_session is None:
        return to_login(request)
    user = login_session.user
    rows = [
        {"programme": p, "own": p.organisation_id == user.organisation_id,
         "places": _place_labels(request, p.place_codes)}
        for p in visible_programmes(session, user)
    ]
    return render(
        request,
        "programmes/list.html",
        user=user,
        rows=rows,
        csrf_token=login_session.csrf_token,
    )


def _place_labels(request: Request, codes: list[str] | tuple[str, ...]) -> list[str]:
    """``Birmingham (E08000025)`` for each place the served workspace names, else the code."""
    served = served_explorer(request.app)
    if served is None:
        return list(codes)
    ws = served.ws
    names: dict[str, str] = served.remember(
        ("place names",),
        lambda: dict(ws.geographies()[["code", "name"]].itertuples(index=False, name=None)),
    )
    return [formatting.area_label(code, names) for code in codes]


def _logic_model(board: ProgrammeDashboard) -> list[dict[str, Any]]:
    """The logic model as columns from inputs to impacts, each with its entries."""
    columns: dict[str, list[dict[str, Any]]] = {stage: [] for stage in LOGIC_COLUMNS}
    for row in board.logic_model.to_dict("records"):
        status = row["status"] if isinstance(row["status"], str) else None
        columns[row["stage"]].append({"description": row["description"], "status": status})
    return [
        {"stage": stage, "heading": LOGIC_COLUMNS[stage], "entries": entries}
        for stage, entries in columns.items()
    ]


def _number(value: Any) -> str:
    return formatting.number(value)


def _dashboard(
    request: Request,
    session: Records,
    login_session: LoginSession,
    programme: Programme,
    *,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    board = programme_dashboard(session, programme)
    indicators = {i.id: i for i in programme.indicators}
    tracks = [
        {
            "track": t,
            "history": tracking.status_history(session, indicators[t.indicator_id]).to_dict("records"),
            "figure_id": f"track-figure-{t.indicator_id}",
            "figure": t.plot().to_json(),
            "colour": STATUS_COLOURS[t.status],
            "mark": STATUS_MARKS[t.status],
            "css": t.status.value.replace(" ", "-"),
        }
        for t in board.tracks
    ]
    switching = ""
    if board.appraisal is not None:
        rows = switching_values(board.appraisal).to_frame().to_dict("records")
        change = float(next(r["change"] for r in rows if r["component"] == "all benefits"))
        if math.isfinite(change) and abs(change) >= 0.0005:
            direction = "fall" if change < 0 else "rise"
            switching = (
                f"Switching value: benefits would have to {direction} by {abs(change):.1%} "
                "for the net present social value to reach zero."
            )
        elif math.isfinite(change):
            switching = "Benefits only just cover costs: any fall in them makes the scheme a net loss."
    wanted = request.query_params.get("recorded")
    recorded = next((i for i in tracks if str(i["track"].indicator_id) == wanted), None)
    return render(
        request,
        "programmes/dashboard.html",
        status_code=status_code,
        board=board,
        places=_place_labels(request, board.places),
        user=login_session.user,
        csrf_token=login_session.csrf_token,
        logic_columns=_logic_model(board),
        tracks=tracks,
        spend_rows=board.spend.to_dict("records"),
        spend_figure=None if board.spend.empty else board.spend_plot().to_json(),
        vfm_rows=board.value_for_money.to_frame().to_dict("records"),
        vfm_notes=board.value_for_money.notes,
        editable=can_edit(login_session.user, programme),
        recorded=recorded,
        switching=switching,
        errors=errors or [],
        form=form or {},
        number=_number,
        status_marks={s.value: STATUS_MARKS[s] for s in Status},
    )


@router.get("/programmes/{programme_id}", response_model=None)
def dashboard(request: Request, programme_id: RecordId, session: Records) -> Response:
    login_session = signed_in(request, session)
    if login_session is None:
        return to_login(request)
    try:
        programme = programme_for(session, login_session.user, programme_id)
        return _dashboard(request, session, login_session, programme)
    except LevelscopeError as error:
        return _problem(request, error, "Programme not available")


def _read_actual_form(indicator_id: str, date: str, value: str) -> tuple[int, dt.date, float, list[str]]:
    """The form's fields as typed values, with a sentence for each one that is wrong."""
    errors = []
    number, day, amount = 0, dt.date.min, math.nan
    try:
        number = int(indicator_id)
    except ValueError:
        errors.append("Choose an indicator.")
    try:
        day = dt.date.fromisoformat(date.strip())
    except ValueError:
        errors.append(f"Date {date!r} is not a date like 2025-03-31.")
    try:
        amount = float(value)
        if not math.isfinite(amount):
            raise ValueError
    except ValueError:
        errors.append(f"Value {value!r} is not a number.")
    return number, day, amount, errors


@router.post("/programmes/{programme_id}/actuals", response_model=None)
def record_actual(
    request: Request,
    programme_id: RecordId,
    session: Records,
    user: SignedInUser,
    login_session: Annotated[LoginSession, Depends(page_login)],
    indicator_id: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Record an actual from the dashboard's form (CSRF-checked by ``page_user``)."""
    form = {"indicator_id": indicator_id, "date": date, "value": value, "note": note}
    try:
        programme = programme_for(session, user, programme_id, Role.EDITOR)
    except LevelscopeError as error:
        return _problem(request, error, "Cannot record an actual")
    number, day, amount, errors = _read_actual_form(indicator_id, date, value)
    indicator = next((i for i in programme.indicators if i.id == number), None)
    if indicator is None and not errors:
        errors.append(f"Programme {programme.id} has no indicator {number}.")
    if not errors and indicator is not None:
        try:
            tracking.record_actual(session, indicator, day, amount, note=note.strip())
        except ValidationError as error:
            session.rollback()
            errors = [f"{p.column}: {p.reason}" for p in error.problems]
    if errors or indicator is None:
        return _dashboard(
            request, session, login_session, programme, errors=errors, form=form, status_code=422
        )
    return RedirectResponse(
        f"/programmes/{programme.id}?recorded={indicator.id}#indicator-{indicator.id}", status_code=303
    )
