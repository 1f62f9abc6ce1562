"""Submissions: intake, visibility, moderation, support, search, export, attachments, query counts."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from dialogue.core.errors import Conflict, Forbidden
from dialogue.core.text import search_blob
from dialogue.core.timeutil import now, set_clock_offset
from dialogue.extensions import db
from dialogue.notifications.models import Notification
from dialogue.notifications.services import OUTBOX
from dialogue.questions import services
from dialogue.questions.models import Question, QuestionSupport
from dialogue.sessions import services as sessions
from tests.factories import act
from tests.sessions_fixtures import schedule


@pytest.fixture
def open_session(tree):
    return schedule(tree)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def submit(user, session, body, kind="question", topic=None):
    question, _created = act(services.submit_question, user, session, kind=kind, topic=topic, body=body)
    return question


def post_form(client, session_id, body, key="k1", **extra):
    data = {"kind": "question", "topic": "Công tác kiểm tra, giám sát", "body": body, "idempotency_key": key}
    data.update(extra)
    return client.post(f"/sessions/{session_id}/questions/new", data=data, content_type="multipart/form-data")


def test_the_cycle_of_the_issue(tree, client, login_as, token_for):
    """A demo organizer schedules a session for two communes; secretaries get links; three submit, one
    double-clicks and gets one record; a duplicate is merged; one is returned with a reason the author sees;
    after the deadline a submission is refused in the page and in the API (409)."""
    session = schedule(tree, units=tree.communes)
    for secretary in tree.secretaries:
        inv = sessions.invitation_for(session.id, secretary.id)
        act(sessions.resend_link, tree.organizer, inv)
    assert sorted(m["To"] for m in OUTBOX) == sorted(s.email for s in tree.secretaries)

    a, b, c = tree.secretaries[0], tree.secretaries[1], tree.secretaries[2]
    login_as(a)
    form = client.get(f"/sessions/{session.id}/questions/new")
    assert form.status_code == 200 and 'name="idempotency_key"' in form.get_data(as_text=True)
    assert form.headers["Cache-Control"] == "no-store"
    body_a = "Đề nghị hướng dẫn cụ thể quy trình kiểm tra đảng viên khi có dấu hiệu vi phạm cho chi bộ ấp."
    first = post_form(client, session.id, body_a, key="dbl")
    second = post_form(client, session.id, body_a, key="dbl")  # the double click
    assert first.status_code == 302 and second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count(Question.id)).where(Question.author_id == a.id)) == 1
    qa = db.session.scalar(select(Question).where(Question.author_id == a.id))

    login_as(b)
    body_b = "Đề nghị hướng dẫn cụ thể quy trình kiểm tra đảng viên có dấu hiệu vi phạm cho các chi bộ ấp."
    assert post_form(client, session.id, body_b, key="b1").status_code == 302
    qb = db.session.scalar(select(Question).where(Question.author_id == b.id))
    login_as(c)
    post_form(client, session.id, "Câu hỏi chưa rõ", key="c1", kind="opinion")
    qc = db.session.scalar(select(Question).where(Question.author_id == c.id))
    assert db.session.scalar(select(func.count(Question.id))) == 3

    # The organizer sees the likely duplicate and merges it.
    login_as(tree.organizer)
    page = client.get(f"/questions/{qb.id}").get_data(as_text=True)
    assert f"Gộp vào #{qa.id}" in page
    listing = client.get(f"/sessions/{session.id}/questions").get_data(as_text=True)
    assert "Có thể trùng với" in listing
    client.post(f"/questions/{qb.id}/merge", data={"into_id": qa.id})
    qb = services.get_question(qb.id)
    assert qb.status == "merged" and qb.duplicate_of_id == qa.id
    assert services.merged_authors([qa.id])[qa.id] == [(qb.id, b.name)]
    notice = db.session.scalar(
        select(Notification).where(Notification.user_id == b.id).order_by(Notification.id.desc()).limit(1)
    )
    assert f"gộp vào ý kiến #{qa.id}" in notice.text

    # One is returned with a reason the author sees.
    client.post(f"/questions/{qc.id}/return", data={"reason": "Xin nêu cụ thể khó khăn của chi bộ."})
    client.post(f"/questions/{qa.id}/accept")
    login_as(c)
    html = client.get(f"/questions/{qc.id}").get_data(as_text=True)
    assert "Trả lại. Lý do:" in html and "Xin nêu cụ thể khó khăn của chi bộ." in html
    assert "Xin nêu cụ thể khó khăn của chi bộ." in client.get("/").get_data(as_text=True)
    login_as(b)  # the merged author sees the kept one, credited
    html = client.get(f"/questions/{qa.id}").get_data(as_text=True)
    assert "Cùng nêu ý kiến" in html and b.name in html

    # After the deadline: refused, in the page and in the API.
    set_clock_offset(timedelta(days=3, minutes=1))
    login_as(tree.secretaries[3])
    refused = post_form(client, session.id, "Gửi muộn", key="late")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Đã hết hạn gửi câu hỏi" in html and "Gửi muộn" in html
    api = client.post(
        f"/api/v1/sessions/{session.id}/questions",
        json={"kind": "question", "body": "Gửi muộn"},
        headers=token_for(tree.secretaries[3]),
    )
    assert api.status_code == 409 and "Đã hết hạn gửi câu hỏi" in api.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count(Question.id))) == 3


def test_secretary_cannot_see_others_unaccepted(tree, open_session, login_as, client, token_for):
    mine = submit(tree.secretaries[0], open_session, "Ý kiến của tôi")
    other = submit(tree.secretaries[1], open_session, "Ý kiến riêng chưa duyệt")
    login_as(tree.secretaries[0])
    assert client.get(f"/questions/{other.id}").status_code == 403
    assert client.get(f"/questions/{mine.id}").status_code == 200
    listing = client.get(f"/sessions/{open_session.id}/questions").get_data(as_text=True)
    assert "Ý kiến riêng chưa duyệt" not in listing and "Ý kiến của tôi" in listing
    assert "Ý kiến riêng chưa duyệt" not in client.get(f"/sessions/{open_session.id}").get_data(as_text=True)
    headers = token_for(tree.secretaries[0])
    items = client.get(f"/api/v1/sessions/{open_session.id}/questions", headers=headers).get_json()["items"]
    assert [i["id"] for i in items] == [mine.id]
    assert client.get(f"/api/v1/questions/{other.id}", headers=headers).status_code == 403
    act(services.accept_question, tree.organizer, other)
    items = client.get(f"/api/v1/sessions/{open_session.id}/questions", headers=headers).get_json()["items"]
    assert {i["id"] for i in items} == {mine.id, other.id}
    assert client.get(f"/questions/{other.id}").status_code == 200
    host = token_for(tree.host)
    assert client.get(f"/api/v1/sessions/{open_session.id}/questions", headers=host).get_json()["total"] == 2


def test_secretary_cannot_moderate(tree, open_session, login_as, client, token_for):
    q = submit(tree.secretaries[1], open_session, "Một kiến nghị")
    login_as(tree.secretaries[0])
    for action, data in (("accept", {}), ("return", {"reason": "x"}), ("merge", {"into_id": q.id}), ("assign", {})):
        assert client.post(f"/questions/{q.id}/{action}", data=data).status_code == 403
    login_as(tree.secretaries[1])  # even the author cannot accept their own
    assert client.post(f"/questions/{q.id}/accept").status_code == 403
    headers = token_for(tree.secretaries[1])
    response = client.patch(f"/api/v1/questions/{q.id}", json={"status": "accepted"}, headers=headers)
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        act(services.accept_question, tree.secretaries[1], q)
    assert services.get_question(q.id).status == "submitted"


def test_cannot_submit_when_not_invited(tree, open_session, login_as, client, token_for):
    outsider = tree.secretaries[2]
    login_as(outsider)
    assert post_form(client, open_session.id, "Tôi không được mời").status_code == 403
    response = client.post(
        f"/api/v1/sessions/{open_session.id}/questions",
        json={"kind": "question", "body": "Tôi không được mời"},
        headers=token_for(outsider),
    )
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        submit(outsider, open_session, "Tôi không được mời")
    draft = schedule(tree, status="draft")
    with pytest.raises(Forbidden):
        submit(tree.secretaries[0], draft, "Buổi chưa mở")
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_bad_form_keeps_what_was_typed(tree, open_session, login_as, client):
    login_as(tree.secretaries[0])
    response = post_form(client, open_session.id, "", topic="Chủ đề đã gõ")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Xin nhập nội dung." in html and "Chủ đề đã gõ" in html
    fake = post_form(
        client,
        open_session.id,
        "Nội dung đã gõ dài",
        key="fake",
        attachment=(io.BytesIO(b"MZ not really a pdf"), "bien-ban.pdf"),
    )
    assert fake.status_code == 422
    html = fake.get_data(as_text=True)
    assert "Chỉ nhận tệp PDF hoặc ảnh JPEG, PNG." in html and "Nội dung đã gõ dài" in html
    big = post_form(
        client, open_session.id, "Tệp lớn", key="big", attachment=(io.BytesIO(PDF + b"0" * (6 * 1024 * 1024)), "a.pdf")
    )
    assert big.status_code == 422 and "quá lớn" in big.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Question.id))) == 0
    # the key of a refused attempt is released: the corrected retry goes through
    ok = post_form(client, open_session.id, "Nội dung đã gõ dài", key="fake")
    assert ok.status_code == 302


def test_same_text_again_points_to_the_existing(tree, open_session, client, token_for):
    headers = token_for(tree.secretaries[0])
    url = f"/api/v1/sessions/{open_session.id}/questions"
    first = client.post(url, json={"kind": "proposal", "body": "Đề xuất tập huấn nghiệp vụ"}, headers=headers)
    assert first.status_code == 201
    again = client.post(url, json={"kind": "proposal", "body": "  đề xuất TẬP HUẤN nghiệp vụ "}, headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    keyed = {**headers, "Idempotency-Key": "retry-7"}
    one = client.post(url, json={"kind": "question", "body": "Câu hỏi có khóa"}, headers=keyed)
    two = client.post(url, json={"kind": "question", "body": "Câu hỏi có khóa"}, headers=keyed)
    assert one.status_code == two.status_code == 201 and one.get_json()["id"] == two.get_json()["id"]
    assert db.session.scalar(select(func.count(Question.id))) == 2
    bad = client.post(url, json={"kind": "joke", "body": ""}, headers=headers)
    assert bad.status_code == 422 and {"kind", "body"} <= set(bad.get_json()["error"]["fields"])


def test_edit_and_withdraw_until_the_deadline(tree, open_session, login_as, app, token_for):
    q = submit(tree.secretaries[0], open_session, "Bản đầu")
    client = app.test_client()
    login_as_page = app.test_client()
    from tests.conftest import login

    login(login_as_page, tree.secretaries[0])
    response = login_as_page.post(
        f"/questions/{q.id}/edit",
        data={"kind": "opinion", "topic": "Giám sát", "body": "Bản sửa", "idempotency_key": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    q = services.get_question(q.id)
    assert (q.kind, q.topic, q.body) == ("opinion", "Giám sát", "Bản sửa") and q.updated_at is not None
    act(services.return_question, tree.organizer, q, "Chưa rõ")
    headers = token_for(tree.secretaries[0])
    edited = client.patch(f"/api/v1/questions/{q.id}", json={"body": "Bản sửa lần hai"}, headers=headers)
    assert edited.status_code == 200 and edited.get_json()["status"] == "submitted"  # back to moderation
    other = token_for(tree.secretaries[1])
    assert client.patch(f"/api/v1/questions/{q.id}", json={"body": "x"}, headers=other).status_code == 403
    set_clock_offset(timedelta(days=3, minutes=1))
    late = client.patch(f"/api/v1/questions/{q.id}", json={"body": "Sửa muộn"}, headers=headers)
    assert late.status_code == 409
    assert client.patch(f"/api/v1/questions/{q.id}", json={"status": "withdrawn"}, headers=headers).status_code == 409
    set_clock_offset(timedelta(0))
    login_as_page.post(f"/questions/{q.id}/withdraw")
    assert services.get_question(q.id).status == "withdrawn"


def test_script_is_shown_as_text_everywhere(tree, open_session, login_as, client, token_for):
    evil = "<script>alert('x')</script> kiến nghị"
    q = submit(tree.secretaries[0], open_session, evil, topic="<script>chủ đề</script>")
    act(services.accept_question, tree.organizer, q)
    act(
        services.return_question,
        tree.organizer,
        submit(tree.secretaries[0], open_session, "Khác"),
        "<script>lý do</script>",
    )
    paths = [f"/questions/{q.id}", f"/sessions/{open_session.id}", f"/sessions/{open_session.id}/questions", "/"]
    for user in (tree.secretaries[0], tree.secretaries[1], tree.organizer):
        login_as(user)
        for path in paths + ([f"/sessions/{open_session.id}/agenda"] if user is tree.organizer else []):
            html = client.get(path).get_data(as_text=True)
            assert "<script>alert" not in html and "<script>chủ đề" not in html and "<script>lý do" not in html, path
    assert "&lt;script&gt;alert(" in client.get(f"/questions/{q.id}").get_data(as_text=True)
    api = client.get(f"/api/v1/questions/{q.id}", headers=token_for(tree.organizer))
    assert api.get_json()["body"] == evil and api.mimetype == "application/json"


def test_search_ignores_diacritics_and_case(tree, open_session, login_as, client, token_for):
    submit(tree.secretaries[0], open_session, "Khó khăn trong công tác KIỂM TRA đảng viên", topic="Kỷ luật")
    submit(tree.secretaries[1], open_session, "Đề nghị tập huấn giám sát", topic="Đào tạo")
    login_as(tree.organizer)
    html = client.get(f"/sessions/{open_session.id}/questions?q=kiem+tra").get_data(as_text=True)
    assert "KIỂM TRA" in html and "tập huấn" not in html
    headers = token_for(tree.organizer)
    for query in ("kiem tra", "KIỂM TRA", "dang vien"):
        items = client.get(
            f"/api/v1/sessions/{open_session.id}/questions", query_string={"q": query}, headers=headers
        ).get_json()["items"]
        assert len(items) == 1 and "KIỂM TRA" in items[0]["body"], query
    items = client.get(
        f"/api/v1/sessions/{open_session.id}/questions", query_string={"q": "de nghi"}, headers=headers
    ).get_json()["items"]
    assert len(items) == 1


def test_filters(tree, login_as, client, token_for):
    session = schedule(tree, units=tree.communes)
    q1 = submit(tree.secretaries[0], session, "Một", kind="question")
    submit(tree.secretaries[2], session, "Hai", kind="proposal", topic="Kỷ luật đảng")
    act(services.accept_question, tree.organizer, q1)
    headers = token_for(tree.organizer)
    url = f"/api/v1/sessions/{session.id}/questions"

    def ids(**params):
        return [i["body"] for i in client.get(url, query_string=params, headers=headers).get_json()["items"]]

    assert ids(status="accepted") == ["Một"]
    assert ids(kind="proposal") == ["Hai"]
    assert ids(unit_id=tree.communes[1].id) == ["Hai"]
    assert ids(unit_id=tree.cells[0].id) == ["Một"]
    assert ids(topic="Kỷ luật đảng") == ["Hai"]
    assert client.get(url, query_string={"status": "bogus"}, headers=headers).status_code == 422
    login_as(tree.organizer)
    html = client.get(f"/sessions/{session.id}/questions?kind=proposal").get_data(as_text=True)
    assert "Hai" in html and ">Một<" not in html and "1 ý kiến" in html


def test_moderation_rules_and_agenda(tree, open_session, login_as, client, token_for):
    qs = [submit(tree.secretaries[i % 2], open_session, f"Ý kiến số {i}") for i in range(3)]
    for q in qs:
        act(services.accept_question, tree.organizer, q)
    assert [q.position for q in services.agenda(open_session)] == [1, 2, 3]
    headers = token_for(tree.organizer)
    moved = client.patch(f"/api/v1/questions/{qs[2].id}", json={"position": 1}, headers=headers)
    assert moved.status_code == 200
    assert [q.id for q in services.agenda(open_session)] == [qs[2].id, qs[0].id, qs[1].id]
    login_as(tree.organizer)
    client.post(f"/questions/{qs[1].id}/position", data={"delta": "-1", "back": "agenda"})
    assert [q.id for q in services.agenda(open_session)] == [qs[2].id, qs[1].id, qs[0].id]
    agenda_html = client.get(f"/sessions/{open_session.id}/agenda").get_data(as_text=True)
    assert agenda_html.index("Ý kiến số 2") < agenda_html.index("Ý kiến số 1") < agenda_html.index("Ý kiến số 0")

    assigned = client.patch(f"/api/v1/questions/{qs[0].id}", json={"assignee_id": tree.host.id}, headers=headers)
    assert assigned.get_json()["assignee_id"] == tree.host.id
    bad = client.patch(f"/api/v1/questions/{qs[0].id}", json={"assignee_id": tree.secretaries[0].id}, headers=headers)
    assert bad.status_code == 422
    no_reason = client.patch(f"/api/v1/questions/{qs[0].id}", json={"status": "returned"}, headers=headers)
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    self_merge = client.patch(
        f"/api/v1/questions/{qs[0].id}", json={"status": "merged", "duplicate_of": qs[0].id}, headers=headers
    )
    assert self_merge.status_code == 409
    merged = client.patch(
        f"/api/v1/questions/{qs[0].id}", json={"status": "merged", "duplicate_of": qs[1].id}, headers=headers
    )
    assert merged.status_code == 200 and merged.get_json()["duplicate_of"] == qs[1].id
    kept = client.get(f"/api/v1/questions/{qs[1].id}", headers=headers).get_json()
    assert kept["co_author_ids"] == [qs[0].author_id]
    answered = client.patch(f"/api/v1/questions/{qs[1].id}", json={"status": "answered"}, headers=headers)
    assert answered.status_code == 409  # set by the responses area, not by moderation
    with pytest.raises(Conflict):
        act(services.accept_question, tree.organizer, services.get_question(qs[0].id))


def test_support_one_per_person(tree, login_as, client):
    session = schedule(tree, units=tree.communes)
    q = submit(tree.secretaries[0], session, "Ý kiến được ủng hộ")
    with pytest.raises(Conflict):
        act(services.support_question, tree.secretaries[1], q)  # not accepted yet
    act(services.accept_question, tree.organizer, q)
    login_as(tree.secretaries[1])
    client.post(f"/questions/{q.id}/support", data={"supported": "1"})
    client.post(f"/questions/{q.id}/support", data={"supported": "1"})
    assert db.session.scalar(select(func.count(QuestionSupport.id))) == 1
    login_as(tree.secretaries[2])
    client.post(f"/questions/{q.id}/support", data={"supported": "1"})
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "2 ủng hộ" in page and "Bỏ ủng hộ" in page
    client.post(f"/questions/{q.id}/support", data={"supported": "0"})
    assert services.supporter_counts([q.id]) == {q.id: 1}
    with pytest.raises(Conflict):
        act(services.support_question, tree.secretaries[0], q)  # the author
    act(sessions.update_session, tree.organizer, session, allow_support=False)
    with pytest.raises(Conflict):
        act(services.support_question, tree.secretaries[2], q)


def test_attachment_served_only_to_those_who_may_see(tree, open_session, login_as, client):
    login_as(tree.secretaries[0])
    response = post_form(
        client, open_session.id, "Kèm biên bản", key="att", attachment=(io.BytesIO(PDF), "Biên bản họp.pdf")
    )
    assert response.status_code == 302
    q = db.session.scalar(select(Question))
    assert q.attachment_type == "application/pdf" and q.attachment_name == "Biên bản họp.pdf"
    got = client.get(f"/questions/{q.id}/attachment")
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    login_as(tree.secretaries[1])
    assert client.get(f"/questions/{q.id}/attachment").status_code == 403
    login_as(tree.organizer)
    assert client.get(f"/questions/{q.id}/attachment").status_code == 200
    login_as(tree.secretaries[0])
    client.post(
        f"/questions/{q.id}/edit",
        data={"kind": "question", "topic": "x", "body": "Kèm ảnh", "attachment": (io.BytesIO(PNG), "anh.png")},
        content_type="multipart/form-data",
    )
    q = services.get_question(q.id)
    assert q.attachment_type == "image/png"
    assert client.get(f"/questions/{q.id}/attachment").data == PNG


def test_export_xlsx_has_vietnamese_headers(tree, open_session, login_as, client):
    q = submit(tree.secretaries[0], open_session, "Nội dung xuất Excel")
    act(services.return_question, tree.organizer, q, "Lý do thử")
    login_as(tree.organizer)
    response = client.get(f"/sessions/{open_session.id}/questions.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    headers = [c.value for c in ws[3]]
    assert headers[:6] == ["STT", "Mã", "Loại", "Chủ đề", "Nội dung", "Người gửi"]
    assert "Trạng thái" in headers and "Lý do trả lại" in headers
    row = [c.value for c in ws[4]]
    assert row[4] == "Nội dung xuất Excel" and "Trả lại" in row and "Lý do thử" in row
    login_as(tree.secretaries[0])
    assert client.get(f"/sessions/{open_session.id}/questions.xlsx").status_code == 403


def _bulk(session, authors, count: int, start: int = 0) -> None:
    rows = []
    for i in range(start, start + count):
        author = authors[i % len(authors)]
        body = f"Kiến nghị số {i} về công tác kiểm tra, giám sát tại chi bộ"
        rows.append(
            {
                "session_id": session.id,
                "author_id": author.id,
                "unit_id": author.unit_id,
                "kind": "question",
                "topic": "Công tác kiểm tra, giám sát",
                "body": body,
                "status": "accepted" if i % 3 == 0 else "submitted",
                "position": i if i % 3 == 0 else None,
                "search_text": search_blob("Công tác kiểm tra, giám sát", body, author.name),
                "created_at": now(),
            }
        )
    db.session.execute(insert(Question), rows)
    db.session.commit()


def test_query_counts_do_not_grow(tree, open_session, login_as, client, token_for, count_queries):
    authors = tree.secretaries[:2]
    _bulk(open_session, authors, 10)
    support = db.session.scalar(select(Question.id).where(Question.status == "accepted"))
    db.session.add(QuestionSupport(question_id=support, user_id=tree.secretaries[1].id))
    db.session.commit()
    headers = token_for(tree.organizer)
    login_as(tree.organizer)
    page_url = f"/sessions/{open_session.id}/questions"
    api_url = f"/api/v1/sessions/{open_session.id}/questions"

    def measure():
        counts = []
        for fetch in (lambda: client.get(page_url), lambda: client.get(api_url, headers=headers)):
            fetch()  # warm up
            with count_queries() as counter:
                response = fetch()
            assert response.status_code == 200
            counts.append(counter.count)
        return counts

    few = measure()
    _bulk(open_session, authors, 1990, start=10)
    assert db.session.scalar(select(func.count(Question.id))) == 2000
    many = measure()
    print("query counts (page, api):", few, many)
    assert few == many, (few, many)
    assert few[0] <= 25 and few[1] <= 15
    secretary = token_for(tree.secretaries[0])
    with count_queries() as counter:
        assert client.get(api_url, headers=secretary).get_json()["total"] > 600
    assert counter.count <= 15


def test_demo_step_is_idempotent(app):
    from dialogue.demo.seed import seed_accounts, seed_tree
    from dialogue.sessions.demo import TITLE, seed_open_session
    from dialogue.sessions.models import DialogueSession, Invitation

    seed_tree()
    seed_accounts()
    seed_open_session()
    session = db.session.scalar(select(DialogueSession).where(DialogueSession.title == TITLE))
    assert session.status == "open" and [h.user.email for h in session.hosts] == ["bithu@demo.vn"]
    counts = (
        db.session.scalar(select(func.count(Invitation.id))),
        db.session.scalar(select(func.count(Question.id))),
    )
    assert counts == (40, 5)
    authors = set(db.session.scalars(select(Question.author_id)))
    from dialogue.accounts.services import find_by_login

    assert find_by_login("bithuchibo@demo.vn").id in authors
    seed_open_session()
    assert (
        db.session.scalar(select(func.count(Invitation.id))),
        db.session.scalar(select(func.count(Question.id))),
    ) == counts


def test_pages_render_in_every_state(tree, open_session, login_as, client):
    a, b = tree.secretaries[0], tree.secretaries[1]
    kept = submit(a, open_session, "Ý kiến được giữ lại về kiểm tra")
    merged = submit(b, open_session, "Ý kiến trùng về kiểm tra")
    returned = submit(a, open_session, "Ý kiến bị trả lại")
    withdrawn = submit(b, open_session, "Ý kiến đã rút")
    act(services.accept_question, tree.organizer, kept)
    act(services.assign_question, tree.organizer, kept, tree.host.id)
    act(services.merge_question, tree.organizer, merged, kept)
    act(services.return_question, tree.organizer, returned, "Chưa rõ")
    act(services.withdraw_question, b, withdrawn)
    for user in (tree.organizer, tree.host, tree.secretariat, a, b):
        login_as(user)
        for q in (kept, merged, returned, withdrawn):
            response = client.get(f"/questions/{q.id}")
            visible = sessions.is_staff(user) or q.author_id == user.id or q.id == kept.id
            assert response.status_code == (200 if visible else 403), (user.name, q.id)
        assert client.get(f"/sessions/{open_session.id}/questions").status_code == 200
        assert client.get(f"/sessions/{open_session.id}").status_code == 200
    login_as(b)
    html = client.get(f"/questions/{merged.id}").get_data(as_text=True)
    assert f"/questions/{kept.id}" in html and "gộp vào" in html
    login_as(a)
    html = client.get(f"/questions/{returned.id}/edit").get_data(as_text=True)
    assert "Ý kiến bị trả lại" in html and "Lưu thay đổi" in html
    login_as(tree.host)
    html = client.get(f"/sessions/{open_session.id}/agenda").get_data(as_text=True)
    assert "Ý kiến được giữ lại" in html and "Trả lời: " + tree.host.name in html and "↑" not in html
    assert client.post(f"/questions/{kept.id}/position", data={"delta": "1"}).status_code == 403
    assert client.get(f"/sessions/{open_session.id}/questions/new").status_code == 200
    login_as(tree.organizer)
    assert client.get(f"/sessions/{open_session.id}/invitees?print=1").status_code == 200
    assert client.get(f"/sessions/{open_session.id}/edit").status_code == 200


def test_a_file_written_for_a_submission_that_does_not_commit_is_removed(tree, open_session, app, monkeypatch):
    from pathlib import Path

    folder = Path(app.config["UPLOAD_DIR"]) / "questions"
    before = set(folder.glob("*")) if folder.exists() else set()

    def broken_record(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "record", broken_record)
    # A rollback, or the request's session closed after the error (Flask-SQLAlchemy's teardown).
    for end in (db.session.rollback, db.session.remove):
        with pytest.raises(RuntimeError):
            services.submit_question(
                tree.secretaries[0],
                db.session.get(type(open_session), open_session.id),
                kind="question",
                topic="Kèm biên bản",
                body="Nội dung kèm tệp",
                attachment=services.Upload(data=PDF, filename="bien-ban.pdf"),
            )
        assert len(set(folder.glob("*")) - before) == 1  # written before the commit...
        end()
        assert set(folder.glob("*")) == before  # ...and gone with the transaction
    monkeypatch.undo()
    open_session = db.session.get(type(open_session), open_session.id)
    question, created = act(
        services.submit_question,
        tree.secretaries[0],
        open_session,
        kind="question",
        topic="Kèm biên bản",
        body="Nội dung kèm tệp",
        attachment=services.Upload(data=PDF, filename="bien-ban.pdf"),
    )
    assert created and (folder / Path(question.attachment_path).name).exists()  # a committed one stays
    with db.session.begin_nested():  # a savepoint's end is not the transaction's
        pass
    assert (folder / Path(question.attachment_path).name).exists()
