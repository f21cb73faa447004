"""The records database on SQLite and PostgreSQL: migrations, audit trail, soft delete, locking."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from levelscope.monitor.programmes import Programme, create_programme, get_programme, update_programme
from levelscope.records import accounts
from levelscope.records.audit import AuditEntry, audit_trail
from levelscope.records.db import (
    Base,
    ConflictError,
    default_url,
    load_record_modules,
    restore,
    soft_delete,
    transaction,
    upgrade,
)
from levelscope.records.migrations import run_downgrade


def _programme(session, organisation_id: int, name: str = "Town centre fund") -> Programme:  # type: ignore[no-untyped-def]
    return create_programme(
        session,
        organisation_id,
        name,
        start_date=dt.date(2024, 4, 1),
        end_date=dt.date(2027, 3, 31),
        places=["E08000025"],
    )


def test_migrations_build_exactly_the_model_schema(blank_url: str) -> None:
    upgrade(blank_url)
    load_record_modules()
    engine = sa.create_engine(blank_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    upgrade(blank_url)  # running again is harmless
    run_downgrade(blank_url, "base")
    remaining = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert remaining == set()


def test_audit_trail_records_who_when_field_old_and_new(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice@leeds.gov.uk") as session:
        organisation = accounts.create_organisation(session, "Leeds")
        programme_id = _programme(session, organisation.id).id
    before = dt.datetime.now(dt.UTC)
    with transaction(factory, "bob@leeds.gov.uk") as session:
        programme = get_programme(session, programme_id)
        update_programme(session, programme, {"name": "High street fund", "end_date": dt.date(2028, 3, 31)})
    with transaction(factory, "carol@leeds.gov.uk") as session:
        soft_delete(session, get_programme(session, programme_id))
    with factory() as session:
        trail = audit_trail(session, "programmes", [programme_id])
    created = trail[trail["action"] == "create"]
    assert set(created["actor"]) == {"alice@leeds.gov.uk"}
    assert created.set_index("field").loc["name", "new_value"] == "Town centre fund"
    updates = trail[trail["action"] == "update"].set_index("field")
    assert updates.loc["name", ["old_value", "new_value"]].tolist() == [
        "Town centre fund",
        "High street fund",
    ]
    assert updates.loc["end_date", ["old_value", "new_value"]].tolist() == ["2027-03-31", "2028-03-31"]
    assert set(updates["actor"]) == {"bob@leeds.gov.uk"}
    assert (updates["at"] >= before).all()
    deleted = trail[trail["action"] == "delete"]
    assert deleted["actor"].tolist() == ["carol@leeds.gov.uk"]
    assert deleted["old_value"].isna().all()


def test_a_rolled_back_change_leaves_no_trail(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        organisation_id = accounts.create_organisation(session, "Leeds").id
    with factory() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    with pytest.raises(RuntimeError), transaction(factory, "alice") as session:
        _programme(session, organisation_id)
        raise RuntimeError("crash")
    with factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == count
        assert session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 0


def test_secrets_are_redacted_in_the_trail(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "admin") as session:
        organisation = accounts.create_organisation(session, "Leeds")
        user = accounts.create_user(
            session, organisation, "a@leeds.gov.uk", "editor", password="correct horse"
        )
        accounts.issue_token(session, user, "laptop")
    with factory() as session:
        trail = audit_trail(session)
    secrets = trail[trail["field"].isin(["password_hash", "token_hash"])]
    assert len(secrets) == 2
    assert set(secrets["new_value"]) == {"(redacted)"}


def test_soft_delete_hides_and_restore_brings_back(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        organisation_id = accounts.create_organisation(session, "Leeds").id
        programme_id = _programme(session, organisation_id).id
        soft_delete(session, get_programme(session, programme_id))
    with transaction(factory, "alice") as session:
        assert session.scalars(sa.select(Programme)).all() == []
        hidden = session.scalars(sa.select(Programme).execution_options(include_deleted=True)).one()
        assert hidden.id == programme_id and hidden.deleted_at is not None
        restore(session, hidden)
    with factory() as session:
        assert [p.id for p in session.scalars(sa.select(Programme))] == [programme_id]
        # The row was never removed: the database still holds it with its history.
        actions = audit_trail(session, "programmes", [programme_id])["action"].tolist()
        assert actions[-2:] == ["delete", "restore"]


def test_concurrent_edits_are_detected_not_overwritten(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        organisation_id = accounts.create_organisation(session, "Leeds").id
        programme_id = _programme(session, organisation_id).id
    # Two people open the same record (each read ends its transaction, as a web request does),
    # then both save.
    first, second = factory(), factory()
    mine = get_programme(first, programme_id)
    theirs = get_programme(second, programme_id)
    first.commit()
    second.commit()
    assert mine.version == theirs.version == 1
    mine.name = "Mine"
    first.commit()
    theirs.name = "Theirs"
    with pytest.raises(ConflictError, match="changed or deleted by someone else"):
        second.commit()
    second.rollback()
    first.close()
    second.close()
    with transaction(factory, "alice") as session:
        programme = get_programme(session, programme_id)
        assert (programme.name, programme.version) == ("Mine", 2)
        with pytest.raises(ConflictError, match="version 2, not 1"):
            update_programme(session, programme, {"name": "Stale"}, expected_version=1)


def test_tokens_are_hashed_at_rest_and_revocable(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "admin") as session:
        organisation = accounts.create_organisation(session, "Leeds")
        user = accounts.create_user(session, organisation, "A@Leeds.gov.uk", "viewer")
        token, secret = accounts.issue_token(session, user)
        token_id = token.id
    with factory() as session:
        stored = session.execute(sa.text("SELECT token_hash FROM api_tokens")).scalar_one()
        assert secret not in stored
        assert stored == hashlib.sha256(secret.encode()).hexdigest()
        assert accounts.user_for_token(session, secret).email == "a@leeds.gov.uk"
        with pytest.raises(accounts.AuthenticationError, match="unknown"):
            accounts.user_for_token(session, secret + "x")
    with transaction(factory, "admin") as session:
        accounts.revoke_token(session, token_id)
    with factory() as session, pytest.raises(accounts.AuthenticationError, match="revoked"):
        accounts.user_for_token(session, secret)
    with transaction(factory, "admin") as session:
        user = accounts.find_user(session, "a@leeds.gov.uk")
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        _, expired = accounts.issue_token(session, user, expires_at=past)
    with factory() as session, pytest.raises(accounts.AuthenticationError, match="expired"):
        accounts.user_for_token(session, expired)


def test_passwords_are_salted_scrypt_hashes() -> None:
    first = accounts.hash_password("correct horse")
    second = accounts.hash_password("correct horse")
    assert first != second  # salted
    _name, n, r, p, salt, digest = first.split("$")
    reference = hashlib.scrypt(b"correct horse", salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    assert digest == reference.hex()
    assert accounts.verify_password("correct horse", first)
    assert not accounts.verify_password("wrong horse!", first)


def test_default_url(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LEVELSCOPE_RECORDS_URL", "postgresql+psycopg://u@h/db")
    assert default_url() == "postgresql+psycopg://u@h/db"
    monkeypatch.delenv("LEVELSCOPE_RECORDS_URL")
    monkeypatch.setenv("LEVELSCOPE_WORKSPACE", str(tmp_path / "work.duckdb"))
    assert default_url() == f"sqlite:///{tmp_path / 'levelscope-records.sqlite'}"
