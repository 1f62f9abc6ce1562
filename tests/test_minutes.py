"""The minutes and the conclusion notice of the article's session: Word files from the record, the clerk's draft
with its revision check, and published versions frozen."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO

from docx import Document
from docx.shared import Mm
from sqlalchemy import func, select

from dialogue.accounts.models import User
from dialogue.audit.models import AuditEntry
from dialogue.core.timeutil import today_local
from dialogue.demo.seed import demo_user
from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.live.models import Speaker
from dialogue.questions.models import Question
from dialogue.reports.demo import seed_article_session
from dialogue.reports.models import DocumentDraft, PublishedDocument
from dialogue.reports.record import place_from_unit_name, session_record, vietnamese_date_line
from dialogue.responses.models import Response
from dialogue.sessions.models import DialogueSession, Invitation
from dialogue.units.models import Unit
from tests.reports_fixtures import demo_session, docx_text  # noqa: F401

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _organizer():
    return demo_user("vanphong@demo.vn")


def test_minutes_docx_holds_the_whole_record(demo_session, login_as):  # noqa: F811
    client = login_as(_organizer())
    response = client.get(f"/reports/sessions/{demo_session.id}/documents/minutes/docx")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    doc = Document(BytesIO(response.data))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert 13 <= doc.styles["Normal"].font.size.pt <= 14
    text = docx_text(response.data)

    assert "HUYỆN ỦY CHÂU THÀNH" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Châu Thành, ngày 17 tháng 6 năm 2025" in text
    assert "BIÊN BẢN" in text
    assert "Lê Hoàng Phong" in text  # the chair
    assert "được mời 200 đồng chí; có mặt 187 đồng chí; vắng mặt 13 đồng chí" in text

    speakers = list(
        db.session.scalars(select(Speaker).where(Speaker.session_id == demo_session.id).order_by(Speaker.begin_time))
    )
    assert len(speakers) == 6
    for number, speaker in enumerate(speakers, start=1):
        assert f"Lượt {number}: đồng chí {speaker.user.name}" in text
        assert f"{speaker.user.unit.name}, {speaker.user.unit.parent.name}" in text
    for r in db.session.scalars(select(Response).where(Response.session_id == demo_session.id)):
        assert r.text in text
        assert r.responder.name == "Lê Hoàng Phong"
    commitments = list(db.session.scalars(select(Commitment).where(Commitment.session_id == demo_session.id)))
    assert len(commitments) >= 3
    for c in commitments:
        row = f"{c.description} | {c.unit.name} | {c.due_date:%d/%m/%Y}"
        assert row in text, row
    assert "tiếp xúc, đối thoại" in text and "kiểm tra, giám sát" in text.lower()  # diacritics intact


def test_conclusion_notice_lists_each_task_with_its_lead_unit(demo_session, login_as):  # noqa: F811
    client = login_as(demo_user("bithu@demo.vn"))
    response = client.get(f"/reports/sessions/{demo_session.id}/documents/conclusion/docx")
    assert response.status_code == 200
    text = docx_text(response.data)
    assert "HUYỆN ỦY CHÂU THÀNH" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "ĐẢNG BỘ TỈNH KIÊN GIANG" in text
    assert "THÔNG BÁO" in text
    # A notice bears the day it is signed (today, for a draft), with its zeros.
    today = today_local()
    month = f"{today.month:02d}" if today.month <= 2 else str(today.month)
    assert f"Châu Thành, ngày {today.day:02d} tháng {month} năm {today.year}" in text
    assert "Kết luận của đồng chí Bí thư Huyện ủy tại buổi tiếp xúc, đối thoại trực tiếp giữa Thường trực" in text
    assert "không để vi phạm nhỏ tích tụ thành vi phạm lớn" in text
    assert "thường xuyên, toàn diện, công khai, dân chủ, thận trọng, chặt chẽ" in text
    lines = text.splitlines()
    commitments = list(
        db.session.scalars(
            select(Commitment).where(Commitment.session_id == demo_session.id).order_by(Commitment.due_date)
        )
    )
    for number, c in enumerate(commitments, start=1):
        position = lines.index(f"{number}. {c.description.rstrip('.')}.")
        assert lines[position + 1] == f"Đơn vị chủ trì: {c.unit.name}."
        assert lines[position + 2].startswith(f"Thời hạn hoàn thành: {c.due_date:%d/%m/%Y}. Đơn vị chủ trì báo cáo")
    assert "(Ký, ghi rõ họ tên)" not in text
    assert "T/M BAN THƯỜNG VỤ\nBÍ THƯ" in text and "Lê Hoàng Phong" in text
    assert "- Lưu Văn phòng Huyện ủy." in text


def test_print_pages_show_the_documents(demo_session, login_as):  # noqa: F811
    client = login_as(_organizer())
    page = client.get(f"/reports/sessions/{demo_session.id}/documents/minutes")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in html and "HUYỆN ỦY CHÂU THÀNH" in html
    for speaker in db.session.scalars(select(Speaker).where(Speaker.session_id == demo_session.id)):
        assert speaker.user.name in html
    page = client.get(f"/reports/sessions/{demo_session.id}/documents/conclusion")
    assert "không để vi phạm nhỏ tích tụ thành vi phạm lớn" in page.get_data(as_text=True)


def test_documents_are_for_organizer_host_and_secretariat(demo_session, login_as, client):  # noqa: F811
    secretary = db.session.scalar(select(User).where(User.email == "bithuchibo@demo.vn"))
    login_as(secretary)
    assert client.get(f"/reports/sessions/{demo_session.id}/documents/minutes/docx").status_code == 403
    assert client.get(f"/reports/sessions/{demo_session.id}/documents/minutes").status_code == 403
    login_as(demo_user("ubkt@demo.vn"))  # secretariat reads, does not edit
    assert client.get(f"/reports/sessions/{demo_session.id}/documents/minutes").status_code == 200
    assert client.get(f"/reports/sessions/{demo_session.id}/documents/minutes/edit").status_code == 403


def test_api_documents_and_permissions(demo_session, token_for, client):  # noqa: F811
    headers = token_for(demo_user("ubkt@demo.vn"))
    for kind in ("minutes", "conclusion"):
        response = client.get(f"/api/v1/sessions/{demo_session.id}/documents/{kind}.docx", headers=headers)
        assert response.status_code == 200 and response.mimetype == DOCX
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in docx_text(response.data)
    secretary = db.session.scalar(select(User).where(User.email == "bithuchibo@demo.vn"))
    denied = client.get(f"/api/v1/sessions/{demo_session.id}/documents/minutes.docx", headers=token_for(secretary))
    assert denied.status_code == 403 and denied.get_json()["error"]["code"] == "forbidden"
    missing = client.get("/api/v1/sessions/999999/documents/minutes.docx", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["message"]
    assert client.get(f"/api/v1/sessions/{demo_session.id}/documents/minutes.docx").status_code == 401


def test_published_minutes_do_not_change_until_a_new_version(demo_session, login_as):  # noqa: F811
    client = login_as(_organizer())
    url = f"/reports/sessions/{demo_session.id}/documents/minutes"
    draft = db.session.scalar(select(DocumentDraft).where(DocumentDraft.session_id == demo_session.id))
    published = client.post(f"{url}/publish", data={"revision": draft.revision})
    assert published.status_code == 302
    v1 = docx_text(client.get(f"{url}/docx").data)
    speaker = db.session.scalar(select(Speaker).where(Speaker.session_id == demo_session.id).order_by(Speaker.id))
    old_name = speaker.user.name

    # The record is edited afterwards: a response rewritten, a commitment's unit changed, a name corrected.
    response = db.session.scalar(select(Response).where(Response.speaker_id == speaker.id))
    response.text = "Nội dung trả lời đã sửa sau khi ban hành."
    speaker.user.name = "Tên Đã Sửa"
    db.session.commit()
    saved = client.get(f"{url}/edit")
    revision = re.search(r'name="revision"[^>]*value="(\d+)"', saved.get_data(as_text=True)).group(1)
    assert client.post(f"{url}/edit", data={"revision": revision, "opening": "Khai mạc mới."}).status_code == 302

    still = docx_text(client.get(f"{url}/docx").data)
    assert still == v1
    assert old_name in still and "Tên Đã Sửa" not in still and "đã sửa sau khi ban hành" not in still
    api_still = client.get(f"/api/v1/sessions/{demo_session.id}/documents/minutes.docx")
    assert docx_text(api_still.data) == v1

    assert client.post(f"{url}/publish", data={}).status_code == 302
    v2 = docx_text(client.get(f"{url}/docx").data)
    assert "Tên Đã Sửa" in v2 and "đã sửa sau khi ban hành" in v2 and "Khai mạc mới." in v2
    assert docx_text(client.get(f"{url}/docx?version=1").data) == v1
    versions = db.session.scalars(
        select(PublishedDocument.version).where(PublishedDocument.session_id == demo_session.id)
    ).all()
    assert sorted(versions) == [1, 2]
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"document.minutes.publish", "document.minutes.save"} <= actions


def test_a_stale_save_is_refused_and_nothing_typed_is_lost(demo_session, login_as, client):  # noqa: F811
    url = f"/reports/sessions/{demo_session.id}/documents/conclusion/edit"
    login_as(_organizer())
    first = client.post(url, data={"revision": "1", "conclusions": "Kết luận của thư ký A."})
    assert first.status_code == 302
    login_as(demo_user("bithu@demo.vn"))
    stale = client.post(url, data={"revision": "1", "conclusions": "Kết luận đồng chí chủ trì gõ dở — đừng mất."})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Kết luận đồng chí chủ trì gõ dở — đừng mất." in html  # what was typed is still in the form
    assert "Kết luận của thư ký A." in html  # and the other person's text shown beside it
    assert "người khác lưu" in html
    draft = db.session.scalar(
        select(DocumentDraft).where(DocumentDraft.session_id == demo_session.id, DocumentDraft.kind == "conclusion")
    )
    db.session.refresh(draft)
    assert draft.fields["conclusions"] == "Kết luận của thư ký A." and draft.revision == 2
    # Saving again after comparing goes through (the form now carries the new revision).
    again = client.post(url, data={"revision": "2", "conclusions": "Bản thống nhất."})
    assert again.status_code == 302


def test_minutes_editor_saves_turn_summaries(demo_session, login_as):  # noqa: F811
    client = login_as(_organizer())
    speaker = db.session.scalar(select(Speaker).where(Speaker.session_id == demo_session.id).order_by(Speaker.id))
    form = client.get(f"/reports/sessions/{demo_session.id}/documents/minutes/edit").get_data(as_text=True)
    assert f'name="summary_{speaker.id}"' in form
    data = {
        "revision": "1",
        "opening": "Khai mạc.",
        "closing": "Bế mạc.",
        f"summary_{speaker.id}": "Tóm tắt đã biên tập.",
    }
    assert client.post(f"/reports/sessions/{demo_session.id}/documents/minutes/edit", data=data).status_code == 302
    text = docx_text(client.get(f"/reports/sessions/{demo_session.id}/documents/minutes/docx").data)
    assert "Tóm tắt đã biên tập." in text and "Khai mạc." in text


def test_publishing_needs_an_ended_session(demo_session, login_as):  # noqa: F811
    demo_session.status = "live"
    db.session.commit()
    client = login_as(_organizer())
    answer = client.post(
        f"/reports/sessions/{demo_session.id}/documents/minutes/publish", data={}, follow_redirects=True
    )
    assert "Chỉ ban hành văn bản sau khi buổi đối thoại đã kết thúc." in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PublishedDocument)) == 0


def test_the_record_is_read_in_a_bounded_number_of_queries(demo_session, count_queries):  # noqa: F811
    with count_queries() as counter:
        record = session_record(db.session.get(DialogueSession, demo_session.id))
    assert len(record["turns"]) == 6 and record["attendance"]["invited"] == 200
    assert counter.count <= 14, counter.statements
    assert [t["seconds_used"] for t in record["turns"]] == [262, 298, 241, 187, 226, 305]
    by_unit = {g["unit"]: g for g in record["attendance"]["by_unit"]}
    assert len(by_unit) == 10 and sum(g["invited"] for g in by_unit.values()) == 200


def test_demo_step_is_idempotent(demo_session):  # noqa: F811
    def counts():
        return [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (DialogueSession, Invitation, Question, Speaker, Response, Commitment, DocumentDraft)
        ]

    before = counts()
    seed_article_session()
    assert counts() == before
    assert before[:4] == [1, 200, 12, 6]
    present = db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.checked_in_at.is_not(None))
    )
    assert present == 187


def test_dates_are_written_with_their_zeros():
    assert vietnamese_date_line("Châu Thành", date(2026, 2, 7)) == "Châu Thành, ngày 07 tháng 02 năm 2026"
    assert vietnamese_date_line("Châu Thành", date(2026, 1, 15)) == "Châu Thành, ngày 15 tháng 01 năm 2026"
    assert vietnamese_date_line("Châu Thành", date(2025, 6, 17)) == "Châu Thành, ngày 17 tháng 6 năm 2025"
    assert vietnamese_date_line("Châu Thành", date(2025, 11, 3)) == "Châu Thành, ngày 03 tháng 11 năm 2025"


def test_place_is_derived_from_the_host_unit():
    assert place_from_unit_name("Huyện ủy Châu Thành") == "Châu Thành"
    assert place_from_unit_name("Đảng ủy xã Vĩnh Hòa Hiệp") == "Vĩnh Hòa Hiệp"
    assert place_from_unit_name("Tỉnh ủy Kiên Giang") == "Kiên Giang"
    assert place_from_unit_name("Ban Tuyên giáo") == "Ban Tuyên giáo"


def test_a_response_shows_every_submission_it_answers(demo_session, login_as):  # noqa: F811
    response = db.session.scalar(select(Response).where(Response.session_id == demo_session.id).order_by(Response.id))
    other = db.session.scalar(
        select(Question).where(Question.session_id == demo_session.id, Question.topic == "Kiểm tra tài chính đảng")
    )
    response.questions.append(other)
    db.session.commit()
    client = login_as(_organizer())
    text = docx_text(client.get(f"/reports/sessions/{demo_session.id}/documents/minutes/docx").data)
    assert "trả lời cả: Kiểm tra tài chính đảng" in text
    html = client.get(f"/reports/sessions/{demo_session.id}/documents/minutes").get_data(as_text=True)
    assert "trả lời cả: Kiểm tra tài chính đảng" in html


def test_session_page_links_to_the_documents_for_staff(demo_session, login_as, client):  # noqa: F811
    login_as(_organizer())
    html = client.get(f"/sessions/{demo_session.id}").get_data(as_text=True)
    assert f"/reports/sessions/{demo_session.id}/documents/minutes" in html
    assert f"/reports/sessions/{demo_session.id}/documents/conclusion" in html
    assert f"/reports/sessions/{demo_session.id}/stats" in html


def test_publishing_what_was_not_seen_is_refused(demo_session, login_as):  # noqa: F811
    client = login_as(_organizer())
    url = f"/reports/sessions/{demo_session.id}/documents/conclusion"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'name="revision" type="hidden" value="1"', page)
    client.post(f"{url}/edit", data={"revision": "1", "conclusions": "Sửa trong lúc người kia đang xem."})
    answer = client.post(f"{url}/publish", data={"revision": "1"}, follow_redirects=True)
    assert "Văn bản vừa được sửa sau khi bạn mở trang." in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PublishedDocument)) == 0
    assert client.post(f"{url}/publish", data={"revision": "2"}).status_code == 302
    doc = db.session.scalar(select(PublishedDocument))
    assert doc.version == 1 and doc.content["conclusions"] == "Sửa trong lúc người kia đang xem."


def test_home_lists_documents_to_publish(demo_session, login_as):  # noqa: F811
    client = login_as(_organizer())
    html = client.get("/").get_data(as_text=True)
    section = html[html.index('id="home-documents"') :]
    assert demo_session.title in section and "chưa ban hành" in section
    client.post(f"/reports/sessions/{demo_session.id}/documents/minutes/publish", data={})
    section = client.get("/").get_data(as_text=True)
    assert "đã ban hành, phiên bản 1" in section[section.index('id="home-documents"') :]


def test_the_organizer_records_reasons_of_absence(demo_session, login_as):  # noqa: F811
    client = login_as(_organizer())
    url = f"/reports/sessions/{demo_session.id}/documents/minutes"
    form = client.get(f"{url}/edit").get_data(as_text=True)
    absent = list(
        db.session.scalars(
            select(Invitation).where(Invitation.session_id == demo_session.id, Invitation.checked_in_at.is_(None))
        )
    )
    assert len(absent) == 13 and all(f'name="absence_{inv.id}"' in form for inv in absent)
    revision = re.search(r'name="revision"[^>]*value="(\d+)"', form).group(1)
    person = absent[-1]
    answer = client.post(f"{url}/edit", data={"revision": revision, f"absence_{person.id}": "Đi học lớp trung cấp"})
    assert answer.status_code == 302
    text = docx_text(client.get(f"{url}/docx").data)
    assert f"- Đồng chí {person.user.name} ({person.unit.name}): vắng có lý do, đi học lớp trung cấp." in text
    assert text.count("vắng có lý do") == 1  # the demo's own reasons were replaced by what was saved


def test_a_promise_made_in_a_response_becomes_a_task_of_the_notice(demo_session, login_as):  # noqa: F811
    client = login_as(_organizer())
    edit = f"/reports/sessions/{demo_session.id}/documents/conclusion/edit"
    page = client.get(edit).get_data(as_text=True)
    committed = set(db.session.scalars(select(Commitment.response_id).where(Commitment.session_id == demo_session.id)))
    free = [
        r
        for r in db.session.scalars(
            select(Response).where(Response.session_id == demo_session.id).order_by(Response.id)
        )
        if r.id not in committed
    ]
    assert len(free) == 2 and all(r.text in page for r in free)
    unit = db.session.scalar(select(Unit).where(Unit.name == "Đảng ủy xã Thạnh Lộc"))
    before = db.session.scalar(select(func.count()).select_from(Commitment))
    late = client.post(
        f"/reports/sessions/{demo_session.id}/documents/conclusion/tasks",
        data={"response_id": free[0].id, "unit_id": unit.id, "due_date": "2000-01-01"},
        follow_redirects=True,
    )
    assert "Thời hạn không được trước ngày hôm nay." in late.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == before
    due = today_local() + timedelta(days=30)
    data = {"response_id": free[0].id, "unit_id": unit.id, "due_date": due.isoformat(), "description": ""}
    taken = client.post(f"/reports/sessions/{demo_session.id}/documents/conclusion/tasks", data=data)
    assert taken.status_code == 302
    task = db.session.scalar(select(Commitment).where(Commitment.response_id == free[0].id))
    assert task.description == free[0].text and task.unit_id == unit.id and task.due_date == due
    again = client.post(
        f"/reports/sessions/{demo_session.id}/documents/conclusion/tasks", data=data, follow_redirects=True
    )
    assert "Ý kiến này đã được giao thành nhiệm vụ." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == before + 1
    text = docx_text(client.get(f"/reports/sessions/{demo_session.id}/documents/conclusion/docx").data)
    assert "Đơn vị chủ trì: Đảng ủy xã Thạnh Lộc." in text
