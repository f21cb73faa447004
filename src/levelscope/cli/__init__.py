"""The ``levelscope`` command line.

Each concept adds its commands from its own module (``cli/measures.py``, ``cli/space.py``, ...)
through a ``register(app)`` function; this module holds the workspace commands and wires the
rest in. Every command calls the same Python functions as the API and web pages.

Exit codes: 0 success, 1 invalid input (nothing written), 2 bad usage, 3 not found,
4 workspace problem (missing, locked, too new), 5 demo data mirror missing.
"""

from __future__ import annotations

import importlib

import typer

from levelscope.cli.workspace import register as register_workspace

app = typer.Typer(
    name="levelscope",
    help="Measure regional inequality and monitor and evaluate the policies meant to reduce it.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

register_workspace(app)

#: Modules that add commands; each defines ``register(app: typer.Typer) -> None``.
COMMAND_MODULES = ("measures", "space", "evaluate", "need", "programme", "design", "web")

for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"levelscope.cli.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"levelscope.cli.{_name}":
            raise
        continue
    _module.register(app)
