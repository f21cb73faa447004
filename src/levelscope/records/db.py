"""The application-records database: programmes, targets, assessments, users and tokens.

Records live in a relational database through SQLAlchemy: a SQLite file by default, PostgreSQL
for several users at once (``postgresql+psycopg://user:pass@host/db``). The schema is created and
upgraded by the Alembic migrations shipped in :mod:`levelscope.records.migrations`.

Every record class inherits :class:`Base` and :class:`Record`, which gives it

* an audit trail: each insert, change and delete is written to ``audit_log`` as one row per field
  (who, when, table, row, field, old → new) — see :mod:`levelscope.records.audit`;
* soft delete: :func:`soft_delete` stamps ``deleted_at`` and queries stop returning the row until
  :func:`restore` clears it (pass ``execution_options(include_deleted=True)`` to see it);
* optimistic locking: a ``version`` column that SQLAlchemy checks on every UPDATE, so two people
  editing the same row cannot silently overwrite each other; the loser gets a
  :class:`ConflictError`.

Examples
--------
Open (creating and migrating) a records database, write in one transaction, and read the audit
trail of who changed what:

>>> import pathlib, tempfile
>>> from levelscope.records.accounts import create_organisation, create_user
>>> from levelscope.records.audit import audit_trail
>>> factory = connect(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}")
>>> with transaction(factory, actor="alice@example.org") as session:
...     leeds = create_organisation(session, "Leeds City Council")
...     bob = create_user(session, leeds, "Bob@Example.org", "editor")
>>> bob.email, bob.role.value
('bob@example.org', 'editor')
>>> with transaction(factory, actor="alice@example.org") as session:
...     changes = audit_trail(session, "users", [bob.id])
>>> sorted(set(changes["actor"])), "email" in set(changes["field"])
(['alice@example.org'], True)
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from levelscope.errors import LevelscopeError

RECORDS_URL_VARIABLE = "LEVELSCOPE_RECORDS_URL"
#: How long a SQLite connection waits for another writer to finish before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: Execution option that marks a writing session's connections (see :func:`for_writing`).
_WRITES = "levelscope_writes"
#: PostgreSQL SQLSTATEs that mean "busy": serialisation failure, deadlock, lock not available.
_POSTGRES_BUSY = frozenset({"40001", "40P01", "55P03"})
WORKSPACE_VARIABLE = "LEVELSCOPE_WORKSPACE"
DEFAULT_FILE_NAME = "levelscope-records.sqlite"

# Modules that define record classes. Importing them fills ``Base.metadata`` completely, which
# the migration environment and the schema test need. Add new record modules here.
RECORD_MODULES = (
    "levelscope.records.audit",
    "levelscope.records.accounts",
    "levelscope.monitor.programmes",
    "levelscope.monitor.indicator_records",
    "levelscope.design.saved",
)


class ConflictError(LevelscopeError):
    """Someone else changed the record since it was read; the change was not saved.

    Read the record again, reapply the change and save, or discard it.
    """


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as naive UTC and read back as timezone-aware UTC on every database.

    SQLite keeps no time zone and PostgreSQL converts to the session's zone; storing naive UTC and
    attaching UTC on the way out makes timestamps compare the same on both.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamp {value!r} has no time zone; use UTC")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every record class; ``Base.metadata`` is the whole records schema."""


class Record:
    """Columns and behaviour shared by every record: id, version, timestamps, soft delete.

    Mix into a :class:`Base` subclass. ``__audit_redact__`` names columns whose values must not be
    copied into the audit trail (password and token hashes); their changes are logged as
    ``"(redacted)"``.
    """

    __audit_redact__: frozenset[str] = frozenset()

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class RecordsSession(Session):
    """A session that reports a lost concurrent update as :class:`ConflictError`."""

    def flush(self, objects: Any = None) -> None:
        try:
            super().flush(objects)
        except StaleDataError as error:
            raise ConflictError(
                "the record was changed or deleted by someone else since you read it; "
                "reload it and apply your change again"
            ) from error


@event.listens_for(RecordsSession, "do_orm_execute")
def _hide_soft_deleted(state: ORMExecuteState) -> None:
    if (
        state.is_select
        and not state.is_column_load
        and not state.is_relationship_load
        and not state.execution_options.get("include_deleted", False)
    ):
        state.statement = state.statement.options(
            with_loader_criteria(Record, lambda cls: cls.deleted_at.is_(None), include_aliases=True)
        )


def soft_delete(session: Session, record: Record) -> None:
    """Mark ``record`` deleted; it stays in the database and :func:`restore` brings it back.

    Parameters
    ----------
    session
        The session the record belongs to.
    record
        Any record (a row of a class that inherits :class:`Record`).

    Returns
    -------
    None
        Queries leave the record out from now on (unless asked to include deleted rows).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sqlalchemy import select
    >>> from levelscope.records.accounts import Organisation, create_organisation
    >>> factory = connect(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}")
    >>> with transaction(factory, actor="alice@example.org") as session:
    ...     leeds = create_organisation(session, "Leeds City Council")
    ...     soft_delete(session, leeds)
    ...     session.scalars(select(Organisation.name)).all()
    []
    """
    if record.deleted_at is None:
        record.deleted_at = utcnow()
        session.flush()


def restore(session: Session, record: Record) -> None:
    """Undo :func:`soft_delete`. Load the record with ``include_deleted=True`` to get hold of it.

    Parameters
    ----------
    session
        The session the record belongs to.
    record
        A soft-deleted record.

    Returns
    -------
    None
        Queries return the record again.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sqlalchemy import select
    >>> from levelscope.records.accounts import Organisation, create_organisation
    >>> factory = connect(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}")
    >>> with transaction(factory, actor="alice@example.org") as session:
    ...     leeds = create_organisation(session, "Leeds City Council")
    ...     soft_delete(session, leeds)
    >>> with transaction(factory, actor="alice@example.org") as session:
    ...     deleted = select(Organisation).execution_options(include_deleted=True)
    ...     restore(session, session.scalars(deleted).one())
    ...     session.scalars(select(Organisation.name)).all()
    ['Leeds City Council']
    """
    if record.deleted_at is not None:
        record.deleted_at = None
        session.flush()


def default_url() -> str:
    """The records database URL when none is given.

    ``LEVELSCOPE_RECORDS_URL`` wins; otherwise a SQLite file ``levelscope-records.sqlite`` beside
    the workspace file named by ``LEVELSCOPE_WORKSPACE``, or in the current directory.

    Returns
    -------
    str
        A SQLAlchemy URL.

    Examples
    --------
    >>> from unittest import mock
    >>> settings = {"LEVELSCOPE_RECORDS_URL": "", "LEVELSCOPE_WORKSPACE": "/srv/leeds.duckdb"}
    >>> with mock.patch.dict(os.environ, settings):
    ...     default_url()
    'sqlite:////srv/levelscope-records.sqlite'
    """
    configured = os.environ.get(RECORDS_URL_VARIABLE)
    if configured:
        return configured
    workspace = os.environ.get(WORKSPACE_VARIABLE)
    folder = Path(workspace).resolve().parent if workspace else Path.cwd()
    return f"sqlite:///{folder / DEFAULT_FILE_NAME}"


def create_records_engine(url: str | None = None, **engine_options: Any) -> Engine:
    """An engine for the records database, with SQLite set up for real transactions.

    Python's sqlite3 driver opens transactions lazily and ignores SAVEPOINT semantics; taking over
    BEGIN ourselves (the recipe in SQLAlchemy's SQLite dialect notes) makes SQLite transactions and
    savepoints behave as PostgreSQL's do. Foreign keys are switched on, which SQLite leaves off.

    For several writers at once a SQLite file runs in WAL mode (readers never wait for a writer),
    a connection waits up to :data:`SQLITE_BUSY_TIMEOUT_MS` for the write lock instead of failing
    at once, and a session made by :func:`for_writing` takes the write lock when its transaction
    begins (``BEGIN IMMEDIATE``). A transaction that starts reading and only later writes would
    instead have to upgrade its lock, and SQLite refuses that upgrade at once, without waiting,
    whenever another writer got there first.
    """
    url = url or default_url()
    engine = create_engine(url, **engine_options)
    if engine.dialect.name == "sqlite":
        in_file = engine.url.database not in (None, "", ":memory:")

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if in_file:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            immediate = connection.get_execution_options().get(_WRITES, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def for_writing(factory: sessionmaker[RecordsSession]) -> sessionmaker[RecordsSession]:
    """A factory like ``factory`` whose sessions are meant to write.

    On SQLite their transactions take the write lock as they begin, so concurrent writers queue
    (up to the busy timeout) rather than fail; other databases are unaffected.
    """
    engine: Engine = factory.kw["bind"]
    options = {**factory.kw, "bind": engine.execution_options(**{_WRITES: True})}
    return sessionmaker(class_=factory.class_, **options)


def is_busy(error: BaseException) -> bool:
    """Whether a database error means "busy, try again" rather than a fault.

    SQLite's write lock still held after the busy timeout, PostgreSQL's lock and serialisation
    failures, and a connection pool with no connection free in time.
    """
    if isinstance(error, sa_exc.TimeoutError):
        return True
    if not isinstance(error, sa_exc.OperationalError | sa_exc.DBAPIError):
        return False
    original = error.orig
    message = str(original).lower()
    if "database is locked" in message or "database table is locked" in message:
        return True
    return getattr(original, "sqlstate", None) in _POSTGRES_BUSY


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Create or upgrade the records schema at ``url`` to ``revision`` with Alembic.

    Parameters
    ----------
    url
        SQLAlchemy URL of the records database; default :func:`default_url`.
    revision
        The migration to bring the schema to; ``"head"`` is the newest.

    Returns
    -------
    None
        The schema at ``url`` is at ``revision``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sqlalchemy import create_engine, inspect
    >>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}"
    >>> upgrade(url)
    >>> {"organisations", "programmes", "audit_log"} <= set(inspect(create_engine(url)).get_table_names())
    True
    """
    from levelscope.records.migrations import run_upgrade

    run_upgrade(url or default_url(), revision)


def connect(
    url: str | None = None, *, migrate: bool = True, **engine_options: Any
) -> sessionmaker[RecordsSession]:
    """Open the records database and return a session factory.

    Parameters
    ----------
    url:
        SQLAlchemy URL, e.g. ``sqlite:///records.sqlite`` or
        ``postgresql+psycopg://user:password@host:5432/levelscope``. Defaults to
        :func:`default_url`.
    migrate:
        Bring the schema up to date first (the default). Turn off when another process owns
        migrations.
    **engine_options:
        Passed to :func:`sqlalchemy.create_engine`, e.g. ``pool_size`` and ``max_overflow``.

    Returns
    -------
    sessionmaker
        Makes :class:`RecordsSession` objects; use it with :func:`transaction`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sqlalchemy import select
    >>> from levelscope.records.accounts import Organisation, create_organisation
    >>> factory = connect(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}")
    >>> with transaction(factory, actor="alice@example.org") as session:
    ...     leeds = create_organisation(session, "Leeds City Council")
    >>> with factory() as session:
    ...     session.scalars(select(Organisation.name)).all()
    ['Leeds City Council']
    """
    url = url or default_url()
    if migrate:
        upgrade(url)
    load_record_modules()
    engine = create_records_engine(url, **engine_options)
    return sessionmaker(bind=engine, class_=RecordsSession, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[RecordsSession], actor: str) -> Iterator[RecordsSession]:
    """A session in one transaction, committed on success and rolled back on any error.

    ``actor`` (a user's email, ``"cli:<login>"``, ...) is written into the audit trail for every
    change made in the block.

    Parameters
    ----------
    factory
        From :func:`connect`.
    actor
        Who makes the changes, as the audit trail names them.

    Returns
    -------
    contextlib.AbstractContextManager
        A context manager giving the session; the block's changes are kept only if it ends
        without an error.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sqlalchemy import select
    >>> from levelscope.records.accounts import Organisation, create_organisation
    >>> factory = connect(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}")
    >>> with transaction(factory, actor="alice@example.org") as session:
    ...     leeds = create_organisation(session, "Leeds City Council")
    >>> try:
    ...     with transaction(factory, actor="alice@example.org") as session:
    ...         bradford = create_organisation(session, "Bradford Council")
    ...         raise RuntimeError("something went wrong")
    ... except RuntimeError:
    ...     pass
    >>> with factory() as session:
    ...     session.scalars(select(Organisation.name)).all()
    ['Leeds City Council']
    """
    with for_writing(factory)() as session:
        session.info["actor"] = actor
        with session.begin():
            yield session


def load_record_modules() -> None:
    """Import every module in :data:`RECORD_MODULES` so ``Base.metadata`` is complete."""
    import importlib

    for name in RECORD_MODULES:
        importlib.import_module(name)
