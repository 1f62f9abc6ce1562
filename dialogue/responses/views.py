"""The response form (on the clerk's console): a response, and optionally a commitment, recorded together."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..core.access import roles_required
from ..core.errors import DomainError, Invalid
from ..core.web import refuse
from ..extensions import db
from ..live import services as live
from ..live.models import Speaker
from ..questions.models import Question
from ..units.models import Unit
from . import services
from .forms import ResponseForm

bp = Blueprint("responses", __name__)

RESPONDER_ROLES = ("organizer", "host", "admin")


def _fill_choices(form: ResponseForm, session) -> None:
    turns = list(
        db.session.scalars(
            select(Speaker)
            .where(Speaker.session_id == session.id, Speaker.status.in_(("speaking", "finished")))
            .order_by(Speaker.begin_time.desc(), Speaker.id.desc())
        ).unique()
    )
    form.speaker_id.choices = [(0, _("— Không gắn lượt phát biểu —"))] + [
        (s.id, f"{s.user.name}" + (f" ({s.user.unit.name})" if s.user.unit else "")) for s in turns
    ]
    questions = list(
        db.session.scalars(
            select(Question)
            .where(Question.session_id == session.id, Question.status.in_(("accepted", "answered")))
            .order_by(Question.position.is_(None), Question.position, Question.id)
        ).unique()
    )
    form.question_ids.choices = [
        (q.id, f"{q.topic} — {q.author.name}" + (f" [{_('Đã trả lời')}]" if q.status == "answered" else ""))
        for q in questions
    ]
    people = [h.user for h in session.hosts]
    if all(p.id != current_user.id for p in people):
        people.append(current_user._get_current_object())
    form.responder_id.choices = [(p.id, p.name) for p in people]
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    form.c_unit_id.choices = [(0, _("— Chọn đơn vị —"))] + [(u.id, u.name) for u in units]


def response_form_for(session, formdata=None) -> ResponseForm:
    form = ResponseForm(formdata=formdata) if formdata is not None else ResponseForm()
    _fill_choices(form, session)
    if formdata is None:
        current = db.session.scalar(
            select(Speaker).where(Speaker.session_id == session.id, Speaker.status == "speaking")
        )
        if current is not None:
            form.speaker_id.data = current.id
            if current.question_id:
                form.question_ids.data = [current.question_id]
        if session.hosts:
            form.responder_id.data = session.hosts[0].user_id
        form.idempotency_key.data = uuid.uuid4().hex
    return form


@bp.post("/sessions/<int:session_id>/responses")
@roles_required(*RESPONDER_ROLES)
def create(session_id: int):
    from ..core.idempotency import run_once
    from ..live.views import _console

    session = live.get_session(session_id)
    form = ResponseForm()
    _fill_choices(form, session)
    if not form.validate():
        flash(_("Xin kiểm tra lại các ô được đánh dấu."), "error")
        return _console(session, form, 422)

    def work():
        response, commitment = services.record_response_with_commitment(
            current_user,
            session_id=session.id,
            kind=form.kind.data,
            text=form.text.data,
            responder_id=form.responder_id.data or None,
            question_ids=form.question_ids.data or (),
            speaker_id=form.speaker_id.data or None,
            referred_to=form.referred_to.data,
            commitment=_commitment_fields(form),
        )
        return 200, {"response_id": response.id, "commitment_id": commitment.id if commitment else None}

    try:
        _status, body = run_once(current_user.id, form.idempotency_key.data, f"response:{session.id}", work)
    except DomainError as exc:
        refuse(exc, form)
        _rename_commitment_errors(exc, form)
        return _console(session, form, exc.status)
    if body.get("commitment_id"):
        flash(_("Đã ghi ý kiến trả lời và giao nhiệm vụ."), "success")
    else:
        flash(_("Đã ghi ý kiến trả lời."), "success")
    return redirect(url_for("live.console", session_id=session.id) + "#responses")


def _commitment_fields(form: ResponseForm) -> dict | None:
    if not form.add_commitment.data:
        return None
    errors = {}
    if not (form.c_description.data or "").strip():
        errors["c_description"] = [_("Xin nhập nội dung nhiệm vụ.")]
    if not form.c_unit_id.data:
        errors["c_unit_id"] = [_("Xin chọn đơn vị chủ trì thực hiện.")]
    if not form.c_due_date.data:
        errors["c_due_date"] = [_("Xin chọn thời hạn.")]
    if errors:
        raise Invalid(_("Nhiệm vụ giao chưa đủ thông tin."), fields=errors)
    return {
        "description": form.c_description.data,
        "unit_id": form.c_unit_id.data,
        "due_date": form.c_due_date.data,
        "priority": form.c_priority.data,
    }


def _rename_commitment_errors(exc: DomainError, form: ResponseForm) -> None:
    """The commitment service names its fields without the form's ``c_`` prefix."""
    for name in ("description", "unit_id", "due_date", "priority"):
        if name in exc.fields:
            field = getattr(form, f"c_{name}")
            field.errors = list(field.errors) + [str(e) for e in exc.fields[name]]
