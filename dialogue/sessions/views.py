"""Pages of a session: the list, scheduling, the session page every role lands on, invitees, RSVP, .ics."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.services import find_by_login
from ..core.access import roles_required, signed_in
from ..core.errors import DomainError, NotFound
from ..core.nav import add_nav_item
from ..core.pagination import page_of
from ..core.timeutil import local_to_utc, to_local
from ..core.web import refuse
from ..extensions import db
from ..home.services import register_section
from ..units.services import tree_rows
from . import services
from .forms import AddInviteeForm, SessionForm

bp = Blueprint("sessions", __name__, url_prefix="/sessions")

add_nav_item("sessions.index", _l("Các buổi đối thoại"), None, position=1)
register_section("secretary", "sessions/_home_secretary.html", services.secretary_home, order=20)
register_section("organizer", "sessions/_home_organizer.html", services.organizer_home, order=20)
register_section("host", "sessions/_home_host.html", services.host_home, order=20)

MANAGERS = ("organizer", "admin")
STAFF_ROLES = ("organizer", "host", "secretariat", "admin")


def _load(session_id: int):
    session = services.get_session(session_id)
    services.require_view(current_user, session)
    return session


@bp.get("/")
@signed_in
def index():
    status = request.args.get("status") or None
    q = request.args.get("q") or None
    page = max(1, request.args.get("page", 1, type=int))
    per_page = 30
    listing = page_of(services.visible_sessions_stmt(current_user, status=status, q=q), page, per_page)
    rows, total = listing["items"], listing["total"]
    return render_template(
        "sessions/index.html",
        rows=rows,
        total=total,
        page=page,
        per_page=per_page,
        status=status,
        q=q or "",
        counts=services.invitation_counts([s.id for s in rows]),
        effective_status=services.effective_status,
        can_manage=services.can_manage(current_user),
    )


def _fill_choices(form: SessionForm) -> None:
    rows = tree_rows(include_inactive=False)
    form.host_unit_id.choices = [(u.id, "\u00a0\u00a0" * depth + u.name) for u, depth in rows if u.kind != "cell"]
    form.invited_unit_ids.choices = [
        (u.id, "\u00a0\u00a0" * depth + u.name) for u, depth in rows if u.kind not in ("cell", "group")
    ]
    form.host_ids.choices = [
        (u.id, f"{u.name}{' – ' + u.position if u.position else ''}") for u in services.host_choices()
    ]


def _form_values(form: SessionForm) -> dict:
    return {
        "title": form.title.data,
        "topic": form.topic.data,
        "term": form.term.data,
        "venue": form.venue.data,
        "starts_at": local_to_utc(form.starts_at.data),
        "ends_at": local_to_utc(form.ends_at.data),
        "questions_close_at": local_to_utc(form.questions_close_at.data),
        "turn_seconds": (form.turn_minutes.data or 0) * 60,
        "host_unit_id": form.host_unit_id.data,
        "invited_unit_ids": form.invited_unit_ids.data or [],
        "host_ids": form.host_ids.data or [],
        "allow_support": form.allow_support.data,
    }


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new():
    form = SessionForm()
    _fill_choices(form)
    if request.method == "GET":
        form.topic.data = form.topic.data or "Công tác kiểm tra, giám sát"  # stored data, not interface text
        form.term.data = form.term.data or "2020–2025"
    status = 200
    if form.validate_on_submit():
        try:
            session = services.create_session(current_user, **_form_values(form))
        except DomainError as exc:
            _show_error(exc, form)
            status = exc.status
        else:
            flash(_("Đã tạo buổi đối thoại (bản nháp). Kiểm tra danh sách khách mời rồi mở nhận câu hỏi."), "success")
            return redirect(url_for("sessions.detail", session_id=session.id))
    elif request.method == "POST":
        status = 422
    return render_template("sessions/form.html", form=form, session=None), status


def _show_error(exc: DomainError, form: SessionForm) -> None:
    if "turn_seconds" in exc.fields:
        exc.fields.setdefault("turn_minutes", exc.fields.pop("turn_seconds"))
    refuse(exc, form)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(session_id: int):
    session = services.get_session(session_id)
    form = SessionForm() if request.method == "POST" else SessionForm(formdata=None)
    _fill_choices(form)
    if request.method == "GET":
        for name in ("title", "topic", "term", "venue", "allow_support", "host_unit_id"):
            getattr(form, name).data = getattr(session, name)
        for name in ("starts_at", "ends_at", "questions_close_at"):
            getattr(form, name).data = to_local(getattr(session, name)).replace(tzinfo=None)
        form.turn_minutes.data = max(1, session.turn_seconds // 60)
        form.host_ids.data = [h.user_id for h in session.hosts]
        form.invited_unit_ids.data = [u.unit_id for u in session.invited_units]
    status = 200
    if form.validate_on_submit():
        try:
            services.update_session(current_user, session, **_form_values(form))
        except DomainError as exc:
            _show_error(exc, form)
            session = services.get_session(session_id)
            status = exc.status
        else:
            flash(_("Đã lưu."), "success")
            return redirect(url_for("sessions.detail", session_id=session.id))
    elif request.method == "POST":
        status = 422
    return render_template("sessions/form.html", form=form, session=session), status


@bp.get("/<int:session_id>")
@signed_in
def detail(session_id: int):
    from ..questions import services as questions

    session = _load(session_id)
    invitation = services.invitation_for(session.id, current_user.id)
    mine = list(
        db.session.scalars(
            questions.visible_stmt(current_user, session, {"author_id": current_user.id, "order": "newest"})
        ).unique()
    )
    accepted = questions.agenda(session)
    ids = [q.id for q in accepted]
    counts = services.invitation_counts([session.id])[session.id]
    waiting = None
    if services.is_staff(current_user):
        from sqlalchemy import func, select

        from ..questions.models import Question

        waiting = db.session.scalar(
            select(func.count(Question.id)).where(Question.session_id == session.id, Question.status == "submitted")
        )
    return render_template(
        "sessions/detail.html",
        session=session,
        status=services.effective_status(session),
        invitation=invitation,
        mine=mine,
        accepted=accepted,
        supporters=questions.supporter_counts(ids),
        supported=questions.supported_by(current_user, ids),
        co_authors=questions.merged_authors(ids),
        counts=counts,
        waiting=waiting,
        can_manage=services.can_manage(current_user),
        is_staff=services.is_staff(current_user),
        transitions=services.TRANSITIONS[session.status],
    )


@bp.post("/<int:session_id>/status")
@roles_required(*MANAGERS)
def set_status(session_id: int):
    session = services.get_session(session_id)
    try:
        services.change_status(current_user, session, request.form.get("status", ""))
    except DomainError as exc:
        refuse(exc)
    else:
        flash(_("Đã chuyển sang “%(s)s”.", s=_label_status(session.status)), "success")
    return redirect(url_for("sessions.detail", session_id=session_id))


def _label_status(code: str) -> str:
    from ..core.labels import label

    return label("session_status", code)


@bp.post("/<int:session_id>/rsvp")
@signed_in
def rsvp(session_id: int):
    session = _load(session_id)
    try:
        services.set_rsvp(current_user, session, request.form.get("rsvp", ""))
    except DomainError as exc:
        refuse(exc)
    else:
        flash(_("Đã ghi nhận trả lời giấy mời."), "success")
    return redirect(url_for("sessions.detail", session_id=session_id))


@bp.get("/<int:session_id>/calendar.ics")
@signed_in
def calendar(session_id: int):
    session = _load(session_id)
    return Response(
        services.ics(session, current_user),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="doi-thoai-{session.id}.ics"'},
    )


@bp.get("/<int:session_id>/invitees")
@roles_required(*STAFF_ROLES)
def invitees(session_id: int):
    session = services.get_session(session_id)
    return render_template(
        "sessions/invitees.html",
        session=session,
        groups=services.invitee_groups(session),
        counts=services.invitation_counts([session.id])[session.id],
        status=services.effective_status(session),
        form=AddInviteeForm(formdata=None),
        can_manage=services.can_manage(current_user),
        printing=request.args.get("print") == "1",
    )


@bp.post("/<int:session_id>/invitees")
@roles_required(*MANAGERS)
def add_invitee(session_id: int):
    session = services.get_session(session_id)
    form = AddInviteeForm()
    if form.validate_on_submit():
        user = find_by_login(form.login.data)
        try:
            if user is None:
                raise NotFound(_l("Không tìm thấy người có email hoặc số điện thoại này."))
            services.add_invitee(current_user, session, user)
        except DomainError as exc:
            refuse(exc)
        else:
            flash(_("Đã mời thêm %(name)s.", name=user.name), "success")
    else:
        flash(_("Xin nhập email hoặc số điện thoại."), "error")
    return redirect(url_for("sessions.invitees", session_id=session_id))


@bp.post("/<int:session_id>/invitations/<int:invitation_id>/remove")
@roles_required(*MANAGERS)
def remove_invitee(session_id: int, invitation_id: int):
    invitation = services.get_invitation(invitation_id)
    if invitation.session_id != session_id:
        raise NotFound(_l("Không tìm thấy giấy mời."))
    name = invitation.user.name
    try:
        services.remove_invitee(current_user, invitation)
    except DomainError as exc:
        refuse(exc)
    else:
        flash(_("Đã bỏ %(name)s khỏi danh sách khách mời.", name=name), "success")
    return redirect(url_for("sessions.invitees", session_id=session_id))


@bp.post("/<int:session_id>/invitations/<int:invitation_id>/resend")
@roles_required(*MANAGERS)
def resend(session_id: int, invitation_id: int):
    invitation = services.get_invitation(invitation_id)
    if invitation.session_id != session_id:
        raise NotFound(_l("Không tìm thấy giấy mời."))
    try:
        services.resend_link(current_user, invitation)
    except DomainError as exc:
        refuse(exc)
    else:
        if invitation.user.email:
            flash(_("Đã gửi lại đường dẫn cho %(name)s (email và thông báo).", name=invitation.user.name), "success")
        else:
            flash(_("%(name)s chưa có email: đã gửi thông báo trong ứng dụng.", name=invitation.user.name), "warning")
    return redirect(url_for("sessions.invitees", session_id=session_id) + f"#inv-{invitation_id}")
