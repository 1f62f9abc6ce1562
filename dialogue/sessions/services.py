"""Sessions and invitations: scheduling, the states of a session, who is invited, RSVP, links and reminders.

States: ``draft → open → closed → live → ended``. Also allowed:
- ``open → live``: the organizer may start the session before the question deadline; going live ends the
  question window (effective status is then "live" and questions are refused);
- ``closed → open``: reopening the question window, only when ``questions_close_at`` is still ahead (move the
  deadline first).
A session stored as ``open`` whose ``questions_close_at`` has passed reads as ``closed`` (``effective_status``):
the deadline is evaluated on every read, no background timer is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User, UserRole
from ..audit.services import record, snapshot
from ..core.access import STAFF
from ..core.bulk import insert_rows
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.labels import label
from ..core.text import like_pattern, nfc, search_blob
from ..core.timeutil import format_datetime, now, today_local
from ..extensions import db
from ..notifications.services import claim_reminder, notify, notify_all, send_mail_after_commit
from ..units.models import Unit
from ..units.services import cell_secretaries_beneath
from .livestate import state_changed
from .models import RSVP_STATES, SESSION_STATUSES, DialogueSession, Invitation, SessionHost, SessionInvitedUnit
from .signals import status_changed

log = logging.getLogger(__name__)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("open",),
    "open": ("closed", "live"),
    "closed": ("open", "live"),
    "live": ("ended",),
    "ended": (),
}
MANAGERS = ("organizer", "admin")
SESSION_FIELDS = (
    "title",
    "topic",
    "term",
    "venue",
    "starts_at",
    "ends_at",
    "questions_close_at",
    "turn_seconds",
    "host_unit_id",
    "allow_support",
    "status",
)
MIN_TURN_SECONDS, MAX_TURN_SECONDS = 30, 3600


# Reading -----------------------------------------------------------------------------------------------------


def get_session(session_id: int) -> DialogueSession:
    session = db.session.get(DialogueSession, session_id)
    if session is None:
        raise NotFound(_l("Không tìm thấy buổi đối thoại."))
    return session


def effective_status(session: DialogueSession, at: datetime | None = None) -> str:
    """The status as people should see it: an ``open`` session past its question deadline reads ``closed``."""
    at = at or now()
    if session.status == "open" and session.questions_close_at is not None and at >= session.questions_close_at:
        return "closed"
    return session.status


def questions_open(session: DialogueSession, at: datetime | None = None) -> bool:
    return effective_status(session, at) == "open"


def is_staff(user) -> bool:
    """Organizer, host, secretariat or admin: people who see every session and every submission."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*STAFF)


def can_manage(user) -> bool:
    """Organizer (or admin): schedules, invites, moderates."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*MANAGERS)


def invitation_for(session_id: int, user_id: int) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(Invitation.session_id == session_id, Invitation.user_id == user_id)
    )


def is_invited(session_id: int, user_id: int) -> bool:
    """One small query: every phone that joins the live room asks it."""
    found = db.session.scalar(
        select(Invitation.id).where(Invitation.session_id == session_id, Invitation.user_id == user_id).limit(1)
    )
    return found is not None


def can_view(user, session: DialogueSession) -> bool:
    """Staff see every session; an invitee sees it once it is no longer a draft."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_staff(user):
        return True
    if session.status == "draft":
        return False
    return is_invited(session.id, user.id)


def require_view(user, session: DialogueSession) -> None:
    if not can_view(user, session):
        raise Forbidden(_l("Bạn không được mời tham dự buổi đối thoại này."))


def require_manage(user) -> None:
    if not can_manage(user):
        raise Forbidden(_l("Chỉ bộ phận tổ chức mới được thực hiện thao tác này."))


def is_host_of(user, session: DialogueSession) -> bool:
    return any(h.user_id == user.id for h in session.hosts)


def _path(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def session_link(user: User, session: DialogueSession) -> str:
    """The invitee's personal sign-in link that opens straight onto the session page."""
    from ..accounts.services import login_link

    # live.here opens the session page; while the session is live it first checks the invitee in (the live area).
    endpoint = "live.here" if "live.here" in current_app.view_functions else "sessions.detail"
    path = _path(endpoint, session_id=session.id)
    if has_request_context():
        return login_link(user, path)
    with current_app.test_request_context("/"):
        return login_link(user, path)


def visible_sessions_stmt(user, *, status: str | None = None, q: str | None = None):
    """Sessions this person may see, soonest first: all for staff, the ones they are invited to otherwise."""
    stmt = select(DialogueSession).order_by(DialogueSession.starts_at.desc(), DialogueSession.id.desc())
    if not is_staff(user):
        stmt = stmt.where(
            DialogueSession.status != "draft",
            DialogueSession.id.in_(select(Invitation.session_id).where(Invitation.user_id == user.id)),
        )
    if status:
        current = now()
        if status == "open":
            stmt = stmt.where(DialogueSession.status == "open", DialogueSession.questions_close_at > current)
        elif status == "closed":
            stmt = stmt.where(
                or_(
                    DialogueSession.status == "closed",
                    (DialogueSession.status == "open") & (DialogueSession.questions_close_at <= current),
                )
            )
        else:
            stmt = stmt.where(DialogueSession.status == status)
    if q:
        stmt = stmt.where(DialogueSession.search_text.like(like_pattern(q), escape="\\"))
    return stmt


def invitation_counts(session_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{session_id: {"invited": n, "accepted": n, "declined": n, "pending": n, "present": n}}`` in one query."""
    ids = list(session_ids)
    out: dict[int, dict[str, int]] = {i: {"invited": 0, "present": 0, **dict.fromkeys(RSVP_STATES, 0)} for i in ids}
    if not ids:
        return out
    rows = db.session.execute(
        select(
            Invitation.session_id,
            Invitation.rsvp,
            func.count(Invitation.id),
            func.count(Invitation.checked_in_at),
        )
        .where(Invitation.session_id.in_(ids))
        .group_by(Invitation.session_id, Invitation.rsvp)
    )
    for session_id, rsvp, count, present in rows:
        out[session_id][rsvp] += count
        out[session_id]["invited"] += count
        out[session_id]["present"] += present
    return out


def invitations_of(session: DialogueSession) -> list[Invitation]:
    stmt = (
        select(Invitation)
        .where(Invitation.session_id == session.id)
        .options(selectinload(Invitation.user).selectinload(User.roles))
        .order_by(Invitation.unit_id, Invitation.id)
    )
    return list(db.session.scalars(stmt).unique())


def invitations_stmt(session: DialogueSession):
    return select(Invitation).where(Invitation.session_id == session.id).order_by(Invitation.id)


def invitee_groups(session: DialogueSession) -> list[dict]:
    """The invitee list by unit, for the printable page: each grassroots committee with its cells, people and
    RSVP counts. Three queries whatever the size."""
    invitations = invitations_of(session)
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    groups: dict[int | None, dict] = {}
    for inv in invitations:
        cell = units.get(inv.unit_id) if inv.unit_id else None
        parent = units.get(cell.parent_id) if cell is not None and cell.parent_id else None
        top = parent if parent is not None and cell is not None and cell.kind in ("cell", "group") else cell
        key = top.id if top is not None else None
        group = groups.setdefault(
            key,
            {
                "unit": top,
                "rows": [],
                "counts": {"invited": 0, "present": 0, **dict.fromkeys(RSVP_STATES, 0)},
            },
        )
        group["rows"].append((inv, cell))
        group["counts"]["invited"] += 1
        group["counts"][inv.rsvp] += 1
        if inv.checked_in_at is not None:
            group["counts"]["present"] += 1
    ordered = sorted(groups.values(), key=lambda g: (g["unit"] is None, g["unit"].name if g["unit"] else ""))
    for group in ordered:
        group["rows"].sort(key=lambda row: ((row[1].name if row[1] else ""), row[0].user.name))
    return ordered


def sessions_hosted_by(user: User) -> list[DialogueSession]:
    stmt = (
        select(DialogueSession)
        .join(SessionHost, SessionHost.session_id == DialogueSession.id)
        .where(SessionHost.user_id == user.id, DialogueSession.status != "ended")
        .order_by(DialogueSession.starts_at)
    )
    return list(db.session.scalars(stmt).unique())


# Validation helpers -------------------------------------------------------------------------------------------


def _aware(value: datetime | None, name: str) -> datetime:
    if value is None:
        raise Invalid(_l("Thiếu thời gian."), fields={name: [str(_l("Bắt buộc."))]})
    if value.tzinfo is None:
        from ..core.timeutil import local_to_utc

        value = local_to_utc(value)
    return value


def _check_schedule(starts_at: datetime, ends_at: datetime, questions_close_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid(_l("Giờ kết thúc phải sau giờ bắt đầu."), fields={"ends_at": [str(_l("Phải sau giờ bắt đầu."))]})
    if questions_close_at > starts_at:
        raise Invalid(
            _l("Hạn gửi câu hỏi phải trước giờ bắt đầu buổi đối thoại."),
            fields={"questions_close_at": [str(_l("Phải trước giờ bắt đầu."))]},
        )


def _required_text(value: str | None, name: str, max_len: int = 300) -> str:
    value = nfc(value or "") or ""
    if not value:
        raise Invalid(_l("Xin điền đủ các thông tin bắt buộc."), fields={name: [str(_l("Bắt buộc."))]})
    if len(value) > max_len:
        raise Invalid(_l("Nội dung quá dài."), fields={name: [str(_l("Tối đa %(n)s ký tự.", n=max_len))]})
    return value


def _check_turn(turn_seconds: int | None) -> int:
    if turn_seconds is None or not MIN_TURN_SECONDS <= int(turn_seconds) <= MAX_TURN_SECONDS:
        raise Invalid(
            _l("Thời gian mỗi lượt phát biểu phải từ 30 giây đến 60 phút."),
            fields={"turn_seconds": [str(_l("Ngoài khoảng cho phép."))]},
        )
    return int(turn_seconds)


def _check_units(unit_ids: Iterable[int], field: str) -> list[Unit]:
    ids = sorted(set(unit_ids))
    if not ids:
        return []
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(ids))))
    if len(units) != len(ids):
        raise NotFound(_l("Không tìm thấy đơn vị được chọn."), fields={field: [str(_l("Không tồn tại."))]})
    return units


def _check_hosts(host_ids: Iterable[int]) -> list[User]:
    ids = sorted(set(host_ids))
    if not ids:
        raise Invalid(_l("Xin chọn ít nhất một người chủ trì."), fields={"host_ids": [str(_l("Bắt buộc."))]})
    users = list(db.session.scalars(select(User).where(User.id.in_(ids))))
    if len(users) != len(ids) or any(not u.active or not u.has_role("host", "organizer", "admin") for u in users):
        raise Invalid(
            _l("Người chủ trì phải là tài khoản đang hoạt động có vai trò Chủ trì."),
            fields={"host_ids": [str(_l("Không hợp lệ."))]},
        )
    return users


def host_choices() -> list[User]:
    stmt = select(User).where(User.active.is_(True), User.roles.any(UserRole.role == "host")).order_by(User.name)
    return list(db.session.scalars(stmt))


def _index(session: DialogueSession) -> None:
    session.search_text = search_blob(session.title, session.topic, session.term, session.venue)


def _snapshot(session: DialogueSession) -> dict:
    data = snapshot(session, SESSION_FIELDS)
    data["host_ids"] = sorted(h.user_id for h in session.hosts)
    data["invited_unit_ids"] = sorted(u.unit_id for u in session.invited_units)
    return data


def _sync_invitations(session: DialogueSession) -> tuple[int, int]:
    """Invites every active cell secretary beneath the invited units and drops those no longer beneath any,
    unless added one by one or already active in the session. Returns (added, removed).

    Rows in and rows out (an ORM bulk insert), not thousands of objects in the identity map."""
    wanted = {row.id: row.unit_id for row in cell_secretaries_beneath([iu.unit_id for iu in session.invited_units])}
    existing = db.session.execute(
        select(Invitation.id, Invitation.user_id, Invitation.added_individually, Invitation.checked_in_at).where(
            Invitation.session_id == session.id
        )
    ).all()
    invited = {row.user_id for row in existing}
    new_rows = [
        {"session_id": session.id, "user_id": user_id, "unit_id": unit_id, "rsvp": "pending"}
        for user_id, unit_id in wanted.items()
        if user_id not in invited
    ]
    insert_rows(Invitation, new_rows)
    dropped = [
        row.id
        for row in existing
        if row.user_id not in wanted
        and not row.added_individually
        and row.checked_in_at is None
        and not _has_submissions(session.id, row.user_id)
    ]
    if dropped:
        db.session.execute(delete(Invitation).where(Invitation.id.in_(dropped)))
    return len(new_rows), len(dropped)


def _has_submissions(session_id: int, user_id: int) -> bool:
    from ..questions.models import Question

    return bool(
        db.session.scalar(
            select(Question.id).where(Question.session_id == session_id, Question.author_id == user_id).limit(1)
        )
    )


# Scheduling ---------------------------------------------------------------------------------------------------


def create_session(
    actor: User | None,
    *,
    title: str,
    topic: str,
    term: str | None,
    venue: str,
    starts_at: datetime,
    ends_at: datetime,
    questions_close_at: datetime,
    turn_seconds: int,
    host_unit_id: int,
    invited_unit_ids: Iterable[int],
    host_ids: Iterable[int],
    allow_support: bool = True,
) -> DialogueSession:
    """Schedules a session (as a draft). Inviting a unit invites every active cell secretary beneath it."""
    if actor is not None:
        require_manage(actor)
    title = _required_text(title, "title")
    topic = _required_text(topic, "topic")
    venue = _required_text(venue, "venue")
    term = nfc(term or "") or None
    if term and len(term) > 50:
        raise Invalid(_l("Nhiệm kỳ quá dài."), fields={"term": [str(_l("Tối đa %(n)s ký tự.", n=50))]})
    starts_at = _aware(starts_at, "starts_at")
    ends_at = _aware(ends_at, "ends_at")
    questions_close_at = _aware(questions_close_at, "questions_close_at")
    _check_schedule(starts_at, ends_at, questions_close_at)
    turn_seconds = _check_turn(turn_seconds)
    _check_units([host_unit_id] if host_unit_id else [], "host_unit_id")
    if not host_unit_id:
        raise Invalid(_l("Xin chọn đơn vị chủ trì."), fields={"host_unit_id": [str(_l("Bắt buộc."))]})
    invited_units = _check_units(invited_unit_ids, "invited_unit_ids")
    hosts = _check_hosts(host_ids)
    session = DialogueSession(
        title=title,
        topic=topic,
        term=term,
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        questions_close_at=questions_close_at,
        turn_seconds=turn_seconds,
        host_unit_id=host_unit_id,
        status="draft",
        allow_support=bool(allow_support),
        created_by_id=getattr(actor, "id", None),
        live_version=0,
        queue_open=True,
        queue_new_speakers_first=False,
    )
    _index(session)
    session.hosts = [SessionHost(user_id=u.id) for u in hosts]
    session.invited_units = [SessionInvitedUnit(unit_id=u.id) for u in invited_units]
    db.session.add(session)
    db.session.flush()
    _sync_invitations(session)
    db.session.flush()
    record(actor, "session.create", session, after=_snapshot(session))
    return session


def update_session(actor: User, session: DialogueSession, **changes) -> DialogueSession:
    """Edits the schedule. Invited units and hosts may change until the session goes live; nothing changes once
    it has ended."""
    require_manage(actor)
    if session.status == "ended":
        raise Conflict(_l("Buổi đối thoại đã kết thúc, không thể sửa."))
    before = _snapshot(session)
    for name in ("title", "topic", "venue"):
        if changes.get(name) is not None:
            setattr(session, name, _required_text(changes[name], name))
    if "term" in changes:
        session.term = nfc(changes["term"] or "") or None
    for name in ("starts_at", "ends_at", "questions_close_at"):
        if changes.get(name) is not None:
            setattr(session, name, _aware(changes[name], name))
    _check_schedule(session.starts_at, session.ends_at, session.questions_close_at)
    if changes.get("turn_seconds") is not None:
        session.turn_seconds = _check_turn(changes["turn_seconds"])
    if changes.get("allow_support") is not None:
        session.allow_support = bool(changes["allow_support"])
    if changes.get("host_unit_id") is not None:
        _check_units([changes["host_unit_id"]], "host_unit_id")
        session.host_unit_id = changes["host_unit_id"]
    units_changed = False
    if changes.get("invited_unit_ids") is not None:
        wanted = {u.id for u in _check_units(changes["invited_unit_ids"], "invited_unit_ids")}
        if wanted != {iu.unit_id for iu in session.invited_units}:
            _refuse_invitation_change(session)
            session.invited_units = [iu for iu in session.invited_units if iu.unit_id in wanted] + [
                SessionInvitedUnit(unit_id=uid) for uid in sorted(wanted - {iu.unit_id for iu in session.invited_units})
            ]
            units_changed = True
    if changes.get("host_ids") is not None:
        wanted_hosts = {u.id for u in _check_hosts(changes["host_ids"])}
        if wanted_hosts != {h.user_id for h in session.hosts}:
            session.hosts = [h for h in session.hosts if h.user_id in wanted_hosts] + [
                SessionHost(user_id=uid) for uid in sorted(wanted_hosts - {h.user_id for h in session.hosts})
            ]
    _index(session)
    db.session.flush()
    if units_changed:
        _sync_invitations(session)
    after = _snapshot(session)
    if after != before:
        session.calendar_sequence = (session.calendar_sequence or 0) + 1  # calendars replace the old event
        record(actor, "session.update", session, before=before, after=after)
        state_changed(session.id)  # the title and the turn time are on the live screens
    return session


def _refuse_invitation_change(session: DialogueSession) -> None:
    if session.status in ("live", "ended"):
        raise Conflict(_l("Buổi đối thoại đã bắt đầu; không thể thay đổi danh sách khách mời."))


def _notify_invitees(session: DialogueSession) -> None:
    """When the session opens, every invitee finds the invitation among their notices (part of the transaction;
    e-mails with personal links go out with ``flask sessions remind`` or the organizer's "resend")."""
    text = _(
        "Giấy mời dự “%(title)s”, %(start)s. Hạn gửi câu hỏi: %(deadline)s.",
        title=session.title,
        start=format_datetime(session.starts_at),
        deadline=format_datetime(session.questions_close_at),
    )
    link = _path("sessions.detail", session_id=session.id)
    notify_all(db.session.scalars(select(Invitation.user_id).where(Invitation.session_id == session.id)), text, link)


def change_status(actor: User, session: DialogueSession, new_status: str) -> DialogueSession:
    """Moves the session along ``draft → open → closed → live → ended`` (see the module's doc)."""
    require_manage(actor)
    if new_status not in SESSION_STATUSES:
        raise Invalid(_l("Trạng thái không hợp lệ."), fields={"status": [str(_l("Không hợp lệ."))]})
    current = session.status
    if new_status == current:
        raise Conflict(
            _l("Buổi đối thoại đã ở trạng thái “%(s)s”.", s=label("session_status", new_status)), code="same_status"
        )
    if new_status not in TRANSITIONS[current]:
        hints = {
            "draft": _l("Bản nháp chỉ có thể chuyển sang “Đang nhận câu hỏi”."),
            "open": _l("Đang nhận câu hỏi: có thể khóa nhận câu hỏi hoặc bắt đầu buổi đối thoại."),
            "closed": _l("Đã hết hạn gửi câu hỏi: có thể bắt đầu buổi đối thoại hoặc mở lại (sau khi dời hạn)."),
            "live": _l("Buổi đối thoại đang diễn ra: chỉ có thể kết thúc."),
            "ended": _l("Buổi đối thoại đã kết thúc: không thể đổi trạng thái."),
        }
        raise Conflict(
            _(
                "Không thể chuyển từ “%(a)s” sang “%(b)s”. %(hint)s",
                a=label("session_status", current),
                b=label("session_status", new_status),
                hint=str(hints[current]),
            ),
            code="bad_transition",
        )
    if new_status == "open":
        if session.questions_close_at <= now():
            raise Conflict(
                _l("Hạn gửi câu hỏi đã qua. Xin dời hạn gửi câu hỏi trước khi mở nhận câu hỏi."),
                code="deadline_passed",
            )
        has_invitees = db.session.scalar(select(Invitation.id).where(Invitation.session_id == session.id).limit(1))
        if not has_invitees:
            raise Conflict(_l("Chưa mời ai: xin chọn đơn vị hoặc người được mời trước khi mở."), code="no_invitees")
    before = {"status": current}
    session.status = new_status
    if current == "draft" and new_status == "open":
        _notify_invitees(session)
    record(actor, "session.status", session, before=before, after={"status": new_status})
    # The live area: opening/closing times, the live version, and the new state to every screen after the commit.
    db.session.flush()
    status_changed.send(session, actor=actor, before=current, after=new_status)
    return session


# Invitations ----------------------------------------------------------------------------------------------------


def add_invitee(actor: User, session: DialogueSession, user: User) -> Invitation:
    require_manage(actor)
    _refuse_invitation_change(session)
    if not user.active:
        raise Conflict(_l("Tài khoản này đã ngừng hoạt động."))
    existing = invitation_for(session.id, user.id)
    if existing is not None:
        raise Conflict(_l("%(name)s đã có trong danh sách khách mời.", name=user.name))
    inv = Invitation(session_id=session.id, user_id=user.id, unit_id=user.unit_id, rsvp="pending")
    inv.added_individually = True
    db.session.add(inv)
    db.session.flush()
    record(actor, "invitation.create", inv, after={"session_id": session.id, "user_id": user.id})
    return inv


def remove_invitee(actor: User, invitation: Invitation) -> None:
    require_manage(actor)
    session = get_session(invitation.session_id)
    _refuse_invitation_change(session)
    if _has_submissions(session.id, invitation.user_id):
        raise Conflict(_l("Người này đã gửi ý kiến cho buổi đối thoại nên không thể bỏ khỏi danh sách khách mời."))
    record(actor, "invitation.delete", invitation, before={"session_id": session.id, "user_id": invitation.user_id})
    db.session.delete(invitation)


def get_invitation(invitation_id: int) -> Invitation:
    inv = db.session.get(Invitation, invitation_id)
    if inv is None:
        raise NotFound(_l("Không tìm thấy giấy mời."))
    return inv


def set_rsvp(user: User, session: DialogueSession, rsvp: str) -> Invitation:
    """The invitee answers the invitation (will attend / will not)."""
    if rsvp not in RSVP_STATES:
        raise Invalid(_l("Lựa chọn không hợp lệ."), fields={"rsvp": [str(_l("Không hợp lệ."))]})
    inv = invitation_for(session.id, user.id)
    if inv is None or session.status == "draft":
        raise Forbidden(_l("Bạn không được mời tham dự buổi đối thoại này."))
    if session.status == "ended":
        raise Conflict(_l("Buổi đối thoại đã kết thúc."))
    if inv.rsvp != rsvp:
        before = {"rsvp": inv.rsvp}
        inv.rsvp = rsvp
        inv.rsvp_at = now()
        record(user, "invitation.rsvp", inv, before=before, after={"rsvp": rsvp})
    return inv


def _invitation_text(user: User, session: DialogueSession, link: str, reminder: bool = False) -> tuple[str, str]:
    subject = (
        _("Nhắc lịch: %(title)s", title=session.title) if reminder else _("Giấy mời: %(title)s", title=session.title)
    )
    lines = [
        _("Kính gửi đồng chí %(name)s,", name=user.name),
        "",
        _("Trân trọng kính mời đồng chí dự buổi tiếp xúc, đối thoại trực tiếp:"),
        f"  {session.title}",
        _("Chủ đề: %(topic)s", topic=session.topic),
        _("Thời gian: %(start)s", start=format_datetime(session.starts_at)),
        _("Địa điểm: %(venue)s", venue=session.venue),
    ]
    if questions_open(session):
        lines.append(
            _(
                "Đồng chí có thể gửi câu hỏi, ý kiến, kiến nghị trước %(deadline)s.",
                deadline=format_datetime(session.questions_close_at),
            )
        )
    lines += ["", _("Đường dẫn riêng của đồng chí (không cần mật khẩu, không chia sẻ cho người khác):"), link]
    return subject, "\n".join(lines)


def resend_link(actor: User, invitation: Invitation) -> Invitation:
    """Sends the invitee their personal link again: by e-mail (when they have one) and as an in-app notice."""
    require_manage(actor)
    session = get_session(invitation.session_id)
    if session.status in ("draft", "ended"):
        raise Conflict(_l("Chỉ gửi đường dẫn khi buổi đối thoại đã mở và chưa kết thúc."))
    user = invitation.user
    link = session_link(user, session)
    subject, body = _invitation_text(user, session, link)
    send_mail_after_commit(user.email, subject, body)
    notify(
        user,
        _("Giấy mời dự “%(title)s”, %(start)s.", title=session.title, start=format_datetime(session.starts_at)),
        _path("sessions.detail", session_id=session.id),
    )
    invitation.link_sent_at = now()
    record(actor, "invitation.resend", invitation, after={"email": bool(user.email)})
    return invitation


def remind(session: DialogueSession, actor: User | None = None) -> int:
    """E-mails every invitee who has not declined a reminder with their link. Never twice the same day (the
    reminder is claimed per invitee per day). Returns the number of reminders sent now."""
    if session.status in ("draft", "ended"):
        raise Conflict(_l("Chỉ nhắc lịch khi buổi đối thoại đã mở và chưa kết thúc."))
    day = today_local()
    sent = 0
    for inv in invitations_of(session):
        if inv.rsvp == "declined" or not inv.user.active:
            continue
        if not claim_reminder(f"session-remind:{session.id}:{inv.user_id}", day):
            continue
        link = session_link(inv.user, session)
        subject, body = _invitation_text(inv.user, session, link, reminder=True)
        send_mail_after_commit(inv.user.email, subject, body)
        inv.reminded_on = day
        sent += 1
    if sent:
        record(actor, "session.remind", session, after={"sent": sent, "day": day})
    return sent


def ics(session: DialogueSession, user: User | None = None) -> bytes:
    """The session as an iCalendar file (one VEVENT), for the phone's calendar. ``SEQUENCE`` grows with every
    change of the schedule, so the calendar replaces what it holds; an invitee's link is their personal one."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Doi thoai//dialogue//VI")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    host = current_app.config["PUBLIC_BASE_URL"].split("//", 1)[-1].split("/", 1)[0] or "localhost"
    event.add("uid", f"session-{session.id}@{host}")
    event.add("dtstamp", now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", session.title)
    event.add("location", session.venue)
    event.add("sequence", session.calendar_sequence or 0)
    event.add("status", "CONFIRMED")
    if user is not None and is_invited(session.id, user.id):
        url = session_link(user, session)
    else:
        url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + _path("sessions.detail", session_id=session.id)
    description = [_("Chủ đề: %(topic)s", topic=session.topic)]
    if session.term:
        description.append(_("Nhiệm kỳ: %(term)s", term=session.term))
    description.append(url)
    event.add("description", "\n".join(description))
    event.add("url", url)
    alarm_minutes = 60
    from icalendar import Alarm

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", session.title)
    alarm.add("trigger", timedelta(minutes=-alarm_minutes))
    event.add_component(alarm)
    cal.add_component(event)
    return cal.to_ical()


# Home page --------------------------------------------------------------------------------------------------------


def secretary_home(user: User) -> dict:
    from ..questions.models import Question

    stmt = (
        select(Invitation)
        .join(DialogueSession, Invitation.session_id == DialogueSession.id)
        .where(Invitation.user_id == user.id, DialogueSession.status.notin_(("draft", "ended")))
        .options(selectinload(Invitation.session))
        .order_by(DialogueSession.starts_at)
    )
    invitations = list(db.session.scalars(stmt).unique())
    submissions = list(
        db.session.scalars(
            select(Question)
            .where(Question.author_id == user.id)
            .order_by(Question.created_at.desc(), Question.id.desc())
            .limit(10)
        ).unique()
    )
    titles = {}
    if submissions:
        titles = dict(
            db.session.execute(
                select(DialogueSession.id, DialogueSession.title).where(
                    DialogueSession.id.in_({q.session_id for q in submissions})
                )
            ).all()
        )
    return {
        "invitations": invitations,
        "submissions": submissions,
        "titles": titles,
        "effective_status": effective_status,
    }


def organizer_home(user: User) -> dict:
    from ..questions.models import Question

    sessions = list(
        db.session.scalars(
            select(DialogueSession).where(DialogueSession.status != "ended").order_by(DialogueSession.starts_at)
        ).unique()
    )
    waiting: dict[int, int] = {}
    if sessions:
        waiting = dict(
            db.session.execute(
                select(Question.session_id, func.count(Question.id))
                .where(Question.session_id.in_([s.id for s in sessions]), Question.status == "submitted")
                .group_by(Question.session_id)
            ).all()
        )
    return {
        "sessions": sessions,
        "waiting": waiting,
        "counts": invitation_counts([s.id for s in sessions]),
        "effective_status": effective_status,
        "mine": {s.id for s in sessions if s.created_by_id == user.id},
    }


def host_home(user: User) -> dict:
    return {"sessions": sessions_hosted_by(user), "effective_status": effective_status}
