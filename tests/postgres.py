"""A throwaway PostgreSQL server for the tests, from the Debian packages on the machine.

``initdb`` and ``pg_ctl`` refuse to run as root, so as root the server runs as the ``postgres``
OS user (``runuser``). One server per test process, in a temporary folder, on a free port of
127.0.0.1 with fsync off; each test gets a fresh database on it. It stops when the process
ends. If the server cannot start, persistence tests on PostgreSQL fail when ``CI`` is set and
are skipped otherwise.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from levelscope.records.db import connect, upgrade


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed or would not start."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise PostgresUnavailable("no /usr/lib/postgresql/*/bin/initdb; run scripts/install-system-deps.sh")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    def __init__(self) -> None:
        bin_dir = _bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="levelscope-pg-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.data = self.folder / "data"
        self.port = _free_port()
        self.pg_ctl = str(bin_dir / "pg_ctl")
        self._run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "levelscope",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -F"
        self._run(
            [
                self.pg_ctl,
                "-D",
                str(self.data),
                "-l",
                str(self.folder / "log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        self.admin = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        self._template: str | None = None

    def _run(self, command: list[str]) -> None:
        result = subprocess.run([*self.as_user, *command], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.folder / "log"
            detail = log.read_text() if log.exists() else ""
            raise PostgresUnavailable(f"{command[0]} failed: {result.stderr}{result.stdout}{detail}")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://levelscope@127.0.0.1:{self.port}/{database}"

    def new_database(self, template: str | None = None) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        copy = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def migrated_database(self) -> str:
        """A fresh database at the current schema, copied from one migrated once per process."""
        if self._template is None:
            url = self.new_database()
            upgrade(url)
            self._template = url.rsplit("/", 1)[1]
        return self.new_database(self._template)

    def stop(self) -> None:
        self.admin.dispose()
        subprocess.run(
            [*self.as_user, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


_server: PostgresServer | None = None
_failure: str | None = None


def shared_server() -> PostgresServer:
    """The process's server, started on first use and stopped at exit."""
    global _server, _failure
    if _server is None and _failure is None:
        try:
            _server = PostgresServer()
            atexit.register(_server.stop)
        except (PostgresUnavailable, OSError) as error:
            _failure = str(error)
    if _server is None:
        message = f"PostgreSQL could not be started: {_failure}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return _server


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


_sqlite_template: Path | None = None


def _migrated_sqlite(folder: Path) -> str:
    global _sqlite_template
    if _sqlite_template is None:
        _sqlite_template = Path(tempfile.mkdtemp(prefix="levelscope-sqlite-")) / "records.sqlite"
        upgrade(f"sqlite:///{_sqlite_template}")
        atexit.register(shutil.rmtree, _sqlite_template.parent, True)
    shutil.copyfile(_sqlite_template, folder / "records.sqlite")
    return f"sqlite:///{folder / 'records.sqlite'}"


@pytest.fixture(params=BACKENDS)
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database with no schema: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'blank.sqlite'}"
    return shared_server().new_database()


@pytest.fixture(params=BACKENDS)
def records_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh records database at the current schema (the migrations run once per backend)."""
    if request.param == "sqlite":
        return _migrated_sqlite(tmp_path)
    return shared_server().migrated_database()


@pytest.fixture
def factory(records_url: str):  # type: ignore[no-untyped-def]
    """A session factory on a fresh records database."""
    made = connect(records_url, migrate=False)
    yield made
    made.kw["bind"].dispose()
