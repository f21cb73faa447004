"""Fixtures shared by the whole suite.

``shared_data`` is the folder of real public data sets the tests read (the same files the
publishers release). CI keeps it beside the checkout; set ``LEVELSCOPE_TEST_DATA`` to point
elsewhere.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Commands run without --workspace look in $XDG_DATA_HOME/levelscope: give the suite its own
# empty folder, so no test reads or writes the workspace of whoever runs it.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="levelscope-test-data-")
# Tables kept between runs (levelscope.data.cache) go to a folder of the suite's own, so that no
# run reads what another run, or the user, kept.
os.environ["LEVELSCOPE_CACHE"] = tempfile.mkdtemp(prefix="levelscope-test-cache-")
os.environ.pop("LEVELSCOPE_WORKSPACE", None)
os.environ.pop("LEVELSCOPE_RECORDS_URL", None)


def shared_data_dir() -> Path:
    configured = os.environ.get("LEVELSCOPE_TEST_DATA")
    return Path(configured) if configured else REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def own_data_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that fall back to the default workspace find a fresh folder, never the user's own
    (an old workspace there, or one a test leaves behind, would make results depend on it)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data-home")))
    monkeypatch.delenv("LEVELSCOPE_WORKSPACE", raising=False)
    monkeypatch.delenv("LEVELSCOPE_RECORDS_URL", raising=False)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(f"test data folder {path} not found; set LEVELSCOPE_TEST_DATA")
    return path


@pytest.fixture(scope="session")
def demo_workspace_path(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace built once per test session from the real files (read-only for tests)."""
    from levelscope import Workspace
    from levelscope.data.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Workspace.open(path) as ws:
        build_demo(ws, shared_data)
    return path


@pytest.fixture()
def demo_workspace(demo_workspace_path: Path):  # type: ignore[no-untyped-def]
    from levelscope import Workspace

    ws = Workspace.open(demo_workspace_path, read_only=True)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def client(demo_workspace_path: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The web app over the demo workspace, with a fresh SQLite records database per module."""
    from fastapi.testclient import TestClient

    from levelscope.web.app import create_app

    records = tmp_path_factory.mktemp("records") / "r.sqlite"
    app = create_app(demo_workspace_path, records_url=f"sqlite:///{records}", warm=False)
    with TestClient(app) as test_client:
        yield test_client

