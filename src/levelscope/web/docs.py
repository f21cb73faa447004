"""The API documentation pages, ``/docs`` (Swagger UI) and ``/redoc``, served with no CDN.

The Swagger UI and ReDoc scripts come from the ``fastapi-offline`` package, which ships them as
files; the page that starts Swagger UI loads its settings from a script of ours rather than an
inline one, so the content security policy can forbid inline scripts everywhere.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"


def add_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` for ``app``'s OpenAPI document from local files."""
    app.mount("/static/docs/assets", StaticFiles(directory=ASSETS), name="docs-assets")
    title = escape(f"{app.title} API")
    openapi = escape(app.openapi_url or "/openapi.json")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="/static/docs/assets/favicon.png">
<link rel="stylesheet" href="/static/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="/static/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/docs/swagger-init.js"></script></body></html>""")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="/static/docs/assets/favicon.png"></head>
<body><redoc spec-url="{openapi}"></redoc>
<script src="/static/docs/assets/redoc.standalone.js"></script></body></html>""")
