"""The workspace: one DuckDB file holding places, indicators and every release of their values.

Sources are read into the workspace once; every analysis reads it. Panel queries are built as
Ibis expressions so that the same query can run on another engine (Spark) when data outgrows one
machine; writes go through DuckDB directly inside one transaction each.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

import duckdb

from levelscope.data.model import Geography, Indicator, Level
from levelscope.data.periods import parse_period
from levelscope.data.schema import LATEST_VERSION, MIGRATIONS, SEED_CODE_HISTORY
from levelscope.errors import NotFoundError, WorkspaceError
from levelscope.results import Provenance, Source

if TYPE_CHECKING:
    import ibis.backends.duckdb
    import pandas as pd
    from geopandas import GeoDataFrame
    from ibis.expr.types import Table

    from levelscope.data.derived import Derivation
    from levelscope.data.fetch import FetchReport
    from levelscope.data.geography.harmonise import Harmonised
    from levelscope.data.importers import ImportReport
    from levelscope.data.layout import Layout

ENV_WORKSPACE = "LEVELSCOPE_WORKSPACE"
#: How long opening a workspace keeps trying while another process holds the file.
LOCK_WAIT_SECONDS = 10.0
#: ``geography_vintage="published"``: the area codes as published, whatever the workspace default.
PUBLISHED = "published"

DateLike = dt.date | str


def default_workspace_path() -> Path:
    """Where the workspace lives unless told otherwise.

    ``$LEVELSCOPE_WORKSPACE`` if set, else ``levelscope.duckdb`` in the user's data folder
    (``$XDG_DATA_HOME/levelscope``, by default ``~/.local/share/levelscope``).
    """
    configured = os.environ.get(ENV_WORKSPACE)
    if configured:
        return Path(configured).expanduser()
    data_home = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return data_home / "levelscope" / "levelscope.duckdb"


def workspace_busy(file: Path, error: Exception) -> WorkspaceError:
    """The error for a workspace file another process holds, naming that process if DuckDB did."""
    holder = re.search(r"PID (\d+)", str(error))
    who = f"process {holder.group(1)}" if holder else "another process"
    return WorkspaceError(
        f"workspace {file} is in use by {who} (an import, a notebook or another levelscope "
        "command that has it open for writing); close the workspace there, or wait for the import "
        "to finish, and try again. `levelscope serve` does not keep it open: it works from a copy."
    )


def is_lock_conflict(error: Exception) -> bool:
    """Whether DuckDB refused a file because another process holds its lock."""
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


T = TypeVar("T")


def when_free(file: Path, attempt: Callable[[], T], wait: float = LOCK_WAIT_SECONDS) -> T:
    """``attempt()``, tried again for up to ``wait`` seconds while another process holds ``file``.

    Raises :func:`workspace_busy`'s error if it is still held after that, and any other DuckDB
    I/O error as a :class:`~levelscope.errors.WorkspaceError`.
    """
    deadline = time.monotonic() + wait
    pause = 0.05
    while True:
        try:
            return attempt()
        except duckdb.IOException as exc:
            if not is_lock_conflict(exc):
                raise WorkspaceError(f"cannot open workspace {file}: {exc}") from None
            if time.monotonic() + pause > deadline:
                raise workspace_busy(file, exc) from None
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def _as_date(value: DateLike | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


class Workspace:
    """A levelscope workspace: one DuckDB file of places, indicators and observations.

    This class stores and queries; it computes nothing. The analyses over a workspace live with
    the analyses (e.g. :func:`levelscope.measures.over_time.inequality_over_time`), and
    :class:`levelscope.Workspace` adds shortcuts to them (``ws.inequality(...)``). Open one with
    :meth:`open`; use it as a context manager to close it when done.

    Examples
    --------
    >>> ws = Workspace.open(":memory:")
    >>> ws.indicators().empty
    True
    """

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path | None) -> None:
        self.con = connection
        self.path = path
        self._in_transaction = False

    @functools.cached_property
    def engine(self) -> ibis.backends.duckdb.Backend:
        """The Ibis backend over the workspace's connection, for panel queries."""
        # Ibis takes a third of a second to import: commands that only store pay nothing for it.
        import ibis

        return ibis.duckdb.from_connection(self.con)

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(
        cls, path: str | Path | None = None, *, read_only: bool = False, wait: float = LOCK_WAIT_SECONDS
    ) -> Self:
        """Open (creating and migrating if need be) the workspace at ``path``.

        Parameters
        ----------
        path:
            A ``.duckdb`` file, ``":memory:"`` for a throwaway workspace, or None for
            :func:`default_workspace_path`.
        read_only:
            Open without taking the write lock, so several readers can share the file. A
            read-only workspace must already be up to date.
        wait:
            Seconds to keep trying while another process holds the file (an import, a notebook,
            or ``levelscope serve`` taking a fresh copy, which lasts a moment) before giving up
            with a :class:`~levelscope.errors.WorkspaceError` that says what to do.
        """
        if path == ":memory:":
            ws = cls(duckdb.connect(":memory:"), None)
        else:
            file = Path(path).expanduser() if path is not None else default_workspace_path()
            if read_only and not file.exists():
                raise WorkspaceError(f"workspace {file} does not exist; run `levelscope init` first")
            file.parent.mkdir(parents=True, exist_ok=True)
            ws = cls(when_free(file, lambda: duckdb.connect(str(file), read_only=read_only), wait), file)
        ws._migrate(read_only=read_only)
        return ws

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path) if self.path else ':memory:'})"

    @property
    def schema_version(self) -> int:
        exists = self.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        )
        if not exists:
            return 0
        version = self.scalar("SELECT max(version) FROM schema_version")
        return int(version) if version is not None else 0

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The single value a query returns (None if it returns no row)."""
        # fetchall, not fetchone: DuckDB keeps a half-read result open and refuses the next query
        rows = self.con.execute(sql, list(params)).fetchall()
        return rows[0][0] if rows else None

    def _migrate(self, *, read_only: bool) -> None:
        current = self.schema_version
        if current > LATEST_VERSION:
            raise WorkspaceError(
                f"workspace {self.path} has schema version {current}, newer than this levelscope "
                f"understands ({LATEST_VERSION}); upgrade levelscope"
            )
        if current == LATEST_VERSION:
            return
        if read_only:
            raise WorkspaceError(
                f"workspace {self.path} is at schema version {current} and needs upgrading to "
                f"{LATEST_VERSION}: run `levelscope init --workspace {self.path}` once (from "
                "Python: Workspace.open(path) without read_only=True)"
            )
        with self.transaction():
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
            )
            for version, description, statements in MIGRATIONS:
                if version <= current:
                    continue
                for statement in statements:
                    if statement == SEED_CODE_HISTORY:
                        from levelscope.data.geography.places import seed_places

                        seed_places(self.con)
                    else:
                        self.con.execute(statement)
                self.con.execute(
                    "INSERT INTO schema_version VALUES (?, ?, now())", [version, description]
                )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: every write inside commits together or not at all.

        Transactions nest: an inner one joins the outer, which alone commits or rolls back.
        """
        if self._in_transaction:
            yield
            return
        self.con.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self._in_transaction = False
        self.con.execute("COMMIT")

    # -- reference data ------------------------------------------------------------------------
    def add_geographies(
        self,
        geographies: Iterable[Geography],
        *,
        geometries: dict[str, bytes] | None = None,
        crs: str | None = None,
    ) -> int:
        """Register places (insert or update by code), with their parents and optional WKB shapes.

        Dates of validity already known (from the code history) are kept where the new record
        gives none. Returns the number of places written. Runs as one transaction.
        """
        import pandas as pd

        items = list(geographies)
        if not items:
            return 0
        shapes = geometries or {}
        frame = pd.DataFrame(
            {
                "code": [g.code for g in items],
                "name": [g.name for g in items],
                "level": [str(g.level) for g in items],
                "valid_from": pd.Series([g.valid_from for g in items], dtype="object"),
                "valid_to": pd.Series([g.valid_to for g in items], dtype="object"),
                "geometry": pd.Series([shapes.get(g.code) for g in items], dtype="object"),
                "geometry_crs": [crs if g.code in shapes else None for g in items],
            }
        )
        links = pd.DataFrame(
            [(g.code, p) for g in items for p in g.parents], columns=["child", "parent"]
        )
        with self.transaction():
            self.con.register("_new_geo", frame)
            self.con.execute(
                """
                INSERT INTO geography
                SELECT code, name, level, CAST(valid_from AS DATE), CAST(valid_to AS DATE),
                       geometry, geometry_crs FROM _new_geo
                ON CONFLICT (code) DO UPDATE SET
                    name = excluded.name, level = excluded.level,
                    valid_from = coalesce(excluded.valid_from, geography.valid_from),
                    valid_to = coalesce(excluded.valid_to, geography.valid_to),
                    geometry = coalesce(excluded.geometry, geography.geometry),
                    geometry_crs = coalesce(excluded.geometry_crs, geography.geometry_crs)
                """
            )
            self.con.unregister("_new_geo")
            if not links.empty:
                self.con.register("_new_links", links)
                self.con.execute(
                    "INSERT INTO geography_parent SELECT DISTINCT child, parent FROM _new_links "
                    "ON CONFLICT DO NOTHING"
                )
                self.con.unregister("_new_links")
        return len(items)

    def add_indicators(self, indicators: Iterable[Indicator]) -> int:
        """Register indicators (insert or update by id). Returns how many were written."""
        rows = [
            (
                i.id, i.name, i.unit, str(i.polarity), i.theme, i.description, i.source,
                i.publisher, i.licence, str(i.aggregation), i.url, str(i.kind), i.currency,
                i.price_basis, i.weight, i.numerator, i.denominator, i.scale,
            )
            for i in indicators
        ]
        if not rows:
            return 0
        with self.transaction():
            self.con.executemany(
                """
                INSERT INTO indicator (id, name, unit, polarity, theme, description, source,
                    publisher, licence, aggregation, url, kind, currency, price_basis, weight,
                    numerator, denominator, scale)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    name = excluded.name, unit = excluded.unit, polarity = excluded.polarity,
                    theme = excluded.theme, description = excluded.description,
                    source = excluded.source, publisher = excluded.publisher,
                    licence = excluded.licence, aggregation = excluded.aggregation,
                    url = excluded.url, kind = excluded.kind, currency = excluded.currency,
                    price_basis = excluded.price_basis, weight = excluded.weight,
                    numerator = excluded.numerator, denominator = excluded.denominator,
                    scale = excluded.scale
                """,
                rows,
            )
        return len(rows)

    def add_geography_attributes(self, rows: Iterable[tuple[str, str, str]]) -> int:
        """Record attributes of places as ``(code, attribute, value)`` (insert or update).

        Attributes describe a place beyond its name and level, e.g. the OECD metropolitan
        typology of a TL3 region (``("FRG01", "metro_typology", "MR-M")``). Every code must
        already be a registered place. Returns the number of rows written; one transaction.
        """
        import pandas as pd

        frame = pd.DataFrame(list(rows), columns=["code", "attribute", "value"])
        if frame.empty:
            return 0
        known = set(self.con.execute("SELECT code FROM geography").df()["code"])
        unknown = sorted(set(frame["code"]) - known)
        if unknown:
            raise NotFoundError(f"attributes for unknown places {unknown[:5]}; register them first")
        frame = frame.drop_duplicates(["code", "attribute"], keep="last").astype(str)
        with self.transaction():
            self.con.register("_new_attributes", frame)
            self.con.execute(
                "INSERT INTO geography_attribute SELECT code, attribute, value FROM _new_attributes "
                "ON CONFLICT (code, attribute) DO UPDATE SET value = excluded.value"
            )
            self.con.unregister("_new_attributes")
        return len(frame)

    def geography_attributes(
        self, attribute: str | None = None, codes: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Attributes of places (columns code, attribute, value), optionally of one kind."""
        query = "SELECT code, attribute, value FROM geography_attribute WHERE true"
        params: list[Any] = []
        if attribute is not None:
            query += " AND attribute = ?"
            params.append(attribute)
        if codes is not None:
            query += " AND list_contains(?, code)"
            params.append(list(codes))
        return self.con.execute(query + " ORDER BY code, attribute", params).df()

    # -- reading reference data -------------------------------------------------------------------
    def indicators(self, theme: str | None = None) -> pd.DataFrame:
        """Every indicator with its unit, polarity, theme, source and licence."""
        return self._indicator_query("*", theme).df()

    def indicator_rows(
        self, columns: Sequence[str] = ("id", "name", "unit", "kind"), theme: str | None = None
    ) -> list[tuple[Any, ...]]:
        """Some columns of :meth:`indicators` as plain rows, for a listing that needs no pandas
        (``levelscope indicators`` starts faster without it)."""
        known = {str(row[0]) for row in self.con.execute("DESCRIBE indicator").fetchall()}
        unknown = [column for column in columns if column not in known]
        if unknown:
            raise ValueError(f"no indicator column {unknown[0]!r}; columns: {', '.join(sorted(known))}")
        return self._indicator_query(", ".join(f'"{c}"' for c in columns), theme).fetchall()

    def _indicator_query(self, columns: str, theme: str | None) -> duckdb.DuckDBPyConnection:
        query = f"SELECT {columns} FROM indicator"
        params: list[Any] = []
        if theme:
            query += " WHERE theme = ?"
            params.append(theme)
        return self.con.execute(query + " ORDER BY theme, id", params)

    def indicator(self, indicator_id: str) -> Indicator:
        """One indicator's definition; :class:`NotFoundError` names close matches if absent."""
        return self.indicator_definitions([indicator_id])[indicator_id]

    def indicator_definitions(self, ids: Sequence[str]) -> dict[str, Indicator]:
        """The definitions of several indicators in one query; :class:`NotFoundError` names
        close matches for the first id that is absent."""
        wanted = list(dict.fromkeys(ids))
        frame = self.con.execute("SELECT * FROM indicator WHERE list_contains(?, id)", [wanted]).df()
        found = {}
        for record in frame.to_dict("records"):
            fields = {str(k): _none_if_missing(v) for k, v in record.items()}
            if fields.get("scale") is None:
                fields.pop("scale", None)
            found[str(fields["id"])] = Indicator(**fields)
        for ident in wanted:
            if ident not in found:
                known = self.con.execute("SELECT id FROM indicator ORDER BY id").df()["id"].tolist()
                raise NotFoundError(_unknown("indicator", ident, known))
        return found

    def geographies(self, level: Level | str | None = None) -> pd.DataFrame:
        """Places (code, name, level, validity dates, parents), optionally at one level."""
        query = """
            SELECT g.code, g.name, g.level, g.valid_from, g.valid_to,
                   list(p.parent ORDER BY p.parent) FILTER (WHERE p.parent IS NOT NULL) AS parents,
                   g.geometry IS NOT NULL AS has_geometry
            FROM geography g LEFT JOIN geography_parent p ON p.child = g.code
        """
        params: list[Any] = []
        if level is not None:
            query += " WHERE g.level = ?"
            params.append(str(Level(level)))
        query += " GROUP BY ALL ORDER BY g.level, g.code"
        return self.con.execute(query, params).df()

    def geography(self, code: str) -> Geography:
        """One place; :class:`NotFoundError` names close matches if the code is unknown."""
        frame = self.geographies().set_index("code")
        if code not in frame.index:
            raise NotFoundError(_unknown("area", code, frame.index.tolist()))
        row = frame.loc[code]
        return Geography(
            code=code,
            name=row["name"],
            level=row["level"],
            valid_from=_none_if_missing(row["valid_from"]),
            valid_to=_none_if_missing(row["valid_to"]),
            parents=tuple(row["parents"]) if _is_list(row["parents"]) else (),
        )

    def geometries(self, level: Level | str) -> tuple[list[str], list[Any], str | None]:
        """The codes, shapely geometries and CRS of every place at ``level`` that has a shape."""
        from shapely import wkb

        rows = self.con.execute(
            "SELECT code, geometry, geometry_crs FROM geography "
            "WHERE level = ? AND geometry IS NOT NULL ORDER BY code",
            [str(Level(level))],
        ).fetchall()
        crs = rows[0][2] if rows else None
        return [r[0] for r in rows], [wkb.loads(bytes(r[1])) for r in rows], crs

    def boundaries(self, level: Level | str) -> GeoDataFrame:
        """The shapes of the places at ``level`` as a GeoDataFrame (``geography_code``,
        ``geography_name``, ``geometry``), in their stored CRS; needs the optional GeoPandas.
        See :func:`levelscope.geo.boundaries`."""
        from levelscope.geo import boundaries

        return boundaries(self, str(Level(level)))

    def levels(self) -> list[str]:
        """The levels that have at least one observation, most detailed last."""
        rows = self.con.execute(
            "SELECT DISTINCT g.level FROM observation o JOIN geography g ON g.code = o.geography_code"
        ).fetchall()
        return sorted(r[0] for r in rows)

    # -- observations -----------------------------------------------------------------------------
    def observations_table(
        self,
        indicator: str | Sequence[str] | None = None,
        level: Level | str | Sequence[Level | str] | None = None,
        periods: str | Sequence[str] | None = None,
        as_of: DateLike | None = None,
        geographies: Sequence[str] | None = None,
    ) -> Table:
        """The observation panel as a lazy Ibis table (latest vintage on or before ``as_of``).

        Columns: geography_code, geography_name, level, indicator_id, period, period_start,
        period_end, year, value, lower, upper, vintage, source, derivation. ``derivation`` is
        empty for published values and says how levelscope derived the others (values for
        parent areas built from their districts, derived indicators), which fill only the gaps
        publishers leave. Nothing is computed until the expression is executed, so it can be
        combined with further Ibis expressions.
        """
        import ibis

        def restrict(table: Table) -> Table:
            if indicator is not None:
                ids = [indicator] if isinstance(indicator, str) else list(indicator)
                table = table.filter(table.indicator_id.isin(ids))
            if periods is not None:
                labels = [periods] if isinstance(periods, str) else list(periods)
                table = table.filter(table.period.isin([parse_period(p).label for p in labels]))
            if geographies is not None:
                table = table.filter(table.geography_code.isin(list(geographies)))
            if cutoff is not None:
                table = table.filter(table.vintage <= cutoff)
            return table

        cutoff = _as_date(as_of)
        obs = restrict(self.engine.table("observation"))
        newest_first = ibis.row_number().over(
            group_by=[obs.geography_code, obs.indicator_id, obs.period],
            order_by=ibis.desc(obs.vintage),
        )
        obs = obs.mutate(_rank=newest_first).filter(lambda t: t._rank == 0).drop("_rank")
        published = obs.mutate(derivation=ibis.null().cast("string"))
        derived = restrict(self.engine.table("derived_observation"))
        derived = derived.anti_join(obs, ["geography_code", "indicator_id", "period"]).mutate(
            lower=ibis.null().cast("float64"), upper=ibis.null().cast("float64")
        )
        types = {"geography_code": "string", "indicator_id": "string", "period": "string",
                 "period_start": "date", "period_end": "date", "value": "float64", "lower": "float64",
                 "upper": "float64", "vintage": "date", "source": "string", "derivation": "string"}

        def shaped(table: Table) -> Table:
            return table.select(**{name: table[name].cast(kind) for name, kind in types.items()})

        rows = shaped(published).union(shaped(derived))
        geo = self.engine.table("geography").select(
            geography_code="code", geography_name="name", level="level"
        )
        if level is not None:
            levels = [level] if isinstance(level, str | Level) else list(level)
            geo = geo.filter(geo.level.isin([str(Level(lv)) for lv in levels]))
        panel = rows.join(geo, "geography_code")
        return panel.select(
            "geography_code", "geography_name", "level", "indicator_id", "period",
            "period_start", "period_end", year=panel.period_end.year(),
            value="value", lower="lower", upper="upper", vintage="vintage", source="source",
            derivation="derivation",
        ).order_by(["indicator_id", "level", "geography_code", "period_end"])

    def observations(
        self,
        indicator: str | Sequence[str] | None = None,
        level: Level | str | Sequence[Level | str] | None = None,
        periods: str | Sequence[str] | None = None,
        as_of: DateLike | None = None,
        geographies: Sequence[str] | None = None,
        geography_vintage: int | str | dt.date | None = None,
    ) -> pd.DataFrame:
        """Observations as a pandas DataFrame, latest release by default.

        Parameters
        ----------
        indicator:
            One indicator id or several; None for all.
        level:
            Geographic level(s), e.g. ``"lad"`` or ``["itl1", "itl2"]``.
        periods:
            Period label(s) in any form :func:`~levelscope.data.periods.parse_period` reads.
        as_of:
            Return the values as they were known on this date (the newest vintage released on
            or before it) instead of the latest release.
        geographies:
            Restrict to these codes.
        geography_vintage:
            Put every period on the area codes in use in this boundary year (e.g. ``2023``: the
            districts Allerdale, Carlisle and Copeland become Cumberland in every year), or
            ``"published"`` for the codes as published. None (the default) means the
            workspace's :attr:`geography_vintage`. Harmonised rows carry ``source_codes`` and
            ``harmonisation``; areas that cannot be put on the boundaries are left out, and
            :meth:`harmonised` says which and why.

        Raises
        ------
        NotFoundError
            If an indicator id is not in the workspace.
        """
        if indicator is not None:
            self.indicator_definitions([indicator] if isinstance(indicator, str) else indicator)
        boundaries = self.geography_vintage if geography_vintage is None else geography_vintage
        if boundaries is None or boundaries == PUBLISHED:
            return self.observations_table(indicator, level, periods, as_of, geographies).execute()
        from levelscope.data.geography.query import harmonised_observations

        return harmonised_observations(self, boundaries, indicator, level, periods, as_of, geographies,
                                       provenance=False).frame

    def harmonised(
        self,
        indicator: str | Sequence[str] | None = None,
        level: Level | str | Sequence[Level | str] | None = None,
        periods: str | Sequence[str] | None = None,
        as_of: DateLike | None = None,
        geographies: Sequence[str] | None = None,
        geography_vintage: int | str | dt.date | None = None,
    ) -> Harmonised:
        """Observations on one boundary set, with what could not be put on it and why.

        The parameters are those of :meth:`observations`; ``geography_vintage`` defaults to the
        workspace's, else the latest boundary year. Returns a
        :class:`~levelscope.data.geography.harmonise.Harmonised` result: ``frame`` (what
        :meth:`observations` returns), ``incomplete`` (areas with a part missing, so no value),
        ``refused`` (indicators that cannot be combined) and ``dropped`` (codes that cannot be
        put on these boundaries).
        """
        from levelscope.data.geography.query import harmonised_observations

        boundaries = geography_vintage or self.geography_vintage or dt.date.today().year
        if boundaries == PUBLISHED:
            raise ValueError("harmonised() needs a boundary year, not 'published'")
        if indicator is not None:
            self.indicator_definitions([indicator] if isinstance(indicator, str) else indicator)
        return harmonised_observations(self, boundaries, indicator, level, periods, as_of, geographies)

    @property
    def geography_vintage(self) -> int | None:
        """The boundary year :meth:`observations` puts figures on by default (None: as published)."""
        value = self.scalar("SELECT value FROM setting WHERE key = 'geography_vintage'")
        return int(value) if value else None

    def set_geography_vintage(self, boundary_year: int | None) -> None:
        """Set (or with None, clear) the workspace's default boundary year for observations."""
        with self.transaction():
            self.con.execute("DELETE FROM setting WHERE key = 'geography_vintage'")
            if boundary_year is not None:
                self.con.execute("INSERT INTO setting VALUES ('geography_vintage', ?)",
                                 [str(int(boundary_year))])

    def vintages(self, indicator: str) -> list[dt.date]:
        """The release dates held for an indicator, oldest first."""
        self.indicator(indicator)
        rows = self.con.execute(
            "SELECT DISTINCT vintage FROM observation WHERE indicator_id = ? ORDER BY vintage",
            [indicator],
        ).fetchall()
        return [r[0] for r in rows]

    def provenance(self, indicator: str | Sequence[str]) -> Provenance:
        """The publisher, dataset, vintages and licence behind one or more indicators."""
        ids = list(dict.fromkeys([indicator] if isinstance(indicator, str) else indicator))
        if not ids:
            return Provenance.of([])
        definitions = self.indicator_definitions(ids)  # one query for all, not one per indicator
        latest = dict(self.con.execute(
            "SELECT indicator_id, max(vintage) FROM observation WHERE list_contains(?, indicator_id) "
            "GROUP BY indicator_id", [ids]).fetchall())
        derived = dict(self.con.execute(
            "SELECT indicator_id, string_agg(DISTINCT derivation, '; ') FROM derived_observation "
            "WHERE list_contains(?, indicator_id) GROUP BY indicator_id", [ids]).fetchall())
        sources = []
        for ident in ids:
            ind = definitions[ident]
            vintage = latest.get(ident)
            sources.append(Source(publisher=ind.publisher, dataset=ind.source or ind.name,
                                  vintage=vintage.isoformat() if vintage else None,
                                  licence=ind.licence, url=ind.url or None))
            if derived.get(ident):
                sources.append(Source(publisher="levelscope", dataset=f"{ind.name}: values derived where "
                                      f"none is published ({_short(derived[ident])})"))
        return Provenance.of(sources)

    # -- imports and exports -------------------------------------------------------------------
    def import_file(
        self, path: str | Path, layout: Layout | dict[str, Any] | None = None, **options: Any
    ) -> ImportReport:
        """Validate a file and write its observations in one transaction.

        See :func:`levelscope.data.importers.import_file` for the parameters; returns an
        :class:`~levelscope.data.importers.ImportReport`.
        """
        from levelscope.data.importers import import_file

        return import_file(self, path, layout, **options)

    def import_frame(self, frame: pd.DataFrame, **options: Any) -> ImportReport:
        """Validate a tidy frame of observations and write it (see ``importers.import_frame``)."""
        from levelscope.data.importers import import_frame

        return import_frame(self, frame, **options)

    def fetch(self, source: str, dataset: str, **options: Any) -> FetchReport:
        """Fetch a publisher's dataset into the mirror and import it (``levelscope fetch``).

        See :func:`levelscope.data.fetch.fetch` for the options (``selection``, ``mirror``,
        ``offline``, ``dry_run`` ...); returns a :class:`~levelscope.data.fetch.FetchReport`.
        """
        from levelscope.data.fetch import fetch

        return fetch(self, source, dataset, **options)

    def export(self, path: str | Path, **filters: Any) -> int:
        """Write observations (filtered as in :meth:`observations`) to CSV or Parquet.

        The format follows the file suffix. The file re-imports unchanged with the default
        layout (see :func:`levelscope.data.exports.export_observations`). Figures are written on
        the codes as published unless ``geography_vintage`` is given. Returns the number of
        rows written.
        """
        from levelscope.data.exports import export_observations

        filters.setdefault("geography_vintage", PUBLISHED)
        return export_observations(self, path, **filters)

    def derive(self, indicators: Sequence[str] | None = None) -> Derivation:
        """Work out values publishers give none for: parent areas from their districts, and
        derived indicators from their formulas (replacing earlier derived values).

        See :func:`levelscope.data.derived.derive_values`; returns its
        :class:`~levelscope.data.derived.Derivation` report.
        """
        from levelscope.data.derived import derive_values

        return derive_values(self, indicators)

    def imports(self) -> pd.DataFrame:
        """The import log: every import that wrote something, newest last."""
        return self.con.execute(
            "SELECT id, file, imported_at, vintage, rows_read, rows_written, rows_unchanged, "
            "rows_skipped FROM import_log ORDER BY id"
        ).df()

    def counts(self) -> dict[str, int]:
        """How many geographies, indicators and observations the workspace holds."""
        out = {}
        for table in ("geography", "indicator", "observation", "derived_observation", "import_log"):
            out[table] = int(self.scalar(f"SELECT count(*) FROM {table}"))
        return out


def _short(derivations: str) -> str:
    """The kinds of derivation, without the counts ("sum of 12 ..." and "sum of 3 ..." are one)."""
    import re

    kinds = dict.fromkeys(re.sub(r"\d+ ", "", d) for d in derivations.split("; "))
    return "; ".join(kinds)


def _is_list(value: object) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str)


def _none_if_missing(value: object) -> Any:
    import pandas as pd

    return None if value is None or pd.isna(value) else value  # type: ignore[call-overload]


def _unknown(kind: str, value: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown {kind} {value!r}{hint}"
