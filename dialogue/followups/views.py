"""Pages of the follow-up: the unit's list, each commitment's page and timeline, the secretariat's dashboard and its
export, a question's follow-up, and answering in writing what the session did not reach."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from ..core import files
from ..core.access import ASSIGNERS, STAFF, UNITS, roles_required, signed_in
from ..core.errors import DomainError
from ..core.idempotency import run_once
from ..core.inputs import day_problem, int_problem
from ..core.nav import add_nav_item
from ..core.pagination import page_of
from ..core.permissions import require
from ..core.timeutil import today_local
from ..core.web import refuse
from ..extensions import db
from ..questions.models import Question
from ..sessions.models import DialogueSession
from ..units.services import tree_rows
from . import counts, operations, queries
from .charts import unit_chart
from .creation import create_commitment
from .forms import CommitmentForm, DoneForm, ExtendForm, ReasonForm, UpdateForm, VerifyForm
from .inputs import MAX_ATTACHMENT_BYTES
from .models import COMMITMENT_STATUSES, Commitment, CommitmentUpdate
from .notices import URL_PREFIX
from .permissions import allowed_actions

bp = Blueprint("followups", __name__, url_prefix=URL_PREFIX)

PER_PAGE = 30
SESSION_ROWS = 15  # sessions shown on the dashboard's first view; the rest one click away

add_nav_item("followups.mine", _l("Nhiệm vụ của đơn vị"), UNITS)
add_nav_item("followups.dashboard", _l("Theo dõi nhiệm vụ"), STAFF)


# Filters ----------------------------------------------------------------------------------------------------


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    value = value.strip()
    try:
        if "/" in value:
            day, month, year = (int(p) for p in value.split("/"))
            parsed = date(year, month, day)
        else:
            parsed = date.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or day_problem(parsed):
        flash(_("Ngày lọc không hợp lệ: %(v)s (dd/mm/yyyy).", v=value), "error")
        return None
    return parsed


def filters_from_request() -> queries.Filters:
    args = request.args
    status = args.get("status") or None
    if status not in (None, *COMMITMENT_STATUSES):
        status = None
    overdue_arg = args.get("overdue", "")
    return queries.Filters(
        status=status,
        unit_id=args.get("unit_id", type=int) or None,
        session_id=args.get("session_id", type=int) or None,
        overdue=True if overdue_arg in ("1", "true", "on") else None,
        due_before=_parse_date(args.get("due_before")),
        q=(args.get("q") or "").strip() or None,
    )


# The secretariat's dashboard --------------------------------------------------------------------------------


@bp.get("/")
@roles_required(*STAFF)
def dashboard() -> ResponseReturnValue:
    require(current_user, "followups.dashboard")
    filters = filters_from_request()
    page = max(request.args.get("page", 1, type=int), 1)
    all_sessions = request.args.get("all_sessions") == "1"
    data = counts.dashboard(current_user, filters, session_limit=None if all_sessions else SESSION_ROWS)
    items = counts.open_first_page(current_user, filters, data.totals, page, PER_PAGE)
    total = data.totals.total
    return render_template(
        "followups/dashboard.html",
        data=data,
        items=items,
        total=total,
        page=page,
        per_page=PER_PAGE,
        filters=filters,
        units=tree_rows(include_inactive=False),
        sessions=queries.sessions_for_filter(),
        session_rows=data.by_session,
        all_sessions=all_sessions,
        chart=unit_chart(data.by_unit),
        today=today_local(),
    )


@bp.get("/export.xlsx")
@roles_required(*STAFF)
def export() -> ResponseReturnValue:
    from .export import commitments_workbook

    require(current_user, "followups.export")
    filters = filters_from_request()
    stream = commitments_workbook(current_user, filters)
    name = f"nhiem-vu-{today_local().isoformat()}.xlsx"
    return send_file(
        stream,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=name,
    )


# The responsible unit ---------------------------------------------------------------------------------------


@bp.get("/mine")
@roles_required(*UNITS)
def mine() -> ResponseReturnValue:
    """What the unit owes, soonest first; then what waits for verification; then what is closed."""
    if not current_user.unit_id:
        flash(_("Tài khoản của đồng chí chưa gắn với đơn vị nào. Xin liên hệ quản trị."), "warning")
    page = max(request.args.get("page", 1, type=int), 1)
    base = queries.Filters(unit_id=current_user.unit_id or -1)
    owed = page_of(
        queries.list_statement(current_user, base, order="due").where(
            Commitment.status.in_(("assigned", "in_progress"))
        ),
        page,
        PER_PAGE,
    )
    open_items, open_total = owed["items"], owed["total"]
    waiting = list(
        db.session.scalars(
            queries.list_statement(
                current_user, queries.Filters(unit_id=base.unit_id, status="done"), order="due"
            ).limit(100)
        ).unique()
    )
    closed = list(
        db.session.scalars(
            queries.list_statement(current_user, base, order="recent")
            .where(Commitment.status.in_(("verified", "cancelled")))
            .limit(30)
        ).unique()
    )
    return render_template(
        "followups/mine.html",
        open_items=open_items,
        open_total=open_total,
        waiting=waiting,
        closed=closed,
        page=page,
        per_page=PER_PAGE,
        today=today_local(),
    )


# One commitment ---------------------------------------------------------------------------------------------


def _detail_forms() -> dict[str, FlaskForm]:
    return {
        "update": UpdateForm(prefix="u", formdata=None),
        "done": DoneForm(prefix="d", formdata=None),
        "verify": VerifyForm(prefix="v", formdata=None),
        "reopen": ReasonForm(prefix="r", formdata=None),
        "cancel": ReasonForm(prefix="c", formdata=None),
        "extend": ExtendForm(prefix="e", formdata=None),
    }


def _render_detail(commitment: Commitment, forms: dict[str, FlaskForm], status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "followups/detail.html",
            c=commitment,
            updates=queries.timeline(commitment),
            overdue=queries.is_overdue(commitment),
            actions=allowed_actions(current_user, commitment),
            forms=forms,
            today=today_local(),
        ),
        status,
    )


@bp.get("/<int:commitment_id>")
@signed_in
def detail(commitment_id: int) -> ResponseReturnValue:
    commitment = queries.get_commitment(current_user, commitment_id)
    return _render_detail(commitment, _detail_forms())


def _upload(form: UpdateForm | DoneForm) -> files.Upload | None:
    return files.Upload.from_storage(form.attachment.data, MAX_ATTACHMENT_BYTES)


# Each action of the page: its form (and the prefix of its fields), and the service call with what was typed and
# the state the page showed (``seen``), so that of two people acting at once on what they both saw, one wins and
# the other is told what the commitment has become.
Action = Callable[[Commitment, Any, "str | None"], object]
ACTIONS: dict[str, tuple[type[FlaskForm] | None, str | None, Action]] = {
    "start": (None, None, lambda c, f, seen: operations.start(current_user, c, expected_status=seen)),
    "update": (
        UpdateForm,
        "u",
        lambda c, f, seen: operations.post_update(
            current_user, c, note=f.note.data, progress=f.progress.data, attachment=_upload(f)
        ),
    ),
    "done": (
        DoneForm,
        "d",
        lambda c, f, seen: operations.mark_done(
            current_user, c, report=f.report.data, attachment=_upload(f), expected_status=seen
        ),
    ),
    "verify": (
        VerifyForm,
        "v",
        lambda c, f, seen: operations.verify(current_user, c, note=f.note.data, expected_status=seen),
    ),
    "reopen": (
        ReasonForm,
        "r",
        lambda c, f, seen: operations.reopen(current_user, c, reason=f.reason.data, expected_status=seen),
    ),
    "cancel": (
        ReasonForm,
        "c",
        lambda c, f, seen: operations.cancel(current_user, c, reason=f.reason.data, expected_status=seen),
    ),
    "extend": (
        ExtendForm,
        "e",
        lambda c, f, seen: operations.extend_deadline(
            current_user, c, new_due_date=f.due_date.data, reason=f.reason.data
        ),
    ),
}
DONE_MESSAGES = {
    "start": _l("Đã chuyển sang đang thực hiện."),
    "update": _l("Đã ghi cập nhật tiến độ."),
    "done": _l("Đã báo cáo hoàn thành; chờ bộ phận theo dõi xác nhận."),
    "verify": _l("Đã xác nhận kết quả. Người nêu câu hỏi đã được thông báo."),
    "reopen": _l("Đã mở lại nhiệm vụ."),
    "cancel": _l("Đã hủy nhiệm vụ."),
    "extend": _l("Đã gia hạn nhiệm vụ."),
}


@bp.post("/<int:commitment_id>/<action>")
@signed_in
def act(commitment_id: int, action: str) -> ResponseReturnValue:
    if action not in ACTIONS:
        abort(404)
    commitment = queries.get_commitment(current_user, commitment_id)
    forms = _detail_forms()
    form_class, prefix, run = ACTIONS[action]
    form = form_class(prefix=prefix) if form_class else None
    if form is not None:
        forms[action] = form
        if not form.validate_on_submit():
            flash(_("Xin kiểm tra lại các ô được đánh dấu."), "error")
            return _render_detail(commitment, forms, 422)
    seen = request.form.get("seen_status")
    try:
        run(commitment, form, seen if seen in COMMITMENT_STATUSES else None)
    except DomainError as exc:
        refuse(exc, form)
        commitment = queries.get_commitment(current_user, commitment_id)
        return _render_detail(commitment, forms, exc.status if exc.status in (403, 409) else 422)
    flash(str(DONE_MESSAGES[action]), "success")
    return redirect(url_for("followups.detail", commitment_id=commitment_id))


@bp.get("/attachments/<int:update_id>")
@signed_in
def attachment(update_id: int) -> ResponseReturnValue:
    update = db.session.get(CommitmentUpdate, update_id)
    if update is None or not update.attachment_path:
        abort(404)
    queries.get_commitment(current_user, update.commitment_id)  # refuses those who may not see it
    path = files.path_of(update.attachment_path)
    if not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=update.attachment_name or path.name)


# Creating directly ------------------------------------------------------------------------------------------


def unit_choices() -> list[tuple[int, str]]:
    return [(0, _("— Chọn đơn vị —"))] + [
        (unit.id, "\u00a0\u00a0" * depth + unit.name) for unit, depth in tree_rows(include_inactive=False)
    ]


def _assignee_choices() -> list[tuple[int, str]]:
    people = queries.assignable_people()
    return [(0, _("— Không —"))] + [(u.id, u.name + (f" ({u.unit.name})" if u.unit else "")) for u in people]


def int_or_none(value: Any) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
        return None if int_problem(number) else number
    except (TypeError, ValueError):
        return None


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ASSIGNERS)
def new() -> ResponseReturnValue:
    form = CommitmentForm()
    form.unit_id.choices = unit_choices()
    form.assignee_id.choices = _assignee_choices()
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        form.due_date.data = today_local() + timedelta(days=30)
        for name in ("session_id", "question_id", "response_id"):
            if request.args.get(name, type=int):
                getattr(form, name).data = str(request.args.get(name, type=int))
    source = _source(form)
    if form.validate_on_submit():

        def work() -> tuple[int, dict[str, Any]]:
            commitment = create_commitment(
                current_user,
                description=form.description.data,
                unit_id=form.unit_id.data,
                due_date=form.due_date.data,
                assignee_id=form.assignee_id.data or None,
                priority=form.priority.data,
                session_id=int_or_none(form.session_id.data),
                question_id=int_or_none(form.question_id.data),
                response_id=int_or_none(form.response_id.data),
            )
            return 201, {"id": commitment.id}

        try:
            _status, body = run_once(current_user.id, form.idempotency_key.data, "page followups.new", work)
        except DomainError as exc:
            refuse(exc, form)
        else:
            flash(_("Đã giao nhiệm vụ."), "success")
            return redirect(url_for("followups.detail", commitment_id=body["id"]))
    return render_template("followups/new.html", form=form, source=source), 422 if form.errors else 200


def _source(form: CommitmentForm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    session_id = int_or_none(form.session_id.data)
    question_id = int_or_none(form.question_id.data)
    if session_id:
        out["session"] = db.session.get(DialogueSession, session_id)
    if question_id:
        out["question"] = db.session.get(Question, question_id)
    return out


# The other pages of the area join the blueprint: answering in writing, and the panels other pages include.
from . import panels, written  # noqa: E402, F401
