"""``levelscope report area`` and ``GET /api/reports/area/{code}`` write the same briefing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from levelscope.cli import app

runner = CliRunner()


def test_cli_writes_html_and_pdf(demo_workspace_path: Path, tmp_path: Path) -> None:
    html, pdf = tmp_path / "b.html", tmp_path / "b.pdf"
    result = runner.invoke(app, ["report", "area", "Birmingham", "-w", str(demo_workspace_path),
                                 "--html", str(html), "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert "<h1 id=\"report-title\">Area briefing: Birmingham</h1>" in html.read_text(encoding="utf-8")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cli_needs_an_output_and_a_known_area(demo_workspace_path: Path, tmp_path: Path) -> None:
    nothing = runner.invoke(app, ["report", "area", "E08000025", "-w", str(demo_workspace_path)])
    assert nothing.exit_code == 1 and "--html FILE, --pdf FILE" in nothing.output
    unknown = runner.invoke(app, ["report", "area", "Brimingham", "-w", str(demo_workspace_path),
                                  "--html", str(tmp_path / "x.html")])
    assert unknown.exit_code == 3 and "Birmingham" in unknown.output
    assert not (tmp_path / "x.html").exists()


def test_api_returns_the_briefing_as_a_download(client: Any) -> None:
    answer = client.get("/api/reports/area/E08000025", params={"format": "html"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-disposition"] == 'attachment; filename="area-E08000025.html"'
    assert "Area briefing: Birmingham" in answer.text
    missing = client.get("/api/reports/area/E99999999")
    assert missing.status_code == 404


def test_area_page_offers_the_report(client: Any) -> None:
    page = client.get("/areas/E08000025").text
    assert 'href="/api/reports/area/E08000025?format=pdf"' in page
    assert "Download report (PDF)" in page


def test_programme_report_from_the_command_line(tmp_path: Path) -> None:
    import datetime as dt

    from levelscope.monitor import programmes
    from levelscope.records import accounts
    from levelscope.records.db import connect, transaction

    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    with transaction(connect(url), "setup") as session:
        council = accounts.create_organisation(session, "Leeds City Council")
        made = programmes.create_programme(session, council.id, "Skills programme",
                                           start_date=dt.date(2022, 4, 1), end_date=dt.date(2026, 3, 31),
                                           places=["E08000035"])
        ident = made.id
    html = tmp_path / "p.html"
    result = runner.invoke(app, ["report", "programme", str(ident), "--records-url", url,
                                 "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "Programme monitoring: Skills programme" in html.read_text(encoding="utf-8")
    missing = runner.invoke(app, ["report", "programme", "999", "--records-url", url, "--html", str(html)])
    assert missing.exit_code == 3


def test_programme_report_over_the_api_needs_access(demo_workspace_path: Path, tmp_path: Path) -> None:
    import datetime as dt

    from fastapi.testclient import TestClient

    from levelscope.monitor import programmes
    from levelscope.records import accounts
    from levelscope.records.db import connect, transaction
    from levelscope.web.app import create_app

    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    with transaction(connect(url), "setup") as session:
        leeds = accounts.create_organisation(session, "Leeds City Council")
        bristol = accounts.create_organisation(session, "Bristol City Council")
        made = programmes.create_programme(session, leeds.id, "Skills programme",
                                           start_date=dt.date(2022, 4, 1), end_date=dt.date(2026, 3, 31),
                                           places=["E08000035"])
        ident = made.id
        _, own = accounts.issue_token(session, accounts.create_user(session, leeds, "v@leeds.example",
                                                                    "viewer"))
        _, other = accounts.issue_token(session, accounts.create_user(session, bristol, "v@bristol.example",
                                                                      "viewer"))
    app = create_app(demo_workspace_path, records_url=url, warm=False, reload_interval=None)
    with TestClient(app) as client:
        path = f"/api/reports/programme/{ident}"
        answer = client.get(path, params={"format": "html"}, headers={"Authorization": f"Bearer {own}"})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-disposition"] == f'attachment; filename="programme-{ident}.html"'
        assert "Leeds (E08000035)" in answer.text  # places named from the served workspace
        assert client.get(path, params={"format": "html"}).status_code == 401
        refused = client.get(path, params={"format": "html"}, headers={"Authorization": f"Bearer {other}"})
        assert refused.status_code in (403, 404)


def test_evaluation_report_from_the_command_line_and_the_api(
    demo_workspace_path: Path, tmp_path: Path, client: Any
) -> None:
    html = tmp_path / "ev.html"
    result = runner.invoke(app, ["report", "evaluation", "gva_per_hour_worked", "-t", "TLG31",
                                 "--start", "2015", "--method", "did", "-w", str(demo_workspace_path),
                                 "--html", str(html)])
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    assert "Difference-in-differences (two-way fixed effects)" in text and "Birmingham (TLG31)" in text
    answer = client.get("/api/reports/evaluation", params={
        "indicator": "gva_per_hour_worked", "treated": "TLG31", "start": "2015", "method": "did",
        "format": "html"})
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith('attachment; filename="evaluation-')
    unknown = client.get("/api/reports/evaluation", params={
        "indicator": "no_such_indicator", "treated": "TLG31", "start": "2015", "format": "html"})
    assert unknown.status_code == 404


def test_strategy_report_from_saved_revisions_over_the_api(demo_workspace_path: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from levelscope.design import load_framework
    from levelscope.records import accounts
    from levelscope.records.db import connect, transaction
    from levelscope.web.app import create_app

    criteria = load_framework().criterion_ids
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    with transaction(connect(url), "setup") as session:
        dudley = accounts.create_organisation(session, "Dudley")
        _, token = accounts.issue_token(session, accounts.create_user(session, dudley, "a@dudley.example",
                                                                      "editor"))
    headers = {"Authorization": f"Bearer {token}"}

    def submission(level: int, date: str) -> dict[str, Any]:
        return {"strategy": "Borough Vision", "place_code": "E08000027", "assessor": "Team", "date": date,
                "answers": {c: {"score": level, "evidence": ""} for c in criteria}}

    app = create_app(demo_workspace_path, records_url=url, warm=False, reload_interval=None)
    with TestClient(app) as client:
        first = client.post("/api/design/assessments", json=submission(1, "2025-03-31"), headers=headers)
        second = client.post("/api/design/assessments", json=submission(2, "2026-03-31"), headers=headers)
        assert first.status_code == second.status_code == 201
        earlier = client.get(f"/api/reports/strategy/{first.json()['id']}", params={"format": "html"},
                             headers=headers)
        later = client.get(f"/api/reports/strategy/{second.json()['id']}", params={"format": "html"},
                           headers=headers)
        assert client.get(f"/api/reports/strategy/{second.json()['id']}").status_code == 401
    assert earlier.status_code == later.status_code == 200
    assert "Change since a previous assessment: not available (this is the first)." in earlier.text
    assert "the overall score rose from 25.0 to 50.0 (+25.0)" in later.text
    assert "Borough Vision for Dudley (E08000027) scores 50.0 out of 100" in later.text


def test_strategy_report_from_the_command_line(tmp_path: Path) -> None:
    from levelscope.design import load_framework

    answers = tmp_path / "answers.yaml"
    lines = ["strategy: Borough Vision", "place_code: E08000027", "assessor: Team", "date: 2026-03-31",
             "answers:"]
    lines += [f"  {c}: {{score: 3, evidence: ''}}" for c in load_framework().criterion_ids]
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    html = tmp_path / "s.html"
    result = runner.invoke(app, ["report", "strategy", str(answers), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "scores 75.0 out of 100" in html.read_text(encoding="utf-8")
