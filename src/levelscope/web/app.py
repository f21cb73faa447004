"""The web application: REST API under ``/api`` and server-rendered pages, over one workspace.

Every concept adds its endpoints from its own module, as the CLI does: ``web/api/<name>.py``
(JSON, documented in the OpenAPI schema at ``/docs``) and ``web/pages/<name>.py`` (HTML), each
defining ``router``. This module only wires them together with the shared state:

* ``app.state.explorer`` — the served, read-only workspace (:class:`~levelscope.web.state.Explorer`);
* ``app.state.records`` — the records database (programmes, assessments, users), a
  :class:`~levelscope.web.records.ServerRecords` whose sessions requests take in turn.

Plotly.js is served from the installed ``plotly`` package at ``/static/plotly.min.js``, so the
dashboard works offline.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from levelscope import __version__
from levelscope.data.store import Workspace
from levelscope.web.errors import add_error_handlers
from levelscope.web.records import ServerRecords, attach_records
from levelscope.web.state import Explorer

#: Modules under ``levelscope.web.api`` and ``levelscope.web.pages`` that define ``router``.
API_MODULES = ("explorer", "measures", "space", "need", "programmes", "evaluate", "design")
PAGE_MODULES = ("explorer", "need", "programmes", "design")

STATIC = Path(__file__).parent / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def create_app(
    workspace: str | Path | None = None,
    *,
    records_url: str | None = None,
    warm: bool = True,
) -> FastAPI:
    """Build the app serving ``workspace`` (read-only) and the records database at ``records_url``.

    Parameters
    ----------
    workspace:
        Path of the workspace file; ``None`` means the default workspace.
    records_url:
        SQLAlchemy URL of the records database; ``None`` means
        :func:`levelscope.records.db.default_url`.
    warm:
        Work out the costly tables (standings of local authorities) before the first request.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        explorer = Explorer(Workspace.open(workspace, read_only=True))
        if warm:
            explorer.warm()
        app.state.explorer = explorer
        try:
            yield
        finally:
            explorer.close()
            app.state.records.dispose()

    app = FastAPI(
        title="levelscope",
        version=__version__,
        description="Regional inequality, need, programmes and evaluation over one workspace.",
        lifespan=lifespan,
    )
    attach_records(app, ServerRecords(records_url))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> object:
        from fastapi.responses import FileResponse

        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    # The route above must win over the mount: mounts match by prefix, routes exactly.
    app.router.routes.insert(0, app.router.routes.pop())
    for package, names in (("api", API_MODULES), ("pages", PAGE_MODULES)):
        for name in names:
            try:
                module = importlib.import_module(f"levelscope.web.{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"levelscope.web.{package}.{name}":
                    raise
                continue
            app.include_router(module.router)
    add_error_handlers(app)
    return app


def explorer(request: Request) -> Explorer:
    """Dependency: the app's served workspace."""
    found: Explorer = request.app.state.explorer
    return found
