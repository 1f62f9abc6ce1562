"""The arithmetic of Vietnamese working days, with no database: the law's calendar (weekends, the public holidays
of the Labour Code, Tết and Hùng Kings' day by the lunar calendar, the Government's substituted days) from the
``holidays`` library, corrected by the office's exceptions.

A ``WorkCalendar`` is immutable and works a year at a time: the first question about a year builds that year's
set of days off and its sorted list of working days, later questions are a set lookup or a bisection. The
clocks ask it for thousands of rows in one list, so nothing here issues SQL or builds a holiday object per call.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from ..core.timeutil import to_local

SATURDAY, SUNDAY = 5, 6
WEEKEND_DAYS = frozenset({SATURDAY, SUNDAY})
# The library's lunar tables (Tết, Hùng Kings' day) run from 1901 to 2100; outside them a year would silently lose
# its lunar holidays, so the calendar refuses it instead of giving a wrong deadline.
FIRST_YEAR, LAST_YEAR = 1901, 2100
# The library's languages for the names of the holidays, by the app's locale.
LIBRARY_LANGUAGES = {"vi": "vi", "en": "en_US"}

# Why a day is not a working day (the API's ``kind`` of a non-working day).
WEEKEND, HOLIDAY, OFFICE_DAY_OFF = "weekend", "holiday", "day_off"
# Who made a weekend day a working day.
BY_LAW, BY_OFFICE = "law", "office"


@dataclass(frozen=True)
class LawYear:
    """The law's calendar of one year: the public holidays (date → name) and the weekend days the Government made
    working days to bridge a substituted day off (22/08/2026 for 31/08/2026)."""

    year: int
    holidays: dict[date, str]
    working_weekend_days: frozenset[date]


@lru_cache(maxsize=512)
def law_year(year: int, language: str = "vi") -> LawYear:
    """The library's calendar of ``year``, its names in ``language`` (the app's ``vi`` or ``en``).

    The neighbouring years are built too: a substituted day off of one year may be paid back by working a
    Saturday of the year before (02/01/2015 for 27/12/2014), and only the later year's rules know it.
    """
    years = range(max(FIRST_YEAR, year - 1), min(LAST_YEAR, year + 1) + 1)
    table = holidays.country_holidays("VN", years=years, language=LIBRARY_LANGUAGES.get(language, "vi"))
    return LawYear(
        year=year,
        holidays={day: name for day, name in sorted(table.items()) if day.year == year},
        working_weekend_days=frozenset(day for day in table.weekend_workdays if day.year == year),
    )


def local_day(value: date | datetime) -> date:
    """The calendar day a moment falls on in Vietnam: a submission at 06:00 on a Monday in Hà Nội is 23:00 on
    Sunday in UTC, and must count from Monday."""
    if isinstance(value, datetime):
        local = to_local(value)
        assert local is not None
        return local.date()
    return value


@dataclass(frozen=True)
class _Year:
    off: frozenset[int]  # ordinals of the days that are not working days
    working: tuple[int, ...]  # ordinals of the working days, ascending


class WorkCalendar:
    """Working days: Monday to Friday, less the public holidays, plus the weekend days the law makes working days;
    then the office's exceptions win (``days_off`` are not working days, ``working_days`` are)."""

    def __init__(self, days_off: Iterable[date] = (), working_days: Iterable[date] = ()) -> None:
        self.days_off = frozenset(days_off)
        self.working_days = frozenset(working_days)
        if self.days_off & self.working_days:
            raise ValueError("a day cannot be both a day off and a working day")
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()

    # The year tables ------------------------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            with self._lock:
                found = self._years.get(year)
                if found is None:
                    found = self._years[year] = self._build_year(year)
        return found

    def _build_year(self, year: int) -> _Year:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"year {year} is outside the calendar ({FIRST_YEAR}–{LAST_YEAR})")
        law = law_year(year)
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        off: set[int] = set()
        working: list[int] = []
        for ordinal in range(first, last + 1):
            day = date.fromordinal(ordinal)
            if self._is_working(day, law):
                working.append(ordinal)
            else:
                off.add(ordinal)
        return _Year(frozenset(off), tuple(working))

    def _is_working(self, day: date, law: LawYear) -> bool:
        if day in self.days_off:
            return False
        if day in self.working_days:
            return True
        if day in law.holidays:
            return False
        return day.weekday() not in WEEKEND_DAYS or day in law.working_weekend_days

    # Questions --------------------------------------------------------------------------------------------------

    def is_working_day(self, value: date | datetime) -> bool:
        day = local_day(value)
        return day.toordinal() not in self._year(day.year).off

    def add_working_days(self, start: date | datetime, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself never counts, working or not); with a
        negative ``n``, the ``-n``-th working day before it; ``n == 0`` gives ``start``'s day back.

        10 working days after a submission on the Friday before Tết (13/02/2026) is 06/03/2026: the five days of
        Tết and two weekends are skipped.
        """
        day = local_day(start)
        if n == 0:
            return day
        ordinal = day.toordinal()
        year = day.year
        working = self._year(year).working
        if n > 0:
            index = bisect_right(working, ordinal) + n - 1
            while index >= len(working):
                index -= len(working)
                year += 1
                working = self._year(year).working
        else:
            index = bisect_left(working, ordinal) + n
            while index < 0:
                year -= 1
                working = self._year(year).working
                index += len(working)
        return date.fromordinal(working[index])

    def next_working_day(self, value: date | datetime) -> date:
        """The first working day after ``value`` (never ``value`` itself)."""
        return self.add_working_days(value, 1)

    def previous_working_day(self, value: date | datetime) -> date:
        """The last working day before ``value`` (never ``value`` itself)."""
        return self.add_working_days(value, -1)

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """How many working days come after ``a`` up to and including ``b``: the inverse of ``add_working_days``
        (``working_days_between(a, add_working_days(a, n)) == n``). Negative when ``b`` is before ``a``."""
        first, last = local_day(a), local_day(b)
        if last < first:
            return -self.working_days_between(last, first)
        count = 0
        for year in range(first.year, last.year):
            count += len(self._year(year).working)
        count += bisect_right(self._year(last.year).working, last.toordinal())
        count -= bisect_right(self._year(first.year).working, first.toordinal())
        return count

    def working_days_in_year(self, year: int) -> int:
        return len(self._year(year).working)

    # What a page or the API lists ---------------------------------------------------------------------------------

    def non_working_days(self, year: int, language: str = "vi") -> list[tuple[date, str, str | None]]:
        """Every day of ``year`` that is not a working day, in order: ``(day, why, name)`` where ``why`` is a public
        holiday (with its name), the office's day off, or a weekend day."""
        law = law_year(year, language)
        rows: list[tuple[date, str, str | None]] = []
        for ordinal in sorted(self._year(year).off):
            day = date.fromordinal(ordinal)
            if day in self.days_off:
                rows.append((day, OFFICE_DAY_OFF, None))
            elif day in law.holidays:
                rows.append((day, HOLIDAY, law.holidays[day]))
            else:
                rows.append((day, WEEKEND, None))
        return rows

    def working_weekend_days(self, year: int) -> list[tuple[date, str]]:
        """The Saturdays and Sundays of ``year`` that are working days, and who made them so (the law or the
        office)."""
        rows = []
        first = date(year, 1, 1)
        for offset in range((date(year, 12, 31) - first).days + 1):
            day = first + timedelta(days=offset)
            if day.weekday() in WEEKEND_DAYS and self.is_working_day(day):
                rows.append((day, BY_OFFICE if day in self.working_days else BY_LAW))
        return rows
