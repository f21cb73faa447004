"""The evaluation report: a synthetic control or difference-in-differences estimate with its
fit, its placebo inference and the verdict in words.

:func:`evaluation_report` takes an :class:`~levelscope.evaluate.areas.AreaEvaluation` (from
:func:`~levelscope.evaluate.evaluate_area` or :func:`~levelscope.evaluate.evaluate_programme`)
and hands it to ``templates/evaluation.html``.
"""

from __future__ import annotations

from levelscope.evaluate.areas import METHOD_NAMES, AreaEvaluation
from levelscope.evaluate.did import TwoWayFixedEffects
from levelscope.evaluate.sdid import SyntheticDiD
from levelscope.evaluate.synth import SyntheticControl
from levelscope.formatting import area_label, with_area_names
from levelscope.report.document import Report


def evaluation_report(evaluation: AreaEvaluation) -> Report:
    """The report of an impact evaluation.

    Parameters
    ----------
    evaluation:
        The evaluation, e.g. ``evaluate_area(ws, "gva_per_hour_worked", ["TLG31"], 2015,
        placebos=True)``.

    Returns
    -------
    Report
        Render with :meth:`Report.html`, :meth:`Report.pdf` or :meth:`Report.write`.

    Examples
    --------
    >>> from levelscope.evaluate import evaluate_area
    >>> result = evaluate_area(ws, "gva_per_hour_worked", ["TLG31"], 2015, placebos=True)  # doctest: +SKIP
    >>> evaluation_report(result).write("evaluation.pdf")  # doctest: +SKIP
    """
    estimate = evaluation.estimate
    places = [area_label(code, evaluation.names) for code in evaluation.treated]
    what = evaluation.indicator_name or evaluation.indicator_id
    weights = None
    if isinstance(estimate, SyntheticControl):
        kept = estimate.weights[estimate.weights > 0.0005].sort_values(ascending=False)
        weights = [(area_label(str(code), evaluation.names), float(w)) for code, w in kept.items()]
    interval = None
    if isinstance(estimate, SyntheticDiD):
        bounds = estimate.conf_int().iloc[0]
        interval = (float(bounds["lower"]), float(bounds["upper"]))
    content = {
        "evaluation": evaluation,
        "estimate": estimate,
        "method_name": METHOD_NAMES.get(evaluation.method, evaluation.method),
        "places": places,
        "indicator": what,
        "verdict": with_area_names(evaluation.verdict(), evaluation.names),
        "headline": evaluation.summary().splitlines()[0],
        "is_synth": isinstance(estimate, SyntheticControl),
        "is_sdid": isinstance(estimate, SyntheticDiD),
        "is_did": isinstance(estimate, TwoWayFixedEffects),
        "weights": weights,
        "interval": interval,
        "excluded": [(area_label(str(code), evaluation.names), str(why))
                     for code, why in evaluation.excluded.items()],
        "placebo_rank": None if evaluation.placebos is None else evaluation.placebos.rank,
        "placebo_units": None if evaluation.placebos is None else len(evaluation.placebos.ratio),
    }
    return Report(kind="evaluation", title=f"Evaluation: {what} in {', '.join(places)}",
                  subtitle=f"{evaluation.indicator_id}-{'-'.join(evaluation.treated)}-{evaluation.start}",
                  content=content, sources=evaluation.provenance.sources)
