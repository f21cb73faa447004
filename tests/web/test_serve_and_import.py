"""Serving a workspace never locks its owner out of it (issue: "a served workspace is locked").

A real server (uvicorn in a thread) answers from its own copy of the workspace while another
process imports into the file; the server then shows the new figures. A writer that meets a
lock gets a levelscope message saying what to do, never DuckDB's own text.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from levelscope.data.store import Workspace
from levelscope.errors import WorkspaceError
from levelscope.web.app import create_app
from live_server import serve

BIRMINGHAM = "E08000025"

WRITER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from levelscope.data.model import Indicator
    from levelscope.data.store import Workspace

    with Workspace.open(sys.argv[1], wait=30) as ws:
        ws.add_indicators([Indicator(id="pilot_score", name="Pilot score", unit="score",
                                     theme="Pilot", source="levelscope test")])
        frame = pd.DataFrame({"geography_code": ["E08000025", "E08000035"],
                              "indicator_id": "pilot_score", "period": "2024", "value": [7.5, 6.0]})
        print(ws.import_frame(frame, vintage="2025-01-31", source="test").values_written)
    """
)

HOLDER = textwrap.dedent(
    """
    import sys, time
    from levelscope.data.store import Workspace

    ws = Workspace.open(sys.argv[1])
    print("holding", flush=True)
    sys.stdin.readline()
    ws.close()
    """
)


@pytest.fixture()
def own_workspace(demo_workspace_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "mine.duckdb"
    shutil.copyfile(demo_workspace_path, path)
    return path


def _indicator_ids(base: str) -> set[str]:
    themes = httpx.get(f"{base}/api/indicators", timeout=30).json()["themes"]
    return {i["id"] for theme in themes for i in theme["indicators"]}


def test_another_process_imports_while_serving_and_the_server_shows_it(
    own_workspace: Path, tmp_path: Path
) -> None:
    app = create_app(own_workspace, records_url=f"sqlite:///{tmp_path / 'r.sqlite'}", warm=False,
                     reload_interval=0.2)
    with serve(app) as base:
        assert "pilot_score" not in _indicator_ids(base)
        written = subprocess.run([sys.executable, "-c", WRITER, str(own_workspace)],
                                 capture_output=True, text=True, timeout=120)
        assert written.returncode == 0, written.stderr
        assert written.stdout.strip() == "2"
        deadline = time.monotonic() + 20
        while "pilot_score" not in _indicator_ids(base):
            assert time.monotonic() < deadline, "the server never showed the imported indicator"
            time.sleep(0.2)
        trend = httpx.get(f"{base}/api/areas/{BIRMINGHAM}/trends/pilot_score", timeout=30)
        assert trend.status_code == 200
        assert [p["value"] for p in trend.json()["series"] if p.get("value") is not None][-1] == 7.5
        # And the file stays the owner's: Python opens it for writing while the server runs.
        with Workspace.open(own_workspace, wait=10) as ws:
            assert ws.indicator("pilot_score").name == "Pilot score"


def test_server_keeps_serving_while_a_writer_holds_the_file(own_workspace: Path, tmp_path: Path) -> None:
    app = create_app(own_workspace, records_url=f"sqlite:///{tmp_path / 'r.sqlite'}", warm=False,
                     reload_interval=0.2)
    with serve(app) as base:
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(own_workspace)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
            own_workspace.touch()  # looks changed: the server tries a copy, finds it held, keeps its own
            time.sleep(0.6)
            assert httpx.get(f"{base}/api/levels", timeout=30).status_code == 200
            with pytest.raises(WorkspaceError) as refused:
                Workspace.open(own_workspace, wait=0.3)
        finally:
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(timeout=30)
        message = str(refused.value)
        assert f"process {holder.pid}" in message and "close the workspace there" in message
        assert "-readonly" not in message and "IO Error" not in message and "Conflicting lock" not in message
        assert httpx.get(f"{base}/health", timeout=30).json()["status"] == "ok"
