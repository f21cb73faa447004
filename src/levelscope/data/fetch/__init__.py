"""Connectors: fetch official statistics from their publishers, with an offline mirror.

``levelscope fetch SOURCE DATASET`` (and :meth:`levelscope.Workspace.fetch`) downloads a
dataset from its publisher's interface (:mod:`~levelscope.data.fetch.http`: timeouts, retries
with backoff, conditional and resumable requests), keeps the answer byte for byte in the mirror
folder with a manifest entry (:mod:`~levelscope.data.fetch.mirror`), and imports it through the
validated importers with the publisher's release date as its vintage
(:mod:`~levelscope.data.fetch.fetching`). What can be fetched, and under which licence, is in
:mod:`~levelscope.data.fetch.datasets` (``levelscope sources``).
"""

from levelscope.data.fetch.datasets import DATASETS, Dataset, find_dataset
from levelscope.data.fetch.fetching import FetchReport, fetch, import_mirrored
from levelscope.data.fetch.http import Policy
from levelscope.data.fetch.mirror import Mirror, MirrorEntry

__all__ = ["DATASETS", "Dataset", "FetchReport", "Mirror", "MirrorEntry", "Policy", "fetch",
           "find_dataset", "import_mirrored"]
