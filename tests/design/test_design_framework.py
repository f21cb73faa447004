"""The shipped framework file validates against its schema, and the schema rejects bad files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from design_helpers import tiny_framework

from levelscope.design import framework_json_schema, load_case_studies, load_framework
from levelscope.design.framework import Framework, _default_path
from levelscope.errors import ValidationError

# The factor names as the two studies list them, in their order (the tenth from 2024).
STUDY_FACTORS = [
    "Shared political will and partnerships",
    "Clear strategy and vision",
    "Investing for the long term",
    "Local knowledge",
    "Monitoring and evaluation",
    "Adapting national frameworks to local needs",
    "Diversification",
    "Key players",
    "Adequate and responsive funding",
    "Transferable learning and knowledge exchange",
]


def test_shipped_framework_has_the_ten_study_factors() -> None:
    fw = load_framework()
    assert [f.name for f in fw.factors] == STUDY_FACTORS
    origins = [f.origin for f in fw.factors]
    assert origins == ["four_cities"] * 9 + ["english_examples"]
    assert fw.version == "1.0.0" and fw.date.isoformat() == "2026-11-23"


def test_every_criterion_has_a_full_rubric_with_evidence() -> None:
    for factor in load_framework().factors:
        assert factor.weight > 0 and factor.definition
        for criterion in factor.criteria:
            assert [r.level for r in criterion.rubric] == [0, 1, 2, 3, 4]
            assert all(r.description and r.evidence for r in criterion.rubric)


def test_shipped_file_validates_against_exported_json_schema() -> None:
    data = yaml.safe_load(_default_path("framework.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(data, default=str)), framework_json_schema())


def test_framework_sources_are_library_references() -> None:
    refs = {r.id for r in load_case_studies().references}
    assert {s.id for s in load_framework().sources} <= refs


def _write_variant(tmp_path: Path, edit: str, new: str) -> Path:
    text = _default_path("framework.yaml").read_text(encoding="utf-8")
    assert edit in text
    path = tmp_path / "fw.yaml"
    path.write_text(text.replace(edit, new, 1), encoding="utf-8")
    return path


def test_missing_rubric_level_is_rejected_naming_the_criterion(tmp_path: Path) -> None:
    path = _write_variant(
        tmp_path,
        "          - level: 4\n            description: Written into agreements",
        "          - level: 5\n            description: Written into agreements",
    )
    with pytest.raises(ValidationError) as err:
        load_framework(path)
    assert "factors.0.criteria.0.rubric.4.level" in str(err.value)


def test_duplicate_factor_id_is_rejected() -> None:
    data = tiny_framework().model_dump(mode="json")
    data["factors"].append(data["factors"][0])
    with pytest.raises(ValueError, match=r"duplicate factor ids: \['a'\]"):
        Framework.model_validate(data)


def test_yaml_syntax_error_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: '1.0.0'\nfactors: [\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_framework(path)
    assert err.value.problems[0].row == 3
