"""Tables worth keeping between runs, kept for exactly the figures they were computed from.

Some tables take a second to compute and are asked for by every command and page over the same
figures: every area's standing at a level (:func:`~levelscope.compare.standings.level_standings`)
is the first. :func:`cached_frame` keeps such a table in a file, under a key made of

* the workspace's :func:`fingerprint`: a digest of every row of the tables analyses read
  (observations, derived values, places, indicators, settings), so that any import, derivation
  or edit — through levelscope or not — makes a new key and the old table is never served;
* the levelscope version and the newest of its source files, so that a change to the code makes
  a new key too;
* what was asked (the table's name and its arguments).

The files live in ``$LEVELSCOPE_CACHE`` (``off`` turns caching off), else
``$XDG_CACHE_HOME/levelscope``, else ``~/.cache/levelscope``; deleting them only costs the time to
compute again. They are pickles, read only from that folder of the user's own.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from levelscope.data.store import Workspace

ENV_CACHE = "LEVELSCOPE_CACHE"
#: The tables an analysis reads, whose every row goes into a workspace's fingerprint.
FINGERPRINTED = ("observation", "derived_observation", "geography", "geography_parent",
                 "geography_attribute", "indicator", "setting")
#: Files kept per kind of table; older ones (earlier releases) are removed.
KEEP = 16


def cache_folder() -> Path | None:
    """Where cached tables live (None when ``$LEVELSCOPE_CACHE`` is ``off``)."""
    configured = os.environ.get(ENV_CACHE)
    if configured:
        return None if configured.lower() == "off" else Path(configured).expanduser()
    cache_home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache_home / "levelscope"


def fingerprint(ws: Workspace) -> str:
    """A digest of every row of the workspace's :data:`FINGERPRINTED` tables.

    DuckDB hashes each row and sums the hashes per table (a few hundredths of a second for
    300,000 observations): a changed, added or removed row changes the sum.

    Examples
    --------
    >>> before = fingerprint(ws)
    >>> ws.import_file("new-release.csv")  # doctest: +SKIP
    >>> fingerprint(ws) != before  # doctest: +SKIP
    True
    """
    # every table is named, never looked up: a workspace without one fails here rather than
    # sharing a digest with another
    query = " UNION ALL ".join(
        f"SELECT '{t}', count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {t} AS t" for t in FINGERPRINTED
    )
    rows = sorted(ws.con.execute(query).fetchall())
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def cached_frame(
    ws: Workspace, name: str, arguments: tuple[object, ...], compute: Callable[[], pd.DataFrame]
) -> pd.DataFrame:
    """``compute()``, or the table it returned before for the same figures, code and arguments.

    Parameters
    ----------
    ws:
        The workspace the table is computed from.
    name:
        The kind of table (one folder of files), e.g. ``"level_standings"``.
    arguments:
        What else the table depends on (their ``repr`` goes into the key).
    compute:
        Computes the table when it is not kept.

    Returns
    -------
    pandas.DataFrame
        The table; when it is kept, equal in every value and type to what ``compute`` returns.
    """
    folder = cache_folder()
    if folder is None:
        return compute()
    key = hashlib.sha256(repr((fingerprint(ws), _code_stamp(), name, arguments)).encode()).hexdigest()
    file = folder / name / f"{key}.pickle"
    try:
        kept: pd.DataFrame = pickle.loads(file.read_bytes())
        return kept
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass  # not kept yet, or unreadable: compute it again
    table = compute()
    _store(file, table)
    return table


def _store(file: Path, table: pd.DataFrame) -> None:
    """Write ``table`` to ``file`` whole or not at all; a folder that cannot be written to only
    means the table is not kept."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=file.parent, suffix=".tmp", delete=False) as out:
            try:
                pickle.dump(table, out, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                Path(out.name).unlink(missing_ok=True)
                raise
        os.replace(out.name, file)
        kept = sorted(file.parent.glob("*.pickle"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return


@cache
def _code_stamp() -> tuple[str, int]:
    """The installed levelscope's version and the newest modification time of its files.

    The version is read from the installation's metadata: importing the package's top level
    here would make data/ depend on the layers above it."""
    try:
        version = importlib.metadata.version("levelscope")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        version = "source"
    package = Path(__file__).resolve().parents[1]
    newest = max((f.stat().st_mtime_ns for f in package.rglob("*") if f.suffix in (".py", ".csv")),
                 default=0)
    return version, newest
