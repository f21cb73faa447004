"""Reports to share: HTML and PDF briefings built from result objects.

Each kind of report is a function that runs the analyses (the same functions the pages and the
command line call) and returns a :class:`Report`; the report's template only presents the
results. :meth:`Report.html` is one self-contained file; :meth:`Report.pdf` prints it to A4
through Chromium; :func:`start_printing` starts the browser before a report is gathered, so that
it starts up meanwhile (hand it to :meth:`Report.pdf`).

* :func:`area_briefing` — an area against the median and its peers, its trends, map and
  inequality context;
* :func:`programme_report` — a programme's logic model, RAG status, spend against plan, value
  for money and Green Book appraisal;
* :func:`evaluation_report` — a synthetic control or difference-in-differences estimate with its
  fit, placebo inference and verdict;
* :func:`strategy_report` — a strategy's maturity profile against the success factors, its
  weakest factors, matched case-study practices and change since the previous assessment;
* :func:`funding_report` — funding versus need: the finding, concentration, need groups, rounds;
* :func:`fund_record_report` — a fund's record in the register (the Levelling Up Fund) against
  population and need, by region, priority category and deprivation.

Adding a kind: write ``report/<kind>.py`` with a function returning ``Report(kind="<kind>", ...)``
and ``report/templates/<kind>.html`` extending ``report.html``; the command line
(``levelscope report <kind>``) and the REST API (``/api/reports/<kind>/...``) then wrap it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from levelscope.report.area import area_briefing
    from levelscope.report.document import Report, start_printing
    from levelscope.report.evaluation import evaluation_report
    from levelscope.report.funding import fund_record_report, funding_report
    from levelscope.report.pdf import PdfError, print_pdf
    from levelscope.report.programme import programme_report
    from levelscope.report.strategy import strategy_report

#: Where each name lives: a kind is imported when first asked for, so that writing an area
#: briefing does not load the evaluation and appraisal libraries (seconds of a cold PDF).
_HOMES = {
    "area_briefing": "area", "Report": "document", "evaluation_report": "evaluation",
    "fund_record_report": "funding", "funding_report": "funding", "PdfError": "pdf",
    "print_pdf": "pdf", "programme_report": "programme", "strategy_report": "strategy",
    "start_printing": "document",
}

__all__ = ["PdfError", "Report", "area_briefing", "evaluation_report", "fund_record_report", "funding_report",
           "print_pdf", "programme_report", "start_printing", "strategy_report"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'levelscope.report' has no attribute {name!r}")
    return getattr(importlib.import_module(f"levelscope.report.{_HOMES[name]}"), name)
