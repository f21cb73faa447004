"""The funding-versus-need reports: did the money go where need is?

* :func:`funding_report` takes a :class:`~levelscope.need.funding.FundingAnalysis` (from
  :func:`~levelscope.need.funding.analyse_funding`, allocations from a file) and hands it to
  ``templates/funding.html``: the finding with its bootstrap interval, the concentration curve
  and indices, funding by need group, rounds compared and the areas' figures.
* :func:`fund_record_report` takes a :class:`~levelscope.need.fund_analysis.FundAnalysis` (a
  fund's record in the workspace's funding register, e.g. the Levelling Up Fund) and hands it to
  ``templates/fund_record.html``: the findings, tables by region, priority category and
  deprivation quintile, concentration with intervals and curves, round on round, the
  counterfactual and the method — what the ``/funding`` page shows.
"""

from __future__ import annotations

from collections.abc import Mapping

from levelscope.need.fund_analysis import FundAnalysis
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


#: The groupings the record report tables, in order, with their headings.
RECORD_GROUPINGS = {"region": "By region", "priority_category": "By priority category (1 = most in need)",
                    "imd_quintile": "By deprivation quintile (1 = most deprived)"}


def fund_record_report(result: FundAnalysis) -> Report:
    """The report of a fund's record set against population and need (the ``/funding`` page).

    Parameters
    ----------
    result:
        The analysis, e.g. from :func:`~levelscope.need.fund_workspace.workspace_fund_analysis`.

    Returns
    -------
    Report
        Render with :meth:`Report.html`, :meth:`Report.pdf` or :meth:`Report.write`.

    Examples
    --------
    >>> result = workspace_fund_analysis(ws, "Levelling Up Fund")  # doctest: +SKIP
    >>> fund_record_report(result).write("luf.pdf")  # doctest: +SKIP
    """
    tables = {g: (heading, result.table(g)) for g, heading in RECORD_GROUPINGS.items() if g in result.tables}
    counterfactual = result.counterfactual_by.get("region")
    if counterfactual is not None:
        counterfactual = counterfactual[counterfactual["round"] == "all"].sort_values("gap_to_population")
    content = {
        "result": result,
        "tables": tables,
        "curve": result.plot(against="deprivation"),
        "category_curve": (result.plot(against="priority category")
                           if ("all", "priority category") in result.curves else None),
        "change": result.round_change.get("region"),
        "counterfactual": counterfactual,
    }
    return Report(kind="fund_record", title=f"{result.fund}: did it go where need is?",
                  subtitle=result.fund, content=content, sources=result.provenance.sources)
