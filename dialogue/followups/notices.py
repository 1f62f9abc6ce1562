"""Who is told what when a commitment moves. Each notice is an in-app notification, part of the change's
transaction, and an e-mail that leaves only after the commit; a refused or rolled-back change tells no one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User, UserRole
from ..core.access import UNITS, VERIFIERS
from ..extensions import db
from ..notifications.services import notify, send_mail_after_commit
from ..questions.models import Question
from ..responses.models import response_questions
from .models import Commitment

# Paths of the pages (dialogue/followups/views.py); built by hand so that the CLI, without a request, can link.
URL_PREFIX = "/followups"


def link(commitment: Commitment) -> str:
    return f"{URL_PREFIX}/{commitment.id}"


def absolute(path: str) -> str:
    return current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + path


def format_day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def shorten(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unit_accounts(unit_ids: Iterable[int]) -> list[User]:
    """Active accounts of a responsible unit (the ``unit`` role) belonging to the given units."""
    ids = list(unit_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_(UNITS), User.unit_id.in_(ids), User.active.is_(True))
            .order_by(User.id)
        ).unique()
    )


def verifiers() -> list[User]:
    """Active accounts of the secretariat, who verify what units report done."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_(VERIFIERS), User.active.is_(True))
            .order_by(User.id)
        ).unique()
    )


def tell(users: Iterable[User | None], commitment: Commitment, text: str, subject: str) -> None:
    """An in-app notice (in this transaction) and an e-mail after the commit, to each of ``users`` once."""
    path = link(commitment)
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        notify(user, text, path)
        send_mail_after_commit(user.email, subject, f"{text}\n\n{absolute(path)}")


def assigned(commitment: Commitment, unit_name: str) -> None:
    """A new commitment: the unit's accounts and the person named on it."""
    text = _(
        "Nhiệm vụ mới cho %(unit)s, hạn %(due)s: %(what)s",
        unit=unit_name,
        due=format_day(commitment.due_date),
        what=shorten(commitment.description),
    )
    recipients: list[User | None] = list(unit_accounts([commitment.unit_id]))
    if commitment.assignee_id and all(u is not None and u.id != commitment.assignee_id for u in recipients):
        recipients.append(db.session.get(User, commitment.assignee_id))
    tell(recipients, commitment, text, _("Nhiệm vụ mới được giao"))


def reported_done(commitment: Commitment) -> None:
    """The unit reports the work done: every secretariat account sees it waits for verification (in the app)."""
    text = _(
        "%(unit)s báo cáo đã hoàn thành: %(what)s", unit=commitment.unit.name, what=shorten(commitment.description)
    )
    for user in verifiers():
        notify(user, text, link(commitment))


def verified(commitment: Commitment) -> None:
    """The person (or people) whose submission gave rise to the commitment hear that it is verified."""
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
    tell(list(authors), commitment, text, _("Kết quả thực hiện kiến nghị của đồng chí"))


def reopened(commitment: Commitment, reason: str) -> None:
    text = _("Nhiệm vụ được mở lại: %(what)s. Lý do: %(why)s", what=shorten(commitment.description), why=reason)
    tell(unit_accounts([commitment.unit_id]), commitment, text, _("Nhiệm vụ được mở lại"))


def cancelled(commitment: Commitment, reason: str) -> None:
    text = _("Nhiệm vụ đã hủy: %(what)s. Lý do: %(why)s", what=shorten(commitment.description), why=reason)
    tell(unit_accounts([commitment.unit_id]), commitment, text, _("Nhiệm vụ đã hủy"))


def extended(commitment: Commitment, reason: str) -> None:
    text = _(
        "Nhiệm vụ được gia hạn đến %(due)s: %(what)s. Lý do: %(why)s",
        due=format_day(commitment.due_date),
        what=shorten(commitment.description),
        why=reason,
    )
    tell(unit_accounts([commitment.unit_id]), commitment, text, _("Nhiệm vụ được gia hạn"))
