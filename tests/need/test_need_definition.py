"""Index definitions: YAML round trip and errors that name the field."""

from __future__ import annotations

import pytest

from levelscope.errors import ValidationError
from levelscope.need.definition import IndexDefinition

YAML = """
name: Need index
indicators:
  - {id: unemployment, polarity: 1, pillar: economy}
  - {id: pay, polarity: -1, pillar: economy, weight: 2}
  - {id: life_expectancy, polarity: -1, pillar: health}
pillars:
  - {id: economy, weight: 3}
  - {id: health, weight: 1}
normalisation: {method: min_max, low: 1, high: 100}
aggregation: {indicators: arithmetic, pillars: geometric}
categories: {method: quantile, labels: [Priority 1, Priority 2, Priority 3]}
uncertainty: {normalisation: [min_max, rank], weight_variation: 0.2}
"""


def test_yaml_round_trip(tmp_path):
    definition = IndexDefinition.from_yaml(YAML)
    path = tmp_path / "need.yaml"
    definition.to_yaml(path)
    again = IndexDefinition.from_yaml(path)
    assert again == definition
    assert again.pillar_ids() == ["economy", "health"]
    assert again.pillar_weights() == pytest.approx({"economy": 0.75, "health": 0.25})
    assert again.indicators[1].weight == 2
    assert again.uncertainty.normalisation == ("min_max", "rank")


def test_errors_name_the_field_and_value(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(YAML.replace("polarity: -1, pillar: economy", "polarity: 2, pillar: economy"))
    with pytest.raises(ValidationError) as caught:
        IndexDefinition.from_yaml(path)
    problem = caught.value.problems[0]
    assert problem.column == "indicators.1.polarity"
    assert problem.value == 2
    assert problem.file == str(path)
    assert "bad.yaml" in str(caught.value)


def test_unknown_keys_are_rejected():
    with pytest.raises(ValidationError) as caught:
        IndexDefinition.from_dict(
            {"name": "x", "indicators": [{"id": "a"}], "normalisation": {"methd": "rank"}}
        )
    assert caught.value.problems[0].column == "normalisation.methd"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pillars": [{"id": "other"}]}, "not declared"),
        ({"normalisation": {"method": "z_score"}, "aggregation": {"indicators": "geometric"}}, "positive"),
        ({"normalisation": {"method": "distance_to_target"}}, "needs a target"),
        ({"categories": {"labels": ["a", "b", "c"], "breaks": [0.5]}}, "need 2 breaks"),
        ({"categories": {"method": "threshold", "labels": ["a", "b"]}}, "needs breaks"),
        ({"missing": {"method": "group_mean"}}, "group_column"),
    ],
)
def test_inconsistent_definitions_fail(change, message):
    data = {"name": "x", "indicators": [{"id": "a"}, {"id": "b"}], **change}
    with pytest.raises(ValidationError, match=message):
        IndexDefinition.from_dict(data)


def test_repeated_indicator_ids_fail():
    with pytest.raises(ValidationError, match="repeat"):
        IndexDefinition.from_dict({"name": "x", "indicators": [{"id": "a"}, {"id": "a"}]})


def test_bad_yaml_text():
    with pytest.raises(ValidationError, match="not valid YAML"):
        IndexDefinition.from_yaml("name: [unclosed\n")
