"""The calendar of Vietnamese working days every deadline counts on: the law's holidays (Tết and Hùng Kings' day
by the lunar calendar), weekends, the Government's make-up Saturdays, and the office's own days off and working
days; the arithmetic the clocks use; and the admin's changes, which only a top-level admin may make."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DataError, IntegrityError

from dialogue.audit.models import AuditEntry
from dialogue.calendar import services
from dialogue.calendar.models import DAY_OFF, WORKING_DAY, CalendarException
from dialogue.calendar.workcalendar import WorkCalendar, law_year
from dialogue.core.errors import Conflict, Forbidden, Invalid
from dialogue.extensions import db

LAW = WorkCalendar()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def nothing_stored() -> bool:
    exceptions = db.session.scalar(select(func.count(CalendarException.id)))
    entries = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action.like("calendar.%")))
    return exceptions == 0 and entries == 0


# The law's calendar ------------------------------------------------------------------------------------------


def test_tet_2026_is_five_days_off_from_new_years_eve():
    assert [LAW.is_working_day(d) for d in days(date(2026, 2, 13), date(2026, 2, 23))] == [
        True,  # Fri 13/02
        False,  # Sat
        False,  # Sun
        False,  # Mon 16/02: Giao thừa
        False,  # Tết Nguyên Đán
        False,
        False,
        False,  # Fri 20/02: Mùng bốn
        False,  # Sat
        False,  # Sun
        True,  # Mon 23/02
    ]
    names = law_year(2026).holidays
    assert names[date(2026, 2, 16)] == "Giao thừa Tết Nguyên Đán"
    assert names[date(2026, 2, 17)] == "Tết Nguyên Đán"


def test_tet_2027_falls_on_a_weekend_and_its_days_are_moved_to_working_days():
    # Mùng một is Saturday 06/02/2027: the days that fall on the weekend move to 29 Tết and Mùng năm.
    off = [d for d in days(date(2027, 2, 1), date(2027, 2, 14)) if not LAW.is_working_day(d)]
    assert off == [*days(date(2027, 2, 4), date(2027, 2, 10)), date(2027, 2, 13), date(2027, 2, 14)]
    assert LAW.is_working_day(date(2027, 2, 3)) and LAW.is_working_day(date(2027, 2, 11))
    assert law_year(2027).holidays[date(2027, 2, 4)] == "29 Tết"


def test_reunification_labour_and_national_days():
    for day in (date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 1), date(2026, 9, 2)):
        assert not LAW.is_working_day(day), day
    # 2026: the Government gave Monday 31/08 off in exchange for Saturday 22/08.
    assert not LAW.is_working_day(date(2026, 8, 31))
    assert LAW.is_working_day(date(2026, 8, 22))
    # 2027: Labour Day is a Saturday, so Monday 03/05 is the day off; 02–03/09 are Thursday and Friday.
    assert not LAW.is_working_day(date(2027, 5, 3))
    assert not LAW.is_working_day(date(2027, 9, 2)) and not LAW.is_working_day(date(2027, 9, 3))
    assert LAW.is_working_day(date(2027, 5, 4))


def test_hung_kings_day_follows_the_lunar_calendar_with_its_observed_day():
    # 10th of the 3rd lunar month: Sunday 26/04/2026 (observed on Monday 27/04), Friday 16/04/2027.
    names = law_year(2026).holidays
    assert names[date(2026, 4, 26)] == "Ngày Giỗ Tổ Hùng Vương"
    assert names[date(2026, 4, 27)] == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert not LAW.is_working_day(date(2026, 4, 27))
    assert not LAW.is_working_day(date(2027, 4, 16))
    assert LAW.is_working_day(date(2027, 4, 15))


def test_weekends_are_not_working_days():
    assert not LAW.is_working_day(date(2026, 3, 7))  # Saturday
    assert not LAW.is_working_day(date(2026, 3, 8))  # Sunday
    assert LAW.is_working_day(date(2026, 3, 9))


def test_without_exceptions_it_agrees_with_the_library_on_every_day_of_several_years():
    table = holidays.country_holidays("VN", years=range(2019, 2031))
    for day in days(date(2020, 1, 1), date(2029, 12, 31)):
        assert LAW.is_working_day(day) == table.is_working_day(day), day


def test_names_in_english_for_the_english_interface():
    assert law_year(2026, "en").holidays[date(2026, 2, 16)] == "Lunar New Year's Eve"
    assert law_year(2026, "vi").holidays[date(2026, 4, 30)] == "Ngày Chiến thắng"


# The arithmetic ---------------------------------------------------------------------------------------------


def test_ten_working_days_after_the_friday_before_tet_skip_tet():
    assert LAW.add_working_days(date(2026, 2, 13), 10) == date(2026, 3, 6)
    assert LAW.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    # Wednesday before Tết 2027: Thursday 04/02 to Wednesday 10/02 are off.
    assert LAW.add_working_days(date(2027, 2, 3), 10) == date(2027, 2, 24)
    assert LAW.add_working_days(date(2027, 2, 3), 2) == date(2027, 2, 12)


def test_the_start_never_counts_and_a_holiday_start_counts_from_the_next_working_day():
    assert LAW.add_working_days(date(2026, 2, 17), 1) == date(2026, 2, 23)  # submitted during Tết
    assert LAW.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # on a Saturday
    assert LAW.add_working_days(date(2026, 3, 9), 0) == date(2026, 3, 9)
    assert LAW.next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)
    assert LAW.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 13)
    assert LAW.add_working_days(date(2026, 3, 6), -10) == date(2026, 2, 13)


def test_across_the_year_and_many_years():
    assert LAW.add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)  # 01/01 and the weekend skipped
    assert LAW.add_working_days(date(2027, 1, 4), -2) == date(2026, 12, 30)
    assert LAW.working_days_in_year(2026) == 249
    far = LAW.add_working_days(date(2026, 1, 1), 1000)
    assert LAW.working_days_between(date(2026, 1, 1), far) == 1000


def test_working_days_between_is_the_inverse_of_adding():
    start = date(2025, 12, 1)
    for offset in range(0, 500, 7):
        a = start + timedelta(offset)
        for n in (1, 5, 10, 20, 60):
            assert LAW.working_days_between(a, LAW.add_working_days(a, n)) == n
            assert LAW.working_days_between(LAW.add_working_days(a, n), a) == -n
    assert LAW.working_days_between(date(2026, 2, 13), date(2026, 2, 22)) == 0
    assert LAW.working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0


def test_a_moment_counts_by_its_day_in_vietnam():
    # 23:30 UTC on Sunday 15/02 is 06:30 on Monday 16/02 in Vietnam: Giao thừa, not a working day.
    assert not LAW.is_working_day(datetime(2026, 2, 15, 23, 30, tzinfo=UTC))
    # 16:30 UTC on Friday 13/02 is 23:30 the same Friday in Vietnam.
    assert LAW.add_working_days(datetime(2026, 2, 13, 16, 30, tzinfo=UTC), 10) == date(2026, 3, 6)
    # 17:30 UTC on Friday 13/02 is already Saturday 14/02 in Vietnam: still 06/03, the Saturday never counts.
    assert LAW.add_working_days(datetime(2026, 2, 13, 17, 30, tzinfo=UTC), 10) == date(2026, 3, 6)
    assert LAW.add_working_days(datetime(2026, 2, 12, 17, 30, tzinfo=UTC), 1) == date(2026, 2, 23)


def test_years_without_the_librarys_lunar_dates_are_refused_not_guessed():
    assert law_year(2100).holidays  # the last year with Tết
    with pytest.raises(ValueError):
        LAW.is_working_day(date(2101, 1, 3))
    with pytest.raises(ValueError):
        LAW.add_working_days(date(2100, 12, 28), 10)


def test_a_day_cannot_be_both_off_and_working():
    with pytest.raises(ValueError):
        WorkCalendar(days_off=[date(2026, 2, 28)], working_days=[date(2026, 2, 28)])


# The office's exceptions ------------------------------------------------------------------------------------


def test_a_make_up_saturday_counts_and_an_added_day_off_is_skipped(tree):
    saturday, monday = date(2026, 2, 28), date(2026, 2, 23)
    assert not services.is_working_day(saturday)
    services.add_exception(tree.admin, saturday, WORKING_DAY, "Làm bù cho ngày 23/02/2026")
    services.add_exception(tree.admin, monday, DAY_OFF, "Nghỉ thêm sau Tết theo thông báo của Chính phủ")
    db.session.commit()
    assert services.is_working_day(saturday)
    assert not services.is_working_day(monday)
    # After the Friday before Tết: 24, 25, 26, 27/02, then the make-up Saturday 28/02 is the fifth working day.
    assert services.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 24)
    assert services.add_working_days(date(2026, 2, 13), 5) == saturday
    assert services.add_working_days(date(2026, 2, 13), 10) == date(2026, 3, 6)
    assert services.next_working_day(date(2026, 2, 27)) == saturday
    assert services.previous_working_day(date(2026, 2, 24)) == date(2026, 2, 13)
    assert services.working_days_between(date(2026, 2, 13), date(2026, 3, 1)) == 5


def test_adding_and_removing_are_audited_and_counted_at_once(tree):
    day = date(2026, 5, 4)
    assert services.is_working_day(day)
    exception = services.add_exception(tree.admin, day, DAY_OFF, "  Nghỉ bù ngày 02/05  ")
    assert not services.is_working_day(day)  # the same request sees its own change
    assert exception.note == "Nghỉ bù ngày 02/05"
    db.session.commit()
    services.remove_exception(tree.admin, exception)
    assert services.is_working_day(day)
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id) for e in entries if e.action.startswith("calendar.")] == [
        ("calendar.add", tree.admin.id),
        ("calendar.remove", tree.admin.id),
    ]
    added, removed = (e for e in entries if e.action.startswith("calendar."))
    assert added.after == {"day": "2026-05-04", "kind": "day_off", "note": "Nghỉ bù ngày 02/05"}
    assert removed.before == added.after and removed.after is None
    assert db.session.scalar(select(func.count(CalendarException.id))) == 0


def test_a_refused_change_rolled_back_is_forgotten(tree):
    day = date(2026, 5, 4)
    services.add_exception(tree.admin, day, DAY_OFF, "Thử")
    assert not services.is_working_day(day)
    db.session.rollback()
    assert services.is_working_day(day)


def test_only_a_top_level_admin_may_change_the_calendar(tree, make_user):
    commune_admin = make_user("admin", unit=tree.communes[0])
    for actor in (tree.organizer, tree.host, tree.secretariat, tree.secretaries[0], commune_admin, None):
        with pytest.raises(Forbidden):
            services.add_exception(actor, date(2026, 2, 28), WORKING_DAY, "Làm bù")
    assert nothing_stored()
    exception = services.add_exception(tree.admin, date(2026, 2, 28), WORKING_DAY, "Làm bù")
    db.session.commit()
    with pytest.raises(Forbidden):
        services.remove_exception(commune_admin, exception)
    db.session.rollback()
    assert db.session.get(CalendarException, exception.id) is not None


@pytest.mark.parametrize(
    ("day", "kind", "note", "error", "field"),
    [
        (date(2026, 3, 9), WORKING_DAY, "Làm bù", Invalid, "kind"),  # a Monday is already a working day
        (date(2026, 2, 17), DAY_OFF, "Nghỉ", Invalid, "kind"),  # Tết is already off
        (date(2026, 3, 8), DAY_OFF, "Nghỉ", Invalid, "kind"),  # so is a Sunday
        (date(2026, 3, 9), "holiday", "Nghỉ", Invalid, "kind"),
        (date(2026, 3, 9), DAY_OFF, "   ", Invalid, "note"),
        (date(2026, 3, 9), DAY_OFF, "x" * 301, Invalid, "note"),
        (date(1999, 3, 9), DAY_OFF, "Nghỉ", Invalid, "day"),
    ],
)
def test_an_exception_must_change_what_the_day_is(tree, day, kind, note, error, field):
    with pytest.raises(error) as caught:
        services.add_exception(tree.admin, day, kind, note)
    assert field in caught.value.fields
    db.session.rollback()
    assert nothing_stored()


def test_one_exception_per_date(tree):
    services.add_exception(tree.admin, date(2026, 3, 9), DAY_OFF, "Nghỉ")
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        services.add_exception(tree.admin, date(2026, 3, 9), DAY_OFF, "Lần nữa")
    assert "09/03/2026" in caught.value.message and "day" in caught.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count(CalendarException.id))) == 1


def test_the_database_keeps_the_invariants_too(tree):
    bad_rows = [
        {"day": date(2026, 3, 9), "kind": "holiday", "note": "x"},
        {"day": date(2026, 3, 9), "kind": DAY_OFF, "note": ""},
        {"day": date(2026, 3, 9), "kind": DAY_OFF, "note": "x" * 301},
    ]
    for row in bad_rows:
        db.session.add(CalendarException(**row))
        # PostgreSQL's VARCHAR(300) refuses the long note before the CHECK does; SQLite has only the CHECK.
        with pytest.raises((IntegrityError, DataError), match=r"(?i)check|too long"):
            db.session.flush()
        db.session.rollback()
    db.session.add(CalendarException(day=date(2026, 3, 9), kind=DAY_OFF, note="a"))
    db.session.commit()
    db.session.add(CalendarException(day=date(2026, 3, 9), kind=WORKING_DAY, note="b"))
    with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("21/02/2026", date(2026, 2, 21)), ("1/5/2026", date(2026, 5, 1)), (" 02.09.2026 ", date(2026, 9, 2))],
)
def test_dates_are_typed_as_the_office_writes_them(typed, expected):
    assert services.parse_day(typed) == expected


@pytest.mark.parametrize("typed", ["31/02/2026", "2026-02-21", "21/13/2026", "hôm nay", "", None])
def test_a_wrong_date_is_refused_in_vietnamese(typed):
    with pytest.raises(Invalid) as caught:
        services.parse_day(typed)
    assert caught.value.fields["day"] == ["Ngày không hợp lệ. Xin nhập theo dạng dd/mm/yyyy, ví dụ 21/02/2026."]


# Fast enough for the clocks, right across processes ------------------------------------------------------------


def test_a_list_of_thousands_of_deadlines_asks_the_database_once(tree, count_queries):
    services.add_exception(tree.admin, date(2026, 2, 28), WORKING_DAY, "Làm bù")
    db.session.commit()
    services.forget_exceptions()
    starts = [date(2025, 6, 1) + timedelta(n % 700) for n in range(4000)]
    with count_queries() as counter:
        due = [services.add_working_days(d, 10) for d in starts]
        flags = [services.is_working_day(d) for d in due]
        spans = [services.working_days_between(a, b) for a, b in zip(starts, due, strict=True)]
    assert counter.count == 1
    assert all(flags) and set(spans) == {10}


def test_another_process_change_is_seen_by_the_next_request(app, client, tree, login_as, token_for):
    """A row written by another process (here another connection, behind the services' back) is in the very next
    request's calendar: exceptions are read per request, so no process keeps a stale copy."""
    headers = token_for(tree.secretaries[0])
    before = client.get("/api/v1/calendar?year=2026", headers=headers).get_json()
    assert {"date": "2026-02-28", "source": "office"} not in before["working_weekend_days"]
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO calendar_exceptions (day, kind, note, created_at) VALUES (:d, :k, :n, :c)"),
            {"d": date(2026, 2, 28), "k": WORKING_DAY, "n": "Làm bù", "c": datetime(2026, 1, 5)},
        )
    engine.dispose()
    after = client.get("/api/v1/calendar?year=2026", headers=headers).get_json()
    assert {"date": "2026-02-28", "source": "office"} in after["working_weekend_days"]


def test_a_worker_in_one_app_context_sees_other_processes_changes_at_its_next_transaction(app, count_queries):
    """A job runner or a CLI command keeps one app context for many transactions: each reads the exceptions anew,
    once."""
    day = date(2026, 3, 9)
    assert services.is_working_day(day)
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO calendar_exceptions (day, kind, note, created_at) VALUES (:d, :k, :n, :c)"),
            {"d": day, "k": DAY_OFF, "n": "Nghỉ", "c": datetime(2026, 1, 5)},
        )
    engine.dispose()
    with count_queries() as counter:
        assert services.is_working_day(day)  # the same transaction: what it read stands
    assert counter.count == 0
    db.session.commit()  # the job's transaction ends; the next one begins
    with count_queries() as counter:
        assert not services.is_working_day(day)
        assert services.next_working_day(date(2026, 3, 6)) == date(2026, 3, 10)
    assert counter.count == 1
