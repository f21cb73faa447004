"""The web dashboard and REST API: a thin FastAPI layer over the analyses."""
