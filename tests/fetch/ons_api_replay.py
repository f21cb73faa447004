"""ONS API answers in the API's documented shapes, with figures from the real explorer workbook.

``v4_csv`` writes the four personal well-being sheets of ``uk_subnational_indicators/
subnatindicators.xlsx`` (read with openpyxl) as the CSV the API links from a version of
``wellbeing-local-authority``: the ``v4_2`` form (the observation, then two attribute columns,
the confidence bounds), then each dimension as a code column and a label column, time first and
geography second (ONS's V4 format). Each place also gets a row of another estimate (a
threshold share), which a fetch of the mean must leave out. ``edition_json`` and
``version_json`` are the edition's and the version's documents: ``links.latest_version.href``,
``release_date`` and ``downloads.csv.href``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl

SHEETS = {"Life satisfaction": "life-satisfaction", "Worthwhile": "worthwhile",
          "Happiness": "happiness", "Anxiety": "anxiety"}
HEADER = ["v4_2", "Lower limit", "Upper limit", "yyyy-yy", "Time", "administrative-geography",
          "Geography", "measure-of-wellbeing", "MeasureOfWellbeing", "wellbeing-estimate",
          "Estimate"]
PERIOD = "2022-23"  # the sheets' "04/2022 - 03/2023"


def wellbeing(workbook: Path) -> dict[tuple[str, str], tuple[float, str]]:
    """(sheet, code) → (mean, name) from the workbook's well-being sheets."""
    book = openpyxl.load_workbook(workbook, read_only=True)
    out = {}
    for sheet in SHEETS:
        rows = list(book[sheet].iter_rows(values_only=True))
        header = next(i for i, r in enumerate(rows) if r and r[0] == "Area Code")
        for row in rows[header + 1:]:
            if not row or not row[0] or not isinstance(row[6], int | float):
                continue
            name = next(str(n) for n in reversed(row[1:6]) if n)
            out[(sheet, str(row[0]))] = (float(row[6]), name)
    return out


def v4_csv(figures: dict[tuple[str, str], tuple[float, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for (sheet, code), (mean, name) in sorted(figures.items()):
        measure = [SHEETS[sheet], sheet]
        writer.writerow([mean, round(mean - 0.1, 2), round(mean + 0.1, 2), PERIOD, PERIOD, code,
                         name, *measure, "average-mean", "Average (mean)"])
        writer.writerow([12.5, "", "", PERIOD, PERIOD, code, name, *measure, "very-good",
                         "Very good"])
    return out.getvalue().encode("utf-8")


def edition_json(base: str, version: int) -> bytes:
    root = f"{base}/datasets/wellbeing-local-authority/editions/time-series"
    return json.dumps({
        "edition": "time-series", "state": "published",
        "links": {"dataset": {"href": f"{base}/datasets/wellbeing-local-authority",
                              "id": "wellbeing-local-authority"},
                  "latest_version": {"href": f"{root}/versions/{version}", "id": str(version)},
                  "self": {"href": root}, "versions": {"href": f"{root}/versions"}},
    }).encode()


def version_json(base: str, csv_url: str, version: int, released: str) -> bytes:
    root = f"{base}/datasets/wellbeing-local-authority/editions/time-series"
    return json.dumps({
        "id": "c5d4e6a0-0000-4000-8000-000000000000", "dataset_id": "wellbeing-local-authority",
        "edition": "time-series", "version": version, "state": "published",
        "release_date": released,
        "downloads": {"csv": {"href": csv_url, "size": "0"},
                      "xls": {"href": csv_url.replace(".csv", ".xlsx"), "size": "0"}},
        "dimensions": [{"id": "yyyy-yy", "name": "time", "label": "Time"},
                       {"id": "administrative-geography", "name": "geography", "label": "Geography"},
                       {"id": "measure-of-wellbeing", "name": "measureofwellbeing",
                        "label": "MeasureOfWellbeing"},
                       {"id": "wellbeing-estimate", "name": "estimate", "label": "Estimate"}],
        "links": {"self": {"href": f"{root}/versions/{version}"}},
    }).encode()
