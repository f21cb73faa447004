"""A live levelscope server and a real headless Chromium for the browser tests.

The server runs in a thread (uvicorn) on a free loopback port over the session's demo workspace
and a fresh SQLite records database. Chromium is Debian's (``/usr/bin/chromium``, installed by
``scripts/install-system-deps.sh``), driven through Playwright. Every page the tests open
records its JavaScript console errors; a test fails if any appear. Screenshots go to
``test-artifacts/screenshots`` (kept by CI as artefacts).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_support import screenshot, serve

from levelscope.web.app import create_app

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def live_server(demo_workspace_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running server over the demo workspace."""
    records = tmp_path_factory.mktemp("records") / "records.sqlite"
    with serve(create_app(demo_workspace_path, records_url=f"sqlite:///{records}")) as base:
        yield base


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Chromium not found; run scripts/install-system-deps.sh")
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=_chromium(), headless=True)
        yield launched
        launched.close()


class ConsoleErrors(list[str]):
    """JavaScript errors a page reported."""


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    """A fresh page; fails the test if the page logs any JavaScript error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    tab = context.new_page()
    errors = ConsoleErrors()
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.console_errors = errors
    yield tab
    context.close()
    assert not errors, f"JavaScript console errors: {errors}"


@pytest.fixture()
def screenshots() -> Callable[[object, str], Path]:
    """:func:`browser_support.screenshot` as a fixture."""
    return screenshot
