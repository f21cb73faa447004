"""A shipped example: one council's skills programme in a records database of its own.

The examples of :mod:`levelscope.monitor` start from it, so that each shows the one call it
documents; it is also a quick way to try the monitoring functions by hand.

>>> from levelscope.records.db import transaction
>>> with transaction(example_records(), actor="analyst@example.org") as session:
...     skills = example_programme(session)
...     learners = example_indicator(session, skills)
...     shown = skills.name, learners.name, learners.target_value
>>> shown
('Skills programme', 'Learners trained', 1000.0)
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from levelscope.monitor.programmes import create_programme
from levelscope.monitor.tracking import add_indicator
from levelscope.records.accounts import create_organisation
from levelscope.records.db import RecordsSession, connect

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from levelscope.monitor.indicator_records import ProgrammeIndicator
    from levelscope.monitor.programmes import Programme


def example_records() -> sessionmaker[RecordsSession]:
    """A new, empty records database (SQLite, in a temporary folder of its own).

    Returns
    -------
    sqlalchemy.orm.sessionmaker
        The session factory :func:`levelscope.records.db.transaction` takes.
    """
    return connect(f"sqlite:///{Path(tempfile.mkdtemp()) / 'records.sqlite'}")


def example_programme(session: Session) -> Programme:
    """Leeds City Council's skills programme in Leeds (E08000035), April 2022 to March 2026.

    Parameters
    ----------
    session
        An open session of the records database; the council is registered in it too.

    Returns
    -------
    Programme
        The programme, with no indicators, spend or logic model yet.
    """
    leeds = create_organisation(session, "Leeds City Council")
    return create_programme(session, leeds.id, "Skills programme", places=["E08000035"],
                            start_date=dt.date(2022, 4, 1), end_date=dt.date(2026, 3, 31))


def example_indicator(session: Session, programme: Programme) -> ProgrammeIndicator:
    """The output "Learners trained": none at April 2022, 1,000 targeted by April 2026.

    Parameters
    ----------
    session
        An open session of the records database.
    programme
        The programme it measures (e.g. :func:`example_programme`).

    Returns
    -------
    ProgrammeIndicator
        The indicator, with no actuals yet.
    """
    return add_indicator(session, programme, "Learners trained", stage="output",
                         baseline_date=dt.date(2022, 4, 1), baseline_value=0,
                         target_date=dt.date(2026, 4, 1), target_value=1000)
