"""Reporting periods as the Party's rules on dialogue ask: a month, a quarter, six months, nine months, a year,
or any range of days. Days are local (Asia/Ho_Chi_Minh); bounds are turned into UTC for the queries."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from ..core.errors import Invalid
from ..core.inputs import day_problem
from ..core.timeutil import UTC, local_to_utc, today_local

PERIOD_KINDS: dict[str, object] = {
    "month": _l("Tháng"),
    "quarter": _l("Quý"),
    "half": _l("6 tháng"),
    "nine_months": _l("9 tháng"),
    "year": _l("Năm"),
    "range": _l("Khoảng ngày tùy chọn"),
}


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    title: str  # "Quý I năm 2025", "6 tháng đầu năm 2025"...
    params: dict

    @property
    def start_utc(self) -> datetime:
        return local_to_utc(datetime.combine(self.start, time.min))

    @property
    def end_utc(self) -> datetime:
        """Exclusive: the first instant after the last day."""
        return local_to_utc(datetime.combine(self.end + timedelta(days=1), time.min)).astimezone(UTC)


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _int(value, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(_l("Giá trị không hợp lệ."), fields={name: [str(_l("Phải là số."))]}) from None
    if not low <= number <= high:
        raise Invalid(_l("Giá trị không hợp lệ."), fields={name: [str(_l("Ngoài khoảng cho phép."))]})
    return number


def _day(value, name: str) -> date:
    try:
        day = date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise Invalid(_l("Ngày không hợp lệ."), fields={name: [str(_l("Ngày không hợp lệ (dd/mm/yyyy)."))]}) from None
    problem = day_problem(day)
    if problem:
        raise Invalid(problem, fields={name: [problem]})
    return day


def parse_period(args) -> Period:
    """A period from query arguments: ``kind`` and ``year``/``month``/``quarter``, or ``from``/``to`` (YYYY-MM-DD).
    Without arguments: the current year."""
    today = today_local()
    kind = args.get("kind") or "year"
    if kind not in PERIOD_KINDS:
        raise Invalid(_l("Loại kỳ báo cáo không hợp lệ."), fields={"kind": [str(_l("Không hợp lệ."))]})
    year = _int(args.get("year") or today.year, "year", 2000, 2100)
    if kind == "month":
        month = _int(args.get("month") or today.month, "month", 1, 12)
        last = calendar.monthrange(year, month)[1]
        return Period(
            kind,
            date(year, month, 1),
            date(year, month, last),
            f"Tháng {month} năm {year}",
            _p(kind, year, month=month),
        )
    if kind == "quarter":
        quarter = _int(args.get("quarter") or (today.month - 1) // 3 + 1, "quarter", 1, 4)
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        end = date(year, last_month, calendar.monthrange(year, last_month)[1])
        return Period(
            kind,
            date(year, first_month, 1),
            end,
            f"Quý {ROMAN[quarter]} năm {year}",
            _p(kind, year, quarter=quarter),
        )
    if kind == "half":
        return Period(kind, date(year, 1, 1), date(year, 6, 30), f"6 tháng đầu năm {year}", _p(kind, year))
    if kind == "nine_months":
        return Period(kind, date(year, 1, 1), date(year, 9, 30), f"9 tháng đầu năm {year}", _p(kind, year))
    if kind == "year":
        return Period(kind, date(year, 1, 1), date(year, 12, 31), f"Năm {year}", _p(kind, year))
    start = _day(args.get("from"), "from")
    end = _day(args.get("to"), "to")
    if end < start:
        raise Invalid(_l("Ngày kết thúc phải sau ngày bắt đầu."), fields={"to": [str(_l("Trước ngày bắt đầu."))]})
    if (end - start).days > 366 * 100:
        raise Invalid(_l("Khoảng ngày quá dài (tối đa 100 năm)."), fields={"to": [str(_l("Quá dài."))]})
    title = f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"
    return Period(kind, start, end, title, {"kind": kind, "from": start.isoformat(), "to": end.isoformat()})


def _p(kind: str, year: int, **extra) -> dict:
    return {"kind": kind, "year": year, **extra}
