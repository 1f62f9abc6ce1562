"""A submission and who supports it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.db_types import UTCDateTime
from ..core.models import CreatedAt, enum_check
from ..extensions import Model
from ..units.models import Unit

QUESTION_KINDS: tuple[str, ...] = ("question", "opinion", "recommendation", "proposal")
QUESTION_STATUSES: tuple[str, ...] = ("submitted", "accepted", "returned", "merged", "answered", "withdrawn")


class Question(CreatedAt, Model):
    __tablename__ = "questions"
    __table_args__ = (
        enum_check("kind", QUESTION_KINDS),
        enum_check("status", QUESTION_STATUSES),
        CheckConstraint("(status = 'merged') = (duplicate_of_id IS NOT NULL)", name="merged_has_target"),
        CheckConstraint("status <> 'returned' OR reason IS NOT NULL", name="returned_has_reason"),
        CheckConstraint("duplicate_of_id IS NULL OR duplicate_of_id <> id", name="not_merged_into_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The author's cell when they submitted: filters and counts by unit stay true if they move later.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="submitted", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    position: Mapped[int | None] = mapped_column(Integer)
    attachment_path: Mapped[str | None] = mapped_column(String(300))
    attachment_name: Mapped[str | None] = mapped_column(String(300))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    search_text: Mapped[str] = mapped_column(Text, default="")

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    duplicate_of: Mapped[Question | None] = relationship(remote_side="Question.id")


class QuestionSupport(CreatedAt, Model):
    """One invitee backs an accepted question (one support per person)."""

    __tablename__ = "question_supports"
    __table_args__ = (UniqueConstraint("question_id", "user_id", name="uq_question_supports_question_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
