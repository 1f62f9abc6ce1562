"""Giving a commitment to a responsible unit: checked, linked to what it arose from, audited, and announced."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..audit.services import record, snapshot
from ..core.errors import Invalid
from ..core.permissions import require
from ..core.timeutil import today_local
from ..extensions import db
from ..questions.models import Question
from ..responses.models import Response
from ..sessions.models import DialogueSession
from ..units.models import Unit
from . import notices
from .inputs import AUDIT_FIELDS, as_date, index, required_text
from .models import PRIORITIES, Commitment, CommitmentUpdate


def create_commitment(
    actor: User | None,
    *,
    description: str,
    unit_id: int,
    due_date: date | str,
    session_id: int | None = None,
    response_id: int | None = None,
    question_id: int | None = None,
    speaker_id: int | None = None,
    assignee_id: int | None = None,
    priority: str = "normal",
) -> Commitment:
    """A new commitment for a responsible unit (``commitment.create``: the organizer, a host, the secretariat).

    The links to its source are checked against each other: a response fixes the session (and the question when it
    answers exactly one); a question or a turn must belong to the same session. Part of the caller's transaction,
    so a form that records a response and its commitment at once keeps both or neither."""
    require(actor, "commitment.create")
    assert actor is not None  # require refuses an absent actor
    text = required_text(description, "description", _l("Xin nhập nội dung nhiệm vụ."))
    if priority not in PRIORITIES:
        raise Invalid(_l("Mức ưu tiên không hợp lệ."), fields={"priority": [str(_l("Giá trị không hợp lệ."))]})
    due = as_date(due_date)
    if due < today_local():
        raise Invalid(_l("Thời hạn không được trước ngày hôm nay."), fields={"due_date": [str(_l("Thời hạn đã qua."))]})
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None or not unit.active:
        raise Invalid(
            _l("Xin chọn đơn vị chủ trì thực hiện (đơn vị đang hoạt động)."),
            fields={"unit_id": [str(_l("Không hợp lệ."))]},
        )
    if assignee_id:
        assignee = db.session.get(User, assignee_id)
        if assignee is None or not assignee.active:
            raise Invalid(_l("Không tìm thấy người được giao."), fields={"assignee_id": [str(_l("Không hợp lệ."))]})
    session_id, question_id, speaker_id = _check_links(session_id, response_id, question_id, speaker_id)
    commitment = Commitment(
        session_id=session_id,
        response_id=response_id or None,
        question_id=question_id,
        speaker_id=speaker_id,
        description=text,
        unit=unit,
        assignee_id=assignee_id or None,
        due_date=due,
        original_due_date=due,
        priority=priority,
        status="assigned",
        progress=0,
        created_by_id=actor.id,
    )
    index(commitment)
    db.session.add(commitment)
    db.session.flush()
    db.session.add(
        CommitmentUpdate(
            commitment_id=commitment.id, author_id=actor.id, kind="created", to_status="assigned", new_due_date=due
        )
    )
    record(actor, "commitment.create", commitment, after=snapshot(commitment, AUDIT_FIELDS))
    notices.assigned(commitment, unit.name)
    return commitment


def _check_links(
    session_id: int | None, response_id: int | None, question_id: int | None, speaker_id: int | None
) -> tuple[int | None, int | None, int | None]:
    """The session, question and turn the commitment arises from, made consistent with each other."""
    session_id = session_id or None
    if response_id:
        response = db.session.get(Response, response_id)
        if response is None:
            raise Invalid(_l("Không tìm thấy ý kiến trả lời."), fields={"response_id": [str(_l("Không hợp lệ."))]})
        if session_id and session_id != response.session_id:
            raise Invalid(
                _l("Ý kiến trả lời không thuộc buổi đối thoại đã chọn."),
                fields={"response_id": [str(_l("Không khớp."))]},
            )
        session_id = response.session_id
        answered = [q.id for q in response.questions]
        if question_id and question_id not in answered and answered:
            raise Invalid(
                _l("Câu hỏi không thuộc ý kiến trả lời này."), fields={"question_id": [str(_l("Không khớp."))]}
            )
        if not question_id and len(answered) == 1:
            question_id = answered[0]
        speaker_id = speaker_id or response.speaker_id
    if question_id:
        question = db.session.get(Question, question_id)
        if question is None:
            raise Invalid(_l("Không tìm thấy câu hỏi."), fields={"question_id": [str(_l("Không hợp lệ."))]})
        if session_id and question.session_id != session_id:
            raise Invalid(
                _l("Câu hỏi không thuộc buổi đối thoại đã chọn."), fields={"question_id": [str(_l("Không khớp."))]}
            )
        session_id = question.session_id
    if speaker_id:
        from ..live.models import Speaker

        speaker = db.session.get(Speaker, speaker_id)
        if speaker is None or (session_id and speaker.session_id != session_id):
            raise Invalid(_l("Lượt phát biểu không hợp lệ."), fields={"speaker_id": [str(_l("Không hợp lệ."))]})
        session_id = speaker.session_id
    if session_id and db.session.get(DialogueSession, session_id) is None:
        raise Invalid(_l("Không tìm thấy buổi đối thoại."), fields={"session_id": [str(_l("Không hợp lệ."))]})
    return session_id, question_id or None, speaker_id or None
