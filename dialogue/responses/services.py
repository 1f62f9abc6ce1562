"""Responses: what the host (or the clerk for them) answered, linked to the submissions and/or the turn it answers.

One response may answer several questions; each becomes ``answered``. Kinds: answered (giải đáp), taken on board
(tiếp thu), referred to the competent body (chuyển cơ quan chức năng), written (an answer in writing to a
submission not reached in the hall).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..audit.services import record
from ..core.access import has_any_role
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.labels import label
from ..core.text import nfc, search_blob
from ..extensions import db
from ..live.models import Speaker
from ..notifications.services import notify
from ..questions.models import Question
from ..sessions.livestate import state_changed
from ..sessions.models import DialogueSession
from .models import RESPONSE_KINDS, Response

RESPONDER_ROLES = ("organizer", "host", "admin")
WRITTEN_ROLES = ("organizer", "host", "secretariat", "admin")
LINKABLE_STATUSES = ("accepted", "answered", "submitted")
MAX_TEXT = 20000


def _bad(message, field: str):
    return Invalid(message, fields={field: [str(message)]})


def _question_link(question: Question) -> str | None:
    """Where the author reads the answer: the question's page when the questions area provides one."""
    endpoints = current_app.view_functions
    for endpoint, args in (
        ("questions.detail", {"question_id": question.id}),
        ("questions.mine", {}),
        ("sessions.detail", {"session_id": question.session_id}),
    ):
        if endpoint in endpoints:
            try:
                if has_request_context():
                    return url_for(endpoint, **args)
                with current_app.test_request_context("/"):
                    return url_for(endpoint, **args)
            except Exception:  # an endpoint with other arguments: try the next one
                continue
    return None


def record_response(
    actor: User,
    *,
    session_id: int,
    kind: str,
    text: str,
    responder_id: int | None = None,
    question_ids: Iterable[int] = (),
    speaker_id: int | None = None,
    referred_to: str | None = None,
) -> Response:
    """Records a response; linked questions become ``answered`` and their authors get a notice.

    ``commit=False`` leaves the commit to the caller (the response form that also records a commitment).
    """
    if kind not in RESPONSE_KINDS:
        raise _bad(_l("Loại trả lời không hợp lệ."), "kind")
    allowed = WRITTEN_ROLES if kind == "written" else RESPONDER_ROLES
    if not has_any_role(actor, allowed):
        raise Forbidden(_l("Chỉ người chủ trì hoặc thư ký được ghi ý kiến trả lời."))
    session = db.session.get(DialogueSession, session_id)
    if session is None:
        raise NotFound(_l("Không tìm thấy buổi đối thoại."), fields={"session_id": [str(_l("Không tồn tại."))]})
    if kind == "written":
        if session.status == "draft":
            raise Conflict(_l("Buổi đối thoại còn là bản nháp."))
    elif session.status not in ("live", "ended"):
        raise Conflict(_l("Chỉ ghi ý kiến trả lời tại buổi đối thoại khi buổi đang diễn ra hoặc đã kết thúc."))
    body = nfc(text or "") or ""
    if not body:
        raise _bad(_l("Xin nhập nội dung trả lời."), "text")
    if len(body) > MAX_TEXT:
        raise _bad(_l("Nội dung trả lời quá dài."), "text")
    referred = nfc(referred_to or "") or None
    if kind == "referred" and not referred:
        raise _bad(_l("Xin ghi cơ quan chức năng được chuyển đến."), "referred_to")
    if kind != "referred":
        referred = None
    responder = db.session.get(User, responder_id) if responder_id else actor
    if responder is None:
        raise _bad(_l("Không tìm thấy người trả lời."), "responder_id")
    speaker = None
    if speaker_id:
        speaker = db.session.get(Speaker, speaker_id)
        if speaker is None or speaker.session_id != session_id:
            raise _bad(_l("Lượt phát biểu không thuộc buổi đối thoại này."), "speaker_id")
        if speaker.status in ("waiting", "withdrawn"):
            raise _bad(_l("Lượt phát biểu này chưa diễn ra."), "speaker_id")
    ids = {int(q) for q in question_ids if q}
    if speaker is not None and speaker.question_id:
        ids.add(speaker.question_id)
    questions = list(db.session.scalars(select(Question).where(Question.id.in_(ids))).unique()) if ids else []
    if len(questions) != len(ids) or any(q.session_id != session_id for q in questions):
        raise _bad(_l("Có câu hỏi không thuộc buổi đối thoại này."), "question_ids")
    bad = [q for q in questions if q.status not in LINKABLE_STATUSES]
    if bad:
        raise _bad(
            _l(
                "Câu hỏi “%(topic)s” đang ở trạng thái “%(status)s”, không thể trả lời.",
                topic=bad[0].topic,
                status=label("question_status", bad[0].status),
            ),
            "question_ids",
        )
    if not questions and speaker is None:
        raise _bad(_l("Xin chọn câu hỏi hoặc lượt phát biểu mà ý kiến này trả lời."), "question_ids")
    if kind == "written" and not questions:
        raise _bad(_l("Trả lời bằng văn bản phải gắn với ít nhất một câu hỏi."), "question_ids")
    response = Response(
        session_id=session_id,
        speaker_id=speaker.id if speaker else None,
        kind=kind,
        text=body,
        responder_id=responder.id,
        referred_to=referred,
        created_by_id=actor.id,
        search_text=search_blob(body, referred, responder.name),
    )
    response.questions = questions
    db.session.add(response)
    db.session.flush()
    for question in questions:
        if question.status != "answered":
            before = question.status
            question.status = "answered"
            record(actor, "question.answered", question, before={"status": before}, after={"status": "answered"})
        notify(
            question.author_id,
            _(
                "Câu hỏi “%(topic)s” của bạn đã được trả lời (%(kind)s).",
                topic=question.topic,
                kind=label("response_kind", kind),
            ),
            _question_link(question),
        )
    record(
        actor,
        "response.create",
        response,
        after={
            "kind": kind,
            "speaker_id": response.speaker_id,
            "question_ids": sorted(q.id for q in questions),
            "responder_id": responder.id,
            "referred_to": referred,
        },
    )
    state_changed(session_id)  # the questions answered change on the agenda the live screens show
    return response


def record_response_with_commitment(
    actor: User,
    *,
    session_id: int,
    kind: str,
    text: str,
    responder_id: int | None = None,
    question_ids: Iterable[int] = (),
    speaker_id: int | None = None,
    referred_to: str | None = None,
    commitment: dict | None = None,
):
    """A response and, when the clerk also assigned a task, the commitment arising from it: one transaction, so
    a refused commitment leaves no half-recorded response. ``commitment`` holds create_commitment's fields
    (description, unit_id, due_date, optionally assignee_id, priority, question_id)."""
    from ..followups.services import create_commitment

    response = record_response(
        actor,
        session_id=session_id,
        kind=kind,
        text=text,
        responder_id=responder_id,
        question_ids=question_ids,
        speaker_id=speaker_id,
        referred_to=referred_to,
    )
    created = None
    if commitment is not None:
        fields = dict(commitment)
        question_id = fields.pop("question_id", None)
        if question_id is None and len(response.questions) == 1:
            question_id = response.questions[0].id
        created = create_commitment(
            actor,
            session_id=session_id,
            response_id=response.id,
            question_id=question_id,
            speaker_id=response.speaker_id,
            **fields,
        )
    return response, created


def responses_of(session_id: int, *, speaker_id: int | None = None, limit: int | None = None) -> list[Response]:
    stmt = select(Response).where(Response.session_id == session_id).order_by(Response.id.desc())
    if speaker_id:
        stmt = stmt.where(Response.speaker_id == speaker_id)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt).unique())


def get_response(response_id: int) -> Response:
    response = db.session.get(Response, response_id)
    if response is None:
        raise NotFound(_l("Không tìm thấy ý kiến trả lời."))
    return response
