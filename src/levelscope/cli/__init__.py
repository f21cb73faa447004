"""The ``levelscope`` command line.

Each concept adds its commands from its own module (``cli/measures.py``, ``cli/space.py``, ...)
through a ``register(app)`` function. Those modules import pandas, DuckDB, Plotly and the
analyses, which take seconds to load, so this entry point loads none of them: :data:`COMMANDS`
names each command's module and one-line help, ``levelscope --help`` is written from that table,
and a command's module is imported only when the command runs (or its own ``--help`` is asked
for). ``tests/test_cli_startup.py`` checks that the table matches what the modules register.

Exit codes: 0 success, 1 invalid input (nothing written), 2 bad usage, 3 not found,
4 workspace problem (missing, locked, too new), 5 demo data mirror missing, 6 a fetch from a
publisher failed (nothing written).
"""

from __future__ import annotations

import atexit
import gc
import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any

import typer
from typer import _click as click  # the copy of click that typer (>= 0.29) is built on
from typer.core import TyperCommand, TyperGroup

# A command is a short-lived process that loads a great many long-lived objects (pandas, Ibis,
# Plotly, the analyses) and then computes for a moment. With Python's default collector settings
# it walks all of them again in several full collections while loading, and once more while
# shutting down: about 0.9 s of a 4 s cold briefing. A first generation of 10,000 allocations
# instead of 700 leaves loading free of full collections, and freezing every object at exit (atexit
# runs before the interpreter's last collections) skips the final walk; the memory goes back to
# the system with the process either way.
gc.set_threshold(10_000, 10, 10)
atexit.register(gc.freeze)


@dataclass(frozen=True)
class CommandEntry:
    """Where a top-level command lives, and what ``levelscope --help`` says about it."""

    module: str
    help: str
    panel: str


_WORKSPACE, _ANALYSES, _POLICY, _SHARE, _SERVE = (
    "Workspace", "Analyses", "Policies and programmes", "Share", "Serve")

#: Every top-level command: name -> the ``levelscope.cli`` module that registers it, its one-line
#: help (the first line of the command's own help) and the panel it is listed under.
COMMANDS: dict[str, CommandEntry] = {
    "init": CommandEntry("workspace", "Create a workspace (or migrate an old one) and load the "
                         "indicator catalogue.", _WORKSPACE),
    "demo": CommandEntry("workspace", "Build the demo workspace from the official files (ONS "
                         "explorer dataset, regional GVA, subregional productivity, Nomis "
                         "population, LAD and ITL3 boundaries).", _WORKSPACE),
    "import": CommandEntry("workspace", "Validate a file and import its observations (all or "
                           "nothing; re-importing changes nothing; a new --vintage keeps the "
                           "earlier release).", _WORKSPACE),
    "fetch": CommandEntry("fetch", "Fetch a dataset from its publisher (Nomis, ONS, OECD, "
                          "Eurostat) into the mirror and import it.", _WORKSPACE),
    "sources": CommandEntry("fetch", "List the datasets levelscope can fetch, with their "
                            "publishers and licences.", _WORKSPACE),
    "export": CommandEntry("workspace", "Export observations (latest release, or as of a date) in "
                           "the long form that re-imports.", _WORKSPACE),
    "layout": CommandEntry("layout", "Layout files: where a file's table is and what its columns "
                           "hold.", _WORKSPACE),
    "indicators": CommandEntry("workspace", "List the workspace's indicators (unit, kind, "
                               "polarity, theme, source), or add your own.", _WORKSPACE),
    "geographies": CommandEntry("geography", "List the places in the workspace (code, name, "
                                "level, validity, parents), or add some.", _WORKSPACE),
    "derive": CommandEntry("geography", "Work out values publishers give none for: each "
                           "aggregable indicator for ITL regions, English regions, nations, the UK, "
                           "counties and combined authorities from its districts, and derived "
                           "indicators (GVA per head) from their formulas.", _WORKSPACE),
    "overview": CommandEntry("workspace", "What the workspace holds: places by level, indicators "
                             "by theme, releases, imports.", _WORKSPACE),
    "show": CommandEntry("workspace", "An area's latest value on every indicator, with its rank "
                         "and the median of its level.", _ANALYSES),
    "inequality": CommandEntry("measures", "Print inequality measures of an indicator across "
                               "areas, for each year (or group).", _ANALYSES),
    "clusters": CommandEntry("space", "Spatial clusters: global Moran's I and local (LISA) "
                             "clusters of an indicator.", _ANALYSES),
    "convergence": CommandEntry("space", "Convergence: beta and sigma convergence, Markov "
                                "mobility and rank mobility.", _ANALYSES),
    "international": CommandEntry("international", "The four cities in numbers: places against "
                                  "their nations, the UK against its peers.", _ANALYSES),
    "need": CommandEntry("need", "Composite need indices.", _POLICY),
    "funding": CommandEntry("need", "Funding versus need.", _POLICY),
    "programme": CommandEntry("programme", "Programmes: register, targets, tracking, appraisal, "
                              "value for money, users, tokens.", _POLICY),
    "evaluate": CommandEntry("evaluate", "Did the policy cause the change? Synthetic control and "
                             "DiD.", _POLICY),
    "design": CommandEntry("design", "Success factors, case studies and strategy assessments.",
                           _POLICY),
    "report": CommandEntry("report", "Reports to share: briefings as self-contained HTML or A4 "
                           "PDF.", _SHARE),
    "serve": CommandEntry("web", "Serve the explorer (area profiles, peers, trends, inequality, "
                          "maps) and the REST API.", _SERVE),
}


@cache
def module_commands(module: str) -> dict[str, click.Command]:
    """The click commands that ``levelscope.cli.<module>`` registers, by name."""
    holder = typer.Typer(rich_markup_mode="rich", pretty_exceptions_enable=False)
    holder.callback()(_no_options)  # a callback makes typer build a group even for one command
    importlib.import_module(f"levelscope.cli.{module}").register(holder)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return dict(group.commands)


def _no_options() -> None:
    """The registering group's own callback: it takes no options and does nothing."""


class LazyCommands(TyperGroup):
    """The top-level group: commands listed from :data:`COMMANDS`, loaded when used."""

    _listing = False

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        # keys only (for typer's "did you mean"); the commands themselves come from get_command
        self.commands = dict.fromkeys(COMMANDS)  # type: ignore[assignment]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        if self._listing:
            return TyperCommand(cmd_name, help=entry.help, short_help=entry.help,
                                rich_help_panel=entry.panel)
        return module_commands(entry.module)[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # the listing needs only names and one-line help: stubs, so no command module is imported
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="levelscope",
    cls=LazyCommands,
    help="Measure regional inequality and monitor and evaluate the policies meant to reduce it.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """Measure regional inequality and monitor and evaluate the policies meant to reduce it.

    Every command has --help. The workspace is --workspace FILE, else $LEVELSCOPE_WORKSPACE,
    else ~/.local/share/levelscope/levelscope.duckdb.
    """
