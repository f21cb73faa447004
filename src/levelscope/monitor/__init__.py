"""Monitoring programmes: register, logic models, targets, tracking, value for money, appraisal.

Where things are:

* :mod:`~levelscope.monitor.programmes` — the register: programmes, places, funders, spend,
  logic model, appraisal cash flows (records in the records database);
* :mod:`~levelscope.monitor.tracking` — indicators with baselines, targets and trajectories,
  actuals, status history; their tables in :mod:`~levelscope.monitor.indicator_records`, the
  path in :mod:`~levelscope.monitor.trajectory`, the rule in :mod:`~levelscope.monitor.status`,
  the trend with its interval in :mod:`~levelscope.monitor.projection` and the result in
  :mod:`~levelscope.monitor.indicator_track`;
* :mod:`~levelscope.monitor.imports` — actuals from a CSV file, all rows or none;
* :mod:`~levelscope.monitor.additionality` — gross to net additional effects;
* :mod:`~levelscope.monitor.vfm` — the four Es: economy, efficiency, effectiveness, equity;
* :mod:`~levelscope.monitor.appraisal` — Green Book appraisal: real prices, discounting, NPSV,
  BCR, optimism bias, distributional weights, switching values, sensitivity;
* :mod:`~levelscope.monitor.access` — who may see and change a programme;
* :mod:`~levelscope.monitor.dashboard` — everything a programme dashboard shows, in one result.

Pure calculations (appraisal, additionality, the four Es from frames) need no database; the
register and tracking take a session from :func:`levelscope.records.db.transaction`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from levelscope.monitor.additionality import AdditionalityFactors, NetAdditional, net_additional
    from levelscope.monitor.appraisal import (
        Appraisal,
        appraise,
        discount_factors,
        distributional_weights,
        sensitivity,
        switching_values,
        to_real_prices,
    )
    from levelscope.monitor.dashboard import ProgrammeDashboard, programme_dashboard
    from levelscope.monitor.imports import ImportSummary, import_actuals
    from levelscope.monitor.indicator_records import Trajectory
    from levelscope.monitor.indicator_track import IndicatorTrack
    from levelscope.monitor.programmes import (
        FlowCategory,
        Programme,
        SpendKind,
        Stage,
        add_cash_flow,
        add_logic_item,
        add_spend,
        create_programme,
        delete_programme,
        get_programme,
        list_programmes,
        restore_programme,
        update_programme,
    )
    from levelscope.monitor.projection import Projection, project
    from levelscope.monitor.status import Status, StatusRule
    from levelscope.monitor.tracking import (
        actuals_from_observations,
        add_indicator,
        current_status,
        record_actual,
        refresh_status,
        set_rule,
        status_history,
        track,
    )
    from levelscope.monitor.vfm import (
        ValueForMoney,
        economy,
        effectiveness,
        efficiency,
        equity,
        need_quintiles,
        programme_value_for_money,
    )

#: Where each name lives; a module is imported when one of its names is first asked for, so that
#: the command line and the web layer load only what they use.
_HOMES = {
    "FlowCategory": "programmes",
    "Programme": "programmes",
    "SpendKind": "programmes",
    "Stage": "programmes",
    "add_cash_flow": "programmes",
    "add_logic_item": "programmes",
    "add_spend": "programmes",
    "create_programme": "programmes",
    "delete_programme": "programmes",
    "get_programme": "programmes",
    "list_programmes": "programmes",
    "restore_programme": "programmes",
    "update_programme": "programmes",
    "actuals_from_observations": "tracking",
    "add_indicator": "tracking",
    "current_status": "tracking",
    "record_actual": "tracking",
    "refresh_status": "tracking",
    "set_rule": "tracking",
    "status_history": "tracking",
    "track": "tracking",
    "Status": "status",
    "StatusRule": "status",
    "Trajectory": "indicator_records",
    "IndicatorTrack": "indicator_track",
    "Projection": "projection",
    "project": "projection",
    "ImportSummary": "imports",
    "import_actuals": "imports",
    "AdditionalityFactors": "additionality",
    "NetAdditional": "additionality",
    "net_additional": "additionality",
    "ValueForMoney": "vfm",
    "economy": "vfm",
    "effectiveness": "vfm",
    "efficiency": "vfm",
    "equity": "vfm",
    "need_quintiles": "vfm",
    "programme_value_for_money": "vfm",
    "Appraisal": "appraisal",
    "appraise": "appraisal",
    "discount_factors": "appraisal",
    "distributional_weights": "appraisal",
    "sensitivity": "appraisal",
    "switching_values": "appraisal",
    "to_real_prices": "appraisal",
    "ProgrammeDashboard": "dashboard",
    "programme_dashboard": "dashboard",
}

__all__ = [
    "AdditionalityFactors",
    "Appraisal",
    "FlowCategory",
    "ImportSummary",
    "IndicatorTrack",
    "NetAdditional",
    "Programme",
    "ProgrammeDashboard",
    "Projection",
    "SpendKind",
    "Stage",
    "Status",
    "StatusRule",
    "Trajectory",
    "ValueForMoney",
    "actuals_from_observations",
    "add_cash_flow",
    "add_indicator",
    "add_logic_item",
    "add_spend",
    "appraise",
    "create_programme",
    "current_status",
    "delete_programme",
    "discount_factors",
    "distributional_weights",
    "economy",
    "effectiveness",
    "efficiency",
    "equity",
    "get_programme",
    "import_actuals",
    "list_programmes",
    "need_quintiles",
    "net_additional",
    "programme_dashboard",
    "programme_value_for_money",
    "project",
    "record_actual",
    "refresh_status",
    "restore_programme",
    "sensitivity",
    "set_rule",
    "status_history",
    "switching_values",
    "to_real_prices",
    "track",
    "update_programme",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'levelscope.monitor' has no attribute {name!r}")
    return getattr(importlib.import_module(f"levelscope.monitor.{_HOMES[name]}"), name)
