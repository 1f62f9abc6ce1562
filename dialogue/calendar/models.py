"""The admin's exceptions to the law's calendar: a day off the Government or the office adds, or a weekend day
made a working day (a make-up Saturday around Tết). The public holidays themselves come from the ``holidays``
library and are never stored: the law's calendar is code, the office's decisions are data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import CreatedAt, enum_check
from ..extensions import Model

DAY_OFF = "day_off"
WORKING_DAY = "working_day"
EXCEPTION_KINDS: tuple[str, ...] = (DAY_OFF, WORKING_DAY)
NOTE_MAX = 300


class CalendarException(CreatedAt, Model):
    """One date the office counts differently from the law's calendar. One per date: a date is either a day off
    or a working day, never both."""

    __tablename__ = "calendar_exceptions"
    __table_args__ = (
        UniqueConstraint("day", name="uq_calendar_exceptions_day"),
        enum_check("kind", EXCEPTION_KINDS),
        CheckConstraint(f"note <> '' AND length(note) <= {NOTE_MAX}", name="note_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(NOTE_MAX))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def scope_unit_id(self) -> None:
        """The calendar is the whole installation's: its audit entries belong to no unit."""
        return None

    def __repr__(self) -> str:
        return f"<CalendarException {self.day} {self.kind}>"
