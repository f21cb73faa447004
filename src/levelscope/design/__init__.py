"""Strategy design: the success factors as an assessment, and the case-study evidence behind them.

Hold a strategy against the ten success factors of the CIPFA / City-REDI studies *Investing in
regional equality: lessons from four cities* (2022) and *four English examples* (2024): answer the
questionnaire, score it into a maturity profile, see the weakest factors and, for each gap, the
practices of the eight case-study places ranked by relevance and by how alike the places are.
Saved assessments (versioned, comparable over time) are in :mod:`levelscope.design.saved`.

>>> from levelscope import design
>>> fw = design.load_framework(); lib = design.load_case_studies(framework=fw)
>>> len(fw.criterion_ids) > 10, len(lib.cases)
(True, 8)
"""

from __future__ import annotations

from levelscope.design.assessment import (
    Answer,
    Assessment,
    AssessmentComparison,
    AssessmentResult,
    FactorScore,
    Recommendations,
    compare,
    recommend,
    score,
)
from levelscope.design.case_studies import CaseLibrary, CaseStudy, load_case_studies
from levelscope.design.context import (
    PlaceContext,
    context_distance,
    context_similarity,
    feature_scales,
)
from levelscope.design.evidence import (
    EvidenceLink,
    ProgrammeSummary,
    apply_evidence,
    evidence_from_records,
    evidence_links,
    evidenced_answers,
    programme_summary,
)
from levelscope.design.framework import (
    Framework,
    SuccessFactor,
    framework_json_schema,
    load_framework,
)
from levelscope.design.plot import radar_chart
from levelscope.design.questionnaire import blank_template, load_submission, parse_submission
from levelscope.design.report import assessment_html, write_assessment_html

__all__ = [
    "Answer",
    "Assessment",
    "AssessmentComparison",
    "AssessmentResult",
    "CaseLibrary",
    "CaseStudy",
    "EvidenceLink",
    "FactorScore",
    "Framework",
    "PlaceContext",
    "ProgrammeSummary",
    "Recommendations",
    "SuccessFactor",
    "apply_evidence",
    "assessment_html",
    "blank_template",
    "compare",
    "context_distance",
    "context_similarity",
    "evidence_from_records",
    "evidence_links",
    "evidenced_answers",
    "feature_scales",
    "framework_json_schema",
    "load_case_studies",
    "load_framework",
    "load_submission",
    "parse_submission",
    "programme_summary",
    "radar_chart",
    "recommend",
    "score",
    "write_assessment_html",
]
