"""On a 360-pixel phone in a real browser: while a secretary types, the accepted submission that asks the same in
other words appears under the text; they support it from there, and what they typed stays."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialogue.extensions import db
from dialogue.questions import services
from dialogue.questions.models import Question, QuestionSupport
from dialogue.sessions import services as sessions
from tests.sessions_fixtures import schedule

pytestmark = pytest.mark.browser

KEPT = "Đề nghị Huyện ủy ban hành bộ biểu mẫu thống nhất về hồ sơ kiểm tra, giám sát để các chi bộ áp dụng chung."
TYPED = (
    "Hiện nay mỗi xã hướng dẫn một kiểu mẫu biểu khác nhau nên chi bộ rất lúng túng khi lập hồ sơ kiểm tra. "
    "Xin cấp trên thống nhất một mẫu chung cho toàn huyện."
)


def test_secretary_supports_a_similar_submission_while_typing(browser, live_server, tree):
    session = schedule(tree)
    kept, _created = services.submit_question(
        tree.secretaries[1], session, kind="recommendation", topic=None, body=KEPT
    )
    services.accept_question(tree.organizer, kept)
    db.session.commit()
    secretary = tree.secretaries[0]
    link = sessions.session_link(secretary, session).removeprefix("http://localhost")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(live_server.url + link)
        page.wait_for_url(live_server.url + f"/sessions/{session.id}")
        page.goto(live_server.url + f"/sessions/{session.id}/questions/new")
        suggestions = page.locator("[data-similar]")
        assert suggestions.is_hidden()
        page.get_by_label("Nội dung").press_sequentially(TYPED[:60])
        page.get_by_label("Nội dung").fill(TYPED)  # the rest, pasted
        item = page.locator(f'[data-question-id="{kept.id}"]')
        item.wait_for(state="visible", timeout=10_000)
        assert "Ý kiến tương tự đã được tiếp nhận" in suggestions.inner_text()
        assert "Kiến nghị" in item.inner_text() and "0 ủng hộ" in item.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        item.get_by_role("button", name="Ủng hộ ý kiến này").focus()
        page.keyboard.press("Enter")  # by keyboard
        page.get_by_text(f"Đã ghi nhận ủng hộ ý kiến #{kept.id}").wait_for(timeout=10_000)
        assert "1 ủng hộ" in item.inner_text() and "Đồng chí đã ủng hộ ý kiến này." in item.inner_text()
        assert page.get_by_label("Nội dung").input_value() == TYPED  # nothing typed is lost
        assert page.url.endswith(f"/sessions/{session.id}/questions/new")
        db.session.expire_all()
        supports = db.session.scalars(select(QuestionSupport).where(QuestionSupport.question_id == kept.id)).all()
        assert [s.user_id for s in supports] == [secretary.id]
        assert db.session.scalar(select(func.count(Question.id))) == 1  # nothing sent

        page.locator(f'[data-question-id="{kept.id}"]').get_by_role("button", name="Bỏ ủng hộ").click()
        page.get_by_text(f"Đã bỏ ủng hộ ý kiến #{kept.id}.").wait_for(timeout=10_000)
        db.session.expire_all()
        assert db.session.scalar(select(func.count(QuestionSupport.id))) == 0
    finally:
        context.close()


def test_without_javascript_the_form_has_no_suggestions_and_still_sends(browser, live_server, tree):
    session = schedule(tree)
    kept, _created = services.submit_question(tree.secretaries[1], session, kind="question", topic=None, body=KEPT)
    services.accept_question(tree.organizer, kept)
    db.session.commit()
    link = sessions.session_link(tree.secretaries[0], session).removeprefix("http://localhost")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + link)
        page.goto(live_server.url + f"/sessions/{session.id}/questions/new")
        page.get_by_label("Nội dung").fill(TYPED)
        assert page.locator("[data-similar]").is_hidden()
        page.get_by_role("button", name="Gửi ý kiến").click()
        page.wait_for_url(live_server.url + "/questions/*")
        db.session.expire_all()
        assert db.session.scalar(select(func.count(Question.id))) == 2
    finally:
        context.close()
