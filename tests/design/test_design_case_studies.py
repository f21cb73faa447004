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
from levelscope.design.case_studies import Fact, Reference, case_studies_json_schema
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


# The studies themselves and pages by their authors or publishers; `report_coverage` (someone
# else's summary) deliberately does not count.
STUDY_KINDS = {"report", "report_summary", "report_article"}


def _study_refs(library: Any) -> set[str]:
    return {r.id for r in library.references if r.kind in STUDY_KINDS}


def _facts_of(c: Any) -> list[Any]:
    """The plain facts of one case (context facts, institutions, sectors, outcomes, challenges)."""
    return [*c.context.facts, *c.institutions, *c.sectors, *c.outcomes, *c.challenges]


def test_every_place_has_a_fact_from_the_studies_or_their_authors() -> None:
    library = load_case_studies()
    study_refs = _study_refs(library)
    assert {"cipfa2022_report", "cipfa2024_report_page"} <= study_refs
    assert not {"lgiu2022_global_local", "socialfinance2024"} & study_refs
    for c in library.cases:
        cited = {cit.ref for fact in _facts_of(c) for cit in fact.citations}
        assert cited & study_refs, c.id


def test_pages_counted_as_the_studies_are_by_their_authors_or_publishers() -> None:
    for ref in load_case_studies().references:
        if ref.kind in STUDY_KINDS:
            assert "CIPFA" in ref.publisher or "City-REDI" in ref.publisher, ref.id


def test_study_citation_comes_before_corroborating_sources() -> None:
    library = load_case_studies()
    study_refs = _study_refs(library)
    for item in library.cited_items():
        refs = [c.ref for c in item.citations]
        if set(refs) & study_refs:
            assert refs[0] in study_refs, refs


def _walk(node: Any) -> list[dict[str, Any]]:
    """Every mapping in a parsed YAML tree."""
    if isinstance(node, dict):
        return [node, *(m for v in node.values() for m in _walk(v))]
    if isinstance(node, list):
        return [m for v in node for m in _walk(v)]
    return []


def test_raw_file_citations_name_known_references_and_sections() -> None:
    # Read the file directly rather than through the schema, so a loosened model cannot hide
    # a dangling reference or an empty section.
    data = yaml.safe_load(_default_path("case_studies.yaml").read_text(encoding="utf-8"))
    ref_ids = [r["id"] for r in data["references"]]
    assert len(ref_ids) == len(set(ref_ids))
    mappings = _walk(data["cases"])
    with_text = [m for m in mappings if "text" in m]
    assert len(with_text) > 60
    assert all(m.get("citations") for m in with_text)
    citations = [c for m in mappings for c in m.get("citations") or []]
    assert citations
    for c in citations:
        assert c["ref"] in ref_ids, c
        assert isinstance(c["section"], str) and c["section"].strip(), c


def test_every_figure_has_a_unit() -> None:
    library = load_case_studies()
    for c in library.cases:
        for fact in _facts_of(c):
            if fact.value is not None:
                assert fact.unit and fact.unit.strip(), fact.text
        for programme in c.programmes:
            for line in programme.funding:
                if line.amount is not None:
                    assert line.currency, programme.name


def test_unknown_reference_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="kind"):
        Reference.model_validate({"id": "x", "title": "T", "publisher": "P", "kind": "blog"})


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
