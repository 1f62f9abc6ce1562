"""No input gives a 500 (API.md): ids and numbers past the database's integer, NUL bytes and other control
characters, days in year 1 or 9999, JSON nested too deep, a Socket.IO ``join`` with a strange id. Every one of
these answered 500 (or nothing) on PostgreSQL before ``core.inputs``; each must now be refused with a message,
and nothing stored."""

from __future__ import annotations

import io
import json

import pytest
import socketio
from sqlalchemy import func, select

from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.live import services as live
from dialogue.questions.models import Question
from dialogue.sessions.models import DialogueSession
from tests.live_fixtures import make_session
from tests.reports_fixtures import docx_text
from tests.sessions_fixtures import schedule

BIG = "2147483648"  # 2**31: one past PostgreSQL's integer
HUGE = "9" * 30
CONTROL_MESSAGE = "ký tự điều khiển"
ONE_LINE_MESSAGE = "chỉ nhận một dòng"


def _error(response) -> dict:
    return response.get_json()["error"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_ids_past_the_database_integer_are_not_found(client, tree, token_for, login_as):
    headers = token_for(tree.organizer)
    for path in (f"/api/v1/sessions/{BIG}", f"/api/v1/sessions/{HUGE}", f"/api/v1/questions/{BIG}"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 404, path
        assert _error(answer)["code"] == "not_found"
    assert client.patch(f"/api/v1/commitments/{BIG}", json={"status": "done"}, headers=headers).status_code == 404
    login_as(tree.organizer)
    for path in (f"/sessions/{BIG}", f"/sessions/{HUGE}/phone", f"/questions/{BIG}", f"/followups/{BIG}"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Không tìm thấy" in answer.get_data(as_text=True)


def test_numbers_past_the_database_integer_in_queries_and_bodies(client, tree, token_for, login_as):
    session = make_session(tree)
    headers = token_for(tree.organizer)
    for query in (f"page={HUGE}", f"unit_id={BIG}", f"session_id={HUGE}"):
        answer = client.get(f"/api/v1/commitments?{query}", headers=headers)
        assert answer.status_code == 422, query
        assert list(_error(answer)["fields"]) == [query.split("=")[0]]
    answer = client.post(f"/api/v1/sessions/{session.id}/checkins", json={"user_id": 10**30}, headers=headers)
    assert answer.status_code == 422 and _error(answer)["fields"] == {"user_id": ["Số quá lớn."]}
    login_as(tree.organizer)
    # The pages read ?page= as a number they can use, or the first page.
    for path in ("/sessions/", "/followups/", f"/sessions/{session.id}/questions"):
        answer = client.get(f"{path}?page={HUGE}")
        assert answer.status_code == 200, path
    answer = client.post(f"/sessions/{session.id}/checkin", data={"user_id": BIG})
    assert answer.status_code == 404  # nobody of that number is invited


def test_the_openapi_document_gives_integers_the_database_range(client):
    spec = client.get("/api/openapi.json").get_json()
    parameter = spec["paths"]["/sessions/{session_id}"]["get"]["parameters"][0]
    assert parameter["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    checkin = spec["components"]["schemas"]["CheckinBody"]["properties"]["user_id"]
    assert checkin["maximum"] == 2**31 - 1
    assert "404" in spec["paths"]["/sessions/{session_id}"]["get"]["responses"]


def test_nul_bytes_without_signing_in(app, tree):
    session = make_session(tree)
    secret = live.ensure_projector_secret(db.session.get(DialogueSession, session.id))
    db.session.commit()
    anonymous = app.test_client()
    answer = anonymous.post("/login", data={"login": "ai\x00@test.vn", "password": "x"})
    assert answer.status_code < 500
    assert CONTROL_MESSAGE in answer.get_data(as_text=True)
    answer = anonymous.get(f"/projector/{secret[:10]}%00{secret[10:]}")
    assert answer.status_code == 404
    answer = anonymous.get(f"/api/v1/sessions/{session.id}/live?projector={secret}%00")
    assert answer.status_code == 422 and list(_error(answer)["fields"]) == ["projector"]
    answer = anonymous.get(f"/live?projector=abc%00def{secret}")
    assert answer.status_code in (400, 404)
    assert anonymous.get(f"/l/abc%00{secret}").status_code == 404
    assert anonymous.get(f"/projector/{secret}").status_code == 200  # the real link still opens


def test_nul_bytes_in_searches_and_api_queries(client, tree, token_for, login_as):
    headers = token_for(tree.organizer)
    for path in ("/api/v1/sessions?q=a%00b", "/api/v1/commitments?q=a%00b", "/api/v1/units?q=%00"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 422, path
        assert CONTROL_MESSAGE in _error(answer)["fields"]["q"][0]
    login_as(tree.organizer)
    for path in ("/sessions/?q=a%00b", "/search/?q=a%00b", "/followups/?q=%00", "/admin/users?q=%00"):
        answer = client.get(path)
        assert answer.status_code == 400, path
        assert CONTROL_MESSAGE in answer.get_data(as_text=True)


def test_days_in_year_1_or_9999_are_refused(client, tree, token_for, login_as):
    headers = token_for(tree.organizer)
    body = {
        "title": "Đối thoại",
        "topic": "Kiểm tra",
        "venue": "Hội trường",
        "host_unit_id": tree.district.id,
        "host_ids": [tree.host.id],
    }
    for day in ("0001-01-01", "9999-12-31"):
        times = {"starts_at": f"{day}T08:00:00", "ends_at": f"{day}T11:00:00", "questions_close_at": f"{day}T07:00:00"}
        answer = client.post("/api/v1/sessions", json={**body, **times}, headers=headers)
        assert answer.status_code == 422, day
        assert set(_error(answer)["fields"]) == {"starts_at", "ends_at", "questions_close_at"}
        assert "01/01/2000" in _error(answer)["fields"]["starts_at"][0]
        commitment = {"description": "Rà soát", "unit_id": tree.communes[0].id, "due_date": day}
        answer = client.post("/api/v1/commitments", json=commitment, headers=headers)
        assert answer.status_code == 422 and list(_error(answer)["fields"]) == ["due_date"]
    assert _count(DialogueSession) == 0 and _count(Commitment) == 0
    login_as(tree.organizer)
    form = {
        "title": "Đối thoại năm một",
        "topic": "Kiểm tra",
        "venue": "Hội trường",
        "starts_at": "0001-01-01T08:00",
        "ends_at": "0001-01-01T11:00",
        "questions_close_at": "0001-01-01T07:00",
        "turn_minutes": "5",
        "host_unit_id": str(tree.district.id),
        "host_ids": str(tree.host.id),
    }
    answer = client.post("/sessions/new", data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "01/01/2000" in page and "Đối thoại năm một" in page
    assert _count(DialogueSession) == 0
    for day in ("0001-01-01", "9999-12-31"):
        answer = client.get(f"/reports/stats?kind=range&from={day}&to={day}")
        assert answer.status_code == 422 and "01/01/2000" in answer.get_data(as_text=True)
        assert client.get(f"/reports/stats/report.docx?kind=range&from={day}&to={day}").status_code == 422
        assert client.get(f"/followups/?due_before={day}").status_code == 200


def test_json_nested_too_deep_or_not_an_object(app, client, tree, token_for):
    headers = {**token_for(tree.organizer), "Content-Type": "application/json"}
    deep = "[" * 100_000 + "]" * 100_000
    answer = client.post("/api/v1/sessions", data=deep, headers=headers)
    assert answer.status_code == 422 and _error(answer)["code"] == "bad_json"
    deep_object = '{"title":' * 100_000 + "1" + "}" * 100_000
    answer = client.post("/api/v1/sessions", data=deep_object, headers=headers)
    assert answer.status_code == 422 and _error(answer)["code"] == "bad_json"
    anonymous = app.test_client()
    for body in ("[1]", "1", '"x"', deep, '{"login": {"a": 1}, "password": [null]}'):
        answer = anonymous.post("/login", data=body, content_type="application/json")
        assert answer.status_code < 500, body[:20]


def test_socket_join_with_a_strange_session_id_is_answered(live_server, tree):
    from dialogue.accounts.services import create_api_token

    session = make_session(tree)
    token = create_api_token(None, tree.secretaries[0], "join-test")[1]
    db.session.commit()
    sio = socketio.SimpleClient()
    sio.connect(live_server.url, auth={"token": token}, namespace="/live", transports=["websocket"])
    try:
        for data in ({"session_id": 10**30}, {"session_id": 2**31}, [session.id], "x", 5, {"session_id": None}):
            assert sio.call("join", data, timeout=5) == {"ok": False, "error": "bad_session_id"}, data
        assert sio.call("join", {"session_id": session.id}, timeout=5)["ok"] is True  # the connection still works
    finally:
        sio.disconnect()


# Control characters and line breaks in what people type ---------------------------------------------------------


def test_a_word_soft_line_break_in_a_submission_is_refused_and_kept(client, tree, login_as, token_for):
    session = schedule(tree)
    author = tree.secretaries[0]
    db.session.commit()
    login_as(author)
    typed = "Đề nghị hướng dẫn\x0bquy trình kiểm tra."
    answer = client.post(f"/sessions/{session.id}/questions/new", data={"kind": "question", "body": typed})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert CONTROL_MESSAGE in page and "U+000B" in page and "vị trí thứ 18" in page
    assert "Đề nghị hướng dẫn" in page  # what was typed stays in the form
    headers = token_for(author)
    answer = client.post(
        f"/api/v1/sessions/{session.id}/questions", json={"kind": "question", "body": typed}, headers=headers
    )
    assert answer.status_code == 422 and CONTROL_MESSAGE in _error(answer)["fields"]["body"][0]
    assert _count(Question) == 0
    several_lines = "Thứ nhất:\tbiểu mẫu.\r\nThứ hai: thời hạn."  # tabs and line breaks are text
    answer = client.post(
        f"/api/v1/sessions/{session.id}/questions", json={"kind": "question", "body": several_lines}, headers=headers
    )
    assert answer.status_code == 201
    answer = client.post(
        f"/api/v1/sessions/{session.id}/questions",
        json={"kind": "question", "topic": "Kiểm tra\ngiám sát", "body": "Một ý kiến khác."},
        headers=headers,
    )
    assert answer.status_code == 422 and ONE_LINE_MESSAGE in _error(answer)["fields"]["topic"][0]
    assert _count(Question) == 1


def test_a_line_break_in_a_one_line_field_is_refused(client, tree, login_as, token_for):
    """A title with CR/LF went into the invitation's Subject: the mail was dropped while the page said sent."""
    session = schedule(tree, status="draft")
    db.session.commit()
    answer = client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"title": "Đối thoại\r\nBcc: ai@ngoai.vn"},
        headers=token_for(tree.organizer),
    )
    assert answer.status_code == 422 and ONE_LINE_MESSAGE in _error(answer)["fields"]["title"][0]
    login_as(tree.admin)
    answer = client.post("/admin/users/new", data={"name": "Nguyễn\tVăn A", "email": "a@test.vn", "roles": "host"})
    assert answer.status_code == 422 and ONE_LINE_MESSAGE in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DialogueSession, session.id).title == "Đối thoại về công tác kiểm tra, giám sát"


def _stored_with_control_characters(tree):
    """A submission stored before input was checked: Word's soft line break in its topic and body."""
    from tests.reports_fixtures import make_session as finished_session

    session = finished_session(tree, title="Buổi có ký tự lạ")
    question = db.session.scalar(select(Question).where(Question.session_id == session.id))
    question.topic = "Hồ sơ\x0bkiểm tra"
    question.body = "Đề nghị rút gọn\x0bbiểu mẫu\x01 kiểm tra."
    db.session.commit()
    return session


def test_files_are_written_from_text_stored_with_control_characters(client, tree, login_as):
    from openpyxl import load_workbook

    session = _stored_with_control_characters(tree)
    login_as(tree.organizer)
    sheet = load_workbook(io.BytesIO(client.get(f"/sessions/{session.id}/questions.xlsx").data)).active
    assert [row[4].value for row in sheet.iter_rows(min_row=4)] == ["Đề nghị rút gọn\nbiểu mẫu kiểm tra."]
    query = "kind=range&from=2000-01-01&to=2099-12-31"
    for path in (
        f"/reports/sessions/{session.id}/stats/export/submissions_by_topic/xlsx",
        f"/reports/stats/export/submissions_by_topic/xlsx?{query}",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        values = [c.value for row in load_workbook(io.BytesIO(answer.data)).active.iter_rows() for c in row]
        assert "Hồ sơ kiểm tra" in values  # the topic's group, spelled on one line
    for kind in ("minutes", "conclusion"):
        answer = client.get(f"/reports/sessions/{session.id}/documents/{kind}/docx")
        assert answer.status_code == 200, kind
        docx_text(answer.data)  # a document Word opens
    answer = client.get(f"/reports/stats/report.docx?{query}")
    assert answer.status_code == 200
    assert "Hồ sơ" in docx_text(answer.data)


@pytest.mark.parametrize("value", ["\x00", "\ud800", "a\x1fb", "\ufffe"])
def test_what_no_file_or_database_can_hold_is_refused_in_every_text_field_of_the_api(client, tree, token_for, value):
    headers = token_for(tree.organizer)
    body = {"description": f"Rà soát {value}", "unit_id": tree.communes[0].id, "due_date": "2030-01-01"}
    answer = client.post(
        "/api/v1/commitments", data=json.dumps(body), headers={**headers, "Content-Type": "application/json"}
    )
    assert answer.status_code == 422 and list(_error(answer)["fields"]) == ["description"]
    answer = client.post("/api/v1/commitments", json=body, headers={**headers, "Idempotency-Key": f"k{value}"})
    assert answer.status_code == 422
    assert _count(Commitment) == 0


def test_an_uploaded_file_name_with_control_characters_is_kept_without_them(client, tree, login_as):
    session = schedule(tree)
    db.session.commit()
    login_as(tree.secretaries[0])
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    answer = client.post(
        f"/sessions/{session.id}/questions/new",
        data={"kind": "question", "body": "Kèm biên bản.", "attachment": (io.BytesIO(pdf), "Biên\x00 bản\x1b.pdf")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    question = db.session.scalar(select(Question))
    assert question.attachment_name == "Biên bản.pdf"
    download = client.get(f"/questions/{question.id}/attachment")
    assert download.status_code == 200 and download.data == pdf
