"""The live session: check-in, the speakers' queue with timed turns, the projector link, and live events.

Every change of live state takes the session row's lock and bumps ``DialogueSession.live_version`` by one in the
same transaction (``sessions.livestate``, which the areas below use too); after the commit the new snapshot is
built and published (``publish_state``) to the session's Socket.IO room and to the room of its current projector
link. The snapshot last built is held per process and reused while the version stands.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import lazyload

from ..accounts.models import User
from ..audit.services import record
from ..core.access import has_any_role
from ..core.after_commit import after_commit
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.text import like_pattern
from ..core.timeutil import now
from ..extensions import db, socketio
from ..questions.models import Question
from ..sessions.livestate import bump_version, lock_session
from ..sessions.livestate import state_changed as state_changed
from ..sessions.models import DialogueSession, Invitation

# Who may see a session is the sessions area's rule; re-exported for the live pages, API and socket.
from ..sessions.services import can_view as can_view
from ..sessions.services import get_session as get_session
from ..sessions.services import invitation_for as invitation_of
from ..sessions.services import is_staff as is_staff
from ..sessions.services import require_view as require_view
from ..sessions.signals import live_state_changed, status_changed
from . import snapshot as _snapshot
from .models import Speaker

log = logging.getLogger(__name__)

NAMESPACE = "/live"
ORGANIZER_ROLES = ("organizer", "admin")
REUSE_SECONDS = 10.0
# The rules of the queue read and write its rows only: the people (and their roles) and a session's hosts load
# if something reads them, not on every change, which runs while the whole hall waits for the new state.
QUEUE_ROWS_ONLY = lazyload("*")
MIN_TURN_SECONDS = 10
MAX_TURN_SECONDS = 3600


def room(session_id: int) -> str:
    """The room of the people signed in (staff and invitees) who follow a session."""
    return f"session-{session_id}"


def projector_room(session_id: int, secret: str) -> str:
    """The room of the projector screens opened with this secret link. The state goes to the room of the current
    secret only, so a screen still open on a link that was reset stops receiving at once, in every process."""
    return f"{room(session_id)}-projector-{hashlib.sha256(secret.encode()).hexdigest()[:16]}"


# Reading ------------------------------------------------------------------------------------------------------


def is_organizer(user) -> bool:
    """The clerk (thư ký) who runs the live session: the organizer role (admin too, as for every session task)."""
    return has_any_role(user, ORGANIZER_ROLES)


def require_organizer(user) -> None:
    if not is_organizer(user):
        raise Forbidden(_l("Chỉ người tổ chức (thư ký) được điều hành danh sách phát biểu."))


def snapshot(session: DialogueSession) -> dict:
    """The live snapshot of API.md for a page, the API or a phone joining the room, as of now.

    The state last built in this process is handed out again while the session's version has not moved (and
    for at most ``REUSE_SECONDS``, for what changes without a new version: a person's or a unit's name), with
    its clock worked out again: two hundred phones reconnecting after a Wi-Fi drop cost one build, not two
    hundred.
    """
    held = _held_states().get(session.id)
    if held is not None:
        built_at, state = held
        if state.version == session.live_version and time.monotonic() - built_at < REUSE_SECONDS:
            return state.timed()
    state = _snapshot.build_state(db.session, session.id)
    _hold(state)
    return state.data


@live_state_changed.connect
def _publish_committed_change(_sender, *, session_id: int, **_kw) -> None:
    publish_state(session_id)


def publish_state(session_id: int) -> None:
    """Builds the new snapshot and emits it as ``state`` to the session's room. Call it after the commit.

    It reads through its own database session: inside an after-commit hook the request's session cannot run SQL.
    """
    with OrmSession(db.engine) as dbs:
        state = _snapshot.build_state(dbs, session_id)
    if state is None:
        return
    _hold(state)
    rooms = [room(session_id)]
    if state.projector_secret:
        rooms.append(projector_room(session_id, state.projector_secret))
    socketio.emit("state", state.data, to=rooms, namespace=NAMESPACE)


def _held_states() -> dict[int, tuple[float, _snapshot.LiveState]]:
    """The latest state built per session, in this process (per app: tests build several apps)."""
    return current_app.extensions.setdefault("live_states", {})


def _hold(state: _snapshot.LiveState) -> None:
    """Keeps the state for reuse; drops those too old to be reused, so a long-running process holds only the
    sessions that were live in the last ``REUSE_SECONDS``."""
    held = _held_states()
    now = time.monotonic()
    for stale in [sid for sid, (built_at, _) in held.items() if now - built_at >= REUSE_SECONDS]:
        del held[stale]
    sid = state.data["session_id"]
    if sid not in held or held[sid][1].version <= state.version:
        held[sid] = (now, state)


def forget_states() -> None:
    """Drops every held state (tests empty the database between tests; ids and versions start again)."""
    _held_states().clear()


def live_version(session_id: int) -> int:
    """The session's live version as committed (one column: answering a client needs nothing more)."""
    return db.session.scalar(select(DialogueSession.live_version).where(DialogueSession.id == session_id)) or 0


def projector_session(secret: str) -> DialogueSession:
    """The session a projector link opens; the secret is compared in the database (unique column)."""
    if not secret or len(secret) < 16:
        raise NotFound(_l("Đường dẫn màn chiếu không hợp lệ hoặc đã được đổi."))
    session = db.session.scalar(select(DialogueSession).where(DialogueSession.projector_secret == secret))
    if session is None:
        raise NotFound(_l("Đường dẫn màn chiếu không hợp lệ hoặc đã được đổi."))
    return session


def search_invitations_stmt(session: DialogueSession, q: str | None = None):
    """Invitees for the check-in page: by name or unit, diacritics-insensitive ("nguyen" finds "Nguyễn")."""
    from ..units.models import Unit

    stmt = (
        select(Invitation)
        .join(User, User.id == Invitation.user_id)
        .outerjoin(Unit, Unit.id == Invitation.unit_id)
        .where(Invitation.session_id == session.id)
    )
    if q and q.strip():
        pattern = like_pattern(q)
        stmt = stmt.where(User.search_text.like(pattern, escape="\\") | Unit.search_text.like(pattern, escape="\\"))
    return stmt.order_by(Unit.name, User.name, Invitation.id)


def search_invitations(session: DialogueSession, q: str | None = None, limit: int | None = None) -> list[Invitation]:
    stmt = search_invitations_stmt(session, q)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt).unique())


def spoken_counts(session_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(Speaker.user_id, func.count(Speaker.id))
        .where(Speaker.session_id == session_id, Speaker.status == "finished")
        .group_by(Speaker.user_id)
    ).all()
    return {user_id: n for user_id, n in rows}


def my_waiting(session_id: int, user_id: int) -> Speaker | None:
    return db.session.scalar(
        select(Speaker).where(Speaker.session_id == session_id, Speaker.user_id == user_id, Speaker.status == "waiting")
    )


def list_speakers(session: DialogueSession, statuses: tuple[str, ...] | None = None):
    stmt = select(Speaker).where(Speaker.session_id == session.id)
    if statuses:
        stmt = stmt.where(Speaker.status.in_(statuses))
    # Turns held (and withdrawn requests) in the order they happened, then the waiting list in its order.
    return stmt.order_by(
        case((Speaker.status == "waiting", 1), else_=0),
        case((Speaker.status == "waiting", Speaker.weight), else_=0),
        func.coalesce(Speaker.begin_time, Speaker.created_at),
        Speaker.id,
    )


# Locking and versions -----------------------------------------------------------------------------------------


@status_changed.connect
def on_status_change(session: DialogueSession, *, actor: User | None, before: str, after: str, **_kw) -> None:
    """The sessions area moved a session (in its transaction): the live opening and closing times, the current
    turn ends with the session, and the version moves (the new state goes out after the commit)."""
    db.session.flush()  # the new status is written before the row is re-read under its lock
    session = lock_session(session.id)
    at = now()
    if after == "live" and session.opened_at is None:
        session.opened_at = at
    if after == "ended":
        session.closed_at = at
        current = _current(session.id)
        if current is not None:
            previous = _speaker_snapshot(current)
            _finish(current, at)
            record(actor, "speaker.finish", current, before=previous, after=_speaker_snapshot(current))
    bump_version(session)


def _require_status(session: DialogueSession, *statuses: str, message=None) -> None:
    if session.status not in statuses:
        raise Conflict(message or _l("Buổi đối thoại chưa diễn ra hoặc đã kết thúc."))


# Check-in -----------------------------------------------------------------------------------------------------


def check_in(actor: User, session_id: int, user_id: int) -> Invitation:
    """Marks an invitee present. Idempotent: a second check-in changes nothing.

    The organizer checks anyone in while the session is open, closed or live; an invitee checks themself in by
    opening their personal link at the venue while the session is live.
    """
    self_checkin = actor.id == user_id and not is_organizer(actor)
    if not self_checkin:
        require_organizer(actor)
    session = get_session(session_id)
    invitation = invitation_of(session_id, user_id)
    if invitation is None:
        raise NotFound(_l("Người này không có trong danh sách mời."), fields={"user_id": [str(_l("Không được mời."))]})
    if invitation.checked_in_at is not None:
        return invitation
    if self_checkin:
        _require_status(session, "live", message=_l("Chỉ điểm danh được khi buổi đối thoại đang diễn ra."))
    else:
        _require_status(
            session, "open", "closed", "live", message=_l("Chỉ điểm danh được trước hoặc trong buổi đối thoại.")
        )
    session = lock_session(session_id)
    db.session.refresh(invitation)
    if invitation.checked_in_at is not None:  # someone else checked them in meanwhile
        return invitation_of(session_id, user_id)
    invitation.checked_in_at = now()
    invitation.checked_in_by_id = actor.id
    record(actor, "session.check_in", invitation, after={"user_id": user_id, "self": self_checkin})
    bump_version(session)
    return invitation


def cancel_check_in(actor: User, session_id: int, user_id: int) -> Invitation:
    """Undoes a check-in marked by mistake."""
    require_organizer(actor)
    session = lock_session(session_id)
    invitation = invitation_of(session_id, user_id)
    if invitation is None:
        raise NotFound(_l("Người này không có trong danh sách mời."))
    if invitation.checked_in_at is None:
        return invitation
    before = {"checked_in_at": invitation.checked_in_at}
    invitation.checked_in_at = None
    invitation.checked_in_by_id = None
    record(actor, "session.cancel_check_in", invitation, before=before, after={"checked_in_at": None})
    bump_version(session)
    return invitation


# The speakers' queue ------------------------------------------------------------------------------------------


def _waiting(session_id: int) -> list[Speaker]:
    return list(
        db.session.scalars(
            select(Speaker)
            .where(Speaker.session_id == session_id, Speaker.status == "waiting")
            .order_by(Speaker.weight, Speaker.id)
            .options(QUEUE_ROWS_ONLY)
        )
    )


def _renumber(entries: list[Speaker]) -> None:
    for i, entry in enumerate(entries, start=1):
        entry.weight = i


def _has_spoken(session_id: int, user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(Speaker.user_id).where(
                Speaker.session_id == session_id, Speaker.status == "finished", Speaker.user_id.in_(user_ids)
            )
        )
    )


def _place_new(session: DialogueSession, entry: Speaker, waiting: list[Speaker], top: bool = False) -> None:
    """Puts a new waiting entry at the end, at the top, or, with "new speakers first", before the first waiting
    person who has already spoken."""
    if top:
        order = [entry, *waiting]
    elif session.queue_new_speakers_first and not _has_spoken(session.id, {entry.user_id}):
        spoken = _has_spoken(session.id, {w.user_id for w in waiting})
        index = next((i for i, w in enumerate(waiting) if w.user_id in spoken), len(waiting))
        order = [*waiting[:index], entry, *waiting[index:]]
    else:
        order = [*waiting, entry]
    _renumber(order)


def _speaker_snapshot(s: Speaker) -> dict:
    return {
        "user_id": s.user_id,
        "status": s.status,
        "question_id": s.question_id,
        "seconds_allowed": s.seconds_allowed,
        "begin_time": s.begin_time,
        "end_time": s.end_time,
    }


def request_to_speak(
    actor: User, session_id: int, *, user_id: int | None = None, question_id: int | None = None, top: bool = False
) -> Speaker:
    """Asks to speak (an invitee for themself; the organizer for anyone). One waiting entry per person: asking
    again returns the entry already waiting."""
    user_id = user_id or actor.id
    organizer = is_organizer(actor)
    if user_id != actor.id and not organizer:
        raise Forbidden(_l("Chỉ người tổ chức được đăng ký phát biểu cho người khác."))
    session = get_session(session_id)
    if organizer:
        _require_status(session, "closed", "live")
    else:
        require_view(actor, session)
        _require_status(session, "live", message=_l("Chỉ đăng ký phát biểu được khi buổi đối thoại đang diễn ra."))
        if invitation_of(session_id, user_id) is None:
            raise Forbidden(_l("Bạn không có trong danh sách mời của buổi đối thoại này."))
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound(_l("Không tìm thấy người dùng."), fields={"user_id": [str(_l("Không tồn tại."))]})
    if question_id is not None:
        question = db.session.get(Question, question_id)
        if question is None or question.session_id != session_id:
            raise Invalid(
                _l("Câu hỏi không thuộc buổi đối thoại này."), fields={"question_id": [str(_l("Không hợp lệ."))]}
            )
        if not organizer and question.author_id != user_id:
            raise Forbidden(
                _l("Bạn chỉ gắn được câu hỏi của chính mình."), fields={"question_id": [str(_l("Không hợp lệ."))]}
            )
        if question.status in ("returned", "withdrawn", "merged"):
            raise Invalid(
                _l("Câu hỏi này không còn trong chương trình."), fields={"question_id": [str(_l("Không hợp lệ."))]}
            )
    existing = my_waiting(session_id, user_id)
    if existing is not None:
        return existing
    session = lock_session(session_id)
    if not session.queue_open and not organizer:
        raise Conflict(_l("Danh sách đăng ký phát biểu đã đóng."))
    existing = my_waiting(session_id, user_id)
    if existing is not None:  # asked twice at once: the first request won
        return existing
    entry = Speaker(
        session_id=session_id,
        user_id=user_id,
        question_id=question_id,
        status="waiting",
        seconds_allowed=session.turn_seconds,
        total_pause_seconds=0,
        created_by_id=actor.id,
        created_at=now(),
    )
    waiting = _waiting(session_id)
    db.session.add(entry)
    _place_new(session, entry, waiting, top=top)
    db.session.flush()  # under the session's lock: the "one waiting entry per person" index can't be raced
    record(actor, "speaker.request", entry, after=_speaker_snapshot(entry))
    bump_version(session)
    return entry


def get_speaker(speaker_id: int) -> Speaker:
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        raise NotFound(_l("Không tìm thấy lượt phát biểu."))
    return speaker


def _locked_speaker(speaker_id: int) -> tuple[DialogueSession, Speaker]:
    speaker = get_speaker(speaker_id)
    session = lock_session(speaker.session_id)
    db.session.refresh(speaker)
    return session, speaker


def _finish(speaker: Speaker, at) -> None:
    if speaker.pause_time is not None:
        speaker.total_pause_seconds += max(0, int((at - speaker.pause_time).total_seconds()))
        speaker.pause_time = None
    speaker.end_time = at
    speaker.status = "finished"


def _current(session_id: int) -> Speaker | None:
    return db.session.scalar(
        select(Speaker).where(Speaker.session_id == session_id, Speaker.status == "speaking").options(QUEUE_ROWS_ONLY)
    )


def _start(actor: User, session: DialogueSession, speaker: Speaker) -> Speaker:
    at = now()
    current = _current(session.id)
    if current is not None and current.id != speaker.id:
        before = _speaker_snapshot(current)
        _finish(current, at)
        db.session.flush()  # the finished turn leaves the "one speaking" index before the next one enters
        record(actor, "speaker.finish", current, before=before, after=_speaker_snapshot(current))
    before = _speaker_snapshot(speaker)
    speaker.status = "speaking"
    speaker.begin_time = at
    speaker.pause_time = None
    speaker.total_pause_seconds = 0
    record(actor, "speaker.start", speaker, before=before, after=_speaker_snapshot(speaker))
    return speaker


def next_speaker(actor: User, session_id: int, version: int | None = None) -> Speaker:
    """Finishes the current turn, if any, and starts the next waiting one.

    ``version`` is the live version the caller saw: if the state has moved on since, nothing changes (409). Two
    clerks pressing "next" on the same state therefore start exactly one turn.
    """
    require_organizer(actor)
    session = lock_session(session_id)
    if version is not None and version != session.live_version:
        raise Conflict(
            _l(
                "Tình hình đã thay đổi (phiên bản %(seen)s, hiện tại %(now)s). Xin xem lại rồi bấm lại.",
                seen=version,
                now=session.live_version,
            ),
            code="stale_version",
        )
    _require_status(session, "live", message=_l("Buổi đối thoại chưa bắt đầu hoặc đã kết thúc."))
    waiting = _waiting(session_id)
    if not waiting:
        raise Conflict(_l("Không còn ai chờ phát biểu."), code="queue_empty")
    speaker = _start(actor, session, waiting[0])
    bump_version(session)
    return speaker


def start_speaker(actor: User, speaker_id: int) -> Speaker:
    """Starts a given waiting entry out of order (the current turn, if any, finishes)."""
    require_organizer(actor)
    session, speaker = _locked_speaker(speaker_id)
    _require_status(session, "live", message=_l("Buổi đối thoại chưa bắt đầu hoặc đã kết thúc."))
    if speaker.status == "speaking":
        return speaker
    if speaker.status != "waiting":
        raise Conflict(_l("Chỉ gọi được người đang chờ phát biểu."))
    _start(actor, session, speaker)
    bump_version(session)
    return speaker


def pause_turn(actor: User, speaker_id: int) -> Speaker:
    require_organizer(actor)
    session, speaker = _locked_speaker(speaker_id)
    if speaker.status != "speaking":
        raise Conflict(_l("Lượt này không đang phát biểu."))
    if speaker.pause_time is not None:
        return speaker
    speaker.pause_time = now()
    record(actor, "speaker.pause", speaker, after={"pause_time": speaker.pause_time})
    bump_version(session)
    return speaker


def resume_turn(actor: User, speaker_id: int) -> Speaker:
    require_organizer(actor)
    session, speaker = _locked_speaker(speaker_id)
    if speaker.status != "speaking":
        raise Conflict(_l("Lượt này không đang phát biểu."))
    if speaker.pause_time is None:
        return speaker
    paused = max(0, int((now() - speaker.pause_time).total_seconds()))
    speaker.total_pause_seconds += paused
    speaker.pause_time = None
    record(actor, "speaker.resume", speaker, after={"paused_seconds": paused})
    bump_version(session)
    return speaker


def finish_turn(actor: User, speaker_id: int) -> Speaker:
    require_organizer(actor)
    session, speaker = _locked_speaker(speaker_id)
    if speaker.status == "finished":
        return speaker
    if speaker.status != "speaking":
        raise Conflict(_l("Lượt này không đang phát biểu."))
    before = _speaker_snapshot(speaker)
    _finish(speaker, now())
    record(actor, "speaker.finish", speaker, before=before, after=_speaker_snapshot(speaker))
    bump_version(session)
    return speaker


def withdraw(actor: User, speaker_id: int) -> Speaker:
    """The speaker withdraws while waiting, or the organizer removes them from the list."""
    speaker = get_speaker(speaker_id)
    if speaker.user_id != actor.id:
        require_organizer(actor)
    session, speaker = _locked_speaker(speaker_id)
    if speaker.status == "withdrawn":
        return speaker
    if speaker.status != "waiting":
        raise Conflict(_l("Chỉ rút được khi đang chờ phát biểu."))
    speaker.status = "withdrawn"
    record(actor, "speaker.withdraw", speaker, before={"status": "waiting"}, after={"status": "withdrawn"})
    db.session.flush()
    _renumber(_waiting(session.id))
    bump_version(session)
    return speaker


def move(actor: User, speaker_id: int, position: int) -> Speaker:
    """Moves a waiting entry to ``position`` (1 = next) in the list."""
    require_organizer(actor)
    session, speaker = _locked_speaker(speaker_id)
    if speaker.status != "waiting":
        raise Conflict(_l("Chỉ sắp xếp được người đang chờ phát biểu."))
    waiting = _waiting(session.id)
    old = next(i for i, w in enumerate(waiting) if w.id == speaker.id)
    new = max(0, min(len(waiting) - 1, int(position) - 1))
    if new == old:
        return speaker
    waiting.pop(old)
    waiting.insert(new, speaker)
    _renumber(waiting)
    record(actor, "speaker.move", speaker, before={"position": old + 1}, after={"position": new + 1})
    bump_version(session)
    return speaker


def update_turn(
    actor: User,
    speaker_id: int,
    *,
    seconds_allowed: int | None = None,
    summary: str | None = None,
    question_id: int | type | None = ...,
) -> Speaker:
    """Changes a turn's speaking time, the clerk's note of what was said, or the question it is about."""
    from ..core.text import nfc

    require_organizer(actor)
    session, speaker = _locked_speaker(speaker_id)
    before = {
        "seconds_allowed": speaker.seconds_allowed,
        "summary": speaker.summary,
        "question_id": speaker.question_id,
    }
    if seconds_allowed is not None:
        if not MIN_TURN_SECONDS <= int(seconds_allowed) <= MAX_TURN_SECONDS:
            raise Invalid(
                _l("Thời gian phát biểu phải từ %(a)s đến %(b)s giây.", a=MIN_TURN_SECONDS, b=MAX_TURN_SECONDS),
                fields={"seconds_allowed": [str(_l("Ngoài khoảng cho phép."))]},
            )
        speaker.seconds_allowed = int(seconds_allowed)
    if summary is not None:
        speaker.summary = (nfc(summary) or None) and nfc(summary)[:2000]
    if question_id is not ...:
        if question_id is not None:
            question = db.session.get(Question, question_id)
            if question is None or question.session_id != session.id:
                raise Invalid(
                    _l("Câu hỏi không thuộc buổi đối thoại này."), fields={"question_id": [str(_l("Không hợp lệ."))]}
                )
        speaker.question_id = question_id
    after = {"seconds_allowed": speaker.seconds_allowed, "summary": speaker.summary, "question_id": speaker.question_id}
    if after == before:
        return speaker
    record(actor, "speaker.update", speaker, before=before, after=after)
    bump_version(session)
    return speaker


def readd_last(actor: User, session_id: int) -> Speaker:
    """Puts the last speaker back at the top of the list (a new waiting entry)."""
    require_organizer(actor)
    session = lock_session(session_id)
    _require_status(session, "live")
    last = db.session.scalar(
        select(Speaker)
        .where(Speaker.session_id == session_id, Speaker.status == "finished")
        .order_by(Speaker.end_time.desc(), Speaker.id.desc())
        .limit(1)
    )
    if last is None:
        raise Conflict(_l("Chưa có lượt phát biểu nào kết thúc."))
    existing = my_waiting(session_id, last.user_id)
    waiting = _waiting(session_id)
    if existing is not None:
        waiting.remove(existing)
        _renumber([existing, *waiting])
        record(actor, "speaker.move", existing, after={"position": 1})
        bump_version(session)
        return existing
    entry = Speaker(
        session_id=session_id,
        user_id=last.user_id,
        question_id=last.question_id,
        status="waiting",
        seconds_allowed=session.turn_seconds,
        total_pause_seconds=0,
        created_by_id=actor.id,
        created_at=now(),
    )
    db.session.add(entry)
    _renumber([entry, *waiting])
    db.session.flush()
    record(actor, "speaker.readd", entry, after=_speaker_snapshot(entry))
    bump_version(session)
    return entry


def change_turn(actor: User, speaker_id: int, changes: dict) -> Speaker:
    """The API's PATCH of a turn: a status move, a pause, the turn's time, summary or question, its place in the
    queue; each part goes through its own rule above. An empty change only reads (for those who may see it)."""
    speaker = get_speaker(speaker_id)
    status = changes.get("status")
    if status == "withdrawn":
        speaker = withdraw(actor, speaker_id)
    elif status == "speaking":
        speaker = start_speaker(actor, speaker_id)
    elif status == "finished":
        speaker = finish_turn(actor, speaker_id)
    elif status == "waiting" and speaker.status != "waiting":
        raise Conflict(
            _l("Không thể đưa lượt này về trạng thái chờ; dùng “Đưa người vừa phát biểu lên đầu danh sách”.")
        )
    if "paused" in changes:
        speaker = (pause_turn if changes["paused"] else resume_turn)(actor, speaker_id)
    fields = {k: changes[k] for k in ("seconds_allowed", "summary", "question_id") if k in changes}
    if fields:
        speaker = update_turn(actor, speaker_id, **fields)
    if "position" in changes:
        speaker = move(actor, speaker_id, changes["position"])
    if not changes:
        require_view(actor, get_session(speaker.session_id))
    return speaker


def set_queue_options(
    actor: User, session_id: int, *, queue_open: bool | None = None, new_speakers_first: bool | None = None
) -> DialogueSession:
    """Closes or reopens the list to new requests; "new speakers first" puts those who have not spoken yet before
    those who have (applied to the waiting list at once, then to each new request)."""
    require_organizer(actor)
    session = lock_session(session_id)
    before = {"queue_open": session.queue_open, "new_speakers_first": session.queue_new_speakers_first}
    if queue_open is not None:
        session.queue_open = bool(queue_open)
    if new_speakers_first is not None:
        session.queue_new_speakers_first = bool(new_speakers_first)
        if session.queue_new_speakers_first:
            waiting = _waiting(session_id)
            spoken = _has_spoken(session_id, {w.user_id for w in waiting})
            _renumber([w for w in waiting if w.user_id not in spoken] + [w for w in waiting if w.user_id in spoken])
    after = {"queue_open": session.queue_open, "new_speakers_first": session.queue_new_speakers_first}
    if after == before:
        return session
    record(actor, "session.queue_options", session, before=before, after=after)
    bump_version(session)
    return session


# The projector link -------------------------------------------------------------------------------------------


def ensure_projector_secret(session: DialogueSession) -> str:
    """The projector's secret, made on first use (no version bump: nothing on screen changes)."""
    if session.projector_secret:
        return session.projector_secret
    session.projector_secret = secrets.token_urlsafe(24)
    return session.projector_secret


def reset_projector_secret(actor: User, session_id: int) -> str:
    """A new secret: the old projector link stops working, and a screen still open on it is told so and receives
    nothing more (the state goes to the new link's room)."""
    require_organizer(actor)
    session = lock_session(session_id)
    old = session.projector_secret
    session.projector_secret = secrets.token_urlsafe(24)
    record(actor, "session.projector_reset", session, after={"projector": "reset"})
    if old:
        old_room = projector_room(session_id, old)
        after_commit(lambda: socketio.emit("revoked", {"session_id": session_id}, to=old_room, namespace=NAMESPACE))
    return session.projector_secret
