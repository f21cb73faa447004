"""Nomis API answers, in Nomis's formats, built from the real Nomis export in the shared data.

``population_csv`` turns ``uk_population/lad_pop.csv`` (the web export: title lines, one column
per year) into the CSV the API answers for ``dataset/NM_2002_1.data.csv?...&select=date,
geography_code,geography_name,obs_value,obs_status`` (one row per place and year, upper-case
headers, empty OBS_VALUE with status ``!`` for a missing figure). ``definition_json`` is a
``dataset/NM_2002_1.def.sdmx.json`` answer of the documented shape (structure / keyfamilies /
keyfamily / annotations) carrying a ``LastUpdated`` annotation. ``paged`` answers one page of a
CSV answer, as Nomis does for ``recordoffset`` and ``recordlimit``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from werkzeug import Request, Response

from levelscope.data.fetch.paging import NOMIS_PAGE_ROWS

HEADER = "DATE,GEOGRAPHY_CODE,GEOGRAPHY_NAME,OBS_VALUE,OBS_STATUS"


def export_values(export: Path) -> dict[tuple[str, str], str]:
    """The export's figures by (code, year), read with the csv module ('-' is missing)."""
    with export.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    at = next(i for i, r in enumerate(rows) if len(r) > 1 and r[1] == "mnemonic")
    years = rows[at][2:]
    out = {}
    body = rows[at + 1:]
    while body and not any(body[0]):  # a blank line under the header
        body = body[1:]
    for row in body:
        if len(row) < 3 or not row[1]:
            break
        for year, cell in zip(years, row[2:], strict=False):
            out[(row[1], year)] = cell
    return out


def export_names(export: Path) -> dict[str, str]:
    with export.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    at = next(i for i, r in enumerate(rows) if len(r) > 1 and r[1] == "mnemonic")
    return {r[1]: r[0] for r in rows[at + 1:] if len(r) > 2 and r[1]}


def population_csv(export: Path, years: tuple[str, ...] | None = None) -> bytes:
    """The API's CSV answer for the export's places and ``years`` (all years if None)."""
    values, names = export_values(export), export_names(export)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(HEADER + "\r\n")
    for (code, year), cell in sorted(values.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if years is not None and year not in years:
            continue
        missing = cell.strip() in ("", "-")
        writer.writerow([year, code, names[code], "" if missing else cell, "!" if missing else ""])
    return out.getvalue().encode("utf-8")


def definition_json(last_updated: str = "2024-06-05 09:30:00") -> bytes:
    return json.dumps({"structure": {
        "header": {"id": "none", "prepared": "2024-06-05T10:00:00Z",
                   "sender": {"contact": {"email": "support@nomisweb.co.uk", "name": "Nomis"}}},
        "keyfamilies": {"keyfamily": [{
            "id": "NM_2002_1", "agencyid": "NOMIS", "version": "1.0",
            "name": {"value": "population estimates - local authority based by single year of age"},
            "annotations": {"annotation": [
                {"annotationtitle": "Mnemonic", "annotationtext": "pestsyoala"},
                {"annotationtitle": "Contenttype/sources", "annotationtext": "pest"},
                {"annotationtitle": "LastUpdated", "annotationtext": last_updated},
            ]},
        }]},
    }}).encode("utf-8")


def paged(answer: bytes, request: Request, etag: str = '"v1"') -> Response:
    """What Nomis answers for ``recordoffset`` / ``recordlimit``: the header and those rows."""
    header, *rows = answer.decode().splitlines(keepends=True)
    offset = int(request.args.get("recordoffset", 0))
    limit = min(int(request.args.get("recordlimit", NOMIS_PAGE_ROWS)), NOMIS_PAGE_ROWS)
    if request.headers.get("If-None-Match") == etag:
        return Response(status=304, headers={"ETag": etag})
    body = header + "".join(rows[offset:offset + limit])
    return Response(body.encode(), content_type="text/csv", headers={"ETag": etag})
