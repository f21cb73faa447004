"""Fetch a dataset from its publisher into the mirror, and import it.

The order makes failure harmless. The answer (every page of it, where the publisher answers in
pages) is downloaded to the mirror's ``.partial/`` folder
(resumable, retried, conditional on the copy already held), read through levelscope's validated
importers (all or nothing), and only once the import has succeeded is the file moved into the
mirror and recorded in its manifest. A download or a read that fails leaves the workspace and the
manifest as they were, and says which dataset failed and why. ``offline=True`` reads the
mirrored copy alone (checked against its SHA-256), so the same workspace is rebuilt without a
network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from levelscope.data.fetch.datasets import (
    BASE_URLS,
    READERS,
    Dataset,
    find_dataset,
    http_date,
    nomis_release_date,
)
from levelscope.data.fetch.http import Download, Policy, Validators, download
from levelscope.data.fetch.mirror import Mirror, MirrorEntry, now_utc, sha256_of
from levelscope.data.fetch.ons_api import resolve as resolve_ons
from levelscope.data.fetch.paging import NOMIS_PAGE_ROWS, download_pages
from levelscope.errors import FetchError, LevelscopeError, ValidationError

if TYPE_CHECKING:
    import httpx

    from levelscope.data.importers import ImportReport
    from levelscope.data.store import Workspace

USER_AGENT = "levelscope (regional inequality analysis; https://pypi.org/project/levelscope/)"


@dataclass(frozen=True)
class FetchReport:
    """What a fetch did: where the data came from, what the mirror holds, what was imported.

    ``status`` is ``"downloaded"``, ``"unchanged"`` (the publisher answered 304: the mirrored
    copy was imported) or ``"offline"`` (the mirrored copy, without asking the publisher).
    """

    dataset: str
    url: str
    status: str
    entry: MirrorEntry | None
    imports: tuple[ImportReport, ...] = field(default_factory=tuple)
    dry_run: bool = False

    @property
    def values_written(self) -> int:
        return sum(r.values_written for r in self.imports)

    def __str__(self) -> str:
        entry = self.entry
        said = {"downloaded": "downloaded", "unchanged": "unchanged since the last fetch (not "
                "downloaded again)", "offline": "read from the mirror (offline)"}[self.status]
        lines = [f"{self.dataset}: {said}", f"  from {self.url}"]
        if entry is not None:
            pages = f" in {entry.pages} pages" if entry.pages > 1 else ""
            lines.append(f"  mirror file {entry.file} ({entry.size:,} bytes{pages}, SHA-256 "
                         f"{entry.sha256[:12]}…), released {entry.release_date or 'undated'}, "
                         f"{entry.licence}")
        lines += [str(r) for r in self.imports]
        if self.dry_run:
            lines.append("dry run: the data is valid; nothing written")
        return "\n".join(lines)


def fetch(
    ws: Workspace,
    source: str,
    dataset: str,
    *,
    selection: dict[str, str] | None = None,
    mirror: str | Path | None = None,
    offline: bool = False,
    base_url: str | None = None,
    policy: Policy | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    client: httpx.Client | None = None,
    page_rows: int = NOMIS_PAGE_ROWS,
) -> FetchReport:
    """Fetch a publisher's dataset into the mirror and import it into ``ws``.

    Parameters
    ----------
    ws:
        The workspace to import into.
    source, dataset:
        The publisher and dataset, as ``levelscope sources`` lists them (``"nomis"``,
        ``"population"``).
    selection:
        Query parameters over the dataset's defaults (Nomis: ``geography``, ``date`` such as
        ``"2015-2022"`` or ``"latest"``, and the dataset's own dimensions).
    mirror:
        The mirror folder (default ``$LEVELSCOPE_MIRROR``, else ``mirror`` in levelscope's data
        folder).
    offline:
        Read the mirrored copy only; never touch the network. Without a ``selection`` the
        dataset's latest mirrored selection is read (the default selection if it was fetched,
        else the last one fetched).
    base_url:
        The publisher's interface at another address (a local copy, a proxy).
    policy:
        Timeouts, attempts and backoff of the download (default :class:`Policy`: 30 s, four
        attempts, backoff from 1 s).
    dry_run:
        Download and validate, but write nothing to the workspace or the mirror.
    progress:
        Called with (bytes so far, total or None) during the download.
    client:
        An ``httpx.Client`` to use (a new one, closed afterwards, if omitted).
    page_rows:
        Rows asked for in each call to an interface that answers in pages (Nomis: at most
        25,000 rows a call without an account); every page is fetched and the pages assembled
        (:mod:`~levelscope.data.fetch.paging`).

    Returns
    -------
    FetchReport

    Raises
    ------
    FetchError
        The download failed (no network, 404, still busy after retries, no answer in time, cut
        short) or the answer's structure changed; the message names the dataset and the cause.
    ValidationError
        The data failed levelscope's checks (every problem listed); nothing was written.

    Examples
    --------
    >>> report = ws.fetch("nomis", "population", selection={"date": "2015-2022"})  # doctest: +SKIP
    >>> report.entry.release_date  # doctest: +SKIP
    '2024-07-15'
    """
    spec = find_dataset(source, dataset)
    policy = policy or Policy()
    store = Mirror(mirror)
    base = base_url or spec.base or BASE_URLS[spec.source]
    url = spec.url(base, selection)
    held = store.entry(url)
    if offline:
        # the same selection, wherever it was fetched from (the publisher or a copy of it)
        held = held or store.entry_like(spec.url("", selection))
        if held is None and not selection:  # no selection named: the one fetched last
            held = store.latest(spec.source, spec.name)
        if held is None:
            holds = [e.url for e in store.entries() if (e.source, e.dataset) == (spec.source,
                                                                                  spec.name)]
            raise FetchError(f"{spec.key}: the mirror {store.root} does not hold this selection "
                             f"({url}); fetch it once with a network, or point --mirror at a "
                             "mirror that holds it" + (f" (it holds {'; '.join(holds)})"
                                                       if holds else ""))
        return _finish(ws, spec, held.url, "offline", store.verified(held), held, store, dry_run,
                       keep=None)

    own_client = client is None
    http = client or _client()
    try:
        data_url, linked = url, None
        if spec.reader == "ons-api":  # the version's document links the CSV and dates it
            linked = resolve_ons(http, spec, base, selection or {}, policy)
            data_url = linked.csv_url
        known = Validators(held.etag, held.last_modified) if held is not None else None
        if known is not None and not (store.root / held.file).is_file():  # type: ignore[union-attr]
            known = None
        if held is not None and linked is not None and held.download_url != data_url:
            known = None  # a new version: another file
        part = store.part_for(store.file_for(spec.source, spec.name, url, spec.suffix))
        if spec.paged:
            got = download_pages(http, data_url, part, what=spec.key, rows=page_rows, known=known,
                                 policy=policy, progress=progress)
        else:
            got = download(http, data_url, part, what=spec.key, known=known, policy=policy,
                           progress=progress)
        if got.unchanged:
            assert held is not None
            return _finish(ws, spec, url, "unchanged", store.verified(held), held, store,
                           dry_run, keep=None)
        release = linked.release_date if linked else _release_date(http, spec, base, got, policy)
    finally:
        if own_client:
            http.close()
    assert got.path is not None
    entry = MirrorEntry(
        source=spec.source, dataset=spec.name, file=store.file_for(spec.source, spec.name, url,
                                                                   spec.suffix),
        url=url, retrieved_at=now_utc(), size=got.path.stat().st_size,
        sha256=sha256_of(got.path), release_date=release.isoformat() if release else None,
        licence=spec.licence, etag=got.validators.etag,
        last_modified=got.validators.last_modified, pages=got.pages,
        download_url=data_url if linked else None,
    )
    return _finish(ws, spec, url, "downloaded", got.path, entry, store, dry_run, keep=got.path)


def import_mirrored(ws: Workspace, file: str | Path, dry_run: bool = False) -> FetchReport | None:
    """Import a file ``levelscope fetch`` mirrored, as ``fetch --offline`` would: through its
    dataset's reader, dated by the release date its manifest entry records.

    Returns None if no ``manifest.json`` in the file's folder or above it lists the file (it
    is then an ordinary file for :meth:`~levelscope.Workspace.import_file`).
    """
    path = Path(file).resolve()
    for folder in path.parents:
        store = Mirror(folder)
        if store.manifest_path.is_file():
            relative = path.relative_to(folder).as_posix()
            entry = next((e for e in store.entries() if e.file == relative), None)
            if entry is None:
                return None
            spec = find_dataset(entry.source, entry.dataset)
            return _finish(ws, spec, entry.url, "offline", store.verified(entry), entry, store,
                           dry_run, keep=None)
    return None


def _finish(ws: Workspace, spec: Dataset, url: str, status: str, path: Path, entry: MirrorEntry,
            store: Mirror, dry_run: bool, keep: Path | None) -> FetchReport:
    """Import the answer; only then move a fresh download into the mirror."""
    vintage = dt.date.fromisoformat(entry.release_date) if entry.release_date else None
    if not dry_run:
        _add_catalogued(ws, spec)
    try:
        reports = READERS[spec.reader](ws, path, spec, vintage, dry_run)
    except ValidationError as exc:
        _drop(keep)
        raise FetchError(f"{spec.key}: the publisher's data failed levelscope's checks: "
                         f"{exc}") from None
    except LevelscopeError:
        _drop(keep)
        raise
    except Exception as exc:  # a parser meeting a format it does not know
        _drop(keep)
        raise FetchError(f"{spec.key}: the answer could not be read ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}); has the publisher "
                         "changed its format?") from exc
    if entry.release_date is None and reports:
        entry = _dated(entry, max(r.vintage for r in reports))
    if keep is not None:
        if dry_run:
            _drop(keep)
        else:
            store.keep(keep, entry)
    return FetchReport(spec.key, url, status, entry, tuple(reports), dry_run)


def _add_catalogued(ws: Workspace, spec: Dataset) -> None:
    """Register the dataset's indicators from the catalogue where the workspace lacks them, so
    that a fetch works in a new workspace (definitions the workspace holds are left alone)."""
    from levelscope.data.catalogue import catalogue, international_catalogue

    held = set(ws.indicators()["id"])
    known = {**catalogue(), **international_catalogue()}
    ws.add_indicators([known[i] for i in spec.indicators if i in known and i not in held])


def _release_date(http: httpx.Client, spec: Dataset, base: str, got: Download,
                  policy: Policy) -> dt.date | None:
    """The publisher's release date: its own statement where it makes one, else the answer's
    Last-Modified, else None (the reader then dates the release from the file)."""
    where = spec.release_url(base)
    if where is not None:
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            meta = download(http, where, Path(scratch) / "definition.json",
                            what=f"{spec.key} (release date)", policy=policy)
            assert meta.path is not None
            return nomis_release_date(meta.path.read_bytes(), spec.key)
    if spec.reader in ("nomis", "oecd-sdmx"):
        return http_date(got.validators.last_modified)
    return None  # ONS workbooks print their own date, Eurostat's answers their LAST UPDATE


def _dated(entry: MirrorEntry, day: dt.date) -> MirrorEntry:
    from dataclasses import replace

    return replace(entry, release_date=day.isoformat())


def _drop(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


def _client() -> httpx.Client:
    import httpx

    return httpx.Client(headers={"User-Agent": USER_AGENT}, follow_redirects=True)
