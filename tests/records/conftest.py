"""Persistence tests run on SQLite and on a real PostgreSQL server (see tests/postgres.py)."""

from postgres import blank_url, factory, records_url

__all__ = ["blank_url", "factory", "records_url"]
