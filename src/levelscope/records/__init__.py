"""Application records (programmes, assessments, users, tokens) in a transactional database."""

from levelscope.records.db import (
    Base,
    ConflictError,
    Record,
    connect,
    default_url,
    restore,
    soft_delete,
    transaction,
    upgrade,
)

__all__ = [
    "Base",
    "ConflictError",
    "Record",
    "connect",
    "default_url",
    "restore",
    "soft_delete",
    "transaction",
    "upgrade",
]
