"""Fill in the strategy assessment in a real headless Chromium: result page and rejected form."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from levelscope.design import load_framework

FW = load_framework()


def key(criterion_id: str) -> str:
    """The id fragment the form uses for a criterion (a dot would read as a CSS class)."""
    return criterion_id.replace(".", "--")
EVIDENCE = "Joint board minutes, 2023 to 2025"


def fill_header(page: object) -> None:
    page.fill("#field-strategy", "Dudley Borough Vision")  # type: ignore[attr-defined]
    page.fill("#field-place_code", "E08000027")  # type: ignore[attr-defined]
    page.fill("#field-assessor", "Strategy team")  # type: ignore[attr-defined]
    page.fill("#field-date", "2026-03-31")  # type: ignore[attr-defined]


@pytest.mark.browser
def test_fill_in_and_see_radar_chart_and_gap_list(
    live_server: str, page: object, screenshots: Callable[[object, str], Path]
) -> None:
    page.goto(f"{live_server}/design/assess")  # type: ignore[attr-defined]
    fill_header(page)
    page.fill("#field-population", "323000")  # type: ignore[attr-defined]
    page.select_option("#field-governance", "single_authority")  # type: ignore[attr-defined]
    for criterion in FW.criterion_ids:
        level = 1 if criterion.startswith("funding.") else 3
        # the label is what a person clicks
        page.click(f"label[for='score-{key(criterion)}-{level}']")  # type: ignore[attr-defined]
    page.fill(f"#evidence-{key(FW.criterion_ids[0])}", EVIDENCE)  # type: ignore[attr-defined]
    page.click("#submit-assessment")  # type: ignore[attr-defined]
    page.wait_for_selector("#radar-chart .main-svg")  # type: ignore[attr-defined]
    # nine factors at 75, funding at 25: overall (9 * 75 + 25) / 10 = 70
    assert page.inner_text("#overall-score") == "70.0"  # type: ignore[attr-defined]
    assert page.locator("#radar-chart .scatterpolar, #radar-chart .trace").count() >= 1  # type: ignore[attr-defined]
    weakest = page.inner_text("#weakest-factors li:first-child")  # type: ignore[attr-defined]
    assert weakest.startswith(FW.factor("funding").name)
    gaps = page.locator("#gap-list article.gap")  # type: ignore[attr-defined]
    assert gaps.count() == 1 and FW.factor("funding").name in gaps.first.inner_text()
    assert page.locator("#gap-list .practice").count() >= 1  # type: ignore[attr-defined]
    assert "Source:" in page.inner_text("#gap-list .citation >> nth=0")  # type: ignore[attr-defined]
    assert EVIDENCE in page.content()  # type: ignore[attr-defined]
    screenshots(page, "design-assessment-result")


@pytest.mark.browser
def test_incomplete_form_shows_messages_and_keeps_answers(
    live_server: str, page: object, screenshots: Callable[[object, str], Path]
) -> None:
    page.goto(f"{live_server}/design/assess")  # type: ignore[attr-defined]
    fill_header(page)
    page.fill("#field-assessor", "")  # type: ignore[attr-defined]
    skipped = FW.criterion_ids[4]
    for criterion in FW.criterion_ids:
        if criterion != skipped:
            page.check(f"#score-{key(criterion)}-2")  # type: ignore[attr-defined]
    page.fill(f"#evidence-{key(skipped)}", EVIDENCE)  # type: ignore[attr-defined]
    # Chromium logs every 4xx page load as a console error: wait for this expected one.
    expected = page.expect_console_message(lambda m: "status of 422" in m.text)  # type: ignore[attr-defined]
    with expected, page.expect_response(lambda r: r.url.endswith("/design/assess")) as answer:  # type: ignore[attr-defined]
        page.click("#submit-assessment")  # type: ignore[attr-defined]
    page.wait_for_load_state("load")  # type: ignore[attr-defined]
    assert answer.value.status == 422
    errors = page.console_errors  # type: ignore[attr-defined]
    assert errors and all("status of 422" in e for e in errors), errors
    errors.clear()
    summary = page.locator("#error-summary")  # type: ignore[attr-defined]
    assert "2 answers need attention" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"  # type: ignore[attr-defined]
    assert page.inner_text(f"#error-{key(skipped)}") == "Choose a level from 0 to 4."  # type: ignore[attr-defined]
    assert page.inner_text("#error-assessor") == "This is required."  # type: ignore[attr-defined]
    # nothing lost: the answers given are still selected and typed text is still there
    assert page.input_value("#field-strategy") == "Dudley Borough Vision"  # type: ignore[attr-defined]
    assert page.input_value(f"#evidence-{key(skipped)}") == EVIDENCE  # type: ignore[attr-defined]
    checked = [c for c in FW.criterion_ids if page.is_checked(f"#score-{key(c)}-2")]  # type: ignore[attr-defined]
    assert len(checked) == len(FW.criterion_ids) - 1 and skipped not in checked
    # the summary links take you to the field
    page.click(f"#error-summary a[href='#field-{key(skipped)}']")  # type: ignore[attr-defined]
    assert page.evaluate("location.hash") == f"#field-{key(skipped)}"  # type: ignore[attr-defined]
    screenshots(page, "design-assessment-rejected")
