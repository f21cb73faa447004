"""Saved-assessment pages: save from the result page, the organisation's list, and comparisons.

Sign-in goes through the programme pages' login form; saving needs the login session's CSRF
token; the list and the saved pages show only what members of the user's organisation saved;
the comparison page's figures agree with :func:`levelscope.design.saved.compare_saved` and with
a change worked out by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from levelscope.design import load_framework
from levelscope.design import saved as saved_assessments
from levelscope.records import accounts
from levelscope.records.db import connect, transaction
from levelscope.web.app import create_app

FW = load_framework()
PASSWORD = "a long password"
FUNDING = [c.id for c in FW.factor("funding").criteria]


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, f"no hidden {name} field in the page"
    return found.group(1)


def form(level: int, funding_level: int, strategy: str = "Dudley Borough Vision") -> dict[str, str]:
    data = {
        "strategy": strategy,
        "place_code": "E08000027",
        "assessor": "Strategy team",
        "date": "2026-03-31",
    }
    for c in FW.criterion_ids:
        data[f"score.{c}"] = str(funding_level if c in FUNDING else level)
        data[f"evidence.{c}"] = f"about {c}"
    return data


class Site:
    def __init__(self, client: TestClient, url: str) -> None:
        self.client = client
        self.url = url

    def sign_in(self, email: str) -> None:
        page = self.client.get("/programmes/login")
        token = _hidden(page.text, "csrf_token")
        signed = self.client.post(
            "/programmes/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/programmes"},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text

    def sign_out(self) -> None:
        self.client.cookies.clear()

    def save(self, data: dict[str, str]) -> int:
        """Score on the result page, then press its save button; returns the saved id."""
        result = self.client.post("/design/assess", data=data)
        assert result.status_code == 200, result.text
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', result.text))
        assert "csrf_token" in fields
        saved = self.client.post("/design/saved", data=fields, follow_redirects=False)
        assert saved.status_code == 303, saved.text
        found = re.fullmatch(r"/design/saved/(\d+)", saved.headers["location"])
        assert found
        return int(found.group(1))

    def token(self, email: str) -> dict[str, str]:
        """An Authorization header with a fresh API token of the user with this email."""
        factory = connect(self.url, migrate=False)
        with transaction(factory, "setup") as session:
            user = session.scalar(sa.select(accounts.User).where(accounts.User.email == email))
            assert user is not None
            _, secret = accounts.issue_token(session, user, "test")
        factory.kw["bind"].dispose()
        return {"Authorization": f"Bearer {secret}"}

    def saved_count(self) -> int:
        factory = connect(self.url, migrate=False)
        with factory() as session:
            count = session.scalar(sa.select(sa.func.count()).select_from(saved_assessments.SavedAssessment))
        factory.kw["bind"].dispose()
        return int(count or 0)


@pytest.fixture
def site(demo_workspace_path: Path, tmp_path: Path) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path}/r.sqlite"
    app = create_app(demo_workspace_path, records_url=url, warm=False)
    with TestClient(app) as client:
        factory = connect(url)
        with transaction(factory, "setup") as session:
            dudley = accounts.create_organisation(session, "Dudley Council")
            enfield = accounts.create_organisation(session, "Enfield Council")
            accounts.create_user(session, dudley, "analyst@dudley.gov.uk", "editor", password=PASSWORD)
            accounts.create_user(session, enfield, "analyst@enfield.gov.uk", "editor", password=PASSWORD)
        factory.kw["bind"].dispose()
        yield Site(client, url)


def test_saved_pages_need_sign_in(site: Site) -> None:
    for path in ["/design/saved", "/design/saved/1", "/design/saved/1/compare/2"]:
        answer = site.client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/programmes/login?next={path}"
    # not signed in: the result page offers sign-in, not a save form, and saving is refused
    result = site.client.post("/design/assess", data=form(2, 2))
    assert 'id="save-form"' not in result.text and "/programmes/login?next=" in result.text
    assert site.client.post("/design/saved", data=form(2, 2)).status_code == 401
    assert site.saved_count() == 0


def test_saving_needs_the_csrf_token(site: Site) -> None:
    site.sign_in("analyst@dudley.gov.uk")
    result = site.client.post("/design/assess", data=form(2, 2))
    assert _hidden(result.text, "csrf_token")
    for token in [None, "forged"]:
        data = form(2, 2) | ({"csrf_token": token} if token else {})
        refused = site.client.post("/design/saved", data=data, follow_redirects=False)
        assert refused.status_code == 403
    assert site.saved_count() == 0
    saved_id = site.save(form(2, 2))
    assert site.saved_count() == 1
    page = site.client.get(f"/design/saved/{saved_id}")
    assert page.status_code == 200 and "Saved as revision 1" in page.text


def test_list_shows_only_the_organisations_assessments(site: Site) -> None:
    site.sign_in("analyst@dudley.gov.uk")
    dudley_ids = [site.save(form(2, 2)), site.save(form(3, 1))]
    site.sign_out()
    site.sign_in("analyst@enfield.gov.uk")
    enfield_id = site.save(form(1, 1, strategy="Enfield Local Plan"))

    listed = site.client.get("/design/saved").text
    assert re.findall(r'data-id="(\d+)"', listed) == [str(enfield_id)]
    assert "Dudley Borough Vision" not in listed
    # another organisation's saved assessment is not found, by page or by comparison
    assert site.client.get(f"/design/saved/{dudley_ids[0]}").status_code == 404
    assert site.client.get(f"/design/saved/{dudley_ids[0]}/compare/{dudley_ids[1]}").status_code == 404

    site.sign_out()
    site.sign_in("analyst@dudley.gov.uk")
    listed = site.client.get("/design/saved").text
    assert re.findall(r'data-id="(\d+)"', listed) == [str(i) for i in dudley_ids]
    assert "Enfield Local Plan" not in listed
    assert f'href="/design/saved/{dudley_ids[0]}"' in listed

    # The REST API keeps organisations apart in the same way.
    site.sign_out()
    enfield_token = site.token("analyst@enfield.gov.uk")
    listed_json = site.client.get("/api/design/assessments", headers=enfield_token).json()
    assert [row["id"] for row in listed_json] == [enfield_id]
    compared = site.client.get(
        f"/api/design/assessments/{dudley_ids[0]}/compare/{dudley_ids[1]}", headers=enfield_token
    )
    assert compared.status_code == 404
    dudley_token = site.token("analyst@dudley.gov.uk")
    listed_json = site.client.get("/api/design/assessments", headers=dudley_token).json()
    assert [row["id"] for row in listed_json] == dudley_ids


def test_comparison_matches_compare_saved_and_a_hand_calculation(site: Site) -> None:
    site.sign_in("analyst@dudley.gov.uk")
    # last year every answer at level 2 and funding at 0; this year level 3 and funding at 1
    before_id, after_id = site.save(form(2, 0)), site.save(form(3, 1))
    latest = site.client.get(f"/design/saved/{after_id}").text
    assert f'href="/design/saved/{before_id}/compare/{after_id}"' in latest
    page = site.client.get(f"/design/saved/{before_id}/compare/{after_id}")
    assert page.status_code == 200
    rows = dict(re.findall(r'data-factor="([^"]+)">.*?<td class="num change">([^<]+)</td>', page.text, re.S))

    factory = connect(site.url, migrate=False)
    with factory() as session:
        expected = saved_assessments.compare_saved(session, before_id, after_id, FW)
    factory.kw["bind"].dispose()
    assert set(rows) == {f.factor_id for f in expected.factors}
    for f in expected.factors:
        assert float(rows[f.factor_id]) == pytest.approx(f.change, abs=0.05)

    # By hand: a factor's score is its criteria's mean level over the top level 4, times 100.
    # Funding went from level 0 on every question (0) to level 1 (1 / 4 * 100 = 25): +25.0.
    assert rows["funding"] == "+25.0"
    # Any other factor went from level 2 (50) to level 3 (75): +25.0 too.
    assert rows["strategy_vision"] == "+25.0"
    # Overall: nine factors at 50 and funding at 0 weigh equally (weights 1 each) before,
    # (9 * 50 + 0) / 10 = 45.0; after, (9 * 75 + 25) / 10 = 70.0.
    assert "The overall score rose from 45.0 to 70.0." in page.text
    assert expected.overall_before == pytest.approx(45.0) and expected.overall_after == pytest.approx(70.0)
    # the radar chart overlays both revisions; funding's point moves from 0 to 25
    found = re.search(r'id="radar-chart-data">(.*?)</script>', page.text, re.S)
    assert found
    traces = json.loads(found.group(1))["data"]
    assert [t["name"] for t in traces] == ["Revision 1 (2026-03-31)", "Revision 2 (2026-03-31)"]
    funding = FW.factor("funding").name
    assert [t["r"][t["theta"].index(funding)] for t in traces] == [0.0, 25.0]
