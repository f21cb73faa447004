"""Money for places: the funding register of the workspace and the readers that fill it.

An *allocation* is one award or bid of a fund: its fund, round, announcement date, lead
applicant, bid name, amount in pounds, the areas it covers and, where known, its outcome.
:mod:`~levelscope.data.funding.readers` reads the Levelling Up Fund files as published and plain
allocation tables users bring for other funds; :mod:`~levelscope.data.funding.register` stores
them in the workspace (validated, in one transaction, idempotent, keeping earlier vintages) and
reads them back. :mod:`~levelscope.data.funding.need_files` reads the need measures that come
with the record: the fund's priority categories and the English deprivation summaries.
"""

from levelscope.data.funding.readers import (
    ALLOCATION_COLUMNS,
    LUF_ROUNDS,
    read_allocation_table,
    read_luf_bids,
)
from levelscope.data.funding.register import (
    AllocationImport,
    read_register,
    store_allocations,
)

__all__ = [
    "ALLOCATION_COLUMNS",
    "LUF_ROUNDS",
    "AllocationImport",
    "read_allocation_table",
    "read_luf_bids",
    "read_register",
    "store_allocations",
]
