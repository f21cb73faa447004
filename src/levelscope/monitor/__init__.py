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
