"""Alembic migrations of the records schema, shipped with the package and run from Python.

There is no ``alembic.ini``: :func:`alembic_config` builds the configuration in memory, so
``levelscope.records.upgrade(url)`` works wherever the package is installed. To write a new
revision after changing a record class, run from a checkout::

    python -c "from levelscope.records.migrations import new_revision; new_revision('what changed')"

which compares the record classes with a scratch database at the current head and writes the
difference into ``versions/`` for review.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    # ConfigParser interpolation would read '%' in passwords as a directive.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def run_upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at ``url`` up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def run_downgrade(url: str, revision: str) -> None:
    """Take the schema at ``url`` down to ``revision`` (``"base"`` drops everything)."""
    command.downgrade(alembic_config(url), revision)


def new_revision(message: str) -> None:
    """Autogenerate a revision from the record classes against a scratch SQLite database."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'scratch.sqlite'}"
        run_upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True)
