"""The area briefing: its PDF says what the result objects say, lists every source, is A4 with
numbered pages and bookmarks, draws its charts as vectors; its HTML needs no network; an area
without figures, a map or trends says "not available" instead of failing.

The PDF's text is read back with pypdf (ligatures undone with NFKC, whitespace removed so that a
line break inside a figure does not matter) and checked against ``compare_area`` and
``ws.provenance`` called here directly.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from levelscope import Workspace
from levelscope.compare.comparison import compare_area
from levelscope.formatting import value as format_value
from levelscope.report import Report, area_briefing

pypdf = pytest.importorskip("pypdf")

BIRMINGHAM = "E08000025"
A4_POINTS = (595.0, 842.0)  # 210 mm x 297 mm at 72 points per inch


@pytest.fixture(scope="module")
def ws(demo_workspace_path: Path) -> Any:
    with Workspace.open(demo_workspace_path, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def briefing(ws: Workspace) -> Report:
    return area_briefing(ws, BIRMINGHAM)


@pytest.fixture(scope="module")
def pdf(briefing: Report) -> Any:
    return pypdf.PdfReader(io.BytesIO(briefing.pdf()))


def squeeze(text: str) -> str:
    """Text without ligatures or whitespace, for comparing across line breaks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_text(reader: Any) -> str:
    """The PDF's text without its page footers, which can fall inside an entry that runs onto
    the next page."""
    return "\n".join(re.sub(r"Page \d+ of \d+", "", page.extract_text()) for page in reader.pages)


def titles(outline: list[Any]) -> list[str]:
    found: list[str] = []
    for item in outline:
        found.extend(titles(item) if isinstance(item, list) else [item.title])
    return found


def test_pdf_summary_counts_equal_the_comparison(pdf: Any, ws: Workspace) -> None:
    expected = compare_area(ws, BIRMINGHAM, "peers", k=10)
    counts = expected.counts()
    text = squeeze(pdf_text(pdf))
    assert f"Betterthanthemedian:{counts['better']}" in text
    assert f"Worse:{counts['worse']}" in text
    assert f"Similar:{counts['similar']}" in text
    # every indicator the workspace holds for the area has exactly one flag
    held = ws.scalar("SELECT count(DISTINCT indicator_id) FROM observation WHERE geography_code = ?",
                     [BIRMINGHAM])
    assert sum(counts.values()) == len(expected.table) == held
    assert squeeze(f"Birmingham is a local authority district with figures on {len(expected.table)} "
                   "indicators") in text


def test_pdf_shows_every_indicator_value_and_median(pdf: Any, ws: Workspace) -> None:
    table = compare_area(ws, BIRMINGHAM, "peers", k=10).table
    text = squeeze(pdf_text(pdf))
    for row in table.itertuples():
        assert squeeze(str(row.name)) in text, row.name
        assert squeeze(format_value(row.value, row.unit)) in text, (row.name, row.value)
        assert squeeze(format_value(row.median, row.unit)) in text, (row.name, row.median)


def test_pdf_lists_every_source_with_vintage_and_licence(pdf: Any, briefing: Report, ws: Workspace) -> None:
    indicators = compare_area(ws, BIRMINGHAM, "median").table["indicator_id"].tolist()
    sources = ws.provenance(indicators).sources
    assert sources and set(sources) <= set(briefing.sources)
    text = squeeze(pdf_text(pdf))
    for source in briefing.sources:
        line = f"{source.publisher}, {source.dataset}"
        if source.vintage:
            line += f", released {source.vintage}"
        assert squeeze(line) in text, line
        assert squeeze(f"Licence: {source.licence or 'not recorded'}") in text


def test_pdf_is_a4_with_numbered_pages_and_heading_bookmarks(pdf: Any) -> None:
    pages = len(pdf.pages)
    assert 4 <= pages <= 30
    for number, page in enumerate(pdf.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == A4_POINTS
        assert f"Page {number} of {pages}" in page.extract_text()
    marks = titles(pdf.outline)
    for heading in ("Area briefing: Birmingham", "Summary", "Every indicator", "Trends", "On the map",
                    "Inequality around it", "Methods", "Sources"):
        assert heading in marks


def test_pdf_charts_are_vectors_not_pictures(pdf: Any) -> None:
    assert all(len(page.images) == 0 for page in pdf.pages)
    text = pdf_text(pdf)
    # chart titles are text in the PDF, which a raster image would not be
    assert squeeze("Birmingham: distance from the median in standard deviations") in squeeze(text)


def test_html_is_one_file_that_needs_no_network(briefing: Report) -> None:
    html = briefing.html()
    assert not re.search(r"<(script|img|link|iframe)[^>]+(src|href)=[\"']?(https?:)?//", html)
    assert "<link rel=\"stylesheet\"" not in html
    assert html.count('data-figure="') >= 3  # the profile, at least one trend, inequality
    assert "<svg class=\"report-map\"" in html


def test_area_with_some_indicators_missing_says_which(ws: Workspace) -> None:
    glasgow = area_briefing(ws, "S12000049")
    held = set(compare_area(ws, "S12000049", "median").table["name"])
    missing = glasgow.content["missing"]
    assert missing and not held & set(missing)
    at_level = ws.scalar("SELECT count(DISTINCT o.indicator_id) FROM observation o JOIN geography g "
                         "ON g.code = o.geography_code WHERE g.level = 'lad'")
    assert len(held) + len(missing) == at_level  # every indicator held for local authorities
    assert "Apprenticeship starts" in missing
    html = glasgow.html()
    assert "Not available:</strong> figures for Glasgow City on" in html


def test_area_without_figures_or_map_renders_not_available(ws: Workspace) -> None:
    # Northumberland's old code: a place in the workspace with no figures under it
    empty = area_briefing(ws, "E06000048").html()
    assert "Not available:</strong> figures for Northumberland (the workspace holds none yet)" in empty
    assert "Not available:</strong> trends" in empty
    # English regions have figures but no boundaries in the demo workspace
    region = area_briefing(ws, "E12000005").html()
    assert "Not available:</strong> a map (the workspace holds no boundaries for English regions" in region


def test_report_file_name_is_safe() -> None:
    report = Report(kind="area", title="t", subtitle="E08000025 / x", content={}, sources=())
    assert report.filename == "area-E08000025-x"
