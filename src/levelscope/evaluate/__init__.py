"""Impact evaluation: did the policy cause the change?

Synthetic control (with placebos, leave-one-out and a ridge-augmented variant), synthetic
difference-in-differences, and difference-in-differences (two-way fixed effects, event studies,
Callaway & Sant'Anna group-time effects). Every estimator takes a long table with one row per
unit and period and returns a result object with ``summary()``, ``to_frame()`` and ``plot()``.
"""

from __future__ import annotations

from levelscope.evaluate.areas import (
    AreaEvaluation,
    evaluate_area,
    evaluate_areas,
    evaluate_programme,
)
from levelscope.evaluate.augmented import AugmentedSyntheticControl, augmented_synthetic_control
from levelscope.evaluate.did import (
    AggregatedEffects,
    EventStudy,
    GroupTimeEffects,
    PretrendTest,
    TwoWayFixedEffects,
    callaway_santanna,
    event_study,
    twfe,
)
from levelscope.evaluate.panel import DesignError, Panel, long_panel
from levelscope.evaluate.sdid import SyntheticDiD, synthetic_did
from levelscope.evaluate.synth import (
    CrossValidation,
    LeaveOneOut,
    PlaceboTest,
    Predictor,
    SyntheticControl,
    leave_one_out,
    placebo_in_space,
    placebo_in_time,
    synthetic_control,
)
from levelscope.evaluate.verdict import estimate_verdict, synth_verdict

__all__ = [
    "AggregatedEffects",
    "AreaEvaluation",
    "AugmentedSyntheticControl",
    "CrossValidation",
    "DesignError",
    "EventStudy",
    "GroupTimeEffects",
    "LeaveOneOut",
    "Panel",
    "PlaceboTest",
    "Predictor",
    "PretrendTest",
    "SyntheticControl",
    "SyntheticDiD",
    "TwoWayFixedEffects",
    "augmented_synthetic_control",
    "callaway_santanna",
    "estimate_verdict",
    "evaluate_area",
    "evaluate_areas",
    "evaluate_programme",
    "event_study",
    "leave_one_out",
    "long_panel",
    "placebo_in_space",
    "placebo_in_time",
    "synth_verdict",
    "synthetic_control",
    "synthetic_did",
    "twfe",
]
