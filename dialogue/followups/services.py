"""Commitments: what was promised in the hall, who carries it out, by when, and the trail to completion.

States: ``assigned → in_progress → done → verified``; the secretariat may reopen (back to ``in_progress``) or
cancel with a reason. ``overdue`` is derived (an open state and a due date before today in Vietnam), never stored.
Every function here checks who acts and whether the move fits, writes a ``CommitmentUpdate`` line and an audit
entry, commits, and sends notices and e-mails only after the commit.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User, UserRole
from ..audit.services import record, snapshot
from ..core.access import STAFF
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.inputs import file_name
from ..core.text import like_pattern, nfc, search_blob
from ..core.timeutil import now, today_local
from ..extensions import db
from ..notifications.services import notify, send_mail_after_commit
from ..questions.models import Question
from ..responses.models import Response, response_questions
from ..sessions.models import DialogueSession
from ..units.models import Unit
from .models import COMMITMENT_STATUSES, OPEN_STATUSES, PRIORITIES, Commitment, CommitmentUpdate

CREATORS: tuple[str, ...] = ("organizer", "host", "secretariat")
AUDIT_FIELDS = (
    "status",
    "progress",
    "due_date",
    "original_due_date",
    "unit_id",
    "assignee_id",
    "priority",
    "cancel_reason",
    "result_report",
    "verified_at",
)
MAX_TEXT = 5000
ATTACHMENT_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".odt", ".ods", ".txt"}


# Reading ----------------------------------------------------------------------------------------------------


def is_overdue(commitment: Commitment, today: date | None = None) -> bool:
    """Still open and its due date has passed (today in Asia/Ho_Chi_Minh)."""
    today = today or today_local()
    return commitment.status in OPEN_STATUSES and commitment.due_date is not None and commitment.due_date < today


def overdue_clause(today: date | None = None):
    """The SQL form of ``is_overdue``."""
    today = today or today_local()
    return and_(Commitment.status.in_(OPEN_STATUSES), Commitment.due_date < today)


def is_staff(user: User) -> bool:
    return bool(user.role_names & set(STAFF))


def is_responsible(user: User, commitment: Commitment) -> bool:
    """The responsible unit's account, or the person named on the commitment."""
    if commitment.assignee_id is not None and commitment.assignee_id == user.id:
        return True
    return user.has_role("unit") and user.unit_id is not None and user.unit_id == commitment.unit_id


def _own_questions(user: User):
    return select(Question.id).where(Question.author_id == user.id)


def visibility_clause(user: User):
    """Which commitments ``user`` may see: staff all; a unit its own; a named person theirs; an author those
    arising from their questions."""
    if is_staff(user):
        return None
    conditions = [Commitment.assignee_id == user.id]
    if user.has_role("unit") and user.unit_id is not None:
        conditions.append(Commitment.unit_id == user.unit_id)
    own = _own_questions(user)
    conditions.append(Commitment.question_id.in_(own))
    conditions.append(
        Commitment.response_id.in_(
            select(response_questions.c.response_id).where(response_questions.c.question_id.in_(own))
        )
    )
    return or_(*conditions)


def can_see(user: User, commitment: Commitment) -> bool:
    if is_staff(user) or is_responsible(user, commitment):
        return True
    return bool(
        db.session.scalar(
            select(func.count(Commitment.id)).where(Commitment.id == commitment.id, visibility_clause(user))
        )
    )


def get_commitment(user: User, commitment_id: int) -> Commitment:
    commitment = db.session.get(
        Commitment,
        commitment_id,
        options=[
            joinedload(Commitment.assignee),
            joinedload(Commitment.session),
            joinedload(Commitment.question),
            joinedload(Commitment.created_by),
            joinedload(Commitment.verified_by),
        ],
    )
    if commitment is None:
        raise NotFound(_("Không tìm thấy nhiệm vụ."))
    if not can_see(user, commitment):
        raise Forbidden(_("Bạn không có quyền xem nhiệm vụ này: nhiệm vụ thuộc đơn vị khác."))
    return commitment


@dataclass
class Filters:
    status: str | None = None
    unit_id: int | None = None
    session_id: int | None = None
    question_id: int | None = None
    overdue: bool | None = None
    due_before: date | None = None
    q: str | None = None

    @property
    def args(self) -> dict[str, Any]:
        """The filters as URL arguments (for links, the pager and the export)."""
        out: dict[str, Any] = {}
        for name in ("status", "unit_id", "session_id", "question_id", "q"):
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = value
        if self.overdue:
            out["overdue"] = 1
        if self.due_before:
            out["due_before"] = self.due_before.isoformat()
        return out


def filter_conditions(user: User, filters: Filters, today: date | None = None) -> list:
    today = today or today_local()
    visible = visibility_clause(user)
    conditions = [] if visible is None else [visible]
    if filters.status:
        conditions.append(Commitment.status == filters.status)
    if filters.unit_id:
        conditions.append(Commitment.unit_id == filters.unit_id)
    if filters.session_id:
        conditions.append(Commitment.session_id == filters.session_id)
    if filters.question_id:
        conditions.append(Commitment.question_id == filters.question_id)
    if filters.overdue is True:
        conditions.append(overdue_clause(today))
    elif filters.overdue is False:
        conditions.append(~overdue_clause(today))
    if filters.due_before:
        conditions.append(Commitment.due_date < filters.due_before)
    if filters.q:
        conditions.append(Commitment.search_text.like(like_pattern(filters.q), escape="\\"))
    return conditions


def open_first_order():
    """Open work first (so the overdue, whose due dates are the earliest, lead), soonest due first."""
    return (case((Commitment.status.in_(OPEN_STATUSES), 0), else_=1), Commitment.due_date, Commitment.id)


def list_statement(user: User, filters: Filters, *, order: str = "open_first"):
    stmt = (
        select(Commitment)
        .where(*filter_conditions(user, filters))
        .options(joinedload(Commitment.unit), joinedload(Commitment.session).lazyload("*"))
    )
    if order == "due":
        return stmt.order_by(Commitment.due_date, Commitment.id)
    if order == "recent":
        return stmt.order_by(Commitment.id.desc())
    return stmt.order_by(*open_first_order())


@dataclass
class Buckets:
    """Counts of one group (a unit, a session, or everything)."""

    total: int = 0
    assigned: int = 0
    in_progress: int = 0
    done: int = 0
    verified: int = 0
    cancelled: int = 0
    overdue: int = 0

    @property
    def open(self) -> int:
        return self.assigned + self.in_progress

    @property
    def open_on_time(self) -> int:
        return self.open - self.overdue

    @property
    def finished(self) -> int:
        return self.done + self.verified

    def by_status(self) -> list[tuple[str, int]]:
        """The states with at least one commitment, in the order of the workflow."""
        return [(status, getattr(self, status)) for status in COMMITMENT_STATUSES if getattr(self, status)]

    def add(self, other: Buckets) -> None:
        for name in ("total", "assigned", "in_progress", "done", "verified", "cancelled", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _bucket_columns(today: date):
    overdue = overdue_clause(today)
    columns = [func.count(Commitment.id).label("total")]
    for status in COMMITMENT_STATUSES:
        columns.append(func.sum(case((Commitment.status == status, 1), else_=0)).label(status))
    columns.append(func.sum(case((overdue, 1), else_=0)).label("overdue"))
    return columns


def _bucket(row) -> Buckets:
    return Buckets(
        total=row.total or 0,
        assigned=row.assigned or 0,
        in_progress=row.in_progress or 0,
        done=row.done or 0,
        verified=row.verified or 0,
        cancelled=row.cancelled or 0,
        overdue=row.overdue or 0,
    )


@dataclass
class GroupRow:
    id: int | None
    name: str
    counts: Buckets
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Dashboard:
    totals: Buckets
    by_unit: list[GroupRow]
    by_session: list[GroupRow]
    sessions_complete: bool = True


def _grouped(key, conditions, today: date, *, only_overdue: bool = False) -> dict:
    """Counts per ``key`` and state, and overdue per ``key``: two cheap GROUP BY queries that the covering indexes
    (key, status, due_date) answer without touching the table."""
    counts: dict = {}
    for group, status, number in db.session.execute(
        select(key, Commitment.status, func.count()).where(*conditions).group_by(key, Commitment.status)
    ):
        bucket = counts.setdefault(group, Buckets())
        setattr(bucket, status, number)
        bucket.total += number
    # Repeating the overdue condition when the filter already holds it makes SQLite choose a slower plan.
    overdue_conditions = conditions if only_overdue else [*conditions, overdue_clause(today)]
    for group, number in db.session.execute(select(key, func.count()).where(*overdue_conditions).group_by(key)):
        counts.setdefault(group, Buckets()).overdue = number
    return counts


def _grouped_both(conditions, today: date) -> tuple[dict, dict]:
    """PostgreSQL: the counts by unit and by session, overdue included, in one pass (GROUPING SETS, FILTER)."""
    late = func.count().filter(Commitment.due_date < today)
    rows = db.session.execute(
        select(
            func.grouping(Commitment.unit_id).label("by_session"),
            Commitment.unit_id,
            Commitment.session_id,
            Commitment.status,
            func.count().label("n"),
            late.label("late"),
        )
        .where(*conditions)
        .group_by(
            func.grouping_sets(
                tuple_(Commitment.unit_id, Commitment.status), tuple_(Commitment.session_id, Commitment.status)
            )
        )
    )
    per_unit: dict = {}
    per_session: dict = {}
    for row in rows:
        target, key = (per_session, row.session_id) if row.by_session else (per_unit, row.unit_id)
        bucket = target.setdefault(key, Buckets())
        setattr(bucket, row.status, row.n)
        bucket.total += row.n
        if row.status in OPEN_STATUSES:
            bucket.overdue += row.late
    return per_unit, per_session


def _first_sessions(conditions, today: date, limit: int, only_overdue: bool) -> dict:
    """The sessions of the dashboard's first view, with their full counts: those with overdue work (most first),
    then the most recent. Reads the overdue rows and the chosen sessions' rows (index ranges), not the whole term."""
    overdue_conditions = conditions if only_overdue else [*conditions, overdue_clause(today)]
    late_per: dict = dict(
        db.session.execute(
            select(Commitment.session_id, func.count()).where(*overdue_conditions).group_by(Commitment.session_id)
        ).all()
    )
    chosen = sorted(late_per, key=lambda k: (-late_per[k], -(k or 0)))[:limit]
    recent = db.session.scalars(
        select(Commitment.session_id)
        .where(*conditions, Commitment.session_id.is_not(None))
        .group_by(Commitment.session_id)
        .order_by(Commitment.session_id.desc())
        .limit(limit)
    )
    for session_id in recent:
        if len(chosen) >= limit:
            break
        if session_id not in chosen:
            chosen.append(session_id)
    ids = [k for k in chosen if k is not None]
    where = Commitment.session_id.in_(ids)
    if None in chosen:
        where = or_(where, Commitment.session_id.is_(None))
    counts: dict = {k: Buckets() for k in chosen}
    for key, status, number in db.session.execute(
        select(Commitment.session_id, Commitment.status, func.count())
        .where(*conditions, where)
        .group_by(Commitment.session_id, Commitment.status)
    ):
        setattr(counts[key], status, number)
        counts[key].total += number
    for key in chosen:
        counts[key].overdue = late_per.get(key, 0)
    return counts


def dashboard(
    user: User, filters: Filters, today: date | None = None, *, session_limit: int | None = None
) -> Dashboard:
    """Counts by state and overdue, by unit and by session, in a fixed number of queries whatever the number of
    commitments: the counting is done in SQL, grouped, and only the names of the groups are read besides.

    With ``session_limit`` (the dashboard's first view) only that many sessions are counted: those with overdue work,
    then the most recent; ``Dashboard.sessions_complete`` is then False."""
    today = today or today_local()
    conditions = filter_conditions(user, filters, today)
    only_overdue = filters.overdue is True
    limited = session_limit is not None
    if limited:
        per_unit = _grouped(Commitment.unit_id, conditions, today, only_overdue=only_overdue)
        per_session = _first_sessions(conditions, today, session_limit, only_overdue)
    elif db.session.get_bind().dialect.name == "postgresql":
        per_unit, per_session = _grouped_both(conditions, today)
    else:
        per_unit = _grouped(Commitment.unit_id, conditions, today, only_overdue=only_overdue)
        per_session = _grouped(Commitment.session_id, conditions, today, only_overdue=only_overdue)
    unit_names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(list(per_unit)))).all())
    session_ids = [i for i in per_session if i is not None]
    sessions = {
        row.id: row
        for row in db.session.execute(
            select(DialogueSession.id, DialogueSession.title, DialogueSession.starts_at).where(
                DialogueSession.id.in_(session_ids)
            )
        )
    }
    totals = Buckets()
    by_unit = []
    for unit_id, counts in per_unit.items():
        totals.add(counts)
        by_unit.append(GroupRow(unit_id, unit_names.get(unit_id, "?"), counts))
    by_unit.sort(key=lambda g: (-g.counts.overdue, -g.counts.open, -g.counts.total, g.name))
    by_session = []
    for session_id, counts in per_session.items():
        row = sessions.get(session_id)
        title = row.title if row else _("(Không gắn buổi đối thoại)")
        by_session.append(GroupRow(session_id, title, counts, {"starts_at": row.starts_at if row else None}))
    by_session.sort(key=lambda g: (-g.counts.overdue, -(g.id or 0)))
    if session_limit is not None:
        by_session = by_session[:session_limit]
    return Dashboard(totals, by_unit, by_session, sessions_complete=not limited)


def open_first_page(user: User, filters: Filters, totals: Buckets, page: int, per_page: int) -> list[Commitment]:
    """One page of the dashboard's list: open work first by due date (so the overdue lead), then the rest.

    Two index walks by due date instead of one sort of every matching row; the number of open rows is already
    known from the counts. Both queries always run, so the count of statements does not depend on the page."""
    offset = (max(page, 1) - 1) * per_page
    open_total = totals.open if filters.status in (None, *OPEN_STATUSES) else 0
    open_offset = min(offset, open_total)
    open_limit = max(min(per_page, open_total - offset), 0)
    rest_offset = max(offset - open_total, 0)
    rest_limit = per_page - open_limit
    if filters.overdue or filters.status in OPEN_STATUSES:
        rest_limit = 0  # nothing closed can match: LIMIT 0 spares the database a pointless walk
    base = list_statement(user, filters, order="due")
    narrowed = filters.overdue or filters.status is not None  # the filters already say open or not
    open_stmt = base if narrowed else base.where(Commitment.status.in_(OPEN_STATUSES))
    items = list(db.session.scalars(open_stmt.limit(open_limit).offset(open_offset)).unique())
    items += list(
        db.session.scalars(
            base.where(Commitment.status.not_in(OPEN_STATUSES)).limit(rest_limit).offset(rest_offset)
        ).unique()
    )
    return items


EXPORT_COLUMNS = (
    Commitment.id,
    Commitment.description,
    Commitment.status,
    Commitment.due_date,
    Commitment.original_due_date,
    Commitment.progress,
    Commitment.priority,
    Commitment.done_at,
    Commitment.verified_at,
    Commitment.result_report,
    Commitment.cancel_reason,
)


def export_rows(user: User, filters: Filters):
    """Every matching commitment (plain columns, no ORM objects) with its unit, session and assignee, in the
    dashboard's order, streamed in batches."""
    stmt = (
        select(
            *EXPORT_COLUMNS,
            Unit.name.label("unit_name"),
            DialogueSession.title.label("session_title"),
            User.name.label("assignee_name"),
        )
        .join(Unit, Unit.id == Commitment.unit_id)
        .outerjoin(DialogueSession, DialogueSession.id == Commitment.session_id)
        .outerjoin(User, User.id == Commitment.assignee_id)
        .where(*filter_conditions(user, filters))
        .order_by(*open_first_order())
        .execution_options(yield_per=2000)
    )
    return db.session.execute(stmt)


def timeline(commitment: Commitment) -> list[CommitmentUpdate]:
    return list(
        db.session.scalars(
            select(CommitmentUpdate)
            .where(CommitmentUpdate.commitment_id == commitment.id)
            .order_by(CommitmentUpdate.created_at, CommitmentUpdate.id)
        )
    )


def unit_accounts(unit_ids) -> list[User]:
    """Active accounts with the ``unit`` role belonging to the given units."""
    unit_ids = list(unit_ids)
    if not unit_ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "unit", User.unit_id.in_(unit_ids), User.active.is_(True))
            .order_by(User.id)
        ).unique()
    )


def users_with_role(role: str) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active.is_(True))
            .order_by(User.id)
        ).unique()
    )


# Creating ---------------------------------------------------------------------------------------------------


def _text(value: str | None, field_name: str, message, *, required: bool = True) -> str | None:
    value = nfc(value or "") or None
    if required and not value:
        raise Invalid(message, fields={field_name: [str(_l("Bắt buộc."))]})
    if value and len(value) > MAX_TEXT:
        raise Invalid(
            _l("Nội dung quá dài (tối đa %(n)s ký tự).", n=MAX_TEXT), fields={field_name: [str(_l("Quá dài."))]}
        )
    return value


def _as_date(value, field_name: str = "due_date") -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise Invalid(_l("Ngày không hợp lệ."), fields={field_name: [str(_l("Ngày không hợp lệ."))]}) from None


# Paths of the pages (dialogue/followups/views.py); built by hand so that the CLI, without a request, can link.
URL_PREFIX = "/followups"


def _link(commitment: Commitment) -> str:
    return f"{URL_PREFIX}/{commitment.id}"


def _absolute(path: str) -> str:
    return current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + path


def _index(commitment: Commitment) -> None:
    commitment.search_text = search_blob(commitment.description, commitment.result_report)


def create_commitment(
    actor: User,
    *,
    description: str,
    unit_id: int,
    due_date: date | str,
    session_id: int | None = None,
    response_id: int | None = None,
    question_id: int | None = None,
    speaker_id: int | None = None,
    assignee_id: int | None = None,
    priority: str = "normal",
) -> Commitment:
    """A new commitment for a responsible unit. Only the organizer, a host or the secretariat may create one.

    The links to its source are checked against each other: a response fixes the session (and the question when it
    answers exactly one); a question or a turn must belong to the same session. ``commit=False`` leaves the commit
    to the caller (a form that records a response and its commitments at once)."""
    if actor is None or not actor.has_role(*CREATORS):
        raise Forbidden(_l("Chỉ Văn phòng, người chủ trì hoặc bộ phận theo dõi mới được giao nhiệm vụ."))
    description = _text(description, "description", _l("Xin nhập nội dung nhiệm vụ."))
    if priority not in PRIORITIES:
        raise Invalid(_l("Mức ưu tiên không hợp lệ."), fields={"priority": [str(_l("Giá trị không hợp lệ."))]})
    due = _as_date(due_date)
    if due < today_local():
        raise Invalid(_l("Thời hạn không được trước ngày hôm nay."), fields={"due_date": [str(_l("Thời hạn đã qua."))]})
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None or not unit.active:
        raise Invalid(
            _l("Xin chọn đơn vị chủ trì thực hiện (đơn vị đang hoạt động)."),
            fields={"unit_id": [str(_l("Không hợp lệ."))]},
        )
    if assignee_id:
        assignee = db.session.get(User, assignee_id)
        if assignee is None or not assignee.active:
            raise Invalid(_l("Không tìm thấy người được giao."), fields={"assignee_id": [str(_l("Không hợp lệ."))]})
    session_id, question_id, speaker_id = _check_links(session_id, response_id, question_id, speaker_id)
    commitment = Commitment(
        session_id=session_id,
        response_id=response_id,
        question_id=question_id,
        speaker_id=speaker_id,
        description=description,
        unit_id=unit.id,
        assignee_id=assignee_id or None,
        due_date=due,
        original_due_date=due,
        priority=priority,
        status="assigned",
        progress=0,
        created_by_id=actor.id,
    )
    _index(commitment)
    db.session.add(commitment)
    db.session.flush()
    db.session.add(
        CommitmentUpdate(
            commitment_id=commitment.id, author_id=actor.id, kind="created", to_status="assigned", new_due_date=due
        )
    )
    record(actor, "commitment.create", commitment, after=snapshot(commitment, AUDIT_FIELDS))
    text = _(
        "Nhiệm vụ mới cho %(unit)s, hạn %(due)s: %(what)s",
        unit=unit.name,
        due=format_day(due),
        what=shorten(description),
    )
    recipients = unit_accounts([unit.id])
    if assignee_id and all(u.id != assignee_id for u in recipients):
        recipients.append(db.session.get(User, assignee_id))
    _tell(recipients, commitment, text, _("Nhiệm vụ mới được giao"))
    return commitment


def _check_links(session_id, response_id, question_id, speaker_id) -> tuple[int | None, int | None, int | None]:
    session_id = session_id or None
    if response_id:
        response = db.session.get(Response, response_id)
        if response is None:
            raise Invalid(_l("Không tìm thấy ý kiến trả lời."), fields={"response_id": [str(_l("Không hợp lệ."))]})
        if session_id and session_id != response.session_id:
            raise Invalid(
                _l("Ý kiến trả lời không thuộc buổi đối thoại đã chọn."),
                fields={"response_id": [str(_l("Không khớp."))]},
            )
        session_id = response.session_id
        answered = [q.id for q in response.questions]
        if question_id and question_id not in answered and answered:
            raise Invalid(
                _l("Câu hỏi không thuộc ý kiến trả lời này."), fields={"question_id": [str(_l("Không khớp."))]}
            )
        if not question_id and len(answered) == 1:
            question_id = answered[0]
        speaker_id = speaker_id or response.speaker_id
    if question_id:
        question = db.session.get(Question, question_id)
        if question is None:
            raise Invalid(_l("Không tìm thấy câu hỏi."), fields={"question_id": [str(_l("Không hợp lệ."))]})
        if session_id and question.session_id != session_id:
            raise Invalid(
                _l("Câu hỏi không thuộc buổi đối thoại đã chọn."), fields={"question_id": [str(_l("Không khớp."))]}
            )
        session_id = question.session_id
    if speaker_id:
        from ..live.models import Speaker

        speaker = db.session.get(Speaker, speaker_id)
        if speaker is None or (session_id and speaker.session_id != session_id):
            raise Invalid(_l("Lượt phát biểu không hợp lệ."), fields={"speaker_id": [str(_l("Không hợp lệ."))]})
        session_id = speaker.session_id
    if session_id and db.session.get(DialogueSession, session_id) is None:
        raise Invalid(_l("Không tìm thấy buổi đối thoại."), fields={"session_id": [str(_l("Không hợp lệ."))]})
    return session_id, question_id or None, speaker_id or None


def format_day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def shorten(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tell(users, commitment: Commitment, text: str, subject: str) -> None:
    """An in-app notice (in this transaction) and an e-mail after the commit, to each of ``users``."""
    link = _link(commitment)
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        notify(user, text, link)
        send_mail_after_commit(user.email, subject, f"{text}\n\n{_absolute(link)}")


# Moving -----------------------------------------------------------------------------------------------------


def _lock(commitment: Commitment) -> Commitment:
    """Re-reads the row under a write lock (PostgreSQL) so two moves at once cannot both pass the check."""
    db.session.execute(select(Commitment.id).where(Commitment.id == commitment.id).with_for_update())
    db.session.refresh(commitment)
    return commitment


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
    attachment: tuple[str, str] | None = None,
    apply=None,
) -> CommitmentUpdate:
    before = snapshot(commitment, AUDIT_FIELDS)
    from_status = commitment.status
    if apply is not None:
        apply()
    if to_status is not None:
        commitment.status = to_status
    _index(commitment)
    update = CommitmentUpdate(
        commitment_id=commitment.id,
        author_id=actor.id,
        kind=kind,
        note=note,
        progress=progress,
        from_status=from_status if to_status and to_status != from_status else None,
        to_status=to_status if to_status and to_status != from_status else None,
        old_due_date=old_due,
        new_due_date=new_due,
        attachment_path=attachment[0] if attachment else None,
        attachment_name=attachment[1] if attachment else None,
    )
    db.session.add(update)
    record(actor, action, commitment, before=before, after=snapshot(commitment, AUDIT_FIELDS))
    return update


def _require_responsible_or_secretariat(actor: User, commitment: Commitment) -> None:
    if not (is_responsible(actor, commitment) or actor.has_role("secretariat")):
        raise Forbidden(_l("Chỉ đơn vị chủ trì thực hiện hoặc bộ phận theo dõi mới cập nhật được nhiệm vụ này."))


def _require_secretariat(actor: User, message) -> None:
    if not actor.has_role("secretariat"):
        raise Forbidden(message)


def _require_status(commitment: Commitment, allowed: tuple[str, ...], message) -> None:
    if commitment.status not in allowed:
        raise Conflict(message)


def start(actor: User, commitment: Commitment) -> Commitment:
    """The responsible unit begins the work: assigned → in progress."""
    _lock(commitment)
    _require_responsible_or_secretariat(actor, commitment)
    _require_status(commitment, ("assigned",), _l("Chỉ nhiệm vụ vừa được giao mới chuyển sang đang thực hiện."))
    _move(actor, commitment, "commitment.start", "in_progress")
    return commitment


def save_attachment(upload) -> tuple[str, str] | None:
    """Stores an uploaded file under UPLOAD_DIR/commitments; returns (stored path, original name)."""
    if upload is None or not getattr(upload, "filename", None):
        return None
    name = nfc(os.path.basename(file_name(upload.filename))) or "tep"
    suffix = Path(name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise Invalid(
            _l("Chỉ nhận tệp PDF, Word, Excel, ảnh hoặc văn bản."), fields={"attachment": [str(_l("Loại tệp."))]}
        )
    folder = Path(current_app.config["UPLOAD_DIR"]) / "commitments"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"commitments/{uuid.uuid4().hex}{suffix}"
    upload.save(str(Path(current_app.config["UPLOAD_DIR"]) / stored))
    return stored, name[:300]


def post_update(
    actor: User,
    commitment: Commitment,
    *,
    note: str | None,
    progress: int | None = None,
    attachment: tuple[str, str] | None = None,
) -> CommitmentUpdate:
    """A progress report (note, percent, optional attachment). On an assigned commitment it starts the work."""
    _lock(commitment)
    _require_responsible_or_secretariat(actor, commitment)
    _require_status(
        commitment, OPEN_STATUSES, _l("Nhiệm vụ đã hoàn thành hoặc đã hủy; không cập nhật tiến độ được nữa.")
    )
    note = _text(note, "note", _l("Xin nhập nội dung cập nhật."))
    if progress is not None:
        try:
            progress = int(progress)
        except (TypeError, ValueError):
            raise Invalid(_l("Tiến độ phải là số từ 0 đến 100."), fields={"progress": ["0–100"]}) from None
        if not 0 <= progress <= 100:
            raise Invalid(_l("Tiến độ phải là số từ 0 đến 100."), fields={"progress": ["0–100"]})

    def apply():
        if progress is not None:
            commitment.progress = progress

    to_status = "in_progress" if commitment.status == "assigned" else None
    update = _move(
        actor,
        commitment,
        "commitment.progress",
        to_status,
        kind="progress",
        note=note,
        progress=progress,
        attachment=attachment,
        apply=apply,
    )
    return update


def mark_done(
    actor: User, commitment: Commitment, *, report: str | None, attachment: tuple[str, str] | None = None
) -> Commitment:
    """The responsible unit reports the work done, with a report of results; the secretariat then verifies."""
    _lock(commitment)
    if not is_responsible(actor, commitment):
        raise Forbidden(_l("Chỉ đơn vị chủ trì thực hiện mới báo cáo hoàn thành nhiệm vụ."))
    _require_status(commitment, OPEN_STATUSES, _l("Nhiệm vụ không ở trạng thái đang thực hiện."))
    report = _text(report, "report", _l("Xin nhập báo cáo kết quả thực hiện."))

    def apply():
        commitment.result_report = report
        commitment.progress = 100
        commitment.done_at = now()

    _move(
        actor,
        commitment,
        "commitment.done",
        "done",
        note=report,
        progress=100,
        attachment=attachment,
        apply=apply,
    )
    text = _(
        "%(unit)s báo cáo đã hoàn thành: %(what)s", unit=commitment.unit.name, what=shorten(commitment.description)
    )
    for user in users_with_role("secretariat"):
        notify(user, text, _link(commitment))
    return commitment


def verify(actor: User, commitment: Commitment, *, note: str | None = None) -> Commitment:
    """The secretariat confirms the reported result. A unit cannot verify its own work."""
    _lock(commitment)
    _require_secretariat(actor, _l("Chỉ bộ phận theo dõi (Văn phòng, Ủy ban Kiểm tra) mới xác nhận kết quả."))
    if is_responsible(actor, commitment):
        raise Forbidden(_l("Đơn vị chủ trì không thể tự xác nhận kết quả của mình."))
    _require_status(commitment, ("done",), _l("Chỉ xác nhận được nhiệm vụ đã báo cáo hoàn thành."))
    note = _text(note, "note", "", required=False)

    def apply():
        commitment.verified_at = now()
        commitment.verified_by_id = actor.id

    _move(actor, commitment, "commitment.verify", "verified", note=note, apply=apply)
    _tell_authors(commitment)
    return commitment


def _tell_authors(commitment: Commitment) -> None:
    """The person (or people) whose question gave rise to the commitment hear that it is verified."""
    question_ids: set[int] = set()
    if commitment.question_id:
        question_ids.add(commitment.question_id)
    if commitment.response_id:
        question_ids.update(
            db.session.scalars(
                select(response_questions.c.question_id).where(
                    response_questions.c.response_id == commitment.response_id
                )
            )
        )
    if not question_ids:
        return
    authors = db.session.scalars(
        select(User).join(Question, Question.author_id == User.id).where(Question.id.in_(question_ids))
    ).unique()
    text = _(
        "Nhiệm vụ từ câu hỏi của đồng chí đã được xác nhận hoàn thành: %(what)s", what=shorten(commitment.description)
    )
    _tell(list(authors), commitment, text, _("Kết quả thực hiện kiến nghị của đồng chí"))


def reopen(actor: User, commitment: Commitment, *, reason: str | None) -> Commitment:
    """The secretariat sends the work back (the report was not enough, or a cancelled task is needed after all)."""
    _lock(commitment)
    _require_secretariat(actor, _l("Chỉ bộ phận theo dõi mới mở lại nhiệm vụ."))
    _require_status(
        commitment, ("done", "verified", "cancelled"), _l("Chỉ mở lại được nhiệm vụ đã hoàn thành hoặc đã hủy.")
    )
    reason = _text(reason, "reason", _l("Xin nêu lý do mở lại."))

    def apply():
        commitment.verified_at = None
        commitment.verified_by_id = None
        commitment.done_at = None
        commitment.cancel_reason = None
        if commitment.progress == 100:
            commitment.progress = 90

    _move(actor, commitment, "commitment.reopen", "in_progress", note=reason, apply=apply)
    text = _("Nhiệm vụ được mở lại: %(what)s. Lý do: %(why)s", what=shorten(commitment.description), why=reason)
    _tell(unit_accounts([commitment.unit_id]), commitment, text, _("Nhiệm vụ được mở lại"))
    return commitment


def cancel(actor: User, commitment: Commitment, *, reason: str | None) -> Commitment:
    _lock(commitment)
    _require_secretariat(actor, _l("Chỉ bộ phận theo dõi mới hủy nhiệm vụ."))
    _require_status(
        commitment, ("assigned", "in_progress", "done"), _l("Nhiệm vụ đã được xác nhận hoặc đã hủy; không hủy được.")
    )
    reason = _text(reason, "reason", _l("Xin nêu lý do hủy nhiệm vụ."))

    def apply():
        commitment.cancel_reason = reason

    _move(actor, commitment, "commitment.cancel", "cancelled", note=reason, apply=apply)
    text = _("Nhiệm vụ đã hủy: %(what)s. Lý do: %(why)s", what=shorten(commitment.description), why=reason)
    _tell(unit_accounts([commitment.unit_id]), commitment, text, _("Nhiệm vụ đã hủy"))
    return commitment


def extend_deadline(actor: User, commitment: Commitment, *, new_due_date: date | str, reason: str | None) -> Commitment:
    """Only the secretariat moves a deadline, with a reason; ``original_due_date`` keeps the first one."""
    _lock(commitment)
    _require_secretariat(actor, _l("Chỉ bộ phận theo dõi mới gia hạn nhiệm vụ."))
    _require_status(commitment, OPEN_STATUSES, _l("Chỉ gia hạn được nhiệm vụ đang thực hiện."))
    new_due = _as_date(new_due_date)
    reason = _text(reason, "reason", _l("Xin nêu lý do gia hạn."))
    if new_due == commitment.due_date:
        raise Invalid(_l("Thời hạn mới trùng thời hạn hiện tại."), fields={"due_date": [str(_l("Không đổi."))]})
    if new_due < today_local():
        raise Invalid(
            _l("Thời hạn mới không được trước ngày hôm nay."), fields={"due_date": [str(_l("Thời hạn đã qua."))]}
        )
    old_due = commitment.due_date

    def apply():
        commitment.due_date = new_due

    _move(
        actor,
        commitment,
        "commitment.extend",
        None,
        kind="extended",
        note=reason,
        old_due=old_due,
        new_due=new_due,
        apply=apply,
    )
    text = _(
        "Nhiệm vụ được gia hạn đến %(due)s: %(what)s. Lý do: %(why)s",
        due=format_day(new_due),
        what=shorten(commitment.description),
        why=reason,
    )
    _tell(unit_accounts([commitment.unit_id]), commitment, text, _("Nhiệm vụ được gia hạn"))
    return commitment


def set_status(
    actor: User, commitment: Commitment, status: str, *, reason: str | None = None, report: str | None = None
):
    """The API's PATCH ``status``: the move that leads from the current state to ``status``."""
    if status == commitment.status:
        raise Conflict(_l("Nhiệm vụ đã ở trạng thái này."))
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
    raise Conflict(_l("Không thể chuyển nhiệm vụ về trạng thái này."))


def allowed_actions(user: User, commitment: Commitment) -> set[str]:
    """What the page offers ``user`` (the services check again)."""
    actions: set[str] = set()
    responsible = is_responsible(user, commitment)
    secretariat = user.has_role("secretariat")
    if commitment.status in OPEN_STATUSES:
        if responsible or secretariat:
            actions.add("update")
        if commitment.status == "assigned" and (responsible or secretariat):
            actions.add("start")
        if responsible:
            actions.add("done")
        if secretariat:
            actions.add("extend")
    if secretariat and commitment.status == "done" and not responsible:
        actions.add("verify")
    if secretariat and commitment.status in ("done", "verified", "cancelled"):
        actions.add("reopen")
    if secretariat and commitment.status in ("assigned", "in_progress", "done"):
        actions.add("cancel")
    return actions


# Questions and sessions -------------------------------------------------------------------------------------


@dataclass
class QuestionFollowup:
    responses: list[Response]
    commitments: list[Commitment]
    updates: dict[int, list[CommitmentUpdate]]


def question_followup(question: Question) -> QuestionFollowup:
    """The responses to a question and the commitments arising from it, with their updates: three queries."""
    responses = list(
        db.session.scalars(
            select(Response)
            .join(response_questions, response_questions.c.response_id == Response.id)
            .where(response_questions.c.question_id == question.id)
            .order_by(Response.created_at, Response.id)
        ).unique()
    )
    response_ids = [r.id for r in responses]
    condition = Commitment.question_id == question.id
    if response_ids:
        condition = or_(condition, Commitment.response_id.in_(response_ids))
    commitments = list(
        db.session.scalars(
            select(Commitment)
            .where(condition)
            .options(joinedload(Commitment.unit), selectinload(Commitment.updates).joinedload(CommitmentUpdate.author))
            .order_by(Commitment.id)
        ).unique()
    )
    return QuestionFollowup(responses, commitments, {c.id: list(c.updates) for c in commitments})


def unanswered_condition(session_id: int):
    """Accepted submissions of the session that no response answers yet."""
    answered = exists().where(response_questions.c.question_id == Question.id)
    return and_(Question.session_id == session_id, Question.status == "accepted", ~answered)


def is_unanswered(session_id: int, question_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Question.id)).where(unanswered_condition(session_id), Question.id == question_id)
        )
    )


def unanswered_questions(session_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .where(unanswered_condition(session_id))
            .order_by(Question.position.is_(None), Question.position, Question.id)
        ).unique()
    )


@dataclass
class SessionFollowup:
    counts: Buckets
    unanswered: int


def session_followup(session: DialogueSession, today: date | None = None) -> SessionFollowup:
    today = today or today_local()
    row = db.session.execute(select(*_bucket_columns(today)).where(Commitment.session_id == session.id)).one()
    unanswered = db.session.scalar(select(func.count(Question.id)).where(unanswered_condition(session.id))) or 0
    return SessionFollowup(_bucket(row), unanswered)


def commitments_for_author(user: User, limit: int = 20) -> list[Commitment]:
    """The commitments arising from ``user``'s questions, open ones first."""
    own = _own_questions(user)
    condition = or_(
        Commitment.question_id.in_(own),
        Commitment.response_id.in_(
            select(response_questions.c.response_id).where(response_questions.c.question_id.in_(own))
        ),
    )
    return list(
        db.session.scalars(
            select(Commitment)
            .where(condition)
            .options(joinedload(Commitment.unit), joinedload(Commitment.question))
            .order_by(*open_first_order())
            .limit(limit)
        ).unique()
    )


def unit_summary(user: User, today: date | None = None, soon_days: int | None = None) -> dict[str, Any]:
    """What a unit owes: counts and the next few deadlines."""
    today = today or today_local()
    soon_days = soon_days if soon_days is not None else current_app.config.get("REMINDER_DAYS_AHEAD", 7)
    if not user.unit_id:
        return {"counts": Buckets(), "next": [], "due_soon": 0}
    condition = Commitment.unit_id == user.unit_id
    row = db.session.execute(select(*_bucket_columns(today)).where(condition)).one()
    due_soon = (
        db.session.scalar(
            select(func.count(Commitment.id)).where(
                condition,
                Commitment.status.in_(OPEN_STATUSES),
                Commitment.due_date >= today,
                Commitment.due_date <= today + timedelta(days=soon_days),
            )
        )
        or 0
    )
    upcoming = list(
        db.session.scalars(
            select(Commitment)
            .where(condition, Commitment.status.in_(OPEN_STATUSES))
            .order_by(Commitment.due_date, Commitment.id)
            .limit(5)
        ).unique()
    )
    return {"counts": _bucket(row), "next": upcoming, "due_soon": due_soon}


__all__ = [
    "Buckets",
    "Filters",
    "cancel",
    "create_commitment",
    "dashboard",
    "extend_deadline",
    "get_commitment",
    "is_overdue",
    "mark_done",
    "post_update",
    "reopen",
    "start",
    "verify",
]
