"""The admin's calendar page and the calendar API: what they show, who may change it, how a wrong entry is
refused (message, typed text kept, nothing stored), and that neither grows in SQL with the data."""

from __future__ import annotations

import html
from datetime import date, timedelta

from sqlalchemy import func, select

from dialogue.audit.models import AuditEntry
from dialogue.calendar import services
from dialogue.calendar.models import DAY_OFF, WORKING_DAY, CalendarException
from dialogue.calendar.workcalendar import WorkCalendar
from dialogue.extensions import db


def stored() -> tuple[int, int]:
    exceptions = db.session.scalar(select(func.count(CalendarException.id)))
    entries = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action.like("calendar.%")))
    return exceptions, entries


def weekdays_of(year: int, how_many: int) -> list[date]:
    """Law's working days of ``year`` the office could give off."""
    law = WorkCalendar()
    found, day = [], date(year, 1, 1)
    while len(found) < how_many:
        if law.is_working_day(day):
            found.append(day)
        day += timedelta(1)
    return found


def add_days_off(days: list[date]) -> None:
    db.session.add_all([CalendarException(day=d, kind=DAY_OFF, note=f"Nghỉ {d:%d/%m}") for d in days])
    db.session.commit()


# The page ------------------------------------------------------------------------------------------------------


def test_the_page_lists_the_years_holidays_in_vietnamese(client, tree, login_as):
    services.add_exception(tree.admin, date(2026, 2, 28), WORKING_DAY, "Làm bù cho ngày 23/02/2026")
    services.add_exception(tree.admin, date(2026, 2, 23), DAY_OFF, "Nghỉ thêm sau Tết")
    db.session.commit()
    login_as(tree.admin)
    response = client.get("/admin/calendar?year=2026")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Lịch làm việc năm 2026" in body
    for text in (
        "16/02/2026",
        "Giao thừa Tết Nguyên Đán",
        "Mùng bốn Tết Nguyên Đán",
        "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)",
        "Ngày Chiến thắng",
        "Ngày Quốc tế Lao động",
        "Quốc khánh",
        "22/08/2026",  # the Government's make-up Saturday
        "Làm bù cho ngày 23/02/2026",
        "Nghỉ thêm sau Tết",
        "Thứ Bảy",
    ):
        assert text in body, text
    assert "trùng ngày cuối tuần" in body  # Hùng Kings' day 2026 is a Sunday
    assert (
        f"có {WorkCalendar(days_off=[date(2026, 2, 23)], working_days=[date(2026, 2, 28)]).working_days_in_year(2026)} ngày làm việc"
        in body
    )


def test_the_page_in_english_names_the_holidays_in_english(client, tree, login_as):
    login_as(tree.admin)
    client.get("/lang/en")
    body = html.unescape(client.get("/admin/calendar?year=2027").get_data(as_text=True))
    assert "Working calendar for 2027" in body
    assert "Lunar New Year's Eve" in body and "05/02/2027" in body
    assert "Giao thừa" not in body


def test_a_wrong_year_is_said_and_the_current_year_shown(client, tree, login_as):
    login_as(tree.admin)
    response = client.get("/admin/calendar?year=abc")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Năm phải là một số từ 2000 đến 2100." in body
    from dialogue.core.timeutil import today_local

    assert f"Lịch làm việc năm {today_local().year}" in body


def test_the_menu_has_the_page_for_admins_only(client, tree, login_as):
    login_as(tree.admin)
    assert 'href="/admin/calendar"' in client.get("/").get_data(as_text=True)
    login_as(tree.organizer)
    assert 'href="/admin/calendar"' not in client.get("/").get_data(as_text=True)


def test_an_admin_adds_a_make_up_saturday_and_removes_it(client, tree, login_as):
    login_as(tree.admin)
    response = client.post(
        "/admin/calendar/exceptions?year=2026",
        data={"day": "28/02/2026", "kind": WORKING_DAY, "note": "Làm bù cho ngày 23/02/2026"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/calendar?year=2026#exceptions")
    exception = db.session.scalar(select(CalendarException))
    assert (exception.day, exception.kind, exception.created_by_id) == (date(2026, 2, 28), WORKING_DAY, tree.admin.id)
    assert "Đã thêm ngày làm việc 28/02/2026." in client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert services.is_working_day(date(2026, 2, 28))

    response = client.post(f"/admin/calendar/exceptions/{exception.id}/delete")
    assert response.status_code == 302
    assert stored() == (0, 2)
    services.forget_exceptions()
    assert not services.is_working_day(date(2026, 2, 28))


def test_a_wrong_date_is_refused_with_a_message_and_keeps_what_was_typed(client, tree, login_as):
    login_as(tree.admin)
    response = client.post(
        "/admin/calendar/exceptions?year=2026",
        data={"day": "31/02/2026", "kind": DAY_OFF, "note": "Nghỉ giữa kỳ"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Ngày không hợp lệ. Xin nhập theo dạng dd/mm/yyyy, ví dụ 21/02/2026." in body
    assert 'value="31/02/2026"' in body and 'value="Nghỉ giữa kỳ"' in body
    assert 'aria-invalid="true"' in body
    assert stored() == (0, 0)


def test_a_refusal_by_the_rules_keeps_what_was_typed(client, tree, login_as):
    login_as(tree.admin)
    response = client.post(
        "/admin/calendar/exceptions?year=2026",
        data={"day": "17/02/2026", "kind": DAY_OFF, "note": "Nghỉ Tết"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Ngày 17/02/2026 vốn đã là ngày nghỉ (cuối tuần hoặc ngày lễ)." in body
    assert 'value="17/02/2026"' in body and 'value="Nghỉ Tết"' in body
    assert stored() == (0, 0)
    services.add_exception(tree.admin, date(2026, 3, 9), DAY_OFF, "Nghỉ")
    db.session.commit()
    response = client.post(
        "/admin/calendar/exceptions?year=2026", data={"day": "9/3/2026", "kind": DAY_OFF, "note": "Lần hai"}
    )
    assert response.status_code == 409
    assert "Ngày 09/03/2026 đã có trong lịch của cơ quan (Nghỉ)." in response.get_data(as_text=True)
    assert stored() == (1, 1)


def test_a_missing_note_is_refused(client, tree, login_as):
    login_as(tree.admin)
    response = client.post("/admin/calendar/exceptions", data={"day": "09/03/2026", "kind": DAY_OFF, "note": ""})
    assert response.status_code == 422
    assert "Xin ghi lý do" in response.get_data(as_text=True)
    assert stored() == (0, 0)


def test_people_without_the_role_are_refused_and_nothing_changes(client, tree, login_as):
    services.add_exception(tree.admin, date(2026, 3, 9), DAY_OFF, "Nghỉ")
    db.session.commit()
    exception_id = db.session.scalar(select(CalendarException.id))
    for person in (tree.organizer, tree.host, tree.secretariat, tree.secretaries[0], tree.unit_account):
        login_as(person)
        assert client.get("/admin/calendar?year=2026").status_code == 403
        response = client.post(
            "/admin/calendar/exceptions", data={"day": "28/02/2026", "kind": WORKING_DAY, "note": "Làm bù"}
        )
        assert response.status_code == 403
        assert client.post(f"/admin/calendar/exceptions/{exception_id}/delete").status_code == 403
    assert stored() == (1, 1)


def test_a_communes_admin_reads_the_calendar_but_cannot_change_it(client, tree, make_user, login_as):
    services.add_exception(tree.admin, date(2026, 3, 9), DAY_OFF, "Nghỉ")
    db.session.commit()
    exception_id = db.session.scalar(select(CalendarException.id))
    login_as(make_user("admin", unit=tree.communes[0]))
    body = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Chỉ quản trị hệ thống cấp cao nhất" in body and "/delete" not in body
    response = client.post(
        "/admin/calendar/exceptions", data={"day": "28/02/2026", "kind": WORKING_DAY, "note": "Làm bù"}
    )
    assert response.status_code == 403
    assert "Chỉ quản trị hệ thống cấp cao nhất" in response.get_data(as_text=True)
    assert client.post(f"/admin/calendar/exceptions/{exception_id}/delete").status_code == 403
    assert stored() == (1, 1)


def test_removing_an_unknown_day_is_404(client, tree, login_as):
    login_as(tree.admin)
    assert client.post("/admin/calendar/exceptions/999999/delete").status_code == 404


def test_the_page_asks_the_same_number_of_queries_for_few_and_many_exceptions(client, tree, login_as, count_queries):
    login_as(tree.admin)
    chosen = weekdays_of(2026, 200)
    add_days_off(chosen[:3])
    with count_queries() as small:
        assert client.get("/admin/calendar?year=2026").status_code == 200
    add_days_off(chosen[3:])
    with count_queries() as large:
        body = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert body.count('id="exception-') == 200
    assert small.count == large.count <= 6


# The API -------------------------------------------------------------------------------------------------------


def test_the_api_gives_the_non_working_days_and_the_offices_exceptions(client, tree, token_for):
    services.add_exception(tree.admin, date(2026, 2, 28), WORKING_DAY, "Làm bù cho ngày 23/02/2026")
    services.add_exception(tree.admin, date(2026, 2, 23), DAY_OFF, "Nghỉ thêm sau Tết")
    db.session.commit()
    response = client.get("/api/v1/calendar?year=2026", headers=token_for(tree.secretaries[0]))
    assert response.status_code == 200
    data = response.get_json()
    assert data["year"] == 2026
    off = {row["date"]: row for row in data["non_working_days"]}
    assert off["2026-02-16"] == {"date": "2026-02-16", "kind": "holiday", "name": "Giao thừa Tết Nguyên Đán"}
    assert off["2026-04-27"]["name"] == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert off["2026-03-07"] == {"date": "2026-03-07", "kind": "weekend", "name": None}
    assert off["2026-02-23"] == {"date": "2026-02-23", "kind": "day_off", "name": "Nghỉ thêm sau Tết"}
    assert "2026-02-28" not in off and "2026-08-22" not in off
    assert data["working_weekend_days"] == [
        {"date": "2026-02-28", "source": "office"},
        {"date": "2026-08-22", "source": "law"},
    ]
    assert [(e["date"], e["kind"], e["note"]) for e in data["exceptions"]] == [
        ("2026-02-23", "day_off", "Nghỉ thêm sau Tết"),
        ("2026-02-28", "working_day", "Làm bù cho ngày 23/02/2026"),
    ]
    assert data["exceptions"][0]["created_at"].endswith("+07:00")
    days = [date.fromisoformat(d) for d in off]
    assert data["working_days_count"] == 365 - len(days)


def test_the_api_refuses_a_wrong_year_and_anonymous_callers(client, tree, token_for):
    headers = token_for(tree.secretaries[0])
    for year in ("1800", "abc"):
        response = client.get(f"/api/v1/calendar?year={year}", headers=headers)
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["code"] == "invalid" and error["fields"]["year"]
    assert client.get("/api/v1/calendar?year=2026").status_code == 401
    from dialogue.core.timeutil import today_local

    assert client.get("/api/v1/calendar", headers=headers).get_json()["year"] == today_local().year


def test_the_api_asks_the_same_number_of_queries_for_few_and_many_exceptions(client, tree, token_for, count_queries):
    headers = token_for(tree.secretaries[0])
    chosen = weekdays_of(2026, 200)
    add_days_off(chosen[:3])
    with count_queries() as small:
        assert client.get("/api/v1/calendar?year=2026", headers=headers).status_code == 200
    add_days_off(chosen[3:])
    with count_queries() as large:
        data = client.get("/api/v1/calendar?year=2026", headers=headers).get_json()
    assert len(data["exceptions"]) == 200
    assert small.count == large.count <= 5


def test_the_api_is_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/calendar"]["get"]
    assert operation["tags"] == ["calendar"]
    assert "CalendarYear" in spec["components"]["schemas"]
