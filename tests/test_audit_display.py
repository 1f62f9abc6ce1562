"""The admin reads the log in words: actions and fields by name, ids as the names of what they point to, with
links, dates as dd/mm/yyyy HH:MM in Vietnam, yes/no, the labels of stored codes; one query per kind of object,
whatever the size of the page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from dialogue.accounts import services as accounts
from dialogue.accounts.models import User
from dialogue.audit.models import AuditEntry
from dialogue.audit.services import record
from dialogue.calendar.services import add_exception
from dialogue.core.timeutil import now, today_local
from dialogue.extensions import db
from dialogue.live.models import Speaker
from dialogue.questions.models import Question
from dialogue.reports.models import DocumentDraft, PublishedDocument
from dialogue.sessions.models import DialogueSession, Invitation
from dialogue.units import services as units
from dialogue.units.models import Unit
from tests.factories import (
    act,
    make_commitment,
    make_question,
    make_response,
    make_speaker,
    model_session,
    saved,
    schedule,
)


def tbody(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>")[0]


def page_of(client, **args) -> str:
    response = client.get("/admin/audit/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_unit_s_changes_read_as_words_with_names_and_links(client, tree, login_as):
    unit = act(units.create_unit, tree.admin, name="Chi bộ ấp Mới", kind="cell", parent_id=tree.communes[0].id)
    act(units.move_unit, tree.admin, unit, tree.communes[1].id)
    act(units.set_active, tree.admin, unit, False)
    login_as(tree.admin)
    body = tbody(page_of(client))
    for words in ("Tạo đơn vị", "Chuyển đơn vị sang đơn vị cấp trên khác", "Ngừng hoạt động đơn vị"):
        assert words in body
    assert "Đơn vị cấp trên" in body and "Cấp, loại đơn vị" in body and "Chi bộ" in body
    # the move: from one commune to the other, by name, each a link to the unit's page
    move = next(r for r in body.split("<tr>") if "Chuyển đơn vị" in r)
    assert f'<a href="/admin/units/{tree.communes[0].id}">Đảng ủy xã Bình An</a>' in move
    assert f'<a href="/admin/units/{tree.communes[1].id}">Đảng ủy xã Giục Tượng</a>' in move
    assert f'<a href="/admin/units/{unit.id}">Chi bộ ấp Mới</a>' in move
    assert "parent_id" not in body and "unit.move" not in body and f": {tree.communes[1].id}<" not in body
    deactivation = next(r for r in body.split("<tr>") if "Ngừng hoạt động" in r)
    assert "Đang hoạt động" in deactivation and "có" in deactivation and "không" in deactivation
    assert f'<a href="/admin/users/{tree.admin.id}">Quản trị</a>' in deactivation  # who did it


def test_an_account_shows_its_roles_and_unit_in_words(client, tree, login_as):
    act(
        accounts.create_user,
        tree.admin,
        name="Nguyễn Văn Tư",
        email="tu@test.vn",
        roles={"secretary", "unit"},
        unit_id=tree.cells[1].id,
    )
    login_as(tree.admin)
    row = next(r for r in tbody(page_of(client, action="user.create")).split("<tr>") if "Nguyễn Văn Tư" in r)
    assert "Tạo tài khoản" in row and "Vai trò" in row and "Bí thư chi bộ" in row and "Đơn vị thực hiện" in row
    assert "Thuộc đơn vị" in row and f'<a href="/admin/units/{tree.cells[1].id}">Chi bộ ấp Tân Điền</a>' in row
    assert "secretary" not in row and "roles" not in row


def test_a_session_shows_times_in_vietnam_durations_hosts_and_status_labels(client, tree, login_as):
    year = now().year + 1
    start = datetime(year, 6, 17, 7, 30, tzinfo=UTC)  # 14:30 in Vietnam
    session = schedule(
        tree,
        status="open",
        starts_in=start - now(),
        close_in=start - now() - timedelta(days=2),
        turn_seconds=200,
    )
    login_as(tree.admin)
    body = tbody(page_of(client, object_type="dialogue_sessions"))
    created = next(r for r in body.split("<tr>") if "Tạo buổi đối thoại" in r)
    assert "Bắt đầu lúc" in created and f"17/06/{year} 14:30" in created and f"17/06/{year} 17:30" in created
    assert "Thời gian mỗi lượt phát biểu" in created and "3 phút 20 giây" in created
    assert f'<a href="/admin/units/{tree.district.id}">Huyện ủy Châu Thành</a>' in created  # the host unit
    assert f'<a href="/admin/users/{tree.host.id}">Bí thư Huyện ủy</a>' in created  # the hosts
    assert "Đơn vị được mời" in created and "Đảng ủy xã Bình An" in created
    assert "Cho phép đồng tình với ý kiến" in created
    assert f'<a href="/sessions/{session.id}">' in created
    opened = next(r for r in body.split("<tr>") if "Chuyển trạng thái buổi đối thoại" in r)
    assert "Bản nháp" in opened and "Đang nhận câu hỏi" in opened and "draft" not in opened


def _one_of_every_kind(tree) -> dict[str, object]:
    """A real row of every kind of object the log names, and an entry about each."""
    session = model_session(tree.district, status="ended", title="Đối thoại quý II")
    question = make_question(session, tree.secretaries[0], topic="Quy trình kiểm tra đảng viên")
    speaker = make_speaker(session, tree.secretaries[1])
    response = make_response(session, [question], tree.host, text="Tiếp thu ý kiến về quy trình")
    commitment = make_commitment(tree.communes[0], session=session, description="Rà soát hồ sơ kiểm tra")
    invitation = saved(Invitation(session_id=session.id, user_id=tree.secretaries[2].id, rsvp="pending"))
    draft = saved(DocumentDraft(session_id=session.id, kind="minutes", fields={}, revision=1))
    published = saved(PublishedDocument(session_id=session.id, kind="conclusion", version=1, content={}))
    token, _secret = act(accounts.create_api_token, tree.admin, tree.organizer, "Máy chiếu hội trường")
    day = act(add_exception, tree.admin, date(2026, 9, 3), "day_off", "Nghỉ bù Quốc khánh")
    objects = {
        "units": tree.cells[0],
        "users": tree.secretaries[0],
        "api_tokens": token,
        "dialogue_sessions": session,
        "invitations": invitation,
        "questions": question,
        "speakers": speaker,
        "responses": response,
        "commitments": commitment,
        "document_drafts": draft,
        "published_documents": published,
        "calendar_exceptions": day,
    }
    for obj in objects.values():
        record(tree.admin, "test.look", obj, after={"status": None})
    db.session.commit()
    return objects


def test_every_kind_of_object_is_named_and_linked(client, tree, login_as):
    o = _one_of_every_kind(tree)
    login_as(tree.admin)
    body = tbody(page_of(client, action="test.look"))
    session_id = o["dialogue_sessions"].id
    expected = [
        (f"/admin/units/{o['units'].id}", "Chi bộ ấp Hòa An"),
        (f"/admin/users/{o['users'].id}", o["users"].name),
        (f"/admin/users/{tree.organizer.id}", "Khóa “Máy chiếu hội trường” của Văn phòng"),
        (f"/sessions/{session_id}", "Đối thoại quý II ("),
        (f"/sessions/{session_id}/invitees", f"Giấy mời {tree.secretaries[2].name} dự Đối thoại quý II"),
        (f"/questions/{o['questions'].id}", "Kiến nghị “Quy trình kiểm tra đảng viên” của"),
        (f"/sessions/{session_id}/console", f"Lượt phát biểu của {tree.secretaries[1].name}"),
        (f"/sessions/{session_id}", "Tiếp thu: “Tiếp thu ý kiến về quy trình”"),
        (f"/followups/{o['commitments'].id}", "Nhiệm vụ “Rà soát hồ sơ kiểm tra” giao Đảng ủy xã Bình An"),
        (f"/sessions/{session_id}", "Dự thảo biên bản của Đối thoại quý II"),
        (f"/sessions/{session_id}", "Thông báo kết luận của Đối thoại quý II"),
        ("/admin/calendar?year=2026", "Ngày 03/09/2026"),
    ]
    for href, name in expected:
        assert re.search(f'<a href="{re.escape(href)}">{re.escape(name)}', body), (href, name)
    assert "(không còn)" not in body


def test_an_object_deleted_since_is_named_from_its_entry(client, tree, login_as):
    unit = act(units.create_unit, tree.admin, name="Chi bộ tạo nhầm", kind="cell", parent_id=tree.communes[0].id)
    act(units.delete_unit, tree.admin, unit)
    login_as(tree.admin)
    body = tbody(page_of(client, action="unit.delete"))
    assert "Xóa đơn vị" in body and "Đơn vị “Chi bộ tạo nhầm” (không còn)" in body
    assert f'href="/admin/units/{unit.id}"' not in body


def test_a_reordered_agenda_and_a_draft_read_part_by_part(client, tree, login_as):
    session = model_session(tree.district, status="ended")
    q1 = make_question(session, tree.secretaries[0], topic="Biểu mẫu kiểm tra")
    q2 = make_question(session, tree.secretaries[1], topic="Kinh phí giám sát")
    speaker = make_speaker(session, tree.secretaries[0])
    record(
        tree.organizer,
        "question.reorder",
        session,
        before={"positions": {q1.id: 1, q2.id: 2}},
        after={"positions": {q1.id: 2, q2.id: 1}},
    )
    draft = saved(DocumentDraft(session_id=session.id, kind="minutes", fields={}, revision=2))
    record(
        tree.organizer,
        "document.minutes.save",
        draft,
        before={"fields": {"opening": "Khai mạc lúc 14 giờ", "summaries": {}}, "revision": 1},
        after={
            "fields": {"opening": "Khai mạc lúc 14 giờ 30", "summaries": {str(speaker.id): "Nêu khó khăn"}},
            "revision": 2,
        },
    )
    db.session.commit()
    login_as(tree.admin)
    body = tbody(page_of(client))
    reorder = next(r for r in body.split("<tr>") if "Sắp xếp thứ tự ý kiến" in r)
    assert f'<a href="/questions/{q1.id}">Kiến nghị “Biểu mẫu kiểm tra”' in reorder
    assert f'<a href="/questions/{q2.id}">Kiến nghị “Kinh phí giám sát”' in reorder
    assert "Thứ tự trong chương trình" in reorder
    saved_draft = next(r for r in body.split("<tr>") if "Lưu dự thảo biên bản" in r)
    assert "Khai mạc" in saved_draft and "Khai mạc lúc 14 giờ 30" in saved_draft
    assert "Tóm tắt lượt phát biểu" in saved_draft and "Nêu khó khăn" in saved_draft
    assert f'<a href="/sessions/{session.id}/console">Lượt phát biểu của' in saved_draft
    assert "Lần lưu" in saved_draft and "summaries" not in saved_draft and "opening" not in saved_draft


def test_one_entry_shows_whole_with_its_unit(client, tree, login_as):
    long_body = "Đề nghị " + "hướng dẫn quy trình kiểm tra " * 30
    session = model_session(tree.district, status="open")
    question = make_question(session, tree.secretaries[0], body=long_body.strip())
    entry = record(tree.secretaries[0], "question.edit", question, before={"body": "Cũ"}, after={"body": question.body})
    entry.unit_id = tree.district.id
    db.session.commit()
    login_as(tree.admin)
    listing = tbody(page_of(client))
    assert question.body not in listing and "…" in listing  # cut in the list
    page = client.get(f"/admin/audit/{entry.id}").get_data(as_text=True)
    assert "Sửa ý kiến" in page and question.body in page and "<code>question.edit</code>" in page
    assert "Thuộc đơn vị" in page and "Huyện ủy Châu Thành" in page
    assert f"/admin/audit/?object_type=questions&amp;object_id={question.id}" in page
    assert client.get("/admin/audit/999999").status_code == 404


def test_the_filter_lists_actions_in_words(client, tree, login_as):
    act(units.rename_unit, tree.admin, tree.cells[0], "Chi bộ ấp Hòa An Mới")
    login_as(tree.admin)
    page = page_of(client)
    assert '<option value="unit.update" >Sửa đơn vị</option>' in page
    assert '<option value="users" >Tài khoản</option>' in page
    filtered = tbody(page_of(client, action="unit.update"))
    assert "Chi bộ ấp Hòa An Mới" in filtered and "Tạo tài khoản" not in filtered


def test_the_page_speaks_english_too(client, tree, login_as):
    act(units.rename_unit, tree.admin, tree.cells[0], "Chi bộ ấp Hòa An Mới")
    act(units.set_active, tree.admin, tree.cells[0], False)
    login_as(tree.admin)
    client.get("/lang/en")
    body = tbody(page_of(client))
    assert "Edited a unit" in body and "Deactivated a unit" in body and "Active" in body
    assert "yes" in body and "no" in body and "Sửa đơn vị" not in body
    assert "Chi bộ ấp Hòa An Mới" in body  # data stays as typed


# Query counts ------------------------------------------------------------------------------------------------


def _entries(tree, n: int, start: int) -> None:
    """``n`` entries, each about objects of its own (a unit, a person, a session, a submission, a turn, a
    commitment), with fields pointing to more: a page that named them one by one would cost a query each."""
    for i in range(start, start + n):
        unit = Unit(name=f"Chi bộ số {i}", kind="cell", parent_id=tree.communes[i % 2].id, search_text="")
        person = User(name=f"Người thứ {i}", email=f"nguoi{i}@test.vn", unit=unit, search_text="")
        db.session.add_all([unit, person])
        db.session.flush()
        kind = i % 6
        if kind == 0:
            record(
                tree.admin, "unit.update", unit, before={"parent_id": tree.district.id}, after={"parent_id": unit.id}
            )
        elif kind == 1:
            record(tree.admin, "user.update", person, before={"unit_id": None}, after={"unit_id": unit.id})
        else:
            session = DialogueSession(
                title=f"Đối thoại {i}",
                topic="Kiểm tra",
                venue="Hội trường",
                starts_at=now(),
                ends_at=now(),
                questions_close_at=now(),
                host_unit_id=unit.id,
                status="live",
                search_text="",
            )
            db.session.add(session)
            db.session.flush()
            question = Question(
                session_id=session.id, author_id=person.id, kind="question", topic=f"Chủ đề {i}", body="Nội dung"
            )
            db.session.add(question)
            db.session.flush()
            if kind == 2:
                record(tree.organizer, "session.status", session, before={"status": "open"}, after={"status": "live"})
            elif kind == 3:
                record(person, "question.merge", question, after={"duplicate_of_id": question.id, "status": "merged"})
            elif kind == 4:
                speaker = Speaker(
                    session_id=session.id, user_id=person.id, seconds_allowed=300, question_id=question.id
                )
                db.session.add(speaker)
                db.session.flush()
                record(tree.organizer, "speaker.start", speaker, after={"user_id": person.id, "begin_time": now()})
            else:
                commitment = make_commitment(unit, session=session, question=question)
                record(
                    tree.host,
                    "commitment.create",
                    commitment,
                    after={
                        "unit_id": unit.id,
                        "assignee_id": person.id,
                        "due_date": today_local(),
                        "status": "assigned",
                    },
                )
    db.session.commit()


def _count(client, count_queries, **args) -> int:
    page_of(client, per_page=200, **args)  # once for whatever a first request loads
    with count_queries() as counter:
        page_of(client, per_page=200, **args)
    return counter.count


def test_a_page_costs_the_same_for_10_entries_or_200(client, tree, login_as, count_queries):
    db.session.execute(db.delete(AuditEntry))  # only the entries below
    db.session.commit()
    _entries(tree, 12, 0)
    login_as(tree.admin)
    small = _count(client, count_queries)
    _entries(tree, 188, 12)
    assert db.session.query(AuditEntry).count() == 200
    large = _count(client, count_queries)
    body = tbody(page_of(client, per_page=200))
    assert body.count("<tr>") == 200 and "Người thứ 199" in body and "Chi bộ số 150" in body
    print("audit page queries", small, large)
    assert large == small, (small, large)
    assert large <= 20, large
