"""Coherence checks against hand calculations, pingouin and scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest
from sklearn.decomposition import PCA

from levelscope.errors import UndefinedMeasureError
from levelscope.need.coherence import cronbach_alpha, principal_component_summary
from levelscope.need.definition import IndexDefinition
from levelscope.need.index import build_index


def test_cronbach_alpha_by_hand():
    items = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 3, 3, 5]})
    # var(a) = 5/3, var(b) = 19/12, var(a + b) = 25/4; alpha = 2 (1 - (39/12) / (25/4)) = 0.96
    assert cronbach_alpha(items) == pytest.approx(0.96)


def test_cronbach_alpha_matches_pingouin():
    rng = np.random.default_rng(8)
    latent = rng.normal(size=200)
    items = pd.DataFrame({f"q{i}": latent + rng.normal(scale=1 + i / 3, size=200) for i in range(5)})
    expected, _ = pingouin.cronbach_alpha(items)
    assert cronbach_alpha(items) == pytest.approx(expected, rel=1e-10)


def test_cronbach_alpha_undefined_for_one_item():
    with pytest.raises(UndefinedMeasureError):
        cronbach_alpha(pd.DataFrame({"a": [1.0, 2.0]}))


def test_principal_components_match_scikit_learn():
    rng = np.random.default_rng(9)
    frame = pd.DataFrame(rng.normal(size=(100, 4)) @ rng.normal(size=(4, 4)), columns=list("abcd"))
    summary = principal_component_summary(frame)
    standardised = (frame - frame.mean()) / frame.std(ddof=0)
    pca = PCA().fit(standardised)
    np.testing.assert_allclose(summary.explained.to_numpy(), pca.explained_variance_ratio_)
    loadings = np.abs(pca.components_.T * np.sqrt(summary.eigenvalues.to_numpy()))
    np.testing.assert_allclose(np.abs(summary.loadings.to_numpy()), loadings, atol=1e-10)


def test_index_coherence_flags_the_indicator_that_pulls_against_its_pillar():
    rng = np.random.default_rng(10)
    need = rng.normal(size=150)
    data = pd.DataFrame(
        {
            "x1": need + 0.3 * rng.normal(size=150),
            "x2": need + 0.3 * rng.normal(size=150),
            "x3": need + 0.3 * rng.normal(size=150),
            "noise": rng.normal(size=150),
            "wrong": -need + 0.3 * rng.normal(size=150),  # polarity declared the wrong way
        }
    )
    definition = IndexDefinition.from_dict(
        {
            "name": "t",
            "indicators": [{"id": c, "pillar": "p"} for c in data.columns],
        }
    )
    report = build_index(data, definition).coherence()
    assert report.weak_indicators() == ["noise", "wrong"]
    assert report.indicator_pillar["wrong"] < 0
    items = build_index(data, definition).normalised
    assert report.pillars.loc["p", "cronbach_alpha"] == pytest.approx(cronbach_alpha(items))
