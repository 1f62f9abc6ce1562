"""Commitments and their trail. ``overdue`` is derived from the due date and the state, never stored."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.db_types import UTCDateTime
from ..core.models import CreatedAt, enum_check
from ..extensions import Model
from ..questions.models import Question
from ..responses.models import Response
from ..sessions.models import DialogueSession
from ..units.models import Unit

COMMITMENT_STATUSES: tuple[str, ...] = ("assigned", "in_progress", "done", "verified", "cancelled")
OPEN_STATUSES: tuple[str, ...] = ("assigned", "in_progress")
PRIORITIES: tuple[str, ...] = ("low", "normal", "high")
UPDATE_KINDS: tuple[str, ...] = ("created", "progress", "status", "extended")
# The states each move of a commitment starts from: what the services check and what the pages offer.
MOVES_FROM: dict[str, tuple[str, ...]] = {
    "start": ("assigned",),
    "update": OPEN_STATUSES,
    "done": OPEN_STATUSES,
    "verify": ("done",),
    "reopen": ("done", "verified", "cancelled"),
    "cancel": ("assigned", "in_progress", "done"),
    "extend": OPEN_STATUSES,
}


class Commitment(CreatedAt, Model):
    __tablename__ = "commitments"
    __table_args__ = (
        enum_check("status", COMMITMENT_STATUSES),
        enum_check("priority", PRIORITIES),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("(status = 'cancelled') = (cancel_reason IS NOT NULL)", name="cancelled_has_reason"),
        CheckConstraint("status <> 'verified' OR verified_at IS NOT NULL", name="verified_has_date"),
        CheckConstraint("status NOT IN ('done', 'verified') OR done_at IS NOT NULL", name="done_has_date"),
        CheckConstraint("status <> 'done' OR result_report IS NOT NULL", name="done_has_report"),
        Index("ix_commitments_status_due", "status", "due_date"),
        # Covering indexes for the dashboard's aggregates (by unit, by session) and the lists ordered by due date.
        Index("ix_commitments_unit_status_due", "unit_id", "status", "due_date"),
        Index("ix_commitments_session_status_due", "session_id", "status", "due_date"),
        Index("ix_commitments_due_id", "due_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("dialogue_sessions.id"), index=True)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id"))
    description: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_date: Mapped[date] = mapped_column(Date)
    original_due_date: Mapped[date] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(12), default="assigned")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    result_report: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    search_text: Mapped[str] = mapped_column(Text, default="")

    # Loading is explicit: the unit is shown wherever a commitment is, so it always comes in the same query (a
    # join on its key); everything else is loaded by the query that needs it (``joinedload``/``selectinload`` beside
    # it, in queries.py), and reading it unloaded raises instead of costing one query per row of a list.
    unit: Mapped[Unit] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="raise")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="raise")
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id], lazy="raise")
    session: Mapped[DialogueSession | None] = relationship(lazy="raise")
    question: Mapped[Question | None] = relationship(lazy="raise")
    response: Mapped[Response | None] = relationship(lazy="raise")
    updates: Mapped[list[CommitmentUpdate]] = relationship(
        order_by="CommitmentUpdate.id", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class CommitmentUpdate(CreatedAt, Model):
    """One line of a commitment's history: a progress note, a change of state, or a new deadline."""

    __tablename__ = "commitment_updates"
    __table_args__ = (
        enum_check("kind", UPDATE_KINDS),
        CheckConstraint("progress IS NULL OR progress BETWEEN 0 AND 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[int | None] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    old_due_date: Mapped[date | None] = mapped_column(Date)
    new_due_date: Mapped[date | None] = mapped_column(Date)
    attachment_path: Mapped[str | None] = mapped_column(String(300))
    attachment_name: Mapped[str | None] = mapped_column(String(300))

    author: Mapped[User | None] = relationship(lazy="raise")
