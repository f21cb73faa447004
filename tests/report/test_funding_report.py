"""The funding-versus-need report on ten areas whose figures are worked out by hand: the two
most-needy areas got £20 a head, the two least-needy £5, so the ratio is 400%; with nothing for
the least needy the report says the comparison is not available. The Levelling Up Fund's record in
the demo workspace gives the same figures in its report as the analysis object, from the command
line and the REST API."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from markupsafe import escape
from typer.testing import CliRunner

from levelscope import formatting
from levelscope.cli import app
from levelscope.data.store import Workspace
from levelscope.need.fund_workspace import workspace_fund_analysis
from levelscope.need.funding import analyse_funding
from levelscope.report import funding_report
from report_charts import chart_texts, charts_missing

pypdf = pytest.importorskip("pypdf")
CODES = [f"E0700000{i}" for i in range(10)]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def inputs(least_needy_amount: float) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    need = pd.Series(range(10, 0, -1), index=CODES, dtype=float)  # E07000000 the most needy
    population = pd.Series(1000.0, index=CODES)
    amounts = [20_000, 20_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000,
               least_needy_amount, least_needy_amount]
    allocations = pd.DataFrame({"programme": "Fund", "round": "1", "geography_code": CODES,
                                "amount": amounts, "date": "2024-01-01", "outcome": "successful"})
    return allocations, need, population


def test_report_gives_the_finding_groups_and_areas() -> None:
    analysis = analyse_funding(*inputs(5_000), n_resamples=200)
    assert analysis.finding is not None
    assert analysis.finding.most_needy_per_head == pytest.approx(20.0)
    assert analysis.finding.least_needy_per_head == pytest.approx(5.0)
    assert analysis.finding.ratio == pytest.approx(4.0)
    report = funding_report(analysis, title="Test fund", names={CODES[0]: "Neediest"})
    printed = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report.pdf())).pages)
    assert chart_texts(report.html()) and charts_missing(report.html(), printed) == []
    text = squeeze(printed)
    assert squeeze(analysis.finding.text) in text
    assert squeeze("Most-needy per head: £20") in text and squeeze("Least-needy per head: £5") in text
    assert squeeze("Ratio: 400%") in text
    assert squeeze(f"Concentration index (people): {analysis.concentration.index:.4f}") in text
    assert squeeze("Neediest E07000000") in text


def test_nothing_for_the_least_needy_says_not_available() -> None:
    analysis = analyse_funding(*inputs(0), n_resamples=50)
    assert analysis.finding is None
    html = funding_report(analysis).html()
    assert "<strong>Not available:</strong> the per-head comparison of the most and least needy" in html
    assert "least-needy group received no funding" in html


def test_cli_reports_allocations_from_files_with_the_analyse_options(tmp_path: Path) -> None:
    allocations, need, population = inputs(5_000)
    files = {name: tmp_path / f"{name}.csv" for name in ("allocations", "need", "population")}
    allocations.to_csv(files["allocations"], index=False)
    need.rename_axis("geography_code").rename("score").to_csv(files["need"])
    population.rename_axis("geography_code").rename("population").to_csv(files["population"])
    html = tmp_path / "funding.html"
    out = CliRunner().invoke(app, ["report", "funding", str(files["allocations"]),
                                   "--need", str(files["need"]), "--population", str(files["population"]),
                                   "--groups", "5",
                                   "--n-resamples", "200", "--html", str(html)])
    assert out.exit_code == 0, out.output
    text = html.read_text(encoding="utf-8")
    # the hand calculation in the module docstring: £20 against £5 a head
    assert "Most-needy per head: <strong>£20</strong>" in text and "Ratio: <strong>400%</strong>" in text
    assert "<h1 id=\"report-title\">Funding versus need: allocations.csv</h1>" in text
    wrong = CliRunner().invoke(app, ["report", "funding", "--need", str(files["need"]), "--html", str(html)])
    assert wrong.exit_code != 0 and "ALLOCATIONS" in wrong.output


@pytest.mark.slow
def test_record_report_over_the_api_shows_the_figures_of_the_analysis(
    client: Any, demo_workspace_path: Path
) -> None:
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        result = workspace_fund_analysis(ws, n_resamples=2000, seed=0)
    answer = client.get("/api/reports/funding", params={"format": "pdf"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == 'attachment; filename="fund-record-Levelling-Up-Fund.pdf"'
    pdf = pypdf.PdfReader(io.BytesIO(answer.content))
    assert 4 <= len(pdf.pages) <= 15
    text = squeeze("\n".join(p.extract_text() for p in pdf.pages))
    for line in result.findings:
        assert squeeze(line) in text
    for row in result.table("region").itertuples():
        assert squeeze(f"{formatting.money(row.amount)}{formatting.money(row.per_head, decimals=2)}") in text
    for row in result.concentration.itertuples():
        assert squeeze(f"{row.concentration_index:.3f}{row.lower:.3f}to{row.upper:.3f}") in text
    for source in result.provenance.sources:
        assert squeeze(f"{source.publisher}, {source.dataset}") in text
    page = client.get("/funding", params={"split": "population"}).text
    assert 'href="/api/reports/funding?split=population&amp;format=pdf"' in page
    assert "Download report (PDF)" in page


@pytest.mark.slow
def test_record_report_from_the_command_line(demo_workspace_path: Path, tmp_path: Path) -> None:
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        result = workspace_fund_analysis(ws, split="population", n_resamples=300, seed=1)
    html = tmp_path / "luf.html"
    out = CliRunner().invoke(app, ["report", "funding", "-w", str(demo_workspace_path),
                                   "--split", "population", "--n-resamples", "300", "--seed", "1",
                                   "--html", str(html)])
    assert out.exit_code == 0, out.output
    text = html.read_text(encoding="utf-8")
    assert "Levelling Up Fund: did it go where need is?" in text
    for line in result.findings:
        assert escape(line) in text
    assert "districts shared by population." in text
