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

from levelscope import Workspace, formatting
from levelscope.compare.comparison import compare_area
from levelscope.formatting import value as format_value
from levelscope.report import Report, area_briefing
from levelscope.report.document import opening
from report_charts import chart_texts, charts_missing

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
    assert squeeze("Deprivation (1 of 2)") in squeeze(text)


def test_html_is_one_file_that_needs_no_network(briefing: Report) -> None:
    html = briefing.html()
    assert not re.search(r"<(script|img|link|iframe)[^>]+(src|href)=[\"']?(https?:)?//", html)
    assert "<link rel=\"stylesheet\"" not in html
    assert html.count('data-figure="') >= 3  # the profile, at least one trend, inequality
    assert "<svg class=\"report-map\"" in html
    # the opening a PDF's Chromium reads before the report is gathered is the page's own start
    assert html.startswith(opening()) and "Plotly" in opening()


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


# The printable box of an A4 page inside report.css's @page margins (18 mm top, 16 mm sides,
# 20 mm bottom), in PDF points from the bottom left.
MM = 72 / 25.4
PRINTABLE = (16 * MM, 20 * MM, A4_POINTS[0] - 16 * MM, A4_POINTS[1] - 18 * MM)


def placed_text(page: Any) -> list[tuple[float, float, str]]:
    """Where each run of text on ``page`` starts (x, y in points) and what it says."""
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x, y, text))

    page.extract_text(visitor_text=visit)
    return found


def test_every_chart_is_printed_whole_inside_the_page_margins(pdf: Any, briefing: Report) -> None:
    # A chart taller or wider than the page is cut off at the page's edge; its x-axis title, at
    # its foot, then never reaches the PDF. Each title must be there as often as charts use it.
    html = briefing.html()
    assert chart_texts(html).count("standard deviations from the median") >= 2
    assert charts_missing(html, pdf_text(pdf)) == []
    left, bottom, right, top = PRINTABLE
    for number, page in enumerate(pdf.pages, start=1):
        for x, y, run in placed_text(page):
            if re.fullmatch(r"Page|of|\d+", run.strip()) and y < bottom:
                continue  # the page number in the bottom margin
            assert left - 1 <= x <= right and bottom - 1 <= y <= top + 1, (number, x, y, run)


FLAG_WORDS = {"better": "▲ better", "worse": "▼ worse", "higher": "↑ higher", "lower": "↓ lower",
              "similar": "● similar"}


def row_text(row: Any, with_comparators: bool) -> str:
    """A row of the briefing's indicator tables, cell by cell, as the PDF gives it back."""
    def shown(value: Any, signed: bool = False) -> str:
        if value is None or value != value:
            return "not available"
        if signed:
            return formatting.difference(value, row.unit, signed=True)
        return format_value(value, row.unit)

    interval = ("not published" if row.lower != row.lower
                else f"{format_value(row.lower, row.unit)} – {format_value(row.upper, row.unit)}")
    rank = ("not ranked" if row.rank != row.rank
            else f"{formatting.count(row.rank)} of {formatting.count(row.areas)}")
    cells = [row.name, row.period, shown(row.value), interval, shown(row.median), shown(row.gap, signed=True),
             *([shown(row.comparison_value)] if with_comparators else []), rank,
             FLAG_WORDS[row.flag], f"({row.flag_basis})"]
    return squeeze("".join(str(c) for c in cells))


def test_table_rows_are_never_split_across_pages(pdf: Any, ws: Workspace) -> None:
    # Text comes out of the PDF in the order of the page's cells, so a whole row reads from its
    # first cell to its last on one page; a row split across pages is on neither page whole.
    comparison = compare_area(ws, BIRMINGHAM, "peers", k=10)
    pages = [squeeze(page.extract_text()) for page in pdf.pages]
    for row in comparison.table.itertuples():
        assert any(row_text(row, comparison.comparison != "median") in page for page in pages), row.name
