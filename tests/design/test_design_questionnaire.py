"""The blank template round-trips, and bad submissions fail with messages naming what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from levelscope.design import blank_template, load_framework, load_submission, parse_submission
from levelscope.design.questionnaire import parse_submission_text
from levelscope.errors import ValidationError

FW = load_framework()


def filled(score: int = 3) -> dict[str, Any]:
    data = yaml.safe_load(blank_template(FW, strategy="Growth plan", place_code="E08000027"))
    data["assessor"] = "Policy team"
    for entry in data["answers"].values():
        entry["score"] = score
    return data


def test_template_lists_every_criterion_and_round_trips(tmp_path: Path) -> None:
    text = blank_template(FW)
    data = yaml.safe_load(text)
    assert list(data["answers"]) == FW.criterion_ids
    for criterion_id in FW.criterion_ids:
        assert FW.criterion(criterion_id).question in text
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(filled(3)), encoding="utf-8")
    assessment = load_submission(path, FW)
    assert [a.score for a in assessment.answers] == [3] * len(FW.criterion_ids)
    assert assessment.place_code == "E08000027" and assessment.framework_version == FW.version


def test_unfilled_template_reports_every_missing_score_with_its_line(tmp_path: Path) -> None:
    text = blank_template(FW)
    with pytest.raises(ValidationError) as err:
        parse_submission_text(text, FW, file="blank.yaml")
    problems = err.value.problems
    missing = {p.column: p.row for p in problems if "score is missing" in p.reason}
    assert set(missing) == set(FW.criterion_ids)
    lines = text.splitlines()
    for criterion_id, row in missing.items():
        assert row is not None and lines[row - 1].strip() == f"{criterion_id}:"
    assert any(p.column == "assessor" for p in problems)
    assert all(p.file == "blank.yaml" for p in problems)


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (5, "value 5"),
        (-1, "value -1"),
        ("3", "value '3'"),
        (2.5, "value 2.5"),
        (True, "value True"),
    ],
)
def test_bad_score_names_criterion_and_value(score: object, shown: str) -> None:
    data = filled()
    data["answers"]["funding.flexibility"]["score"] = score
    with pytest.raises(ValidationError) as err:
        parse_submission(data, FW)
    (problem,) = err.value.problems
    assert problem.column == "funding.flexibility"
    assert shown in str(err.value) and "whole number from 0 to 4" in str(err.value)


def test_several_problems_are_reported_together() -> None:
    data = filled()
    data["answers"]["key_players.champions"]["source"] = "hearsay"
    data["answers"]["made.up"] = {"score": 1}
    del data["answers"]["diversification.sector_mix"]
    data["date"] = "31/03/2026"
    data["context"]["population"] = "big"
    data["context"]["governance"] = "federal"
    with pytest.raises(ValidationError) as err:
        parse_submission(data, FW)
    found = {(p.column, p.reason) for p in err.value.problems}
    assert (
        "key_players.champions",
        "source must be one of ('self-reported', 'evidenced')",
    ) in found
    assert ("made.up", "unknown criterion") in found
    assert ("diversification.sector_mix", "criterion not answered") in found
    assert ("date", "date must be a date like 2026-03-31") in found
    assert ("context.population", "must be a number or null") in found
    assert any(c == "context.governance" for c, _ in found)
    assert len(err.value.problems) == 6


def test_context_is_read_and_checked() -> None:
    data = filled()
    data["context"] = {"population": 320000, "governance": "single_authority"}
    assessment = parse_submission(data, FW)
    assert assessment.context is not None and assessment.context.population == 320000
    data["context"] = {"population": -5}
    with pytest.raises(ValidationError, match="population must be positive"):
        parse_submission(data, FW)


def test_not_a_mapping_and_bad_yaml() -> None:
    with pytest.raises(ValidationError, match="must be a mapping"):
        parse_submission(["a", "list"], FW)
    with pytest.raises(ValidationError) as err:
        parse_submission_text("strategy: x\nanswers: {a: [1,\n", FW)
    assert err.value.problems[0].row is not None


def test_other_framework_version_is_refused() -> None:
    data = filled()
    data["framework_version"] = "0.9.0"
    with pytest.raises(ValidationError, match=r"framework 1\.0\.0"):
        parse_submission(data, FW)
