"""The record of a session as one plain, JSON-safe dict: what the minutes and the conclusion notice are made of.

``session_record(session)`` reads everything in a fixed number of queries (whatever the number of invitees,
turns, responses or commitments), in Vietnamese whatever the reader's language (a document is Vietnamese).
Presence follows what happened: an invitee who checked in, spoke or answered was there. Times are the actual ones
(the live opening and closing), not the schedule.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload, noload, selectinload

from ..accounts.models import User
from ..core.labels import label
from ..core.timeutil import format_date, isoformat, now, to_local, today_local
from ..extensions import db
from ..followups.models import Commitment
from ..followups.queries import is_overdue
from ..live.models import Speaker
from ..live.models import seconds_used as turn_seconds_used
from ..questions.models import Question
from ..responses.models import Response
from ..sessions.models import DialogueSession, Invitation
from ..units.models import Unit
from .issuer import place_from_unit_name

__all__ = ["place_from_unit_name", "session_record", "vietnamese_date_line"]


def vietnamese_date_line(place: str, day: date) -> str:
    """ "Châu Thành, ngày 07 tháng 02 năm 2026": a zero before days below 10 and before months 1 and 2 (so that
    nothing can be written in front of them), as the Party's documents write it."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def clock_words(value: datetime | None) -> str:
    """ "14 giờ 02 phút" (local time)."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{local.hour} giờ {local.minute:02d} phút"


def seconds_used(speaker: Speaker, at: datetime | None = None) -> int:
    """A turn's time used, by the live clock's rule."""
    return turn_seconds_used(speaker, at or now())


def format_duration(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} giờ {minutes:02d} phút"
    return f"{minutes} phút {secs:02d} giây"


def _ancestor_map() -> dict[int, tuple[str, int | None]]:
    """Every unit's name and parent in one query (the tree is hundreds of rows, not millions)."""
    return {row.id: (row.name, row.parent_id) for row in db.session.execute(select(Unit.id, Unit.name, Unit.parent_id))}


def attendance_group(unit_id: int | None, units: dict[int, tuple[str, int | None]], chosen: set[int]) -> int | None:
    """The unit an invitee is counted under: the nearest of the units the organizer invited, else the cell's
    parent (the grassroots committee), else the cell itself."""
    if unit_id is None:
        return None
    current: int | None = unit_id
    seen = 0
    while current is not None and seen < 20:
        if current in chosen:
            return current
        current = units.get(current, ("", None))[1]
        seen += 1
    parent = units.get(unit_id, ("", None))[1]
    return parent if parent is not None else unit_id


def _unit_with_parent(unit_id: int | None, units: dict[int, tuple[str, int | None]], host_unit_id: int) -> str:
    """ "Chi bộ ấp Hòa An, Đảng ủy xã Bình An": a cell is known by its committee too (the host is left out)."""
    if unit_id is None or unit_id not in units:
        return ""
    name, parent = units[unit_id]
    if parent is not None and parent != host_unit_id and parent in units:
        return f"{name}, {units[parent][0]}"
    return name


def _person(user: User | None) -> dict:
    if user is None:
        return {"id": None, "name": "", "position": "", "unit": ""}
    return {
        "id": user.id,
        "name": user.name,
        "position": user.position or "",
        "unit": user.unit.name if user.unit is not None else "",
    }


def _question(q: Question | None) -> dict | None:
    if q is None:
        return None
    return {
        "id": q.id,
        "kind": q.kind,
        "kind_label": label("question_kind", q.kind),
        "topic": q.topic,
        "body": q.body,
        "author": q.author.name if q.author is not None else "",
    }


def _response(r: Response) -> dict:
    return {
        "id": r.id,
        "kind": r.kind,
        "kind_label": label("response_kind", r.kind),
        "responder": _person(r.responder),
        "text": r.text,
        "referred_to": r.referred_to or "",
        "speaker_id": r.speaker_id,
        "questions": [
            {
                "id": q.id,
                "topic": q.topic,
                "kind_label": label("question_kind", q.kind),
                "body": q.body,
                "author": q.author.name if q.author is not None else "",
            }
            for q in r.questions
        ],
        "at": isoformat(r.created_at),
        "date": format_date(r.created_at),
    }


def _commitment(c: Commitment, today: date) -> dict:
    return {
        "id": c.id,
        "description": c.description,
        "unit_id": c.unit_id,
        "unit": c.unit.name if c.unit is not None else "",
        "assignee": c.assignee.name if c.assignee is not None else "",
        "due_date": c.due_date.isoformat(),
        "due": format_date(c.due_date),
        "status": c.status,
        "status_label": label("commitment_status", c.status),
        "overdue": is_overdue(c, today),
        "response_id": c.response_id,
        "speaker_id": c.speaker_id,
        "question_id": c.question_id,
    }


def _absentee(inv: Invitation, units: dict, unit_id: int | None) -> dict:
    cell = units.get(unit_id, ("", None))[0] if unit_id else ""
    return {"invitation_id": inv.id, "name": inv.user.name, "cell": cell, "rsvp": inv.rsvp}


def _attendance(session: DialogueSession, invitations: list[Invitation], came: set[int], units: dict) -> dict:
    chosen = {iu.unit_id for iu in session.invited_units}
    groups: dict[int | None, dict] = {}
    present = 0
    for inv in invitations:
        unit_id = inv.unit_id if inv.unit_id is not None else inv.user.unit_id
        key = attendance_group(unit_id, units, chosen)
        group = groups.setdefault(
            key,
            {
                "unit_id": key,
                "unit": units[key][0] if key in units else "",
                "invited": 0,
                "present": 0,
                "absent": 0,
                "absentees": [],
            },
        )
        group["invited"] += 1
        if inv.checked_in_at is not None or inv.user_id in came:
            group["present"] += 1
            present += 1
        else:
            group["absent"] += 1
            group["absentees"].append(_absentee(inv, units, unit_id))
    by_unit = sorted(groups.values(), key=lambda g: g["unit"])
    for group in by_unit:
        group["absentees"].sort(key=lambda a: (a["name"], a["invitation_id"]))
    return {
        "invited": len(invitations),
        "present": present,
        "absent": len(invitations) - present,
        "by_unit": by_unit,
    }


def _times(session: DialogueSession) -> dict:
    """The actual opening and closing (the live clock), else the schedule."""
    opened = session.opened_at or session.starts_at
    closed = session.closed_at or session.ends_at
    if closed < opened:
        closed = opened
    start_day, end_day = to_local(opened).date(), to_local(closed).date()
    return {
        "start_date": format_date(opened),
        "start_time": clock_words(opened),
        "end_date": format_date(closed),
        "end_time": clock_words(closed),
        "same_day": start_day == end_day,
        "local_date": start_day.isoformat(),
        "actual": session.opened_at is not None,
    }


def session_record(session: DialogueSession) -> dict:
    """Everything the documents need about ``session``, read in a bounded number of queries."""
    with force_locale("vi"):
        return _session_record(session)


def _session_record(session: DialogueSession) -> dict:
    at = now()
    today = today_local()
    units = _ancestor_map()

    invitations = list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.session_id == session.id)
            .options(joinedload(Invitation.user).noload(User.roles), noload(Invitation.session))
        ).unique()
    )
    speakers = list(
        db.session.scalars(
            select(Speaker)
            .where(Speaker.session_id == session.id, Speaker.status.in_(("finished", "speaking")))
            .order_by(Speaker.begin_time, Speaker.id)
            .options(joinedload(Speaker.user).noload(User.roles))
        ).unique()
    )
    question_ids = {s.question_id for s in speakers if s.question_id}
    questions = (
        {
            q.id: q
            for q in db.session.scalars(
                select(Question)
                .where(Question.id.in_(question_ids))
                .options(joinedload(Question.author).noload(User.roles))
            ).unique()
        }
        if question_ids
        else {}
    )
    responses = list(
        db.session.scalars(
            select(Response)
            .where(Response.session_id == session.id)
            .order_by(Response.created_at, Response.id)
            .options(joinedload(Response.responder).noload(User.roles), selectinload(Response.questions))
        ).unique()
    )
    commitments = list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.session_id == session.id, Commitment.status != "cancelled")
            .options(selectinload(Commitment.assignee).noload(User.roles))
            .order_by(Commitment.due_date, Commitment.id)
        ).unique()
    )

    # Whoever spoke or answered was in the hall, checked in or not.
    came = {s.user_id for s in speakers if s.begin_time is not None}
    came |= {r.responder_id for r in responses if r.responder_id is not None and r.kind != "written"}
    attendance = _attendance(session, invitations, came, units)

    responses_by_speaker: dict[int, list[dict]] = defaultdict(list)
    general_responses: list[dict] = []
    written_responses: list[dict] = []
    for r in responses:
        item = _response(r)
        if r.kind == "written":
            written_responses.append(item)
        elif r.speaker_id is not None:
            responses_by_speaker[r.speaker_id].append(item)
        else:
            general_responses.append(item)

    turns = []
    total_seconds = 0
    for number, s in enumerate(speakers, start=1):
        used = seconds_used(s, at)
        total_seconds += used
        unit_name = _unit_with_parent(s.user.unit_id if s.user is not None else None, units, session.host_unit_id)
        turns.append(
            {
                "speaker_id": s.id,
                "number": number,
                "name": s.user.name if s.user is not None else "",
                "position": (s.user.position or "") if s.user is not None else "",
                "unit": unit_name,
                "status": s.status,
                "question": _question(questions.get(s.question_id)) if s.question_id else None,
                "began": clock_words(s.begin_time),
                "seconds_allowed": s.seconds_allowed,
                "seconds_used": used,
                "time_used": format_duration(used),
                "summary": s.summary or "",
                "responses": responses_by_speaker.get(s.id, []),
            }
        )

    commitment_items = [_commitment(c, today) for c in commitments]
    committed_responses = {c.response_id for c in commitments if c.response_id is not None}
    # The hosts chair; anyone else who answered in the hall without being invited attended as an official.
    invited_ids = {inv.user_id for inv in invitations}
    chairs = [_person(h.user) for h in sorted(session.hosts, key=lambda h: h.user.name)]
    official_ids = {c["id"] for c in chairs}
    officials = list(chairs)
    for r in responses:
        if r.kind == "written" or r.responder is None:
            continue
        if r.responder_id not in official_ids and r.responder_id not in invited_ids:
            official_ids.add(r.responder_id)
            officials.append(_person(r.responder))

    host_unit = session.host_unit
    return {
        "session": {
            "id": session.id,
            "title": session.title,
            "topic": session.topic,
            "term": session.term or "",
            "venue": session.venue,
            "status": session.status,
            "starts_at": isoformat(session.starts_at),
            "ends_at": isoformat(session.ends_at),
            "scheduled_date": format_date(session.starts_at),
            **_times(session),
            "host_unit_id": session.host_unit_id,
            "host_unit": host_unit.name if host_unit is not None else "",
        },
        "chairs": chairs,
        "officials": officials,
        "attendance": attendance,
        "turns": turns,
        "turns_total_seconds": total_seconds,
        "turns_total_time": format_duration(total_seconds),
        "general_responses": general_responses,
        "written_responses": written_responses,
        "commitments": commitment_items,
        "uncommitted_responses": [
            _response(r)
            for r in responses
            if r.kind in ("taken_on_board", "answered", "referred") and r.id not in committed_responses
        ],
        "generated_at": isoformat(at),
    }
