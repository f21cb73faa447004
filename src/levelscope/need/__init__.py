"""Need and funding: composite need indices, and whether money went where need is.

Build an index from a declarative definition (see :mod:`levelscope.need.definition`), check
its coherence, test how robust its ranking is to the methodological choices, and set funding
allocations against it. The steps live in modules named after them (``normalise``,
``impute``, ``outliers``, ``weights``, ``aggregate``, ``coherence``, ``uncertainty``,
``funding``).

>>> from levelscope.need import IndexDefinition, build_index  # doctest: +SKIP
>>> index = build_index(data, IndexDefinition.from_yaml("need.yaml"))  # doctest: +SKIP
>>> index.uncertainty(n=1000, seed=1).plot()  # doctest: +SKIP
"""

from levelscope.need.allocations import read_allocations
from levelscope.need.bid_sharing import SharedBids, share_bids
from levelscope.need.coherence import (
    CoherenceReport,
    check_coherence,
    cronbach_alpha,
    principal_component_summary,
)
from levelscope.need.definition import IndexDefinition
from levelscope.need.fund_analysis import FundAnalysis, analyse_fund
from levelscope.need.funding import (
    Concentration,
    FundingAnalysis,
    FundingFinding,
    analyse_funding,
    compare_rounds,
    concentration_index,
    funding_by_area,
    funding_finding,
    group_shares,
    need_groups,
    success_rates,
)
from levelscope.need.impute import missing_report
from levelscope.need.index import CompositeIndex, build_index, pivot_observations
from levelscope.need.outliers import treat_outliers
from levelscope.need.uncertainty import (
    SobolIndices,
    UncertaintyResult,
    run_uncertainty,
    sobol_analysis,
)
from levelscope.need.weights import factor_weights, pca_weights

__all__ = [
    "CoherenceReport",
    "CompositeIndex",
    "Concentration",
    "FundAnalysis",
    "FundingAnalysis",
    "FundingFinding",
    "IndexDefinition",
    "SharedBids",
    "SobolIndices",
    "UncertaintyResult",
    "analyse_fund",
    "analyse_funding",
    "build_index",
    "check_coherence",
    "compare_rounds",
    "concentration_index",
    "cronbach_alpha",
    "factor_weights",
    "funding_by_area",
    "funding_finding",
    "group_shares",
    "missing_report",
    "need_groups",
    "pca_weights",
    "pivot_observations",
    "principal_component_summary",
    "read_allocations",
    "run_uncertainty",
    "share_bids",
    "sobol_analysis",
    "success_rates",
    "treat_outliers",
]
