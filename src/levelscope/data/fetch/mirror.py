"""The mirror folder: publishers' responses kept as they came, with a manifest saying what each is.

Every fetched response is written, byte for byte, to ``SOURCE/DATASET-KEY.EXT`` inside the mirror
(``KEY`` tells apart the selections of one dataset), and ``manifest.json`` records for each file
the URL it came from, when it was retrieved, its size and SHA-256, the publisher's release date,
the licence, the validators (ETag, Last-Modified) that make the next request conditional and the
number of pages the answer came in (Nomis answers a large selection page by page; the file holds
the pages' rows under one header). Where the URL asked is a document that links the data (the
ONS API's version), ``download_url`` is where the data itself came from.
``levelscope fetch --offline`` imports from these files alone, checking each against its
SHA-256, so a workspace can be rebuilt without a network. Partial downloads wait in ``.partial/``
until they are complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from levelscope.errors import FetchError

MANIFEST = "manifest.json"
ENV_MIRROR = "LEVELSCOPE_MIRROR"


@dataclass(frozen=True)
class MirrorEntry:
    """One mirrored response: where it came from, what it is, and under which terms."""

    source: str
    dataset: str
    file: str
    url: str
    retrieved_at: str
    size: int
    sha256: str
    release_date: str | None
    licence: str
    etag: str | None = None
    last_modified: str | None = None
    pages: int = 1
    download_url: str | None = None


def default_mirror() -> Path:
    """``$LEVELSCOPE_MIRROR``, else ``mirror`` in levelscope's data folder."""
    configured = os.environ.get(ENV_MIRROR)
    if configured:
        return Path(configured).expanduser()
    data_home = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return data_home / "levelscope" / "mirror"


class Mirror:
    """A mirror folder and its manifest."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_mirror()

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def entries(self) -> list[MirrorEntry]:
        """Every entry of the manifest (none if the mirror has no manifest yet)."""
        if not self.manifest_path.exists():
            return []
        try:
            rows = json.loads(self.manifest_path.read_text(encoding="utf-8"))["entries"]
            return [MirrorEntry(**row) for row in rows]
        except (ValueError, KeyError, TypeError) as exc:
            raise FetchError(f"the mirror's manifest {self.manifest_path} is unreadable: {exc}") from None

    def entry(self, url: str) -> MirrorEntry | None:
        """The entry of the response fetched from ``url``, if the mirror holds it."""
        return next((e for e in self.entries() if e.url == url), None)

    def entry_like(self, tail: str) -> MirrorEntry | None:
        """The latest entry whose URL ends with ``tail`` (a dataset's path and query)."""
        found = [e for e in self.entries() if e.url.endswith(tail)]
        return max(found, key=lambda e: e.retrieved_at) if found else None

    def latest(self, source: str, dataset: str) -> MirrorEntry | None:
        """The latest entry of a dataset, whatever its selection (None if never fetched)."""
        found = [e for e in self.entries() if (e.source, e.dataset) == (source, dataset)]
        return max(found, key=lambda e: e.retrieved_at) if found else None

    def file_for(self, source: str, dataset: str, url: str, suffix: str) -> str:
        """The mirror's file name (relative to its root) for a response from ``url``."""
        key = hashlib.sha256(url.encode()).hexdigest()[:10]
        return f"{source}/{dataset}-{key}{suffix}"

    def part_for(self, file: str) -> Path:
        """Where the download of ``file`` waits until it is complete."""
        return self.root / ".partial" / file.replace("/", "_")

    def verified(self, entry: MirrorEntry) -> Path:
        """The mirrored file of ``entry``, checked against its recorded size and SHA-256."""
        path = self.root / entry.file
        if not path.is_file():
            raise FetchError(f"{entry.source} {entry.dataset}: the mirror's manifest lists "
                             f"{entry.file}, but the file is not in {self.root}")
        if sha256_of(path) != entry.sha256:
            raise FetchError(f"{entry.source} {entry.dataset}: {entry.file} in the mirror does not "
                             "match the SHA-256 the manifest recorded (changed or damaged); "
                             "fetch it again")
        return path

    def keep(self, downloaded: Path, entry: MirrorEntry) -> None:
        """Move a complete download into the mirror and record it in the manifest (atomically:
        a reader sees the old manifest or the new one, never half of one)."""
        target = self.root / entry.file
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(downloaded, target)
        others = [e for e in self.entries() if e.url != entry.url]
        self._write([*others, entry])

    def _write(self, entries: list[MirrorEntry]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": 1, "entries": [asdict(e) for e in entries]}, indent=2)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".manifest-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        os.replace(temporary, self.manifest_path)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def now_utc() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
