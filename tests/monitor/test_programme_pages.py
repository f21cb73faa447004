"""The programme web pages through the real app, on SQLite and PostgreSQL records databases.

Sign-in (with its own CSRF token), who sees which programme, the dashboard's content, and the
form that records an actual: refused without the login session's CSRF token, refused across
organisations and for viewers, and validated.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from levelscope.monitor import programmes, tracking
from levelscope.monitor.additionality import AdditionalityFactors
from levelscope.records import accounts
from levelscope.records.audit import audit_trail
from levelscope.records.db import connect, transaction
from levelscope.web.app import create_app

PASSWORD = "a long password"


class Site:
    def __init__(self, client: TestClient, url: str, ids: dict[str, int]) -> None:
        self.client = client
        self.url = url
        self.ids = ids

    def sign_in(self, email: str, password: str = PASSWORD) -> str:
        """Sign in through the form; returns the page's CSRF token for later forms."""
        form = self.client.get("/programmes/login")
        token = _hidden(form.text, "csrf_token")
        signed = self.client.post(
            "/programmes/login",
            data={"email": email, "password": password, "csrf_token": token, "next": "/programmes"},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        return _hidden(self.client.get("/programmes").text, "csrf_token")

    def actuals(self) -> list[tuple[dt.date, float]]:
        factory = connect(self.url, migrate=False)
        with factory() as session:
            rows = session.execute(
                sa.select(tracking.Actual.date, tracking.Actual.value).order_by(tracking.Actual.date)
            ).all()
        factory.kw["bind"].dispose()
        return [(d, v) for d, v in rows]


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} field in the page"
    return found.group(1)


def _populate(url: str) -> dict[str, int]:
    factory = connect(url, migrate=False)
    ids: dict[str, int] = {}
    with transaction(factory, "setup") as session:
        leeds = accounts.create_organisation(session, "Leeds City Council")
        bristol = accounts.create_organisation(session, "Bristol City Council")
        for email, organisation, role in [
            ("editor@leeds.gov.uk", leeds, "editor"),
            ("viewer@leeds.gov.uk", leeds, "viewer"),
            ("editor@bristol.gov.uk", bristol, "editor"),
        ]:
            accounts.create_user(session, organisation, email, role, password=PASSWORD)

        def programme(
            organisation: accounts.Organisation, name: str, published: bool
        ) -> programmes.Programme:
            return programmes.create_programme(
                session,
                organisation.id,
                name,
                start_date=dt.date(2024, 4, 1),
                end_date=dt.date(2027, 3, 31),
                places=["E08000035"],
                funders=["UKSPF"],
                published=published,
            )

        skills = programme(leeds, "Leeds skills programme", False)
        programme(leeds, "Leeds published fund", True)
        ids["bristol_private"] = programme(bristol, "Bristol private fund", False).id
        ids["bristol_published"] = programme(bristol, "Bristol published fund", True).id
        programmes.add_logic_item(session, skills, "activity", "Evening courses in three colleges")
        programmes.add_spend(session, skills, 2024, "UKSPF", 300_000.0, kind="planned")
        programmes.add_spend(session, skills, 2024, "UKSPF", 250_000.0)
        programmes.add_spend(session, skills, 2025, "Leeds City Council", 50_000.0, kind="planned")
        # Cost 1,000 now and a benefit of 1,242 in a year: 1,242 / 1.035 = 1,200, so NPSV 200,
        # BCR 1.2, and benefits could fall by 200 / 1,200 = 16.7% before NPSV reaches zero.
        programmes.add_cash_flow(session, skills, 2024, "cost", 1000.0, kind="capital")
        programmes.add_cash_flow(session, skills, 2025, "benefit", 1242.0)
        jobs = tracking.add_indicator(
            session,
            skills,
            "Jobs filled by learners",
            stage="outcome",
            baseline_date=dt.date(2024, 4, 1),
            baseline_value=0.0,
            target_date=dt.date(2027, 4, 1),
            target_value=100.0,
            unit="people",
            additionality=AdditionalityFactors(deadweight=0.5),
        )
        tracking.record_actual(session, jobs, dt.date(2025, 4, 1), 40.0)
        # 0 on 2024-04-01 rising to 1,096 by 2027-04-01 (1,095 days): about one a day.
        learners = tracking.add_indicator(
            session,
            skills,
            "Learners trained",
            stage="output",
            baseline_date=dt.date(2024, 4, 1),
            baseline_value=0.0,
            target_date=dt.date(2027, 4, 1),
            target_value=1095.0,
        )
        # 2025-04-01 is day 365: 365 expected; 200 is 165/1,095 = 15.1% behind -> off track.
        tracking.record_actual(session, learners, dt.date(2025, 4, 1), 200.0)
        ids["skills"], ids["learners"] = skills.id, learners.id
    factory.kw["bind"].dispose()
    return ids


@pytest.fixture
def site(records_url: str, demo_workspace_path: Path) -> Iterator[Site]:
    ids = _populate(records_url)
    app = create_app(demo_workspace_path, records_url=records_url, warm=False)
    with TestClient(app) as client:
        yield Site(client, records_url, ids)


def test_pages_need_a_signed_in_browser(site: Site) -> None:
    for path in ("/programmes", f"/programmes/{site.ids['skills']}"):
        response = site.client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/programmes/login?next={path}"
    form = site.client.get("/programmes/login")
    assert form.status_code == 200 and 'type="password"' in form.text and '<label for="email">' in form.text


def test_sign_in_form_has_its_own_csrf_token(site: Site) -> None:
    site.client.get("/programmes/login")
    forged = site.client.post(
        "/programmes/login",
        data={"email": "editor@leeds.gov.uk", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and "did not come from this site" in forged.text
    token = _hidden(site.client.get("/programmes/login").text, "csrf_token")
    wrong = site.client.post(
        "/programmes/login",
        data={"email": "editor@leeds.gov.uk", "password": "not the password", "csrf_token": token},
        follow_redirects=False,
    )
    assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
    token = _hidden(site.client.get("/programmes/login").text, "csrf_token")
    # A sign-in may only send the browser on to a programme page of this site.
    good = site.client.post(
        "/programmes/login",
        data={
            "email": "editor@leeds.gov.uk",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://elsewhere.example/",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303 and good.headers["location"] == "/programmes"
    assert "HttpOnly" in good.headers["set-cookie"] and "SameSite=lax" in good.headers["set-cookie"]


def test_list_shows_own_and_published_programmes_only(site: Site) -> None:
    site.sign_in("viewer@leeds.gov.uk")
    page = site.client.get("/programmes").text
    names = re.findall(r'<a href="/programmes/\d+">([^<]+)</a>', page)
    assert names == ["Bristol published fund", "Leeds published fund", "Leeds skills programme"]
    assert "published by another organisation" in page
    assert site.client.get(f"/programmes/{site.ids['bristol_private']}").status_code == 403
    assert site.client.get(f"/programmes/{site.ids['bristol_published']}").status_code == 200
    assert site.client.get("/programmes/999999").status_code == 404


def test_programme_pages_name_their_places(site: Site) -> None:
    """The list and the dashboard once gave places as bare codes ("E08000035")."""
    site.sign_in("viewer@leeds.gov.uk")
    listing = site.client.get("/programmes").text
    assert listing.count("<td>Leeds (E08000035)</td>") == 3
    page = site.client.get(f"/programmes/{site.ids['skills']}").text
    assert "places: Leeds (E08000035)" in page


def test_dashboard_shows_logic_model_tracks_spend_vfm_and_appraisal(site: Site) -> None:
    site.sign_in("viewer@leeds.gov.uk")
    page = site.client.get(f"/programmes/{site.ids['skills']}").text
    assert "Evening courses in three colleges" in page
    assert "UKSPF: 300,000 planned" in page  # inputs of the logic model
    # Status in words and mark, not colour alone; the chart's latest point says it too.
    assert re.search(r'data-status="off track">.*✕.*off track</span>', page)
    figure_json = re.search(rf'id="track-figure-{site.ids["learners"]}-data">(.*?)</script>', page, re.S)
    assert figure_json is not None
    figure = json.loads(figure_json.group(1))
    latest = figure["data"][-1]
    assert latest["text"] == ["off track"] and latest["marker"]["color"] == "#D55E00"
    assert "<td>2024</td><td>UKSPF</td><td>300,000</td><td>250,000</td>" in page
    assert "Actual spend so far: £250,000" in page
    assert "Net present social value</th><td>£200</td>" in page
    assert "Benefit–cost ratio</th><td>1.20</td>" in page
    assert "benefits would have to fall by 16.7%" in page
    # Efficiency: 250,000 actual spend / 200 learners. Effectiveness: 40 jobs gross, half
    # deadweight, so 20 net: 20% of the planned 100, at 250,000 / 20 = 12,500 each.
    assert "<td>Learners trained</td><td>200</td><td>1,250</td>" in page
    assert re.search(
        r"<td>Jobs filled by learners</td><td>40</td><td>50.0%</td>\s*<td>20</td>\s*"
        r"<td>20.0%</td>\s*<td>12,500</td>",
        page,
    )
    # counts of people without decimals (was "100.00 people")
    assert "<td>100 people by 2027-04-01" in page and "40 people on 2025-04-01" in page
    # Viewers see no form to record actuals.
    assert 'id="actual-form"' not in page


def test_recording_an_actual_needs_the_csrf_token(site: Site) -> None:
    path = f"/programmes/{site.ids['skills']}/actuals"
    before = site.actuals()
    anonymous = site.client.post(path, data={"indicator_id": site.ids["learners"], "date": "2025-10-01"})
    assert anonymous.status_code == 401
    csrf = site.sign_in("editor@leeds.gov.uk")
    page = site.client.get(f"/programmes/{site.ids['skills']}").text
    assert 'id="actual-form"' in page and '<label for="actual-value">' in page
    form = {"indicator_id": str(site.ids["learners"]), "date": "2025-10-01", "value": "560"}
    assert site.client.post(path, data=form, follow_redirects=False).status_code == 403
    assert site.client.post(path, data=form | {"csrf_token": "forged"}).status_code == 403
    assert site.actuals() == before
    done = site.client.post(path, data=form | {"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    # 2025-10-01 is day 548: 548 expected; 560 is ahead, so on track.
    shown = site.client.get(done.headers["location"]).text
    assert re.search(
        r"Learners trained is now\s*<span class=\"status-badge\" data-status=\"on track\">", shown
    )
    assert site.actuals() == [*before, (dt.date(2025, 10, 1), 560.0)]
    factory = connect(site.url, migrate=False)
    with factory() as session:
        trail = audit_trail(session, "indicator_actuals")
        history = tracking.status_history(
            session, session.get(tracking.ProgrammeIndicator, site.ids["learners"])
        )
    factory.kw["bind"].dispose()
    assert trail["actor"].iloc[-1] == "editor@leeds.gov.uk"
    assert history["new_status"].tolist() == ["off track", "on track"]
    assert history["actor"].iloc[-1] == "editor@leeds.gov.uk"
    assert "Status history (2 changes)" in shown


def test_recording_an_actual_is_validated_and_kept_to_editors_of_the_organisation(site: Site) -> None:
    before = site.actuals()
    csrf = site.sign_in("editor@leeds.gov.uk")
    path = f"/programmes/{site.ids['skills']}/actuals"
    bad = site.client.post(
        path,
        data={
            "indicator_id": str(site.ids["learners"]),
            "date": "2025-02-30",
            "value": "lots",
            "csrf_token": csrf,
        },
    )
    assert bad.status_code == 422
    assert (
        "Date &#39;2025-02-30&#39; is not a date" in bad.text
        and "Value &#39;lots&#39; is not a number" in bad.text
    )
    other: dict[str, Any] = {"indicator_id": "999999", "date": "2025-02-28", "value": "1", "csrf_token": csrf}
    assert "has no indicator 999999" in site.client.post(path, data=other).text
    elsewhere = site.client.post(
        f"/programmes/{site.ids['bristol_published']}/actuals", data=other | {"csrf_token": csrf}
    )
    assert elsewhere.status_code == 403 and "another organisation" in elsewhere.text
    site.client.cookies.clear()
    viewer_csrf = site.sign_in("viewer@leeds.gov.uk")
    viewer = site.client.post(
        path,
        data={
            "indicator_id": str(site.ids["learners"]),
            "date": "2025-02-28",
            "value": "1",
            "csrf_token": viewer_csrf,
        },
    )
    assert viewer.status_code == 403 and "needs the editor role" in viewer.text
    assert site.actuals() == before


def test_sign_out_ends_the_session(site: Site) -> None:
    csrf = site.sign_in("viewer@leeds.gov.uk")
    cookie = site.client.cookies.get("levelscope_session")
    assert site.client.post("/programmes/logout", follow_redirects=False).status_code == 403
    out = site.client.post("/programmes/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    # Even the old cookie, replayed, no longer signs anyone in.
    site.client.cookies.set("levelscope_session", cookie or "")
    assert site.client.get("/programmes", follow_redirects=False).status_code == 303


def test_api_checks_places_against_the_served_workspace(site: Site, demo_workspace_path: Path) -> None:
    from levelscope.data import Workspace

    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        known = ws.geographies("lad")["code"].iloc[0]
    factory = connect(site.url, migrate=False)
    with transaction(factory, "setup") as session:
        editor = accounts.find_user(session, "editor@leeds.gov.uk")
        _, secret = accounts.issue_token(session, editor)
    factory.kw["bind"].dispose()
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"name": "Town fund", "start_date": "2024-04-01", "end_date": "2026-03-31"}
    # E08999999 has the form of a district code but no such district exists in the workspace.
    unknown = site.client.post("/api/programmes", json=body | {"places": ["E08999999"]}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0] == {
        "loc": ["body", "places"],
        "msg": "unknown geography code",
        "input": "E08999999",
        "type": "value_error",
    }
    created = site.client.post("/api/programmes", json=body | {"places": [known]}, headers=headers)
    assert created.status_code == 201 and created.json()["places"] == [known]


def test_api_reads_actuals_from_the_served_workspace(site: Site, demo_workspace_path: Path) -> None:
    from levelscope.data import Workspace
    from levelscope.data.periods import parse_period

    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        panel = ws.observations(level="lad")
        indicator_id, code = panel.groupby(["indicator_id", "geography_code"]).size().idxmax()
        series = ws.observations(indicator_id, geographies=[code])
    expected = sorted(
        (parse_period(p).end, float(v)) for p, v in zip(series["period"], series["value"], strict=True)
    )
    assert len(expected) >= 2
    factory = connect(site.url, migrate=False)
    with transaction(factory, "setup") as session:
        editor = accounts.find_user(session, "editor@leeds.gov.uk")
        _, secret = accounts.issue_token(session, editor)
    factory.kw["bind"].dispose()
    headers = {"Authorization": f"Bearer {secret}"}
    pid = site.ids["skills"]
    linked = site.client.post(
        f"/api/programmes/{pid}/indicators",
        headers=headers,
        json={
            "name": "Linked series",
            "stage": "outcome",
            "baseline_date": "1990-01-01",
            "baseline_value": expected[0][1],
            "target_date": "2040-01-01",
            "target_value": expected[0][1] + 1,
            "workspace_indicator_id": indicator_id,
            "geography_code": code,
        },
    )
    assert linked.status_code == 201, linked.text
    path = f"/api/programmes/{pid}/indicators/{linked.json()['id']}/actuals/from-workspace"
    read = site.client.post(path, headers=headers)
    assert read.status_code == 201 and read.json()["actuals"] == len(expected)
    board = site.client.get(f"/api/programmes/{pid}/dashboard", headers=headers).json()
    track = next(t for t in board["indicators"] if t["indicator"] == "Linked series")
    assert [(dt.date.fromisoformat(str(a["date"])), a["value"]) for a in track["actuals"]] == expected
    assert {a["origin"] for a in track["actuals"]} == {"workspace"}
