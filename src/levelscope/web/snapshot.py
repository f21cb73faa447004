"""The server works from a private copy of the workspace, so its owner can go on using the file.

DuckDB lets one process write a database file or several read it, never both: a server holding
the file open, even read-only, would lock out ``levelscope import`` and ``Workspace.open()`` for
as long as it runs. So the server holds no lock. It copies the workspace into an in-memory
database (``ATTACH`` the file read-only, ``COPY FROM DATABASE``, ``DETACH``: a moment for the demo
workspace), serves from the copy, and watches the file. When the file has changed, an import
has committed: it takes a fresh copy with fresh caches and swaps it in at once, so a request
sees one copy from start to end. While a writer holds the file it keeps serving the copy it
has and tries again at the next look. A writer that finds the file held for the moment of a
copy waits for it (see :meth:`levelscope.data.store.Workspace.open`).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import duckdb

from levelscope.data.store import Workspace, when_free
from levelscope.errors import WorkspaceError
from levelscope.web.state import Explorer

log = logging.getLogger(__name__)

#: A file's identity for "has it changed": size and modification time of it and its WAL.
Signature = tuple[tuple[int, int], ...]


def signature(path: Path) -> Signature:
    """Size and modification time of the workspace file and its write-ahead log, if any."""
    found = []
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            stat = file.stat()
        except FileNotFoundError:
            continue
        found.append((stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def workspace_copy(path: Path, wait: float = 0.0) -> Workspace:
    """An in-memory copy of the workspace at ``path``, holding no lock on the file.

    Waits up to ``wait`` seconds while another process holds the file, then raises
    :class:`~levelscope.errors.WorkspaceError`.
    """
    if not path.exists():
        raise WorkspaceError(f"workspace {path} does not exist; run `levelscope init` first")
    con = duckdb.connect(":memory:")
    quoted = str(path).replace("'", "''")

    def copy() -> None:
        con.execute(f"ATTACH '{quoted}' AS source (READ_ONLY)")
        try:
            con.execute("COPY FROM DATABASE source TO memory")
        finally:
            con.execute("DETACH source")

    try:
        when_free(path, copy, wait)
        workspace = Workspace(con, path)
        workspace._migrate(read_only=True)  # refuses a file at another schema version
    except BaseException:
        con.close()
        raise
    return workspace


class ServedCopy:
    """The copy of one workspace file the server answers from, renewed when the file changes.

    Parameters
    ----------
    path:
        The workspace file.
    warm:
        Work out the costly tables of each new copy before it is swapped in.
    wait:
        Seconds the first copy waits for a writer to let go of the file.
    """

    def __init__(self, path: Path, *, warm: bool = True, wait: float = 30.0) -> None:
        self.path = path
        self.warm = warm
        self._renewing = threading.Lock()
        self._seen = signature(path)
        self.current = self._explorer(wait)
        self.copies = 1

    def _explorer(self, wait: float) -> Explorer:
        explorer = Explorer(workspace_copy(self.path, wait))
        if self.warm:
            explorer.warm()
        return explorer

    def renew(self) -> bool:
        """Take a fresh copy if the file changed since the last one; whether one was taken.

        Blocking (it reads the file): call it from a worker thread. A file another process holds
        is left for the next call; the current copy goes on serving meanwhile.
        """
        with self._renewing:
            now = signature(self.path)
            if now == self._seen:
                return False
            try:
                fresh = self._explorer(wait=0.0)
            except WorkspaceError as error:
                log.info("keeping the current copy of the workspace: %s", error)
                return False
            # Whether the file changed while we copied it or not, the copy is consistent (a
            # read lock was held throughout); a change after `now` is picked up next time.
            self._seen = now
            self.current = fresh
            self.copies += 1
            return True
