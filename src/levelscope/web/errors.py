"""Errors become HTTP answers here, and only here.

Endpoints raise: levelscope's own errors (:mod:`levelscope.errors`, the records' access and
conflict errors), FastAPI's request validation errors, ``HTTPException``, or a database error.
The exception handlers that :func:`add_error_handlers` installs turn each into one status code
(:data:`STATUS`) and one body shape, :class:`ErrorOut` — RFC 9457 "problem details" with the
individual problems listed in ``errors``. A request for a web page gets the same message as an
HTML page instead.

"Busy" — SQLite's write lock held past its timeout, a PostgreSQL lock or serialisation failure,
no pooled connection free in time — is 503 with ``Retry-After``, never 500.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from levelscope.errors import (
    LevelscopeError,
    NotFoundError,
    Problem,
    UndefinedMeasureError,
    ValidationError,
    WorkspaceError,
)
from levelscope.records.accounts import AuthenticationError, PermissionDenied
from levelscope.records.db import ConflictError, is_busy
from levelscope.records.throttle import SignInLocked

PROBLEM_JSON = "application/problem+json"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Seconds a client should wait before retrying a busy answer.
RETRY_AFTER = 1

#: The status of each levelscope error (the first class in this order that matches wins).
STATUS: tuple[tuple[type[LevelscopeError], int], ...] = (
    (NotFoundError, 404),
    (AuthenticationError, 401),
    (PermissionDenied, 403),
    (ConflictError, 409),
    (SignInLocked, 429),
    (WorkspaceError, 503),
    (ValidationError, 422),
    (UndefinedMeasureError, 422),
    (LevelscopeError, 422),
)


class ErrorItem(BaseModel):
    """One problem with the request, located as precisely as the request allows."""

    loc: list[str | int] = Field(description="where: e.g. ['body', 'amount'] or ['query', 'k']")
    msg: str = Field(description="what is wrong, in a sentence")
    input: str | int | float | bool | None = Field(
        default=None, description="the value refused, when it is a single value")
    type: str = Field(description="kind of problem, e.g. value_error, missing, int_parsing")


class ErrorOut(BaseModel):
    """The body of every error answer: RFC 9457 problem details."""

    type: str = Field(default="about:blank", description="always about:blank: the status says it")
    title: str = Field(description="the status's name, e.g. Not Found")
    status: int
    detail: str = Field(description="what went wrong and what to do, in a sentence or two")
    errors: list[ErrorItem] = Field(default_factory=list, description="each problem, where known")


def status_of(error: LevelscopeError) -> int:
    """The HTTP status of a levelscope error."""
    return next(code for kind, code in STATUS if isinstance(error, kind))


def error_body(status: int, detail: str, errors: Sequence[ErrorItem] = ()) -> dict[str, Any]:
    return ErrorOut(
        title=HTTPStatus(status).phrase, status=status, detail=detail, errors=list(errors)
    ).model_dump()


def _scalar(value: Any) -> str | int | float | bool | None:
    """A refused value as JSON can carry it: single values only (not a whole list or object the
    client sent anyway), and infinities and NaN, which JSON has no words for, as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # a NumPy scalar
        return _scalar(value.item())
    return None


def problem_items(problems: Sequence[Problem]) -> list[ErrorItem]:
    return [
        ErrorItem(loc=["body", p.column] if p.column else ["body"],
                  msg=str(p) if p.row is not None else p.reason, input=_scalar(p.value),
                  type="value_error")
        for p in problems
    ]


def _validation_items(errors: Sequence[Any]) -> list[ErrorItem]:
    return [
        ErrorItem(loc=[part if isinstance(part, int) else str(part) for part in e.get("loc", ())],
                  msg=str(e.get("msg", "")), input=_scalar(e.get("input")),
                  type=str(e.get("type", "value_error")))
        for e in errors
    ]


def _wants_page(request: Request) -> bool:
    """A browser asking for a page rather than a client of the REST API."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request,
    status: int,
    detail: str,
    errors: Sequence[ErrorItem] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """The answer to a failed request: problem details, or an HTML page for a browser."""
    if _wants_page(request):
        from levelscope.web.templating import render

        page = render(request, "problem.html", status_code=status, title=HTTPStatus(status).phrase,
                      message=detail, problems=[e.msg for e in errors])
        page.headers.update(headers or {})
        return page
    return JSONResponse(error_body(status, detail, errors), status_code=status, headers=headers,
                        media_type=PROBLEM_JSON)


def _summary(items: Sequence[ErrorItem]) -> str:
    if len(items) == 1:
        where = ".".join(str(p) for p in items[0].loc[1:])
        return f"{where}: {items[0].msg}" if where else items[0].msg
    return f"{len(items)} problems with the request; see errors"


async def _levelscope_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, LevelscopeError)
    status = status_of(error)
    items = problem_items(error.problems) if isinstance(error, ValidationError) else []
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": str(RETRY_AFTER)}
    if isinstance(error, SignInLocked):
        headers = {"Retry-After": str(error.retry_after)}
    return error_response(request, status, str(error), items, headers)


async def _invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    items = _validation_items(error.errors())
    return error_response(request, 422, _summary(items), items)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    return error_response(request, error.status_code, detail, headers=headers or None)


async def _database_error(request: Request, error: Exception) -> Response:
    if not is_busy(error):
        raise error
    return error_response(
        request, 503, "the records database is busy with other changes; try again in a moment",
        headers={"Retry-After": str(RETRY_AFTER)},
    )


@contextmanager
def invalid_argument(*loc: str) -> Iterator[None]:
    """Report a ``ValueError`` an analysis raises on one of the request's arguments as a 422 on
    that argument, exactly as if FastAPI's own validation had refused it.

    Analyses refuse bad arguments with ``ValueError`` (as NumPy and scikit-learn do); only an
    endpoint knows that the argument came straight from the request, so only it can say so.
    """
    try:
        yield
    except LevelscopeError:
        raise
    except (ValueError, TypeError) as error:
        raise RequestValidationError([{"loc": loc, "msg": str(error), "type": "value_error"}]) from None


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route answers at ``path`` (HEAD with GET, OPTIONS always); none if no
    route has the path. Asks each route whether it would take the request, as the router does."""
    methods: set[str] = set()
    for method in METHODS:
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
        for route in app.router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                # a mount (static files) takes any method but answers only reads
                methods |= {method} if not isinstance(route, Mount) else {"GET"}
                break
    if not methods:
        return []
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods | {"OPTIONS"})


def add_error_handlers(app: FastAPI) -> None:
    """Install the handlers that turn every error an endpoint raises into its answer."""
    app.add_exception_handler(LevelscopeError, _levelscope_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(sa_exc.DBAPIError, _database_error)
    app.add_exception_handler(sa_exc.TimeoutError, _database_error)


#: The error answers the OpenAPI document lists, and when (see :func:`document_errors`).
ERROR_DESCRIPTIONS = {
    400: "The body cannot be parsed (not JSON, or not a form).",
    401: "No valid API token or login session.",
    403: "Signed in, but not allowed: another organisation's record, too low a role, or a missing "
         "CSRF token on a cookie-authenticated write.",
    404: "No such thing: an unknown area, indicator, level, record or path.",
    409: "The record changed since it was read (send the version you read).",
    413: "The request body is larger than the server accepts.",
    422: "The request is not valid; `errors` says where.",
    429: "Too many failed sign-ins; wait the `Retry-After` seconds.",
    503: "Busy (the records database or the workspace); retry after the `Retry-After` seconds.",
}


def _error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    statuses = [404, 422, 503]
    if "requestBody" in operation:
        statuses += [400, 413]
    if operation.get("security"):
        statuses += [401, 403]
        if method != "get":
            statuses.append(409)
    return sorted(statuses)


def document_errors(app: FastAPI) -> None:
    """List in ``app``'s OpenAPI document every error status each operation can answer, each
    with the :class:`ErrorOut` body as ``application/problem+json``."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(error_schema.pop("$defs", {}))
        schemas["ErrorOut"] = error_schema
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        body = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in document.get("paths", {}).values():
            for method, operation in operations.items():
                answers = operation.setdefault("responses", {})
                for status in _error_statuses(method, operation):
                    answers[str(status)] = {"description": ERROR_DESCRIPTIONS[status], "content": body}
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
