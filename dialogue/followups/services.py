"""The follow-up's services as other areas call them (responses record a commitment with a response; the reports
read what is overdue). The rules live in the modules by job: ``creation`` (giving a commitment), ``operations``
(moving one), ``queries`` and ``counts`` (reading), ``notices`` (who is told what), ``permissions`` (who may)."""

from __future__ import annotations

from .counts import Buckets, dashboard
from .creation import create_commitment
from .operations import (
    cancel,
    change_commitment,
    extend_deadline,
    lock_commitment,
    mark_done,
    post_update,
    reopen,
    set_status,
    start,
    verify,
)
from .permissions import allowed_actions
from .queries import Filters, get_commitment, is_overdue, list_statement, overdue_clause

__all__ = [
    "Buckets",
    "Filters",
    "allowed_actions",
    "cancel",
    "change_commitment",
    "create_commitment",
    "dashboard",
    "extend_deadline",
    "get_commitment",
    "is_overdue",
    "list_statement",
    "lock_commitment",
    "mark_done",
    "overdue_clause",
    "post_update",
    "reopen",
    "set_status",
    "start",
    "verify",
]
