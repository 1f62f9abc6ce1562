"""Pages of the live session: the clerk's console, the participant's phone page, the projector, check-in and the
printable QR codes. Thin: the rules are in services.py; the screens draw the snapshot and follow ``state`` events.
"""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.access import public, roles_required, signed_in
from ..core.errors import DomainError
from ..core.labels import LABELS
from ..core.web import refuse
from ..extensions import db
from . import services

bp = Blueprint("live", __name__)

CONSOLE_ROLES = ("organizer", "host", "admin")


def _i18n() -> dict:
    """Words the screens' script writes (the script itself holds no text)."""
    return {
        "nobody": _("Chưa có ai phát biểu"),
        "speaking_now": _("Đang phát biểu"),
        "you_speak": _("Bạn đang phát biểu"),
        "your_place": _("Bạn đang ở vị trí số %(n)s trong danh sách chờ", n="{n}"),
        "not_waiting": _("Bạn chưa đăng ký phát biểu"),
        "paused": _("Đang tạm dừng"),
        "overrun": _("Quá giờ"),
        "time_left": _("Còn lại"),
        "empty_queue": _("Chưa có ai đăng ký"),
        "times_spoken": _("đã phát biểu %(n)s lần", n="{n}"),
        "turns_done": _("%(n)s lượt ý kiến phát biểu", n="{n}"),
        "time_used": _("tổng thời gian %(t)s", t="{t}"),
        "present": _("Có mặt %(p)s/%(i)s", p="{p}", i="{i}"),
        "offline": _("Mất kết nối, đang kết nối lại…"),
        "online": _("Đã kết nối"),
        "revoked": _("Đường dẫn màn chiếu này đã được đổi. Xin mở đường dẫn mới."),
        "stale": _("Tình hình đã thay đổi, đã cập nhật lại. Xin xem lại rồi bấm lại."),
        "queue_closed": _("Danh sách đăng ký đã đóng"),
        "question": _("Câu hỏi"),
        "up": _("Lên"),
        "down": _("Xuống"),
        "remove": _("Xóa"),
        "start": _("Mời nói"),
        "confirm_remove": _("Xóa người này khỏi danh sách chờ?"),
        "answered": _("Đã trả lời"),
        "status_labels": {k: str(v) for k, v in LABELS["session_status"].items()},
    }


def _config(session, view: str, **extra) -> dict:
    data = {
        "session_id": session.id,
        "view": view,
        "me": current_user.id if current_user.is_authenticated else None,
        "live_url": url_for("api.live_snapshot", session_id=session.id),
        "api": url_for("api.me").rsplit("/me", 1)[0],
        "i18n": _i18n(),
    }
    data.update(extra)
    return data


@bp.get("/sessions/<int:session_id>/console")
@roles_required(*CONSOLE_ROLES)
def console(session_id: int):
    from ..responses.views import response_form_for

    session = services.get_session(session_id)
    form = response_form_for(session)
    return _console(session, form)


def _console(session, form, status: int = 200):
    from ..responses.services import responses_of

    state = services.snapshot(session)
    return (
        render_template(
            "live/console.html",
            session=session,
            state=state,
            form=form,
            responses=responses_of(session.id, limit=20),
            speaker_choices=[inv.user for inv in services.search_invitations(session)],
            can_run=services.is_organizer(current_user),
            config=_config(session, "console"),
        ),
        status,
    )


@bp.get("/sessions/<int:session_id>/phone")
@signed_in
def phone(session_id: int):
    session = services.get_session(session_id)
    try:
        services.require_view(current_user, session)
    except DomainError as exc:
        return render_template("errors/error.html", status=403, message=exc.message), 403
    invitation = services.invitation_of(session.id, current_user.id)
    mine = services.my_waiting(session.id, current_user.id)
    from ..questions.models import Question

    my_questions = list(
        db.session.scalars(
            db.select(Question)
            .where(
                Question.session_id == session.id,
                Question.author_id == current_user.id,
                Question.status.in_(("accepted", "submitted")),
            )
            .order_by(Question.id)
        ).unique()
    )
    return render_template(
        "live/phone.html",
        session=session,
        state=services.snapshot(session),
        invitation=invitation,
        mine=mine,
        my_questions=my_questions,
        config=_config(session, "phone"),
    )


@bp.route("/sessions/<int:session_id>/here", methods=["GET", "POST"])
@signed_in
def here(session_id: int):
    """Where an invitee's personal link leads. While the session is live it offers to check them in: by a button
    (a POST), so that a link or an image on another site can't mark anybody present; then the phone page opens.
    Before or after the session, and for who is already checked in, it opens the right page at once."""
    session = services.get_session(session_id)
    invitation = services.invitation_of(session.id, current_user.id)
    if session.status != "live":
        if "sessions.detail" in _endpoints():
            return redirect(url_for("sessions.detail", session_id=session.id))
        return redirect(url_for("live.phone", session_id=session.id))
    if invitation is None or invitation.checked_in_at is not None:
        return redirect(url_for("live.phone", session_id=session.id))
    if request.method == "GET":
        return render_template("live/here.html", session=session, invitation=invitation)
    try:
        services.check_in(current_user, session.id, current_user.id)
        flash(_("Đã điểm danh: chào mừng bạn đến buổi đối thoại."), "success")
    except DomainError as exc:
        refuse(exc)
    return redirect(url_for("live.phone", session_id=session.id))


def _endpoints():
    from flask import current_app

    return current_app.view_functions


@bp.post("/sessions/<int:session_id>/speak")
@signed_in
def speak(session_id: int):
    question_id = request.form.get("question_id", type=int) or None
    try:
        services.request_to_speak(current_user, session_id, question_id=question_id)
        flash(_("Đã đăng ký phát biểu."), "success")
    except DomainError as exc:
        refuse(exc)
    return redirect(url_for("live.phone", session_id=session_id))


@bp.post("/speakers/<int:speaker_id>/withdraw")
@signed_in
def withdraw(speaker_id: int):
    speaker = services.get_speaker(speaker_id)
    try:
        services.withdraw(current_user, speaker_id)
        flash(_("Đã rút đăng ký phát biểu."), "success")
    except DomainError as exc:
        refuse(exc)
    return redirect(url_for("live.phone", session_id=speaker.session_id))


@bp.get("/sessions/<int:session_id>/projector")
@roles_required("organizer", "admin")
def projector_link(session_id: int):
    session = services.get_session(session_id)
    secret = services.ensure_projector_secret(session)
    return redirect(url_for("live.projector", secret=secret))


@bp.post("/sessions/<int:session_id>/projector/reset")
@roles_required("organizer", "admin")
def projector_reset(session_id: int):
    try:
        services.reset_projector_secret(current_user, session_id)
        flash(_("Đã đổi đường dẫn màn chiếu; đường dẫn cũ không còn dùng được."), "success")
    except DomainError as exc:
        refuse(exc)
    return redirect(request.referrer or url_for("live.console", session_id=session_id))


@bp.get("/projector/<secret>")
@public
def projector(secret: str):
    try:
        session = services.projector_session(secret)
    except DomainError as exc:
        return render_template("errors/error.html", status=404, message=exc.message), 404
    return render_template(
        "live/projector.html",
        session=session,
        state=services.snapshot(session),
        config=_config(
            session,
            "projector",
            projector=secret,
            live_url=url_for("api.live_snapshot", session_id=session.id, projector=secret),
        ),
    )


@bp.route("/sessions/<int:session_id>/checkin", methods=["GET", "POST"])
@roles_required("organizer", "admin")
def checkin(session_id: int):
    session = services.get_session(session_id)
    q = request.values.get("q", "").strip()
    status = 200
    if request.method == "POST":
        user_id = request.form.get("user_id", type=int)
        try:
            if request.form.get("undo"):
                services.cancel_check_in(current_user, session.id, user_id)
            else:
                services.check_in(current_user, session.id, user_id)
            return redirect(url_for("live.checkin", session_id=session.id, q=q or None) + f"#u{user_id}")
        except DomainError as exc:
            refuse(exc)
            status = exc.status
    invitations = services.search_invitations(session, q)
    return (
        render_template(
            "live/checkin.html",
            session=session,
            q=q,
            invitations=invitations,
            state=services.snapshot(session),
            config=_config(session, "checkin"),
        ),
        status,
    )


@bp.get("/sessions/<int:session_id>/qr")
@roles_required("organizer", "admin")
def qr_codes(session_id: int):
    import qrcode
    import qrcode.image.svg

    from ..accounts.services import login_link

    session = services.get_session(session_id)
    path = url_for("live.here", session_id=session.id)
    cards = []
    for inv in services.search_invitations(session):
        link = login_link(inv.user, path)
        image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
        buffer = io.BytesIO()
        image.save(buffer)
        svg = buffer.getvalue().decode("utf-8")
        svg = svg[svg.index("<svg") :]  # drop the XML declaration: the SVG sits inside the HTML page
        cards.append({"invitation": inv, "svg": svg, "link": link})
    return render_template("live/qr.html", session=session, cards=cards)


@bp.app_template_global()
def live_links_allowed(session) -> dict:
    """What _session_links.html may show to the current person."""
    if not current_user.is_authenticated:
        return {"console": False, "organizer": False, "phone": False}
    return {
        "console": services.has_any_role(current_user, CONSOLE_ROLES),
        "organizer": services.is_organizer(current_user),
        "phone": services.can_view(current_user, session),
    }
