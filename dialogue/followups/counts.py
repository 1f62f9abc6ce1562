"""Counting commitments: the dashboard (by state, overdue, by unit and by session), a session's panel and a unit's
home. The counting is done in SQL, grouped, so the number of queries does not grow with the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, case, func, or_, select, tuple_

from ..accounts.models import User
from ..core.timeutil import today_local
from ..extensions import db
from ..questions.models import Question
from ..sessions.models import DialogueSession
from ..units.models import Unit
from .models import COMMITMENT_STATUSES, OPEN_STATUSES, Commitment
from .queries import Filters, filter_conditions, list_statement, overdue_clause, unanswered_condition


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


def _bucket_columns(today: date) -> list[Any]:
    overdue = overdue_clause(today)
    columns = [func.count(Commitment.id).label("total")]
    for status in COMMITMENT_STATUSES:
        columns.append(func.sum(case((Commitment.status == status, 1), else_=0)).label(status))
    columns.append(func.sum(case((overdue, 1), else_=0)).label("overdue"))
    return columns


def _bucket(row: Any) -> Buckets:
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


def _grouped(
    key: Any, conditions: list[ColumnElement[bool]], today: date, *, only_overdue: bool = False
) -> dict[Any, Buckets]:
    """Counts per ``key`` and state, and overdue per ``key``: two cheap GROUP BY queries that the covering indexes
    (key, status, due_date) answer without touching the table."""
    counts: dict[Any, Buckets] = {}
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


def _grouped_both(conditions: list[ColumnElement[bool]], today: date) -> tuple[dict[Any, Buckets], dict[Any, Buckets]]:
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
    per_unit: dict[Any, Buckets] = {}
    per_session: dict[Any, Buckets] = {}
    for row in rows:
        target, key = (per_session, row.session_id) if row.by_session else (per_unit, row.unit_id)
        bucket = target.setdefault(key, Buckets())
        setattr(bucket, row.status, row.n)
        bucket.total += row.n
        if row.status in OPEN_STATUSES:
            bucket.overdue += row.late
    return per_unit, per_session


def _first_sessions(
    conditions: list[ColumnElement[bool]], today: date, limit: int, only_overdue: bool
) -> dict[Any, Buckets]:
    """The sessions of the dashboard's first view, with their full counts: those with overdue work (most first),
    then the most recent. Reads the overdue rows and the chosen sessions' rows (index ranges), not the whole term."""
    overdue_conditions = conditions if only_overdue else [*conditions, overdue_clause(today)]
    late_per: dict[Any, int] = dict(
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
    where: ColumnElement[bool] = Commitment.session_id.in_(ids)
    if None in chosen:
        where = or_(where, Commitment.session_id.is_(None))
    counts: dict[Any, Buckets] = {k: Buckets() for k in chosen}
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
    if session_limit is not None:
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


@dataclass
class SessionFollowup:
    counts: Buckets
    unanswered: int


def session_followup(session: DialogueSession, today: date | None = None) -> SessionFollowup:
    today = today or today_local()
    row = db.session.execute(select(*_bucket_columns(today)).where(Commitment.session_id == session.id)).one()
    unanswered = db.session.scalar(select(func.count(Question.id)).where(unanswered_condition(session.id))) or 0
    return SessionFollowup(_bucket(row), unanswered)


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
