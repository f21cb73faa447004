"""A report: result objects, the template that shows them, and its sources; written as HTML.

A report kind is a function that gathers result objects and returns a :class:`Report` naming its
template (``report/templates/<kind>.html``, which extends ``report.html``). The template only
presents what the results hold; it never computes a figure. :meth:`Report.html` renders one
self-contained page: the dashboard's stylesheet and the report's paper rules inlined, Plotly's
library inlined so charts are drawn (as SVG, so as vectors) with the network off, maps drawn as
SVG on the server. :meth:`Report.pdf` prints that page through Chromium (:mod:`.pdf`); start
the browser with :func:`start_printing` before gathering a report and it starts up meanwhile.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from levelscope import formatting
from levelscope.results import Source

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from levelscope.report.pdf import PrintJob

TEMPLATES = Path(__file__).parent / "templates"
#: The dashboard's own stylesheets, inlined first so that a report looks like the pages it
#: comes from; ``report.css`` then adds what paper needs.
DASHBOARD_STYLES = (
    Path(__file__).parents[1] / "web" / "static" / "levelscope.css",
    Path(__file__).parents[1] / "web" / "static" / "explorer.css",
)
NOT_AVAILABLE = "not available"


@dataclass(frozen=True)
class Report:
    """One report, ready to render.

    Parameters
    ----------
    kind:
        The report kind (``"area"``, ``"programme"``, ...); also the template's name.
    title, subtitle:
        The title page's lines.
    content:
        What the template shows: result objects and the few labels around them.
    sources:
        Every source behind the figures, listed at the end with vintage and licence.
    created:
        When the report was made (UTC).
    """

    kind: str
    title: str
    subtitle: str
    content: Mapping[str, Any]
    sources: tuple[Source, ...]
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def filename(self) -> str:
        """A file name stem made of the kind and the subject, e.g. ``area-E08000025``."""
        stem = re.sub(r"[^A-Za-z0-9]+", "-", f"{self.kind}-{self.subtitle}").strip("-")
        return stem[:80] or self.kind

    def html(self) -> str:
        """The report as one self-contained HTML document."""
        template = _environment().get_template(f"{self.kind}.html")
        return template.render(report=self, styles=_styles(), opening=opening(), **self.content)

    def pdf(self, job: PrintJob | None = None) -> bytes:
        """The report as an A4 PDF (see :func:`levelscope.report.pdf.print_pdf`), printed by
        ``job`` if given (from :func:`start_printing`, called before the report was gathered)."""
        from levelscope.report.pdf import print_pdf

        return job.finish(self.html()) if job is not None else print_pdf(self.html())

    def write(self, path: str | Path) -> Path:
        """Write the report to ``path``: PDF if it ends in ``.pdf``, else HTML."""
        target = Path(path)
        if target.suffix.lower() == ".pdf":
            target.write_bytes(self.pdf())
        else:
            target.write_text(self.html(), encoding="utf-8")
        return target


#: Characters of a chart's title on one line: Plotly does not wrap titles, and a chart is at most
#: an A4 page's printable width (672 px) wide.
TITLE_WIDTH = 64


def figure_json(figure: go.Figure) -> Markup:
    """A Plotly figure as JSON safe to place inside ``<script type="application/json">``, its
    title wrapped to fit the page's width."""
    title = figure.layout.title.text
    if title and len(title) > TITLE_WIDTH and "<br>" not in title:
        lines = textwrap.wrap(title, TITLE_WIDTH)
        from plotly.graph_objects import Figure

        figure = Figure(figure)  # a copy: the result's own figure stays as it was
        top = figure.layout.margin.t
        figure.update_layout(title_text="<br>".join(lines),
                             margin_t=max(top if top is not None else 80, 30 + 22 * len(lines)))
    return Markup(figure.to_json().replace("</", "<\\/"))


@cache
def _styles() -> Markup:
    sheets = [*DASHBOARD_STYLES, TEMPLATES / "report.css"]
    return Markup("\n".join(sheet.read_text(encoding="utf-8") for sheet in sheets))


@cache
def opening() -> Markup:
    """The start of every report's page, before anything that depends on the report: the doctype,
    the character set and Plotly's library (most of the page's weight)."""
    import plotly

    library = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    script = library.read_text(encoding="utf-8").replace("</script", "<\\/script")
    return Markup('<!doctype html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n'
                  f"  <script>{script}</script>\n")


def start_printing() -> PrintJob:
    """Start Chromium on a report's page before the report is gathered, so that the browser
    starts up and reads Plotly meanwhile; hand the job to :meth:`Report.pdf`.

    Raises
    ------
    PdfError
        No Chromium.

    Examples
    --------
    >>> with start_printing() as job:  # doctest: +SKIP
    ...     pdf = area_briefing(ws, "E08000025").pdf(job)
    """
    from levelscope.report.pdf import PrintJob

    return PrintJob(opening())


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _figure(value: Any, unit: str = "") -> str:
    return NOT_AVAILABLE if _missing(value) else formatting.value(value, unit)


def _difference(value: Any, unit: str = "") -> str:
    return NOT_AVAILABLE if _missing(value) else formatting.difference(value, unit, signed=True)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(
        figure=_figure, difference=_difference, level_name=formatting.level_name,
        count=formatting.count, share=formatting.share, date=formatting.date,
        sentence_case=formatting.sentence_case, figure_json=figure_json,
        money=formatting.money, number=formatting.number, json=lambda v: json.dumps(v, default=str),
    )
    env.tests["missing"] = _missing
    env.globals.update(zip=zip, inf=math.inf)
    return env
