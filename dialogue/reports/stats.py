"""Figures of one session or of every session in a period, in a fixed number of grouped queries (the count
does not grow with the number of sessions, invitees or commitments).

A period's figures are true as of the end of the period (or now, if it has not ended): only sessions held by
then count, and only what was submitted, said, answered and done by then; a commitment's state and deadline are
read back from its trail as they stood then. A period covers the issuing unit's subtree: sessions hosted by it or
by a unit beneath it.

On-time rate: of the commitments that are due (completed, or open past their deadline), the share completed on
or before the deadline. Cancelled commitments are left out. ``overdue`` is derived, never stored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select

from ..accounts.models import User
from ..core.timeutil import now, to_local, today_local
from ..extensions import db
from ..followups.models import COMMITMENT_STATUSES, OPEN_STATUSES, Commitment, CommitmentUpdate
from ..live.models import Speaker
from ..questions.models import QUESTION_KINDS, Question
from ..questions.topics import group_counts
from ..responses.models import RESPONSE_KINDS, Response
from ..sessions.models import DialogueSession, Invitation
from ..units.models import Unit
from .record import _ancestor_map, attendance_group, format_duration, seconds_used
from .stats_tables import tables  # noqa: F401  (the tables of these figures)

DONE = ("done", "verified")
HELD = ("live", "ended")


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _local_day(stamp: datetime | None) -> date | None:
    return to_local(stamp).date() if stamp is not None else None


def _present_clause():
    """An invitee was present if they checked in, spoke or answered in the hall."""
    spoke = exists().where(
        Speaker.session_id == Invitation.session_id,
        Speaker.user_id == Invitation.user_id,
        Speaker.begin_time.is_not(None),
    )
    answered = exists().where(
        Response.session_id == Invitation.session_id,
        Response.responder_id == Invitation.user_id,
        Response.kind != "written",
    )
    return or_(Invitation.checked_in_at.is_not(None), spoke, answered)


def _commitment_states(ids, as_of: datetime, live: bool) -> list[dict]:
    """Each commitment of the sessions as it stood at ``as_of``: status, deadline, day completed. Now: the
    columns. Earlier: its trail replayed (a commitment without a trail is read from its columns and dates)."""
    rows = list(
        db.session.execute(
            select(
                Commitment.id,
                Commitment.session_id,
                Commitment.unit_id,
                Commitment.status,
                Commitment.due_date,
                Commitment.original_due_date,
                Commitment.done_at,
                Commitment.verified_at,
            ).where(Commitment.session_id.in_(ids), Commitment.created_at < as_of)
        )
    )
    if live:
        return [
            {
                "session_id": c.session_id,
                "unit_id": c.unit_id,
                "status": c.status,
                "due": c.due_date,
                "completed": _local_day(c.done_at or c.verified_at),
            }
            for c in rows
        ]
    trail: dict[int, list] = defaultdict(list)
    for u in db.session.execute(
        select(
            CommitmentUpdate.commitment_id,
            CommitmentUpdate.kind,
            CommitmentUpdate.to_status,
            CommitmentUpdate.new_due_date,
            CommitmentUpdate.created_at,
        )
        .join(Commitment, Commitment.id == CommitmentUpdate.commitment_id)
        .where(Commitment.session_id.in_(ids), CommitmentUpdate.created_at < as_of)
        .where(or_(CommitmentUpdate.to_status.is_not(None), CommitmentUpdate.kind.in_(("created", "extended"))))
        .order_by(CommitmentUpdate.commitment_id, CommitmentUpdate.created_at, CommitmentUpdate.id)
    ):
        trail[u.commitment_id].append(u)
    states = []
    for c in rows:
        updates = trail.get(c.id)
        if updates and any(u.kind == "created" for u in updates):
            status, due, completed = "assigned", c.original_due_date, None
            for u in updates:
                if u.kind == "extended" and u.new_due_date is not None:
                    due = u.new_due_date
                if u.to_status:
                    if u.to_status in DONE and status not in DONE:
                        completed = _local_day(u.created_at)
                    elif u.to_status not in DONE:
                        completed = None
                    status = u.to_status
        else:
            done_at = c.done_at if c.done_at is not None and c.done_at < as_of else None
            verified = c.verified_at is not None and c.verified_at < as_of
            if c.status == "cancelled":
                status = "cancelled"
            elif c.status in DONE and done_at is not None:
                status = "verified" if c.status == "verified" and verified else "done"
            else:
                status = c.status if c.status in OPEN_STATUSES else "assigned"
            due, completed = c.due_date, _local_day(done_at) if status in DONE else None
        states.append(
            {"session_id": c.session_id, "unit_id": c.unit_id, "status": status, "due": due, "completed": completed}
        )
    return states


def compute(session_filter, as_of: datetime | None = None, *, held_only: bool = False) -> dict:
    """The figures for the sessions selected by ``session_filter`` (a WHERE clause on DialogueSession), as they
    stood at ``as_of`` (default now); ``held_only`` leaves out sessions not held by then."""
    current = now()
    as_of = min(as_of or current, current)
    live = as_of >= current
    as_of_day = to_local(as_of).date() if not live else today_local()
    if held_only:
        session_filter = and_(
            session_filter,
            DialogueSession.status.in_(HELD),
            func.coalesce(DialogueSession.opened_at, DialogueSession.starts_at) < as_of,
        )
    ids = select(DialogueSession.id).where(session_filter).scalar_subquery()
    sessions = list(
        db.session.execute(
            select(
                DialogueSession.id,
                DialogueSession.title,
                DialogueSession.starts_at,
                DialogueSession.opened_at,
                DialogueSession.status,
                Unit.name.label("host_unit"),
            )
            .join(Unit, Unit.id == DialogueSession.host_unit_id)
            .where(session_filter)
            .order_by(DialogueSession.starts_at, DialogueSession.id)
        )
    )
    per: dict[int, Counter] = defaultdict(Counter)

    present_case = func.count(case((_present_clause(), 1)))
    for sid, invited, present in db.session.execute(
        select(Invitation.session_id, func.count(), present_case)
        .where(Invitation.session_id.in_(ids))
        .group_by(Invitation.session_id)
    ):
        per[sid]["invited"] += invited
        per[sid]["present"] += present

    by_kind: Counter = Counter()
    by_topic: Counter = Counter()
    submitted = and_(Question.session_id.in_(ids), Question.status != "withdrawn", Question.created_at < as_of)
    for sid, kind, topic, count in db.session.execute(
        select(Question.session_id, Question.kind, Question.topic, func.count())
        .where(submitted)
        .group_by(Question.session_id, Question.kind, Question.topic)
    ):
        per[sid]["submissions"] += count
        by_kind[kind] += count
        by_topic[topic or ""] += count  # spellings; grouped without regard to accents below

    units = _ancestor_map()
    by_unit: Counter = Counter()
    for question_unit, invite_unit, author_unit, count in db.session.execute(
        select(Question.unit_id, Invitation.unit_id, User.unit_id, func.count())
        .select_from(Question)
        .join(User, User.id == Question.author_id)
        .outerjoin(
            Invitation, and_(Invitation.session_id == Question.session_id, Invitation.user_id == Question.author_id)
        )
        .where(submitted)
        .group_by(Question.unit_id, Invitation.unit_id, User.unit_id)
    ):
        unit_id = next((u for u in (question_unit, invite_unit, author_unit) if u is not None), None)
        key = attendance_group(unit_id, units, set())
        by_unit[units[key][0] if key in units else "—"] += count

    turns_seconds = 0
    for row in db.session.execute(
        select(
            Speaker.session_id, Speaker.begin_time, Speaker.end_time, Speaker.pause_time, Speaker.total_pause_seconds
        ).where(Speaker.session_id.in_(ids), Speaker.status == "finished", Speaker.end_time < as_of)
    ):
        used = seconds_used(row)
        turns_seconds += used
        per[row.session_id]["turns"] += 1
        per[row.session_id]["turn_seconds"] += used

    responses_by_kind: Counter = Counter()
    for sid, kind, count in db.session.execute(
        select(Response.session_id, Response.kind, func.count())
        .where(Response.session_id.in_(ids), Response.created_at < as_of)
        .group_by(Response.session_id, Response.kind)
    ):
        per[sid]["responses"] += count
        responses_by_kind[kind] += count

    commitments_by_status: Counter = Counter()
    overdue = on_time = due = 0
    unit_rows: dict[int, Counter] = defaultdict(Counter)
    for c in _commitment_states(ids, as_of, live):
        commitments_by_status[c["status"]] += 1
        if c["status"] == "cancelled":
            continue
        u = unit_rows[c["unit_id"]]
        u["total"] += 1
        per[c["session_id"]]["commitments"] += 1
        late_open = c["status"] in OPEN_STATUSES and c["due"] < as_of_day
        if late_open:
            overdue += 1
            u["overdue"] += 1
            per[c["session_id"]]["overdue"] += 1
        if c["status"] in DONE:
            u["done"] += 1
            per[c["session_id"]]["done"] += 1
            if c["completed"] is None or c["completed"] <= c["due"]:
                on_time += 1
                u["on_time"] += 1
        if c["status"] in DONE or late_open:
            due += 1
            u["due"] += 1

    unit_ranking = sorted(
        (
            {
                "unit_id": unit_id,
                "unit": units.get(unit_id, ("—", None))[0],
                "total": u["total"],
                "done": u["done"],
                "on_time": u["on_time"],
                "overdue": u["overdue"],
                "due": u["due"],
                "on_time_rate": _rate(u["on_time"], u["due"]),
            }
            for unit_id, u in unit_rows.items()
        ),
        key=lambda r: (r["on_time_rate"] is None, -(r["on_time_rate"] or 0), -r["on_time"], r["unit"]),
    )
    session_rows = [
        {
            "id": s.id,
            "title": s.title,
            "date": to_local(s.opened_at or s.starts_at).date(),  # the day it was held
            "host_unit": s.host_unit,
            "status": s.status,
            "invited": per[s.id]["invited"],
            "present": per[s.id]["present"],
            "submissions": per[s.id]["submissions"],
            "turns": per[s.id]["turns"],
            "turn_seconds": per[s.id]["turn_seconds"],
            "responses": per[s.id]["responses"],
            "commitments": per[s.id]["commitments"],
            "done": per[s.id]["done"],
            "overdue": per[s.id]["overdue"],
        }
        for s in sessions
    ]
    invited = sum(r["invited"] for r in session_rows)
    present = sum(r["present"] for r in session_rows)
    return {
        "as_of": as_of,
        "as_of_day": as_of_day,
        # The last day the figures cover: the period's last day once it has ended, else today.
        "as_of_shown": today_local() if live else to_local(as_of - timedelta(microseconds=1)).date(),
        "sessions": session_rows,
        "session_count": len(session_rows),
        "invited": invited,
        "present": present,
        "absent": invited - present,
        "attendance_rate": _rate(present, invited),
        "submissions": sum(by_kind.values()),
        "submissions_by_kind": {k: by_kind.get(k, 0) for k in QUESTION_KINDS},
        "submissions_by_topic": group_counts(by_topic.items()),
        "submissions_by_unit": sorted(by_unit.items(), key=lambda kv: (-kv[1], kv[0])),
        "turns_done": sum(r["turns"] for r in session_rows),
        "turns_seconds": turns_seconds,
        "turns_time": format_duration(turns_seconds),
        "responses_by_kind": {k: responses_by_kind.get(k, 0) for k in RESPONSE_KINDS},
        "responses": sum(responses_by_kind.values()),
        "commitments_by_status": {k: commitments_by_status.get(k, 0) for k in COMMITMENT_STATUSES},
        "commitments": sum(commitments_by_status.values()),
        "overdue": overdue,
        "on_time": on_time,
        "due": due,
        "on_time_rate": _rate(on_time, due),
        "unit_ranking": unit_ranking,
    }


def session_stats(session: DialogueSession) -> dict:
    return compute(DialogueSession.id == session.id)


def subtree_filter(unit_id: int | None):
    """Sessions hosted by the issuing unit or by a unit beneath it (every session when no unit is given)."""
    if unit_id is None:
        return DialogueSession.id.is_not(None)
    from ..units.services import descendant_ids

    return DialogueSession.host_unit_id.in_(sorted(descendant_ids([unit_id])))


def period_stats(period, unit_id: int | None = None) -> dict:
    """A period's figures for the issuing unit's subtree: the sessions held in the period (by the day they were
    held), as of the end of the period (or now)."""
    held_at = func.coalesce(DialogueSession.opened_at, DialogueSession.starts_at)
    in_period = and_(held_at >= period.start_utc, held_at < period.end_utc, subtree_filter(unit_id))
    return compute(in_period, period.end_utc, held_only=True)
