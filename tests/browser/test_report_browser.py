"""The area briefing's HTML in a real Chromium: it opens with the network off (every chart drawn,
no request leaves the file), axe-core finds no serious or critical problem, and the area page's
"Download report" button returns the PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from levelscope import Workspace
from levelscope.report import area_briefing

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def briefing_file(demo_workspace_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "briefing.html"
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        path.write_text(area_briefing(ws, "E08000025").html(), encoding="utf-8")
    return path


def test_briefing_opens_offline_with_charts_and_passes_axe(browser: Any, briefing_file: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(offline=True, viewport={"width": 1000, "height": 1200})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(briefing_file.as_uri())
        figures = page.locator("[data-figure]")
        assert figures.count() >= 3
        page.wait_for_function("[...document.querySelectorAll('[data-figure]')]"
                               ".every(e => e.dataset.drawn === 'true')")
        assert page.locator("[data-figure] svg.main-svg").count() >= figures.count()
        assert page.locator("svg.report-map path").count() > 300
        results = Axe().run(page)
    finally:
        context.close()
    assert not errors
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]


def test_area_page_download_report_button_gives_the_pdf(live_server: str, page: Any) -> None:
    page.goto(live_server + "/areas/E08000025")
    button = page.get_by_role("link", name="Download report (PDF)")
    with page.expect_download(timeout=120_000) as download:
        button.click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == "area-E08000025.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
