"""Small builders shared by the monitor tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from levelscope.monitor import programmes, tracking
from levelscope.records import accounts


def skills_programme(session: Session, organisation_name: str = "Leeds") -> programmes.Programme:
    organisation = accounts.create_organisation(session, organisation_name)
    return programmes.create_programme(
        session,
        organisation.id,
        "Skills programme",
        start_date=dt.date(2022, 4, 1),
        end_date=dt.date(2026, 3, 31),
        places=["E08000035"],
        funders=["UK Shared Prosperity Fund"],
    )


def learners(
    session: Session, programme: programmes.Programme, **options: object
) -> tracking.ProgrammeIndicator:
    """Learners trained: 0 on 1 April 2022 rising to 1,000 by 1 April 2026 (1,461 days)."""
    arguments: dict[str, object] = {
        "stage": "output",
        "baseline_date": dt.date(2022, 4, 1),
        "baseline_value": 0.0,
        "target_date": dt.date(2026, 4, 1),
        "target_value": 1000.0,
    } | options
    return tracking.add_indicator(session, programme, "Learners trained", **arguments)  # type: ignore[arg-type]
