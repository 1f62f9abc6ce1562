"""Reading commitments: one with what its page shows, the filtered lists (pages, API, export), the timeline, and
what became of a submission. Every query loads, beside it, the relationships its readers touch (the models load
nothing else lazily: an unplanned read raises instead of costing one query per row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Result, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User, UserRole
from ..core.access import ASSIGNERS, UNITS
from ..core.errors import NotFound
from ..core.permissions import require
from ..core.text import like_pattern
from ..core.timeutil import today_local
from ..extensions import db
from ..questions.models import Question
from ..responses.models import Response, response_questions
from ..sessions.models import DialogueSession
from ..units.models import Unit
from .models import OPEN_STATUSES, Commitment, CommitmentUpdate
from .permissions import from_own_questions, visibility_clause


def is_overdue(commitment: Any, today: date | None = None) -> bool:
    """Still open and its due date has passed (today in Asia/Ho_Chi_Minh). ``commitment`` is a row or anything
    with ``status`` and ``due_date`` (the reports' plain rows too): the one definition of overdue."""
    today = today or today_local()
    return commitment.status in OPEN_STATUSES and commitment.due_date is not None and commitment.due_date < today


def overdue_clause(today: date | None = None) -> ColumnElement[bool]:
    """The SQL form of ``is_overdue``."""
    today = today or today_local()
    return and_(Commitment.status.in_(OPEN_STATUSES), Commitment.due_date < today)


def get_commitment(user: User, commitment_id: int, *, with_updates: bool = False) -> Commitment:
    """One commitment with everything its page shows (its people, session, source), if ``user`` may see it;
    ``with_updates`` also loads its history with the authors (the API's detail)."""
    options: list[Any] = [
        joinedload(Commitment.assignee),
        joinedload(Commitment.session).lazyload("*"),
        joinedload(Commitment.question),
        joinedload(Commitment.response),
        joinedload(Commitment.created_by),
        joinedload(Commitment.verified_by),
    ]
    if with_updates:
        options.append(selectinload(Commitment.updates).joinedload(CommitmentUpdate.author))
    # A query, not ``Session.get``: an object already in the session would come back without these loads.
    commitment = db.session.scalar(
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(*options)
        .execution_options(populate_existing=True)
    )
    if commitment is None:
        raise NotFound(_("Không tìm thấy nhiệm vụ."))
    require(user, "commitment.see", commitment)
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


def filter_conditions(user: User, filters: Filters, today: date | None = None) -> list[ColumnElement[bool]]:
    """What ``user`` may see, narrowed by ``filters``."""
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


def open_first_order() -> tuple[Any, ...]:
    """Open work first (so the overdue, whose due dates are the earliest, lead), soonest due first."""
    return (case((Commitment.status.in_(OPEN_STATUSES), 0), else_=1), Commitment.due_date, Commitment.id)


def list_statement(user: User, filters: Filters, *, order: str = "open_first") -> Select[Commitment]:
    """The rows of a list (the dashboard, the unit's list, the API), with the unit and the session's title that
    each row shows (the session alone, none of its own relationships)."""
    stmt = (
        select(Commitment)
        .where(*filter_conditions(user, filters))
        .options(joinedload(Commitment.session).lazyload("*"))
    )
    if order == "due":
        return stmt.order_by(Commitment.due_date, Commitment.id)
    if order == "recent":
        return stmt.order_by(Commitment.id.desc())
    return stmt.order_by(*open_first_order())


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


def export_rows(user: User, filters: Filters) -> Result[Any]:
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
    """The commitment's history, oldest first, with who wrote each line."""
    return list(
        db.session.scalars(
            select(CommitmentUpdate)
            .where(CommitmentUpdate.commitment_id == commitment.id)
            .options(joinedload(CommitmentUpdate.author))
            .order_by(CommitmentUpdate.created_at, CommitmentUpdate.id)
        )
    )


def assignable_people() -> list[User]:
    """Who may be named on a commitment: the units' accounts and those who assign work."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_((*UNITS, *ASSIGNERS)), User.active.is_(True))
            .order_by(User.name)
        ).unique()
    )


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
            .options(selectinload(Commitment.updates).joinedload(CommitmentUpdate.author))
            .order_by(Commitment.id)
        ).unique()
    )
    return QuestionFollowup(responses, commitments, {c.id: list(c.updates) for c in commitments})


def unanswered_condition(session_id: int) -> ColumnElement[bool]:
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


def commitments_for_author(user: User, limit: int = 20) -> list[Commitment]:
    """The commitments arising from ``user``'s submissions, open ones first, each with its submission."""
    return list(
        db.session.scalars(
            select(Commitment)
            .where(from_own_questions(user))
            .options(joinedload(Commitment.question))
            .order_by(*open_first_order())
            .limit(limit)
        ).unique()
    )


def sessions_for_filter() -> list[Any]:
    """Every session's id, title and start (the dashboard's filter), newest first: plain rows."""
    return list(
        db.session.execute(
            select(DialogueSession.id, DialogueSession.title, DialogueSession.starts_at).order_by(
                DialogueSession.starts_at.desc()
            )
        ).all()
    )


def question_of(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_("Không tìm thấy câu hỏi."))
    return question
