"""The programme register: what a programme is, where, when, who pays, and its logic model.

A programme (a town-centre regeneration fund, a skills programme, ...) is recorded with its places
(geography codes), dates and funders, and a **logic model** read left to right:

* **inputs** — spend by year and source (:class:`Spend`, planned or actual, optionally by place);
* **activities** — what the money pays for (:class:`LogicItem` with stage ``activity``);
* **outputs, outcomes, impacts** — what it produces and changes; measured ones are tracked
  indicators (:class:`levelscope.monitor.indicator_records.ProgrammeIndicator`), others are described as
  :class:`LogicItem` rows;

plus the cash flows of its appraisal (:class:`CashFlow`, real prices) so the dashboard can show
the Green Book summary.

Functions take an open session (see :func:`levelscope.records.db.transaction`), validate before
they write, flush but never commit: the caller's transaction decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import Enum, Float, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from levelscope.data.codes import is_known_form
from levelscope.errors import NotFoundError, Problem, ValidationError
from levelscope.records.db import Base, ConflictError, Record, restore, soft_delete

if TYPE_CHECKING:
    from levelscope.monitor.indicator_records import ProgrammeIndicator

GeographyCheck = Callable[[str], bool]


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


def _children(name: str, order_by: str | None = None) -> Any:
    """A read-only collection of a programme's rows of ``name`` that are not soft-deleted."""
    return relationship(
        name,
        primaryjoin=f"and_({name}.programme_id == Programme.id, {name}.deleted_at.is_(None))",
        order_by=order_by or f"{name}.id",
        lazy="selectin",
        viewonly=True,
    )


class Stage(StrEnum):
    """A column of the logic model."""

    ACTIVITY = "activity"
    OUTPUT = "output"
    OUTCOME = "outcome"
    IMPACT = "impact"


class SpendKind(StrEnum):
    PLANNED = "planned"
    ACTUAL = "actual"


class FlowCategory(StrEnum):
    COST = "cost"
    BENEFIT = "benefit"


class Programme(Base, Record):
    __tablename__ = "programmes"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    published: Mapped[bool] = mapped_column(default=False)

    places: Mapped[list[Place]] = _children("Place", "Place.geography_code")
    funders: Mapped[list[Funder]] = _children("Funder")
    spend: Mapped[list[Spend]] = _children("Spend", "[Spend.year, Spend.id]")
    logic_items: Mapped[list[LogicItem]] = _children("LogicItem")
    cash_flows: Mapped[list[CashFlow]] = _children("CashFlow")
    indicators: Mapped[list[ProgrammeIndicator]] = _children("ProgrammeIndicator")

    @property
    def place_codes(self) -> list[str]:
        return [p.geography_code for p in self.places]

    def __repr__(self) -> str:
        return f"Programme(id={self.id}, name={self.name!r}, {self.start_date}..{self.end_date})"


class Place(Base, Record):
    __tablename__ = "programme_places"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    geography_code: Mapped[str] = mapped_column(String(20))


class Funder(Base, Record):
    __tablename__ = "programme_funders"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    commitment: Mapped[float | None] = mapped_column(Float, default=None)


class Spend(Base, Record):
    """One amount of money (cash, GBP) in one year from one source, planned or actually spent."""

    __tablename__ = "programme_spend"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    year: Mapped[int]
    source: Mapped[str] = mapped_column(String(200))
    amount: Mapped[float] = mapped_column(Float)
    kind: Mapped[SpendKind] = mapped_column(_enum(SpendKind), default=SpendKind.ACTUAL)
    geography_code: Mapped[str | None] = mapped_column(String(20), default=None)


class LogicItem(Base, Record):
    """A described (not measured) entry of the logic model, e.g. an activity."""

    __tablename__ = "programme_logic_items"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    stage: Mapped[Stage] = mapped_column(_enum(Stage))
    description: Mapped[str] = mapped_column(Text)


class CashFlow(Base, Record):
    """A cost or benefit of the programme in one year, in real prices of the price base year.

    ``kind`` says what it is (``capital``, ``operating``, ...; optimism bias applies by kind);
    ``income_group`` names who receives a benefit, for distributional weighting.
    """

    __tablename__ = "programme_cash_flows"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    year: Mapped[int]
    category: Mapped[FlowCategory] = mapped_column(_enum(FlowCategory))
    kind: Mapped[str] = mapped_column(String(50), default="")
    income_group: Mapped[str | None] = mapped_column(String(100), default=None)
    amount: Mapped[float] = mapped_column(Float)


def accept_known_code_forms(code: str) -> bool:
    """Default geography check: the code has the form of a GSS, ITL or NUTS code."""
    return is_known_form(code)


def check_places(
    codes: Iterable[str], geography_exists: GeographyCheck = accept_known_code_forms
) -> list[Problem]:
    return [
        Problem(column="places", value=code, reason="unknown geography code")
        for code in codes
        if not geography_exists(code)
    ]


def check_dates(start: dt.date, end: dt.date) -> list[Problem]:
    if end < start:
        return [Problem(column="end_date", value=end.isoformat(), reason=f"ends before it starts ({start})")]
    return []


def create_programme(
    session: Session,
    organisation_id: int,
    name: str,
    *,
    start_date: dt.date,
    end_date: dt.date,
    places: Iterable[str] = (),
    funders: Iterable[str] = (),
    description: str = "",
    published: bool = False,
    geography_exists: GeographyCheck = accept_known_code_forms,
) -> Programme:
    """Register a programme.

    Parameters
    ----------
    session
        An open session of the records database (:func:`levelscope.records.db.transaction`).
    organisation_id
        The organisation that runs it.
    name
        Its name (not blank).
    start_date, end_date
        When it runs.
    places
        The geography codes of the places it serves.
    funders
        Who pays for it, by name.
    description, published
        A description, and whether it shows to everyone.
    geography_exists
        Decides whether a place code is known; by default any code of a known form.

    Returns
    -------
    Programme
        The new programme, flushed (it has its ``id``) but not committed.

    Raises
    ------
    ValidationError
        If it ends before it starts, has no name, or names a place ``geography_exists`` rejects.

    Examples
    --------
    >>> from levelscope.monitor.examples import example_records, example_programme
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     shown = skills.name, [place.geography_code for place in skills.places]
    >>> shown
    ('Skills programme', ['E08000035'])
    """
    places = list(dict.fromkeys(places))
    problems = check_dates(start_date, end_date) + check_places(places, geography_exists)
    if not name.strip():
        problems.append(Problem(column="name", value=name, reason="a programme needs a name"))
    if problems:
        raise ValidationError(problems)
    programme = Programme(
        organisation_id=organisation_id,
        name=name.strip(),
        description=description,
        start_date=start_date,
        end_date=end_date,
        published=published,
    )
    session.add(programme)
    session.flush()
    session.add_all([Place(programme_id=programme.id, geography_code=code) for code in places])
    session.add_all([Funder(programme_id=programme.id, name=f) for f in funders])
    session.flush()
    session.expire(programme, ["places", "funders"])
    return programme


def get_programme(session: Session, programme_id: int, *, include_deleted: bool = False) -> Programme:
    """The programme with ``programme_id``.

    Parameters
    ----------
    session
        An open session of the records database.
    programme_id
        The programme's id.
    include_deleted
        Also find a soft-deleted programme.

    Returns
    -------
    Programme
        The programme.

    Raises
    ------
    NotFoundError
        If there is none (or it was deleted and ``include_deleted`` is false).

    Examples
    --------
    >>> from levelscope.monitor.examples import example_records, example_programme
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     found = get_programme(session, skills.id).name
    >>> found
    'Skills programme'
    """
    programme = session.scalar(
        select(Programme)
        .where(Programme.id == programme_id)
        .execution_options(include_deleted=include_deleted)
    )
    if programme is None:
        raise NotFoundError(f"no programme with id {programme_id}")
    return programme


def list_programmes(session: Session, organisation_id: int | None = None) -> list[Programme]:
    """Programmes not deleted, optionally of one organisation, by name.

    Parameters
    ----------
    session
        An open session of the records database.
    organisation_id
        Only this organisation's programmes; all when None.

    Returns
    -------
    list of Programme
        Ordered by name.

    Examples
    --------
    >>> import datetime as dt
    >>> from levelscope.monitor.examples import example_records, example_programme
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     _ = create_programme(session, skills.organisation_id, "Business support",
    ...                          start_date=dt.date(2023, 1, 1), end_date=dt.date(2025, 12, 31))
    ...     names = [p.name for p in list_programmes(session, skills.organisation_id)]
    >>> names
    ['Business support', 'Skills programme']
    """
    query = select(Programme).order_by(Programme.name, Programme.id)
    if organisation_id is not None:
        query = query.where(Programme.organisation_id == organisation_id)
    return list(session.scalars(query))


_EDITABLE = {"name", "description", "start_date", "end_date", "published"}


def update_programme(
    session: Session,
    programme: Programme,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    geography_exists: GeographyCheck = accept_known_code_forms,
) -> Programme:
    """Change a programme's fields (and, with key ``places``, its places).

    ``expected_version`` is the version the editor saw; if the record has moved on since, nothing
    is changed and :class:`ConflictError` is raised. Edits racing in two sessions are caught the
    same way when the second one flushes.

    Parameters
    ----------
    session
        An open session of the records database.
    programme
        The programme to change.
    changes
        New values of ``name``, ``description``, ``start_date``, ``end_date``, ``published``
        and ``places`` (the whole new list of codes).
    expected_version
        The version the editor saw, or None not to check.
    geography_exists
        Decides whether a place code is known.

    Returns
    -------
    Programme
        The programme, changed and flushed.

    Raises
    ------
    ValidationError
        For a field that cannot be edited, dates in the wrong order or an unknown place.
    ConflictError
        If the programme moved on from ``expected_version``.

    Examples
    --------
    >>> from levelscope.monitor.examples import example_records, example_programme
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     version = skills.version
    ...     _ = update_programme(session, skills, {"places": ["E08000035", "E08000036"]},
    ...                          expected_version=version)
    ...     places = [place.geography_code for place in skills.places]
    >>> places
    ['E08000035', 'E08000036']
    """
    if expected_version is not None and expected_version != programme.version:
        raise ConflictError(
            f"programme {programme.id} is at version {programme.version}, not {expected_version}: "
            "someone else changed it; reload and apply your change again"
        )
    unknown = set(changes) - _EDITABLE - {"places"}
    if unknown:
        raise ValidationError([Problem(column=k, reason="not an editable field") for k in sorted(unknown)])
    start = changes.get("start_date", programme.start_date)
    end = changes.get("end_date", programme.end_date)
    problems = check_dates(start, end)
    if "places" in changes:
        problems += check_places(changes["places"], geography_exists)
    if problems:
        raise ValidationError(problems)
    for key, value in changes.items():
        if key != "places":
            setattr(programme, key, value)
    if "places" in changes:
        _set_places(session, programme, list(dict.fromkeys(changes["places"])))
    session.flush()
    return programme


def _set_places(session: Session, programme: Programme, codes: list[str]) -> None:
    for place in programme.places:
        if place.geography_code not in codes:
            soft_delete(session, place)
    kept = {p.geography_code for p in programme.places if not p.is_deleted}
    for code in codes:
        if code not in kept:
            session.add(Place(programme_id=programme.id, geography_code=code))
    session.flush()
    session.expire(programme, ["places"])


def delete_programme(session: Session, programme: Programme) -> None:
    """Soft-delete a programme: hidden everywhere, recoverable with :func:`restore_programme`.

    Parameters
    ----------
    session
        An open session of the records database.
    programme
        The programme to delete.

    Returns
    -------
    None

    Examples
    --------
    >>> from levelscope.monitor.examples import example_records, example_programme
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     delete_programme(session, skills)
    ...     left = list_programmes(session)
    >>> left
    []
    """
    soft_delete(session, programme)


def restore_programme(session: Session, programme_id: int) -> Programme:
    """Bring back a programme :func:`delete_programme` deleted.

    Parameters
    ----------
    session
        An open session of the records database.
    programme_id
        The deleted programme's id.

    Returns
    -------
    Programme
        The programme, visible again.

    Examples
    --------
    >>> from levelscope.monitor.examples import example_records, example_programme
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     delete_programme(session, skills)
    ...     back = restore_programme(session, skills.id).name
    ...     listed = [p.name for p in list_programmes(session)]
    >>> back, listed
    ('Skills programme', ['Skills programme'])
    """
    programme = get_programme(session, programme_id, include_deleted=True)
    restore(session, programme)
    return programme


def add_spend(
    session: Session,
    programme: Programme,
    year: int,
    source: str,
    amount: float,
    *,
    kind: SpendKind | str = SpendKind.ACTUAL,
    geography_code: str | None = None,
    geography_exists: GeographyCheck = accept_known_code_forms,
) -> Spend:
    """Record an input: ``amount`` (cash, not negative) spent or planned in ``year`` from ``source``.

    Parameters
    ----------
    session
        An open session of the records database.
    programme
        The programme that spends it.
    year
        The financial year it falls in.
    source
        Who paid (not blank).
    amount
        The amount in pounds.
    kind
        ``actual`` or ``planned`` spend.
    geography_code
        The place it was spent in, when known.
    geography_exists
        Decides whether ``geography_code`` is known.

    Returns
    -------
    Spend
        The new spend row, flushed.

    Raises
    ------
    ValidationError
        For a negative amount, a blank source or an unknown place.

    Examples
    --------
    >>> from levelscope.monitor.examples import example_records, example_programme
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     _ = add_spend(session, skills, 2022, "UK Shared Prosperity Fund", 250_000)
    ...     _ = add_spend(session, skills, 2023, "Council", 100_000, kind="planned")
    ...     spend = [(s.year, s.kind.value, s.amount) for s in skills.spend]
    >>> spend
    [(2022, 'actual', 250000.0), (2023, 'planned', 100000.0)]
    """
    problems = []
    if not amount >= 0:  # also rejects NaN
        problems.append(Problem(column="amount", value=amount, reason="spend cannot be negative"))
    if geography_code is not None and not geography_exists(geography_code):
        problems.append(
            Problem(column="geography_code", value=geography_code, reason="unknown geography code")
        )
    if not source.strip():
        problems.append(Problem(column="source", value=source, reason="say who paid"))
    if problems:
        raise ValidationError(problems)
    spend = Spend(
        programme_id=programme.id,
        year=year,
        source=source.strip(),
        amount=float(amount),
        kind=SpendKind(kind),
        geography_code=geography_code,
    )
    session.add(spend)
    session.flush()
    session.expire(programme, ["spend"])
    return spend


def add_logic_item(session: Session, programme: Programme, stage: Stage | str, description: str) -> LogicItem:
    """Describe an activity, output, outcome or impact of the logic model.

    Parameters
    ----------
    session
        An open session of the records database.
    programme
        The programme the logic model is of.
    stage
        ``activity``, ``output``, ``outcome`` or ``impact``.
    description
        What it is.

    Returns
    -------
    LogicItem
        The new row, flushed.

    Examples
    --------
    >>> from levelscope.monitor.examples import example_records, example_programme
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     _ = add_logic_item(session, skills, "activity", "Free evening courses")
    ...     model = [(item.stage.value, item.description) for item in skills.logic_items]
    >>> model
    [('activity', 'Free evening courses')]
    """
    item = LogicItem(programme_id=programme.id, stage=Stage(stage), description=description)
    session.add(item)
    session.flush()
    session.expire(programme, ["logic_items"])
    return item


def add_cash_flow(
    session: Session,
    programme: Programme,
    year: int,
    category: FlowCategory | str,
    amount: float,
    *,
    kind: str = "",
    income_group: str | None = None,
) -> CashFlow:
    """Record an appraisal cost or benefit in real prices (see :mod:`levelscope.monitor.appraisal`).

    Parameters
    ----------
    session
        An open session of the records database.
    programme
        The programme appraised.
    year
        Years from the start of the appraisal (0 is the first).
    category
        ``cost`` or ``benefit``.
    amount
        The amount in real prices (not negative).
    kind
        What kind of cost or benefit it is, in words.
    income_group
        The income group a benefit goes to, for distributional weights.

    Returns
    -------
    CashFlow
        The new row, flushed.

    Raises
    ------
    ValidationError
        For a negative amount.

    Examples
    --------
    >>> from levelscope.monitor.examples import example_records, example_programme
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     _ = add_cash_flow(session, skills, 0, "cost", 1_000_000)
    ...     _ = add_cash_flow(session, skills, 1, "benefit", 400_000, kind="higher wages")
    ...     flows = [(f.year, f.category.value, f.amount) for f in skills.cash_flows]
    >>> flows
    [(0, 'cost', 1000000.0), (1, 'benefit', 400000.0)]
    """
    if not amount >= 0:
        raise ValidationError(
            Problem(
                column="amount",
                value=amount,
                reason="record costs and benefits as positive amounts",
            )
        )
    flow = CashFlow(
        programme_id=programme.id,
        year=year,
        category=FlowCategory(category),
        amount=float(amount),
        kind=kind,
        income_group=income_group,
    )
    session.add(flow)
    session.flush()
    session.expire(programme, ["cash_flows"])
    return flow
