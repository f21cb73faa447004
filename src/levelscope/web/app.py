"""The web application: REST API under ``/api`` and server-rendered pages, over one workspace.

Every concept adds its endpoints from its own module: ``web/api/<name>.py`` (JSON, documented
in the OpenAPI schema at ``/docs``) and ``web/pages/<name>.py`` (HTML), each defining
``router``, listed in :data:`ROUTERS`. This module wires them to what they share:

* ``app.state.served`` — the private copy of the workspace the app answers from, renewed when
  the file changes (:class:`~levelscope.web.snapshot.ServedCopy`), with its caches;
* ``app.state.records`` — the records database (programmes, assessments, users), whose
  sessions requests take in turn (:class:`~levelscope.web.records.ServerRecords`);
* the exception handlers that turn every error into its answer (:mod:`levelscope.web.errors`);
* security headers, a body size cap and ``OPTIONS`` (:mod:`levelscope.web.middleware`);
* ``/health``, and the API documentation served from local files (:mod:`levelscope.web.docs`).

Plotly.js is served from the installed ``plotly`` package at ``/static/plotly.min.js``, so the
dashboard works offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import plotly
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from levelscope import __version__
from levelscope.data.store import default_workspace_path
from levelscope.web.api import design as design_api
from levelscope.web.api import evaluate as evaluate_api
from levelscope.web.api import explorer as explorer_api
from levelscope.web.api import funding as funding_api
from levelscope.web.api import geography as geography_api
from levelscope.web.api import international as international_api
from levelscope.web.api import measures as measures_api
from levelscope.web.api import need as need_api
from levelscope.web.api import programmes as programmes_api
from levelscope.web.api import reports as reports_api
from levelscope.web.api import space as space_api
from levelscope.web.deps import known_query_only
from levelscope.web.docs import add_docs
from levelscope.web.errors import add_error_handlers, document_errors, error_response
from levelscope.web.middleware import MAX_BODY_BYTES, BodyLimit, Options, SecurityHeaders
from levelscope.web.pages import design as design_pages
from levelscope.web.pages import explorer as explorer_pages
from levelscope.web.pages import funding as funding_pages
from levelscope.web.pages import international as international_pages
from levelscope.web.pages import need as need_pages
from levelscope.web.pages import programmes as programmes_pages
from levelscope.web.records import ServerRecords, attach_records
from levelscope.web.snapshot import ServedCopy

#: Every router of the app, in the order they are matched.
ROUTERS: tuple[APIRouter, ...] = (
    explorer_api.router, measures_api.router, space_api.router, need_api.router,
    programmes_api.router, evaluate_api.router, design_api.router, funding_api.router,
    reports_api.router, international_api.router, geography_api.router,
    explorer_pages.router, need_pages.router, programmes_pages.router, design_pages.router,
    funding_pages.router, international_pages.router,
)

STATIC = Path(__file__).parent / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: Seconds between looks at the workspace file for a committed import.
RELOAD_INTERVAL = 2.0


def create_app(
    workspace: str | Path | None = None,
    *,
    records_url: str | None = None,
    warm: bool = True,
    reload_interval: float | None = RELOAD_INTERVAL,
    migrate_records: bool = True,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """Build the app serving a copy of ``workspace`` and the records database at ``records_url``.

    Parameters
    ----------
    workspace:
        Path of the workspace file; ``None`` means the default workspace. The app reads a copy
        of it and holds no lock on the file, so imports and notebooks can use it meanwhile.
    records_url:
        SQLAlchemy URL of the records database; ``None`` means
        :func:`levelscope.records.db.default_url`.
    warm:
        Work out the costly tables (standings of local authorities) before the first request.
    reload_interval:
        Seconds between looks at the workspace file; when it has changed (an import committed),
        the app swaps in a fresh copy. ``None`` never looks.
    migrate_records:
        Bring the records schema up to date on first use. Off when several server processes
        share one database and it was migrated before they started (``levelscope serve``).
    max_body_bytes:
        Largest request body accepted (413 beyond it).
    """
    path = Path(workspace).expanduser() if workspace is not None else default_workspace_path()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        served = await run_in_threadpool(lambda: ServedCopy(path, warm=warm))
        app.state.served = served
        watcher = None
        if reload_interval is not None:
            watcher = asyncio.create_task(_watch(served, reload_interval))
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            await run_in_threadpool(app.state.records.dispose)

    app = FastAPI(
        title="levelscope",
        version=__version__,
        description="Regional inequality, need, programmes and evaluation over one workspace. "
                    "Every error answer is an RFC 9457 problem-details object (`ErrorOut`).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(known_query_only)],
    )
    attach_records(app, ServerRecords(records_url, migrate=migrate_records))
    add_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    # The route above must win over the mount: mounts match by prefix, routes exactly.
    app.router.routes.insert(0, app.router.routes.pop())

    @app.get("/health", tags=["server"])
    def health(request: Request) -> JSONResponse:
        """Whether this server process can answer: its copy of the workspace and the records
        database (for a load balancer or a process supervisor)."""
        served: ServedCopy = request.app.state.served
        records: ServerRecords = request.app.state.records
        try:
            with records.factory()() as session:
                session.execute(text("SELECT 1"))
        except Exception as error:  # any failure to reach the records is "unhealthy"
            return error_response(request, 503, f"the records database cannot be reached: {error}",
                                  headers={"Retry-After": "5"})  # type: ignore[return-value]
        return JSONResponse({
            "status": "ok", "version": __version__, "process": os.getpid(),
            "workspace": {"path": str(served.path), "copies": served.copies},
            "records": records.factory().kw["bind"].dialect.name,
        })

    for router in ROUTERS:
        app.include_router(router)
    add_error_handlers(app)
    document_errors(app)
    app.add_middleware(Options)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


async def _watch(served: ServedCopy, interval: float) -> None:
    """Look at the workspace file every ``interval`` seconds and renew the copy when it changed
    (in a worker thread: copying reads the file)."""
    while True:
        await asyncio.sleep(interval)
        await run_in_threadpool(served.renew)


def app_from_environment() -> FastAPI:
    """The app ``levelscope serve`` starts in each worker process, configured by the launcher
    through ``LEVELSCOPE_SERVE_WORKSPACE`` and ``LEVELSCOPE_SERVE_RECORDS_URL`` (it migrated the
    records once, so the workers do not race to)."""
    return create_app(os.environ.get("LEVELSCOPE_SERVE_WORKSPACE"),
                      records_url=os.environ.get("LEVELSCOPE_SERVE_RECORDS_URL"), migrate_records=False)
