from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db_types import UTCDateTime
from ..core.models import CreatedAt
from ..extensions import Model


class Notification(CreatedAt, Model):
    """A notice in the app for one person (your question was merged, a commitment was verified...)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SentReminder(CreatedAt, Model):
    """One row per reminder sent per day: the unique key is what stops a second send on the same day."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("key", "sent_on", name="uq_sent_reminders_key_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    sent_on: Mapped[date] = mapped_column(Date)
