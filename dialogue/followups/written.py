"""Answering in writing, after the session, the accepted submissions it did not reach (or referring them), each
with an optional commitment: the response and its commitment are one change."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..core.access import ASSIGNERS, roles_required
from ..core.errors import DomainError, NotFound
from ..core.idempotency import run_once
from ..core.permissions import require
from ..core.timeutil import today_local
from ..core.web import refuse
from ..extensions import db
from ..sessions.models import DialogueSession
from . import queries
from .forms import WrittenAnswerForm
from .views import bp, int_or_none, unit_choices

# Answering the rest in writing ------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/written", methods=["GET", "POST"])
@roles_required(*ASSIGNERS)
def written(session_id: int) -> ResponseReturnValue:
    """Accepted submissions the session did not reach, each with a form to answer in writing or refer."""
    session = db.session.get(DialogueSession, session_id)
    if session is None:
        raise NotFound(_("Không tìm thấy buổi đối thoại."))
    require(current_user, "followups.answer_in_writing", session)
    units = unit_choices()
    posted: WrittenAnswerForm | None = None
    refusal: int | None = None
    if request.method == "POST":
        target = int_or_none(request.form.get("for_question"))
        if target is None:
            abort(400)
        posted = WrittenAnswerForm(prefix=f"q{target}")
        posted.commitment_unit_id.choices = units
        if posted.question_id.data != str(target):
            abort(400)
        refusal = _answer_in_writing(session, posted)
        if refusal is None:
            return redirect(url_for("followups.written", session_id=session_id))
    questions = queries.unanswered_questions(session_id)
    forms: dict[int, WrittenAnswerForm] = {}
    for q in questions:
        if posted is not None and posted.question_id.data == str(q.id):
            forms[q.id] = posted
            continue
        form = WrittenAnswerForm(formdata=None, prefix=f"q{q.id}", question_id=str(q.id))
        form.idempotency_key.data = uuid.uuid4().hex
        form.commitment_unit_id.choices = units
        form.commitment_due_date.data = today_local() + timedelta(days=30)
        forms[q.id] = form
    status = refusal if posted is not None and refusal is not None else 200
    return (
        render_template(
            "followups/written.html", session=session, questions=questions, forms=forms, ended=session.status == "ended"
        ),
        status,
    )


def _answer_in_writing(session: DialogueSession, form: WrittenAnswerForm) -> int | None:
    """None when the answer was recorded; else the status to answer with, the errors left on ``form``."""
    if not form.validate_on_submit():
        flash(_("Xin kiểm tra lại các ô được đánh dấu."), "error")
        return 422
    question_id = int_or_none(form.question_id.data)
    if question_id is None or not queries.is_unanswered(session.id, question_id):
        flash(_("Câu hỏi này đã được trả lời hoặc không còn chờ trả lời."), "error")
        return 409
    wants_commitment = bool((form.commitment_description.data or "").strip())
    if wants_commitment and (not form.commitment_unit_id.data or not form.commitment_due_date.data):
        form.commitment_unit_id.errors = [_("Xin chọn đơn vị và thời hạn cho nhiệm vụ.")]
        flash(_("Xin chọn đơn vị chủ trì và thời hạn cho nhiệm vụ."), "error")
        return 422

    def work() -> tuple[int, dict[str, Any]]:
        from ..responses.services import record_response_with_commitment

        commitment: dict[str, Any] | None = None
        if wants_commitment:
            commitment = {
                "description": form.commitment_description.data,
                "unit_id": form.commitment_unit_id.data,
                "due_date": form.commitment_due_date.data,
                "question_id": question_id,
            }
        response, created = record_response_with_commitment(
            current_user,
            session_id=session.id,
            kind=form.kind.data,
            text=form.text.data,
            responder_id=current_user.id,
            question_ids=(question_id,),
            referred_to=(form.referred_to.data or None) if form.kind.data == "referred" else None,
            commitment=commitment,
        )
        return 201, {"response_id": response.id, "commitment_id": created.id if created else None}

    try:
        run_once(current_user.id, form.idempotency_key.data, f"page followups.written {session.id}", work)
    except DomainError as exc:
        refuse(exc, form)
        return exc.status if exc.status in (403, 404, 409) else 422
    flash(_("Đã ghi câu trả lời."), "success")
    return None
