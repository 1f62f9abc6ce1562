"""Who may do what with commitments: the one place the follow-up's rules are written.

Services enforce them with ``core.permissions.require(actor, "commitment.verify", commitment)``; views, the API
and templates ask ``can(...)`` (in a template ``can("commitment.verify", c)`` for the signed-in person). The role
groups come from ``core.access``. Whether a move fits the commitment's *state* is not a permission (it answers 409,
not 403): ``allowed_actions`` combines both for the pages, from ``models.MOVES_FROM``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, or_, select

from ..accounts.models import User
from ..core.access import ASSIGNERS, STAFF, UNITS, VERIFIERS
from ..core.permissions import can, rule
from ..extensions import db
from ..questions.models import Question
from ..responses.models import response_questions
from .models import MOVES_FROM, Commitment

SEE_REFUSED = _l("Bạn không có quyền xem nhiệm vụ này: nhiệm vụ thuộc đơn vị khác.")
CHANGE_REFUSED = _l("Chỉ đơn vị chủ trì thực hiện hoặc bộ phận theo dõi mới cập nhật được nhiệm vụ này.")
VERIFY_OWN_REFUSED = _l("Đơn vị chủ trì không thể tự xác nhận kết quả của mình.")


def is_staff(user: User) -> bool:
    """The office, the hosts, the secretariat and admins see every commitment and the dashboard."""
    return user.has_role(*STAFF)


def is_verifier(user: User) -> bool:
    """The secretariat (the office, the inspection committee): verifies, reopens, cancels and extends."""
    return user.has_role(*VERIFIERS)


def is_responsible(user: User, commitment: Commitment) -> bool:
    """The responsible unit's account, or the person named on the commitment."""
    if commitment.assignee_id is not None and commitment.assignee_id == user.id:
        return True
    return user.has_role(*UNITS) and user.unit_id is not None and user.unit_id == commitment.unit_id


def from_own_questions(user: User) -> ColumnElement[bool]:
    """Commitments arising from ``user``'s submissions: directly, or from a response that answers one."""
    own = select(Question.id).where(Question.author_id == user.id)
    return or_(
        Commitment.question_id.in_(own),
        Commitment.response_id.in_(
            select(response_questions.c.response_id).where(response_questions.c.question_id.in_(own))
        ),
    )


def visibility_clause(user: User) -> ColumnElement[bool] | None:
    """The SQL form of ``commitment.see``: staff see all (None: no condition); a unit its own; a named person
    theirs; an author those arising from their submissions."""
    if is_staff(user):
        return None
    conditions: list[ColumnElement[bool]] = [Commitment.assignee_id == user.id]
    if user.has_role(*UNITS) and user.unit_id is not None:
        conditions.append(Commitment.unit_id == user.unit_id)
    conditions.append(from_own_questions(user))
    return or_(*conditions)


@rule("commitment.see", SEE_REFUSED)
def _see(user: User, commitment: Commitment) -> bool:
    if is_staff(user) or is_responsible(user, commitment):
        return True
    condition = visibility_clause(user)
    if condition is None:
        return True
    matching = select(func.count(Commitment.id)).where(Commitment.id == commitment.id, condition)
    return bool(db.session.scalar(matching))


@rule("commitment.create", _l("Chỉ Văn phòng, người chủ trì hoặc bộ phận theo dõi mới được giao nhiệm vụ."))
def _create(user: User, _obj: Any = None) -> bool:
    return user.has_role(*ASSIGNERS)


@rule("commitment.start", CHANGE_REFUSED)
def _start(user: User, commitment: Commitment) -> bool:
    return is_responsible(user, commitment) or is_verifier(user)


@rule("commitment.update", CHANGE_REFUSED)
def _update(user: User, commitment: Commitment) -> bool:
    return is_responsible(user, commitment) or is_verifier(user)


@rule("commitment.done", _l("Chỉ đơn vị chủ trì thực hiện mới báo cáo hoàn thành nhiệm vụ."))
def _done(user: User, commitment: Commitment) -> bool:
    return is_responsible(user, commitment)


@rule("commitment.verify", _l("Chỉ bộ phận theo dõi (Văn phòng, Ủy ban Kiểm tra) mới xác nhận kết quả."))
def _verify(user: User, commitment: Commitment) -> bool:
    """A unit never verifies its own work, even through an account that is also the secretariat's."""
    return is_verifier(user) and not is_responsible(user, commitment)


def verify_refusal(user: User) -> Any:
    """What a refused verification says: a secretariat member is refused only because the work is their own."""
    return VERIFY_OWN_REFUSED if is_verifier(user) else None


@rule("commitment.reopen", _l("Chỉ bộ phận theo dõi mới mở lại nhiệm vụ."))
def _reopen(user: User, _commitment: Commitment) -> bool:
    return is_verifier(user)


@rule("commitment.cancel", _l("Chỉ bộ phận theo dõi mới hủy nhiệm vụ."))
def _cancel(user: User, _commitment: Commitment) -> bool:
    return is_verifier(user)


@rule("commitment.extend", _l("Chỉ bộ phận theo dõi mới gia hạn nhiệm vụ."))
def _extend(user: User, _commitment: Commitment) -> bool:
    return is_verifier(user)


@rule("followups.dashboard")
def _dashboard(user: User, _obj: Any = None) -> bool:
    return is_staff(user)


@rule("followups.export")
def _export(user: User, _obj: Any = None) -> bool:
    return is_staff(user)


@rule("followups.unit_list")
def _unit_list(user: User, _obj: Any = None) -> bool:
    """The responsible unit's own list of what it owes."""
    return user.has_role(*UNITS)


@rule("followups.answer_in_writing")
def _answer_in_writing(user: User, _session: Any = None) -> bool:
    """Answer in writing, after the session, what it did not reach (with the commitments arising)."""
    return user.has_role(*ASSIGNERS)


@rule("followups.question", _l("Đồng chí chỉ xem được kết quả của câu hỏi do mình gửi."))
def _question(user: User, question: Question) -> bool:
    """What became of a submission: for its author and for staff."""
    return question.author_id == user.id or is_staff(user)


def allowed_actions(user: User, commitment: Commitment) -> set[str]:
    """The moves the commitment's page offers ``user``: those the rules allow from its current state."""
    return {
        action
        for action, states in MOVES_FROM.items()
        if commitment.status in states and can(user, f"commitment.{action}", commitment)
    }
