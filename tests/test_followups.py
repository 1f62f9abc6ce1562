"""Follow-up commitments: the whole loop from a response to the verified result seen by whoever asked."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from dialogue.audit.models import AuditEntry
from dialogue.core.errors import Conflict, Forbidden, Invalid
from dialogue.core.timeutil import set_clock_offset, today_local
from dialogue.extensions import db
from dialogue.followups import creation, operations, queries, reminders
from dialogue.followups.models import Commitment, CommitmentUpdate
from dialogue.notifications.models import Notification
from dialogue.notifications.services import OUTBOX
from dialogue.responses.services import record_response
from tests.factories import act
from tests.followups_fixtures import (  # noqa: F401
    due_in,
    make_question,
    make_response,
    make_session,
)


@pytest.fixture
def setup(tree, make_user, make_session, make_question):  # noqa: F811
    """A live session, a secretary's accepted recommendation, and accounts for both communes."""
    session = make_session(tree.district, status="live")
    secretary = tree.secretaries[0]
    question = make_question(session, secretary)
    other_unit_account = make_user("unit", name="Tài khoản xã Giục Tượng", unit=tree.communes[1])
    return tree, session, secretary, question, other_unit_account


def _create(tree, session, question=None, response=None, unit=None, days=30, actor=None):
    return act(
        creation.create_commitment,
        actor or tree.host,
        description="Rà soát, hướng dẫn quy trình kiểm tra đảng viên có dấu hiệu vi phạm cho các chi bộ.",
        unit_id=(unit or tree.communes[0]).id,
        due_date=today_local() + timedelta(days=days),
        session_id=session.id,
        question_id=question.id if question else None,
        response_id=response.id if response else None,
    )


def test_the_whole_loop_from_response_to_verified_seen_by_the_secretary(setup, client, login_as, app):
    tree, session, secretary, question, _other = setup
    # In the live session the host takes the recommendation on board...
    response = act(
        record_response,
        tree.organizer,
        session_id=session.id,
        kind="taken_on_board",
        text="Tiếp thu; giao Đảng ủy xã Bình An rà soát quy trình.",
        responder_id=tree.host.id,
        question_ids=(question.id,),
    )
    # ...and a commitment is created from the response for the commune's committee, due in 30 days.
    commitment = _create(tree, session, response=response)
    assert commitment.question_id == question.id  # taken from the response, which answers one question
    assert commitment.session_id == session.id
    assert commitment.status == "assigned"
    assert commitment.due_date == today_local() + timedelta(days=30) == commitment.original_due_date
    created = db.session.scalars(select(CommitmentUpdate).where(CommitmentUpdate.commitment_id == commitment.id)).all()
    assert [u.kind for u in created] == ["created"]
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "commitment.create")) == 1
    # The commune's account is told.
    assert db.session.scalar(select(func.count()).where(Notification.user_id == tree.unit_account.id)) == 1
    assert any(m["To"] == tree.unit_account.email for m in OUTBOX)

    # The commune's account sees it in its list and posts 50%, then done with a report of results.
    unit_client = login_as(tree.unit_account)
    page = unit_client.get("/followups/mine").get_data(as_text=True)
    assert f'id="commitment-{commitment.id}"' in page
    reply = unit_client.post(
        f"/followups/{commitment.id}/update",
        data={"u-note": "Đã họp Đảng ủy xã, phân công rà soát 20 chi bộ.", "u-progress": "50"},
    )
    assert reply.status_code == 302
    db.session.refresh(commitment)
    assert (commitment.status, commitment.progress) == ("in_progress", 50)
    # A unit cannot verify its own work.
    refused = unit_client.post(f"/followups/{commitment.id}/verify", data={"v-note": ""})
    assert refused.status_code == 403
    reply = unit_client.post(
        f"/followups/{commitment.id}/done", data={"d-report": "Đã ban hành hướng dẫn số 12-HD/ĐU cho 20 chi bộ."}
    )
    assert reply.status_code == 302
    db.session.refresh(commitment)
    assert commitment.status == "done" and commitment.progress == 100 and commitment.done_at is not None
    refused = unit_client.post(f"/followups/{commitment.id}/verify", data={"v-note": ""})
    assert refused.status_code == 403
    db.session.refresh(commitment)
    assert commitment.status == "done"

    # The secretariat verifies; the secretary who asked is told, in the app and by e-mail.
    OUTBOX.clear()
    sec_client = login_as(tree.secretariat)
    assert sec_client.post(f"/followups/{commitment.id}/verify", data={"v-note": "Đạt yêu cầu."}).status_code == 302
    db.session.refresh(commitment)
    assert commitment.status == "verified" and commitment.verified_at is not None
    assert commitment.verified_by_id == tree.secretariat.id
    notice = db.session.scalars(select(Notification).where(Notification.user_id == secretary.id)).all()
    assert any("xác nhận hoàn thành" in n.text and n.link == f"/followups/{commitment.id}" for n in notice)
    assert [m["To"] for m in OUTBOX] == [secretary.email]

    # The timeline has every step with who.
    page = sec_client.get(f"/followups/{commitment.id}").get_data(as_text=True)
    for text in ("Đã họp Đảng ủy xã", "50%", "12-HD/ĐU", "Đạt yêu cầu.", tree.unit_account.name, tree.secretariat.name):
        assert text in page
    assert page.count('<li id="update-') == 4  # created, 50 %, done, verified

    # The secretary sees all of it on the question: the response, the commitment, its updates, the verified date.
    secretary_client = login_as(secretary)
    pages = [secretary_client.get(f"/followups/questions/{question.id}")]
    if "questions.detail" in app.view_functions:
        pages.append(secretary_client.get(f"/questions/{question.id}"))
    for reply in pages:
        assert reply.status_code == 200
        html = reply.get_data(as_text=True)
        assert 'id="question-followup"' in html
        assert "Tiếp thu; giao Đảng ủy xã Bình An" in html
        assert f'id="panel-commitment-{commitment.id}"' in html
        assert "Đã xác nhận" in html
        assert (
            f"Đã xác nhận hoàn thành ngày {commitment.verified_at.astimezone(services_tz()).strftime('%d/%m/%Y')}"
            in html
        )
        assert "50%" in html and "12-HD/ĐU" in html
    # ...and their home page lists it.
    home = secretary_client.get("/").get_data(as_text=True)
    assert 'id="home-secretary-commitments"' in home and f"/followups/{commitment.id}" in home
    # The secretary may open the commitment (it arose from their question) but not change it.
    assert secretary_client.get(f"/followups/{commitment.id}").status_code == 200
    assert secretary_client.post(f"/followups/{commitment.id}/reopen", data={"r-reason": "x"}).status_code == 403


def services_tz():
    from dialogue.core.timeutil import LOCAL_TZ

    return LOCAL_TZ


def test_a_unit_sees_only_its_own_commitments(setup, login_as, client, token_for):
    tree, session, _secretary, question, other = setup
    mine = _create(tree, session, question)
    theirs = _create(tree, session, unit=tree.communes[1])
    unit_client = login_as(tree.unit_account)
    page = unit_client.get("/followups/mine").get_data(as_text=True)
    assert f'id="commitment-{mine.id}"' in page and f'id="commitment-{theirs.id}"' not in page
    assert unit_client.get(f"/followups/{theirs.id}").status_code == 403
    assert unit_client.post(f"/followups/{theirs.id}/update", data={"u-note": "x"}).status_code == 403
    assert unit_client.get("/followups/").status_code == 403  # the dashboard is the secretariat's
    headers = token_for(tree.unit_account)
    listed = client.get("/api/v1/commitments", headers=headers).get_json()
    assert [c["id"] for c in listed["items"]] == [mine.id] and listed["total"] == 1
    assert client.get(f"/api/v1/commitments?unit_id={tree.communes[1].id}", headers=headers).get_json()["total"] == 0
    assert client.get(f"/api/v1/commitments/{theirs.id}", headers=headers).status_code == 403
    with pytest.raises(Forbidden):
        act(operations.post_update, other, mine, note="không phải việc của tôi")


def test_transitions_are_checked(setup):
    tree, session, _secretary, question, _other = setup
    c = _create(tree, session, question)
    with pytest.raises(Forbidden):
        act(
            creation.create_commitment,
            tree.unit_account,
            description="x",
            unit_id=tree.communes[0].id,
            due_date=due_in(3),
        )
    with pytest.raises(Invalid):
        act(creation.create_commitment, tree.host, description="x", unit_id=tree.communes[0].id, due_date=due_in(-1))
    with pytest.raises(Invalid):
        act(creation.create_commitment, tree.host, description="  ", unit_id=tree.communes[0].id, due_date=due_in(3))
    with pytest.raises(Conflict):
        act(operations.verify, tree.secretariat, c)  # not reported done yet
    with pytest.raises(Forbidden):
        act(operations.mark_done, tree.secretariat, c, report="x")  # only the responsible unit reports done
    with pytest.raises(Forbidden):
        act(operations.extend_deadline, tree.unit_account, c, new_due_date=due_in(60), reason="xin thêm thời gian")
    with pytest.raises(Invalid):
        act(operations.post_update, tree.unit_account, c, note="x", progress=150)
    with pytest.raises(Invalid):
        act(operations.mark_done, tree.unit_account, c, report="   ")
    # A secretariat member who is also the unit's account cannot verify the unit's work.
    from dialogue.accounts.services import update_user

    both = tree.unit_account
    act(update_user, None, both, roles={"unit", "secretariat"})
    act(operations.mark_done, both, c, report="Xong.")
    with pytest.raises(Forbidden):
        act(operations.verify, both, c)
    act(operations.verify, tree.secretariat, c)
    with pytest.raises(Conflict):
        act(operations.cancel, tree.secretariat, c, reason="x")
    with pytest.raises(Invalid):
        act(operations.reopen, tree.secretariat, c, reason="")
    act(operations.reopen, tree.secretariat, c, reason="Báo cáo chưa đủ số liệu.")
    assert c.status == "in_progress" and c.verified_at is None and c.done_at is None
    with pytest.raises(Invalid):
        act(operations.cancel, tree.secretariat, c, reason="")
    act(operations.cancel, tree.secretariat, c, reason="Đã nhập vào nhiệm vụ khác.")
    assert c.status == "cancelled" and c.cancel_reason == "Đã nhập vào nhiệm vụ khác."
    kinds = db.session.scalars(
        select(CommitmentUpdate.to_status).where(CommitmentUpdate.commitment_id == c.id).order_by(CommitmentUpdate.id)
    ).all()
    assert kinds == ["assigned", "done", "verified", "in_progress", "cancelled"]
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "commitments").order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "commitment.create",
        "commitment.done",
        "commitment.verify",
        "commitment.reopen",
        "commitment.cancel",
    ]


def test_only_the_secretariat_extends_and_the_original_date_is_kept(setup, login_as):
    tree, session, _secretary, question, _other = setup
    c = _create(tree, session, question)
    first = c.due_date
    unit_client = login_as(tree.unit_account)
    assert (
        unit_client.post(
            f"/followups/{c.id}/extend", data={"e-due_date": due_in(60).isoformat(), "e-reason": "x"}
        ).status_code
        == 403
    )
    sec = login_as(tree.secretariat)
    reply = sec.post(f"/followups/{c.id}/extend", data={"e-due_date": due_in(60).isoformat(), "e-reason": ""})
    assert reply.status_code == 422 and "Xin nêu lý do gia hạn." in reply.get_data(as_text=True)
    reply = sec.post(
        f"/followups/{c.id}/extend", data={"e-due_date": due_in(60).isoformat(), "e-reason": "Chờ hướng dẫn của Tỉnh."}
    )
    assert reply.status_code == 302
    db.session.refresh(c)
    assert c.due_date == due_in(60) and c.original_due_date == first
    update = db.session.scalars(select(CommitmentUpdate).where(CommitmentUpdate.kind == "extended")).one()
    assert (update.old_due_date, update.new_due_date, update.note) == (first, due_in(60), "Chờ hướng dẫn của Tỉnh.")
    page = sec.get(f"/followups/{c.id}").get_data(as_text=True)
    assert "ban đầu " + first.strftime("%d/%m/%Y") in page


def test_bad_input_re_renders_the_form_with_what_was_typed(setup, login_as):
    tree, session, _secretary, question, _other = setup
    c = _create(tree, session, question)
    unit_client = login_as(tree.unit_account)
    reply = unit_client.post(f"/followups/{c.id}/update", data={"u-note": "Đang làm dở", "u-progress": "140"})
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Tiến độ phải là số từ 0 đến 100." in html and "Đang làm dở" in html
    sec = login_as(tree.secretariat)
    reply = sec.post(
        "/followups/new",
        data={
            "description": "Kiểm tra lại hồ sơ",
            "unit_id": "0",
            "due_date": due_in(5).isoformat(),
            "priority": "normal",
        },
    )
    assert reply.status_code == 422 and "Kiểm tra lại hồ sơ" in reply.get_data(as_text=True)
    reply = sec.post(
        "/followups/new",
        data={
            "description": "Kiểm tra lại hồ sơ",
            "unit_id": str(tree.communes[1].id),
            "due_date": due_in(-3).isoformat(),
            "priority": "high",
            "idempotency_key": "k1",
        },
    )
    assert reply.status_code == 422 and "Thời hạn không được trước ngày hôm nay." in reply.get_data(as_text=True)
    data = {
        "description": "Kiểm tra lại hồ sơ",
        "unit_id": str(tree.communes[1].id),
        "due_date": due_in(5).isoformat(),
        "priority": "high",
        "idempotency_key": "k2",
        "question_id": str(question.id),
    }
    first = sec.post("/followups/new", data=data)
    second = sec.post("/followups/new", data=data)  # a double click
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count(Commitment.id)).where(Commitment.unit_id == tree.communes[1].id)) == 1
    made = db.session.scalars(select(Commitment).where(Commitment.unit_id == tree.communes[1].id)).one()
    assert made.session_id == session.id and made.priority == "high"


def test_moving_the_clock_past_the_due_date_makes_it_overdue_everywhere_and_reminded_once(
    setup, login_as, client, token_for, app
):
    tree, session, _secretary, question, _other = setup
    c = _create(tree, session, question, days=30)
    later = _create(tree, session, question, days=120)
    assert not queries.is_overdue(c)
    sec = login_as(tree.secretariat)
    page = sec.get("/followups/").get_data(as_text=True)
    assert re.search(r'id="count-overdue"[^>]*><strong>0</strong>', page)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["followups", "remind"])
    assert first.exit_code == 0 and "0 quá hạn" in first.output

    set_clock_offset(timedelta(days=31))
    db.session.expire_all()
    assert queries.is_overdue(c) and not queries.is_overdue(later)
    page = sec.get("/followups/").get_data(as_text=True)
    assert re.search(r'id="count-overdue"[^>]*><strong>1</strong>', page)
    assert re.search(rf'<tr id="commitment-{c.id}" class="fu-overdue">', page)
    assert page.index(f'id="commitment-{c.id}"') < page.index(f'id="commitment-{later.id}"')  # overdue first
    headers = token_for(tree.secretariat)
    listed = client.get("/api/v1/commitments?overdue=true", headers=headers).get_json()
    assert [i["id"] for i in listed["items"]] == [c.id] and listed["items"][0]["overdue"] is True
    assert client.get(f"/api/v1/commitments/{later.id}", headers=headers).get_json()["overdue"] is False

    OUTBOX.clear()
    result = runner.invoke(args=["followups", "remind", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert f"#{c.id}" in result.output and "1 quá hạn" in result.output
    recipients = sorted(m["To"] for m in OUTBOX)
    assert recipients == sorted([tree.unit_account.email, tree.secretariat.email])
    unit_mail = next(m for m in OUTBOX if m["To"] == tree.unit_account.email)
    assert "QUÁ HẠN" in unit_mail.get_content() and f"/followups/{c.id}" in unit_mail.get_content()
    # The same day again: nothing goes out twice, and nothing is reported again.
    OUTBOX.clear()
    again = runner.invoke(args=["followups", "remind"])
    assert again.exit_code == 0 and "0 quá hạn" in again.output and f"#{c.id}" not in again.output
    assert OUTBOX == []
    # The next day it is reminded again.
    set_clock_offset(timedelta(days=32))
    report = act(reminders.remind, 7)
    assert report.overdue_ids == [c.id] and report.unit_messages == 1 and report.digests == 1


def test_reminder_tells_what_falls_due_soon(setup, app):
    tree, session, _secretary, question, _other = setup
    soon = _create(tree, session, question, days=3)
    _create(tree, session, question, days=20)
    OUTBOX.clear()
    report = act(reminders.remind, days=5)
    assert report.due_soon == 1 and report.overdue == 0 and report.unit_messages == 1
    body = next(m for m in OUTBOX if m["To"] == tree.unit_account.email).get_content()
    assert "SẮP ĐẾN HẠN" in body and f"/followups/{soon.id}" in body
    assert act(reminders.remind, days=5).unit_messages == 0


def test_api(setup, client, token_for):
    tree, session, _secretary, question, _other = setup
    host = token_for(tree.host)
    body = {
        "session_id": session.id,
        "question_id": question.id,
        "description": "Hướng dẫn chi bộ lập kế hoạch kiểm tra năm",
        "unit_id": tree.communes[0].id,
        "due_date": due_in(30).isoformat(),
    }
    first = client.post("/api/v1/commitments", json=body, headers={**host, "Idempotency-Key": "abc"})
    second = client.post("/api/v1/commitments", json=body, headers={**host, "Idempotency-Key": "abc"})
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert first.get_json()["overdue"] is False and first.get_json()["status"] == "assigned"
    cid = first.get_json()["id"]
    assert db.session.scalar(select(func.count(Commitment.id))) == 1
    bad = client.post("/api/v1/commitments", json={**body, "due_date": "31/12/2030", "unit_id": "x"}, headers=host)
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"due_date", "unit_id"}
    unit = token_for(tree.unit_account)
    assert client.post("/api/v1/commitments", json=body, headers=unit).status_code == 403
    reply = client.post(f"/api/v1/commitments/{cid}/updates", json={"note": "Đã làm 50%", "progress": 50}, headers=unit)
    assert reply.status_code == 201 and reply.get_json()["progress"] == 50
    assert client.post(f"/api/v1/commitments/{cid}/updates", json={"progress": 101}, headers=unit).status_code == 422
    assert client.patch(f"/api/v1/commitments/{cid}", json={"status": "verified"}, headers=unit).status_code == 403
    reply = client.patch(f"/api/v1/commitments/{cid}", json={"status": "done", "report": "Đã xong."}, headers=unit)
    assert reply.status_code == 200 and reply.get_json()["status"] == "done"
    sec = token_for(tree.secretariat)
    assert client.patch(f"/api/v1/commitments/{cid}", json={"status": "done"}, headers=sec).status_code == 409
    reply = client.patch(f"/api/v1/commitments/{cid}", json={"status": "verified"}, headers=sec)
    assert reply.status_code == 200 and reply.get_json()["verified_at"]
    detail = client.get(f"/api/v1/commitments/{cid}", headers=sec).get_json()
    assert [u["kind"] for u in detail["updates"]] == ["created", "progress", "status", "status"]
    assert client.patch(f"/api/v1/commitments/{cid}", json={"status": "cancelled"}, headers=sec).status_code == 409
    reply = client.patch(f"/api/v1/commitments/{cid}", json={"status": "in_progress"}, headers=sec)
    assert reply.status_code == 422  # reopening needs a reason
    reply = client.patch(
        f"/api/v1/commitments/{cid}", json={"status": "in_progress", "reason": "Thiếu số liệu."}, headers=sec
    )
    assert reply.status_code == 200 and reply.get_json()["status"] == "in_progress"
    reply = client.patch(
        f"/api/v1/commitments/{cid}", json={"due_date": due_in(45).isoformat(), "reason": "Gia hạn."}, headers=sec
    )
    assert reply.get_json()["due_date"] == due_in(45).isoformat()
    assert reply.get_json()["original_due_date"] == due_in(30).isoformat()
    listed = client.get(f"/api/v1/commitments?session_id={session.id}&status=in_progress", headers=sec).get_json()
    assert listed["total"] == 1 and listed["page"] == 1
    assert client.get("/api/v1/commitments?status=late", headers=sec).status_code == 422
    assert client.get("/api/v1/commitments/999", headers=sec).status_code == 404


def test_dashboard_filters_chart_and_export(setup, login_as):
    tree, session, _secretary, question, _other = setup
    a = _create(tree, session, question)
    b = _create(tree, session, question, unit=tree.communes[1], days=2)
    sec = login_as(tree.secretariat)
    page = sec.get("/followups/").get_data(as_text=True)
    assert "<svg" in page and tree.communes[0].name in page and tree.communes[1].name in page
    assert 'id="by-unit"' in page and 'id="by-session"' in page
    page = sec.get(f"/followups/?unit_id={tree.communes[1].id}").get_data(as_text=True)
    assert f'id="commitment-{b.id}"' in page and f'id="commitment-{a.id}"' not in page
    page = sec.get(f"/followups/?due_before={due_in(10).isoformat()}").get_data(as_text=True)
    assert f'id="commitment-{b.id}"' in page and f'id="commitment-{a.id}"' not in page
    page = sec.get("/followups/?status=verified").get_data(as_text=True)
    assert 'id="commitment-' not in page
    reply = sec.get(f"/followups/export.xlsx?unit_id={tree.communes[0].id}")
    assert reply.status_code == 200
    sheet = load_workbook(BytesIO(reply.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("STT", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Đơn vị chủ trì thực hiện")
    assert "Thời hạn" in rows[0] and "Quá hạn" in rows[0] and "Trạng thái" in rows[0]
    assert len(rows) == 2 and rows[1][1] == a.id and rows[1][3] == tree.communes[0].name
    assert rows[1][8] == "Đã giao"


def test_home_sections(setup, login_as):
    tree, session, secretary, question, _other = setup
    c = _create(tree, session, question, days=2)
    assert 'id="home-unit"' in login_as(tree.unit_account).get("/").get_data(as_text=True)
    home = login_as(tree.secretariat).get("/").get_data(as_text=True)
    assert 'id="home-secretariat"' in home
    home = login_as(secretary).get("/").get_data(as_text=True)
    assert f"/followups/{c.id}" in home
    other_secretary = tree.secretaries[1]
    assert f"/followups/{c.id}" not in login_as(other_secretary).get("/").get_data(as_text=True)
    assert login_as(other_secretary).get(f"/followups/{c.id}").status_code == 403
    assert login_as(other_secretary).get(f"/followups/questions/{question.id}").status_code == 403


def test_attachment_on_an_update(setup, login_as):
    tree, session, _secretary, question, other = setup
    c = _create(tree, session, question)
    unit_client = login_as(tree.unit_account)
    reply = unit_client.post(
        f"/followups/{c.id}/update",
        data={
            "u-note": "Biên bản họp",
            "u-progress": "30",
            "u-attachment": (BytesIO(b"%PDF-1.4 test"), "bien-ban.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert reply.status_code == 302
    update = db.session.scalars(select(CommitmentUpdate).where(CommitmentUpdate.kind == "progress")).one()
    assert update.attachment_name == "bien-ban.pdf"
    got = unit_client.get(f"/followups/attachments/{update.id}")
    assert got.status_code == 200 and got.data == b"%PDF-1.4 test"
    assert login_as(other).get(f"/followups/attachments/{update.id}").status_code == 403
    unit_client = login_as(tree.unit_account)
    reply = unit_client.post(
        f"/followups/{c.id}/update",
        data={"u-note": "Tệp lạ", "u-attachment": (BytesIO(b"MZ"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 422 and "Tệp lạ" in reply.get_data(as_text=True)


def test_the_unit_list_is_soonest_first_and_the_author_lists_theirs_in_the_api(setup, login_as, client, token_for):
    tree, session, secretary, question, _other = setup
    later = _create(tree, session, question, days=40)
    sooner = _create(tree, session, question, days=5)
    html = login_as(tree.unit_account).get("/followups/mine").get_data(as_text=True)
    assert html.index(f'id="commitment-{sooner.id}"') < html.index(f'id="commitment-{later.id}"')
    unrelated = _create(tree, session, unit=tree.communes[1])
    listed = client.get("/api/v1/commitments", headers=token_for(secretary)).get_json()
    assert sorted(i["id"] for i in listed["items"]) == sorted([later.id, sooner.id])
    assert unrelated.id not in [i["id"] for i in listed["items"]]
    unit = token_for(tree.unit_account)
    reply = client.patch(
        f"/api/v1/commitments/{later.id}",
        json={"due_date": due_in(90).isoformat(), "reason": "xin gia hạn"},
        headers=unit,
    )
    assert reply.status_code == 403
    assert client.patch(f"/api/v1/commitments/{later.id}", json={"reason": "x"}, headers=unit).status_code == 422
