"""``levelscope programme ...`` end to end on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from levelscope.cli.programme import register
from levelscope.monitor import programmes
from levelscope.records import accounts
from levelscope.records.db import connect, transaction


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """levelscope"""

    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(app, [*args, "--records-url", url])
        assert result.exit_code == 0, result.output
        return result.output

    invoke.url = url  # type: ignore[attr-defined]
    invoke.fail = lambda *args: runner.invoke(app, [*args, "--records-url", url])  # type: ignore[attr-defined]
    invoke.raw = lambda *args: runner.invoke(app, list(args))  # type: ignore[attr-defined]
    invoke.typing = lambda text, *args: runner.invoke(  # type: ignore[attr-defined]
        app, [*args, "--records-url", url], input=text)
    return invoke


def test_programme_commands(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "created programme 1" in run(
        "programme",
        "create",
        "Skills programme",
        "--start",
        "2024-04-01",
        "--end",
        "2027-03-31",
        "--place",
        "E08000035",
        "--funder",
        "UKSPF",
    )
    assert "Skills programme" in run("programme", "list")
    assert "added indicator 1" in run(
        "programme",
        "add-indicator",
        "1",
        "Learners trained",
        "--stage",
        "output",
        "--baseline-date",
        "2024-04-01",
        "--baseline",
        "0",
        "--target-date",
        "2027-04-01",
        "--target",
        "1095",
    )
    # 2025-04-01 is 365 of 1,095 days: expected 365; 300 is 65/1095 = 5.9% behind -> at risk.
    assert "status now at risk" in run("programme", "record-actual", "1", "2025-04-01", "300")
    csv = tmp_path / "actuals.csv"
    csv.write_text("indicator,date,value\nLearners trained,2025-10-01,560\nLearners trained,2026-04-01,760\n")
    assert "imported 2 rows for 1 indicators" in run("programme", "import-actuals", "1", str(csv))
    status = run("programme", "status", "1")
    assert "Learners trained (output)" in status and "projected" in status
    with transaction(connect(run.url), "test") as session:
        programme = programmes.get_programme(session, 1)
        programmes.add_cash_flow(session, programme, 2024, "cost", 1000.0, kind="capital")
        programmes.add_cash_flow(session, programme, 2025, "benefit", 1242.0)
    appraisal = run("programme", "appraise", "1", "--optimism-bias", "0.2")
    # PV costs 1,200; PV benefits 1,242 / 1.035 = 1,200: NPSV 0 and BCR 1.00.
    assert "BCR         1.00" in appraisal and "PV costs    £1,200" in appraisal
    assert "Value for money" in run("programme", "vfm", "1")
    assert "Skills programme" in run("programme", "show", "1")
    bad = run.fail("programme", "create", "Backwards", "--start", "2024-04-01", "--end", "2023-01-01")
    assert bad.exit_code == 1 and "ends before it starts" in bad.output
    missing = run.fail("programme", "show", "99")
    assert missing.exit_code == 3 and "no programme with id 99" in missing.output


def _create(run) -> None:  # type: ignore[no-untyped-def]
    run("programme", "create", "Town fund", "--start", "2024-04-01", "--end", "2027-03-31", "--org", "Leeds")


def test_filling_in_a_programme_from_the_shell(run) -> None:  # type: ignore[no-untyped-def]
    _create(run)
    assert "added spend 1: actual £250,000 in 2024" in run(
        "programme", "add-spend", "1", "2024", "UKSPF", "250000", "--place", "E08000035"
    )
    assert "planned" in run("programme", "add-spend", "1", "2025", "UKSPF", "300000", "--planned")
    negative = run.raw("programme", "add-spend", "--db", run.url, "1", "2024", "UKSPF", "--", "-5")
    assert negative.exit_code == 1 and "spend cannot be negative" in negative.output
    assert "added activity 1" in run("programme", "add-logic-item", "1", "activity", "Shop-front grants")
    wrong_stage = run.fail("programme", "add-logic-item", "1", "wish", "More shops")
    assert wrong_stage.exit_code == 1 and "not one of activity, output, outcome, impact" in wrong_stage.output
    run("programme", "add-cash-flow", "1", "2024", "cost", "2000", "--kind", "capital")
    run("programme", "add-cash-flow", "1", "2026", "benefit", "2142.45")
    # 2,142.45 / 1.035^2 = 2,000: NPSV 0 and BCR 1.00.
    appraisal = run("programme", "appraise", "1")
    assert "BCR         1.00" in appraisal and "PV benefits £2,000" in appraisal
    assert "is published" in run("programme", "publish", "1")
    with connect(run.url)() as session:
        programme = programmes.get_programme(session, 1)
        assert programme.published and [s.amount for s in programme.spend] == [250_000.0, 300_000.0]
    assert "recoverable" in run("programme", "delete", "1")
    assert run.fail("programme", "show", "1").exit_code == 3
    assert "restored programme 1: Town fund" in run("programme", "restore", "1")


def test_users_and_tokens_from_the_shell(run) -> None:  # type: ignore[no-untyped-def]
    # The password comes on standard input, never on the command line.
    added = run.typing(
        "a long password\n", "programme", "user-add", "Ed@Leeds.gov.uk", "--org", "Leeds", "--role", "editor",
        "--password",
    )
    assert added.exit_code == 0, added.output
    assert "added user 1: ed@leeds.gov.uk (editor of Leeds)" in added.output
    assert "a long password" not in added.output
    bad_role = run.fail("programme", "user-add", "x@leeds.gov.uk", "--role", "owner")
    assert bad_role.exit_code == 1 and "not one of viewer, editor, admin" in bad_role.output
    issued = run("programme", "token-issue", "ed@leeds.gov.uk", "--label", "laptop")
    secret = issued.split(": ", 1)[1].strip()
    assert issued.startswith("token 1 for ed@leeds.gov.uk") and secret.startswith(accounts.TOKEN_PREFIX)
    factory = connect(run.url)
    with factory() as session:
        assert accounts.user_for_token(session, secret).email == "ed@leeds.gov.uk"
        assert accounts.start_login_session(session, "ed@leeds.gov.uk", "a long password")[0].user_id == 1
    assert "revoked token 1" in run("programme", "token-revoke", "1")
    with factory() as session, pytest.raises(accounts.AuthenticationError, match="revoked"):
        accounts.user_for_token(session, secret)
    missing = run.fail("programme", "token-revoke", "7")
    assert missing.exit_code == 3 and "no API token with id 7" in missing.output
