"""The ONS API (``https://api.beta.ons.gov.uk/v1``): a dataset's version, its CSV, the V4 format.

A dataset of the ONS API has editions, and each edition numbered versions. The document of a
version, ``datasets/ID/editions/EDITION/versions/N``, gives its ``release_date`` and the link of
its CSV (``downloads.csv.href``); the document of an edition, ``datasets/ID/editions/EDITION``,
links its latest version (``links.latest_version.href``). :func:`resolve` follows those links to
the CSV, which is then downloaded as any other answer (retried, conditional, resumable) and
dated by the version's release date.

The CSV is in ONS's "V4" form: the first column holds the observations and is named ``v4_N``,
where N is the number of attribute columns that follow it (data markings, confidence bounds);
then each dimension as a pair of columns, its codes and its labels, time first and geography
second. :func:`read_v4` keeps the rows of the options a :class:`V4Selection` names (e.g. the
mean, not the thresholds), turns one dimension's labels into indicators, and imports them
through :func:`levelscope.data.importers.import_frame` (validated, all or nothing).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from levelscope.data.fetch.http import Policy, download
from levelscope.errors import FetchError

if TYPE_CHECKING:
    import httpx
    import pandas as pd

    from levelscope.data.fetch.datasets import Dataset
    from levelscope.data.importers import ImportReport
    from levelscope.data.store import Workspace

ONS_API = "https://api.beta.ons.gov.uk/v1"
V4_FIRST = re.compile(r"^v4_(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class V4Selection:
    """Which rows of a V4 CSV are which indicator.

    Parameters
    ----------
    indicator_dimension:
        The dimension (its label column, e.g. ``"MeasureOfWellbeing"``) whose options are the
        indicators.
    indicators:
        Option label → indicator id; the rows of other options are not imported (and counted
        in the import's notes).
    keep:
        Other dimensions held at one option (label column → option label), e.g.
        ``{"Estimate": "Average (mean)"}``.
    """

    indicator_dimension: str
    indicators: dict[str, str]
    keep: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Resolved:
    """Where a version's CSV is, and when the version was released."""

    version_url: str
    csv_url: str
    release_date: dt.date | None


def _get_json(client: httpx.Client, url: str, what: str, policy: Policy) -> dict:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        got = download(client, url, Path(scratch) / "document.json", what=what, policy=policy)
        assert got.path is not None
        try:
            found = json.loads(got.path.read_bytes())
        except ValueError:
            raise FetchError(f"{what}: the ONS API's answer at {url} is not JSON") from None
    if not isinstance(found, dict):
        raise FetchError(f"{what}: the ONS API's answer at {url} is not a JSON object")
    return found


def _link(document: dict, path: tuple[str, ...], what: str, url: str) -> str:
    node: object = document
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, str) or not node:
        raise FetchError(f"{what}: the ONS API's document at {url} has no {'.'.join(path)}; has "
                         "the interface changed?")
    return node


def resolve(client: httpx.Client, dataset: Dataset, base: str, selection: dict[str, str],
            policy: Policy) -> Resolved:
    """The CSV of the dataset's version (``selection``: ``edition``, default ``time-series``,
    and ``version``, default the edition's latest) and its release date."""
    edition = selection.get("edition", "time-series")
    root = f"{base.rstrip('/')}/{dataset.path}/editions/{edition}"
    if "version" in selection:
        version_url = f"{root}/versions/{selection['version']}"
    else:
        version_url = _link(_get_json(client, root, dataset.key, policy),
                            ("links", "latest_version", "href"), dataset.key, root)
    version = _get_json(client, version_url, dataset.key, policy)
    csv_url = _link(version, ("downloads", "csv", "href"), dataset.key, version_url)
    released = version.get("release_date")
    day = None
    if isinstance(released, str) and released:
        try:
            day = dt.date.fromisoformat(released[:10])
        except ValueError:
            raise FetchError(f"{dataset.key}: the version's release_date {released!r} is not a "
                             "date") from None
    return Resolved(version_url, csv_url, day)


def read_v4(ws: Workspace, path: Path, dataset: Dataset, vintage: dt.date | None,
            dry_run: bool) -> list[ImportReport]:
    """A V4 CSV of the ONS API, the rows of ``dataset.v4`` as indicators, validated and imported."""
    from levelscope.data.importers import import_frame

    assert dataset.v4 is not None
    frame, rows_read, notes = v4_frame(path, dataset.v4, dataset.key)
    return [import_frame(ws, frame, vintage=vintage, source=f"{dataset.title}, ONS API",
                         file=str(path), rows_read=rows_read, notes=notes, dry_run=dry_run)]


def v4_frame(path: Path, selection: V4Selection, what: str) -> tuple[pd.DataFrame, int, list[str]]:
    """The tidy observations of a V4 CSV (``geography_code, geography_name, indicator_id,
    period, value``), the rows read, and a note of the rows left out by the selection."""
    import pandas as pd

    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    columns = list(raw.columns)
    first = V4_FIRST.match(columns[0].strip()) if columns else None
    if first is None:
        raise FetchError(f"{what}: the structure of the ONS API's CSV changed: its first column "
                         f"is {columns[0] if columns else 'missing'!r}, not v4_N (the observations)")
    attributes = int(first.group(1))
    dimensions = columns[1 + attributes:]
    if len(dimensions) < 4 or len(dimensions) % 2:
        raise FetchError(f"{what}: the structure of the ONS API's CSV changed: after "
                         f"{columns[0]} and {attributes} attribute column(s) come "
                         f"{len(dimensions)} columns, not pairs of codes and labels with time "
                         "and geography first")
    labels = {_plain(c): c for c in dimensions[1::2]}
    wanted = [selection.indicator_dimension, *selection.keep]
    missing = [d for d in wanted if _plain(d) not in labels]
    if missing:
        raise FetchError(f"{what}: the structure of the ONS API's CSV changed: no dimension "
                         f"{', '.join(missing)} (its dimensions: {', '.join(dimensions[1::2])})")
    kept = raw[raw[labels[_plain(selection.indicator_dimension)]].isin(selection.indicators)]
    for dimension, option in selection.keep.items():
        kept = kept[kept[labels[_plain(dimension)]] == option]
    frame = pd.DataFrame({
        "geography_code": kept[dimensions[2]].str.strip(),
        "geography_name": kept[dimensions[3]].str.strip(),
        "indicator_id": kept[labels[_plain(selection.indicator_dimension)]].map(selection.indicators),
        "period": kept[dimensions[1]].str.strip(),
        "value": kept[columns[0]].str.strip(),
        "_row": kept.index.to_numpy() + 2,  # the line in the file (after the header)
    })
    if frame.empty:
        raise FetchError(f"{what}: the ONS API's CSV holds no rows of "
                         f"{', '.join(selection.indicators)}"
                         + (f" with {', '.join(f'{k} {v}' for k, v in selection.keep.items())}"
                            if selection.keep else ""))
    notes = []
    if len(kept) < len(raw):
        notes.append(f"{len(raw) - len(kept):,} of {len(raw):,} rows are other options than "
                     "those imported (" + "; ".join(
                         [f"{selection.indicator_dimension}: {', '.join(selection.indicators)}"]
                         + [f"{k}: {v}" for k, v in selection.keep.items()]) + ")")
    return frame, len(raw), notes


def _plain(name: str) -> str:
    """A column name as compared: lower case, without spaces, hyphens or underscores."""
    return re.sub(r"[\s_-]", "", name).lower()
