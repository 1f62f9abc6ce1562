"""Scheduling and the states of a session: services, pages and API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from dialogue.audit.models import AuditEntry
from dialogue.core.errors import Conflict, Forbidden, Invalid
from dialogue.core.timeutil import now, set_clock_offset
from dialogue.extensions import db
from dialogue.sessions import services
from dialogue.sessions.models import DialogueSession, Invitation
from tests.factories import act
from tests.sessions_fixtures import schedule


@pytest.fixture
def open_session(tree):
    return schedule(tree)


def test_create_invites_every_cell_secretary_beneath_the_unit(tree):
    session = schedule(tree, status="draft", units=[tree.communes[0]])
    invited = {inv.user_id for inv in services.invitations_of(session)}
    assert invited == {tree.secretaries[0].id, tree.secretaries[1].id}
    assert session.status == "draft"
    assert [h.user_id for h in session.hosts] == [tree.host.id]
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "session.create")) == 1
    inv = services.invitation_for(session.id, tree.secretaries[0].id)
    assert inv.unit_id == tree.cells[0].id and inv.rsvp == "pending"


def test_inviting_the_district_invites_all_and_ignores_inactive(tree):
    from dialogue.accounts.services import update_user

    act(update_user, None, tree.secretaries[3], active=False)
    session = schedule(tree, status="draft", units=[tree.district])
    invited = {inv.user_id for inv in services.invitations_of(session)}
    assert invited == {s.id for s in tree.secretaries[:3]}


def test_schedule_rules_are_checked(tree):
    start = now() + timedelta(days=5)
    with pytest.raises(Invalid) as exc:
        schedule(tree, status="draft", starts_at=start, ends_at=start - timedelta(hours=1))
    assert "ends_at" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        schedule(tree, status="draft", questions_close_at=start + timedelta(days=10))
    assert "questions_close_at" in exc.value.fields
    with pytest.raises(Invalid):
        schedule(tree, status="draft", host_ids=[tree.secretaries[0].id])
    with pytest.raises(Forbidden):
        act(
            services.create_session,
            tree.secretaries[0],
            title="x",
            topic="y",
            term=None,
            venue="z",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            questions_close_at=start - timedelta(days=1),
            turn_seconds=300,
            host_unit_id=tree.district.id,
            invited_unit_ids=[],
            host_ids=[tree.host.id],
        )


def test_state_machine(tree, monkeypatch):
    published = []
    from dialogue.live import services as live_services

    monkeypatch.setattr(live_services, "publish_state", lambda session_id: published.append(session_id), raising=False)
    session = schedule(tree, status="draft")
    with pytest.raises(Conflict) as exc:
        act(services.change_status, tree.organizer, session, "live")
    assert "Không thể chuyển" in exc.value.message
    act(services.change_status, tree.organizer, session, "open")
    assert published == [session.id]
    from dialogue.notifications.models import Notification

    notices = list(db.session.scalars(select(Notification).order_by(Notification.user_id)))
    assert [n.user_id for n in notices] == [tree.secretaries[0].id, tree.secretaries[1].id]
    assert notices[0].text.startswith("Giấy mời dự") and notices[0].link == f"/sessions/{session.id}"
    act(services.change_status, tree.organizer, session, "live")  # open → live skips the deadline (documented)
    with pytest.raises(Conflict):
        act(services.change_status, tree.organizer, session, "open")
    act(services.change_status, tree.organizer, session, "ended")
    for target in ("draft", "open", "closed", "live", "ended"):
        with pytest.raises(Conflict):
            act(services.change_status, tree.organizer, session, target)
    assert published == [session.id] * 3
    actions = list(db.session.scalars(select(AuditEntry.after).where(AuditEntry.action == "session.status")))
    assert [a["status"] for a in actions] == ["open", "live", "ended"]
    with pytest.raises(Forbidden):
        act(services.change_status, tree.secretaries[0], session, "open")


def test_open_needs_invitees_and_a_future_deadline(tree):
    session = schedule(tree, status="draft", units=[])
    with pytest.raises(Conflict) as exc:
        act(services.change_status, tree.organizer, session, "open")
    assert "Chưa mời ai" in exc.value.message
    session = schedule(tree, status="draft")
    set_clock_offset(timedelta(days=4))
    with pytest.raises(Conflict) as exc:
        act(services.change_status, tree.organizer, session, "open")
    assert exc.value.code == "deadline_passed"


def test_deadline_closes_on_read(tree, open_session):
    assert services.effective_status(open_session) == "open"
    assert services.effective_status(open_session, at=open_session.questions_close_at) == "closed"
    set_clock_offset(timedelta(days=3, minutes=1))
    assert services.effective_status(open_session) == "closed"
    assert open_session.status == "open"  # nothing stored: evaluated on read
    act(services.change_status, tree.organizer, open_session, "closed")
    with pytest.raises(Conflict):  # reopening needs the deadline moved first
        act(services.change_status, tree.organizer, open_session, "open")
    act(services.update_session, tree.organizer, open_session, questions_close_at=now() + timedelta(hours=2))
    act(services.change_status, tree.organizer, open_session, "open")
    assert services.effective_status(open_session) == "open"


def test_invitations_frozen_once_live(tree, open_session, make_user):
    act(services.change_status, tree.organizer, open_session, "live")
    with pytest.raises(Conflict) as exc:
        act(services.update_session, tree.organizer, open_session, invited_unit_ids=[tree.district.id])
    assert "không thể thay đổi danh sách khách mời" in exc.value.message
    with pytest.raises(Conflict):
        act(services.add_invitee, tree.organizer, open_session, tree.secretaries[3])
    inv = services.invitation_for(open_session.id, tree.secretaries[0].id)
    with pytest.raises(Conflict):
        act(services.remove_invitee, tree.organizer, inv)


def test_changing_units_syncs_invitations_but_keeps_individuals(tree, open_session):
    act(services.add_invitee, tree.organizer, open_session, tree.secretaries[2])
    act(services.update_session, tree.organizer, open_session, invited_unit_ids=[tree.communes[1].id])
    invited = {inv.user_id for inv in services.invitations_of(open_session)}
    assert invited == {tree.secretaries[2].id, tree.secretaries[3].id}


def test_can_view_rules(tree, open_session):
    draft = schedule(tree, status="draft")
    assert services.can_view(tree.secretaries[0], open_session)
    assert not services.can_view(tree.secretaries[0], draft)
    assert not services.can_view(tree.secretaries[2], open_session)
    for staff in (tree.organizer, tree.host, tree.secretariat, tree.admin):
        assert services.is_staff(staff) and services.can_view(staff, draft)
    assert not services.is_staff(tree.secretaries[0]) and not services.is_staff(tree.unit_account)


def test_session_link_opens_the_session(tree, open_session, client):
    link = services.session_link(tree.secretaries[0], open_session)
    assert link.startswith("http://localhost/l/")
    response = client.get(link.removeprefix("http://localhost"), follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == f"/sessions/{open_session.id}"
    assert open_session.title in response.get_data(as_text=True)


def test_session_pages_by_role(tree, open_session, login_as):
    draft = schedule(tree, status="draft", title="Buổi nháp")
    client = login_as(tree.secretaries[0])
    listing = client.get("/sessions/").get_data(as_text=True)
    assert open_session.title in listing and "Buổi nháp" not in listing
    assert client.get(f"/sessions/{draft.id}").status_code == 403
    assert client.get("/sessions/new").status_code == 403
    login_as(tree.secretaries[2])
    assert client.get(f"/sessions/{open_session.id}").status_code == 403
    login_as(tree.organizer)
    listing = client.get("/sessions/").get_data(as_text=True)
    assert "Buổi nháp" in listing and open_session.title in listing
    page = client.get(f"/sessions/{open_session.id}").get_data(as_text=True)
    assert "Khóa nhận câu hỏi" in page and "Bắt đầu buổi đối thoại" in page


def _form(tree, **overrides):
    start = (now() + timedelta(days=10)).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    data = {
        "title": "Đối thoại quý III",
        "topic": "Công tác kiểm tra, giám sát",
        "term": "2020–2025",
        "venue": "Hội trường",
        "starts_at": start.strftime("%Y-%m-%dT14:00"),
        "ends_at": start.strftime("%Y-%m-%dT17:00"),
        "questions_close_at": (start - timedelta(days=2)).strftime("%Y-%m-%dT17:00"),
        "turn_minutes": "5",
        "host_unit_id": str(tree.district.id),
        "host_ids": [str(tree.host.id)],
        "invited_unit_ids": [str(tree.communes[0].id), str(tree.communes[1].id)],
        "allow_support": "y",
    }
    data.update(overrides)
    return data


def test_create_page_and_kept_input_on_error(tree, login_as):
    client = login_as(tree.organizer)
    assert client.get("/sessions/new").status_code == 200
    bad = _form(tree, title="Tiêu đề <giữ nguyên>", ends_at=_form(tree)["starts_at"].replace("T14", "T10"))
    response = client.post("/sessions/new", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Giờ kết thúc phải sau giờ bắt đầu." in html
    assert "Tiêu đề &lt;giữ nguyên&gt;" in html
    assert db.session.scalar(select(func.count(DialogueSession.id))) == 0
    response = client.post("/sessions/new", data=_form(tree))
    assert response.status_code == 302
    session = db.session.scalar(select(DialogueSession))
    assert session.turn_seconds == 300 and session.status == "draft"
    assert session.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")).hour == 14
    assert db.session.scalar(select(func.count(Invitation.id))) == 4
    response = client.post(f"/sessions/{session.id}/status", data={"status": "open"}, follow_redirects=True)
    assert "Đã chuyển sang" in response.get_data(as_text=True)
    response = client.post(f"/sessions/{session.id}/status", data={"status": "ended"}, follow_redirects=True)
    assert "Không thể chuyển" in response.get_data(as_text=True)
    edit = client.get(f"/sessions/{session.id}/edit")
    assert edit.status_code == 200 and "Đối thoại quý III" in edit.get_data(as_text=True)
    response = client.post(f"/sessions/{session.id}/edit", data=_form(tree, title="Đối thoại quý IV"))
    assert response.status_code == 302
    assert db.session.get(DialogueSession, session.id).title == "Đối thoại quý IV"


def test_script_in_title_is_text(tree, login_as):
    session = schedule(tree, title="<script>alert(1)</script> Đối thoại")
    client = login_as(tree.secretaries[0])
    for path in (f"/sessions/{session.id}", "/sessions/", "/"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_ics(tree, open_session, login_as):
    client = login_as(tree.secretaries[0])
    response = client.get(f"/sessions/{open_session.id}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    event = cal.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == open_session.title
    assert str(event["LOCATION"]) == open_session.venue
    assert event.decoded("DTSTART") == open_session.starts_at.replace(microsecond=0)
    login_as(tree.secretaries[2])
    assert client.get(f"/sessions/{open_session.id}/calendar.ics").status_code == 403


def test_ics_sequence_grows_with_every_change_and_links_through_the_personal_link(tree, open_session, login_as):
    """A calendar replaces an event only when its SEQUENCE grows; an invitee's event opens their own link."""

    def event(user):
        cal = Calendar.from_ical(login_as(user).get(f"/sessions/{open_session.id}/calendar.ics").data)
        return cal.walk("VEVENT")[0]

    first = event(tree.secretaries[0])
    assert int(first["SEQUENCE"]) == 0 and str(first["STATUS"]) == "CONFIRMED"
    assert "/l/" in str(first["URL"]) and "/l/" in str(first["DESCRIPTION"])  # the invitee's personal link
    staff = event(tree.organizer)
    assert "/l/" not in str(staff["URL"]) and str(staff["URL"]).endswith(f"/sessions/{open_session.id}")

    services.update_session(tree.organizer, open_session, venue="Hội trường mới")
    db.session.commit()
    services.update_session(tree.organizer, open_session, starts_at=open_session.starts_at + timedelta(hours=1))
    db.session.commit()
    services.update_session(tree.organizer, open_session, venue="Hội trường mới")  # no change: no new sequence
    db.session.commit()
    moved = event(tree.secretaries[0])
    assert int(moved["SEQUENCE"]) == 2 and str(moved["LOCATION"]) == "Hội trường mới"
    assert str(moved["UID"]) == str(first["UID"])


def _api_body(tree, **overrides):
    start = now() + timedelta(days=10)
    body = {
        "title": "Đối thoại qua API",
        "topic": "Công tác kiểm tra, giám sát",
        "term": "2020–2025",
        "venue": "Hội trường",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "questions_close_at": (start - timedelta(days=2)).isoformat(),
        "turn_seconds": 180,
        "host_unit_id": tree.district.id,
        "invited_unit_ids": [tree.communes[0].id, tree.communes[1].id],
        "host_ids": [tree.host.id],
    }
    body.update(overrides)
    return body


def test_api_sessions(tree, client, token_for):
    organizer = token_for(tree.organizer)
    headers = {**organizer, "Idempotency-Key": "create-1"}
    first = client.post("/api/v1/sessions", json=_api_body(tree), headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/sessions", json=_api_body(tree), headers=headers)
    assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    assert db.session.scalar(select(func.count(DialogueSession.id))) == 1
    session_id = first.get_json()["id"]
    data = first.get_json()
    assert data["status"] == "draft" and data["host_ids"] == [tree.host.id] and data["turn_seconds"] == 180
    assert data["starts_at"].endswith("+07:00")

    bad = client.post("/api/v1/sessions", json=_api_body(tree, turn_seconds=5, title=""), headers=organizer)
    assert bad.status_code == 422 and "turn_seconds" in bad.get_json()["error"]["fields"]

    secretary = token_for(tree.secretaries[0])
    assert client.post("/api/v1/sessions", json=_api_body(tree), headers=secretary).status_code == 403
    assert client.get(f"/api/v1/sessions/{session_id}", headers=secretary).status_code == 403  # draft
    assert client.get("/api/v1/sessions", headers=secretary).get_json()["total"] == 0

    wrong = client.patch(f"/api/v1/sessions/{session_id}", json={"status": "ended"}, headers=organizer)
    assert wrong.status_code == 409 and wrong.get_json()["error"]["message"].startswith("Không thể chuyển")
    ok = client.patch(f"/api/v1/sessions/{session_id}", json={"status": "open"}, headers=organizer)
    assert ok.status_code == 200 and ok.get_json()["status"] == "open"
    assert client.patch(f"/api/v1/sessions/{session_id}", json={"status": "open"}, headers=secretary).status_code == 403

    listing = client.get("/api/v1/sessions", headers=secretary).get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == session_id
    assert client.get(f"/api/v1/sessions/{session_id}", headers=secretary).status_code == 200

    invitations = client.get(f"/api/v1/sessions/{session_id}/invitations", headers=organizer).get_json()
    assert invitations["total"] == 4
    assert {i["rsvp"] for i in invitations["items"]} == {"pending"}
    assert {"id", "user_id", "name", "unit_id", "rsvp", "checked_in_at"} <= set(invitations["items"][0])
    assert client.get(f"/api/v1/sessions/{session_id}/invitations", headers=secretary).status_code == 403
    host = token_for(tree.host)
    assert client.get(f"/api/v1/sessions/{session_id}/invitations", headers=host).status_code == 403  # API.md

    set_clock_offset(timedelta(days=9))
    read = client.get(f"/api/v1/sessions/{session_id}", headers=organizer).get_json()
    assert read["status"] == "closed" and read["stored_status"] == "open" and read["questions_open"] is False


def test_home_sections(tree, open_session, login_as):
    from dialogue.questions import services as questions

    act(
        questions.submit_question, tree.secretaries[0], open_session, kind="question", topic=None, body="Hỏi về kỷ luật"
    )
    client = login_as(tree.secretaries[0])
    html = client.get("/").get_data(as_text=True)
    assert "Buổi đối thoại sắp tới" in html and open_session.title in html
    assert "trả lời giấy mời" in html and "Hạn gửi câu hỏi" in html
    assert "Ý kiến tôi đã gửi" in html and "Hỏi về kỷ luật" in html
    login_as(tree.organizer)
    html = client.get("/").get_data(as_text=True)
    assert "Buổi đối thoại đang tổ chức" in html and "1 ý kiến chờ duyệt" in html
    login_as(tree.host)
    html = client.get("/").get_data(as_text=True)
    assert "Buổi đối thoại tôi chủ trì" in html and open_session.title in html


def test_edit_page_refuses_invitation_changes_once_live(tree, login_as):
    session = schedule(tree, status="live")
    client = login_as(tree.organizer)
    data = _form(tree, title="Tên mới đã gõ", invited_unit_ids=[str(tree.communes[1].id)])
    response = client.post(f"/sessions/{session.id}/edit", data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "không thể thay đổi danh sách khách mời" in html and "Tên mới đã gõ" in html
    db.session.expire_all()
    assert db.session.get(DialogueSession, session.id).title != "Tên mới đã gõ"
    assert {inv.user_id for inv in services.invitations_of(session)} == {s.id for s in tree.secretaries[:2]}


def test_invitations_and_opening_notices_are_inserted_in_batches(tree, monkeypatch):
    from dialogue.core import bulk
    from dialogue.notifications.models import Notification

    monkeypatch.setattr(bulk, "BATCH_ROWS", 1)  # every row its own batch: none lost at the edges
    session = schedule(tree, units=[tree.district], status="draft")
    invited = set(db.session.scalars(select(Invitation.user_id).where(Invitation.session_id == session.id)))
    assert invited == {s.id for s in tree.secretaries} and len(invited) == 4
    act(services.change_status, tree.organizer, session, "open")
    noticed = list(db.session.scalars(select(Notification.user_id).where(Notification.text.like("Giấy mời%"))))
    assert sorted(noticed) == sorted(invited)
