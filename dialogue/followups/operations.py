"""Moving a commitment: ``assigned → in_progress → done → verified``; the secretariat may reopen (back to
``in_progress``), cancel with a reason, or move the deadline. ``overdue`` is derived, never stored.

Every move locks the commitment's row first (``lock_commitment``) and only then reads its state, so two people
acting at once are served one after the other and the second sees what the first did: a move that no longer fits
answers 409 naming the state the commitment is now in. Then it checks who acts (``permissions``), writes a
``CommitmentUpdate`` line and an audit entry, and queues its notices (``notices``). Nothing here commits: the
request, command or job that called it does, so a refusal anywhere in it leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..accounts.models import User
from ..audit.services import record, snapshot
from ..core.errors import Conflict, Invalid, NotFound
from ..core.files import StoredFile, Upload
from ..core.labels import label
from ..core.permissions import require
from ..core.timeutil import now, today_local
from ..extensions import db
from . import notices
from .inputs import AUDIT_FIELDS, as_date, as_progress, clean_text, index, required_text, store_attachment
from .models import MOVES_FROM, Commitment, CommitmentUpdate
from .permissions import verify_refusal


def lock_commitment(commitment: Commitment, expected_status: str | None = None) -> Commitment:
    """Takes the commitment row's lock for the rest of the transaction and re-reads it: the one way a change of a
    commitment starts. ``expected_status`` is the state the person saw: if it moved since, 409.

    Lock order: when a session's row is locked too (``sessions.livestate.lock_session``), lock the session first,
    then its commitments. SQLite has no row locks: a no-op UPDATE takes the database's write lock first, so two
    writers are served one after the other the same way."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(
            update(Commitment)
            .where(Commitment.id == commitment.id)
            .values(status=Commitment.status)
            .execution_options(synchronize_session=False)
        )
    locked = db.session.scalar(
        select(Commitment)
        .where(Commitment.id == commitment.id)
        .with_for_update(of=Commitment)
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("Không tìm thấy nhiệm vụ."))
    if expected_status is not None and locked.status != expected_status:
        raise Conflict(
            _(
                "Nhiệm vụ vừa được người khác cập nhật: hiện đang ở trạng thái “%(state)s”. Xin xem lại rồi thao tác.",
                state=label("commitment_status", locked.status),
            ),
            code="stale_state",
        )
    return locked


def _require_state(commitment: Commitment, move: str, message: Any) -> None:
    """The move starts from one of ``MOVES_FROM[move]``; else 409 with ``message`` and the state it is in now."""
    if commitment.status not in MOVES_FROM[move]:
        raise Conflict(
            _(
                "%(why)s Nhiệm vụ hiện đang ở trạng thái “%(state)s”.",
                why=str(message),
                state=label("commitment_status", commitment.status),
            )
        )


def _move(
    actor: User,
    commitment: Commitment,
    action: str,
    to_status: str | None,
    *,
    kind: str = "status",
    note: str | None = None,
    progress: int | None = None,
    old_due: date | None = None,
    new_due: date | None = None,
    attachment: StoredFile | None = None,
    apply: Callable[[], None] | None = None,
) -> CommitmentUpdate:
    """Applies a checked move: the row's new values, a line of its history, and the audit entry (before/after)."""
    before = snapshot(commitment, AUDIT_FIELDS)
    from_status = commitment.status
    if apply is not None:
        apply()
    if to_status is not None:
        commitment.status = to_status
    index(commitment)
    moved = to_status is not None and to_status != from_status
    line = CommitmentUpdate(
        commitment_id=commitment.id,
        author=actor,
        kind=kind,
        note=note,
        progress=progress,
        from_status=from_status if moved else None,
        to_status=to_status if moved else None,
        old_due_date=old_due,
        new_due_date=new_due,
        attachment_path=attachment.path if attachment else None,
        attachment_name=attachment.name if attachment else None,
    )
    db.session.add(line)
    record(actor, action, commitment, before=before, after=snapshot(commitment, AUDIT_FIELDS))
    return line


def start(actor: User, commitment: Commitment, *, expected_status: str | None = None) -> Commitment:
    """The responsible unit (or the secretariat) begins the work: assigned → in progress."""
    lock_commitment(commitment, expected_status)
    require(actor, "commitment.start", commitment)
    _require_state(commitment, "start", _l("Chỉ nhiệm vụ vừa được giao mới chuyển sang đang thực hiện."))
    _move(actor, commitment, "commitment.start", "in_progress")
    return commitment


def post_update(
    actor: User,
    commitment: Commitment,
    *,
    note: str | None,
    progress: int | str | None = None,
    attachment: Upload | None = None,
) -> CommitmentUpdate:
    """A progress report (note, percent, optional attachment). On an assigned commitment it starts the work. The
    attachment is written only once everything else is accepted, and removed again if the change is not kept."""
    lock_commitment(commitment)
    require(actor, "commitment.update", commitment)
    _require_state(commitment, "update", _l("Nhiệm vụ đã hoàn thành hoặc đã hủy; không cập nhật tiến độ được nữa."))
    text = required_text(note, "note", _l("Xin nhập nội dung cập nhật."))
    percent = as_progress(progress)
    stored = store_attachment(attachment)

    def apply() -> None:
        if percent is not None:
            commitment.progress = percent

    to_status = "in_progress" if commitment.status == "assigned" else None
    return _move(
        actor,
        commitment,
        "commitment.progress",
        to_status,
        kind="progress",
        note=text,
        progress=percent,
        attachment=stored,
        apply=apply,
    )


def mark_done(
    actor: User,
    commitment: Commitment,
    *,
    report: str | None,
    attachment: Upload | None = None,
    expected_status: str | None = None,
) -> Commitment:
    """The responsible unit reports the work done, with a report of results; the secretariat then verifies."""
    lock_commitment(commitment, expected_status)
    require(actor, "commitment.done", commitment)
    _require_state(commitment, "done", _l("Nhiệm vụ không ở trạng thái đang thực hiện."))
    text = required_text(report, "report", _l("Xin nhập báo cáo kết quả thực hiện."))
    stored = store_attachment(attachment)

    def apply() -> None:
        commitment.result_report = text
        commitment.progress = 100
        commitment.done_at = now()

    _move(actor, commitment, "commitment.done", "done", note=text, progress=100, attachment=stored, apply=apply)
    notices.reported_done(commitment)
    return commitment


def verify(
    actor: User, commitment: Commitment, *, note: str | None = None, expected_status: str | None = None
) -> Commitment:
    """The secretariat confirms the reported result. A unit cannot verify its own work."""
    lock_commitment(commitment, expected_status)
    require(actor, "commitment.verify", commitment, message=verify_refusal(actor))
    _require_state(commitment, "verify", _l("Chỉ xác nhận được nhiệm vụ đã báo cáo hoàn thành."))
    text = clean_text(note, "note", "", required=False)

    def apply() -> None:
        commitment.verified_at = now()
        commitment.verified_by_id = actor.id

    _move(actor, commitment, "commitment.verify", "verified", note=text, apply=apply)
    notices.verified(commitment)
    return commitment


def reopen(
    actor: User, commitment: Commitment, *, reason: str | None, expected_status: str | None = None
) -> Commitment:
    """The secretariat sends the work back (the report was not enough, or a cancelled task is needed after all)."""
    lock_commitment(commitment, expected_status)
    require(actor, "commitment.reopen", commitment)
    _require_state(commitment, "reopen", _l("Chỉ mở lại được nhiệm vụ đã hoàn thành hoặc đã hủy."))
    why = required_text(reason, "reason", _l("Xin nêu lý do mở lại."))

    def apply() -> None:
        commitment.verified_at = None
        commitment.verified_by_id = None
        commitment.done_at = None
        commitment.cancel_reason = None
        if commitment.progress == 100:
            commitment.progress = 90

    _move(actor, commitment, "commitment.reopen", "in_progress", note=why, apply=apply)
    notices.reopened(commitment, why)
    return commitment


def cancel(
    actor: User, commitment: Commitment, *, reason: str | None, expected_status: str | None = None
) -> Commitment:
    """The secretariat drops a commitment that is no longer needed, with the reason."""
    lock_commitment(commitment, expected_status)
    require(actor, "commitment.cancel", commitment)
    _require_state(commitment, "cancel", _l("Nhiệm vụ đã được xác nhận hoặc đã hủy; không hủy được."))
    why = required_text(reason, "reason", _l("Xin nêu lý do hủy nhiệm vụ."))

    def apply() -> None:
        commitment.cancel_reason = why

    _move(actor, commitment, "commitment.cancel", "cancelled", note=why, apply=apply)
    notices.cancelled(commitment, why)
    return commitment


def extend_deadline(actor: User, commitment: Commitment, *, new_due_date: date | str, reason: str | None) -> Commitment:
    """Only the secretariat moves a deadline, with a reason; ``original_due_date`` keeps the first one."""
    lock_commitment(commitment)
    require(actor, "commitment.extend", commitment)
    _require_state(commitment, "extend", _l("Chỉ gia hạn được nhiệm vụ đang thực hiện."))
    new_due = as_date(new_due_date)
    why = required_text(reason, "reason", _l("Xin nêu lý do gia hạn."))
    if new_due == commitment.due_date:
        raise Invalid(_l("Thời hạn mới trùng thời hạn hiện tại."), fields={"due_date": [str(_l("Không đổi."))]})
    if new_due < today_local():
        raise Invalid(
            _l("Thời hạn mới không được trước ngày hôm nay."), fields={"due_date": [str(_l("Thời hạn đã qua."))]}
        )
    old_due = commitment.due_date

    def apply() -> None:
        commitment.due_date = new_due

    _move(
        actor,
        commitment,
        "commitment.extend",
        None,
        kind="extended",
        note=why,
        old_due=old_due,
        new_due=new_due,
        apply=apply,
    )
    notices.extended(commitment, why)
    return commitment


def set_status(
    actor: User,
    commitment: Commitment,
    status: str,
    *,
    reason: str | None = None,
    report: str | None = None,
    expected_status: str | None = None,
) -> Commitment:
    """The move that leads from the current state to ``status`` (the API's ``PATCH {"status": ...}``)."""
    lock_commitment(commitment, expected_status)
    if status == commitment.status:
        raise Conflict(
            _(
                "Nhiệm vụ đã ở trạng thái “%(state)s”.",
                state=label("commitment_status", commitment.status),
            )
        )
    if status == "in_progress":
        if commitment.status == "assigned":
            return start(actor, commitment)
        return reopen(actor, commitment, reason=reason)
    if status == "done":
        return mark_done(actor, commitment, report=report or reason)
    if status == "verified":
        return verify(actor, commitment, note=reason)
    if status == "cancelled":
        return cancel(actor, commitment, reason=reason)
    raise Conflict(_("Không thể chuyển nhiệm vụ về trạng thái này."))


def change_commitment(
    actor: User,
    commitment: Commitment,
    *,
    status: str | None = None,
    due_date: date | None = None,
    reason: str | None = None,
    report: str | None = None,
    note: str | None = None,
    expected_status: str | None = None,
) -> Commitment:
    """A new deadline and a move of state asked together (the API's PATCH): one change, kept whole or, refused
    in any part, not at all (the boundary rolls back the extension when the move is refused).

    A ``due_date`` equal to the current one is no extension; a ``status`` equal to the current one asked together
    with a ``due_date`` is no move (the client sent the whole object back)."""
    lock_commitment(commitment, expected_status)
    if due_date is not None and due_date != commitment.due_date:
        extend_deadline(actor, commitment, new_due_date=due_date, reason=reason)
    if status is not None and (status != commitment.status or due_date is None):
        set_status(actor, commitment, status, reason=reason or note, report=report)
    return commitment
