"""Downloads that survive a busy or flaky publisher, and never fetch unchanged data twice.

:func:`download` asks for a URL with a time limit on connecting and on each wait for data,
retries with exponential backoff when the publisher answers 429 (too many requests) or a 5xx
error (waiting as long as its ``Retry-After`` says, up to a cap), sends the validators of the
copy already mirrored (``If-None-Match`` / ``If-Modified-Since``) so that unchanged data comes
back as 304 and is not downloaded again, and resumes a download that was cut short with a
``Range`` request (``If-Range`` makes sure the file did not change meanwhile). The body goes to
a ``.part`` file beside its destination; only a complete body is returned.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from levelscope.errors import FetchError

if TYPE_CHECKING:
    import httpx

#: Statuses worth asking again for: the publisher is busy or briefly broken.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK = 1 << 16


@dataclass(frozen=True)
class Policy:
    """How patient a download is.

    Parameters
    ----------
    timeout:
        Seconds to wait for a connection, and for each piece of the answer.
    attempts:
        Requests made at most for one download (the first and the retries).
    backoff:
        Seconds before the first retry; each later retry waits twice as long as the one before
        (unless the publisher's ``Retry-After`` says otherwise).
    max_wait:
        The longest wait levelscope accepts between attempts; a publisher asking for longer
        ends the download with a message saying when to try again.
    """

    timeout: float = 30.0
    attempts: int = 4
    backoff: float = 1.0
    max_wait: float = 60.0


@dataclass(frozen=True)
class Validators:
    """What the publisher said identifies a version of the file (for conditional requests)."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Download:
    """The outcome of :func:`download`: a complete body at ``path``, or ``unchanged`` (304)."""

    url: str
    unchanged: bool
    path: Path | None = None
    validators: Validators = Validators()
    size: int = 0
    attempts: int = 1
    resumed_from: int = 0
    pages: int = 1


def download(
    client: httpx.Client,
    url: str,
    part: Path,
    *,
    what: str,
    known: Validators | None = None,
    policy: Policy | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> Download:
    """Fetch ``url`` into ``part`` (resuming it if it holds the start of the same file).

    Parameters
    ----------
    client:
        The HTTP client (an ``httpx.Client``).
    url:
        What to fetch.
    part:
        File the body is written to; a ``.json`` file beside it keeps its validators, so that
        a later call resumes only the same version of the file.
    what:
        The dataset, for messages (``"nomis population"``).
    known:
        Validators of the copy already mirrored: the request is conditional, and an unchanged
        file answers ``unchanged=True`` without a body.
    policy:
        Timeouts, attempts and backoff.
    progress:
        Called with (bytes so far, total bytes or None) as the body arrives.

    Returns
    -------
    Download

    Raises
    ------
    FetchError
        Naming the dataset and the cause: not found (404), refused, still busy after the last
        attempt, no answer in time, no network, or a body cut short.
    """
    import httpx

    policy = policy or Policy()
    part.parent.mkdir(parents=True, exist_ok=True)
    last_cause = ""
    for attempt in range(1, policy.attempts + 1):
        headers, resumed_from = _request_headers(part, known)
        try:
            with client.stream("GET", url, headers=headers,
                               timeout=httpx.Timeout(policy.timeout)) as answer:
                status = answer.status_code
                if status == 304 and known is not None:
                    return Download(url, unchanged=True, validators=known, attempts=attempt)
                if status == 416:  # the part on disk is not a prefix of the file any more
                    _discard(part)
                    last_cause = "the partial download no longer matches the file"
                    continue
                if status in RETRY_STATUSES:
                    wait = _wait(answer.headers.get("Retry-After"), policy, attempt)
                    last_cause = f"the publisher answered {status} {answer.reason_phrase}"
                    if wait > policy.max_wait:
                        raise FetchError(f"{what}: {last_cause} and asks to wait {wait:.0f} s "
                                         f"before trying again ({url}); try again later")
                    if attempt < policy.attempts:
                        time.sleep(wait)
                    continue
                if status >= 400:
                    raise FetchError(f"{what}: {_refusal(status, answer.reason_phrase)} ({url})")
                if status != 206:
                    resumed_from = 0
                got = _validators(answer.headers)
                total = _total(answer.headers, resumed_from)
                _remember(part, got)  # until the body is complete, so that a retry resumes it
                size = _write_body(answer, part, append=status == 206, start=resumed_from,
                                   total=total, progress=progress)
                if total is not None and size != total:
                    last_cause = f"the answer was cut short at {size:,} of {total:,} bytes"
                    continue
                _discard_validators(part)
                return Download(url, unchanged=False, path=part, validators=got, size=size,
                                attempts=attempt, resumed_from=resumed_from)
        except httpx.TimeoutException:
            last_cause = f"no answer within {policy.timeout:g} s"
        except httpx.ConnectError as exc:
            raise FetchError(
                f"{what}: cannot reach {httpx.URL(url).host} ({_reason(exc)}): no network? "
                "Work offline with --offline and a mirror that holds the dataset (--mirror)."
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            last_cause = f"the answer was cut short ({_reason(exc)})"
        if attempt < policy.attempts:
            time.sleep(policy.backoff * 2 ** (attempt - 1))
    resumable = part.exists() and part.stat().st_size > 0
    raise FetchError(
        f"{what}: {last_cause}, after {policy.attempts} attempts ({url})"
        + ("; run the command again to resume the download" if resumable else "")
    )


def _request_headers(part: Path, known: Validators | None) -> tuple[dict[str, str], int]:
    """Range headers to resume a partial download of the same version, else conditional ones."""
    saved = _saved_validators(part)
    if part.exists() and part.stat().st_size > 0 and saved is not None:
        tag = saved.etag or saved.last_modified
        if tag:
            size = part.stat().st_size
            return {"Range": f"bytes={size}-", "If-Range": tag}, size
    _discard(part)
    headers = {}
    if known is not None and known.etag:
        headers["If-None-Match"] = known.etag
    if known is not None and known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers, 0


def _write_body(answer: httpx.Response, part: Path, *, append: bool, start: int,
                total: int | None, progress: Callable[[int, int | None], None] | None) -> int:
    part.parent.mkdir(parents=True, exist_ok=True)
    size = start if append else 0
    with part.open("ab" if append else "wb") as out:
        for chunk in answer.iter_bytes(CHUNK):
            out.write(chunk)
            size += len(chunk)
            if progress is not None:
                progress(size, total)
    return size


def _total(headers: httpx.Headers, resumed_from: int) -> int | None:
    length = headers.get("Content-Length")
    if length is None or headers.get("Content-Encoding"):
        return None
    return int(length) + (resumed_from if headers.get("Content-Range") else 0)


def _wait(retry_after: str | None, policy: Policy, attempt: int) -> float:
    """Seconds to wait before the next attempt: the publisher's ``Retry-After`` (seconds or an
    HTTP date), else exponential backoff."""
    if retry_after:
        if retry_after.strip().isdigit():
            return float(retry_after)
        when = email.utils.parsedate_to_datetime(retry_after)
        if when is not None:
            return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
    return policy.backoff * 2 ** (attempt - 1)


def _refusal(status: int, reason: str) -> str:
    if status == 404:
        return "404 Not Found: the publisher has no such dataset or selection"
    if status in (401, 403):
        return f"{status} {reason}: the publisher refused access"
    return f"the publisher answered {status} {reason}"


def _validators(headers: httpx.Headers) -> Validators:
    return Validators(headers.get("ETag"), headers.get("Last-Modified"))


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _sidecar(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _remember(part: Path, validators: Validators) -> None:
    _sidecar(part).write_text(json.dumps({"etag": validators.etag,
                                          "last_modified": validators.last_modified}))


def _saved_validators(part: Path) -> Validators | None:
    try:
        saved = json.loads(_sidecar(part).read_text())
    except (OSError, ValueError):
        return None
    return Validators(saved.get("etag"), saved.get("last_modified"))


def _discard_validators(part: Path) -> None:
    _sidecar(part).unlink(missing_ok=True)


def _discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    _discard_validators(part)
