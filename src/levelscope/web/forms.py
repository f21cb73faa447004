"""A submitted HTML form as a dependency, so that page handlers can stay plain functions.

Reading the body is the only thing that has to be awaited; a handler that takes
:data:`SubmittedForm` is then a plain ``def``, which FastAPI runs in a worker thread, so its
queries and computations never hold up the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def submitted_form(request: Request) -> FormData:
    """The request's form fields and files (parsed once per request and kept)."""
    return await request.form()


SubmittedForm = Annotated[FormData, Depends(submitted_form)]
