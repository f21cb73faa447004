"""The dependencies every router shares: the served workspace, the records session, the
geography check and a submitted form.

Dependencies that wait on I/O are plain functions, which FastAPI runs in worker threads; the two
that are ``async`` await only the request body or a turn at the records database, so the event
loop never blocks (see :mod:`levelscope.web.records`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Path, Request
from starlette.datastructures import FormData

from levelscope.monitor.programmes import GeographyCheck, accept_known_code_forms
from levelscope.web.records import Records
from levelscope.web.state import Explorer

__all__ = ["RecordId", "Records", "Served", "SubmittedForm", "explorer", "geography_check",
           "served_explorer"]

#: Largest id a record can have: the databases keep ids as signed 64-bit integers.
MAX_ID = 2**63 - 1
#: A record's id in a path: a positive 64-bit integer (a larger one is 422, never a crash).
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="the record's id")]


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
