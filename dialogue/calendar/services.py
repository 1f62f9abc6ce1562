"""The office's calendar of working days: what every deadline counts on, and the admin's changes to it.

Reading is cheap by design. The law's calendar (``workcalendar.law_year``) is built once per process and year.
The office's exceptions are read with one small query the first time a transaction (a request, a job, a CLI
command) asks, and kept in ``flask.g`` until that transaction ends: every process sees an admin's change from its
next request on, with no version number to keep in step, and a list of thousands of rows asks the database once.
Measured (``bench/workdays.py``): reading 10 to 100 exceptions costs a request 0.2 to 0.4 ms more than reading a
version number would; the saving was not worth a second source of truth. The calendar built from a
given set of exceptions is kept per process too, so its year tables are built once, not per request.

Services change rows and write the audit entry; they never commit (the boundary does, ``core/uow.py``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..audit.services import record, snapshot
from ..core.errors import Conflict, Invalid, NotFound
from ..core.text import nfc
from ..core.timeutil import format_date
from ..extensions import db
from .models import DAY_OFF, EXCEPTION_KINDS, NOTE_MAX, WORKING_DAY, CalendarException
from .permissions import check_can_change_calendar
from .workcalendar import WorkCalendar, law_year, local_day

EXCEPTION_FIELDS = ("day", "kind", "note")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years an admin may edit or a page may show
_G_KEY = "calendar_work_calendar"
_TYPED_DAY = re.compile(r"\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*")


# The calendar of this request --------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _calendar_for(exceptions: tuple[tuple[date, str], ...]) -> WorkCalendar:
    """One calendar per distinct set of exceptions, shared by the requests of this process."""
    return WorkCalendar(
        days_off=[day for day, kind in exceptions if kind == DAY_OFF],
        working_days=[day for day, kind in exceptions if kind == WORKING_DAY],
    )


def _read_exceptions() -> tuple[tuple[date, str], ...]:
    rows = db.session.execute(select(CalendarException.day, CalendarException.kind).order_by(CalendarException.day))
    return tuple((day, kind) for day, kind in rows)


def work_calendar() -> WorkCalendar:
    """The calendar as this transaction sees it: the law's, corrected by the office's exceptions (one query, the
    first time it asks)."""
    if not has_app_context():
        raise RuntimeError("the office's calendar is read inside an app context (a request, a command, a job)")
    calendar = g.get(_G_KEY)
    if calendar is None:
        calendar = _calendar_for(_read_exceptions())
        setattr(g, _G_KEY, calendar)
    return calendar


def forget_exceptions() -> None:
    """The next question reads the exceptions again (after a change, or a rollback that undid one)."""
    if has_app_context():
        g.pop(_G_KEY, None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_at_transaction_end(session: Session) -> None:
    # The exceptions are read once per transaction: after a rollback the calendar held may have read a refused
    # change's flushed row, and a worker or command that runs many transactions in one app context must see what
    # other processes committed meanwhile. A request is one transaction, so it still reads them once.
    forget_exceptions()


def is_working_day(d: date | datetime) -> bool:
    """A moment (``datetime``) counts by its day in Vietnam."""
    return work_calendar().is_working_day(d)


def add_working_days(start: date | datetime, n: int) -> date:
    """The ``n``-th working day after ``start``, which itself never counts (``WorkCalendar.add_working_days``)."""
    return work_calendar().add_working_days(start, n)


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``)."""
    return work_calendar().working_days_between(a, b)


def next_working_day(d: date | datetime) -> date:
    """The first working day after ``d``."""
    return work_calendar().next_working_day(d)


def previous_working_day(d: date | datetime) -> date:
    """The last working day before ``d``."""
    return work_calendar().previous_working_day(d)


# Reading for the page and the API ------------------------------------------------------------------------------


def check_year(value: Any) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        message = _l("Năm phải là một số từ %(a)s đến %(b)s.", a=FIRST_YEAR, b=LAST_YEAR)
        raise Invalid(message, fields={"year": [str(message)]})
    return year


def exceptions_of_year(year: int) -> list[CalendarException]:
    stmt = (
        select(CalendarException)
        .where(CalendarException.day >= date(year, 1, 1), CalendarException.day <= date(year, 12, 31))
        .order_by(CalendarException.day)
    )
    return list(db.session.scalars(stmt))


def public_holidays(year: int, language: str = "vi") -> list[tuple[date, str]]:
    """The law's public holidays of ``year`` with their names in ``language`` (those on a weekend included)."""
    return list(law_year(year, language).holidays.items())


def year_overview(year: int, language: str = "vi") -> dict[str, Any]:
    """Everything the admin page and the API show for a year, in one place."""
    calendar = work_calendar()
    return {
        "year": year,
        "working_days_count": calendar.working_days_in_year(year),
        "public_holidays": public_holidays(year, language),
        "non_working_days": calendar.non_working_days(year, language),
        "working_weekend_days": calendar.working_weekend_days(year),
        "exceptions": exceptions_of_year(year),
    }


def get_exception(exception_id: int) -> CalendarException:
    found = db.session.get(CalendarException, exception_id)
    if found is None:
        raise NotFound(_l("Không tìm thấy ngày này trong lịch của cơ quan."))
    return found


# The admin's changes -----------------------------------------------------------------------------------------


def parse_day(text: str | None, field: str = "day") -> date:
    """A date typed as dd/mm/yyyy (also d/m/yyyy, with dots or dashes), as the office writes it."""
    match = _TYPED_DAY.fullmatch(text or "")
    day = None
    if match:
        try:
            day = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            day = None
    if day is None:
        message = _l("Ngày không hợp lệ. Xin nhập theo dạng dd/mm/yyyy, ví dụ 21/02/2026.")
        raise Invalid(message, fields={field: [str(message)]})
    return day


def _check_new_exception(day: date, kind: str, note: str) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in EXCEPTION_KINDS:
        errors["kind"] = [str(_l("Xin chọn ngày nghỉ hoặc ngày làm việc."))]
    if not note:
        errors["note"] = [str(_l("Xin ghi lý do (ví dụ: theo thông báo số …, làm bù cho ngày …)."))]
    elif len(note) > NOTE_MAX:
        errors["note"] = [str(_l("Lý do dài quá %(n)s ký tự.", n=NOTE_MAX))]
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors["day"] = [str(_l("Năm phải là một số từ %(a)s đến %(b)s.", a=FIRST_YEAR, b=LAST_YEAR))]
    if errors:
        raise Invalid(_l("Chưa thêm được: xin sửa các ô được đánh dấu."), fields=errors)
    existing = db.session.scalar(select(CalendarException).where(CalendarException.day == day))
    if existing is not None:
        message = _l(
            "Ngày %(day)s đã có trong lịch của cơ quan (%(note)s). Xin xóa mục đó trước nếu muốn đổi.",
            day=format_date(day),
            note=existing.note,
        )
        raise Conflict(message, fields={"day": [str(message)]})
    # Against the law's calendar alone: an exception must change what the day is.
    law_working = _calendar_for(()).is_working_day(day)
    if kind == WORKING_DAY and law_working:
        message = _l("Ngày %(day)s vốn đã là ngày làm việc.", day=format_date(day))
        raise Invalid(message, fields={"kind": [str(message)]})
    if kind == DAY_OFF and not law_working:
        message = _l("Ngày %(day)s vốn đã là ngày nghỉ (cuối tuần hoặc ngày lễ).", day=format_date(day))
        raise Invalid(message, fields={"kind": [str(message)]})


def add_exception(actor: Any, day: date, kind: str, note: str | None) -> CalendarException:
    """The admin makes ``day`` a day off or a working day (a make-up Saturday), with the reason."""
    check_can_change_calendar(actor)
    day = local_day(day)
    note = nfc(note or "") or ""
    _check_new_exception(day, kind, note)
    exception = CalendarException(day=day, kind=kind, note=note, created_by_id=getattr(actor, "id", None))
    db.session.add(exception)
    db.session.flush()
    record(actor, "calendar.add", exception, after=snapshot(exception, EXCEPTION_FIELDS))
    forget_exceptions()
    return exception


def remove_exception(actor: Any, exception: CalendarException) -> None:
    """The day counts as the law's calendar says again."""
    check_can_change_calendar(actor)
    record(actor, "calendar.remove", exception, before=snapshot(exception, EXCEPTION_FIELDS))
    db.session.delete(exception)
    db.session.flush()
    forget_exceptions()
