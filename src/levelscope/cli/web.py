"""``levelscope serve``: the web explorer and REST API over a workspace."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from levelscope.cli.common import WorkspaceOption, handle_errors


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the command line."""

    @app.command()
    @handle_errors
    def serve(
        workspace: WorkspaceOption = None,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
        records_url: Annotated[
            str | None,
            typer.Option("--records-url", help="SQLAlchemy URL of the records database "
                         "(default: levelscope-records.sqlite beside the workspace file).", envvar="LEVELSCOPE_RECORDS_URL"),
        ] = None,
        workers: Annotated[int, typer.Option(help="Server processes; more than one wants PostgreSQL records (see docs/server.md).", min=1, max=64)] = 1,
    ) -> None:
        """Serve the explorer (area profiles, peers, trends, inequality, maps) and the REST API.

        Open http://HOST:PORT/ in a browser; the API is documented at /docs. The server works
        from a copy of the workspace and takes a fresh one when an import commits, so you can
        go on importing into the workspace and opening it from Python while it runs.
        """
        import uvicorn

        from levelscope.data.store import Workspace, default_workspace_path
        from levelscope.records.db import DEFAULT_FILE_NAME, upgrade

        path = (workspace or default_workspace_path()).expanduser().resolve()
        # fail here, with the command line's exit codes, rather than inside the server
        Workspace.open(path, read_only=True).close()
        if records_url is None:
            records_url = f"sqlite:///{path.parent / DEFAULT_FILE_NAME}"
        if workers > 1 and records_url.startswith("sqlite"):
            typer.echo("note: several workers share the SQLite records file; writes queue on its lock. "
                       "PostgreSQL serves many users better (--records-url).", err=True)
        upgrade(records_url)  # once, here, not in every worker at the same time
        # The workers build their app from these (see levelscope.web.app.app_from_environment).
        os.environ["LEVELSCOPE_SERVE_WORKSPACE"] = str(path)
        os.environ["LEVELSCOPE_SERVE_RECORDS_URL"] = records_url
        typer.echo(f"levelscope explorer on http://{host}:{port}/ (API documentation at /docs)")
        uvicorn.run("levelscope.web.app:app_from_environment", factory=True, host=host, port=port,
                    workers=workers, log_level="warning")
