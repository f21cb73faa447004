"""The workspace's tables, as numbered migrations.

A workspace records the highest migration applied in ``schema_version``. Opening a workspace
applies the newer migrations in one transaction; a workspace written by a newer levelscope is
refused rather than misread. Add a migration by appending to :data:`MIGRATIONS`; never edit one
that has shipped.
"""

from __future__ import annotations

#: Marks the migration step that registers every code of the shipped code history as a place
#: (with its dates and memberships), so that imports accept old codes for their own years.
SEED_CODE_HISTORY = "-- seed places from the code history"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "geographies, indicators, observations with vintages, import log",
        [
            """
            CREATE TABLE geography (
                code        VARCHAR PRIMARY KEY,
                name        VARCHAR NOT NULL,
                level       VARCHAR NOT NULL,
                valid_from  DATE,
                valid_to    DATE,
                geometry    BLOB,          -- WKB, in the CRS named by geometry_crs
                geometry_crs VARCHAR
            )
            """,
            """
            CREATE TABLE geography_parent (
                child       VARCHAR NOT NULL,
                parent      VARCHAR NOT NULL,
                PRIMARY KEY (child, parent)
            )
            """,
            """
            CREATE TABLE indicator (
                id          VARCHAR PRIMARY KEY,
                name        VARCHAR NOT NULL,
                unit        VARCHAR NOT NULL,
                polarity    VARCHAR NOT NULL,
                theme       VARCHAR NOT NULL,
                description VARCHAR NOT NULL,
                source      VARCHAR NOT NULL,
                publisher   VARCHAR NOT NULL,
                licence     VARCHAR NOT NULL,
                aggregation VARCHAR NOT NULL,
                url         VARCHAR NOT NULL
            )
            """,
            """
            CREATE TABLE observation (
                geography_code VARCHAR NOT NULL,
                indicator_id   VARCHAR NOT NULL,
                period         VARCHAR NOT NULL,
                period_start   DATE NOT NULL,
                period_end     DATE NOT NULL,
                value          DOUBLE NOT NULL,
                lower          DOUBLE,
                upper          DOUBLE,
                vintage        DATE NOT NULL,
                source         VARCHAR NOT NULL,
                import_id      INTEGER NOT NULL,
                PRIMARY KEY (geography_code, indicator_id, period, vintage)
            )
            """,
            """
            CREATE TABLE import_log (
                id            INTEGER PRIMARY KEY,
                file          VARCHAR NOT NULL,
                sha256        VARCHAR NOT NULL,
                imported_at   TIMESTAMP NOT NULL,
                vintage       DATE NOT NULL,
                rows_read     INTEGER NOT NULL,
                rows_written  INTEGER NOT NULL,
                rows_unchanged INTEGER NOT NULL,
                rows_skipped  INTEGER NOT NULL,
                report        JSON NOT NULL
            )
            """,
        ],
    ),
]

MIGRATIONS.append(
    (
        2,
        "indicator kind: count, amount, rate or index",
        [
            "ALTER TABLE indicator ADD COLUMN kind VARCHAR NOT NULL DEFAULT 'rate'",
            # the kinds levelscope.data.model.infer_kind gives existing indicators
            """
            UPDATE indicator SET kind = CASE
                WHEN lower(trim(unit)) IN ('achievements', 'businesses', 'count', 'dwellings',
                    'enterprises', 'households', 'jobs', 'number', 'people', 'persons', 'places',
                    'pupils', 'starts') THEN 'count'
                WHEN unit LIKE '£%' AND aggregation = 'sum'
                    AND (unit LIKE '%million%' OR unit LIKE '%billion%') THEN 'amount'
                WHEN lower(unit) LIKE '%index%' OR lower(unit) LIKE '%score%' THEN 'index'
                ELSE 'rate' END
            """,
        ],
    )
)

MIGRATIONS.append(
    (
        3,
        "observation keys are kept unique by the importer, not by an index",
        # An index on the key cost 4 s per million rows written and had to fit in memory, so a
        # large import could not stay in bounded memory. Every write goes through the importer,
        # which refuses a key that is already held (tests/data/test_importers.py).
        [
            """
            CREATE TABLE observation_v2 (
                geography_code VARCHAR NOT NULL,
                indicator_id   VARCHAR NOT NULL,
                period         VARCHAR NOT NULL,
                period_start   DATE NOT NULL,
                period_end     DATE NOT NULL,
                value          DOUBLE NOT NULL,
                lower          DOUBLE,
                upper          DOUBLE,
                vintage        DATE NOT NULL,
                source         VARCHAR NOT NULL,
                import_id      INTEGER NOT NULL
            )
            """,
            "INSERT INTO observation_v2 SELECT * FROM observation",
            "DROP TABLE observation",
            "ALTER TABLE observation_v2 RENAME TO observation",
        ],
    )
)

MIGRATIONS.append(
    (
        4,
        "indicator currency and price basis; attributes of places",
        [
            "ALTER TABLE indicator ADD COLUMN currency VARCHAR",
            "ALTER TABLE indicator ADD COLUMN price_basis VARCHAR",
            # e.g. the OECD metropolitan typology of a TL3 region, or a country's currency
            """
            CREATE TABLE geography_attribute (
                code        VARCHAR NOT NULL,
                attribute   VARCHAR NOT NULL,
                value       VARCHAR NOT NULL,
                PRIMARY KEY (code, attribute)
            )
            """,
        ],
    )
)

MIGRATIONS.append(
    (
        5,
        "the funding register: allocations of funds to areas, with vintages",
        [
            """
            CREATE TABLE allocation (
                bid_id         VARCHAR NOT NULL,
                fund           VARCHAR NOT NULL,
                round          VARCHAR NOT NULL,
                announced      DATE NOT NULL,
                lead_applicant VARCHAR NOT NULL,
                recipient      VARCHAR,
                bid_name       VARCHAR NOT NULL,
                amount         DECIMAL(18, 2) NOT NULL,  -- pounds and pence, summed exactly
                areas          VARCHAR[] NOT NULL,
                outcome        VARCHAR,
                notes          VARCHAR,
                vintage        DATE NOT NULL,
                source         VARCHAR NOT NULL,
                import_id      INTEGER NOT NULL,
                PRIMARY KEY (bid_id, vintage)
            )
            """,
            """
            CREATE TABLE allocation_import (
                id            INTEGER PRIMARY KEY,
                file          VARCHAR NOT NULL,
                sha256        VARCHAR NOT NULL,
                imported_at   TIMESTAMP NOT NULL,
                vintage       DATE NOT NULL,
                source        VARCHAR NOT NULL,
                rows_read     INTEGER NOT NULL,
                rows_written  INTEGER NOT NULL,
                rows_unchanged INTEGER NOT NULL
            )
            """,
        ],
    )
)

MIGRATIONS.append(
    (
        6,
        "indicator weights and formulas, derived values (and a view of published and derived "
        "together), settings, places from the code history",
        [
            "ALTER TABLE indicator ADD COLUMN weight VARCHAR",
            "ALTER TABLE indicator ADD COLUMN numerator VARCHAR",
            "ALTER TABLE indicator ADD COLUMN denominator VARCHAR",
            "ALTER TABLE indicator ADD COLUMN scale DOUBLE DEFAULT 1.0",
            """
            CREATE TABLE derived_observation (
                geography_code VARCHAR NOT NULL,
                indicator_id   VARCHAR NOT NULL,
                period         VARCHAR NOT NULL,
                period_start   DATE NOT NULL,
                period_end     DATE NOT NULL,
                value          DOUBLE NOT NULL,
                vintage        DATE NOT NULL,
                source         VARCHAR NOT NULL,
                derivation     VARCHAR NOT NULL,  -- how: "sum of 12 local authority districts"
                inputs         VARCHAR NOT NULL,  -- the codes (or indicators) it came from
                PRIMARY KEY (geography_code, indicator_id, period)
            )
            """,
            """
            CREATE VIEW any_observation AS
                SELECT geography_code, indicator_id, period, period_start, period_end, value, vintage,
                       NULL AS derivation FROM observation
                UNION ALL
                SELECT geography_code, indicator_id, period, period_start, period_end, value, vintage,
                       derivation FROM derived_observation
            """,
            """
            CREATE TABLE setting (
                key   VARCHAR PRIMARY KEY,
                value VARCHAR NOT NULL
            )
            """,
            SEED_CODE_HISTORY,
        ],
    )
)

LATEST_VERSION = MIGRATIONS[-1][0]
