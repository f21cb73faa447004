"""Printing with a Chromium started before the page is complete (:class:`PrintJob`): the PDF has
both the opening sent at once and the rest sent later, in order; a job left unfinished stops its
browser; a page that does not begin with the opening already sent is refused; a PDF still being
written is never taken for a whole one."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest

from levelscope.report.pdf import PrintJob, complete_pdf

pypdf = pytest.importorskip("pypdf")

OPENING = '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>t</title></head>\n<body>\n'
PAGE = OPENING + ("<h1>Opening</h1>\n<p>Sent first.</p>\n<h1>Rest</h1>\n<p>Sent 42.5 later.</p>\n"
                  "</body></html>")


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, ligatures undone (Chromium sets "fi" as one glyph) and spaces squeezed."""
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def test_chromium_reads_the_opening_first_and_prints_the_whole_page() -> None:
    with PrintJob(OPENING) as job:
        # the browser asks for the page before the rest exists, and waits for it
        assert job.wait_for_browser(timeout=60)
        assert job.running
        pdf = job.finish(PAGE)
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF")
    assert "Opening Sent first. Rest Sent 42.5 later." in text


def test_an_unfinished_job_stops_its_browser() -> None:
    with pytest.raises(RuntimeError, match="the report failed"), PrintJob(OPENING) as job:
        assert job.wait_for_browser(timeout=60)
        raise RuntimeError("the report failed")
    assert not job.running


def test_a_page_must_begin_with_the_opening_already_sent() -> None:
    with PrintJob(OPENING) as job, pytest.raises(ValueError, match="does not begin with the opening"):
        job.finish("<!doctype html><p>another page</p>")



def test_a_pdf_cut_short_is_not_taken_for_a_whole_one(tmp_path: Path) -> None:
    # a PDF written by another library (pypdf), then every way of being cut short while written
    out = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    whole = out.getvalue()
    file = tmp_path / "report.pdf"
    assert complete_pdf(file) is None  # not yet begun
    file.write_bytes(whole)
    assert complete_pdf(file) == whole
    cuts = [0, 8, len(whole) // 2, whole.rindex(b"startxref"), len(whole.rstrip()) - 1]
    for cut in cuts:
        file.write_bytes(whole[:cut])
        assert complete_pdf(file) is None, cut
    # a trailer whose offset does not point at the cross-reference table (the file's start
    # was rewritten, or the offset is past the end)
    start = whole.rindex(b"startxref")
    file.write_bytes(whole[:start] + b"startxref\n3\n%%EOF\n")
    assert complete_pdf(file) is None
    file.write_bytes(whole[:start] + f"startxref\n{len(whole) * 2}\n%%EOF\n".encode())
    assert complete_pdf(file) is None
