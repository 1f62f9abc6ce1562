"""Responses: one response answers several questions, each becomes answered, authors are told; the console's
form records a commitment in the same go."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialogue.audit.models import AuditEntry
from dialogue.core.errors import Conflict, Forbidden, Invalid
from dialogue.core.timeutil import today_local
from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.live import services as live
from dialogue.notifications.models import Notification
from dialogue.questions.models import Question
from dialogue.responses.models import Response
from dialogue.responses.services import record_response
from dialogue.sessions.models import DialogueSession
from tests.factories import act
from tests.live_fixtures import make_question, make_session


def test_one_response_answers_several_questions(tree):
    session = make_session(tree)
    q1 = make_question(session, tree.secretaries[0], topic="Quy trình kiểm tra")
    q2 = make_question(session, tree.secretaries[1], topic="Giám sát chuyên đề")
    v = db.session.get(DialogueSession, session.id).live_version
    response = act(
        record_response,
        tree.host,
        session_id=session.id,
        kind="taken_on_board",
        text="Tiếp thu, sẽ ban hành hướng dẫn trong quý tới.",
        question_ids=[q1.id, q2.id],
    )
    db.session.expire_all()
    assert {q.id for q in response.questions} == {q1.id, q2.id}
    assert db.session.get(Question, q1.id).status == "answered"
    assert db.session.get(Question, q2.id).status == "answered"
    assert response.responder_id == tree.host.id
    notices = [n.text for n in db.session.query(Notification).filter_by(user_id=tree.secretaries[0].id)]
    assert any("Quy trình kiểm tra" in text and "Tiếp thu" in text for text in notices), notices
    assert db.session.query(AuditEntry).filter_by(action="response.create").count() == 1
    assert db.session.get(DialogueSession, session.id).live_version == v + 1
    snap = live.snapshot(db.session.get(DialogueSession, session.id))
    assert {a["status"] for a in snap["agenda"]} == {"answered"}


def test_response_rules(tree):
    session = make_session(tree)
    q = make_question(session, tree.secretaries[0])
    with pytest.raises(Invalid) as info:
        act(record_response, tree.host, session_id=session.id, kind="referred", text="Chuyển", question_ids=[q.id])
    assert "referred_to" in info.value.fields
    with pytest.raises(Invalid):
        act(record_response, tree.host, session_id=session.id, kind="answered", text="  ", question_ids=[q.id])
    with pytest.raises(Invalid):
        act(record_response, tree.host, session_id=session.id, kind="answered", text="Không gắn gì")
    with pytest.raises(Forbidden):
        act(record_response, tree.secretaries[0], session_id=session.id, kind="answered", text="x", question_ids=[q.id])
    other = make_session(tree)
    q_other = make_question(other, tree.secretaries[0])
    with pytest.raises(Invalid):
        act(record_response, tree.host, session_id=session.id, kind="answered", text="x", question_ids=[q_other.id])
    draft_like = make_session(tree, status="open")
    q_open = make_question(draft_like, tree.secretaries[0])
    with pytest.raises(Conflict):
        act(record_response, tree.host, session_id=draft_like.id, kind="answered", text="x", question_ids=[q_open.id])
    referred = act(
        record_response,
        tree.organizer,
        session_id=session.id,
        kind="referred",
        text="Chuyển Ủy ban Kiểm tra xem xét.",
        referred_to="Ủy ban Kiểm tra Huyện ủy",
        responder_id=tree.host.id,
        question_ids=[q.id],
    )
    assert referred.referred_to == "Ủy ban Kiểm tra Huyện ủy" and referred.responder_id == tree.host.id


def test_response_to_a_turn_links_its_question(tree):
    session = make_session(tree)
    q = make_question(session, tree.secretaries[0])
    act(live.request_to_speak, tree.secretaries[0], session.id, question_id=q.id)
    turn = act(live.next_speaker, tree.organizer, session.id)
    response = act(
        record_response, tree.host, session_id=session.id, kind="answered", text="Giải đáp.", speaker_id=turn.id
    )
    assert response.speaker_id == turn.id and [x.id for x in response.questions] == [q.id]
    assert db.session.get(Question, q.id).status == "answered"


def test_written_answer_after_the_session(tree):
    session = make_session(tree, status="ended")
    q = make_question(session, tree.secretaries[2])
    response = act(
        record_response,
        tree.secretariat,
        session_id=session.id,
        kind="written",
        text="Trả lời bằng văn bản.",
        question_ids=[q.id],
    )
    assert response.kind == "written" and db.session.get(Question, q.id).status == "answered"


def test_responses_api(client, tree, token_for):
    session = make_session(tree)
    q1 = make_question(session, tree.secretaries[0])
    q2 = make_question(session, tree.secretaries[1], topic="Thứ hai")
    body = {"session_id": session.id, "kind": "answered", "text": "Giải đáp cả hai.", "question_ids": [q1.id]}
    r = client.post("/api/v1/responses", json={**body, "question_id": q2.id}, headers=token_for(tree.host))
    assert r.status_code == 201 and r.json["question_ids"] == sorted([q1.id, q2.id])
    keyed = {**token_for(tree.host), "Idempotency-Key": "resp-1"}
    first = client.post("/api/v1/responses", json=body, headers=keyed)
    second = client.post("/api/v1/responses", json=body, headers=keyed)
    assert first.json["id"] == second.json["id"]
    assert db.session.query(Response).count() == 2
    bad = client.post("/api/v1/responses", json={**body, "kind": "maybe"}, headers=token_for(tree.host))
    assert bad.status_code == 422 and "kind" in bad.json["error"]["fields"]
    refused = client.post("/api/v1/responses", json=body, headers=token_for(tree.secretaries[0]))
    assert refused.status_code == 403
    listing = client.get(f"/api/v1/sessions/{session.id}/responses", headers=token_for(tree.organizer))
    assert listing.json["total"] == 2


def test_console_form_records_response_and_commitment(client, login_as, tree):
    session = make_session(tree)
    q = make_question(session, tree.secretaries[0])
    login_as(tree.organizer)
    page = client.get(f"/sessions/{session.id}/console")
    assert page.status_code == 200 and "Ghi ý kiến trả lời" in page.get_data(as_text=True)
    due = (today_local() + timedelta(days=30)).isoformat()
    form = {
        "kind": "answered",
        "responder_id": tree.host.id,
        "speaker_id": 0,
        "question_ids": [q.id],
        "text": "Huyện ủy sẽ ban hành hướng dẫn.",
        "add_commitment": "y",
        "c_description": "Ban hành hướng dẫn quy trình kiểm tra",
        "c_unit_id": tree.communes[0].id,
        "c_due_date": due,
        "c_priority": "high",
        "idempotency_key": "k-1",
    }
    r = client.post(f"/sessions/{session.id}/responses", data=form)
    assert r.status_code == 302
    response = db.session.query(Response).one()
    commitment = db.session.query(Commitment).one()
    assert commitment.response_id == response.id and commitment.unit_id == tree.communes[0].id
    assert commitment.question_id == q.id and commitment.priority == "high"
    again = client.post(f"/sessions/{session.id}/responses", data=form)  # a double click: the same key
    assert again.status_code == 302 and db.session.query(Response).count() == 1
    # Missing commitment details: nothing is recorded, the form comes back with what was typed.
    r = client.post(
        f"/sessions/{session.id}/responses",
        data={**form, "idempotency_key": "k-2", "c_unit_id": 0, "text": "Nội dung giữ lại"},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Nội dung giữ lại" in html and "Xin chọn đơn vị chủ trì thực hiện." in html
    assert db.session.query(Response).count() == 1 and db.session.query(Commitment).count() == 1
