"""A short, self-contained HTML report of a scored assessment.

The page embeds the Plotly library itself (no CDN), so it opens offline and can be mailed or
archived as one file. It shows the overall score, the radar chart, a table of factor scores with
how many answers are evidenced, the weakest factors with practices from the case studies, and
every answer with its evidence.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from levelscope.design.assessment import AssessmentResult, RankedPractice, Recommendations
from levelscope.design.plot import radar_chart

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{font-size:.8em;padding:.1em .4em;border-radius:.3em;background:#eee}
.evidenced{background:#d8f0d8}
small{color:#555}
"""


def assessment_html(
    result: AssessmentResult, recommendations: Recommendations | None = None
) -> str:
    """The report as one HTML document (Plotly's JavaScript included inline).

    Parameters
    ----------
    result
        The scored assessment.
    recommendations
        Practices for its gaps, if wanted (:func:`~levelscope.design.assessment.recommend`).

    Returns
    -------
    str
        The HTML.

    Examples
    --------
    >>> from levelscope.design import load_framework, parse_submission, score
    >>> framework = load_framework()
    >>> answers = {c.id: {"score": 2} for factor in framework.factors for c in factor.criteria}
    >>> submission = {"strategy": "Inclusive growth", "place_code": "E08000025",
    ...               "assessor": "A. Analyst", "date": "2025-06-30", "answers": answers}
    >>> assessment = parse_submission(submission, framework)
    >>> result = score(assessment, framework)
    >>> html = assessment_html(result)
    >>> html.startswith("<!DOCTYPE html>"), "Inclusive growth" in html
    (True, True)
    """
    chart = radar_chart(result).to_html(full_html=False, include_plotlyjs=True)
    factor_rows = "".join(
        f"<tr><td>{escape(f.name)}</td><td class='num'>{f.score:.1f}</td>"
        f"<td>{escape(f.maturity)}</td><td class='num'>{f.n_evidenced} / {f.n_criteria}</td></tr>"
        for f in result.factors
    )
    answer_rows = "".join(
        f"<tr><td>{escape(a.criterion_id)}</td><td class='num'>{a.score}</td>"
        f"<td><span class='badge {'evidenced' if a.source == 'evidenced' else ''}'>"
        f"{escape(a.source)}</span></td><td>{escape(a.evidence)}</td></tr>"
        for a in result.answers
    )
    title = f"Strategy assessment: {result.strategy}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{_STYLE}</style></head><body>
<h1>{escape(title)}</h1>
<p>Place {escape(result.place_code)} · assessed by {escape(result.assessor)} on {result.date}
· framework {escape(result.framework_version)}</p>
<p><strong>Overall score: {result.overall:.1f} / 100</strong>
<small>({result.evidenced_share:.0%} of answers evidenced, the rest self-reported)</small></p>
{chart}
<h2>Factor scores</h2>
<table><thead><tr>
<th>Success factor</th><th>Score</th><th>Maturity</th><th>Evidenced</th>
</tr></thead>
<tbody>{factor_rows}</tbody></table>
{_gaps_section(result, recommendations)}
<h2>Answers</h2>
<table><thead><tr><th>Criterion</th><th>Score</th><th>Source</th><th>Evidence</th></tr></thead>
<tbody>{answer_rows}</tbody></table>
<p><small>Source: {escape(str(result.provenance))}. Success factors from CIPFA and City-REDI,
<em>Investing in regional equality: lessons from four cities</em> (2022) and
<em>four English examples</em> (2024).</small></p>
</body></html>
"""


def _gaps_section(result: AssessmentResult, recommendations: Recommendations | None) -> str:
    weakest = "".join(f"<li>{escape(f.name)}: {f.score:.1f}</li>" for f in result.weakest())
    html = f"<h2>Weakest factors</h2><ol>{weakest}</ol>"
    if recommendations is None or not recommendations.gaps:
        return html
    html += f"<h2>What the case studies did (factors below {recommendations.threshold:g})</h2>"
    for gap in recommendations.gaps:
        items = "".join(_practice_item(p) for p in gap.practices) or "<li>none recorded</li>"
        html += f"<h3>{escape(gap.factor_name)} ({gap.score:.1f})</h3><ul>{items}</ul>"
    return html


def _practice_item(p: RankedPractice) -> str:
    similarity = f" · context similarity {p.similarity:.2f}" if p.similarity is not None else ""
    return (
        f"<li><strong>{escape(p.case_name)}: {escape(p.title)}</strong>. "
        f"{escape(p.description)}<br>"
        f"<small>{escape('; '.join(p.citations))}{similarity}</small></li>"
    )


def write_assessment_html(
    path: str | Path, result: AssessmentResult, recommendations: Recommendations | None = None
) -> Path:
    """Write :func:`assessment_html` to ``path`` and return the path.

    Parameters
    ----------
    path
        Where to write the file.
    result, recommendations
        As :func:`assessment_html`.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from levelscope.design import load_framework, parse_submission, score
    >>> framework = load_framework()
    >>> answers = {c.id: {"score": 2} for factor in framework.factors for c in factor.criteria}
    >>> submission = {"strategy": "Inclusive growth", "place_code": "E08000025",
    ...               "assessor": "A. Analyst", "date": "2025-06-30", "answers": answers}
    >>> assessment = parse_submission(submission, framework)
    >>> result = score(assessment, framework)
    >>> written = write_assessment_html(pathlib.Path(tempfile.mkdtemp()) / "report.html", result)
    >>> written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    True
    """
    path = Path(path)
    path.write_text(assessment_html(result, recommendations), encoding="utf-8")
    return path
