"""A response, and the submissions it answers (one response may answer several)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.models import CreatedAt, enum_check
from ..extensions import Model, db
from ..questions.models import Question

RESPONSE_KINDS: tuple[str, ...] = ("answered", "taken_on_board", "referred", "written")

response_questions = Table(
    "response_questions",
    db.metadata,
    Column("response_id", ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True),
    Column("question_id", ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Response(CreatedAt, Model):
    __tablename__ = "responses"
    __table_args__ = (enum_check("kind", RESPONSE_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    responder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referred_to: Mapped[str | None] = mapped_column(String(300))  # the competent body, for ``referred``
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    search_text: Mapped[str] = mapped_column(Text, default="")

    responder: Mapped[User | None] = relationship(foreign_keys=[responder_id], lazy="joined")
    questions: Mapped[list[Question]] = relationship(secondary=response_questions, lazy="selectin")
