"""The records database as the server uses it: one session per request, taken in turn.

Each request that reads or writes records gets its own session from :func:`records_session`,
which commits a writing request's changes when its endpoint returns and rolls them back when it
raises, so endpoints never commit themselves.
No more requests hold a session at once than the connection pool has connections; the others
wait for their turn on the event loop (a semaphore, no thread held). Waiting inside a worker
thread instead would let waiting requests fill the thread pool while the requests holding the
connections need a thread to give them back, and the server would stall until the pool's
timeout.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool
from starlette.concurrency import run_in_threadpool

from levelscope.records.db import RecordsSession, connect, default_url, for_writing

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Sessions open at once when the pool does not limit them (SQLite in memory, NullPool).
UNPOOLED_CAPACITY = 32


def pool_capacity(engine: Engine) -> int:
    """How many connections the engine's pool hands out before a checkout has to wait."""
    pool = engine.pool
    if isinstance(pool, QueuePool):
        overflow = pool._max_overflow  # SQLAlchemy keeps the limit only here; -1 means none
        return UNPOOLED_CAPACITY if overflow < 0 else pool.size() + overflow
    return UNPOOLED_CAPACITY


class ServerRecords:
    """The records database of one app: its session factory and the turns to use it.

    Parameters
    ----------
    url:
        SQLAlchemy URL; ``None`` means :func:`levelscope.records.db.default_url`. The database
        is opened (and its schema migrated, if ``migrate``) on first use, in a worker thread.
    factory:
        A ready session factory instead of a URL (tests, or a caller that opened it).
    migrate:
        Bring the schema up to date on first use. Off when several server processes share
        one database and the launcher migrated it once before starting them.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        factory: sessionmaker[RecordsSession] | None = None,
        migrate: bool = True,
    ) -> None:
        self.url = url
        self.migrate = migrate
        self._factory = factory
        self._writer: sessionmaker[RecordsSession] | None = None
        self._opening = threading.Lock()
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def factory(self) -> sessionmaker[RecordsSession]:
        """The session factory, opening the database on first use (blocking: call off the loop)."""
        with self._opening:
            if self._factory is None:
                self._factory = connect(self.url or default_url(), migrate=self.migrate)
            return self._factory

    async def opened_factory(self) -> sessionmaker[RecordsSession]:
        """The session factory, opened in a worker thread if this is its first use."""
        if self._factory is not None:
            return self._factory
        return await run_in_threadpool(self.factory)

    def writer(self) -> sessionmaker[RecordsSession]:
        """The factory of sessions that write (they take SQLite's write lock as they begin)."""
        if self._writer is None:
            self._writer = for_writing(self.factory())
        return self._writer

    def turns(self, factory: sessionmaker[RecordsSession]) -> asyncio.Semaphore:
        """The running event loop's semaphore, one slot per pooled connection of ``factory``."""
        loop = asyncio.get_running_loop()
        if loop not in self._turns:
            self._turns[loop] = asyncio.Semaphore(pool_capacity(factory.kw["bind"]))
        return self._turns[loop]

    def dispose(self) -> None:
        """Close the pool's connections (when the app shuts down)."""
        if self._factory is not None:
            self._factory.kw["bind"].dispose()


def attach_records(app: FastAPI, records: ServerRecords) -> None:
    """Make ``records`` the records database of ``app``'s requests."""
    app.state.records = records


async def records_session(request: Request) -> AsyncIterator[RecordsSession]:
    """A session for one request, taken when a connection is free; closed after the request.

    A request that may write (any method but GET, HEAD and OPTIONS) commits when its endpoint
    returns, before the answer is sent, so a failed commit is an error answer, never a success
    that was not kept. An endpoint that raises leaves nothing written (the session rolls back on
    close); one that answers a problem without raising (a page showing its form again) rolls
    back what it started first.
    """
    records: ServerRecords = request.app.state.records
    factory = await records.opened_factory()
    async with records.turns(factory):
        writes = request.method not in SAFE_METHODS
        session = records.writer()() if writes else factory()
        try:
            yield session
            if writes:
                await run_in_threadpool(session.commit)
        finally:
            await run_in_threadpool(session.close)


#: The request's records session. ``scope="function"`` ends it (the commit) before the answer
#: is sent rather than after.
Records = Annotated[RecordsSession, Depends(records_session, scope="function")]
