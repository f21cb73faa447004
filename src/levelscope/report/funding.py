"""The funding-versus-need report: did the money go where need is?

:func:`funding_report` takes a :class:`~levelscope.need.funding.FundingAnalysis` (from
:func:`~levelscope.need.funding.analyse_funding`) and hands it to ``templates/funding.html``:
the finding with its bootstrap interval, the concentration curve and indices, funding by need
group, rounds compared and the areas' figures.
"""

from __future__ import annotations

from collections.abc import Mapping

from levelscope.need.funding import FundingAnalysis
from levelscope.report.document import Report


def funding_report(
    analysis: FundingAnalysis, *, title: str = "Funding versus need", need_label: str = "need",
    names: Mapping[str, str] | None = None,
) -> Report:
    """The report of a funding-versus-need analysis.

    Parameters
    ----------
    analysis:
        The analysis.
    title:
        The report's title, e.g. the fund's name.
    need_label:
        What need was measured by, for the text (e.g. "the need index of need.yaml").
    names:
        Area names by code, for the table of areas.

    Returns
    -------
    Report
        Render with :meth:`Report.html`, :meth:`Report.pdf` or :meth:`Report.write`.

    Examples
    --------
    >>> analysis = analyse_funding(allocations, need, population)  # doctest: +SKIP
    >>> funding_report(analysis, title="Levelling Up Fund").write("luf.pdf")  # doctest: +SKIP
    """
    lookup = names or {}
    areas = analysis.funding.reset_index().rename(columns={"index": "geography_code"})
    code_column = areas.columns[0]
    areas = areas.assign(geography_name=[lookup.get(str(c), str(c)) for c in areas[code_column]])
    areas = areas.rename(columns={code_column: "geography_code"}).sort_values("need", ascending=False)
    headline = analysis.finding.text if analysis.finding is not None else analysis.note
    content = {
        "analysis": analysis,
        "finding": analysis.finding,
        "headline": headline,
        "need_label": need_label,
        "areas": areas,
    }
    return Report(kind="funding", title=title, subtitle="funding-versus-need", content=content,
                  sources=analysis.provenance.sources)
