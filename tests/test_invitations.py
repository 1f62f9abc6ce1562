"""Invitations: RSVP, the list by unit, personal links, resending, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dialogue.core.timeutil import set_clock_offset
from dialogue.extensions import db
from dialogue.notifications.models import Notification
from dialogue.notifications.services import OUTBOX
from dialogue.questions import services as questions
from dialogue.sessions import services
from dialogue.sessions.models import Invitation
from tests.factories import act
from tests.sessions_fixtures import schedule


@pytest.fixture
def open_session(tree):
    return schedule(tree)


def test_rsvp_page_and_counts(tree, open_session, login_as):
    client = login_as(tree.secretaries[0])
    page = client.get(f"/sessions/{open_session.id}").get_data(as_text=True)
    assert "Tôi sẽ tham dự" in page and "Chưa trả lời" in page
    response = client.post(f"/sessions/{open_session.id}/rsvp", data={"rsvp": "accepted"}, follow_redirects=True)
    assert "Đã ghi nhận trả lời giấy mời." in response.get_data(as_text=True)
    login_as(tree.secretaries[1])
    client.post(f"/sessions/{open_session.id}/rsvp", data={"rsvp": "declined"})
    counts = services.invitation_counts([open_session.id])[open_session.id]
    assert counts == {"invited": 2, "accepted": 1, "declined": 1, "pending": 0, "present": 0}
    login_as(tree.secretaries[2])  # not invited
    assert client.post(f"/sessions/{open_session.id}/rsvp", data={"rsvp": "accepted"}).status_code == 403


def test_invitee_list_by_unit_is_printable(tree, login_as):
    session = schedule(tree, units=tree.communes)
    act(services.set_rsvp, tree.secretaries[0], session, "accepted")
    client = login_as(tree.organizer)
    response = client.get(f"/sessions/{session.id}/invitees")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for commune in tree.communes:
        assert commune.name in html
    for secretary in tree.secretaries:
        assert secretary.name in html
    assert "1 người · sẽ dự 0" not in html  # each commune has two people
    assert "2 người · sẽ dự 1 · không dự 0 · chưa trả lời 1" in html
    assert "2 người · sẽ dự 0 · không dự 0 · chưa trả lời 2" in html
    assert "In danh sách" in html and "@media print" in html
    login_as(tree.secretaries[0])
    assert client.get(f"/sessions/{session.id}/invitees").status_code == 403


def test_add_and_remove_individuals(tree, open_session, login_as):
    client = login_as(tree.organizer)
    response = client.post(
        f"/sessions/{open_session.id}/invitees", data={"login": tree.secretaries[3].email}, follow_redirects=True
    )
    assert "Đã mời thêm" in response.get_data(as_text=True)
    inv = services.invitation_for(open_session.id, tree.secretaries[3].id)
    assert inv is not None and inv.added_individually
    response = client.post(
        f"/sessions/{open_session.id}/invitees", data={"login": "khongco@test.vn"}, follow_redirects=True
    )
    assert "Không tìm thấy người" in response.get_data(as_text=True)
    act(questions.submit_question, tree.secretaries[3], open_session, kind="question", topic=None, body="Câu hỏi")
    response = client.post(f"/sessions/{open_session.id}/invitations/{inv.id}/remove", follow_redirects=True)
    assert "không thể bỏ khỏi danh sách" in response.get_data(as_text=True)
    other = services.invitation_for(open_session.id, tree.secretaries[1].id)
    client.post(f"/sessions/{open_session.id}/invitations/{other.id}/remove")
    assert services.invitation_for(open_session.id, tree.secretaries[1].id) is None


def test_resend_link_mails_and_notifies(tree, open_session, login_as):
    inv = services.invitation_for(open_session.id, tree.secretaries[0].id)
    client = login_as(tree.organizer)
    response = client.post(f"/sessions/{open_session.id}/invitations/{inv.id}/resend", follow_redirects=True)
    assert "Đã gửi lại đường dẫn" in response.get_data(as_text=True)
    assert len(OUTBOX) == 1
    mail = OUTBOX[0]
    assert mail["To"] == tree.secretaries[0].email
    body = mail.get_content()
    assert open_session.title in body and "http://localhost/l/" in body
    link = next(line for line in body.splitlines() if line.startswith("http://localhost/l/"))
    notice = db.session.scalar(select(Notification).where(Notification.user_id == tree.secretaries[0].id))
    assert notice is not None and notice.link == f"/sessions/{open_session.id}"
    assert db.session.get(Invitation, inv.id).link_sent_at is not None
    client.post("/logout")
    opened = client.get(link.removeprefix("http://localhost"), follow_redirects=True)
    assert opened.request.path == f"/sessions/{open_session.id}"
    login_as(tree.secretaries[0])
    assert client.post(f"/sessions/{open_session.id}/invitations/{inv.id}/resend").status_code == 403


def test_remind_cli_sends_once_a_day(app, tree, open_session):
    act(services.set_rsvp, tree.secretaries[1], open_session, "declined")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sessions", "remind", str(open_session.id)])
    assert result.exit_code == 0, result.output
    assert "Đã gửi nhắc lịch cho 1 khách mời." in result.output
    assert [m["To"] for m in OUTBOX] == [tree.secretaries[0].email]
    assert "Nhắc lịch" in OUTBOX[0]["Subject"]
    again = runner.invoke(args=["sessions", "remind", str(open_session.id)])
    assert again.exit_code == 0 and "Không có thư nhắc mới" in again.output
    assert len(OUTBOX) == 1
    set_clock_offset(timedelta(days=1))
    runner.invoke(args=["sessions", "remind", str(open_session.id)])
    assert len(OUTBOX) == 2
    missing = runner.invoke(args=["sessions", "remind", "999"])
    assert missing.exit_code != 0 and "Không tìm thấy buổi đối thoại" in missing.output


def test_remind_refuses_drafts(app, tree):
    draft = schedule(tree, status="draft")
    result = app.test_cli_runner().invoke(args=["sessions", "remind", str(draft.id)])
    assert result.exit_code != 0 and "Chỉ nhắc lịch" in result.output
    assert OUTBOX == []


def test_remind_logs_without_smtp(app, tree, open_session, caplog, monkeypatch):
    import logging

    # Alembic's fileConfig (run by the test app's upgrade) disables loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("dialogue.mail"), "disabled", False)
    caplog.set_level("INFO", logger="dialogue.mail")
    assert act(services.remind, open_session) == 2
    assert "mail (no SMTP configured)" in caplog.text
    assert db.session.scalar(select(func.count(Invitation.id)).where(Invitation.reminded_on.is_not(None))) == 2
