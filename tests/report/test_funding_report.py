"""The funding-versus-need report on ten areas whose figures are worked out by hand: the two
most-needy areas got £20 a head, the two least-needy £5, so the ratio is 400%; with nothing for
the least needy the report says the comparison is not available."""

from __future__ import annotations

import io
import re
import unicodedata

import pandas as pd
import pytest

from levelscope.need.funding import analyse_funding
from levelscope.report import funding_report

pypdf = pytest.importorskip("pypdf")
CODES = [f"E0700000{i}" for i in range(10)]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def inputs(least_needy_amount: float) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    need = pd.Series(range(10, 0, -1), index=CODES, dtype=float)  # E07000000 the most needy
    population = pd.Series(1000.0, index=CODES)
    amounts = [20_000, 20_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000,
               least_needy_amount, least_needy_amount]
    allocations = pd.DataFrame({"programme": "Fund", "round": "1", "area": CODES,
                                "amount": amounts, "date": "2024-01-01", "outcome": "successful"})
    return allocations, need, population


def test_report_gives_the_finding_groups_and_areas() -> None:
    analysis = analyse_funding(*inputs(5_000), n_resamples=200)
    assert analysis.finding is not None
    assert analysis.finding.most_needy_per_head == pytest.approx(20.0)
    assert analysis.finding.least_needy_per_head == pytest.approx(5.0)
    assert analysis.finding.ratio == pytest.approx(4.0)
    report = funding_report(analysis, title="Test fund", names={CODES[0]: "Neediest"})
    text = squeeze("\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report.pdf())).pages))
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
