"""Figures of one session or of every session in a period, in a fixed number of grouped queries (the count
does not grow with the number of sessions, invitees or commitments).

On-time rate: of the commitments that are due (completed, or open past their deadline), the share completed on
or before the deadline. Cancelled commitments are left out. ``overdue`` is derived, never stored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import and_, func, select

from ..accounts.models import User
from ..core.labels import label
from ..core.timeutil import format_date, to_local, today_local
from ..extensions import db
from ..followups.models import COMMITMENT_STATUSES, OPEN_STATUSES, Commitment
from ..live.models import Speaker
from ..questions.models import QUESTION_KINDS, Question
from ..questions.topics import group_counts
from ..responses.models import RESPONSE_KINDS, Response
from ..sessions.models import DialogueSession, Invitation
from ..units.models import Unit
from .record import _ancestor_map, attendance_group, format_duration, seconds_used

DONE = ("done", "verified")


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _completed_on(c) -> date | None:
    stamp = c.done_at or c.verified_at
    return to_local(stamp).date() if stamp is not None else None


def compute(session_filter) -> dict:
    """The figures for the sessions selected by ``session_filter`` (a WHERE clause on DialogueSession)."""
    today = today_local()
    ids = select(DialogueSession.id).where(session_filter).scalar_subquery()
    sessions = list(
        db.session.execute(
            select(
                DialogueSession.id,
                DialogueSession.title,
                DialogueSession.starts_at,
                DialogueSession.status,
                Unit.name.label("host_unit"),
            )
            .join(Unit, Unit.id == DialogueSession.host_unit_id)
            .where(session_filter)
            .order_by(DialogueSession.starts_at, DialogueSession.id)
        )
    )
    per: dict[int, Counter] = defaultdict(Counter)

    for sid, invited, present in db.session.execute(
        select(Invitation.session_id, func.count(), func.count(Invitation.checked_in_at))
        .where(Invitation.session_id.in_(ids))
        .group_by(Invitation.session_id)
    ):
        per[sid]["invited"] += invited
        per[sid]["present"] += present

    by_kind: Counter = Counter()
    by_topic: Counter = Counter()
    for sid, kind, topic, count in db.session.execute(
        select(Question.session_id, Question.kind, Question.topic, func.count())
        .where(Question.session_id.in_(ids), Question.status != "withdrawn")
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
        .where(Question.session_id.in_(ids), Question.status != "withdrawn")
        .group_by(Question.unit_id, Invitation.unit_id, User.unit_id)
    ):
        unit_id = next((u for u in (question_unit, invite_unit, author_unit) if u is not None), None)
        key = attendance_group(unit_id, units, set())
        by_unit[units[key][0] if key in units else "—"] += count

    turns_seconds = 0
    for row in db.session.execute(
        select(
            Speaker.session_id, Speaker.begin_time, Speaker.end_time, Speaker.pause_time, Speaker.total_pause_seconds
        ).where(Speaker.session_id.in_(ids), Speaker.status == "finished")
    ):
        used = seconds_used(row)
        turns_seconds += used
        per[row.session_id]["turns"] += 1
        per[row.session_id]["turn_seconds"] += used

    responses_by_kind: Counter = Counter()
    for sid, kind, count in db.session.execute(
        select(Response.session_id, Response.kind, func.count())
        .where(Response.session_id.in_(ids))
        .group_by(Response.session_id, Response.kind)
    ):
        per[sid]["responses"] += count
        responses_by_kind[kind] += count

    commitments_by_status: Counter = Counter()
    overdue = on_time = due = 0
    unit_rows: dict[int, Counter] = defaultdict(Counter)
    for c in db.session.execute(
        select(
            Commitment.session_id,
            Commitment.unit_id,
            Commitment.status,
            Commitment.due_date,
            Commitment.done_at,
            Commitment.verified_at,
        ).where(Commitment.session_id.in_(ids))
    ):
        commitments_by_status[c.status] += 1
        if c.status == "cancelled":
            continue
        u = unit_rows[c.unit_id]
        u["total"] += 1
        per[c.session_id]["commitments"] += 1
        late_open = c.status in OPEN_STATUSES and c.due_date < today
        if late_open:
            overdue += 1
            u["overdue"] += 1
            per[c.session_id]["overdue"] += 1
        if c.status in DONE:
            u["done"] += 1
            per[c.session_id]["done"] += 1
            completed = _completed_on(c)
            if completed is None or completed <= c.due_date:
                on_time += 1
                u["on_time"] += 1
        if c.status in DONE or late_open:
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
            "date": format_date(s.starts_at),
            "host_unit": s.host_unit,
            "status": s.status,
            "invited": per[s.id]["invited"],
            "present": per[s.id]["present"],
            "submissions": per[s.id]["submissions"],
            "turns": per[s.id]["turns"],
            "time_used": format_duration(per[s.id]["turn_seconds"]),
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


def period_stats(period) -> dict:
    return compute(and_(DialogueSession.starts_at >= period.start_utc, DialogueSession.starts_at < period.end_utc))


def tables(stats: dict, *, with_sessions: bool = True) -> list[dict]:
    """Every table of a statistics page, as (key, title, headers, rows): what the page, the exports and the
    period report show."""
    out = []
    if with_sessions:
        out.append(
            {
                "key": "sessions",
                "title": "Các buổi đối thoại",
                "headers": [
                    "Buổi đối thoại",
                    "Ngày",
                    "Đơn vị chủ trì",
                    "Được mời",
                    "Có mặt",
                    "Câu hỏi, ý kiến",
                    "Lượt phát biểu",
                    "Thời gian",
                    "Trả lời",
                    "Nhiệm vụ",
                    "Hoàn thành",
                    "Quá hạn",
                ],
                "rows": [
                    [
                        r["title"],
                        r["date"],
                        r["host_unit"],
                        r["invited"],
                        r["present"],
                        r["submissions"],
                        r["turns"],
                        r["time_used"],
                        r["responses"],
                        r["commitments"],
                        r["done"],
                        r["overdue"],
                    ]
                    for r in stats["sessions"]
                ],
            }
        )
    out += [
        {
            "key": "summary",
            "title": "Số liệu chung",
            "headers": ["Chỉ tiêu", "Số liệu"],
            "rows": [
                ["Số buổi đối thoại", stats["session_count"]],
                ["Được mời", stats["invited"]],
                ["Có mặt", stats["present"]],
                ["Vắng mặt", stats["absent"]],
                ["Tỷ lệ có mặt (%)", _fmt_rate(stats["attendance_rate"])],
                ["Câu hỏi, ý kiến, kiến nghị, đề xuất", stats["submissions"]],
                ["Lượt phát biểu", stats["turns_done"]],
                ["Thời gian phát biểu", stats["turns_time"]],
                ["Trả lời", stats["responses"]],
                ["Nhiệm vụ được giao", stats["commitments"]],
                ["Quá hạn", stats["overdue"]],
                ["Tỷ lệ hoàn thành đúng hạn (%)", _fmt_rate(stats["on_time_rate"])],
            ],
        },
        {
            "key": "submissions_by_kind",
            "title": "Câu hỏi, ý kiến theo loại",
            "headers": ["Loại", "Số lượng"],
            "rows": [[label("question_kind", k), v] for k, v in stats["submissions_by_kind"].items()],
        },
        {
            "key": "submissions_by_topic",
            "title": "Câu hỏi, ý kiến theo chủ đề",
            "headers": ["Chủ đề", "Số lượng"],
            "rows": [[k, v] for k, v in stats["submissions_by_topic"]],
        },
        {
            "key": "submissions_by_unit",
            "title": "Câu hỏi, ý kiến theo đơn vị",
            "headers": ["Đơn vị", "Số lượng"],
            "rows": [[k, v] for k, v in stats["submissions_by_unit"]],
        },
        {
            "key": "responses_by_kind",
            "title": "Trả lời theo hình thức",
            "headers": ["Hình thức", "Số lượng"],
            "rows": [[label("response_kind", k), v] for k, v in stats["responses_by_kind"].items()],
        },
        {
            "key": "commitments_by_status",
            "title": "Nhiệm vụ theo tình trạng",
            "headers": ["Tình trạng", "Số lượng"],
            "rows": [[label("commitment_status", k), v] for k, v in stats["commitments_by_status"].items()]
            + [["Quá hạn (đang mở, đã qua thời hạn)", stats["overdue"]]],
        },
        {
            "key": "unit_ranking",
            "title": "Xếp hạng đơn vị theo tỷ lệ hoàn thành đúng hạn",
            "headers": ["Hạng", "Đơn vị", "Nhiệm vụ", "Đã hoàn thành", "Đúng hạn", "Quá hạn", "Tỷ lệ đúng hạn (%)"],
            "rows": [
                [i, r["unit"], r["total"], r["done"], r["on_time"], r["overdue"], _fmt_rate(r["on_time_rate"])]
                for i, r in enumerate(stats["unit_ranking"], start=1)
            ],
        },
    ]
    return out


def _fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")
