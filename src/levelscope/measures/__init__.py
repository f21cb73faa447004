"""Inequality measures: the full family, weighted, decomposed, with uncertainty, at any scale.

Every other part of levelscope computes inequality through these functions.

Scalar measures (values and optional frequency weights in, a float out): :func:`gini`,
:func:`theil`, :func:`mld`, :func:`generalized_entropy`, :func:`atkinson`,
:func:`coefficient_of_variation`, :func:`variance_of_logs`, :func:`palma`,
:func:`quantile_ratio`, :func:`share_ratio`, :func:`hoover`, :func:`max_min_ratio`; all of them
in the :data:`MEASURES` registry. :func:`lorenz` gives the Lorenz curve.

:func:`decompose` splits a measure into between- and within-group parts; :func:`bootstrap`
(one measure), :func:`bootstrap_measures` (several from the same resamples),
:func:`bootstrap_panel` (several measures in every period of a panel, resampling areas) and
:func:`between_share_test` add uncertainty; :func:`summarize` computes measures for every group
of a panel in one engine query (DuckDB or Spark through Ibis).
"""

from __future__ import annotations

from levelscope.measures.decompose import (
    Decomposition,
    DecompositionPanel,
    decompose,
    decompose_by,
)
from levelscope.measures.engine import inequality_table, summarize
from levelscope.measures.inequality import (
    MEASURES,
    LorenzCurve,
    Measure,
    MeasureSpec,
    atkinson,
    coefficient_of_variation,
    generalized_entropy,
    gini,
    hoover,
    lorenz,
    max_min_ratio,
    mld,
    palma,
    parse_measure,
    quantile_ratio,
    share_ratio,
    theil,
    variance_of_logs,
)
from levelscope.measures.inference import (
    BetweenShareTest,
    BootstrapResult,
    PanelBootstrap,
    between_share_test,
    bootstrap,
    bootstrap_measures,
    bootstrap_panel,
)

__all__ = [
    "MEASURES",
    "BetweenShareTest",
    "BootstrapResult",
    "Decomposition",
    "DecompositionPanel",
    "LorenzCurve",
    "Measure",
    "MeasureSpec",
    "PanelBootstrap",
    "atkinson",
    "between_share_test",
    "bootstrap",
    "bootstrap_measures",
    "bootstrap_panel",
    "coefficient_of_variation",
    "decompose",
    "decompose_by",
    "generalized_entropy",
    "gini",
    "hoover",
    "inequality_table",
    "lorenz",
    "max_min_ratio",
    "mld",
    "palma",
    "parse_measure",
    "quantile_ratio",
    "share_ratio",
    "summarize",
    "theil",
    "variance_of_logs",
]
