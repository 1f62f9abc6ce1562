"""Answering the rest: accepted submissions the session did not reach get a written answer (or are referred), with
commitments; the session's panel counts what still waits."""

from __future__ import annotations

from sqlalchemy import func, select

from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.questions.models import Question
from dialogue.responses.models import Response
from tests.factories import act
from tests.followups_fixtures import due_in, make_question, make_response, make_session  # noqa: F401


def test_written_answers_after_the_session(tree, make_session, make_question, make_response, login_as, app):  # noqa: F811
    session = make_session(tree.district, status="ended")
    answered_live = make_question(session, tree.secretaries[0], body="Đã được trả lời tại buổi.")
    make_response(session, [answered_live], tree.host)
    waiting = make_question(session, tree.secretaries[1], body="Xin hướng dẫn lập hồ sơ giám sát chuyên đề.")
    other = make_question(session, tree.secretaries[2], body="Kiến nghị bổ sung kinh phí cho Ủy ban Kiểm tra xã.")
    make_question(session, tree.secretaries[3], status="returned", body="Câu hỏi bị trả lại")  # not accepted
    db.session.execute(select(Question))  # keep the session fresh
    org = login_as(tree.organizer)
    page = org.get(f"/followups/sessions/{session.id}/written")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'id="q-{waiting.id}"' in html and f'id="q-{other.id}"' in html
    assert f'id="q-{answered_live.id}"' not in html and "Câu hỏi bị trả lại" not in html
    assert "2 câu hỏi, ý kiến đã tiếp nhận còn chờ trả lời." in html

    # The session's panel (rendered through the Jinja globals) says two still wait.
    with app.test_request_context():
        from flask import render_template_string
        from flask_login import login_user

        login_user(tree.organizer)
        panel = render_template_string('{% include "followups/_session_panel.html" %}', session=session)
    assert "2 câu hỏi, ý kiến đã tiếp nhận còn chờ trả lời." in panel
    assert f"/followups/sessions/{session.id}/written" in panel
    if "sessions.detail" in app.view_functions:  # the session's own page includes the panel
        html = org.get(f"/sessions/{session.id}").get_data(as_text=True)
        assert 'id="session-followup"' in html and "2 câu hỏi, ý kiến đã tiếp nhận còn chờ trả lời." in html

    # Bad input: the form comes back with what was typed.
    prefix = f"q{waiting.id}-"
    reply = org.post(
        f"/followups/sessions/{session.id}/written",
        data={
            "for_question": waiting.id,
            prefix + "question_id": waiting.id,
            prefix + "kind": "written",
            prefix + "text": "Trả lời: theo Hướng dẫn 02.",
            prefix + "commitment_description": "Tập huấn lập hồ sơ giám sát",
            prefix + "commitment_unit_id": "0",
        },
    )
    assert reply.status_code == 422
    assert "Trả lời: theo Hướng dẫn 02." in reply.get_data(as_text=True)

    reply = org.post(
        f"/followups/sessions/{session.id}/written",
        data={
            "for_question": waiting.id,
            prefix + "question_id": waiting.id,
            prefix + "idempotency_key": "w1",
            prefix + "kind": "written",
            prefix + "text": "Trả lời: theo Hướng dẫn 02.",
            prefix + "commitment_description": "Tập huấn lập hồ sơ giám sát cho chi bộ",
            prefix + "commitment_unit_id": str(tree.communes[0].id),
            prefix + "commitment_due_date": due_in(20).isoformat(),
        },
    )
    assert reply.status_code == 302
    response = db.session.scalars(select(Response).where(Response.kind == "written")).one()
    assert [q.id for q in response.questions] == [waiting.id]
    commitment = db.session.scalars(select(Commitment)).one()
    assert (commitment.response_id, commitment.question_id, commitment.session_id) == (
        response.id,
        waiting.id,
        session.id,
    )
    again = org.post(
        f"/followups/sessions/{session.id}/written",
        data={
            "for_question": waiting.id,
            prefix + "question_id": waiting.id,
            prefix + "idempotency_key": "w2",
            prefix + "kind": "written",
            prefix + "text": "Trả lời lần hai",
        },
    )
    assert again.status_code == 409  # already answered: no second answer
    assert db.session.scalar(select(func.count(Response.id)).where(Response.kind == "written")) == 1
    db.session.expire_all()
    assert db.session.get(Question, waiting.id).status == "answered"
    html = org.get(f"/followups/sessions/{session.id}/written").get_data(as_text=True)
    assert f'id="q-{waiting.id}"' not in html and "1 câu hỏi, ý kiến đã tiếp nhận còn chờ trả lời." in html

    # The author sees the written answer and the commitment on their question.
    author = login_as(tree.secretaries[1])
    html = author.get(f"/followups/questions/{waiting.id}").get_data(as_text=True)
    assert "Trả lời bằng văn bản" in html and "Trả lời: theo Hướng dẫn 02." in html
    assert "Tập huấn lập hồ sơ giám sát cho chi bộ" in html

    # A unit's account may not answer.
    assert login_as(tree.unit_account).get(f"/followups/sessions/{session.id}/written").status_code == 403


def test_question_panel_query_count_is_bounded(
    tree,
    make_session,  # noqa: F811
    make_question,  # noqa: F811
    make_response,  # noqa: F811
    count_queries,
    app,
):
    from dialogue.followups import creation, operations

    session = make_session(tree.district)
    question = make_question(session, tree.secretaries[0])
    response = make_response(session, [question], tree.host)

    def render() -> int:
        with app.test_request_context():
            from flask import render_template_string
            from flask_login import login_user

            login_user(tree.secretaries[0])
            q = db.session.get(Question, question.id)
            with count_queries() as counter:
                render_template_string('{% include "followups/_question_panel.html" %}', question=q)
            return counter.count

    act(
        creation.create_commitment,
        tree.host,
        description="Một",
        unit_id=tree.communes[0].id,
        due_date=due_in(5),
        response_id=response.id,
    )
    render()  # warm-up: the header's per-request figures are cached on ``g``
    one = render()
    for i in range(6):
        c = act(
            creation.create_commitment,
            tree.host,
            description=f"Việc {i}",
            unit_id=tree.communes[i % 2].id,
            due_date=due_in(5),
            question_id=question.id,
        )
        act(operations.post_update, tree.secretariat, c, note="Đang làm", progress=20)
    assert render() == one
