"""Model helpers shared by every area's ``models.py``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .db_types import UTCDateTime
from .timeutil import now


def enum_check(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    """A CHECK that keeps a state column inside its allowed values, in the database too."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_allowed")


class CreatedAt:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, nullable=False)
