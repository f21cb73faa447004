"""Small hand-built frameworks and libraries whose scores can be worked out on paper."""

from __future__ import annotations

from typing import Any

from levelscope.design.case_studies import CaseLibrary
from levelscope.design.framework import Framework


def rubric() -> list[dict[str, Any]]:
    return [{"level": i, "description": f"level {i}", "evidence": f"proof {i}"} for i in range(5)]


def tiny_framework() -> Framework:
    """Factor a (weight 2; criteria a.x weight 1, a.y weight 3), factor b (weight 1; b.x, b.y)."""
    return Framework.model_validate(
        {
            "version": "0.1.0",
            "date": "2026-01-01",
            "title": "Tiny",
            "maturity_levels": [
                {"level": i, "label": label}
                for i, label in enumerate(
                    ["Absent", "Emerging", "Developing", "Established", "Leading"]
                )
            ],
            "factors": [
                {
                    "id": "a",
                    "name": "Factor A",
                    "origin": "four_cities",
                    "weight": 2,
                    "definition": "A.",
                    "criteria": [
                        {"id": "a.x", "question": "x?", "weight": 1, "rubric": rubric()},
                        {"id": "a.y", "question": "y?", "weight": 3, "rubric": rubric()},
                    ],
                },
                {
                    "id": "b",
                    "name": "Factor B",
                    "origin": "english_examples",
                    "weight": 1,
                    "definition": "B.",
                    "criteria": [
                        {"id": "b.x", "question": "x?", "rubric": rubric()},
                        {"id": "b.y", "question": "y?", "rubric": rubric()},
                    ],
                },
            ],
        }
    )


def cite() -> list[dict[str, str]]:
    return [{"ref": "r1", "section": "s"}]


def case(case_id: str, population: float, governance: str, practices: list[Any]) -> dict[str, Any]:
    return {
        "id": case_id,
        "name": case_id.upper(),
        "country": "Nowhere",
        "study": "four_cities",
        "context": {
            "population": {"value": population, "unit": "persons", "citations": cite()},
            "governance": {"type": governance, "citations": cite()},
        },
        "practices": [
            {
                "id": f"{case_id}.{pid}",
                "title": pid,
                "description": pid,
                "factors": f,
                "citations": cite(),
            }
            for pid, f in practices
        ],
    }


def tiny_library(cases: list[dict[str, Any]]) -> CaseLibrary:
    return CaseLibrary.model_validate(
        {
            "version": "0.1.0",
            "date": "2026-01-01",
            "references": [{"id": "r1", "title": "T", "publisher": "P", "kind": "report"}],
            "cases": cases,
        }
    )
