"""Pages of submissions: send one, see one and what became of it, the moderation list, the agenda, export."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..core.access import roles_required, signed_in
from ..core.errors import DomainError
from ..core.idempotency import run_once
from ..core.inputs import local_path
from ..core.web import refuse
from ..extensions import db
from ..sessions import services as sessions
from ..units.models import Unit
from ..units.services import descendant_ids
from . import services
from .forms import AssignForm, MergeForm, PositionForm, QuestionForm, ReturnForm
from .models import Question
from .topics import groups_of, topic_key

bp = Blueprint("questions", __name__)

MODERATORS = ("organizer", "admin")
STAFF_ROLES = ("organizer", "host", "secretariat", "admin")
PER_PAGE = 50


def _upload(form: QuestionForm) -> services.Upload | None:
    storage = form.attachment.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return services.Upload(data=storage.read(), filename=storage.filename)


@bp.route("/sessions/<int:session_id>/questions/new", methods=["GET", "POST"])
@signed_in
def new(session_id: int):
    session = sessions.get_session(session_id)
    sessions.require_view(current_user, session)
    form = QuestionForm()
    if request.method == "GET":
        form.topic.data = session.topic
        form.idempotency_key.data = uuid.uuid4().hex
    status = 200
    if form.validate_on_submit():
        upload = _upload(form)

        def work():
            question, created = services.submit_question(
                current_user,
                sessions.get_session(session_id),
                kind=form.kind.data,
                topic=form.topic.data,
                body=form.body.data,
                attachment=upload,
            )
            return (201 if created else 200), {"id": question.id, "created": created}

        try:
            code, body = run_once(current_user.id, form.idempotency_key.data, f"form:question:{session_id}", work)
        except DomainError as exc:
            refuse(exc, form)
            status = exc.status
        else:
            if code == 201:
                flash(_("Đã gửi ý kiến. Bộ phận tổ chức sẽ xem xét và tiếp nhận."), "success")
            else:
                flash(_("Đồng chí đã gửi ý kiến có nội dung này; đây là ý kiến đã gửi."), "info")
            return redirect(url_for("questions.detail", question_id=body["id"]))
    elif request.method == "POST":
        status = 422
    session = sessions.get_session(session_id)
    response = make_response(
        render_template(
            "questions/form.html",
            form=form,
            session=session,
            question=None,
            status=sessions.effective_status(session),
            invited=sessions.invitation_for(session.id, current_user.id) is not None,
        ),
        status,
    )
    # A page brought back by the browser's "back" button would resend a used key: always fetch a fresh one.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/questions/<int:question_id>")
@signed_in
def detail(question_id: int):
    question = services.get_question(question_id)
    services.require_see(current_user, question)
    session = sessions.get_session(question.session_id)
    moderator = services.can_moderate(current_user)
    suggestions, suggested = {}, {}
    if moderator:
        suggestions = services.duplicate_suggestions(session, [question], limit=5)
        ids = [i for i, _score in suggestions.get(question.id, [])]
        suggested = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids))).unique()}
    assign_form = AssignForm(formdata=None)
    if moderator:
        assign_form.assignee_id.choices = [(0, _("— Chưa phân công —"))] + [
            (u.id, f"{u.name}{' – ' + u.position if u.position else ''}") for u in services.assignee_choices()
        ]
        assign_form.assignee_id.data = question.assignee_id or 0
    window = sessions.questions_open(session)
    return render_template(
        "questions/detail.html",
        question=question,
        session=session,
        status=sessions.effective_status(session),
        is_author=question.author_id == current_user.id,
        can_edit=question.author_id == current_user.id and window and question.status in ("submitted", "returned"),
        can_withdraw=question.author_id == current_user.id
        and window
        and question.status in ("submitted", "returned", "accepted"),
        moderator=moderator,
        is_staff=sessions.is_staff(current_user),
        supporters=services.supporter_counts([question.id]).get(question.id, 0),
        supported=question.id in services.supported_by(current_user, [question.id]),
        can_support=session.allow_support
        and question.status == "accepted"
        and question.author_id != current_user.id
        and sessions.invitation_for(session.id, current_user.id) is not None
        and session.status != "ended",
        co_authors=services.merged_authors([question.id]).get(question.id, []),
        kept=services.get_question(question.duplicate_of_id) if question.duplicate_of_id else None,
        suggestions=suggestions.get(question.id, []),
        suggested=suggested,
        return_form=ReturnForm(formdata=None),
        merge_form=MergeForm(formdata=None),
        assign_form=assign_form,
        position_form=PositionForm(formdata=None, data={"position": question.position}),
    )


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(question_id: int):
    question = services.get_question(question_id)
    if question.author_id != current_user.id:
        services.require_see(current_user, question)
        flash(_("Chỉ người gửi mới được sửa ý kiến này."), "error")
        return redirect(url_for("questions.detail", question_id=question_id))
    session = sessions.get_session(question.session_id)
    form = QuestionForm(obj=question) if request.method == "GET" else QuestionForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.edit_question(
                current_user,
                question,
                kind=form.kind.data,
                topic=form.topic.data,
                body=form.body.data,
                attachment=_upload(form),
                remove_attachment=form.remove_attachment.data,
            )
        except DomainError as exc:
            refuse(exc, form)
            status = exc.status
        else:
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for("questions.detail", question_id=question_id))
    elif request.method == "POST":
        status = 422
    question = services.get_question(question_id)
    return render_template(
        "questions/form.html",
        form=form,
        session=session,
        question=question,
        status=sessions.effective_status(session),
        invited=True,
    ), status


def _act(question_id: int, action, success: str, anchor: str = ""):
    question = services.get_question(question_id)
    try:
        action(question)
    except DomainError as exc:
        refuse(exc)
    else:
        flash(success, "success")
    return redirect(url_for("questions.detail", question_id=question_id) + anchor)


@bp.post("/questions/<int:question_id>/withdraw")
@signed_in
def withdraw(question_id: int):
    return _act(question_id, lambda q: services.withdraw_question(current_user, q), _("Đã rút ý kiến."))


@bp.post("/questions/<int:question_id>/support")
@signed_in
def support(question_id: int):
    wanted = request.form.get("supported", "1") == "1"
    question = services.get_question(question_id)
    services.require_see(current_user, question)
    try:
        services.support_question(current_user, question, wanted)
    except DomainError as exc:
        refuse(exc)
    else:
        flash(_("Đã ghi nhận ủng hộ.") if wanted else _("Đã bỏ ủng hộ."), "success")
    return redirect(local_path(request.form.get("next")) or url_for("questions.detail", question_id=question_id))


@bp.post("/questions/<int:question_id>/accept")
@roles_required(*MODERATORS)
def accept(question_id: int):
    return _act(question_id, lambda q: services.accept_question(current_user, q), _("Đã tiếp nhận ý kiến."))


@bp.post("/questions/<int:question_id>/return")
@roles_required(*MODERATORS)
def return_(question_id: int):
    form = ReturnForm()
    return _act(
        question_id,
        lambda q: services.return_question(current_user, q, form.reason.data),
        _("Đã trả lại ý kiến; người gửi đã được báo."),
    )


@bp.post("/questions/<int:question_id>/merge")
@roles_required(*MODERATORS)
def merge(question_id: int):
    form = MergeForm()

    def action(q):
        into_id = form.into_id.data if form.validate() else None
        if not into_id:
            from ..core.errors import Invalid

            raise Invalid(_("Xin nhập số của ý kiến được giữ lại."))
        services.merge_question(current_user, q, services.get_question(into_id))

    return _act(question_id, action, _("Đã gộp ý kiến; người gửi đã được báo."))


@bp.post("/questions/<int:question_id>/assign")
@roles_required(*MODERATORS)
def assign(question_id: int):
    assignee_id = request.form.get("assignee_id", type=int) or None
    return _act(
        question_id, lambda q: services.assign_question(current_user, q, assignee_id), _("Đã phân công người trả lời.")
    )


@bp.post("/questions/<int:question_id>/position")
@roles_required(*MODERATORS)
def position(question_id: int):
    wanted = request.form.get("position", type=int)
    delta = request.form.get("delta", type=int)
    question = services.get_question(question_id)
    try:
        if delta:
            services.move_question(current_user, question, delta)
        elif wanted:
            services.set_position(current_user, question, wanted)
    except DomainError as exc:
        refuse(exc)
    back = request.form.get("back")
    if back == "agenda":
        return redirect(url_for("questions.agenda", session_id=question.session_id) + f"#q-{question_id}")
    return redirect(url_for("questions.detail", question_id=question_id))


@bp.get("/questions/<int:question_id>/attachment")
@signed_in
def attachment(question_id: int):
    question = services.get_question(question_id)
    path, name, mime = services.attachment_for(current_user, question)
    response = send_file(path, mimetype=mime, as_attachment=mime == "application/pdf", download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _filters() -> dict:
    keys = ("status", "kind", "unit_id", "topic", "q")
    filters = {k: request.args.get(k, "").strip() for k in keys}
    filters["unit_id"] = request.args.get("unit_id", type=int) or None
    return {k: v for k, v in filters.items() if v}


@bp.get("/sessions/<int:session_id>/questions")
@signed_in
def index(session_id: int):
    """The moderation list for staff; an invitee sees their own submissions and the accepted ones."""
    session = sessions.get_session(session_id)
    filters = _filters()
    stmt = services.visible_stmt(current_user, session, {**filters, "order": "newest"})
    page = services.page_of(stmt, request.args.get("page", 1, type=int), PER_PAGE)
    staff = sessions.is_staff(current_user)
    moderator = services.can_moderate(current_user)
    suggestions = services.duplicate_suggestions(session, page["items"]) if moderator else {}
    invited_ids = [u.unit_id for u in session.invited_units]
    units = []
    if staff and invited_ids:
        units = list(
            db.session.scalars(
                select(Unit)
                .where(Unit.id.in_(descendant_ids(invited_ids)), Unit.kind.notin_(("cell", "group")))
                .order_by(Unit.name)
            )
        )
    return render_template(
        "questions/index.html",
        session=session,
        status=sessions.effective_status(session),
        page=page,
        filters=filters,
        staff=staff,
        moderator=moderator,
        suggestions=suggestions,
        topics=groups_of(session.id) if staff else [],
        topic_key=topic_key(filters.get("topic")),
        units=units,
        supported=services.supported_by(current_user, [q.id for q in page["items"]]),
        args={k: v for k, v in filters.items()},
    )


@bp.get("/sessions/<int:session_id>/agenda")
@roles_required(*STAFF_ROLES)
def agenda(session_id: int):
    session = sessions.get_session(session_id)
    items = services.agenda(session)
    ids = [q.id for q in items]
    return render_template(
        "questions/agenda.html",
        session=session,
        items=items,
        supporters=services.supporter_counts(ids),
        co_authors=services.merged_authors(ids),
        moderator=services.can_moderate(current_user),
    )


@bp.get("/sessions/<int:session_id>/questions.xlsx")
@roles_required(*STAFF_ROLES)
def export(session_id: int):
    session = sessions.get_session(session_id)
    data = services.export_xlsx(current_user, session)
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="y-kien-buoi-{session.id}.xlsx"'},
    )
