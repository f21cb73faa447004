"""Printing a report's HTML to PDF with the system's Chromium.

Chromium is already part of levelscope's kit (figure export through kaleido, the browser tests),
and it prints exactly what the HTML shows: Plotly's SVG charts stay vectors, ``@page`` rules set
A4 and the page numbers (CSS page-margin boxes), ``break-inside: avoid`` keeps table rows whole,
and ``--generate-pdf-document-outline`` turns the headings into PDF bookmarks. See
docs/architecture.md for why Chromium rather than WeasyPrint.

Starting Chromium and reading Plotly's library take about as long as gathering a report, so a
:class:`PrintJob` starts the browser first, on a page this process serves from the loopback
interface, and sends the page's fixed opening (Plotly) straight away; the rest of the page
follows when the report is ready, and Chromium prints once it has loaded.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self

from levelscope.errors import LevelscopeError

#: Names the Chromium executable goes by (Debian: ``chromium``).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
#: Seconds a print may take, once the page is complete, before it is abandoned.
TIMEOUT = 120.0
#: Seconds between looks at whether the PDF is written.
POLL = 0.01


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


class PrintJob:
    """A PDF being printed by a Chromium started before its page is complete.

    The browser starts at once, on a page served by this process from ``127.0.0.1`` (at a
    random, unguessable path): ``opening`` is sent immediately, so that Chromium starts up and
    reads it (Plotly's library) while the report is still being gathered; :meth:`finish` sends
    the rest and returns the PDF. Use it as a context manager: leaving the block stops the
    browser if the PDF was never finished (the report failed).

    Parameters
    ----------
    opening:
        The start of the page, sent before the rest is known; :meth:`finish` checks that the
        page begins with it.
    browser:
        The Chromium executable (default :func:`find_browser`).
    timeout:
        Seconds Chromium may take to print once the page is complete.

    Raises
    ------
    PdfError
        No Chromium, or it could not be started.

    Examples
    --------
    >>> with PrintJob(opening) as job:  # doctest: +SKIP
    ...     html = gather_and_render()  # Chromium starts up meanwhile
    ...     pdf = job.finish(html)
    """

    def __init__(self, opening: str = "", *, browser: str | None = None, timeout: float = TIMEOUT) -> None:
        executable = browser or find_browser()
        self.timeout = timeout
        self._opening = opening.encode("utf-8")
        self._rest: bytes | None = None
        self._ready = threading.Event()
        self._asked = threading.Event()
        self._folder = tempfile.TemporaryDirectory(prefix="levelscope-report-")
        self._target = Path(self._folder.name) / "report.pdf"
        self._log = Path(self._folder.name) / "chromium.log"
        self._server = _page_server(self)
        self._path = f"/{secrets.token_urlsafe(16)}/report.html"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        host, port = self._server.server_address[:2]
        command = [
            executable, "--headless", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--disable-background-networking", "--disable-sync", "--disable-component-update",
            "--no-proxy-server",  # the page is on the loopback interface, never through a proxy
            # a profile of its own, so that concurrent prints never wait on each other's lock
            f"--user-data-dir={Path(self._folder.name) / 'profile'}",
            # no --virtual-time-budget: the charts are drawn synchronously by the script at the
            # end of the page, before its load event, after which Chromium prints; a budget only
            # made Chromium wait on Plotly's idle timers (about a third of the print time)
            "--no-pdf-header-footer", "--generate-pdf-document-outline",
            f"--print-to-pdf={self._target}", f"http://{host!s}:{port}{self._path}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            with self._log.open("w") as log:
                # a session of its own, so that stopping it stops its renderer processes too
                self._browser = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log,
                                                 start_new_session=True)
        except OSError as exc:
            self.close()
            raise PdfError(f"could not run Chromium ({executable}): {exc}") from None

    def finish(self, html: str) -> bytes:
        """Send the rest of the page and return the PDF Chromium prints from it.

        Raises
        ------
        ValueError
            ``html`` does not begin with the ``opening`` already sent.
        PdfError
            Chromium failed or took longer than ``timeout``.
        """
        page = html.encode("utf-8")
        if not page.startswith(self._opening):
            raise ValueError("the page does not begin with the opening sent to Chromium")
        self._rest = page[len(self._opening):]
        self._ready.set()
        try:
            return self._wait_for_pdf()
        finally:
            self.close()

    def _wait_for_pdf(self) -> bytes:
        """The PDF, as soon as Chromium has written all of it.

        Chromium writes the file and then shuts down in an orderly way, which takes about a
        third of a second more; the file is complete once its trailer points back at its
        cross-reference table, so the browser is stopped then instead of waited for.
        """
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            written = complete_pdf(self._target)
            if written is not None:
                return written
            if self._browser.poll() is not None:
                written = complete_pdf(self._target)
                if self._browser.returncode == 0 and written is not None:
                    return written
                detail = " ".join(self._log.read_text(errors="replace").split())[-300:]
                raise PdfError(f"Chromium could not print the report (exit {self._browser.returncode}): "
                               f"{detail}")
            time.sleep(POLL)
        raise PdfError(f"Chromium took more than {self.timeout:.0f} s to print the report")

    def close(self) -> None:
        """Stop the browser if it is still running, the page server, and remove the files."""
        self._ready.set()  # a request still waiting for the page ends with what it has
        browser = getattr(self, "_browser", None)
        if browser is not None and browser.poll() is None:
            if hasattr(os, "killpg"):
                os.killpg(browser.pid, signal.SIGKILL)
            else:
                browser.kill()
            browser.wait()
        self._server.shutdown()
        self._server.server_close()
        self._folder.cleanup()

    @property
    def running(self) -> bool:
        """Whether the browser is still running."""
        return self._browser.poll() is None

    def wait_for_browser(self, timeout: float | None = None) -> bool:
        """Wait until Chromium has asked for the page (it is then reading the opening); False if
        it has not within ``timeout`` seconds."""
        return self._asked.wait(timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def complete_pdf(path: Path) -> bytes | None:
    """The bytes of the PDF at ``path`` if it is whole, else None (missing, or still being written).

    A PDF ends with ``startxref``, the byte offset of its cross-reference section, and ``%%EOF``
    (ISO 32000-1, 7.5.5); a file cut short either lacks that end or its offset points past the
    end or at something other than a cross-reference section (``xref`` or an ``obj``).
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    end = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*\Z", data[-1024:])
    if end is None:
        return None
    offset = int(end.group(1))
    return data if re.match(rb"xref|\d+\s+\d+\s+obj", data[offset:offset + 32]) else None


def _page_server(job: PrintJob) -> ThreadingHTTPServer:
    """A server on a free loopback port answering the job's one page, opening first."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != job._path:
                self.send_error(404)
                return
            job._asked.set()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(job._opening)
            self.wfile.flush()
            job._ready.wait()
            if job._rest is not None:
                self.wfile.write(job._rest)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the requests are the browser's own."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    server.daemon_threads = True
    return server


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
    with PrintJob(browser=browser, timeout=timeout) as job:
        return job.finish(html)
