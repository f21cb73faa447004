"""The app ``bench_web.py`` serves in a subprocess: ``uvicorn --factory bench_web_app:app``."""

from __future__ import annotations

import os

from fastapi import FastAPI

from levelscope.web.app import create_app


def app() -> FastAPI:
    return create_app(os.environ["LEVELSCOPE_BENCH_WORKSPACE"], records_url="sqlite://")
