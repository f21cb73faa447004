"""The evaluation report says what the evaluation says: a synthetic control on a panel built so
that the answer is known (the treated area is the mean of two donors until 2015, then 5 above),
its fit, placebo p-value and verdict in the PDF; difference-in-differences and a synthetic
control without placebos render with "not available" where placebos would be."""

from __future__ import annotations

import io
import re
import unicodedata

import numpy as np
import pandas as pd
import pytest

from levelscope.evaluate.areas import AreaEvaluation, evaluate_areas
from levelscope.evaluate.synth import SyntheticControl, placebo_in_space
from levelscope.formatting import number
from levelscope.report import evaluation_report
from levelscope.results import Provenance, Source
from report_charts import chart_texts, charts_missing

pypdf = pytest.importorskip("pypdf")
SOURCE = Source("Office for National Statistics", "Test panel", "2024-06-01", "Open Government Licence v3.0")
TREATED = "E08000025"
DONORS = [f"E0800000{i + 1}" for i in range(8)]
NAMES = {TREATED: "Treated town", **{code: f"Donor {i}" for i, code in enumerate(DONORS)}}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def panel() -> pd.DataFrame:
    """Eight donors with different trends and wiggles; the treated area is the mean of D0 and D1
    before 2015 and 5 above it from 2015."""
    years = np.arange(2005, 2021)
    rows = []
    for i in range(8):
        values = 20 + i + (0.2 + 0.1 * i) * (years - 2005) + np.sin(years * (i + 1))
        rows += [(DONORS[i], int(y), float(v)) for y, v in zip(years, values, strict=True)]
    frame = pd.DataFrame(rows, columns=["geography_code", "year", "value"])
    mean = frame[frame["geography_code"].isin(DONORS[:2])].groupby("year")["value"].mean()
    treated = mean + np.where(mean.index >= 2015, 5.0, 0.0)
    own = pd.DataFrame({"geography_code": TREATED, "year": mean.index, "value": treated.values})
    frame = pd.concat([frame, own])
    return frame.assign(indicator_id="jobs")


def evaluation(method: str, placebos: bool) -> AreaEvaluation:
    estimate = evaluate_areas(panel(), [TREATED], 2015, method=method,  # type: ignore[arg-type]
                              provenance=Provenance.of([SOURCE]))
    tested = placebo_in_space(estimate) if placebos and isinstance(estimate, SyntheticControl) else None
    return AreaEvaluation(
        indicator_id="jobs", level="lad", treated=(TREATED,), start=2015, method=method,
        excluded=pd.Series(dtype=object), comparisons=8, estimate=estimate, placebos=tested,
        names=NAMES, indicator_name="Jobs", provenance=estimate.provenance,
    )


def test_synthetic_control_report_shows_the_effect_fit_and_placebos() -> None:
    result = evaluation("synth", placebos=True)
    estimate = result.estimate
    assert isinstance(estimate, SyntheticControl) and result.placebos is not None
    # the answer the panel was built with
    assert result.effect == pytest.approx(5.0, abs=0.05)
    assert estimate.pre_rmspe == pytest.approx(0.0, abs=0.05)
    assert result.placebos.rank == 1 and result.placebos.p_value == pytest.approx(1 / 9)
    report = evaluation_report(result)
    printed = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report.pdf())).pages)
    assert chart_texts(report.html()) and charts_missing(report.html(), printed) == []
    text = squeeze(printed)
    assert squeeze(f"Estimated effect: {number(result.effect)}") in text
    assert squeeze(f"Placebo p-value: {result.placebos.p_value:.3f} (rank 1 of 9)") in text
    assert squeeze(f"Fit before 2015 (RMSPE): {number(estimate.pre_rmspe)}") in text
    assert squeeze(report.content["verdict"]) in text and "Treated town" in report.content["verdict"]
    assert squeeze("Donor 0") in text and squeeze("Donor 1") in text
    assert squeeze(f"{SOURCE.publisher}, {SOURCE.dataset}, released {SOURCE.vintage}") in text


def test_did_and_synth_without_placebos_say_not_available() -> None:
    did = evaluation_report(evaluation("did", placebos=False)).html()
    assert "<strong>Not available:</strong> a chart (a two-way fixed-effects estimate has no path" in did
    assert "<strong>Not available:</strong> placebo inference (placebos are for the synthetic control" in did
    synth = evaluation_report(evaluation("synth", placebos=False)).html()
    assert "<strong>Not available:</strong> placebo inference (in-space placebos were not run)" in synth


def test_sdid_report_gives_its_interval() -> None:
    result = evaluation("sdid", placebos=False)
    html = evaluation_report(result).html()
    lower, upper = result.estimate.conf_int().iloc[0][["lower", "upper"]]
    assert f"95% confidence interval: <strong>{number(lower)} to {number(upper)}</strong>" in html
