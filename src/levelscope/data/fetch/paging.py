"""Answers that come in pages: Nomis's CSV API, page by page, assembled into one file.

Nomis answers at most 25,000 rows a call to a user without an account (:data:`NOMIS_PAGE_ROWS`);
a larger selection is asked for page by page with ``recordoffset`` (the first row wanted,
counting from 0) and ``recordlimit`` (the rows wanted) on the dataset's ``data.csv`` endpoint.
Every page answers with the header row, so a page with fewer rows than asked for is the last
(a selection of an exact number of pages ends with a page of the header alone); a first page
with more rows than asked for is a server that does not page, and is the whole answer.

Each page is one :func:`~levelscope.data.fetch.http.download` (retried, resumable, with its own
timeout) into ``PART.pageNNNNN`` beside the assembled file; a complete page keeps the validators
the publisher gave it (``.done.json``). When a later page fails, the pages already complete stay
there: the next run asks for each of them again *conditionally* and keeps it when the publisher
answers 304, so done pages are not downloaded twice. Only when every page is complete are they
assembled (the first page whole, the header of the others dropped after checking it is the same)
and removed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from levelscope.data.fetch.http import Download, Policy, Validators, download
from levelscope.errors import FetchError

if TYPE_CHECKING:
    import httpx

#: The most rows Nomis answers in one call to a user without an account.
NOMIS_PAGE_ROWS = 25_000


def page_url(url: str, offset: int, rows: int) -> str:
    """``url`` asking for ``rows`` rows from row ``offset`` (counting from 0)."""
    return f"{url}{'&' if '?' in url else '?'}recordoffset={offset}&recordlimit={rows}"


def download_pages(
    client: httpx.Client,
    url: str,
    part: Path,
    *,
    what: str,
    rows: int = NOMIS_PAGE_ROWS,
    known: Validators | None = None,
    policy: Policy | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> Download:
    """Fetch every page of a CSV answer of ``url`` and assemble them in ``part``.

    Parameters
    ----------
    client, url, what, policy:
        As for :func:`~levelscope.data.fetch.http.download`.
    part:
        The assembled file; the pages wait beside it until every one is complete.
    rows:
        Rows asked for in each call: no more than the publisher answers in one (Nomis:
        :data:`NOMIS_PAGE_ROWS`), since a shorter page is taken to be the last.
    known:
        Validators of the copy already mirrored: if the first page is unchanged (304), the
        whole answer is taken to be (a Nomis dataset changes as a whole, at a release), and
        ``unchanged=True`` is returned without downloading anything.
    progress:
        Called with (bytes so far over all pages, None).

    Returns
    -------
    Download
        ``path`` is the assembled file, ``validators`` the first page's, ``pages`` how many
        pages it took (including a final page of the header alone).

    Raises
    ------
    FetchError
        As :func:`~levelscope.data.fetch.http.download` does, naming the rows of the page that
        failed; or if a page's header differs from the first page's.
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    policy = policy or Policy()
    pages: list[Path] = []
    before = 0  # bytes of the pages already complete, for the progress
    attempts = 0
    first: Validators | None = None
    while True:
        offset = len(pages) * rows
        page = part.with_name(f"{part.name}.page{len(pages):05d}")
        def on_page(done: int, total: int | None, before: int = before) -> None:
            if progress is not None:
                progress(before + done, None)
        try:
            got = _page(client, page_url(url, offset, rows), page,
                        what=f"{what}, page {len(pages) + 1} (rows from {offset:,})" if pages else what,
                        known=known if not pages else None,
                        policy=policy, progress=on_page)
        except FetchError as exc:
            if not pages:
                raise
            raise FetchError(f"{exc}; the {len(pages)} page(s) before it are complete and kept: "
                             "run the command again to continue from there") from None
        if got.unchanged and not pages and known is not None and got.validators == known:
            return Download(url, unchanged=True, validators=known, attempts=got.attempts)
        attempts += got.attempts
        first = first or got.validators
        pages.append(page)
        size = page.stat().st_size
        before += size
        if progress is not None:
            progress(before, None)
        # a short page is the last; a longer one means the server does not page (a copy of
        # the interface, or an account with a larger limit) and answered everything at once
        if _data_rows(page) != rows:
            break
    size = _assemble(pages, part, what)
    return Download(url, unchanged=False, path=part, validators=first or Validators(), size=size,
                    attempts=attempts, pages=len(pages))


def _page(client: httpx.Client, url: str, page: Path, *, what: str, known: Validators | None,
          policy: Policy, progress: Callable[[int, int | None], None]) -> Download:
    """One page: a page already complete from an earlier run is asked for conditionally on its
    own validators and kept if unchanged; otherwise the page is downloaded (resuming a part)."""
    done = _done_validators(page)
    if done is not None and page.is_file():
        fresh = page.with_name(page.name + ".fresh")
        got = download(client, url, fresh, what=what, known=known or done, policy=policy,
                       progress=progress)
        if got.unchanged:
            return got
        assert got.path is not None
        os.replace(got.path, page)
    else:
        got = download(client, url, page, what=what, known=known, policy=policy,
                       progress=progress)
        if got.unchanged:
            return got
    _done_sidecar(page).write_text(json.dumps({"etag": got.validators.etag,
                                               "last_modified": got.validators.last_modified}))
    return got


def _data_rows(page: Path) -> int:
    """Rows of a CSV page after its header (Nomis's fields hold no line breaks)."""
    data = page.read_bytes()
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return max(lines - 1, 0)


def _assemble(pages: list[Path], part: Path, what: str) -> int:
    """The pages in one file, the header once; each page checked to have the same header."""
    header: bytes | None = None
    size = 0
    with part.open("wb") as out:
        for number, page in enumerate(pages):
            data = page.read_bytes()
            end = data.find(b"\n") + 1 or len(data)
            if header is None:
                header = data[:end]
                body = data
            elif data[:end].rstrip() != header.rstrip() and data[:end].strip():
                _discard_pages(pages)
                theirs, ours = (h.decode(errors="replace").strip() for h in (data[:end], header))
                raise FetchError(
                    f"{what}: the header of page {number + 1} ({theirs}) differs from the first "
                    f"page's ({ours}): the publisher's answer changed while it was being "
                    "fetched; fetch it again")
            else:
                body = data[end:]
            out.write(body)
            size += len(body)
    _discard_pages(pages)
    return size


def _done_sidecar(page: Path) -> Path:
    return page.with_name(page.name + ".done.json")


def _done_validators(page: Path) -> Validators | None:
    try:
        saved = json.loads(_done_sidecar(page).read_text())
    except (OSError, ValueError):
        return None
    found = Validators(saved.get("etag"), saved.get("last_modified"))
    return found if found.etag or found.last_modified else None


def _discard_pages(pages: list[Path]) -> None:
    for page in pages:
        page.unlink(missing_ok=True)
        _done_sidecar(page).unlink(missing_ok=True)
