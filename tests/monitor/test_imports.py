"""Importing actuals from CSV: validation names file/row/column/value; all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers import learners, skills_programme

from levelscope.errors import ValidationError
from levelscope.monitor import imports, tracking
from levelscope.monitor.programmes import get_programme
from levelscope.records.audit import AuditEntry
from levelscope.records.db import transaction


def _setup(factory) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        programme = skills_programme(session)
        indicator = learners(session, programme)
        tracking.record_actual(session, indicator, dt.date(2022, 9, 30), 50.0)
        return programme.id, indicator.id


def _snapshot(factory) -> tuple[list[tuple[object, ...]], int, int]:  # type: ignore[no-untyped-def]
    with factory() as session:
        actuals = session.execute(
            sa.select(tracking.Actual.date, tracking.Actual.value).order_by(tracking.Actual.date)
        ).all()
        audit = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        statuses = session.scalar(sa.select(sa.func.count()).select_from(tracking.StatusChange))
        return [tuple(row) for row in actuals], audit, statuses


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("indicator,date,value,note\n" + "\n".join(rows) + "\n")
    return path


def test_import_writes_rows_and_is_idempotent(factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    programme_id, indicator_id = _setup(factory)
    file = _csv(
        tmp_path / "actuals.csv",
        [
            "Learners trained,2023-03-31,210,",
            f"{indicator_id},2023/24,470,term 3",
            "Learners trained,2024-Q2,520,",
        ],
    )
    with transaction(factory, "alice") as session:
        summary = imports.import_actuals(session, file, get_programme(session, programme_id))
    assert (summary.rows, summary.indicators) == (3, 1)
    after = _snapshot(factory)
    assert after[0] == [
        (dt.date(2022, 9, 30), 50.0),
        (dt.date(2023, 3, 31), 210.0),
        (dt.date(2024, 3, 31), 470.0),
        (dt.date(2024, 6, 30), 520.0),
    ]
    with transaction(factory, "alice") as session:
        imports.import_actuals(session, file, get_programme(session, programme_id))
    assert _snapshot(factory) == after  # no new rows, no audit entries, no status changes


def test_every_problem_is_located_and_nothing_written(factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    programme_id, _ = _setup(factory)
    before = _snapshot(factory)
    file = _csv(
        tmp_path / "bad.csv",
        [
            "Learners trained,2023-03-31,210,",
            "Apprentices,2023-03-31,5,",
            "Learners trained,2023-02-30,5,",
            "Learners trained,2023-06-30,lots,",
            "Learners trained,2023-03-31,211,",
        ],
    )
    with pytest.raises(ValidationError) as caught, transaction(factory, "alice") as session:
        imports.import_actuals(session, file, get_programme(session, programme_id))
    problems = [(p.file, p.row, p.column, p.value) for p in caught.value.problems]
    assert problems == [
        ("bad.csv", 3, "indicator", "Apprentices"),
        ("bad.csv", 4, "date", "2023-02-30"),
        ("bad.csv", 5, "value", "lots"),
        ("bad.csv", 6, "value", "211"),
    ]
    assert "bad.csv, row 3, column 'indicator': value 'Apprentices'" in str(caught.value)
    assert _snapshot(factory) == before


def test_crash_half_way_leaves_the_database_as_it_was(
    factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    programme_id, _ = _setup(factory)
    before = _snapshot(factory)
    file = _csv(
        tmp_path / "actuals.csv",
        [f"Learners trained,{y}-03-31,{v}," for y, v in [(2023, 200), (2024, 450), (2025, 700), (2026, 950)]],
    )
    real_write = imports.write_actual
    calls = []

    def crash_on_third(session, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        if len(calls) == 3:
            raise ConnectionError("server went away")
        real_write(session, *args, **kwargs)
        session.flush()  # the first two rows reach the database before the crash

    monkeypatch.setattr(imports, "write_actual", crash_on_third)
    with pytest.raises(ConnectionError), transaction(factory, "alice") as session:
        imports.import_actuals(session, file, get_programme(session, programme_id))
    assert len(calls) == 3
    assert _snapshot(factory) == before
    # Even a caller that catches the error and commits keeps nothing of the failed import.
    calls.clear()
    with transaction(factory, "alice") as session, pytest.raises(ConnectionError):
        imports.import_actuals(session, file, get_programme(session, programme_id))
    assert _snapshot(factory) == before
