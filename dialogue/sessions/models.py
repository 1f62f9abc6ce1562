"""A dialogue session and who is invited to it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.db_types import UTCDateTime
from ..core.models import CreatedAt, enum_check
from ..extensions import Model
from ..units.models import Unit

SESSION_STATUSES: tuple[str, ...] = ("draft", "open", "closed", "live", "ended")
RSVP_STATES: tuple[str, ...] = ("pending", "accepted", "declined")


class DialogueSession(CreatedAt, Model):
    """One buổi tiếp xúc, đối thoại. ``live_version`` grows by one with every change of its live state."""

    __tablename__ = "dialogue_sessions"
    __table_args__ = (
        enum_check("status", SESSION_STATUSES),
        CheckConstraint("turn_seconds > 0", name="turn_seconds_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(300))
    term: Mapped[str | None] = mapped_column(String(50))
    venue: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    questions_close_at: Mapped[datetime] = mapped_column(UTCDateTime())
    turn_seconds: Mapped[int] = mapped_column(Integer, default=300)
    host_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    allow_support: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Live state (the live area owns these columns).
    live_version: Mapped[int] = mapped_column(Integer, default=0)
    queue_open: Mapped[bool] = mapped_column(Boolean, default=True)
    queue_new_speakers_first: Mapped[bool] = mapped_column(Boolean, default=False)
    projector_secret: Mapped[str | None] = mapped_column(String(64), unique=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the live opening
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the live closing
    # The iCalendar SEQUENCE: grows with every change of the schedule, so calendars take the new one.
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    host_unit: Mapped[Unit] = relationship(lazy="joined")
    hosts: Mapped[list[SessionHost]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    invited_units: Mapped[list[SessionInvitedUnit]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class SessionHost(Model):
    """A leader who chairs or answers at the session (chủ trì)."""

    __tablename__ = "session_hosts"

    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)

    user: Mapped[User] = relationship(lazy="joined")


class SessionInvitedUnit(Model):
    """A unit the organizer chose; the cell secretaries beneath it are invited."""

    __tablename__ = "session_invited_units"

    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)

    unit: Mapped[Unit] = relationship(lazy="joined")


class Invitation(CreatedAt, Model):
    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_invitations_session_user"),
        enum_check("rsvp", RSVP_STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The cell the person belonged to when invited: counts per unit stay true if they move later.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    rsvp: Mapped[str] = mapped_column(String(10), default="pending")
    rsvp_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    link_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_on: Mapped[date | None] = mapped_column(Date)
    # Added one by one by the organizer (not through an invited unit): kept when the units change.
    added_individually: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    session: Mapped[DialogueSession] = relationship()
