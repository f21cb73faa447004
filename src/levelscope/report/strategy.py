"""The strategy assessment report: the maturity profile against the success factors, the weakest
factors, practices from the case studies that match the gaps, and the change since the previous
assessment.

:func:`strategy_report` takes the scored assessment (:func:`~levelscope.design.score`), its
recommendations (:func:`~levelscope.design.recommend`) and, if there is one, the previous
assessment of the same place, and hands them to ``templates/strategy.html``.
"""

from __future__ import annotations

from levelscope.design.assessment import AssessmentResult, Recommendations, compare
from levelscope.formatting import plural
from levelscope.report.document import Report


def strategy_report(
    result: AssessmentResult,
    recommendations: Recommendations | None = None,
    previous: AssessmentResult | None = None,
    *,
    place_name: str | None = None,
    weakest: int = 3,
) -> Report:
    """The report of a scored strategy assessment.

    Parameters
    ----------
    result:
        The scored assessment.
    recommendations:
        Practices for its gaps; without them the report says so.
    previous:
        An earlier assessment of the same place; the report shows the change factor by factor
        (:func:`~levelscope.design.compare`), or says there is none to compare with.
    place_name:
        The place's name, shown beside its code.
    weakest:
        How many of the lowest-scoring factors to name.

    Returns
    -------
    Report
        Render with :meth:`Report.html`, :meth:`Report.pdf` or :meth:`Report.write`.

    Raises
    ------
    ValidationError
        When ``previous`` is of another place or on other factors.

    Examples
    --------
    >>> from levelscope import design
    >>> fw = design.load_framework()  # doctest: +SKIP
    >>> result = design.score(design.load_submission("answers.yaml", fw), fw)  # doctest: +SKIP
    >>> strategy_report(result).write("strategy.pdf")  # doctest: +SKIP
    """
    change = compare(previous, result) if previous is not None else None
    place = f"{place_name} ({result.place_code})" if place_name else result.place_code
    low = result.weakest(weakest)
    parts = [
        f"{result.strategy} for {place} scores {result.overall:.1f} out of 100 against the "
        f"{plural(len(result.factors), 'success factor')} ({result.evidenced_share:.0%} of answers "
        f"evidenced, the rest self-reported).",
        "Weakest: " + "; ".join(f"{f.name} ({f.score:.1f}, {f.maturity})" for f in low) + ".",
    ]
    if change is not None:
        verb = "rose" if change.overall_change > 0 else "fell" if change.overall_change < 0 else "held"
        parts.append(f"Since the assessment of {change.before_date} the overall score {verb} from "
                     f"{change.overall_before:.1f} to {change.overall_after:.1f} "
                     f"({change.overall_change:+.1f}).")
    else:
        parts.append("Change since a previous assessment: not available (this is the first).")
    content = {
        "result": result, "recommendations": recommendations, "change": change, "place": place,
        "weakest": low, "summary": " ".join(parts),
    }
    sources = (*result.provenance.sources,
               *(recommendations.provenance.sources if recommendations is not None else ()))
    return Report(kind="strategy", title=f"Strategy assessment: {result.strategy}",
                  subtitle=f"{result.place_code}-{result.date}", content=content,
                  sources=tuple(dict.fromkeys(sources)))
