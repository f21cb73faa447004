"""Radar chart of an assessment's maturity profile (one trace per assessment)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import plotly.graph_objects as go

if TYPE_CHECKING:
    from levelscope.design.assessment import AssessmentResult

#: Okabe–Ito colours: distinguishable under the common forms of colour-blindness.
OKABE_ITO = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")


def radar_chart(results: AssessmentResult | Sequence[AssessmentResult]) -> go.Figure:
    """Factor scores (0–100) on a radar chart; pass several results to overlay them.

    Each trace is named by the strategy and the assessment date, so two assessments of the same
    strategy show progress at a glance.

    Parameters
    ----------
    results
        One scored assessment or several.

    Returns
    -------
    plotly.graph_objects.Figure
        One closed trace per assessment.

    Examples
    --------
    >>> from levelscope.design import load_framework, parse_submission, score
    >>> framework = load_framework()
    >>> answers = {c.id: {"score": 2} for factor in framework.factors for c in factor.criteria}
    >>> submission = {"strategy": "Inclusive growth", "place_code": "E08000025",
    ...               "assessor": "A. Analyst", "date": "2025-06-30", "answers": answers}
    >>> assessment = parse_submission(submission, framework)
    >>> result = score(assessment, framework)
    >>> figure = radar_chart(result)
    >>> len(figure.data), figure.data[0].name
    (1, 'Inclusive growth (2025-06-30)')
    """
    from levelscope.design.assessment import AssessmentResult

    many = [results] if isinstance(results, AssessmentResult) else list(results)
    fig = go.Figure()
    for number, result in enumerate(many):
        names = [f.name for f in result.factors]
        scores = [round(f.score, 1) for f in result.factors]
        fig.add_trace(
            go.Scatterpolar(
                r=[*scores, scores[0]],
                theta=[*names, names[0]],
                fill="toself",
                name=f"{result.strategy} ({result.date})",
                hovertemplate="%{theta}: %{r}<extra></extra>",
                line={"color": OKABE_ITO[number % len(OKABE_ITO)]},
            )
        )
    fig.update_layout(
        polar={"radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100]}},
        showlegend=True,
        title="Maturity profile against the success factors (0–100)",
        margin={"l": 80, "r": 80, "t": 60, "b": 40},
    )
    return fig
