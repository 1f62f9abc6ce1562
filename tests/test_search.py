"""One search box for the staff over sessions, submissions, responses and commitments, ignoring diacritics."""

from __future__ import annotations

from flask import url_for

from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.questions.models import Question
from tests.reports_fixtures import make_session


def test_search_ignores_diacritics_and_case_and_links_results(tree, login_as, app):
    session = make_session(tree, title="Đối thoại về công tác kiểm tra")
    question = db.session.query(Question).one()
    commitment = db.session.query(Commitment).filter(Commitment.description.like("Rút gọn%")).one()
    client = login_as(tree.organizer)
    for query in ("kiem tra", "KIỂM TRA", "Kiểm Tra"):
        answer = client.get("/search/", query_string={"q": query})
        assert answer.status_code == 200
        html = answer.get_data(as_text=True)
        assert 'id="results-sessions"' in html and "Đối thoại về công tác kiểm tra" in html
        assert 'id="results-questions"' in html and "Hồ sơ kiểm tra" in html
        assert 'id="results-commitments"' in html and "Rút gọn bộ biểu mẫu kiểm tra của chi bộ." in html
    with app.test_request_context():
        links = {
            "sessions.detail": url_for("sessions.detail", session_id=session.id)
            if "sessions.detail" in app.view_functions
            else None,
            "questions.detail": url_for("questions.detail", question_id=question.id)
            if "questions.detail" in app.view_functions
            else None,
            "followups.detail": url_for("followups.detail", commitment_id=commitment.id)
            if "followups.detail" in app.view_functions
            else None,
        }
    for link in links.values():
        if link is not None:
            assert f'href="{link}"' in html
    answer = client.get("/search/", query_string={"q": "rut gon bieu mau"})
    html = answer.get_data(as_text=True)
    assert 'id="results-responses"' in html and "Tiếp thu, sẽ rút gọn biểu mẫu." in html
    assert 'id="results-sessions"' not in html


def test_d_finds_the_letter_đ(tree, login_as):
    make_session(tree, title="Đảng bộ đối thoại")
    html = login_as(tree.host).get("/search/?q=dang+bo+doi").get_data(as_text=True)
    assert "Đảng bộ đối thoại" in html


def test_search_is_for_staff_and_refuses_a_too_short_query(tree, login_as, client):
    login_as(tree.secretaries[0])
    assert client.get("/search/?q=kiem").status_code == 403
    login_as(tree.secretariat)
    short = client.get("/search/?q=a")
    assert short.status_code == 422 and "Xin gõ ít nhất 2 ký tự để tìm." in short.get_data(as_text=True)
    assert 'value="a"' in short.get_data(as_text=True)
    empty = client.get("/search/")
    assert empty.status_code == 200 and 'name="q"' in empty.get_data(as_text=True)
    wildcard = client.get("/search/?q=%25%25")  # LIKE wildcards are searched literally
    assert wildcard.status_code == 200 and "Tìm thấy 0 kết quả" in wildcard.get_data(as_text=True)


def test_search_query_count_does_not_grow_with_hits(tree, login_as, count_queries):
    client = login_as(tree.organizer)
    make_session(tree, title="Buổi kiểm tra 0")
    client.get("/search/?q=kiem+tra")
    with count_queries() as few:
        client.get("/search/?q=kiem+tra")
    for i in range(1, 30):
        make_session(tree, title=f"Buổi kiểm tra {i}")
    with count_queries() as many:
        html = client.get("/search/?q=kiem+tra").get_data(as_text=True)
    assert "Buổi đối thoại (30)" in html
    assert many.count == few.count
