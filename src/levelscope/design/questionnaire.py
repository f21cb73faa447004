"""The questionnaire: a blank YAML template, and strict reading of filled-in submissions.

A submission is a mapping (from a YAML file, or a web form turned into a dict) with the header
fields ``strategy``, ``place_code``, ``assessor``, ``date``, optionally ``framework_version`` and
``context``, and ``answers`` keyed by criterion id::

    answers:
      political_will.cross_party_support:
        score: 3                  # whole number 0–4
        evidence: "Joint board minutes 2023-2025"
        source: self-reported     # or: evidenced

:func:`parse_submission` checks everything and reports *every* problem at once, each naming the
criterion (or field), the offending value and, for files, the line — so a user can fix a
submission in one pass and nothing half-valid is ever stored.

Examples
--------
>>> from levelscope.design import load_framework
>>> text = blank_template(load_framework())
>>> text.splitlines()[0]
'# Success factors for reducing regional inequality (framework 1.0.0): self-assessment'
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from levelscope.design.assessment import Answer, Assessment
from levelscope.design.context import PlaceContext
from levelscope.design.framework import MAX_LEVEL, Framework
from levelscope.errors import Problem, UndefinedMeasureError, ValidationError

HEADER_FIELDS = ("strategy", "place_code", "assessor")
SOURCES = ("self-reported", "evidenced")
CONTEXT_FIELDS = ("population", "income_index", "manufacturing_share", "governance")
GOVERNANCE_TYPES = ("single_authority", "combined_authority")


def blank_template(framework: Framework, *, strategy: str = "", place_code: str = "") -> str:
    """A YAML questionnaire with every criterion, its question and rubric shown as comments.

    Parameters
    ----------
    framework
        The framework whose criteria the questionnaire asks about.
    strategy, place_code
        Filled in at the top, if given.

    Returns
    -------
    str
        The YAML text.

    Examples
    --------
    >>> from levelscope.design import load_framework
    >>> text = blank_template(load_framework(), place_code="E08000025")
    >>> [line for line in text.splitlines() if line.startswith("place_code")]
    ['place_code: "E08000025"']
    """
    q = json.dumps  # a JSON string is a valid YAML scalar, whatever characters it holds
    lines = [
        f"# {framework.title} (framework {framework.version}): self-assessment",
        "# Give each criterion a whole-number score from 0 to 4, the evidence behind it, and",
        "# source: evidenced when documents back the score (otherwise self-reported).",
        f"strategy: {q(strategy)}",
        f"place_code: {q(place_code)}",
        'assessor: ""',
        f"date: {dt.date.today().isoformat()}",
        f"framework_version: {q(framework.version)}",
        "# Optional context for finding similar case-study places (leave null if unknown).",
        "context:",
        "  population: null",
        "  income_index: null          # income per head relative to the national average = 100",
        "  manufacturing_share: null   # per cent of jobs or output",
        "  governance: null            # single_authority or combined_authority",
        "answers:",
    ]
    for factor in framework.factors:
        lines.append(f"  # --- {factor.name} ---")
        for criterion in factor.criteria:
            lines.append(f"  # {criterion.question}")
            lines += [
                f"  #   {r.level}: {r.description} (evidence: {r.evidence})"
                for r in criterion.rubric
            ]
            lines += [
                f"  {criterion.id}:",
                "    score: null",
                '    evidence: ""',
                "    source: self-reported",
            ]
    return "\n".join(lines) + "\n"


def load_submission(path: str | Path, framework: Framework) -> Assessment:
    """Read and validate a filled-in questionnaire file.

    Raises
    ------
    levelscope.errors.ValidationError
        listing every problem, each with file, line, criterion and value.

    Parameters
    ----------
    path
        A YAML file, e.g. :func:`blank_template` filled in.
    framework
        The framework the answers must cover, exactly.

    Returns
    -------
    Assessment
        As :func:`parse_submission`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from levelscope.design import load_framework
    >>> framework = load_framework()
    >>> answers = {c.id: {"score": 2} for factor in framework.factors for c in factor.criteria}
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "answers.yaml"
    >>> _ = path.write_text(yaml.safe_dump({"strategy": "Inclusive growth", "place_code": "E08000025",
    ...                                     "assessor": "A. Analyst", "date": "2025-06-30",
    ...                                     "answers": answers}))
    >>> load_submission(path, framework).strategy
    'Inclusive growth'
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    return parse_submission_text(text, framework, file=str(path))


def parse_submission_text(
    text: str, framework: Framework, *, file: str | None = None
) -> Assessment:
    """Like :func:`load_submission`, from YAML text (e.g. an uploaded file)."""
    try:
        data = yaml.safe_load(text)
        lines = _answer_lines(text)
    except yaml.MarkedYAMLError as exc:
        row = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise ValidationError(
            Problem(f"not valid YAML: {exc.problem}", file=file, row=row)
        ) from exc
    return parse_submission(data, framework, file=file, lines=lines)


def parse_submission(
    data: Any,
    framework: Framework,
    *,
    file: str | None = None,
    lines: Mapping[str, int] | None = None,
) -> Assessment:
    """Validate a submission mapping and build the :class:`Assessment`.

    Parameters
    ----------
    data : the submission (see module docstring).
    framework : the framework the answers must cover, exactly.
    file, lines : for messages: the file name, and the line of each field or criterion.

    Returns
    -------
    Assessment
        The header and one answer per criterion.

    Raises
    ------
    levelscope.errors.ValidationError
        listing every problem, each with the criterion or field and the value.

    Examples
    --------
    >>> from levelscope.design import load_framework
    >>> framework = load_framework()
    >>> answers = {c.id: {"score": 2} for factor in framework.factors for c in factor.criteria}
    >>> submission = {"strategy": "Inclusive growth", "place_code": "E08000025",
    ...               "assessor": "A. Analyst", "date": "2025-06-30", "answers": answers}
    >>> assessment = parse_submission(submission, framework)
    >>> assessment.place_code, len(assessment.answers)
    ('E08000025', 22)
    """
    lines = lines or {}

    def problem(reason: str, column: str, value: object = None) -> Problem:
        return Problem(reason, file=file, row=lines.get(column), column=column, value=value)

    if not isinstance(data, Mapping):
        raise ValidationError(Problem("a submission must be a mapping of fields", file=file))
    problems: list[Problem] = []
    header: dict[str, Any] = {}
    for name in HEADER_FIELDS:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(problem("required text is missing", name, value))
        else:
            header[name] = value.strip()
    date = _parse_date(data.get("date"))
    if date is None:
        problems.append(problem("date must be a date like 2026-03-31", "date", data.get("date")))
    version = data.get("framework_version")
    if version is not None and str(version) != framework.version:
        problems.append(
            problem(
                f"this questionnaire is for framework {framework.version}",
                "framework_version",
                version,
            )
        )
    context, context_problems = _parse_context(data.get("context"), problem)
    problems += context_problems
    answers, answer_problems = _parse_answers(data.get("answers"), framework, problem)
    problems += answer_problems
    unknown = sorted(
        set(data) - {*HEADER_FIELDS, "date", "framework_version", "context", "answers"}
    )
    problems += [problem("unknown field", name) for name in unknown]
    if problems:
        raise ValidationError(problems)
    assert date is not None  # a missing date was reported above
    return Assessment(
        **header,
        date=date,
        framework_version=framework.version,
        answers=tuple(answers),
        context=context,
    )


def _parse_answers(
    raw: Any, framework: Framework, problem: Any
) -> tuple[list[Answer], list[Problem]]:
    if not isinstance(raw, Mapping):
        return [], [problem("answers must map each criterion id to its score", "answers", raw)]
    problems: list[Problem] = []
    answers: list[Answer] = []
    known = set(framework.criterion_ids)
    problems += [problem("unknown criterion", str(cid)) for cid in raw if cid not in known]
    for cid in framework.criterion_ids:
        if cid not in raw:
            problems.append(problem("criterion not answered", cid))
            continue
        entry = raw[cid]
        if not isinstance(entry, Mapping):
            problems.append(problem("expected score, evidence and source", cid, entry))
            continue
        score = entry.get("score")
        source = entry.get("source", "self-reported")
        evidence = entry.get("evidence", "")
        ok = True
        if score is None:
            problems.append(problem(f"score is missing: give a whole number 0–{MAX_LEVEL}", cid))
            ok = False
        elif isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= MAX_LEVEL:
            problems.append(
                problem(f"score must be a whole number from 0 to {MAX_LEVEL}", cid, score)
            )
            ok = False
        if source not in SOURCES:
            problems.append(problem(f"source must be one of {SOURCES}", cid, source))
            ok = False
        if evidence is None:
            evidence = ""
        if not isinstance(evidence, str):
            problems.append(problem("evidence must be text", cid, evidence))
            ok = False
        extra = sorted(set(entry) - {"score", "evidence", "source"})
        if extra:
            problems.append(problem(f"unknown keys {extra}", cid))
            ok = False
        if ok:
            answers.append(Answer(criterion_id=cid, score=score, evidence=evidence, source=source))
    return answers, problems


def _parse_context(raw: Any, problem: Any) -> tuple[PlaceContext | None, list[Problem]]:
    if raw is None:
        return None, []
    if not isinstance(raw, Mapping):
        return None, [problem("context must be a mapping", "context", raw)]
    problems = [
        problem("unknown context field", f"context.{k}") for k in raw if k not in CONTEXT_FIELDS
    ]
    values: dict[str, Any] = {}
    for name in CONTEXT_FIELDS[:3]:
        value = raw.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(problem("must be a number or null", f"context.{name}", value))
        else:
            values[name] = value
    governance = raw.get("governance")
    if governance is not None and governance not in GOVERNANCE_TYPES:
        problems.append(
            problem(f"must be one of {GOVERNANCE_TYPES}", "context.governance", governance)
        )
    else:
        values["governance"] = governance
    if problems:
        return None, problems
    try:
        return PlaceContext(**values), []
    except UndefinedMeasureError as exc:
        return None, [problem(str(exc), "context")]


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _answer_lines(text: str) -> dict[str, int]:
    """Line (1-based) of each top-level field and of each criterion under ``answers``."""
    root = yaml.compose(text)
    found: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return found
    for key, value in root.value:
        found[str(key.value)] = key.start_mark.line + 1
        if key.value in ("answers", "context") and isinstance(value, yaml.MappingNode):
            prefix = "context." if key.value == "context" else ""
            for sub_key, _ in value.value:
                found[f"{prefix}{sub_key.value}"] = sub_key.start_mark.line + 1
    return found
