"""Time: stored in UTC, shown in Asia/Ho_Chi_Minh as dd/mm/yyyy and 24-hour time.

``now()`` is the one clock of the app so tests (and the overdue rules) can move it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

UTC = UTC
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_offset = timedelta(0)


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC) + _offset


def today_local() -> date:
    return now().astimezone(LOCAL_TZ).date()


def set_clock_offset(delta: timedelta) -> None:
    """Moves the app's clock (tests, and the demo's what-if)."""
    global _offset
    _offset = delta


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def local_to_utc(value: datetime) -> datetime:
    """A naive wall-clock time typed in Vietnam, as aware UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_local(value)
    return local.strftime("%H:%M %d/%m/%Y")


def format_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%H:%M")


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 with the Vietnam offset, as API.md asks."""
    if value is None:
        return None
    return to_local(value).isoformat()
