"""The live snapshot: everything a screen needs to draw the live session, in a bounded number of queries.

The clock is never ticked on the server: a turn stores its begin, end and pause times and ``seconds_left`` is
derived from them at the moment the snapshot is built. Screens tick locally from ``seconds_left`` (negative once
the time is up: the overrun) and ``running``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
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


def seconds_left(speaker: Speaker, at: datetime) -> int:
    """Negative once the time is up (the overrun)."""
    return speaker.seconds_allowed - seconds_used(speaker, at)


def _person(user: User | None) -> tuple[str, str | None, int | None]:
    if user is None:
        return "", None, None
    unit = user.unit
    return user.name, unit.name if unit else None, unit.id if unit else None


def build(dbs: OrmSession, session: DialogueSession, at: datetime | None = None) -> dict:
    """The snapshot of API.md ("The live snapshot"), with extra fields for the pages."""
    at = at or now()
    sid = session.id
    # 1. Turns of the session that are speaking or waiting, with the person and their unit (joined eagerly).
    active = list(
        dbs.scalars(
            select(Speaker)
            .where(Speaker.session_id == sid, Speaker.status.in_(("speaking", "waiting")))
            .order_by(Speaker.weight, Speaker.id)
        ).unique()
    )
    current = next((s for s in active if s.status == "speaking"), None)
    waiting = [s for s in active if s.status == "waiting"]
    # 2. Times each person has spoken, and turns done / time used.
    finished_rows = dbs.execute(
        select(Speaker.user_id, func.count(Speaker.id))
        .where(Speaker.session_id == sid, Speaker.status == "finished")
        .group_by(Speaker.user_id)
    ).all()
    spoken = {user_id: n for user_id, n in finished_rows}
    turns_done = sum(spoken.values())
    finished_times = dbs.execute(
        select(Speaker.begin_time, Speaker.end_time, Speaker.total_pause_seconds).where(
            Speaker.session_id == sid, Speaker.status == "finished", Speaker.begin_time.is_not(None)
        )
    ).all()
    time_used = sum(max(0, int((e - b).total_seconds()) - (p or 0)) for b, e, p in finished_times if b and e)
    # 3. Attendance, overall and by unit: the unit above each invitee's cell (a commune's committee), so that a
    #    hall of 200 cells reads as a dozen lines and the snapshot stays small on every phone.
    parent = aliased(Unit)
    group_id = func.coalesce(parent.id, Unit.id)
    group_name = func.coalesce(parent.name, Unit.name)
    by_unit_rows = dbs.execute(
        select(
            group_id,
            group_name,
            func.count(Invitation.id),
            func.sum(case((Invitation.checked_in_at.is_not(None), 1), else_=0)),
        )
        .outerjoin(Unit, Unit.id == Invitation.unit_id)
        .outerjoin(parent, parent.id == Unit.parent_id)
        .where(Invitation.session_id == sid)
        .group_by(group_id, group_name)
        .order_by(group_name)
    ).all()
    by_unit = [
        {"unit_id": unit_id, "name": name or "", "invited": int(invited), "present": int(present or 0)}
        for unit_id, name, invited, present in by_unit_rows
    ]
    attendance = {
        "invited": sum(u["invited"] for u in by_unit),
        "present": sum(u["present"] for u in by_unit),
        "by_unit": by_unit,
    }
    # 4. The agenda: accepted (and answered) submissions in the organizer's order.
    agenda_rows = list(
        dbs.scalars(
            select(Question)
            .where(Question.session_id == sid, Question.status.in_(AGENDA_STATUSES))
            .order_by(Question.position.is_(None), Question.position, Question.id)
        ).unique()
    )
    questions = {q.id: q for q in agenda_rows}
    wanted = {s.question_id for s in active if s.question_id and s.question_id not in questions}
    if wanted:  # a turn on a question not (or no longer) on the agenda
        for q in dbs.scalars(select(Question).where(Question.id.in_(wanted))).unique():
            questions[q.id] = q

    def question_brief(qid: int | None) -> dict | None:
        q = questions.get(qid) if qid else None
        if q is None:
            return None
        return {
            "id": q.id,
            "kind": q.kind,
            "kind_label": label("question_kind", q.kind),
            "topic": q.topic,
            "body": q.body,
            "status": q.status,
        }

    def waiting_item(index: int, s: Speaker) -> dict:
        name, unit, _unit_id = _person(s.user)
        q = questions.get(s.question_id) if s.question_id else None
        return {
            "speaker_id": s.id,
            "user_id": s.user_id,
            "name": name,
            "unit": unit,
            "position": index + 1,
            "question_id": s.question_id,
            "question_topic": q.topic if q else None,
            "times_spoken": spoken.get(s.user_id, 0),
        }

    current_data = None
    if current is not None:
        name, unit, unit_id = _person(current.user)
        left = seconds_left(current, at)
        paused = current.pause_time is not None
        q = questions.get(current.question_id) if current.question_id else None
        current_data = {
            "speaker_id": current.id,
            "user_id": current.user_id,
            "name": name,
            "unit": unit,
            "unit_id": unit_id,
            "question_id": current.question_id,
            "question_topic": q.topic if q else None,
            "started_at": isoformat(current.begin_time),
            "seconds_allowed": current.seconds_allowed,
            "seconds_left": left,
            "seconds_used": seconds_used(current, at),
            "overrun_seconds": max(0, -left),
            "warning": 0 < left <= WARNING_SECONDS,
            "paused": paused,
            "paused_at": isoformat(current.pause_time),
            "running": not paused,
            "times_spoken": spoken.get(current.user_id, 0),
            "summary": current.summary,
        }
    queue = [waiting_item(i, s) for i, s in enumerate(waiting)]
    agenda = [
        {
            "id": q.id,
            "kind": q.kind,
            "kind_label": label("question_kind", q.kind),
            "topic": q.topic,
            "status": q.status,
            "position": q.position,
        }
        for q in agenda_rows
    ]
    return {
        "session_id": sid,
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
        "current_question": question_brief(current.question_id) if current else None,
        "queue": queue,
        "next": queue[:3],
        "turns_done": turns_done,
        "time_used_seconds": time_used,
        "attendance": attendance,
        "agenda": agenda,
    }
