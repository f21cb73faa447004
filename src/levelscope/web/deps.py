"""The dependencies every router shares: the served workspace, the records session, the
geography check, a submitted form and the number of random draws.

Dependencies that wait on I/O are plain functions, which FastAPI runs in worker threads; the two
that are ``async`` await only the request body or a turn at the records database, so the event
loop never blocks (see :mod:`levelscope.web.records`).
"""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import FormData

from levelscope.monitor.programmes import GeographyCheck, accept_known_code_forms
from levelscope.web.records import Records
from levelscope.web.state import Explorer

__all__ = ["MAX_RESAMPLES", "RecordId", "Records", "Served", "SubmittedForm", "explorer",
           "geography_check", "known_query_only", "resamples", "served_explorer"]

#: Largest id a record can have: the databases keep ids as signed 64-bit integers.
MAX_ID = 2**63 - 1
#: A record's id in a path: a positive 64-bit integer (a larger one is 422, never a crash).
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="the record's id")]
#: Most random draws a request may ask for: 9,999 permutations give pseudo p-values down to 0.0001.
MAX_RESAMPLES = 9_999


def served_explorer(app: FastAPI) -> Explorer | None:
    """The explorer over the app's current copy of the workspace, if it serves one."""
    served = getattr(app.state, "served", None)
    return None if served is None else served.current


def explorer(request: Request) -> Explorer:
    """Dependency: the explorer over the current copy of the served workspace.

    A request keeps the copy it started with, even if a fresher one is swapped in meanwhile.
    """
    found = served_explorer(request.app)
    if found is None:
        raise RuntimeError("this app serves no workspace")
    return found


Served = Annotated[Explorer, Depends(explorer)]


def geography_check(request: Request) -> GeographyCheck:
    """How the API checks a geography code exists.

    With a served workspace, a code exists if the workspace knows it; without one, any code of
    GSS, ITL or NUTS form is accepted. Override in ``app.dependency_overrides`` for anything else.
    """
    found = served_explorer(request.app)
    if found is None:
        return accept_known_code_forms
    known = frozenset(found.ws.geographies()["code"])
    return known.__contains__


async def submitted_form(request: Request) -> FormData:
    """The request's form fields and files (parsed once per request and kept).

    Reading the body is all there is to await; a page handler that takes :data:`SubmittedForm`
    is then a plain ``def`` whose queries and computations run in a worker thread.
    """
    return await request.form()


SubmittedForm = Annotated[FormData, Depends(submitted_form)]


def _takes_many(annotation: Any) -> bool:
    """Whether a query parameter's type is a list (``?code=a&code=b``), also inside ``| None``."""
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return any(_takes_many(arg) for arg in get_args(annotation)) if origin is not None else False


def _query_params(dependant: Dependant) -> dict[str, bool]:
    """Each query parameter an operation takes (its own and its dependencies') and whether it
    takes many values."""
    params = {p.alias: _takes_many(p.field_info.annotation) for p in dependant.query_params}
    for sub in dependant.dependencies:
        params.update(_query_params(sub))
    return params


_QUERY_PARAMS: dict[tuple[str, frozenset[str]], dict[str, bool]] = {}


def known_query_only(request: Request) -> None:
    """App-wide dependency: a REST call naming a query parameter its operation does not take, or
    giving one that takes a single value several times, is 422, saying which and what it takes.

    Ignoring either would answer a typo (``?n_resample=99``) or an ambiguous request as if the
    caller had asked for something else. Pages are left alone: browsers and links add their own.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.path.startswith("/api/"):
        return
    key = (route.path, frozenset(route.methods or ()))  # routes are unhashable; path + methods is unique
    if key not in _QUERY_PARAMS:
        _QUERY_PARAMS[key] = _query_params(route.dependant)
    params = _QUERY_PARAMS[key]
    takes = ", ".join(sorted(params)) or "none"
    problems = []
    for name in dict.fromkeys(request.query_params.keys()):
        values = request.query_params.getlist(name)
        if name not in params:
            problems.append({"loc": ("query", name), "type": "extra_forbidden", "input": values[0],
                             "msg": f"unknown query parameter {name!r}; this operation takes: {takes}"})
        elif len(values) > 1 and not params[name]:
            problems.append({"loc": ("query", name), "type": "too_long", "input": values,
                             "msg": f"query parameter {name!r} takes one value, got {len(values)}"})
    if problems:
        raise RequestValidationError(problems)


def resamples(least: int = 0, default: int = 999) -> Any:
    """Dependency: the ``n_resamples`` query parameter (the glossary's name for random draws).

    ``permutations``, its name before the glossary, is still read for one release; the OpenAPI
    document marks it deprecated. ``least`` is the fewest draws the endpoint accepts.
    """
    what = "random permutations for pseudo p-values"
    if least == 0:
        what += " (0: none, so no area is called significant)"

    def draws(n_resamples: int = default, permutations: int | None = None) -> int:
        return n_resamples if permutations is None else permutations

    # Set as objects, not text: the bounds are this call's, which text could not refer to.
    draws.__annotations__ = {
        "n_resamples": Annotated[int, Query(ge=least, le=MAX_RESAMPLES, description=what)],
        "permutations": Annotated[int | None, Query(ge=least, le=MAX_RESAMPLES, deprecated=True,
                                                    description="old name of n_resamples")],
        "return": int,
    }
    return Depends(draws)
