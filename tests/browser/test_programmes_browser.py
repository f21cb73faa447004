"""The programme pages in a real browser: sign in, read the dashboard and its chart, record an
actual through the form and see the new status; a post without the CSRF token is refused.

The server here is built for this file, with a records database the test fills first (the
shared ``live_server`` does not expose its records URL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import screenshot, serve

from levelscope.monitor import programmes, tracking
from levelscope.records import accounts
from levelscope.records.db import connect, transaction
from levelscope.web.app import create_app

PASSWORD = "a long password"
EMAIL = "editor@leeds.gov.uk"


@dataclass(frozen=True)
class ProgrammeSite:
    base: str
    programme_id: int
    indicator_id: int


def _populate(url: str) -> tuple[int, int]:
    factory = connect(url)
    with transaction(factory, "setup") as session:
        leeds = accounts.create_organisation(session, "Leeds City Council")
        accounts.create_user(session, leeds, EMAIL, "editor", password=PASSWORD)
        skills = programmes.create_programme(
            session,
            leeds.id,
            "Leeds skills programme",
            start_date=dt.date(2024, 4, 1),
            end_date=dt.date(2027, 3, 31),
            places=["E08000035"],
            funders=["UKSPF"],
        )
        programmes.add_spend(session, skills, 2024, "UKSPF", 300_000.0, kind="planned")
        programmes.add_spend(session, skills, 2024, "UKSPF", 250_000.0)
        programmes.add_cash_flow(session, skills, 2024, "cost", 1000.0)
        programmes.add_cash_flow(session, skills, 2025, "benefit", 1035.0)
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
        # Day 365 of 1,095: 365 expected, 200 is 15.1% of the planned change behind: off track.
        tracking.record_actual(session, learners, dt.date(2025, 4, 1), 200.0)
        ids = skills.id, learners.id
    factory.kw["bind"].dispose()
    return ids


@pytest.fixture(scope="module")
def programme_site(
    demo_workspace_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProgrammeSite]:
    url = f"sqlite:///{tmp_path_factory.mktemp('programme-records') / 'records.sqlite'}"
    programme_id, indicator_id = _populate(url)
    app = create_app(demo_workspace_path, records_url=url, warm=False)
    with serve(app) as base:
        yield ProgrammeSite(base, programme_id, indicator_id)


@pytest.mark.browser
def test_sign_in_see_dashboard_and_record_an_actual(programme_site: ProgrammeSite, page) -> None:  # type: ignore[no-untyped-def]
    site = programme_site
    page.goto(f"{site.base}/programmes/{site.programme_id}")
    # Not signed in: sent to the sign-in form, which brings us back afterwards.
    assert page.url.startswith(f"{site.base}/programmes/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.base}/programmes/{site.programme_id}")

    track = page.locator(f"#indicator-{site.indicator_id}")
    assert track.locator(".status-badge").inner_text().strip() == "✕ off track"
    chart = page.locator(f"#track-figure-{site.indicator_id}")
    chart.locator(".main-svg").first.wait_for()
    assert chart.get_attribute("data-drawn") == "true"
    # The latest point is labelled with its status inside the chart, not only coloured.
    assert "off track" in (chart.locator(".textpoint").first.text_content() or "")
    page.locator("#spend-figure .main-svg").first.wait_for()
    assert "Net present social value" in page.locator("#appraisal-summary").inner_text()
    screenshot(page, "programme-dashboard")

    page.get_by_label("Indicator", exact=True).select_option(str(site.indicator_id))
    page.get_by_label("Date", exact=True).fill("2025-10-01")
    page.get_by_label("Value", exact=True).fill("560")
    page.get_by_role("button", name="Record actual").click()
    page.wait_for_url(f"**/programmes/{site.programme_id}?recorded={site.indicator_id}*")
    # Day 548: 548 expected; 560 is ahead of the trajectory, so on track now.
    notice = page.locator("#recorded-status").inner_text()
    assert "Learners trained is now" in notice and "on track" in notice
    assert track.locator(".status-badge").inner_text().strip() == "● on track"
    screenshot(page, "programme-dashboard-recorded")

    # The same form posted without the session's CSRF token is refused, and nothing is written.
    forged = page.request.post(
        f"{site.base}/programmes/{site.programme_id}/actuals",
        form={"indicator_id": str(site.indicator_id), "date": "2025-11-01", "value": "1"},
        max_redirects=0,
    )
    assert forged.status == 403
    page.reload()
    assert "1 on 2025-11-01" not in page.content()
    assert "560 on 2025-10-01" in track.inner_text()  # a count, whole
