"""The speakers' queue. A turn's clock is derived from its stored times, never ticked on the server.

Waiting = no begin; speaking = begun and not ended (paused while ``pause_time`` is set);
finished = ended. Time used = (end or now) − begin − total pause (− the current pause).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.db_types import UTCDateTime
from ..core.models import CreatedAt, enum_check
from ..extensions import Model

SPEAKER_STATUSES: tuple[str, ...] = ("waiting", "speaking", "finished", "withdrawn")


class Speaker(CreatedAt, Model):
    __tablename__ = "speakers"
    __table_args__ = (
        enum_check("status", SPEAKER_STATUSES),
        CheckConstraint("seconds_allowed > 0", name="seconds_allowed_positive"),
        CheckConstraint("total_pause_seconds >= 0", name="total_pause_nonnegative"),
        CheckConstraint("status <> 'speaking' OR (begin_time IS NOT NULL AND end_time IS NULL)", name="speaking_begun"),
        CheckConstraint("status <> 'finished' OR end_time IS NOT NULL", name="finished_ended"),
        # One waiting entry per person, and one turn speaking at a time, per session.
        Index(
            "uq_speakers_one_waiting",
            "session_id",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
        Index(
            "uq_speakers_one_speaking",
            "session_id",
            unique=True,
            sqlite_where=text("status = 'speaking'"),
            postgresql_where=text("status = 'speaking'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    weight: Mapped[int] = mapped_column(Integer, default=0)  # order among the waiting
    seconds_allowed: Mapped[int] = mapped_column(Integer)
    begin_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pause_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    total_pause_seconds: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str | None] = mapped_column(String(2000))  # the clerk's note of what was said

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


def seconds_used(turn, at: datetime) -> int:  # a Speaker or a row with its four time columns
    """Speaking time used: (end or ``at``) − begin − pauses (− the pause under way), whole seconds. The one rule
    for the live clock, the minutes and the statistics."""
    if turn.begin_time is None:
        return 0
    end = turn.end_time or at
    used = (end - turn.begin_time).total_seconds() - (turn.total_pause_seconds or 0)
    if turn.pause_time is not None and turn.end_time is None:
        used -= (at - turn.pause_time).total_seconds()
    return max(0, int(used))
