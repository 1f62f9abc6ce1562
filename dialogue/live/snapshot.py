"""The live snapshot: everything a screen needs to draw the live session, in four queries.

The clock is never ticked on the server: a turn stores its begin, end and pause times and ``seconds_left`` is
derived from them at the moment the snapshot is read (``timed``). Screens tick locally from ``seconds_left``
(negative once the time is up: the overrun) and ``running``.

The snapshot is built from plain column rows, not ORM objects: it is rebuilt after every change of live state
and sent to every phone, so the time it takes is time before the first phone sees the change. A built snapshot
(``LiveState``) keeps the current turn's times beside the data, so that the same state can be handed out again
later (a phone joining or reconnecting) with its clock fields worked out for that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..core.labels import label
from ..core.timeutil import isoformat, now
from ..questions.models import Question
from ..sessions.models import DialogueSession, Invitation
from ..units.models import Unit
from .models import Speaker, seconds_used

WARNING_SECONDS = 30
AGENDA_STATUSES = ("accepted", "answered")
ACTIVE_STATUSES = ("speaking", "waiting")


def seconds_left(speaker, at: datetime) -> int:  # a Speaker or a row with its time columns and seconds_allowed
    """Negative once the time is up (the overrun)."""
    return speaker.seconds_allowed - seconds_used(speaker, at)


def clock_fields(turn, at: datetime) -> dict[str, Any]:
    """The parts of the current turn that depend on the moment they are read."""
    left = seconds_left(turn, at)
    return {
        "seconds_left": left,
        "seconds_used": seconds_used(turn, at),
        "overrun_seconds": max(0, -left),
        "warning": 0 < left <= WARNING_SECONDS,
    }


@dataclass(frozen=True)
class LiveState:
    """A built snapshot and the current turn's stored times (``None`` when nobody is speaking)."""

    data: dict[str, Any]
    turn: Any = None
    projector_secret: str | None = None  # which projector room gets the state; never sent to a screen

    @property
    def version(self) -> int:
        return self.data["version"]

    def timed(self, at: datetime | None = None) -> dict[str, Any]:
        """The snapshot as of ``at``: the same state, with the server time and the clock worked out again."""
        at = at or now()
        data = {**self.data, "server_time": isoformat(at)}
        if self.turn is not None:
            data["current"] = {**data["current"], **clock_fields(self.turn, at)}
        return data


def _session_row(dbs: OrmSession, session_id: int):
    return dbs.execute(
        select(
            DialogueSession.id,
            DialogueSession.title,
            DialogueSession.status,
            DialogueSession.live_version,
            DialogueSession.turn_seconds,
            DialogueSession.queue_open,
            DialogueSession.queue_new_speakers_first,
            DialogueSession.projector_secret,
        ).where(DialogueSession.id == session_id)
    ).one_or_none()


def _turn_rows(dbs: OrmSession, session_id: int):
    """Speaking and waiting turns (in queue order) with the person and their unit, and the finished turns."""
    return dbs.execute(
        select(
            Speaker.id,
            Speaker.user_id,
            Speaker.question_id,
            Speaker.status,
            Speaker.seconds_allowed,
            Speaker.begin_time,
            Speaker.end_time,
            Speaker.pause_time,
            Speaker.total_pause_seconds,
            case((Speaker.status == "speaking", Speaker.summary)).label("summary"),
            User.name,
            Unit.id.label("unit_id"),
            Unit.name.label("unit_name"),
        )
        .join(User, User.id == Speaker.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(Speaker.session_id == session_id, Speaker.status.in_((*ACTIVE_STATUSES, "finished")))
        .order_by(Speaker.weight, Speaker.id)
    ).all()


def _attendance(dbs: OrmSession, session_id: int) -> dict[str, Any]:
    """Overall and by the unit above each invitee's cell (a commune's committee), so that a hall of 200 cells
    reads as a dozen lines and the snapshot stays small on every phone."""
    # Counted by the group's id first (whole numbers, one pass), then named: sorting two thousand names to
    # group them cost more than all the rest of the snapshot.
    cell = aliased(Unit)
    group_id = func.coalesce(cell.parent_id, Invitation.unit_id).label("group_id")
    counts = (
        select(
            group_id,
            func.count(Invitation.id).label("invited"),
            func.count(Invitation.checked_in_at).label("present"),
        )
        .outerjoin(cell, cell.id == Invitation.unit_id)
        .where(Invitation.session_id == session_id)
        .group_by(group_id)
        .subquery()
    )
    rows = dbs.execute(
        select(counts.c.group_id, Unit.name, counts.c.invited, counts.c.present)
        .outerjoin(Unit, Unit.id == counts.c.group_id)
        .order_by(Unit.name, counts.c.group_id)
    ).all()
    by_unit = [
        {"unit_id": unit_id, "name": name or "", "invited": int(invited), "present": int(present or 0)}
        for unit_id, name, invited, present in rows
    ]
    return {
        "invited": sum(u["invited"] for u in by_unit),
        "present": sum(u["present"] for u in by_unit),
        "by_unit": by_unit,
    }


def _question_rows(dbs: OrmSession, session_id: int):
    """The agenda (accepted and answered submissions in the organizer's order), and any question a speaking or
    waiting turn is on even if it is not (or no longer) on the agenda."""
    on_a_turn = select(Speaker.question_id).where(
        Speaker.session_id == session_id, Speaker.status.in_(ACTIVE_STATUSES), Speaker.question_id.is_not(None)
    )
    return dbs.execute(
        select(Question.id, Question.kind, Question.topic, Question.body, Question.status, Question.position)
        .where(Question.session_id == session_id)
        .where(or_(Question.status.in_(AGENDA_STATUSES), Question.id.in_(on_a_turn)))
        .order_by(Question.position.is_(None), Question.position, Question.id)
    ).all()


def build_state(dbs: OrmSession, session_id: int, at: datetime | None = None) -> LiveState | None:
    """The snapshot of API.md ("The live snapshot"), with extra fields for the pages; ``None`` if no session."""
    at = at or now()
    session = _session_row(dbs, session_id)
    if session is None:
        return None
    turns = _turn_rows(dbs, session_id)
    attendance = _attendance(dbs, session_id)
    question_rows = _question_rows(dbs, session_id)

    finished = [t for t in turns if t.status == "finished"]
    spoken: dict[int, int] = {}
    for t in finished:
        spoken[t.user_id] = spoken.get(t.user_id, 0) + 1
    time_used = sum(seconds_used(t, at) for t in finished)
    current = next((t for t in turns if t.status == "speaking"), None)
    waiting = [t for t in turns if t.status == "waiting"]
    questions = {q.id: q for q in question_rows}

    def topic_of(question_id: int | None) -> str | None:
        q = questions.get(question_id) if question_id else None
        return q.topic if q else None

    queue = [
        {
            "speaker_id": t.id,
            "user_id": t.user_id,
            "name": t.name,
            "unit": t.unit_name,
            "position": index + 1,
            "question_id": t.question_id,
            "question_topic": topic_of(t.question_id),
            "times_spoken": spoken.get(t.user_id, 0),
        }
        for index, t in enumerate(waiting)
    ]
    current_data = None
    current_question = None
    if current is not None:
        paused = current.pause_time is not None
        current_data = {
            "speaker_id": current.id,
            "user_id": current.user_id,
            "name": current.name,
            "unit": current.unit_name,
            "unit_id": current.unit_id,
            "question_id": current.question_id,
            "question_topic": topic_of(current.question_id),
            "started_at": isoformat(current.begin_time),
            "seconds_allowed": current.seconds_allowed,
            **clock_fields(current, at),
            "paused": paused,
            "paused_at": isoformat(current.pause_time),
            "running": not paused,
            "times_spoken": spoken.get(current.user_id, 0),
            "summary": current.summary,
        }
        q = questions.get(current.question_id) if current.question_id else None
        if q is not None:
            current_question = {
                "id": q.id,
                "kind": q.kind,
                "kind_label": label("question_kind", q.kind),
                "topic": q.topic,
                "body": q.body,
                "status": q.status,
            }
    agenda = [
        {
            "id": q.id,
            "kind": q.kind,
            "kind_label": label("question_kind", q.kind),
            "topic": q.topic,
            "status": q.status,
            "position": q.position,
        }
        for q in question_rows
        if q.status in AGENDA_STATUSES
    ]
    data = {
        "session_id": session.id,
        "title": session.title,
        "status": session.status,
        "status_label": label("session_status", session.status),
        "version": session.live_version,
        "server_time": isoformat(at),
        "turn_seconds": session.turn_seconds,
        "warning_seconds": WARNING_SECONDS,
        "queue_open": session.queue_open,
        "new_speakers_first": session.queue_new_speakers_first,
        "current": current_data,
        "current_question": current_question,
        "queue": queue,
        "next": queue[:3],
        "turns_done": len(finished),
        "time_used_seconds": time_used,
        "attendance": attendance,
        "agenda": agenda,
    }
    return LiveState(data=data, turn=current, projector_secret=session.projector_secret)


def build(dbs: OrmSession, session: DialogueSession, at: datetime | None = None) -> dict:
    """The snapshot of an existing session, as of ``at`` (now by default)."""
    state = build_state(dbs, session.id, at)
    assert state is not None
    return state.data
