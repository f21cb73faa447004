"""Saved-assessment tests run on SQLite and on a real PostgreSQL server (see tests/postgres.py)."""

from postgres import factory, records_url

__all__ = ["factory", "records_url"]
