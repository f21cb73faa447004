"""Alembic environment for the records schema (online mode only; URL set by the caller)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from levelscope.records.db import Base, load_record_modules

load_record_modules()
config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None, "set sqlalchemy.url; see levelscope.records.migrations.alembic_config"

engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
