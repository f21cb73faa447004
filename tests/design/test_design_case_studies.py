"""The case-study library validates, every fact is cited, and its figures match their sources."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from design_helpers import case, tiny_library

from levelscope.design import load_case_studies, load_framework
from levelscope.design.case_studies import Fact, case_studies_json_schema
from levelscope.design.framework import _default_path
from levelscope.errors import ValidationError

PLACES = [
    "Leipzig",
    "Cleveland",
    "Nantes",
    "Fukuoka",
    "Dudley",
    "Enfield",
    "South Yorkshire",
    "Tees Valley",
]


def test_library_has_the_eight_places_of_the_two_studies() -> None:
    library = load_case_studies(framework=load_framework())
    assert [c.name for c in library.cases] == PLACES
    assert [c.study for c in library.cases] == ["four_cities"] * 4 + ["english_examples"] * 4


def test_shipped_file_validates_against_exported_json_schema() -> None:
    data = yaml.safe_load(_default_path("case_studies.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(data, default=str)), case_studies_json_schema())


def test_every_fact_has_a_citation_that_resolves() -> None:
    library = load_case_studies()
    refs = {r.id for r in library.references}
    items = list(library.cited_items())
    assert len(items) > 60
    for item in items:
        assert item.citations, item
        for citation in item.citations:
            assert citation.ref in refs and citation.section.strip()


def test_every_case_cites_one_of_the_studies() -> None:
    library = load_case_studies()
    study_refs = {r.id for r in library.references if r.kind in ("report", "report_summary")}
    for c in library.cases:
        cited = {cit.ref for item in _items_of(c) for cit in item.citations}
        assert cited & study_refs, c.id


def _items_of(c: Any) -> list[Any]:
    """The cited items of one case that carry the study's own findings."""
    ctx = c.context
    out = [ctx.governance, *ctx.facts, *c.institutions, *c.sectors, *c.outcomes, *c.challenges]
    out += [*c.practices, *c.programmes]
    return out


def test_every_factor_has_at_least_one_practice() -> None:
    fw, library = load_framework(), load_case_studies()
    for factor_id in fw.factor_ids:
        assert list(library.practices_for(factor_id)), factor_id


def test_fact_without_citation_is_rejected() -> None:
    with pytest.raises(ValueError, match="citations"):
        Fact.model_validate({"text": "An unsupported claim.", "citations": []})


def test_citation_to_unknown_reference_is_rejected() -> None:
    bad = case("x", 1e5, "single_authority", [])
    bad["context"]["governance"]["citations"] = [{"ref": "nowhere", "section": "s"}]
    with pytest.raises(ValueError, match="unknown references"):
        tiny_library([bad])


def test_practice_naming_unknown_factor_is_rejected() -> None:
    library = tiny_library([case("x", 1e5, "single_authority", [("p", ["no_such_factor"])])])
    with pytest.raises(ValidationError, match="no_such_factor"):
        library.check_factors(load_framework())


def _ons_population_2022(path: Path) -> dict[str, int]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = next(r for r in rows if r and r[0].startswith("local authority"))
    year = header.index("2022")
    return {
        r[1]: int(r[year])
        for r in rows
        if len(r) > year and r[1][:1] in "EWSN" and r[year].isdigit()
    }


def test_english_populations_match_the_ons_estimates(shared_data: Path) -> None:
    ons = _ons_population_2022(shared_data / "uk_population" / "lad_pop.csv")
    members = {
        "dudley": ["E08000027"],
        "enfield": ["E09000010"],
        "south_yorkshire": ["E08000016", "E08000017", "E08000018", "E08000019"],
        "tees_valley": ["E06000001", "E06000002", "E06000003", "E06000004", "E06000005"],
    }
    library = load_case_studies()
    for case_id, codes in members.items():
        population = library.case(case_id).context.population
        assert population is not None and population.year == 2022
        assert population.value == sum(ons[code] for code in codes), case_id
