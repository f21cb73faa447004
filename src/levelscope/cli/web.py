"""``levelscope serve``: the web explorer and REST API over a workspace."""

from __future__ import annotations

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
    ) -> None:
        """Serve the explorer (area profiles, peers, trends, inequality, maps) and the REST API.

        Open http://HOST:PORT/ in a browser; the API is documented at /docs.
        """
        import uvicorn

        from levelscope.data.store import Workspace
        from levelscope.records.db import DEFAULT_FILE_NAME
        from levelscope.web.app import create_app

        # fail here, with the command line's exit codes, rather than inside the server
        Workspace.open(workspace, read_only=True).close()
        if records_url is None and workspace is not None:
            records_url = f"sqlite:///{workspace.resolve().parent / DEFAULT_FILE_NAME}"
        typer.echo(f"levelscope explorer on http://{host}:{port}/ (API documentation at /docs)")
        uvicorn.run(create_app(workspace, records_url=records_url), host=host, port=port, log_level="warning")
