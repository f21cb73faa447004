"""Printing a report's HTML to PDF with the system's Chromium.

Chromium is already part of levelscope's kit (figure export through kaleido, the browser tests),
and it prints exactly what the HTML shows: Plotly's SVG charts stay vectors, ``@page`` rules set
A4 and the page numbers (CSS page-margin boxes), ``break-inside: avoid`` keeps table rows whole,
and ``--generate-pdf-document-outline`` turns the headings into PDF bookmarks. See
docs/architecture.md for why Chromium rather than WeasyPrint.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from levelscope.errors import LevelscopeError

#: Names the Chromium executable goes by (Debian: ``chromium``).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
#: Seconds a print may take before it is abandoned.
TIMEOUT = 120.0


class PdfError(LevelscopeError):
    """The PDF could not be printed (no browser, or the browser failed)."""


def find_browser() -> str:
    """The Chromium to print with: ``$LEVELSCOPE_CHROMIUM``, ``$BROWSER_PATH``, else on ``PATH``."""
    for configured in (os.environ.get("LEVELSCOPE_CHROMIUM"), os.environ.get("BROWSER_PATH")):
        if configured:
            return configured
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("a PDF needs Chromium, and none was found: install Debian's chromium package "
                   "(scripts/install-system-deps.sh) or set LEVELSCOPE_CHROMIUM to a Chrome or "
                   "Chromium executable; the HTML report needs nothing")


def print_pdf(html: str, *, browser: str | None = None, timeout: float = TIMEOUT) -> bytes:
    """Print a self-contained HTML page to PDF with headless Chromium.

    Parameters
    ----------
    html:
        The page; it must need nothing from the network (a report's :meth:`~Report.html` does not).
    browser:
        The Chromium executable (default :func:`find_browser`).
    timeout:
        Seconds before giving up.

    Returns
    -------
    bytes
        The PDF, laid out by the page's ``@page`` rules, with its headings as bookmarks.

    Raises
    ------
    PdfError
        No Chromium, or it failed or took longer than ``timeout``.
    """
    executable = browser or find_browser()
    with tempfile.TemporaryDirectory(prefix="levelscope-report-") as folder:
        page, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            executable, "--headless", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--disable-background-networking", "--disable-sync", "--disable-component-update",
            # a profile of its own, so that concurrent prints never wait on each other's lock
            f"--user-data-dir={Path(folder) / 'profile'}",
            # no --virtual-time-budget: the charts are drawn synchronously by the script at the
            # end of the page, before its load event, after which Chromium prints; a budget only
            # made Chromium wait on Plotly's idle timers (about a third of the print time)
            "--no-pdf-header-footer", "--generate-pdf-document-outline",
            f"--print-to-pdf={target}", page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium took more than {timeout:.0f} s to print the report") from None
        except OSError as exc:
            raise PdfError(f"could not run Chromium ({executable}): {exc}") from None
        if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            detail = " ".join(done.stderr.split())[-300:]
            raise PdfError(f"Chromium could not print the report (exit {done.returncode}): {detail}")
        return target.read_bytes()
