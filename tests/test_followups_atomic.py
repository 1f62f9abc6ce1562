"""A refused request changes nothing: every endpoint and form of the follow-up that changes several things is
refused in its last part, and then no row, audit entry, notice, e-mail or file is left of its first parts."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dialogue.audit.models import AuditEntry
from dialogue.core.files import Upload
from dialogue.core.timeutil import today_local
from dialogue.core.uow import transaction
from dialogue.extensions import db
from dialogue.followups import creation, operations
from dialogue.followups.models import Commitment, CommitmentUpdate
from dialogue.notifications.models import Notification
from dialogue.notifications.services import OUTBOX
from dialogue.questions.models import Question
from dialogue.responses.models import Response
from dialogue.sessions.models import DialogueSession
from tests.factories import act
from tests.followups_fixtures import due_in, make_question, make_session  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _files(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "commitments"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _state(app, commitment_id: int | None = None) -> dict:
    """Everything a refused request could have left behind."""
    db.session.expire_all()
    counts = {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Commitment, CommitmentUpdate, AuditEntry, Notification, Response)
    }
    row = None
    if commitment_id is not None:
        c = db.session.get(Commitment, commitment_id)
        row = (c.status, c.due_date, c.original_due_date, c.progress, c.result_report, c.done_at, c.search_text)
    return {"counts": counts, "row": row, "files": _files(app), "mail": len(OUTBOX)}


@pytest.fixture
def commitment(tree, make_session, make_question):  # noqa: F811
    session = make_session(tree.district, status="live")
    question = make_question(session, tree.secretaries[0])
    made = act(
        creation.create_commitment,
        tree.host,
        description="Rà soát quy trình kiểm tra đảng viên có dấu hiệu vi phạm.",
        unit_id=tree.communes[0].id,
        due_date=due_in(30),
        session_id=session.id,
        question_id=question.id,
    )
    OUTBOX.clear()
    return made


def test_patch_with_a_new_deadline_and_a_move_the_actor_may_not_make_changes_nothing(
    app, tree, client, token_for, commitment
):
    sec, unit = token_for(tree.secretariat), token_for(tree.unit_account)  # (a token's creation is audited)
    before = _state(app, commitment.id)
    # The secretariat may extend, but only the responsible unit reports the work done: the extension is undone.
    reply = client.patch(
        f"/api/v1/commitments/{commitment.id}",
        json={"due_date": due_in(60).isoformat(), "status": "done", "reason": "Chờ hướng dẫn của Tỉnh."},
        headers=sec,
    )
    assert reply.status_code == 403
    assert reply.get_json()["error"]["message"] == "Chỉ đơn vị chủ trì thực hiện mới báo cáo hoàn thành nhiệm vụ."
    assert _state(app, commitment.id) == before
    # A move that does not fit the state: 409 naming the state, and the extension undone again.
    reply = client.patch(
        f"/api/v1/commitments/{commitment.id}",
        json={"due_date": due_in(60).isoformat(), "status": "verified", "reason": "Gia hạn rồi xác nhận."},
        headers=sec,
    )
    assert reply.status_code == 409
    assert "“Đã giao”" in reply.get_json()["error"]["message"]
    assert _state(app, commitment.id) == before
    reply = client.patch(
        f"/api/v1/commitments/{commitment.id}",
        json={"due_date": due_in(60).isoformat(), "status": "done", "reason": "x"},
        headers=unit,
    )
    assert reply.status_code == 403  # a unit cannot extend its own deadline, so it cannot report done with it
    assert _state(app, commitment.id) == before
    # Both parts allowed: both are kept, in one change.
    reply = client.patch(
        f"/api/v1/commitments/{commitment.id}",
        json={"due_date": due_in(60).isoformat(), "status": "cancelled", "reason": "Đã nhập vào nhiệm vụ khác."},
        headers=sec,
    )
    assert reply.status_code == 200
    body = reply.get_json()
    assert (body["status"], body["due_date"], body["original_due_date"]) == (
        "cancelled",
        due_in(60).isoformat(),
        due_in(30).isoformat(),
    )
    kinds = db.session.scalars(
        select(CommitmentUpdate.kind)
        .where(CommitmentUpdate.commitment_id == commitment.id)
        .order_by(CommitmentUpdate.id)
    ).all()
    assert kinds == ["created", "extended", "status"]


def test_patch_refused_on_a_stale_state_changes_nothing(app, tree, client, token_for, commitment):
    act(operations.mark_done, tree.unit_account, commitment, report="Đã ban hành hướng dẫn.")
    sec = token_for(tree.secretariat)
    before = _state(app, commitment.id)
    reply = client.patch(
        f"/api/v1/commitments/{commitment.id}",
        json={"status": "in_progress", "reason": "Thiếu số liệu.", "expected_status": "in_progress"},
        headers=sec,
    )
    assert reply.status_code == 409
    error = reply.get_json()["error"]
    assert error["code"] == "stale_state" and "“Đã hoàn thành”" in error["message"]
    assert _state(app, commitment.id) == before


def test_a_refused_progress_update_with_a_pdf_leaves_no_file_and_no_trace(app, tree, login_as, make_user, commitment):
    act(operations.mark_done, tree.unit_account, commitment, report="Đã xong.")
    before = _state(app, commitment.id)
    unit_client = login_as(tree.unit_account)
    # The work is reported done: no more progress reports.
    reply = unit_client.post(
        f"/followups/{commitment.id}/update",
        data={"u-note": "Biên bản họp", "u-progress": "80", "u-attachment": (BytesIO(PDF), "bien-ban.pdf")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 409
    html = reply.get_data(as_text=True)
    assert "không cập nhật tiến độ được nữa" in html and "“Đã hoàn thành”" in html
    assert _state(app, commitment.id) == before
    # Another commune's account may not report on it at all.
    other = make_user("unit", name="Tài khoản xã Giục Tượng", unit=tree.communes[1])
    db.session.commit()
    before = _state(app, commitment.id)  # (the new account is audited)
    reply = login_as(other).post(
        f"/followups/{commitment.id}/update",
        data={"u-note": "Không phải việc của tôi", "u-attachment": (BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 403
    assert _state(app, commitment.id) == before
    # A report named .pdf that is not one: refused by its first bytes, nothing written.
    reopened = act(operations.reopen, tree.secretariat, commitment, reason="Thiếu số liệu.")
    before = _state(app, reopened.id)
    reply = login_as(tree.unit_account).post(
        f"/followups/{commitment.id}/update",
        data={"u-note": "Tệp giả", "u-attachment": (BytesIO(b"MZ\x90\x00\x03"), "bao-cao.pdf")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 422 and "Tệp giả" in reply.get_data(as_text=True)
    assert _state(app, commitment.id) == before


def test_a_stored_attachment_goes_when_its_change_is_rolled_back(app, tree, commitment):
    """The file is written inside the change; if anything after it fails, the rollback removes it."""
    before = _state(app, commitment.id)
    with pytest.raises(RuntimeError), transaction():
        update = operations.post_update(
            tree.unit_account, commitment, note="Biên bản", progress=40, attachment=Upload(PDF, "bien-ban.pdf")
        )
        written = Path(app.config["UPLOAD_DIR"]) / update.attachment_path
        assert written.read_bytes() == PDF
        raise RuntimeError("a later part of the same unit of work failed")
    assert not written.exists()
    assert _state(app, commitment.id) == before
    # Committed, it stays.
    update = act(
        operations.mark_done, tree.unit_account, commitment, report="Xong.", attachment=Upload(PDF, "ket-qua.pdf")
    )
    line = db.session.scalars(select(CommitmentUpdate).where(CommitmentUpdate.kind == "status")).one()
    assert (Path(app.config["UPLOAD_DIR"]) / line.attachment_path).read_bytes() == PDF
    assert line.attachment_name == "ket-qua.pdf" and update.status == "done"


def test_a_refused_done_report_with_a_file_leaves_nothing(app, tree, login_as, commitment):
    act(operations.cancel, tree.secretariat, commitment, reason="Không còn cần thiết.")
    before = _state(app, commitment.id)
    reply = login_as(tree.unit_account).post(
        f"/followups/{commitment.id}/done",
        data={"d-report": "Đã làm xong", "d-attachment": (BytesIO(PDF), "ket-qua.pdf"), "seen_status": "in_progress"},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 409
    assert "“Đã hủy”" in reply.get_data(as_text=True)
    assert _state(app, commitment.id) == before


def test_a_written_answer_whose_commitment_is_refused_records_nothing(
    app,
    tree,
    make_session,  # noqa: F811
    make_question,  # noqa: F811
    login_as,
):
    session = make_session(tree.district, status="ended")
    waiting = make_question(session, tree.secretaries[1], body="Xin hướng dẫn lập hồ sơ giám sát chuyên đề.")
    version = session.live_version
    before = _state(app)
    prefix = f"q{waiting.id}-"
    reply = login_as(tree.organizer).post(
        f"/followups/sessions/{session.id}/written",
        data={
            "for_question": waiting.id,
            prefix + "question_id": waiting.id,
            prefix + "idempotency_key": "refused-1",
            prefix + "kind": "written",
            prefix + "text": "Trả lời: theo Hướng dẫn 02.",
            prefix + "commitment_description": "Tập huấn lập hồ sơ giám sát cho chi bộ",
            prefix + "commitment_unit_id": str(tree.communes[0].id),
            prefix + "commitment_due_date": due_in(-2).isoformat(),  # the response passes, its commitment does not
        },
    )
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Thời hạn không được trước ngày hôm nay." in html and "Trả lời: theo Hướng dẫn 02." in html
    assert _state(app) == before  # no response, no commitment, no audit entry, no notice to the author
    db.session.expire_all()
    assert db.session.get(Question, waiting.id).status == "accepted"
    assert db.session.get(DialogueSession, session.id).live_version == version
    # The same key once the date is right: recorded once, both parts.
    reply = login_as(tree.organizer).post(
        f"/followups/sessions/{session.id}/written",
        data={
            "for_question": waiting.id,
            prefix + "question_id": waiting.id,
            prefix + "idempotency_key": "refused-1",
            prefix + "kind": "written",
            prefix + "text": "Trả lời: theo Hướng dẫn 02.",
            prefix + "commitment_description": "Tập huấn lập hồ sơ giám sát cho chi bộ",
            prefix + "commitment_unit_id": str(tree.communes[0].id),
            prefix + "commitment_due_date": due_in(20).isoformat(),
        },
    )
    assert reply.status_code == 302
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(Commitment.due_date)) == due_in(20)


def test_a_refused_commitment_from_the_api_leaves_nothing(app, tree, client, token_for, commitment):
    host = token_for(tree.host)
    before = _state(app)
    reply = client.post(
        "/api/v1/commitments",
        json={
            "description": "Việc mới",
            "unit_id": tree.communes[0].id,
            "due_date": today_local().isoformat(),
            "assignee_id": 999_999,
        },
        headers={**host, "Idempotency-Key": "bad-assignee"},
    )
    assert reply.status_code == 422 and "assignee_id" in reply.get_json()["error"]["fields"]
    assert _state(app) == before
