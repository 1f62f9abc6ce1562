"""Counting and paging a SELECT: one piece for the pages and the API, two queries whatever the size."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from ..extensions import db
from .inputs import DB_INT_MAX


def count_of(stmt: Select) -> int:
    """How many rows ``stmt`` would return (its ORDER BY dropped: it does not change a count)."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def page_of(stmt: Select, page: int = 1, per_page: int = 50) -> dict:
    """One page of ``stmt`` and the total, in the API's list format: ``{items, page, per_page, total}``."""
    page = min(max(1, int(page or 1)), DB_INT_MAX)  # the offset stays one the database can take
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return {"items": items, "page": page, "per_page": per_page, "total": count_of(stmt)}
