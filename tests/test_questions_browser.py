"""On a 360-pixel phone in a real browser: a secretary opens their personal link, double-clicks "send" and gets
one record; the organizer accepts it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialogue.accounts.services import update_user
from dialogue.extensions import db
from dialogue.questions.models import Question
from dialogue.sessions import services as sessions
from tests.factories import act
from tests.sessions_fixtures import schedule

pytestmark = pytest.mark.browser


def test_secretary_submits_on_a_phone(browser, live_server, tree):
    session = schedule(tree, units=tree.communes)
    secretary = tree.secretaries[0]
    link = sessions.session_link(secretary, session).removeprefix("http://localhost")
    act(update_user, None, tree.organizer, password="mat-khau-dai")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(live_server.url + link)
        page.wait_for_url(live_server.url + f"/sessions/{session.id}")
        assert session.title in page.locator("h1").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("link", name="Gửi câu hỏi, ý kiến, kiến nghị").click()
        page.get_by_label("Kiến nghị").check()
        page.get_by_label("Nội dung").fill("Đề nghị hướng dẫn quy trình <script>kiểm tra</script> đảng viên.")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Gửi ý kiến").dblclick()
        page.wait_for_url(live_server.url + "/questions/*")
        assert "Chờ duyệt" in page.content()
        assert "<script>kiểm tra</script>" in page.locator(".qbody").inner_text()
        db.session.expire_all()
        assert db.session.scalar(select(func.count(Question.id))) == 1
        question = db.session.scalar(select(Question))
        assert question.kind == "recommendation" and question.author_id == secretary.id

        organizer = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
        other = organizer.new_page()
        other.goto(live_server.url + "/login")
        other.get_by_label("Email hoặc số điện thoại").fill(tree.organizer.email)
        other.get_by_label("Mật khẩu").fill("mat-khau-dai")
        other.keyboard.press("Enter")
        other.wait_for_url(live_server.url + "/")
        assert "1 ý kiến chờ duyệt" in other.content()
        other.goto(live_server.url + f"/questions/{question.id}")
        other.get_by_role("button", name="Tiếp nhận vào chương trình").click()
        other.wait_for_load_state()
        assert "Đã tiếp nhận ý kiến." in other.content()
        organizer.close()
        page.reload()
        assert "Đã tiếp nhận" in page.content()
    finally:
        context.close()
